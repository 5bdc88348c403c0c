"""The demo data directory: "Try with demo data" without touching the real profile.

It is a folder of its own inside the real data directory (``<data dir>/demo``),
with its own database, profile, keys and window settings; a marker file says
what it is, so every window opened on it says "demo data".  Deleting the
folder removes the demo completely.
"""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.i18n import N_, translate_in
from neascn_desktop.identity.profile import Profile, create_profile, load_profile
from neascn_desktop.store.database import Database

DEMO_FOLDER = "demo"
MARKER_FILE = "NEASCN-DEMO-DATA.txt"
#: Marked for extraction; said in the demo's language by ``translate_in``.
_NAMES = (N_("Demo user"), N_("Demo organisation"))
_MARKER_TEXT = ("This folder holds the demo data of NEASCN Desktop (Help > Try with demo data).\n"
                "Nothing here is real; delete the folder to remove the demo.\n")


def demo_data_dir(data_dir: Path) -> Path:
    """Where the demo of the data directory ``data_dir`` lives (``data_dir`` itself if it is one)."""
    data_dir = Path(data_dir)
    return data_dir if is_demo_directory(data_dir) else data_dir / DEMO_FOLDER


def is_demo_directory(data_dir: Path) -> bool:
    return (Path(data_dir) / MARKER_FILE).is_file()


def mark_demo_directory(data_dir: Path) -> None:
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    (Path(data_dir) / MARKER_FILE).write_text(_MARKER_TEXT, encoding="utf-8")


def prepare_demo_profile(db: Database, *, role: str, language: str, cities: int = 6) -> Profile:
    """The demo directory's profile, created with its demo data on first use (afterwards as left).

    ``db`` must be the database of a demo data directory (one marked by
    :func:`mark_demo_directory`); the real profile is never opened here.
    """
    if not is_demo_directory(db.data_dir):
        raise ValueError(f"{db.data_dir} is not a demo data directory")
    profile = load_profile(db)
    if profile is not None:
        return profile
    from neascn_desktop.surveys.demo import load_demo_report

    # Named in the demo's language, whatever the process speaks when it starts.
    profile = create_profile(db, name=translate_in(language, "Demo user"), role=role,
                             organisation=translate_in(language, "Demo organisation"), language=language)
    load_demo_report(db, profile, cities=cities)
    return profile
