"""The revision log's use cases: commit, add from elsewhere, read state, conflicts, resolve.

Every function takes either a ``Database`` (it opens its own connection, or its
own write transaction) or the caller's ORM ``Session`` or Core ``Connection``
(it works inside the caller's transaction, so an import can add revisions and
its own records atomically).  The log itself is SQLAlchemy Core only.

State is kept materialised and incrementally: adding revisions updates the
heads and the current state of exactly the entities they touch, so reading a
current state is one indexed row, never a replay of history. Adding is a set
union (known ids are skipped) and a revision whose parents have not arrived
waits in ``replica_pending`` until they do, so the result never depends on the
order or the duplication of delivery.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import BindParameter, Connection, bindparam, delete, func, insert, select, update

from neascn_desktop.i18n import _
from neascn_desktop.replica import clock as hlc
from neascn_desktop.replica.bulk import BulkStatement, SelectIn
from neascn_desktop.replica.errors import ReplicaError
from neascn_desktop.replica.revision import Revision, make_revision
from neascn_desktop.replica.tables import (
    current_table,
    head_table,
    pending_parent_table,
    pending_table,
    revision_table,
)
from neascn_desktop.store.database import Database, connection_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    #: What the use cases work on (see the module's docstring).
    Target = Database | Session | Connection
    #: What runs statements: an ORM session or a Core connection.
    Executor = Session | Connection

# Stay well below every engine's limit on bound parameters per statement.
_IN_CHUNK = 500


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class AddResult:
    """What ``add_revisions`` did.

    ``added + skipped + pending == number of revisions given``. ``released``
    counts revisions that were waiting from earlier and could be applied now.
    ``entity_ids`` / ``entity_types`` name every entity whose state changed
    (for change notification).
    """

    added: int
    skipped: int
    pending: int
    released: int
    entity_ids: frozenset[str]
    entity_types: frozenset[str]
    added_ids: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.entity_ids)


@dataclass(frozen=True)
class CurrentState:
    """The displayed state of one entity: its single head, or the winner among several."""

    entity_id: str
    entity_type: str
    revision_id: str
    payload: dict[str, Any]
    clock: str
    device_id: str
    heads: int

    @property
    def in_conflict(self) -> bool:
        return self.heads > 1


@dataclass(frozen=True)
class Conflict:
    """An entity with several heads; ``heads`` is sorted winner first."""

    entity_id: str
    entity_type: str
    winner_id: str
    heads: tuple[Revision, ...]


# --------------------------------------------------------------------------- sessions


@contextmanager
def _writing(target: Target) -> Iterator[Executor]:
    if isinstance(target, Database):
        with target.writing() as conn:
            yield conn
    else:
        yield target


@contextmanager
def _reading(target: Target) -> Iterator[Executor]:
    if isinstance(target, Database):
        with target.connect() as conn:
            yield conn
    else:
        yield target


def _chunks(items: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_REVISION_COLUMNS = (
    revision_table.c.id,
    revision_table.c.entity_type,
    revision_table.c.entity_id,
    revision_table.c.parents,
    revision_table.c.device_id,
    revision_table.c.clock,
    revision_table.c.payload,
    revision_table.c.provenance,
)


def _row_to_revision(row: Any) -> Revision:
    revision = Revision(
        id=row.id,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        parents=tuple(json.loads(row.parents)),
        device_id=row.device_id,
        clock=row.clock,
        payload=json.loads(row.payload),
        provenance=row.provenance,
    )
    object.__setattr__(revision, "_payload_json", row.payload)
    return revision


# --------------------------------------------------------------------------- adding


Provenance = str | Mapping[str, str] | None


def add_revisions(
    target: Target, revisions: Iterable[Revision], provenance: Provenance = None
) -> AddResult:
    """Add revisions received from elsewhere (a set union), in one transaction.

    Known ids (stored or already waiting) are skipped; revisions whose parents
    are missing wait and are applied as soon as their parents arrive, in this
    or a later call. ``provenance`` (a package id) is recorded for each new
    revision: one text for all of them, or a mapping from revision id to
    package id (revisions it does not name get none), so one call can add
    the revisions of several packages. Revisions released from waiting keep
    the provenance they arrived with. With a ``Session`` the work happens in
    the caller's transaction: on any error nothing of this batch remains and
    the transaction goes on.
    """
    batch = list(revisions)
    if isinstance(target, Database):
        with target.transaction() as session:
            return _add(session, batch, provenance)
    # No savepoint: every check that can refuse the batch runs before its first write,
    # and a failure while writing is undone statement by statement (``_undo``). A
    # savepoint per call made SQLite copy every page the batch touched into its
    # statement journal first, which cost more than the writes themselves.
    return _add(target, batch, provenance, undo_on_error=True)


_VALUES: BindParameter[str] = bindparam("values", expanding=True)
_SELECT_STORED = SelectIn(
    select(revision_table.c.id, revision_table.c.entity_id, revision_table.c.entity_type).where(
        revision_table.c.id.in_(_VALUES)
    )
)
_SELECT_CURRENT_HEADS = SelectIn(
    select(
        current_table.c.entity_id,
        current_table.c.revision_id,
        current_table.c.entity_type,
        current_table.c.clock,
        current_table.c.device_id,
        current_table.c.heads,
    ).where(current_table.c.entity_id.in_(_VALUES))
)
_SELECT_HEADS = SelectIn(
    select(
        head_table.c.entity_id,
        head_table.c.revision_id,
        head_table.c.entity_type,
        head_table.c.clock,
        head_table.c.device_id,
    ).where(head_table.c.entity_id.in_(_VALUES))
)


def _fetch_stored(conn: Connection, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """id -> (entity_id, entity_type) of the given ids that are stored (applied)."""
    found: dict[str, tuple[str, str]] = {}
    id_list = list(ids)
    for chunk in _chunks(id_list):
        for rev_id, entity_id, entity_type in _SELECT_STORED.run(conn, chunk):
            found[rev_id] = (entity_id, entity_type)
    return found


def _fetch_heads(
    conn: Connection,
    entity_ids: Iterable[str],
    heads_of: dict[str, dict[str, tuple[str, str, str]]],
    type_of: dict[str, str],
) -> None:
    """Add the stored heads of the given entities to ``heads_of`` (entity -> {revision id:
    (clock, device id, revision id)}) and their types to ``type_of``.

    An entity with one head has it in ``replica_current`` only; ``replica_head``
    holds the heads of entities in conflict.
    """
    in_conflict: list[str] = []
    for chunk in _chunks(list(entity_ids)):
        for entity_id, rev_id, entity_type, clock, device_id, count in _SELECT_CURRENT_HEADS.run(
            conn, chunk
        ):
            type_of[entity_id] = entity_type
            if count == 1:
                heads_of[entity_id] = {rev_id: (clock, device_id, rev_id)}
            else:
                in_conflict.append(entity_id)
    for chunk in _chunks(in_conflict):
        for entity_id, rev_id, _type, clock, device_id in _SELECT_HEADS.run(conn, chunk):
            heads_of.setdefault(entity_id, {})[rev_id] = (clock, device_id, rev_id)


_ANY_PENDING = BulkStatement(select(pending_table.c.id).limit(1), (), literal_binds=True)


def _has_pending(conn: Connection) -> bool:
    return _ANY_PENDING.execute(conn).fetchone() is not None


_PENDING_COLUMNS = [pending_table.c[c.name] for c in _REVISION_COLUMNS]
_SELECT_PENDING = SelectIn(select(*_PENDING_COLUMNS).where(pending_table.c.id.in_(_VALUES)))
_SELECT_PENDING_IDS = SelectIn(select(pending_table.c.id).where(pending_table.c.id.in_(_VALUES)))
_SELECT_PENDING_CHILDREN = SelectIn(
    select(pending_parent_table.c.child).where(pending_parent_table.c.parent.in_(_VALUES))
)


def _load_pending(conn: Connection, ids: Iterable[str]) -> dict[str, Revision]:
    result: dict[str, Revision] = {}
    names = [c.name for c in _REVISION_COLUMNS]
    for chunk in _chunks(list(ids)):
        for values in _SELECT_PENDING.run(conn, chunk):
            row = _Row(**dict(zip(names, values, strict=True)))
            result[row.id] = _row_to_revision(row)
    return result


@dataclass(frozen=True)
class _Row:
    """A revision row read through ``SelectIn`` (plain tuples), with the names of a Row."""

    id: str
    entity_type: str
    entity_id: str
    parents: str
    device_id: str
    clock: str
    payload: str
    provenance: str | None


def _load_pending_ids(conn: Connection, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(ids):
        found.update(row[0] for row in _SELECT_PENDING_IDS.run(conn, chunk))
    return found


def _pending_children(conn: Connection, parent_ids: Sequence[str]) -> set[str]:
    children: set[str] = set()
    for chunk in _chunks(parent_ids):
        children.update(row[0] for row in _SELECT_PENDING_CHILDREN.run(conn, chunk))
    return children


def _ready_in_order(
    candidates: Mapping[str, Revision],
    stored: Mapping[str, tuple[str, str]],
    strict: Callable[[str], bool],
    rejected: set[str],
) -> list[Revision]:
    """The candidates whose whole ancestry is present, parents before children (Kahn).

    A parent of another entity (or type) makes a revision malformed: an error
    when ``strict(id)`` (it came in this call), otherwise it is left waiting.
    """
    waiting: dict[str, int] = {}
    children: dict[str, list[str]] = {}
    ordered: list[Revision] = []
    for rev_id, rev in candidates.items():
        missing = 0
        if rev.parents:
            own = (rev.entity_id, rev.entity_type)
            for parent in rev.parents:
                owner = stored.get(parent)
                if owner is None:
                    cand = candidates.get(parent)
                    if cand is not None:
                        owner = (cand.entity_id, cand.entity_type)
                        children.setdefault(parent, []).append(rev_id)
                    missing += 1
                if owner is not None and owner != own:
                    if strict(rev_id):
                        raise ReplicaError(
                            _("Revision {id} names a parent that belongs to another record.").format(
                                id=rev_id
                            )
                        )
                    rejected.add(rev_id)
                    missing += 1_000_000  # never becomes ready
        if missing:
            waiting[rev_id] = missing
        else:
            ordered.append(rev)
    # ``ordered`` is also the queue: children join it once their last parent is in it.
    position = 0
    while children and position < len(ordered):
        for child in children.get(ordered[position].id, ()):
            waiting[child] -= 1
            if waiting[child] == 0:
                ordered.append(candidates[child])
        position += 1
    return ordered


def _provenance_lookup(provenance: Provenance) -> Callable[[str], str | None]:
    if provenance is None or isinstance(provenance, str):
        return lambda _rev_id: provenance
    return provenance.get


def _add(
    session: Executor, batch: list[Revision], provenance: Provenance, undo_on_error: bool = False
) -> AddResult:
    conn = connection_of(session)
    incoming: dict[str, Revision] = {}
    skipped = 0
    for rev in batch:
        if not isinstance(rev, Revision):
            raise ReplicaError(_("Only revisions can be added to the revision log."))
        if rev.id in incoming:
            skipped += 1
        else:
            incoming[rev.id] = rev
    if not incoming:
        return AddResult(0, skipped, 0, 0, frozenset(), frozenset())

    # The heads of the touched entities answer most "is it stored?" questions without
    # touching the id index: every parent of a stored revision has a stored child, so a
    # revision with a parent that is still a head is new, and so is every revision of an
    # entity without heads, and so is a child of a revision known to be new. Only the
    # rest (a root of a known entity, a sibling that arrives after its twin, a parent
    # that is not a head) is looked up by id.
    heads_of: dict[str, dict[str, tuple[str, str, str]]] = {}
    type_of: dict[str, str] = {}
    fetched = {rev.entity_id for rev in incoming.values()}
    _fetch_heads(conn, fetched, heads_of, type_of)
    stored: dict[str, tuple[str, str]] = {}
    for entity_id, entity_heads in heads_of.items():
        owner = (entity_id, type_of[entity_id])
        for rev_id in entity_heads:
            stored[rev_id] = owner
    lookup: set[str] = set()
    new_for_sure: set[str] = set()
    for rev_id, rev in incoming.items():
        if rev_id in stored:
            continue
        known_heads = heads_of.get(rev.entity_id)
        if known_heads is None:
            new_for_sure.add(rev_id)
        else:
            for parent in rev.parents:
                if parent in known_heads or parent in new_for_sure:
                    new_for_sure.add(rev_id)
                    break
            else:
                lookup.add(rev_id)
        for parent in rev.parents:
            if parent not in stored and parent not in incoming:
                lookup.add(parent)
    if lookup:
        stored.update(_fetch_stored(conn, lookup))
    for rev_id in [i for i in incoming if i in stored]:
        del incoming[rev_id]
        skipped += 1
    pending_exists = _has_pending(conn)
    if pending_exists and incoming:
        for rev_id in _load_pending_ids(conn, list(incoming)):
            del incoming[rev_id]
            skipped += 1
    if not incoming:
        return AddResult(0, skipped, 0, 0, frozenset(), frozenset())

    to_apply: list[Revision] = []
    released: dict[str, Revision] = {}
    rejected: set[str] = set()
    candidates: dict[str, Revision] = dict(incoming)
    while candidates:
        ready = _ready_in_order(candidates, stored, incoming.__contains__, rejected)
        for rev in ready:
            stored[rev.id] = (rev.entity_id, rev.entity_type)
            del candidates[rev.id]
        to_apply.extend(ready)
        if not ready or not pending_exists:
            break
        woken_ids = _pending_children(conn, [r.id for r in ready]) - released.keys() - rejected
        if not woken_ids:
            break
        woken = _load_pending(conn, woken_ids)
        unknown_parents = {
            p
            for rev in woken.values()
            for p in rev.parents
            if p not in stored and p not in candidates and p not in woken
        }
        stored.update(_fetch_stored(conn, unknown_parents))
        released.update(woken)
        candidates.update(woken)
    # Whatever is left from this call waits for its parents; whatever was
    # woken from the pending table but is still blocked simply stays there.
    new_pending = [rev for rev_id, rev in candidates.items() if rev_id in incoming]
    applied_released = [rev.id for rev in to_apply if rev.id in released]

    provenance_of = _provenance_lookup(provenance)
    # Everything that can refuse the batch is decided before the first write.
    plan = _plan_materialise(conn, to_apply, heads_of, type_of, fetched) if to_apply else None
    newest = max((rev.clock for rev in (*to_apply, *new_pending)), default=None)
    floor_before = hlc.observed_floor(conn) if undo_on_error and newest is not None else None
    try:
        if to_apply:
            _INSERT_REVISION.run(conn, _revision_rows(to_apply, provenance, released))
        if plan is not None:
            plan.write(conn)
        if applied_released:
            _delete_pending(conn, applied_released)
        if new_pending:
            _insert_pending(conn, new_pending, provenance_of)
        if newest is not None:
            hlc.observe_floor(conn, newest)
    except BaseException:
        if undo_on_error:
            _undo(
                conn, to_apply, plan,
                [released[rev_id] for rev_id in applied_released], new_pending, floor_before,
            )
        raise

    added_ids = tuple(rev.id for rev in to_apply if rev.id in incoming)
    return AddResult(
        added=len(added_ids),
        skipped=skipped,
        pending=len(new_pending),
        released=len(applied_released),
        entity_ids=frozenset(rev.entity_id for rev in to_apply),
        entity_types=frozenset(rev.entity_type for rev in to_apply),
        added_ids=added_ids,
    )


def _revision_rows(
    revisions: list[Revision], provenance: Provenance, released: Mapping[str, Revision]
) -> list[tuple[Any, ...]]:
    """``replica_revision`` rows (in ``_REVISION_KEYS`` order); released revisions keep
    the provenance they arrived with."""
    if isinstance(provenance, Mapping):
        get = provenance.get
        rows = [
            (
                rev.id, rev.entity_type, rev.entity_id, rev.device_id, rev.clock,
                '["' + '","'.join(rev.parents) + '"]' if rev.parents else "[]",
                rev.payload_json, get(rev.id),
            )
            for rev in revisions
        ]
    else:
        rows = [
            (
                rev.id, rev.entity_type, rev.entity_id, rev.device_id, rev.clock,
                '["' + '","'.join(rev.parents) + '"]' if rev.parents else "[]",  # _parents_json
                rev.payload_json, provenance,
            )
            for rev in revisions
        ]
    if released:
        rows = [
            row if row[0] not in released else (*row[:7], released[row[0]].provenance)
            for row in rows
        ]
    return rows


def _parents_json(parents: tuple[str, ...]) -> str:
    # ids are lowercase hex, so this is exactly canonical_json(list(parents))
    return '["' + '","'.join(parents) + '"]' if parents else "[]"


_REVISION_KEYS = (
    "id", "entity_type", "entity_id", "device_id", "clock", "parents", "payload", "provenance",
)
_INSERT_REVISION = BulkStatement(insert(revision_table), _REVISION_KEYS, insert=True)
_INSERT_PENDING = BulkStatement(insert(pending_table), _REVISION_KEYS, insert=True)
_INSERT_PENDING_PARENT = BulkStatement(
    insert(pending_parent_table), ("child", "parent"), insert=True
)
_DELETE_PENDING_PARENTS = BulkStatement(
    delete(pending_parent_table).where(pending_parent_table.c.child == bindparam("b_id")),
    ("b_id",),
)
_DELETE_PENDING = BulkStatement(
    delete(pending_table).where(pending_table.c.id == bindparam("b_id")), ("b_id",)
)
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


def _insert_pending(
    conn: Connection, revisions: list[Revision], provenance_of: Callable[[str], str | None]
) -> None:
    _INSERT_PENDING.run(
        conn,
        [
            (
                rev.id,
                rev.entity_type,
                rev.entity_id,
                rev.device_id,
                rev.clock,
                _parents_json(rev.parents),
                rev.payload_json,
                provenance_of(rev.id),
            )
            for rev in revisions
        ],
    )
    _INSERT_PENDING_PARENT.run(conn, [(rev.id, p) for rev in revisions for p in rev.parents])


def _delete_pending(conn: Connection, ids: Sequence[str]) -> None:
    rows = [(rev_id,) for rev_id in ids]
    _DELETE_PENDING_PARENTS.run(conn, rows)
    _DELETE_PENDING.run(conn, rows)


_NO_HEADS: dict[str, tuple[str, str, str]] = {}


@dataclass
class _MaterialisePlan:
    """The head and current-state rows one batch changes (see ``_plan_materialise``)."""

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


def _plan_materialise(
    conn: Connection,
    applied: list[Revision],
    old_heads: dict[str, dict[str, tuple[str, str, str]]] | None = None,
    old_type: dict[str, str] | None = None,
    fetched: set[str] | None = None,
) -> _MaterialisePlan:
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

    plan = _MaterialisePlan([], [], [], [], [], [])
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


def _materialise(conn: Connection, applied: list[Revision]) -> None:
    """Bring ``replica_head`` and ``replica_current`` up to date for the touched entities."""
    _plan_materialise(conn, applied).write(conn)


_DELETE_REVISION = BulkStatement(
    delete(revision_table).where(revision_table.c.id == bindparam("b_id")), ("b_id",)
)
_DELETE_CURRENT = BulkStatement(
    delete(current_table).where(current_table.c.entity_id == bindparam("b_entity")),
    ("b_entity",),
)


def _undo(
    conn: Connection,
    applied: list[Revision],
    plan: _MaterialisePlan | None,
    released: list[Revision],
    new_pending: list[Revision],
    floor_before: str | None,
) -> None:
    """Take back whatever part of a batch's writes happened, in reverse order.

    Every step removes its rows before (re)inserting the old ones, so it is
    right whichever statement the failure interrupted.
    """
    if floor_before is not None:
        hlc.set_observed_floor(conn, floor_before)
    if new_pending:
        _delete_pending(conn, [rev.id for rev in new_pending])
    if released:
        _delete_pending(conn, [rev.id for rev in released])
        kept = {rev.id: rev.provenance for rev in released}
        _insert_pending(conn, released, kept.__getitem__)
    if plan is not None:
        _DELETE_CURRENT.run(conn, [(row[0],) for row in plan.inserts])
        _UPDATE_CURRENT.run(conn, plan.old_current)
        _DELETE_HEAD.run(conn, [(e, r) for e, r, *_rest in plan.new_heads])
        _DELETE_HEAD.run(conn, [(e, r) for e, r, *_rest in plan.removed_heads])
        _INSERT_HEAD.run(conn, plan.removed_heads)
    _DELETE_REVISION.run(conn, [(rev.id,) for rev in applied])


# --------------------------------------------------------------------------- committing


def _entity_heads_raw(session: Executor, entity_id: str) -> list[tuple[str, str]]:
    """``(head revision id, entity type)`` of an entity's heads."""
    row = session.execute(
        select(current_table.c.revision_id, current_table.c.entity_type, current_table.c.heads)
        .where(current_table.c.entity_id == entity_id)
    ).first()
    if row is None:
        return []
    if row.heads == 1:
        return [(row.revision_id, row.entity_type)]
    return [
        (rev_id, entity_type)
        for rev_id, entity_type in session.execute(
            select(head_table.c.revision_id, head_table.c.entity_type).where(
                head_table.c.entity_id == entity_id
            )
        )
    ]


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


