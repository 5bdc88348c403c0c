"""Property tests: random histories over several devices with concurrent edits.

Whatever the order and duplication of delivery, every database ends with the
same heads, conflicts and digest; no revision is ever lost (each one is either
applied or waiting); resolving every conflict leaves exactly one head each.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from neascn_desktop import replica
from neascn_desktop.replica import Revision, canonical_json, make_revision, three_way_merge
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

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class History:
    revisions: tuple[Revision, ...]  # in creation order (parents first)

    def heads(self) -> dict[str, set[str]]:
        has_child = {p for r in self.revisions for p in r.parents}
        out: dict[str, set[str]] = {}
        for r in self.revisions:
            out.setdefault(r.entity_id, set())
            if r.id not in has_child:
                out[r.entity_id].add(r.id)
        return out


@st.composite
def histories(draw: st.DrawFn) -> History:
    """Devices edit entities on their own copies and now and then sync a copy to another device."""
    n_devices = draw(st.integers(2, 4))
    n_entities = draw(st.integers(1, 3))
    known: list[dict[str, Revision]] = [{} for _ in range(n_devices)]
    created: list[Revision] = []
    counters = [0] * n_devices
    steps = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["edit", "edit", "edit", "sync"]),
                st.integers(0, n_devices - 1),
                st.integers(0, n_devices - 1),
                st.integers(0, n_entities - 1),
                st.integers(0, 3),  # which field
                st.integers(0, 2),  # which value
                st.integers(0, 4),  # wall clock (small: ties between devices happen)
            ),
            min_size=1,
            max_size=30,
        )
    )
    for kind, dev, other, entity, field, value, wall in steps:
        view = known[dev]
        if kind == "sync":
            known[other].update(view)
            continue
        entity_id = f"e{entity}"
        mine = [r for r in view.values() if r.entity_id == entity_id]
        has_child = {p for r in mine for p in r.parents}
        parents = [r for r in mine if r.id not in has_child]
        payload = dict(max(parents, key=lambda r: r.sort_key).payload) if parents else {}
        payload[f"f{field}"] = value
        counters[dev] += 1
        rev = make_revision(
            "thing", entity_id, [p.id for p in parents], f"device-{dev}",
            format_clock(1_780_000_000_000 + wall, counters[dev]), payload,
        )
        if rev.id in view:
            continue
        view[rev.id] = rev
        created.append(rev)
    return History(tuple(created))


@st.composite
def deliveries(draw: st.DrawFn, history: History) -> list[list[Revision]]:
    """The history shuffled, with duplicates, cut into batches."""
    revs = list(history.revisions)
    if revs:
        revs += draw(st.lists(st.sampled_from(revs), max_size=len(revs)))
    order = draw(st.permutations(revs))
    batches: list[list[Revision]] = []
    i = 0
    while i < len(order):
        size = draw(st.integers(1, 6))
        batches.append(order[i : i + size])
        i += size
    return batches


class Databases:
    """A few databases reused across examples (wiped in between: migrations are slow)."""

    def __init__(self, root: Path) -> None:
        self.dbs = [open_database(root / f"db{i}") for i in range(3)]

    def fresh(self) -> list[Database]:
        for db in self.dbs:
            with db.transaction() as session:
                for table in (current_table, head_table, pending_parent_table, pending_table,
                              revision_table):
                    session.execute(delete(table))
                session.execute(delete(clock_table).where(clock_table.c.device_id != "*observed*"))
        return self.dbs

    def close(self) -> None:
        for db in self.dbs:
            db.dispose()


@pytest.fixture(scope="module")
def databases() -> Iterator[Databases]:
    with tempfile.TemporaryDirectory() as tmp:
        dbs = Databases(Path(tmp))
        yield dbs
        dbs.close()


def observed_heads(db: Database, entity_ids: set[str]) -> dict[str, set[str]]:
    return {e: {r.id for r in replica.heads(db, e)} for e in entity_ids}


@SETTINGS
@given(data=st.data())
def test_any_order_and_duplication_gives_the_same_state(databases: Databases, data) -> None:
    history = data.draw(histories())
    reference, shuffled, _ = databases.fresh()
    replica.add_revisions(reference, history.revisions)

    delivered: set[str] = set()
    for batch in data.draw(deliveries(history)):
        result = replica.add_revisions(shuffled, batch)
        assert result.added + result.skipped + result.pending == len(batch)
        delivered.update(r.id for r in batch)
        counts = replica.counts(shuffled)
        # nothing is ever lost: every distinct revision delivered is applied or waiting
        assert counts["revisions"] + counts["pending"] == len(delivered)

    expected = history.heads()
    for db in (reference, shuffled):
        counts = replica.counts(db)
        assert counts["revisions"] == len(history.revisions) and counts["pending"] == 0
        assert replica.revision_ids(db) == {r.id for r in history.revisions}
        assert observed_heads(db, set(expected)) == expected
        assert {c.entity_id for c in replica.conflicts(db)} == {
            e for e, h in expected.items() if len(h) > 1
        }
        by_id = {r.id: r for r in history.revisions}
        for entity_id, head_ids in expected.items():
            winner = max((by_id[i] for i in head_ids), key=lambda r: r.sort_key)
            state = replica.current(db, "thing", entity_id)
            assert state is not None
            assert (state.revision_id, state.payload, state.heads) == (
                winner.id, winner.payload, len(head_ids),
            )
    assert replica.digest(reference) == replica.digest(shuffled)


@SETTINGS
@given(data=st.data())
def test_resolving_every_conflict_leaves_one_head_each(databases: Databases, data) -> None:
    history = data.draw(histories())
    db, peer, _ = databases.fresh()
    replica.add_revisions(db, history.revisions)
    for conflict in replica.conflicts(db):
        proposal = replica.propose_merge(db, conflict.entity_id)
        if data.draw(st.booleans()):
            replica.resolve(db, "resolver", conflict.entity_id, proposal.merged)
        else:
            keep = data.draw(st.sampled_from(conflict.heads))
            replica.resolve_keep(db, "resolver", conflict.entity_id, keep.id)
    assert replica.conflicts(db) == []
    for entity_id in history.heads():
        assert len(replica.heads(db, entity_id)) == 1
    # the merges travel like any other revision: a peer that gets everything agrees
    everything = list(replica.iter_revisions(db))
    replica.add_revisions(peer, list(reversed(everything)))
    assert replica.digest(peer) == replica.digest(db)
    assert replica.conflicts(peer) == []


@SETTINGS
@given(data=st.data())
def test_incremental_state_equals_a_rebuild(databases: Databases, data) -> None:
    history = data.draw(histories())
    db, _, _ = databases.fresh()
    for batch in data.draw(deliveries(history)):
        replica.add_revisions(db, batch)
    before = (replica.digest(db), replica.counts(db), replica.list_current(db, "thing"))
    replica.rebuild_materialised(db)
    assert (replica.digest(db), replica.counts(db), replica.list_current(db, "thing")) == before


json_values = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=3))
payloads = st.dictionaries(st.sampled_from("abcdef"), json_values, max_size=6)


@settings(max_examples=200, deadline=None)
@given(base=payloads, ours=payloads, theirs=payloads)
def test_three_way_merge_laws(base: dict, ours: dict, theirs: dict) -> None:
    assert three_way_merge(base, base, theirs).merged == theirs
    assert three_way_merge(base, ours, base).merged == ours
    assert three_way_merge(base, ours, ours).merged == ours
    result = three_way_merge(base, ours, theirs)
    # every conflicting field was changed on both sides, differently
    for name in result.conflicting_fields:

        def side(d: dict, name: str = name) -> tuple:
            return ("set", canonical_json(d[name])) if name in d else ("absent",)

        assert side(ours) != side(base) and side(theirs) != side(base) and side(ours) != side(theirs)
    for name in set(base) | set(ours) | set(theirs):
        if name not in result.conflicting_fields:
            assert name in result.merged or (name not in ours or name not in theirs)
    # without conflicts, swapping sides gives the same merge
    if result.clean:
        assert three_way_merge(base, theirs, ours).merged == result.merged
