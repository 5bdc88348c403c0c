"""Adding revisions: a set union, kept materialised incrementally, undone as a whole on failure.

Known ids are skipped, and a revision whose parents have not arrived waits in
``replica_pending`` until they do, so the result never depends on the order or
the duplication of delivery.  Adding updates the heads and the current state of
exactly the entities the batch touches, so reading a current state is one
indexed row, never a replay of history (``replica.materialise`` plans and writes those rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, delete, insert, select

from neascn_desktop.i18n import _
from neascn_desktop.replica import clock as hlc
from neascn_desktop.replica.access import (
    _REVISION_COLUMNS,
    _VALUES,
    _chunks,
    _fetch_heads,
    _fetch_stored,
    _row_to_revision,
)
from neascn_desktop.replica.bulk import BulkStatement, SelectIn
from neascn_desktop.replica.errors import ReplicaError
from neascn_desktop.replica.materialise import MaterialisePlan, plan_materialise
from neascn_desktop.replica.revision import Revision
from neascn_desktop.replica.tables import (
    pending_parent_table,
    pending_table,
    revision_table,
)
from neascn_desktop.replica.values import AddResult
from neascn_desktop.store.database import Database, connection_of

if TYPE_CHECKING:
    from neascn_desktop.replica.access import Executor, Target


# --------------------------------------------------------------------------- adding


Provenance = str | Mapping[str, str] | None


#: Asked about each revision woken from waiting before it is released: ``False`` drops it
#: from ``replica_pending`` instead (see ``add_revisions``).
MayRelease = Callable[[Revision], bool]


def add_revisions(
    target: Target,
    revisions: Iterable[Revision],
    provenance: Provenance = None,
    may_release: MayRelease | None = None,
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

    ``may_release``: asked about each waiting revision whose parents have now
    arrived, before it is released.  A revision it refuses is dropped from the
    waiting table (its waiting descendants then never become ready); the sync
    layer judges there, with what is known now, what was judged on arrival
    when its record was not known yet.
    """
    batch = list(revisions)
    if isinstance(target, Database):
        with target.transaction() as session:
            return _add(session, batch, provenance, may_release=may_release)
    # No savepoint: every check that can refuse the batch runs before its first write,
    # and a failure while writing is undone statement by statement (``_undo``). A
    # savepoint per call made SQLite copy every page the batch touched into its
    # statement journal first, which cost more than the writes themselves.
    return _add(target, batch, provenance, undo_on_error=True, may_release=may_release)


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
    session: Executor,
    batch: list[Revision],
    provenance: Provenance,
    undo_on_error: bool = False,
    may_release: MayRelease | None = None,
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
    dropped: dict[str, Revision] = {}  # woken, refused by ``may_release``
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
        if may_release is not None:
            for rev_id, rev in list(woken.items()):
                if not may_release(rev):
                    dropped[rev_id] = rev
                    rejected.add(rev_id)
                    del woken[rev_id]
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
    # Dropped revisions leave the waiting table with the released ones (and come back with
    # them if the writes fail).
    leaving = [*applied_released, *dropped]
    released.update(dropped)

    provenance_of = _provenance_lookup(provenance)
    # Everything that can refuse the batch is decided before the first write.
    plan = plan_materialise(conn, to_apply, heads_of, type_of, fetched) if to_apply else None
    newest = max((rev.clock for rev in (*to_apply, *new_pending)), default=None)
    floor_before = hlc.observed_floor(conn) if undo_on_error and newest is not None else None
    try:
        if to_apply:
            _INSERT_REVISION.run(conn, _revision_rows(to_apply, provenance, released))
        if plan is not None:
            plan.write(conn)
        if leaving:
            _delete_pending(conn, leaving)
        if new_pending:
            _insert_pending(conn, new_pending, provenance_of)
        if newest is not None:
            hlc.observe_floor(conn, newest)
    except BaseException:
        if undo_on_error:
            _undo(
                conn, to_apply, plan,
                [released[rev_id] for rev_id in leaving], new_pending, floor_before,
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


_DELETE_REVISION = BulkStatement(
    delete(revision_table).where(revision_table.c.id == bindparam("b_id")), ("b_id",)
)


def _undo(
    conn: Connection,
    applied: list[Revision],
    plan: MaterialisePlan | None,
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
        plan.undo(conn)
    _DELETE_REVISION.run(conn, [(rev.id,) for rev in applied])
