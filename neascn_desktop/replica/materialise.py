"""Materialising the log: ``replica_head`` and ``replica_current`` kept in step with each batch.

Adding a batch (``replica.adding``) plans here, before anything is written, what
the heads and the current state of every touched entity become (a type clash
refuses the batch at this point), then writes the plan, and undoes it if a later
step of the batch fails. Rebuilding from the whole log (``figures``) uses the same
plan, chunk by chunk.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, insert, update

from neascn_desktop.i18n import _
from neascn_desktop.replica.access import _fetch_heads
from neascn_desktop.replica.bulk import BulkStatement
from neascn_desktop.replica.errors import ReplicaError
from neascn_desktop.replica.revision import Revision
from neascn_desktop.replica.tables import current_table, head_table

_HEAD_KEYS = ("entity_id", "revision_id", "entity_type", "clock", "device_id")
_INSERT_HEAD = BulkStatement(insert(head_table), _HEAD_KEYS, insert=True)
_DELETE_HEAD = BulkStatement(
    delete(head_table).where(
        head_table.c.entity_id == bindparam("b_entity"),
        head_table.c.revision_id == bindparam("b_rev"),
    ),
    ("b_entity", "b_rev"),
)
_CURRENT_KEYS = ("entity_id", "entity_type", "revision_id", "clock", "device_id", "heads")
_INSERT_CURRENT = BulkStatement(insert(current_table), _CURRENT_KEYS, insert=True)
# Keys in the order of the compiled SQL (SET, then WHERE), so rows go to the driver as they are.
_UPDATE_CURRENT = BulkStatement(
    update(current_table)
    .where(current_table.c.entity_id == bindparam("b_entity"))
    .values(
        revision_id=bindparam("b_rev"),
        clock=bindparam("b_clock"),
        device_id=bindparam("b_device"),
        heads=bindparam("b_heads"),
    ),
    ("b_rev", "b_clock", "b_device", "b_heads", "b_entity"),
)
# The usual case (one head before, one after): ``heads`` is not set, so SQLite leaves the
# partial conflicts index alone.
_UPDATE_CURRENT_WINNER = BulkStatement(
    update(current_table)
    .where(current_table.c.entity_id == bindparam("b_entity"))
    .values(
        revision_id=bindparam("b_rev"),
        clock=bindparam("b_clock"),
        device_id=bindparam("b_device"),
    ),
    ("b_rev", "b_clock", "b_device", "b_entity"),
)
_DELETE_CURRENT = BulkStatement(
    delete(current_table).where(current_table.c.entity_id == bindparam("b_entity")),
    ("b_entity",),
)


_NO_HEADS: dict[str, tuple[str, str, str]] = {}


@dataclass
class MaterialisePlan:
    """The head and current-state rows one batch changes (see ``plan_materialise``)."""

    removed_heads: list[tuple[str, str, str, str, str]]  # the old rows, for an undo
    new_heads: list[tuple[str, str, str, str, str]]
    updates: list[tuple[str, str, str, int, str]]
    same_count: list[tuple[str, str, str, str]]
    inserts: list[tuple[str, str, str, str, str, int]]
    old_current: list[tuple[str, str, str, int, str]]  # what ``updates``/``same_count`` replace

    def write(self, conn: Connection) -> None:
        _DELETE_HEAD.run(conn, [(e, r) for e, r, *_rest in self.removed_heads])
        _INSERT_HEAD.run(conn, self.new_heads)
        _UPDATE_CURRENT.run(conn, self.updates)
        _UPDATE_CURRENT_WINNER.run(conn, self.same_count)
        _INSERT_CURRENT.run(conn, self.inserts)

    def undo(self, conn: Connection) -> None:
        """Take back what ``write`` did (or the part of it that happened before a failure)."""
        _DELETE_CURRENT.run(conn, [(row[0],) for row in self.inserts])
        _UPDATE_CURRENT.run(conn, self.old_current)
        _DELETE_HEAD.run(conn, [(e, r) for e, r, *_rest in self.new_heads])
        _DELETE_HEAD.run(conn, [(e, r) for e, r, *_rest in self.removed_heads])
        _INSERT_HEAD.run(conn, self.removed_heads)


def plan_materialise(
    conn: Connection,
    applied: list[Revision],
    old_heads: dict[str, dict[str, tuple[str, str, str]]] | None = None,
    old_type: dict[str, str] | None = None,
    fetched: set[str] | None = None,
) -> MaterialisePlan:
    """What brings ``replica_head`` and ``replica_current`` up to date for the touched
    entities; raises ``ReplicaError`` (before anything is written) for a type clash.

    A revision is only applied once all its parents are stored, so it has no
    stored children yet: the new heads are the old heads plus the applied
    revisions, minus every parent of an applied revision. ``old_heads`` /
    ``old_type`` may already hold the heads of the entities in ``fetched``
    (see ``_fetch_heads``); the others are read here.
    """
    by_entity: dict[str, list[Revision]] = defaultdict(list)
    for rev in applied:
        by_entity[rev.entity_id].append(rev)
    if old_heads is None or old_type is None:
        old_heads, old_type, fetched = {}, {}, set()
    missing = [entity_id for entity_id in by_entity if entity_id not in (fetched or ())]
    if missing:
        _fetch_heads(conn, missing, old_heads, old_type)

    plan = MaterialisePlan([], [], [], [], [], [])
    removed_heads, new_heads = plan.removed_heads, plan.new_heads
    inserts_append = plan.inserts.append
    same_count_append = plan.same_count.append
    old_current_append = plan.old_current.append
    for entity_id, revs in by_entity.items():
        entity_type = old_type.get(entity_id)
        known = entity_type is not None
        if entity_type is None:
            entity_type = revs[0].entity_type
        for rev in revs:
            # Parents were checked to share the type; this catches a new root
            # (or two roots in one batch) claiming an existing id for another type.
            if rev.entity_type != entity_type:
                raise ReplicaError(
                    _("Revision {id} gives record {entity} another type.").format(
                        id=rev.id, entity=entity_id
                    )
                )
        before = old_heads.get(entity_id, _NO_HEADS)
        if len(revs) == 1:
            # The usual case, one revision of the entity in the batch: the same as the
            # general case below, unrolled (it runs once per revision of an import).
            rev = revs[0]
            rev_id, clock, device_id = rev.id, rev.clock, rev.device_id
            if not before:
                inserts_append((entity_id, entity_type, rev_id, clock, device_id, 1))
                continue
            parents = rev.parents
            winner = (clock, device_id, rev_id)
            count = 1
            old_best = ("", "", "")
            for value in before.values():
                if value > old_best:
                    old_best = value
                if value[2] not in parents:
                    count += 1
                    if value > winner:
                        winner = value
            if count > 1 or len(before) > 1:
                # a conflict begins, goes on or ends: the head rows change
                _head_rows_change(
                    entity_id, entity_type, before,
                    {**{k: v for k, v in before.items() if k not in parents},
                     rev_id: (clock, device_id, rev_id)},
                    removed_heads, new_heads,
                )
            if count == len(before):
                same_count_append((winner[2], winner[0], winner[1], entity_id))
            else:
                plan.updates.append((winner[2], winner[0], winner[1], count, entity_id))
            old_current_append((old_best[2], old_best[0], old_best[1], len(before), entity_id))
            continue
        else:
            heads_now = dict(before)
            fresh: dict[str, Revision] = {}
            for rev in revs:
                heads_now[rev.id] = (rev.clock, rev.device_id, rev.id)
                fresh[rev.id] = rev
            for rev in revs:
                for parent in rev.parents:
                    heads_now.pop(parent, None)
                    fresh.pop(parent, None)
        _head_rows_change(entity_id, entity_type, before, heads_now, removed_heads, new_heads)
        clock, device_id, winner_id = max(heads_now.values())
        if known:
            if len(heads_now) == len(before):
                plan.same_count.append((winner_id, clock, device_id, entity_id))
            else:
                plan.updates.append((winner_id, clock, device_id, len(heads_now), entity_id))
            old_clock, old_device, old_winner = max(before.values())
            plan.old_current.append((old_winner, old_clock, old_device, len(before), entity_id))
        else:
            plan.inserts.append(
                (entity_id, entity_type, winner_id, clock, device_id, len(heads_now))
            )
    return plan


def _head_rows_change(
    entity_id: str,
    entity_type: str,
    before: Mapping[str, tuple[str, str, str]],
    after: Mapping[str, tuple[str, str, str]],
    removed: list[tuple[str, str, str, str, str]],
    added: list[tuple[str, str, str, str, str]],
) -> None:
    """The ``replica_head`` rows to delete and insert when an entity's heads go from
    ``before`` to ``after`` (rows exist only while an entity has more than one head)."""
    rows_before = before if len(before) > 1 else _NO_HEADS
    rows_after = after if len(after) > 1 else _NO_HEADS
    for rev_id, (clock, device_id, _id) in rows_before.items():
        if rev_id not in rows_after:
            removed.append((entity_id, rev_id, entity_type, clock, device_id))
    for rev_id, (clock, device_id, _id) in rows_after.items():
        if rev_id not in rows_before:
            added.append((entity_id, rev_id, entity_type, clock, device_id))


def materialise(conn: Connection, applied: list[Revision]) -> None:
    """Bring ``replica_head`` and ``replica_current`` up to date for the touched entities."""
    plan_materialise(conn, applied).write(conn)
