"""Withdrawing revisions (``replica.withdrawal``): an import undone gives back the state of before,
for random logs; undoing the undo gives back the imported state; later edits become conflicts."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from neascn_desktop import replica
from neascn_desktop.replica import make_revision, withdrawal
from neascn_desktop.replica.clock import format_clock
from neascn_desktop.replica.tables import (
    clock_table,
    current_table,
    head_table,
    pending_parent_table,
    pending_table,
    revision_table,
)
from neascn_desktop.store import Database, open_database
from tests.replica.test_properties import SETTINGS, histories

State = dict[str, tuple[str, int]]


def state(db: Database) -> State:
    """Every record's displayed content and number of heads (withdrawn records left out)."""
    return {s.entity_id: (replica.canonical_json(s.payload), s.heads) for s in replica.list_current(db, "thing")}


def withdraw(db: Database, ids: list[str], device: str = "undoer") -> list[str]:
    with db.transaction() as session:
        planned = withdrawal.plan(session, ids)
        revisions = withdrawal.build(session, device, planned)
        withdrawal.store(session, revisions)
    return [r.id for r in revisions]


def provenance_ids(db: Database, package: str) -> list[str]:
    with db.connect() as conn:
        return list(conn.scalars(select(revision_table.c.id).where(revision_table.c.provenance == package)))


class _Db:
    def __init__(self, root: Path) -> None:
        self.db = open_database(root / "db")

    def fresh(self) -> Database:
        with self.db.transaction() as session:
            for table in (current_table, head_table, pending_parent_table, pending_table, revision_table):
                session.execute(delete(table))
            session.execute(delete(clock_table))
        return self.db


@pytest.fixture(scope="module")
def one_db() -> Iterator[_Db]:
    with tempfile.TemporaryDirectory() as tmp:
        holder = _Db(Path(tmp))
        yield holder
        holder.db.dispose()


@SETTINGS
@given(data=st.data())
def test_import_then_undo_gives_back_the_state_of_before(one_db: _Db, data: Any) -> None:
    history = data.draw(histories())
    revisions = list(history.revisions)
    cut = data.draw(st.integers(0, len(revisions)))
    # What the receiver holds before: a prefix of the history (parents come first); the package
    # is a random part of the rest, with whatever of its ancestry the receiver lacks.
    before = revisions[:cut]
    rest = revisions[cut:]
    picked = set(data.draw(st.lists(st.sampled_from(rest), unique_by=lambda r: r.id))) if rest else set()
    by_id = {r.id: r for r in revisions}
    held = {r.id for r in before}
    package: dict[str, Any] = {}
    stack = [r.id for r in picked]
    while stack:
        rev = by_id[stack.pop()]
        if rev.id in held or rev.id in package:
            continue
        package[rev.id] = rev
        stack.extend(rev.parents)

    db = one_db.fresh()
    replica.add_revisions(db, before)
    state_before = state(db)
    replica.add_revisions(db, list(package.values()), provenance="pkg")
    state_imported = state(db)

    undo = withdraw(db, provenance_ids(db, "pkg"))
    assert state(db) == state_before
    redo = withdraw(db, undo)
    assert state(db) == state_imported
    withdraw(db, redo)
    assert state(db) == state_before


def _thing(entity: str, parents: list[str], device: str, wall: int, **payload: Any) -> replica.Revision:
    return make_revision("thing", entity, parents, device, format_clock(1_780_000_000_000 + wall, 0), payload)


def test_a_later_edit_on_a_withdrawn_revision_becomes_a_conflict(db: Database) -> None:
    root = _thing("e", [], "home", 1, population=1)
    replica.add_revisions(db, [root])
    imported = _thing("e", [root.id], "away", 2, population=2)
    replica.add_revisions(db, [imported], provenance="pkg")
    later = replica.commit(db, "home", "thing", "e", {"population": 3})

    created = withdraw(db, [imported.id])

    heads = replica.heads(db, "e")
    assert {h.id for h in heads} == {later.id, *created}
    assert {replica.canonical_json(h.payload) for h in heads} == {'{"population":3}', '{"population":1}'}


def test_a_record_the_package_created_is_withdrawn_and_comes_back(db: Database) -> None:
    created_here = _thing("new", [], "away", 1, population=5)
    replica.add_revisions(db, [created_here], provenance="pkg")

    undo = withdraw(db, [created_here.id])
    assert replica.current(db, "thing", "new") is None
    assert replica.list_current(db, "thing") == []
    assert withdrawal.is_withdrawn(replica.heads(db, "new")[0].payload)

    withdraw(db, undo)
    shown = replica.current(db, "thing", "new")
    assert shown is not None and shown.payload == {"population": 5}


def test_a_conflict_of_before_is_a_conflict_again_with_the_same_winner(db: Database) -> None:
    root = _thing("e", [], "a", 1, v=0)
    left = _thing("e", [root.id], "a", 2, v=1)
    right = _thing("e", [root.id], "b", 3, v=2)
    replica.add_revisions(db, [root, left, right])
    merge = _thing("e", [left.id, right.id], "c", 4, v=3)
    replica.add_revisions(db, [merge], provenance="pkg")

    withdraw(db, [merge.id])

    shown = replica.current(db, "thing", "e")
    assert shown is not None and shown.heads == 2 and shown.payload == {"v": 2}


@SETTINGS
@given(data=st.data())
def test_undo_never_loses_a_later_edit(one_db: _Db, data: Any) -> None:
    """Edits made after the import stay heads through the undo (a conflict at worst), and every
    record nobody edited since is back as it was."""
    history = data.draw(histories())
    revisions = list(history.revisions)
    cut = data.draw(st.integers(0, len(revisions)))
    db = one_db.fresh()
    replica.add_revisions(db, revisions[:cut])
    state_before = state(db)
    replica.add_revisions(db, revisions[cut:], provenance="pkg")
    entities = sorted({r.entity_id for r in revisions})
    edited = set(data.draw(st.lists(st.sampled_from(entities), max_size=3))) if entities else set()
    later = [replica.commit(db, "home", "thing", entity, {"later": n}).id for n, entity in enumerate(sorted(edited))]

    withdraw(db, provenance_ids(db, "pkg"))

    heads = {h.id for entity in entities for h in replica.heads(db, entity)}
    assert set(later) <= heads
    after = state(db)
    for entity in entities:
        if entity not in edited:
            assert after.get(entity) == state_before.get(entity)