# --------------------------------------------------------------------------- reading


_CURRENT_COLUMNS = (
    current_table.c.entity_id,
    current_table.c.entity_type,
    current_table.c.revision_id,
    revision_table.c.payload,
    current_table.c.clock,
    current_table.c.device_id,
    current_table.c.heads,
)


def _current_query() -> Any:
    return select(*_CURRENT_COLUMNS).join(
        revision_table, revision_table.c.id == current_table.c.revision_id
    )


def _current_from_row(row: Any) -> CurrentState:
    return CurrentState(
        entity_id=row.entity_id,
        entity_type=row.entity_type,
        revision_id=row.revision_id,
        payload=json.loads(row.payload),
        clock=row.clock,
        device_id=row.device_id,
        heads=row.heads,
    )


def current(target: Target, entity_type: str, entity_id: str) -> CurrentState | None:
    """The displayed state of one entity (``None`` if unknown or of another type)."""
    with _reading(target) as session:
        row = session.execute(
            _current_query().where(
                current_table.c.entity_id == entity_id, current_table.c.entity_type == entity_type
            )
        ).first()
        return _current_from_row(row) if row is not None else None


def list_current(target: Target, entity_type: str) -> list[CurrentState]:
    """The displayed state of every entity of a type, ordered by entity id."""
    with _reading(target) as session:
        rows = session.execute(
            _current_query()
            .where(current_table.c.entity_type == entity_type)
            .order_by(current_table.c.entity_id)
        )
        return [_current_from_row(row) for row in rows]


