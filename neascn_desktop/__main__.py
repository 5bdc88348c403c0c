"""``python -m neascn_desktop`` starts the GUI."""

from neascn_desktop.gui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
