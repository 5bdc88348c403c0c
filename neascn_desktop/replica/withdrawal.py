"""Withdrawing revisions: new revisions that bring records back to what they were without them.

A withdrawal never deletes anything.  For every record that a set of revisions
``S`` touched, it adds revisions that restore the state the record would have if
``S`` had never arrived: the heads of the record's other revisions (those neither
in ``S`` nor descended from it), or a *withdrawn* marker when ``S`` created the
record.  The new revisions are children of ``S``'s newest revisions and of every
other head that is not a later edit on top of ``S``, so:

- without later edits, the record has exactly the heads' contents of before (a
  conflict of before is a conflict again, its displayed winner the same);
- a later edit on top of a withdrawn revision stays a head beside the
  restoration: a conflict to settle, never a silent loss;
- withdrawing the restoring revisions brings ``S``'s contents back (undo of undo);
- a conflict brought back is compared against its versions' own common ancestor, not
  against the withdrawn merge (``replica_restored``, ``ancestry.stand_ins``).

The new revisions are ordinary revisions of the local device: they replicate
like any change, and every receiver judges them by its authority rules.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from neascn_desktop.replica import clock as hlc
from neascn_desktop.replica.access import _REVISION_COLUMNS, _chunks, _row_to_revision, _writing
from neascn_desktop.replica.adding import _add
from neascn_desktop.replica.revision import Revision, make_revision
from neascn_desktop.replica.tables import restored_table, revision_table
from neascn_desktop.replica.values import WITHDRAWN, WITHDRAWN_KEY, is_withdrawn
from neascn_desktop.store.database import connection_of

__all__ = ["WITHDRAWN", "WITHDRAWN_KEY", "EntityWithdrawal", "build", "is_withdrawn", "plan", "plan_entity",
           "store"]

if TYPE_CHECKING:
    from neascn_desktop.replica.access import Target

@dataclass(frozen=True)
class EntityWithdrawal:
    """What withdrawing does to one record."""

    entity_id: str
    entity_type: str
    parents: tuple[str, ...]
    #: The contents to restore, the displayed winner last (empty: the record is withdrawn).
    restored: tuple[dict[str, Any], ...]
    #: The revision each content is restored from (same order).
    sources: tuple[str, ...]
    #: Heads that are later edits on top of withdrawn revisions (they stay: a conflict).
    kept_heads: tuple[str, ...]

    @property
    def conflicting(self) -> bool:
        return bool(self.kept_heads) or len(self.restored) > 1


def _children(graph: Mapping[str, Revision]) -> dict[str, set[str]]:
    children: dict[str, set[str]] = {rev_id: set() for rev_id in graph}
    for rev in graph.values():
        for parent in rev.parents:
            if parent in children:
                children[parent].add(rev.id)
    return children


def _descendants(children: Mapping[str, set[str]], start: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(start)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def plan_entity(graph: Mapping[str, Revision], withdrawn: Collection[str]) -> EntityWithdrawal | None:
    """The withdrawal of ``withdrawn`` (revision ids of the record ``graph``); ``None`` if none
    of them is in the graph."""
    chosen = {rev_id for rev_id in withdrawn if rev_id in graph}
    if not chosen:
        return None
    children = _children(graph)
    later = _descendants(children, chosen) - chosen
    before = set(graph) - chosen - later
    before_heads = [graph[r] for r in before if not (children[r] & before)]
    heads = {r for r in graph if not children[r]}
    newest_withdrawn = {r for r in chosen if not (children[r] & chosen)}
    parents = tuple(sorted((heads - later) | newest_withdrawn))
    ordered = sorted(before_heads, key=lambda r: r.sort_key)
    first = next(iter(graph.values()))
    return EntityWithdrawal(first.entity_id, first.entity_type, parents,
                            tuple(dict(rev.payload) for rev in ordered), tuple(rev.id for rev in ordered),
                            tuple(sorted(heads & later)))


def plan(target: Target, revision_ids: Iterable[str]) -> list[EntityWithdrawal]:
    """The withdrawal of stored revisions, one entry per record they touch (ids not stored are
    ignored: a revision still waiting for its parents has changed nothing yet)."""
    by_entity: dict[str, set[str]] = {}
    graphs: dict[str, dict[str, Revision]] = {}
    with _writing(target) as session:
        for chunk in _chunks(sorted(set(revision_ids))):
            for rev_id, entity_id in session.execute(
                    select(revision_table.c.id, revision_table.c.entity_id).where(revision_table.c.id.in_(chunk))):
                by_entity.setdefault(entity_id, set()).add(rev_id)
        for chunk in _chunks(sorted(by_entity)):
            for row in session.execute(select(*_REVISION_COLUMNS).where(revision_table.c.entity_id.in_(chunk))
                                       .order_by(revision_table.c.seq)):
                rev = _row_to_revision(row)
                graphs.setdefault(rev.entity_id, {})[rev.id] = rev
    found = []
    for entity_id in sorted(by_entity):
        entry = plan_entity(graphs.get(entity_id, {}), by_entity[entity_id])
        if entry is not None:
            found.append(entry)
    return found


def build(
    target: Target, device_id: str, planned: Iterable[EntityWithdrawal], *, now: Callable[[], int] = hlc.wall_ms
) -> list[Revision]:
    """The revisions that carry out ``planned`` (made, not stored): one per restored content,
    ticked in order so the displayed winner of before gets the newest clock."""
    entries = list(planned)
    with _writing(target) as session:
        clocks = iter(hlc.tick_many(session, device_id, sum(len(e.restored) or 1 for e in entries), now))
    return [make_revision(entry.entity_type, entry.entity_id, entry.parents, device_id, next(clocks), payload)
            for entry in entries for payload in (entry.restored or (WITHDRAWN,))]


def store(target: Target, revisions: list[Revision], planned: Sequence[EntityWithdrawal] = ()) -> None:
    """Add the withdrawal's revisions (made by ``build(planned)``) to the log (local changes: no
    provenance).  Where a conflict comes back (several contents restored), each restoring
    revision is recorded with the head it restores (``ancestry.stand_ins``)."""
    origins: list[dict[str, str]] = []
    position = 0
    for entry in planned:
        count = len(entry.restored) or 1
        if len(entry.restored) > 1:
            origins.extend({"revision_id": rev.id, "original_id": source} for rev, source in
                           zip(revisions[position:position + count], entry.sources, strict=True))
        position += count
    with _writing(target) as session:
        _add(session, revisions, None)
        if origins:
            connection_of(session).execute(insert(restored_table), origins)
