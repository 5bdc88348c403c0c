"""``python -m neascn_desktop.cli`` runs the CLI (the ``neascn`` command)."""

from neascn_desktop.cli import run

run()
