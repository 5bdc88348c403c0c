"""The revision log's use cases on a real SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from neascn_desktop import replica
from neascn_desktop.replica import ReplicaError, Revision, make_revision
from neascn_desktop.replica.tables import (
    clock_table,
    current_table,
    head_table,
    pending_parent_table,
    pending_table,
    revision_table,
)
from neascn_desktop.stats import collect_stats
from neascn_desktop.store import Database, open_database


def clock(n: int, counter: int = 0) -> str:
    return f"{1_780_000_000_000 + n:013d}-{counter:06d}"


def rev(entity: str, parents: list[Revision], device: str, n: int, **payload) -> Revision:
    return make_revision("city", entity, [p.id for p in parents], device, clock(n), payload)


@pytest.fixture
def other_db(tmp_path: Path):
    database = open_database(tmp_path / "other")
    yield database
    database.dispose()


def table_count(db: Database, table) -> int:
    with db.session() as session:
        return int(session.execute(select(func.count()).select_from(table)).scalar() or 0)


# --------------------------------------------------------------------------- committing


def test_commit_chains_on_the_current_head(db: Database) -> None:
    first = replica.commit(db, "dev-a", "city", "c1", {"name": "Seoul"})
    second = replica.commit(db, "dev-a", "city", "c1", {"name": "Seoul", "pop": 9})
    assert first.parents == ()
    assert second.parents == (first.id,)
    assert second.clock > first.clock
    state = replica.current(db, "city", "c1")
    assert state is not None
    assert (state.revision_id, state.payload, state.heads, state.in_conflict) == (
        second.id, {"name": "Seoul", "pop": 9}, 1, False,
    )
    assert [r.id for r in replica.history(db, "c1")] == [first.id, second.id]
    assert replica.current(db, "town", "c1") is None  # another type is another thing


def test_commit_refuses_to_change_an_entity_type(db: Database) -> None:
    replica.commit(db, "dev-a", "city", "c1", {})
    with pytest.raises(ReplicaError):
        replica.commit(db, "dev-a", "comment", "c1", {})


def test_list_current_and_counts(db: Database) -> None:
    for i in range(3):
        replica.commit(db, "dev-a", "city", f"c{i}", {"i": i})
    replica.commit(db, "dev-a", "comment", "m1", {"text": "hi"})
    assert [s.entity_id for s in replica.list_current(db, "city")] == ["c0", "c1", "c2"]
    assert replica.counts(db) == {
        "revisions": 4, "pending": 0, "entities": {"city": 3, "comment": 1}, "conflicts": 0,
    }


# --------------------------------------------------------------------------- adding


def test_concurrent_edits_make_a_conflict_with_a_deterministic_winner(db: Database) -> None:
    root = rev("c1", [], "dev-a", 1, name="Seoul")
    left = rev("c1", [root], "dev-a", 5, name="Seoul-si")
    right = rev("c1", [root], "dev-b", 5, name="서울")
    result = replica.add_revisions(db, [root, left, right], provenance="pkg-1")
    assert (result.added, result.skipped, result.pending) == (3, 0, 0)
    assert result.entity_ids == {"c1"} and result.entity_types == {"city"}
    state = replica.current(db, "city", "c1")
    assert state is not None and state.in_conflict and state.heads == 2
    # same clock: the higher device id wins
    assert state.revision_id == right.id and state.payload == {"name": "서울"}
    [conflict] = replica.conflicts(db)
    assert conflict.entity_id == "c1" and conflict.winner_id == right.id
    assert [h.id for h in conflict.heads] == [right.id, left.id]
    assert replica.conflicts(db, "comment") == []
    assert {h.id for h in replica.heads(db, "c1")} == {left.id, right.id}
    assert all(r.provenance == "pkg-1" for r in replica.history(db, "c1"))


def test_adding_is_a_set_union(db: Database) -> None:
    a = rev("c1", [], "dev-a", 1, v=1)
    b = rev("c1", [a], "dev-a", 2, v=2)
    first = replica.add_revisions(db, [a, b, a])
    again = replica.add_revisions(db, [b, a])
    assert (first.added, first.skipped) == (2, 1)
    assert (again.added, again.skipped, again.pending) == (0, 2, 0)
    assert not again.changed
    assert replica.counts(db)["revisions"] == 2


@pytest.mark.parametrize("order", ["parent-first", "child-first"])
def test_missing_parent_arrival_in_either_order(db: Database, order: str) -> None:
    a = rev("c1", [], "dev-a", 1, v=1)
    b = rev("c1", [a], "dev-b", 2, v=2)
    c = rev("c1", [b], "dev-a", 3, v=3)
    if order == "parent-first":
        results = [replica.add_revisions(db, [a]), replica.add_revisions(db, [b]),
                   replica.add_revisions(db, [c])]
        assert [r.pending for r in results] == [0, 0, 0]
    else:
        late = replica.add_revisions(db, [c])
        assert (late.added, late.pending, late.changed) == (0, 1, False)
        assert replica.current(db, "city", "c1") is None  # waiting never corrupts the state
        assert [r.id for r in replica.pending_revisions(db)] == [c.id]
        middle = replica.add_revisions(db, [b])
        assert (middle.added, middle.pending) == (0, 1)
        assert replica.counts(db)["pending"] == 2
        assert replica.add_revisions(db, [c]).skipped == 1  # a waiting revision is known
        last = replica.add_revisions(db, [a], provenance="late")
        assert (last.added, last.released, last.pending) == (1, 2, 0)
        assert last.entity_ids == {"c1"}
    state = replica.current(db, "city", "c1")
    assert state is not None and state.revision_id == c.id and state.heads == 1
    assert replica.counts(db) == {
        "revisions": 3, "pending": 0, "entities": {"city": 1}, "conflicts": 0,
    }
    assert table_count(db, pending_table) == 0
    assert [r.id for r in replica.history(db, "c1")] == [a.id, b.id, c.id]


def test_a_merge_waits_for_all_its_parents(db: Database) -> None:
    root = rev("c1", [], "dev-a", 1, v=0)
    left = rev("c1", [root], "dev-a", 2, v=1)
    right = rev("c1", [root], "dev-b", 2, v=2)
    merge = rev("c1", [left, right], "dev-a", 3, v=3)
    replica.add_revisions(db, [merge, root, left])
    assert replica.counts(db)["pending"] == 1
    state = replica.current(db, "city", "c1")
    assert state is not None and state.revision_id == left.id
    result = replica.add_revisions(db, [right])
    assert (result.added, result.released) == (1, 1)
    state = replica.current(db, "city", "c1")
    assert state is not None and state.revision_id == merge.id and state.heads == 1


def test_the_digest_ignores_the_order_of_arrival(db: Database, other_db: Database) -> None:
    a = rev("c1", [], "dev-a", 1, v=1)
    b = rev("c1", [a], "dev-a", 2, v=2)
    c = rev("c1", [a], "dev-b", 2, v=3)
    d = rev("c2", [], "dev-b", 4, v=4)
    replica.add_revisions(db, [a, b, c, d])
    for one in [d, c, b, a, c]:
        replica.add_revisions(other_db, [one])
    assert replica.digest(db) == replica.digest(other_db)
    assert replica.digest(db) != replica.digest(open_database(db.data_dir / "empty"))
    replica.commit(db, "dev-a", "city", "c1", {"merged": True})
    assert replica.digest(db) != replica.digest(other_db)


def test_an_empty_database_digests_to_the_hash_of_nothing(db: Database) -> None:
    import hashlib

    assert replica.digest(db) == hashlib.sha256(b"").hexdigest()


def test_stats_report_the_log(db: Database) -> None:
    root = rev("c1", [], "dev-a", 1)
    replica.add_revisions(db, [root, rev("c1", [root], "dev-a", 2, v=1), rev("c1", [root], "dev-b", 2)])
    replica.commit(db, "dev-a", "comment", "m1", {"text": "hi"})
    stats = collect_stats(db)
    assert stats["revisions"] == 4
    assert stats["entities"] == {"city": 1, "comment": 1}
    assert stats["conflicts"] == 1
    assert stats["digest"] == replica.digest(db)
    assert "trusted_devices" in stats and "revoked_devices" in stats


# --------------------------------------------------------------------------- failures


def test_a_failing_batch_leaves_the_database_as_it_was(db: Database) -> None:
    replica.commit(db, "dev-a", "city", "c1", {"v": 1})
    before = (replica.digest(db), replica.counts(db))
    good = rev("c2", [], "dev-b", 1, v=1)
    waiting = rev("c3", [rev("c3", [], "dev-x", 0)], "dev-b", 2)
    wrong_type = make_revision("comment", "c1", [], "dev-b", clock(3), {})  # c1 is a city
    with pytest.raises(ReplicaError):
        replica.add_revisions(db, [good, waiting, wrong_type])
    assert (replica.digest(db), replica.counts(db)) == before
    assert replica.current(db, "city", "c2") is None


def test_with_a_session_a_failing_batch_is_undone_but_the_transaction_goes_on(db: Database) -> None:
    bad_parent = rev("other", [], "dev-b", 1)
    with db.transaction() as session:
        replica.add_revisions(session, [bad_parent])
        good = rev("c2", [], "dev-b", 2)
        cross = rev("c4", [bad_parent], "dev-b", 3)  # its parent belongs to another record
        with pytest.raises(ReplicaError, match="another record"):
            replica.add_revisions(session, [good, cross])
        replica.commit(session, "dev-a", "city", "c5", {})
    assert replica.current(db, "city", "c2") is None
    assert replica.current(db, "city", "c5") is not None
    assert replica.counts(db)["revisions"] == 2


def _snapshot(session) -> tuple:
    tables = (revision_table, head_table, pending_table, current_table, pending_parent_table,
              clock_table)
    return tuple(sorted(map(tuple, session.execute(select(table)))) for table in tables)


@pytest.mark.parametrize("failing", ["plan_write", "delete_pending", "insert_pending", "floor"])
def test_with_a_session_a_batch_failing_while_writing_is_undone(
    db: Database, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    from neascn_desktop.replica import adding, materialise

    root = rev("c1", [], "dev-a", 1, v=0)
    left = rev("c1", [root], "dev-a", 2, v=1)
    right = rev("c1", [root], "dev-b", 3, v=2)
    lost = rev("c3", [], "dev-x", 4)
    waiting = rev("c3", [lost], "dev-b", 5)
    replica.add_revisions(db, [root, left, right, waiting], provenance="first")
    # the batch: a merge (conflict ends), a new entity, a revision that releases the
    # waiting one, one that waits itself, and the newest clock (raises the floor)
    merge = rev("c1", [left, right], "dev-c", 6, v=3)
    new = rev("c2", [], "dev-c", 7)
    stray = rev("c4", [rev("c4", [], "dev-y", 8)], "dev-c", 99)

    owner, name = {
        "plan_write": (materialise.MaterialisePlan, "write"),
        "delete_pending": (adding, "_delete_pending"),
        "insert_pending": (adding, "_insert_pending"),
        "floor": (adding.hlc, "observe_floor"),
    }[failing]
    real = getattr(owner, name)
    calls: list[int] = []

    def boom(*args: object, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 1:  # the write fails half done; the undo's own calls work
            real(*args, **kwargs)
            raise RuntimeError("disk full")
        real(*args, **kwargs)

    target = (owner, name)
    with db.transaction() as session:
        before = _snapshot(session)
        with monkeypatch.context() as patch:
            patch.setattr(*target, boom)
            with pytest.raises(RuntimeError):
                replica.add_revisions(session, [merge, new, lost, stray], provenance="second")
        assert _snapshot(session) == before
        replica.add_revisions(session, [merge, new, lost, stray], provenance="second")
    assert replica.current(db, "city", "c1").heads == 1  # type: ignore[union-attr]
    assert replica.current(db, "city", "c3").revision_id == waiting.id  # type: ignore[union-attr]
    assert replica.get_revision(db, waiting.id).provenance == "first"  # type: ignore[union-attr]
    assert [r.id for r in replica.pending_revisions(db)] == [stray.id]


def test_provenance_per_revision(db: Database) -> None:
    a = rev("c1", [], "dev-a", 1)
    b = rev("c2", [], "dev-a", 2)
    c = rev("c3", [rev("c3", [], "dev-a", 0)], "dev-a", 3)
    replica.add_revisions(db, [a, b, c], provenance={a.id: "pkg-a", c.id: "pkg-c"})
    assert replica.get_revision(db, a.id).provenance == "pkg-a"  # type: ignore[union-attr]
    assert replica.get_revision(db, b.id).provenance is None  # type: ignore[union-attr]
    assert [r.provenance for r in replica.pending_revisions(db)] == ["pkg-c"]


def test_an_error_in_the_callers_transaction_rolls_the_batch_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            replica.add_revisions(session, [rev("c1", [], "dev-a", 1)])
            raise RuntimeError("the import failed later")
    assert replica.counts(db)["revisions"] == 0
    assert table_count(db, head_table) == 0


def test_only_revisions_can_be_added(db: Database) -> None:
    with pytest.raises(ReplicaError):
        replica.add_revisions(db, [{"id": "x"}])  # type: ignore[list-item]


# --------------------------------------------------------------------------- resolving


def test_resolve_makes_a_merge_of_all_heads(db: Database) -> None:
    root = rev("c1", [], "dev-a", 1, name="Seoul", pop=1)
    left = rev("c1", [root], "dev-a", 2, name="Seoul", pop=2)
    right = rev("c1", [root], "dev-b", 3, name="서울", pop=1)
    other = rev("c1", [root], "dev-c", 4, name="Seoul", pop=1, region="Capital")
    replica.add_revisions(db, [root, left, right, other])
    proposal = replica.propose_merge(db, "c1")
    assert proposal.clean
    assert proposal.base_revision_id == root.id
    assert proposal.merged == {"name": "서울", "pop": 2, "region": "Capital"}
    merge = replica.resolve(db, "dev-a", "c1", proposal.merged)
    assert set(merge.parents) == {left.id, right.id, other.id}
    state = replica.current(db, "city", "c1")
    assert state is not None and state.heads == 1 and state.payload == proposal.merged
    assert replica.conflicts(db) == []
    assert replica.lowest_common_ancestor(db, left.id, right.id) == root
    assert replica.lowest_common_ancestor(db, left.id, merge.id) == left


def test_resolve_keep_takes_one_head(db: Database) -> None:
    root = rev("c1", [], "dev-a", 1, v=0)
    left = rev("c1", [root], "dev-a", 2, v=1)
    right = rev("c1", [root], "dev-b", 2, v=2)
    replica.add_revisions(db, [root, left, right])
    kept = replica.resolve_keep(db, "dev-c", "c1", left.id)
    assert kept.payload == {"v": 1} and set(kept.parents) == {left.id, right.id}
    assert replica.current(db, "city", "c1").payload == {"v": 1}  # type: ignore[union-attr]
    with pytest.raises(ReplicaError):
        replica.resolve_keep(db, "dev-c", "c1", "f" * 64)
    with pytest.raises(ReplicaError):
        replica.resolve(db, "dev-c", "nothing", {})


def test_entities_without_common_history_merge_against_nothing(db: Database) -> None:
    one = rev("c1", [], "dev-a", 1, name="A", pop=1)
    two = rev("c1", [], "dev-b", 1, name="B", pop=1)
    replica.add_revisions(db, [one, two])
    assert replica.lowest_common_ancestor(db, one.id, two.id) is None
    proposal = replica.propose_merge(db, "c1")
    assert proposal.base_revision_id is None
    assert proposal.conflicting_fields == {"name": (None, "B", "A")}
    assert proposal.merged == {"name": "B", "pop": 1}


# --------------------------------------------------------------------------- export helpers


def test_iteration_yields_parents_first_and_filters(db: Database) -> None:
    a = rev("c1", [], "dev-a", 1)
    b = rev("c1", [a], "dev-a", 2)
    note = make_revision("comment", "m1", [], "dev-a", clock(3), {"text": "x"})
    orphan = rev("c9", [rev("c9", [], "dev-z", 0)], "dev-a", 4)
    replica.add_revisions(db, [note, b, a, orphan])
    assert [r.id for r in replica.iter_revisions(db, chunk_size=1)] == [note.id, a.id, b.id]
    assert [r.id for r in replica.iter_revisions(db, ["comment"])] == [note.id]
    assert orphan.id in {r.id for r in replica.iter_revisions(db, include_pending=True)}
    since = replica.last_seq(db)
    replica.commit(db, "dev-a", "city", "c1", {"v": 9})
    assert [r.payload for r in replica.iter_revisions(db, after_seq=since)] == [{"v": 9}]
    lacking = {r.id for r in replica.revisions_since(db, {a.id, note.id})}
    assert b.id in lacking and orphan.id in lacking and a.id not in lacking
    assert replica.revision_ids(db) >= {a.id, b.id, note.id, orphan.id}
    got = replica.get_revision(db, b.id)
    assert got == b and got is not None and got.payload_json == b.payload_json
    assert replica.get_revision(db, orphan.id) is None


def test_rebuild_reproduces_the_incremental_state(db: Database) -> None:
    root = rev("c1", [], "dev-a", 1)
    replica.add_revisions(db, [root, rev("c1", [root], "dev-a", 2, v=1), rev("c1", [root], "dev-b", 2)])
    replica.commit(db, "dev-a", "comment", "m1", {"text": "hi"})
    before = (replica.digest(db), replica.counts(db), replica.list_current(db, "city"))
    replica.rebuild_materialised(db)
    assert (replica.digest(db), replica.counts(db), replica.list_current(db, "city")) == before


def test_large_batches_cross_the_statement_parameter_chunks(db: Database) -> None:
    revisions = []
    for i in range(700):
        root = rev(f"e{i}", [], "dev-a", i)
        revisions += [root, rev(f"e{i}", [root], "dev-b", i + 1, v=i)]
    result = replica.add_revisions(db, reversed(revisions))
    assert (result.added, result.pending) == (1400, 0)
    assert table_count(db, revision_table) == 1400
    assert len(replica.list_current(db, "city")) == 700


def test_an_import_adds_many_batches_in_one_transaction(db: Database) -> None:
    a = rev("c1", [], "dev-a", 1, v=1)
    b = rev("c1", [a], "dev-b", 2, v=2)
    c = rev("c1", [b], "dev-a", 3, v=3)
    with db.transaction() as session:
        first = replica.add_revisions(session, [c], provenance="pkg")
        second = replica.add_revisions(session, [a], provenance="pkg")
        third = replica.add_revisions(session, [b, c], provenance="pkg")
        # the caller's transaction sees its own work
        assert replica.current(session, "city", "c1").revision_id == c.id  # type: ignore[union-attr]
    assert (first.pending, second.added, third.added, third.released, third.skipped) == (1, 1, 1, 1, 1)
    assert replica.counts(db)["pending"] == 0
    assert [r.provenance for r in replica.history(db, "c1")] == ["pkg", "pkg", "pkg"]


def test_a_local_commit_sorts_after_what_arrived_from_elsewhere(db: Database) -> None:
    from neascn_desktop.replica.clock import wall_ms

    ahead = wall_ms() + 60_000  # a device whose clock runs a minute fast
    remote = make_revision("city", "c1", [], "dev-b", f"{ahead:013d}-000005", {"v": 1})
    replica.add_revisions(db, [remote])
    mine = replica.commit(db, "dev-a", "city", "c2", {"v": 2})
    assert mine.clock > remote.clock


def test_conflicts_can_be_listed_per_type(db: Database) -> None:
    for entity_type, entity_id in [("city", "c1"), ("comment", "m1"), ("city", "c0")]:
        root = make_revision(entity_type, entity_id, [], "dev-a", clock(1), {})
        one = make_revision(entity_type, entity_id, [root.id], "dev-a", clock(2), {"v": 1})
        two = make_revision(entity_type, entity_id, [root.id], "dev-b", clock(2), {"v": 2})
        replica.add_revisions(db, [root, one, two])
    assert [(c.entity_type, c.entity_id) for c in replica.conflicts(db)] == [
        ("city", "c0"), ("city", "c1"), ("comment", "m1"),
    ]
    assert [c.entity_id for c in replica.conflicts(db, "comment")] == ["m1"]
    assert replica.counts(db)["conflicts"] == 3


def test_head_rows_exist_only_while_an_entity_is_in_conflict(db: Database) -> None:
    root = rev("c1", [], "dev-a", 1, v=0)
    left = rev("c1", [root], "dev-a", 2, v=1)
    right = rev("c1", [root], "dev-b", 3, v=2)
    replica.add_revisions(db, [root])
    assert table_count(db, head_table) == 0
    assert replica.entity_heads(db, ["c1", "nothing"]) == {"c1": {root.id}}
    replica.add_revisions(db, [left, right])
    assert table_count(db, head_table) == 2
    assert replica.entity_heads(db, ["c1"]) == {"c1": {left.id, right.id}}
    merge = replica.resolve(db, "dev-c", "c1", {"v": 3})
    assert table_count(db, head_table) == 0
    assert replica.entity_heads(db, ["c1"]) == {"c1": {merge.id}}
    assert [r.id for r in replica.heads(db, "c1")] == [merge.id]


def test_may_release_judges_only_woken_revisions_and_drops_the_refused(db: Database) -> None:
    root = rev("c1", [], "dev-a", 1, v=0)
    edit = rev("c1", [root], "dev-b", 2, v=1)  # will be refused when released
    below = rev("c1", [edit], "dev-b", 3, v=2)  # waits for the refused one
    fine = rev("c2", [rev("c2", [], "dev-a", 4)], "dev-a", 5)
    replica.add_revisions(db, [edit, below], provenance="pkg-b")
    asked: list[tuple[str, str | None]] = []

    def may_release(candidate: Revision) -> bool:
        asked.append((candidate.id, candidate.provenance))
        return candidate.id != edit.id

    result = replica.add_revisions(db, [root, fine], provenance="pkg-a", may_release=may_release)
    assert asked == [(edit.id, "pkg-b")]  # incoming revisions are the caller's to judge
    assert (result.added, result.released) == (1, 0)
    assert replica.current(db, "city", "c1").revision_id == root.id  # type: ignore[union-attr]
    assert replica.get_revision(db, edit.id) is None
    assert [r.id for r in replica.pending_revisions(db)] == sorted([below.id, fine.id])
    assert table_count(db, pending_parent_table) == 2


def test_a_dropped_revision_comes_back_when_the_writes_fail(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from neascn_desktop.replica import adding

    root = rev("c1", [], "dev-a", 1, v=0)
    edit = rev("c1", [root], "dev-b", 2, v=1)
    replica.add_revisions(db, [edit], provenance="pkg-b")
    real = adding._delete_pending
    calls: list[int] = []

    def boom(*args: object, **kwargs: object) -> None:
        calls.append(1)
        real(*args, **kwargs)  # type: ignore[arg-type]
        if len(calls) == 1:  # the write fails half done; the undo's own calls work
            raise RuntimeError("disk full")

    with db.transaction() as session:
        before = _snapshot(session)
        with monkeypatch.context() as patch:
            patch.setattr(adding, "_delete_pending", boom)
            with pytest.raises(RuntimeError):
                replica.add_revisions(session, [root], may_release=lambda _rev: False)
        assert _snapshot(session) == before
    assert [(r.id, r.provenance) for r in replica.pending_revisions(db)] == [(edit.id, "pkg-b")]
