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
- withdrawing the restoring revisions brings ``S``'s contents back (undo of undo).

The new revisions are ordinary revisions of the local device: they replicate
like any change, and every receiver judges them by its authority rules.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from neascn_desktop.replica import clock as hlc
from neascn_desktop.replica.access import _writing
from neascn_desktop.replica.adding import _add
from neascn_desktop.replica.queries import get_revision, history
from neascn_desktop.replica.revision import Revision, make_revision
from neascn_desktop.replica.values import WITHDRAWN, WITHDRAWN_KEY, is_withdrawn

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
    restored = tuple(dict(rev.payload) for rev in sorted(before_heads, key=lambda r: r.sort_key))
    first = next(iter(graph.values()))
    return EntityWithdrawal(first.entity_id, first.entity_type, parents, restored,
                            tuple(sorted(heads & later)))


def plan(target: Target, revision_ids: Iterable[str]) -> list[EntityWithdrawal]:
    """The withdrawal of stored revisions, one entry per record they touch (ids not stored are
    ignored: a revision still waiting for its parents has changed nothing yet)."""
    by_entity: dict[str, set[str]] = {}
    with _writing(target) as session:
        for rev_id in revision_ids:
            rev = get_revision(session, rev_id)
            if rev is not None:
                by_entity.setdefault(rev.entity_id, set()).add(rev.id)
        found = []
        for entity_id in sorted(by_entity):
            graph = {rev.id: rev for rev in history(session, entity_id)}
            entry = plan_entity(graph, by_entity[entity_id])
            if entry is not None:
                found.append(entry)
        return found


def build(
    target: Target, device_id: str, planned: Iterable[EntityWithdrawal], *, now: Callable[[], int] = hlc.wall_ms
) -> list[Revision]:
    """The revisions that carry out ``planned`` (made, not stored): one per restored content,
    ticked in order so the displayed winner of before gets the newest clock."""
    revisions: list[Revision] = []
    with _writing(target) as session:
        for entry in planned:
            for payload in entry.restored or (WITHDRAWN,):
                clock = hlc.tick(session, device_id, now)
                revisions.append(make_revision(entry.entity_type, entry.entity_id, entry.parents, device_id,
                                               clock, payload))
    return revisions


def store(target: Target, revisions: list[Revision]) -> None:
    """Add the withdrawal's revisions to the log (local changes: no provenance)."""
    with _writing(target) as session:
        _add(session, revisions, None)