def get_revision(target: Target, revision_id: str) -> Revision | None:
    """A stored (applied) revision by id, with its provenance; ``None`` if not stored."""
    with _reading(target) as session:
        row = session.execute(
            select(*_REVISION_COLUMNS).where(revision_table.c.id == revision_id)
        ).first()
        return _row_to_revision(row) if row is not None else None


def _revisions_by_ids(session: Executor, ids: Sequence[str]) -> list[Revision]:
    out: list[Revision] = []
    for chunk in _chunks(ids):
        out.extend(
            _row_to_revision(row)
            for row in session.execute(
                select(*_REVISION_COLUMNS).where(revision_table.c.id.in_(chunk))
            )
        )
    return out


def heads(target: Target, entity_id: str) -> list[Revision]:
    """The heads of an entity, the displayed winner first (highest clock, then device id)."""
    with _reading(target) as session:
        ids = [rev_id for rev_id, _t in _entity_heads_raw(session, entity_id)]
        revs = _revisions_by_ids(session, ids)
        return sorted(revs, key=lambda r: r.sort_key, reverse=True)


def history(target: Target, entity_id: str) -> list[Revision]:
    """Every stored revision of an entity, in local arrival order (parents before children)."""
    with _reading(target) as session:
        rows = session.execute(
            select(*_REVISION_COLUMNS)
            .where(revision_table.c.entity_id == entity_id)
            .order_by(revision_table.c.seq)
        )
        return [_row_to_revision(row) for row in rows]


