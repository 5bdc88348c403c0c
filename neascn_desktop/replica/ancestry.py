"""Ancestry within one entity's revisions: the graph merges walk, and common ancestors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from neascn_desktop.i18n import _
from neascn_desktop.replica.access import _reading
from neascn_desktop.replica.errors import ReplicaError
from neascn_desktop.replica.queries import get_revision, history
from neascn_desktop.replica.revision import Revision
from neascn_desktop.replica.tables import restored_table

if TYPE_CHECKING:
    from neascn_desktop.replica.access import Target


# --------------------------------------------------------------------------- ancestry


def entity_graph(target: Target, entity_id: str) -> dict[str, Revision]:
    """Every stored revision of one entity by id (the DAG that merges walk)."""
    return {rev.id: rev for rev in history(target, entity_id)}


def _ancestors(graph: Mapping[str, Revision], start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        rev = graph.get(stack.pop())
        if rev is None:
            continue
        for parent in rev.parents:
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def common_ancestor(graph: Mapping[str, Revision], revision_ids: Sequence[str]) -> Revision | None:
    """The best common ancestor (inclusive) of several revisions of one entity.

    Among the common ancestors that are not ancestors of another common
    ancestor, the newest (clock, device, id) is taken, so the choice is the
    same on every machine. ``None`` if they share no ancestor.
    """
    if not revision_ids:
        return None
    common = _ancestors(graph, revision_ids[0])
    for rev_id in revision_ids[1:]:
        common &= _ancestors(graph, rev_id)
    common = {rev_id for rev_id in common if rev_id in graph}
    if not common:
        return None
    dominated: set[str] = set()
    for rev_id in common:
        dominated |= _ancestors(graph, rev_id) - {rev_id}
    best = [graph[rev_id] for rev_id in common - dominated]
    return max(best, key=lambda r: r.sort_key)


def lowest_common_ancestor(target: Target, a_id: str, b_id: str) -> Revision | None:
    """The lowest common ancestor of two revisions of the same entity (``None`` if none)."""
    with _reading(target) as session:
        a = get_revision(session, a_id)
        b = get_revision(session, b_id)
        if a is None or b is None:
            raise ReplicaError(_("Unknown revision."))
        if a.entity_id != b.entity_id:
            return None
        return common_ancestor(entity_graph(session, a.entity_id), [a_id, b_id])


def stand_ins(target: Target, revision_ids: Sequence[str]) -> list[str]:
    """The revisions to compare instead of the given heads: a head that restores another (a
    conflict brought back by ``replica.withdrawal``) stands for the head it restores, so the
    versions are merged against their own common ancestor, not against the withdrawn merge."""
    result = list(revision_ids)
    with _reading(target) as session:
        for _round in range(100):  # a restoration of a restoration ...
            found = dict(session.execute(select(restored_table.c.revision_id, restored_table.c.original_id)
                                         .where(restored_table.c.revision_id.in_(result))).all())
            if not found:
                break
            result = [found.get(rev_id, rev_id) for rev_id in result]
    return result
