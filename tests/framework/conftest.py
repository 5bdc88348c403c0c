"""Fixtures of the framework tests: task-force drafters on separate data directories."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from neascn_desktop import replica
from neascn_desktop.identity.profile import Profile, create_profile
from neascn_desktop.store import Database, open_database


@dataclass
class Drafter:
    db: Database
    profile: Profile


def make_drafter(folder: Path, name: str) -> Drafter:
    folder.mkdir(parents=True, exist_ok=True)
    db = open_database(folder)
    profile = create_profile(db, name=name, role="taskforce", organisation="Task force", language="en")
    return Drafter(db, profile)


@pytest.fixture
def drafters(tmp_path: Path) -> Iterator[tuple[Drafter, Drafter]]:
    a = make_drafter(tmp_path / "alice", "Alice Kim")
    b = make_drafter(tmp_path / "bolor", "Bolor Bat")
    yield a, b
    a.db.dispose()
    b.db.dispose()


def exchange_package(source: Drafter, target: Drafter, folder: Path) -> None:
    """Send ``source``'s framework drafts to ``target`` as a real package file.

    The receiver trusts the sender's key card first (a package from an unknown
    device would wait in the inbox); the export cuts revisions from working copies.
    """
    from neascn_desktop.framework.service import cut_all_revisions
    from neascn_desktop.identity.trust import find_trusted, keycard_for, trust_keycard
    from neascn_desktop.sync import export_package, import_packages

    if find_trusted(target.db, source.profile.device_id) is None:
        trust_keycard(target.db, keycard_for(source.profile))
    cut_all_revisions(source.db, source.profile)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{source.profile.display_name.split()[0]}-{len(list(folder.iterdir()))}.neascn"
    export_package(source.db, "framework", path, full=True)
    report = import_packages(target.db, [path])
    assert report.exit_code == 0, report.summary


def exchange_revisions(source: Drafter, target: Drafter) -> None:
    """Hand every framework revision of ``source`` to ``target`` (a set union, as a package does)."""
    revisions = list(
        replica.iter_revisions(source.db, ["framework_section", "framework_comment"])
    )
    replica.add_revisions(target.db, revisions)
