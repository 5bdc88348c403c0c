"""The revision log: content-addressed revisions, hybrid logical clocks, heads,
conflicts and merges — the one replication model shared by surveys, the
framework and sync.

Import the use cases from here (``from neascn_desktop import replica``;
``replica.commit(...)``) or from the modules.
"""

from neascn_desktop.replica.clock import observe, tick
from neascn_desktop.replica.errors import ReplicaError
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
from neascn_desktop.replica.revision import Revision, canonical_json, compute_id, make_revision

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
