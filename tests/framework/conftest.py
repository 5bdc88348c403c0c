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


def exchange_revisions(source: Drafter, target: Drafter) -> None:
    """Hand every framework revision of ``source`` to ``target`` (a set union, as a package does)."""
    revisions = list(
        replica.iter_revisions(source.db, ["framework_section", "framework_comment"])
    )
    replica.add_revisions(target.db, revisions)
