"""Undo: an import, a conflict resolution, or an undo, taken back by new revisions.

Nothing is deleted.  Undoing withdraws revisions (``replica.withdrawal``): new
revisions of this device restore every record they touched to what it would be
without them, replicate like any change (so other devices follow) and are judged
by the authority rules like any change (``authority.check_own_revisions``: what a
receiver would refuse is not made here either).  An edit made later on top of a
withdrawn revision stays beside the restoration as a conflict.  Every undo is
recorded (``sync_undo``, and a row in the audit log) and can itself be undone.

One use case per thing to undo, called by ``neascn package undo``, ``neascn
conflicts undo``, ``neascn undo`` and the GUI (the audit log's "Undo this
import", Edit → Undo after settling a conflict).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update

from neascn_desktop.changes import Changes
from neascn_desktop.i18n import N_, _, ngettext
from neascn_desktop.replica import Revision, withdrawal
from neascn_desktop.replica.tables import revision_table
from neascn_desktop.store.database import Database, connection_of
from neascn_desktop.sync import audit, authority, keystore
from neascn_desktop.sync.errors import PackageStateError
from neascn_desktop.sync.tables import package_table, undo_table

#: What an undo undid (``sync_undo.action``).
PACKAGE, RESOLUTION, UNDO = "package", "resolution", "undo"


@dataclass(frozen=True)
class UndoResult:
    """What one undo did."""

    undo_id: str
    action: str
    subject: str
    revisions: tuple[Revision, ...]
    records: tuple[str, ...]  # entity ids restored
    conflicts: tuple[str, ...]  # entity ids now in conflict (a later edit kept beside)
    message: str

    @property
    def changes(self) -> Changes:
        types = {rev.entity_type for rev in self.revisions}
        return Changes.of_entities(types, self.records, "revision", "conflict", "package", "audit")

    def to_dict(self) -> dict[str, object]:
        return {"undo": self.undo_id, "undid": self.action, "subject": self.subject,
                "revisions": [rev.id for rev in self.revisions], "records": list(self.records),
                "conflicts": list(self.conflicts), "message": self.message}


@dataclass(frozen=True)
class UndoRecord:
    """One row of ``sync_undo``, with whether it is in effect (not undone in its turn)."""

    id: str
    at: datetime
    action: str
    subject: str
    created: tuple[str, ...]
    undone_by: str | None
    active: bool


# --- reading --------------------------------------------------------------------------------


def _records(conn: Connection) -> dict[str, UndoRecord]:
    rows = list(conn.execute(select(undo_table)))
    undone_by = {r.id: r.undone_by for r in rows}

    def active(undo_id: str, depth: int = 0) -> bool:
        # An undo is in effect unless the undo that reversed it is in effect itself.
        by = undone_by.get(undo_id)
        return by is None or depth > 10_000 or not active(by, depth + 1)

    return {r.id: UndoRecord(r.id, r.at, r.action, r.subject, tuple(json.loads(r.created)), r.undone_by,
                             active(r.id)) for r in rows}


def list_undos(db: Database) -> list[UndoRecord]:
    """Every undo, newest first."""
    with db.connect() as conn:
        return sorted(_records(conn).values(), key=lambda r: r.at, reverse=True)


def undone_packages(db: Database) -> set[str]:
    """The ids of the packages whose import is undone now."""
    with db.connect() as conn:
        return {r.subject for r in _records(conn).values() if r.action == PACKAGE and r.active}


def _redone(conn: Connection, action: str, subject: str) -> list[str]:
    """The revisions made by earlier undos of the same import or resolution that were undone in
    their turn (a redo), and by the undos of those undos: they carry the import's contents now,
    so undoing it again withdraws them too (else the redo would stand beside the undo as a
    "later edit", a false conflict)."""
    records = _records(conn)
    undos_of: dict[str, list[UndoRecord]] = {}
    for record in records.values():
        if record.action == UNDO:
            undos_of.setdefault(record.subject, []).append(record)
    stack = [r for r in records.values() if r.action == action and r.subject == subject]
    seen: set[str] = set()
    ids: list[str] = []
    while stack:
        record = stack.pop()
        if record.id in seen:
            continue
        seen.add(record.id)
        ids.extend(record.created)
        stack.extend(undos_of.get(record.id, ()))
    return ids


def _in_effect(conn: Connection, action: str, subject: str) -> UndoRecord | None:
    for record in _records(conn).values():
        if record.action == action and record.subject == subject and record.active:
            return record
    return None


# --- undoing ---------------------------------------------------------------------------------


def _withdraw(db: Database, action: str, subject: str, ids: Sequence[str], message: tuple[str, dict[str, str]],
              *, signer: str | None = None, package_id: str | None = None,
              check: Callable[[Connection], None] | None = None) -> UndoResult:
    profile = keystore.own_profile_or_error(db)
    device_id = profile.device_id
    undo_id = str(uuid.uuid4())
    with db.transaction() as session:
        conn = connection_of(session)
        if check is not None:
            check(conn)
        if action != UNDO:
            ids = [*ids, *_redone(conn, action, subject)]
        planned = withdrawal.plan(session, ids)
        if not planned:
            raise PackageStateError(_("There is nothing to undo: none of its changes is stored here."))
        revisions = withdrawal.build(session, device_id, planned)
        try:
            authority.check_own_revisions(conn, profile.role, device_id, revisions)
        except authority.AuthorityError as exc:
            raise authority.AuthorityError(_("This cannot be undone here: {reason}").format(reason=exc)) from None
        withdrawal.store(session, revisions, planned)
        now = datetime.now(UTC)
        conn.execute(insert(undo_table).values(
            id=undo_id, at=now, action=action, subject=subject, subject_signer=signer, device_id=device_id,
            withdrawn=json.dumps(sorted(ids)), created=json.dumps([r.id for r in revisions])))
        if action == UNDO:
            conn.execute(update(undo_table).where(undo_table.c.id == subject).values(undone_by=undo_id))
        conflicts = tuple(e.entity_id for e in planned if e.conflicting)
        records = tuple(e.entity_id for e in planned)
        counts = {"undo": undo_id, "undid": action, "subject": subject, "records": len(records),
                  "conflicts": len(conflicts), "revisions": len(revisions)}
        template, values = message
        audit.record(session, action="undo", verdict="undone", package_id=package_id, counts=counts,
                     message=audit.event(template, **values))
    return UndoResult(undo_id, action, subject, tuple(revisions), records, conflicts,
                      _(template).format(**values) + " " + _outcome(len(records), len(conflicts)))


def _outcome(records: int, conflicts: int) -> str:
    text = ngettext("{count} record was restored.", "{count} records were restored.", records).format(
        count=records)
    if conflicts:
        text += " " + ngettext(
            "{count} record was edited since and is now in conflict; settle it in the Inbox.",
            "{count} records were edited since and are now in conflict; settle them in the Inbox.",
            conflicts).format(count=conflicts)
    return text


def undo_package(db: Database, package_id: str) -> UndoResult:
    """Undo the import of a package: withdraw every revision that came in it."""
    with db.connect() as conn:
        rows = list(conn.execute(select(package_table.c.sender_fingerprint, package_table.c.sender_name)
                                 .where(package_table.c.package_id == package_id)))
        ids = list(conn.scalars(select(revision_table.c.id).where(revision_table.c.provenance == package_id)))
    if not rows:
        raise PackageStateError(_("No package with the id {id} was imported here.").format(id=package_id))
    if len(rows) > 1:
        # A revision's provenance names the package id only; two signers that used one id cannot
        # be told apart, and undoing both would undo what was not asked.
        raise PackageStateError(_("Two senders used the package id {id}; its import cannot be undone on its own.")
                                .format(id=package_id))

    def check(conn: Connection) -> None:
        done = _in_effect(conn, PACKAGE, package_id)
        if done is not None:
            raise PackageStateError(_("The import of package {id} is undone already; undo that undo ({undo}) to "
                                      "bring it back.").format(id=package_id, undo=done.id))

    # The app's built-in survey and cities are every machine's own, even when a package happened
    # to bring them first (they are installed on first use): never withdrawn.
    builtin = authority.builtin_ids()
    ids = [rev_id for rev_id in ids if rev_id not in builtin]
    if not ids:
        raise PackageStateError(_("Package {id} brought no new revisions; there is nothing to undo.").format(
            id=package_id))
    message = (N_("Undid the import of package {id} from {name}."), {"id": package_id, "name": rows[0].sender_name})
    return _withdraw(db, PACKAGE, package_id, ids, message, signer=rows[0].sender_fingerprint,
                     package_id=package_id, check=check)


def undo_resolution(db: Database, revision_id: str) -> UndoResult:
    """Undo settling a conflict: the versions that were in conflict are in conflict again."""
    profile = keystore.own_profile_or_error(db)
    with db.connect() as conn:
        row = conn.execute(select(revision_table.c.device_id, revision_table.c.parents, revision_table.c.entity_id)
                           .where(revision_table.c.id == revision_id)).first()
    if row is None or row.device_id != profile.device_id or len(json.loads(row.parents)) < 2:
        raise PackageStateError(_("Revision {id} is not a conflict resolution made on this computer.").format(
            id=revision_id))

    def check(conn: Connection) -> None:
        if _in_effect(conn, RESOLUTION, revision_id) is not None:
            raise PackageStateError(_("This conflict resolution is undone already."))

    from neascn_desktop.replica import get_revision
    from neascn_desktop.sync.proposals import record_title

    merge = get_revision(db, revision_id)
    title = record_title(db, merge) if merge is not None else row.entity_id
    message = (N_("Undid the resolution of the conflict in {record}."), {"record": title})
    return _withdraw(db, RESOLUTION, revision_id, [revision_id], message, check=check)


def undo_undo(db: Database, undo_id: str) -> UndoResult:
    """Undo an undo: what it withdrew comes back (and a later edit on top of it is a conflict)."""
    with db.connect() as conn:
        record = _records(conn).get(undo_id)
    if record is None:
        raise PackageStateError(_("There is no undo with the id {id}.").format(id=undo_id))

    def check(conn: Connection) -> None:
        current = _records(conn).get(undo_id)
        if current is None or current.undone_by is not None:
            raise PackageStateError(_("This undo is undone already."))

    message = (N_("Undid the undo {id}."), {"id": undo_id})
    return _withdraw(db, UNDO, undo_id, list(record.created), message,
                     package_id=record.subject if record.action == PACKAGE else None, check=check)


def latest_resolution(db: Database, entity_id: str) -> str:
    """The newest resolution of a conflict in ``entity_id`` made here and not undone."""
    profile = keystore.own_profile_or_error(db)
    with db.connect() as conn:
        undone = {r.subject for r in _records(conn).values() if r.action == RESOLUTION and r.active}
        rows = conn.execute(select(revision_table.c.id, revision_table.c.parents)
                            .where(revision_table.c.entity_id == entity_id,
                                   revision_table.c.device_id == profile.device_id)
                            .order_by(revision_table.c.seq.desc()))
        for rev_id, parents in rows:
            if len(json.loads(parents)) > 1 and rev_id not in undone:
                return str(rev_id)
    raise PackageStateError(_("No conflict in record {id} was resolved on this computer.").format(id=entity_id))