def conflicts(target: Target, entity_type: str | None = None) -> list[Conflict]:
    """Entities with more than one head, ordered by entity type and id (one query)."""
    with _reading(target) as session:
        query = (
            select(current_table.c.revision_id.label("winner_id"), *_REVISION_COLUMNS)
            .select_from(current_table)
            .join(head_table, head_table.c.entity_id == current_table.c.entity_id)
            .join(revision_table, revision_table.c.id == head_table.c.revision_id)
            .where(current_table.c.heads > 1)
        )
        if entity_type is not None:
            query = query.where(current_table.c.entity_type == entity_type)
        grouped: dict[tuple[str, str], tuple[str, list[Revision]]] = {}
        for row in session.execute(query):
            revision = _row_to_revision(row)
            key = (revision.entity_type, revision.entity_id)
            grouped.setdefault(key, (row.winner_id, []))[1].append(revision)
        return [
            Conflict(
                entity_id=entity_id,
                entity_type=etype,
                winner_id=winner_id,
                heads=tuple(sorted(revs, key=lambda r: r.sort_key, reverse=True)),
            )
            for (etype, entity_id), (winner_id, revs) in sorted(grouped.items())
        ]


def pending_revisions(target: Target) -> list[Revision]:
    """Revisions that arrived before their parents and are waiting for them."""
    with _reading(target) as session:
        cols = [pending_table.c[c.name] for c in _REVISION_COLUMNS]
        rows = session.execute(select(*cols).order_by(pending_table.c.id))
        return [_row_to_revision(row) for row in rows]


