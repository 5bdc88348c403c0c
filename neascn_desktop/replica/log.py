"""The revision log's use cases: commit, add from elsewhere, read state, conflicts, resolve.

Every function takes either a ``Database`` (it opens its own connection, or its
own write transaction) or the caller's ORM ``Session`` or Core ``Connection``
(it works inside the caller's transaction, so an import can add revisions and
its own records atomically).  The log itself is SQLAlchemy Core only.

This module commits local changes and resolutions, and names the whole log:
adding revisions from elsewhere (``replica.adding``), reading state
(``replica.queries``), ancestry (``replica.ancestry``) and figures
(``replica.figures``) live beside it and are re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from neascn_desktop.i18n import _
from neascn_desktop.replica import clock as hlc
from neascn_desktop.replica.access import (
    _entity_heads_raw,
    _fetch_heads,
    _reading,
    _writing,
)
from neascn_desktop.replica.adding import Provenance, _add, add_revisions
from neascn_desktop.replica.ancestry import common_ancestor, entity_graph, lowest_common_ancestor
from neascn_desktop.replica.errors import ReplicaError
from neascn_desktop.replica.figures import counts, digest, rebuild_materialised
from neascn_desktop.replica.queries import (
    conflicts,
    current,
    get_revision,
    heads,
    history,
    iter_revisions,
    last_seq,
    list_current,
    pending_revisions,
    revision_ids,
    revisions_since,
)
from neascn_desktop.replica.revision import Revision, make_revision
from neascn_desktop.replica.values import AddResult, Conflict, CurrentState
from neascn_desktop.store.database import connection_of

if TYPE_CHECKING:
    from neascn_desktop.replica.access import Target


# --------------------------------------------------------------------------- committing



def entity_heads(target: Target, entity_ids: Iterable[str]) -> dict[str, set[str]]:
    """The head revision ids of each given entity that has any (one query per 500 ids)."""
    heads_of: dict[str, dict[str, tuple[str, str, str]]] = {}
    with _reading(target) as session:
        _fetch_heads(connection_of(session), entity_ids, heads_of, {})
    return {entity_id: set(found) for entity_id, found in heads_of.items()}


def commit(
    target: Target,
    device_id: str,
    entity_type: str,
    entity_id: str,
    payload: Mapping[str, Any],
    *,
    now: Callable[[], int] = hlc.wall_ms,
) -> Revision:
    """Record a local change: a new revision whose parents are all current heads.

    On an entity in conflict this is the merge that resolves the conflict.
    """
    with _writing(target) as session:
        raw = _entity_heads_raw(session, entity_id)
        if raw and raw[0][1] != entity_type:
            raise ReplicaError(
                _("Record {entity} is a {existing}, not a {wanted}.").format(
                    entity=entity_id, existing=raw[0][1], wanted=entity_type
                )
            )
        clock = hlc.tick(session, device_id, now)
        revision = make_revision(
            entity_type, entity_id, [rev_id for rev_id, _t in raw], device_id, clock, payload
        )
        _add(session, [revision], None)
        return revision


def resolve(
    target: Target,
    device_id: str,
    entity_id: str,
    payload: Mapping[str, Any],
    *,
    now: Callable[[], int] = hlc.wall_ms,
) -> Revision:
    """Resolve an entity's conflict with ``payload``: a merge revision whose parents are all heads."""
    with _writing(target) as session:
        raw = _entity_heads_raw(session, entity_id)
        if not raw:
            raise ReplicaError(_("There is no record {entity}.").format(entity=entity_id))
        return commit(session, device_id, raw[0][1], entity_id, payload, now=now)


def resolve_keep(
    target: Target,
    device_id: str,
    entity_id: str,
    keep_revision_id: str,
    *,
    now: Callable[[], int] = hlc.wall_ms,
) -> Revision:
    """Resolve a conflict by keeping the content of one revision of the entity (usually a head)."""
    with _writing(target) as session:
        kept = get_revision(session, keep_revision_id)
        if kept is None or kept.entity_id != entity_id:
            raise ReplicaError(
                _("Revision {id} is not a version of record {entity}.").format(
                    id=keep_revision_id, entity=entity_id
                )
            )
        return resolve(session, device_id, entity_id, kept.payload, now=now)


__all__ = [
    "AddResult", "Conflict", "CurrentState", "Provenance", "add_revisions", "commit",
    "common_ancestor", "conflicts", "counts", "current", "digest", "entity_graph", "entity_heads",
    "get_revision", "heads", "history", "iter_revisions", "last_seq", "list_current",
    "lowest_common_ancestor", "pending_revisions", "rebuild_materialised", "resolve", "resolve_keep",
    "revision_ids", "revisions_since",
]
