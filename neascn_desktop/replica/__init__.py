"""The revision log: content-addressed revisions, hybrid logical clocks, heads,
conflicts and merges — the one replication model shared by surveys, the
framework and sync.

Import the use cases from here (``from neascn_desktop import replica``;
``replica.commit(...)``) or from the modules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neascn_desktop.lazy import lazy_attributes
from neascn_desktop.replica.errors import ReplicaError
from neascn_desktop.replica.revision import Revision, canonical_json, compute_id, make_revision

if TYPE_CHECKING:
    from neascn_desktop.replica.clock import observe, tick
    from neascn_desktop.replica.log import (
        AddResult,
        Conflict,
        CurrentState,
        add_revisions,
        commit,
        common_ancestor,
        conflicts,
        counts,
        current,
        digest,
        entity_graph,
        entity_heads,
        get_revision,
        heads,
        history,
        iter_revisions,
        last_seq,
        list_current,
        lowest_common_ancestor,
        pending_revisions,
        rebuild_materialised,
        resolve,
        resolve_keep,
        revision_ids,
        revisions_since,
    )
    from neascn_desktop.replica.merge import MergeResult, propose_merge, three_way_merge

# The log, the clock and the merges need SQLAlchemy; they are imported on first use so that
# reading a package (``sync.reading``, also in worker processes) does not pay for it.
_HOMES = {
    "observe": "clock",
    "tick": "clock",
    "AddResult": "log",
    "Conflict": "log",
    "CurrentState": "log",
    "add_revisions": "log",
    "commit": "log",
    "common_ancestor": "log",
    "conflicts": "log",
    "counts": "log",
    "current": "log",
    "digest": "log",
    "entity_graph": "log",
    "entity_heads": "log",
    "get_revision": "log",
    "heads": "log",
    "history": "log",
    "iter_revisions": "log",
    "last_seq": "log",
    "list_current": "log",
    "lowest_common_ancestor": "log",
    "pending_revisions": "log",
    "rebuild_materialised": "log",
    "resolve": "log",
    "resolve_keep": "log",
    "revision_ids": "log",
    "revisions_since": "log",
    "MergeResult": "merge",
    "propose_merge": "merge",
    "three_way_merge": "merge",
}


__getattr__ = lazy_attributes(__name__, _HOMES)


__all__ = [
    "AddResult",
    "Conflict",
    "CurrentState",
    "MergeResult",
    "ReplicaError",
    "Revision",
    "add_revisions",
    "canonical_json",
    "commit",
    "common_ancestor",
    "compute_id",
    "conflicts",
    "counts",
    "current",
    "digest",
    "entity_graph",
    "entity_heads",
    "get_revision",
    "heads",
    "history",
    "iter_revisions",
    "last_seq",
    "list_current",
    "lowest_common_ancestor",
    "make_revision",
    "observe",
    "pending_revisions",
    "propose_merge",
    "rebuild_materialised",
    "resolve",
    "resolve_keep",
    "revision_ids",
    "revisions_since",
    "three_way_merge",
    "tick",
]