def iter_revisions(
    target: Target,
    entity_types: Iterable[str] | None = None,
    *,
    after_seq: int = 0,
    include_pending: bool = False,
    chunk_size: int = 1000,
) -> Iterator[Revision]:
    """Stored revisions in local arrival order (parents before children), lazily.

    ``entity_types`` limits the types; ``after_seq`` skips what an earlier
    export already covered (see ``last_seq``). ``include_pending`` appends the
    revisions still waiting for parents (a receiver may hold those parents).
    """
    types = list(entity_types) if entity_types is not None else None
    with _reading(target) as session:
        last = after_seq
        while True:
            query = (
                select(revision_table.c.seq, *_REVISION_COLUMNS)
                .where(revision_table.c.seq > last)
                .order_by(revision_table.c.seq)
                .limit(chunk_size)
            )
            if types is not None:
                query = query.where(revision_table.c.entity_type.in_(types))
            rows = list(session.execute(query))
            if not rows:
                break
            for row in rows:
                yield _row_to_revision(row)
            last = rows[-1].seq
        if include_pending:
            for rev in pending_revisions(session):
                if types is None or rev.entity_type in types:
                    yield rev


def revisions_since(
    target: Target, known_ids: Iterable[str], entity_types: Iterable[str] | None = None
) -> Iterator[Revision]:
    """The stored revisions (parents first) whose ids are not in ``known_ids``:
    what a receiver that holds ``known_ids`` may lack."""
    known = set(known_ids)
    for rev in iter_revisions(target, entity_types, include_pending=True):
        if rev.id not in known:
            yield rev


def revision_ids(target: Target) -> set[str]:
    """The ids of every stored revision (applied or waiting)."""
    with _reading(target) as session:
        ids = set(session.execute(select(revision_table.c.id)).scalars())
        ids.update(session.execute(select(pending_table.c.id)).scalars())
        return ids


def last_seq(target: Target) -> int:
    """The local sequence number of the newest stored revision (0 when empty)."""
    with _reading(target) as session:
        return int(session.execute(select(func.max(revision_table.c.seq))).scalar() or 0)


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


# --------------------------------------------------------------------------- figures


def digest(target: Target) -> str:
    """SHA-256 over the sorted revision ids and every entity's sorted heads.

    Two databases holding the same revisions have the same digest, whatever
    order they arrived in. The empty database digests to ``sha256(b"")``.
    """
    with _reading(target) as session:
        hasher = hashlib.sha256()
        ids = sorted(session.execute(select(revision_table.c.id)).scalars())
        for rev_id in ids:
            hasher.update(b"r" + rev_id.encode("ascii") + b"\n")
        # every entity's heads: the single head in replica_current, or the rows of replica_head
        head_rows = sorted(
            [
                (entity_id, rev_id)
                for query in (
                    select(current_table.c.entity_id, current_table.c.revision_id).where(
                        current_table.c.heads == 1
                    ),
                    select(head_table.c.entity_id, head_table.c.revision_id),
                )
                for entity_id, rev_id in session.execute(query)
            ]
        )
        for entity_id, rev_id in head_rows:
            hasher.update(b"h" + entity_id.encode("utf-8") + b":" + rev_id.encode("ascii") + b"\n")
        for rev_id in sorted(session.execute(select(pending_table.c.id)).scalars()):
            hasher.update(b"p" + rev_id.encode("ascii") + b"\n")
        return hasher.hexdigest()


def counts(target: Target) -> dict[str, Any]:
    """``revisions``, ``pending``, ``entities`` (by type) and ``conflicts``."""
    with _reading(target) as session:
        revisions = session.execute(select(func.count()).select_from(revision_table)).scalar()
        pending = session.execute(select(func.count()).select_from(pending_table)).scalar()
        by_type = {
            entity_type: int(n)
            for entity_type, n in session.execute(
                select(current_table.c.entity_type, func.count())
                .group_by(current_table.c.entity_type)
                .order_by(current_table.c.entity_type)
            )
        }
        in_conflict = session.execute(
            select(func.count()).select_from(current_table).where(current_table.c.heads > 1)
        ).scalar()
        return {
            "revisions": int(revisions or 0),
            "pending": int(pending or 0),
            "entities": by_type,
            "conflicts": int(in_conflict or 0),
        }


def rebuild_materialised(target: Target) -> None:
    """Recompute every head and current state from the revisions (a repair tool; slow)."""
    with _writing(target) as session:
        session.execute(delete(current_table))
        session.execute(delete(head_table))
        rows = list(session.execute(select(*_REVISION_COLUMNS).order_by(revision_table.c.seq)))
        applied = [_row_to_revision(row) for row in rows]
        for chunk in _chunks(applied, 5000):
            _materialise(connection_of(session), list(chunk))
