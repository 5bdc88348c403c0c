"""Exporting packages: choose the revisions of a kind, send what the receiver may lack, sign, encrypt.

A package for a known recipient (one it is encrypted for) leaves out what that
device certainly has: revisions it authored, revisions that arrived here in
packages it sent, and revisions already exported to it.  A package for nobody
in particular, or with ``full=True``, carries everything of its kind.  To a
trusted secretariat, this device's own revisions are different: sent is not
received, so they go again in every export until a deployment from the
secretariat acknowledges them (``sync.receipts``).  A
responses package always carries the definitions of the survey versions its
submissions answered (unless the recipient has them) when the sender is the
secretariat or the version is built in; any other device carries only what it
made itself within its role (see ``sync.authority``): a receiver refuses a
package carrying anything else it does not have yet.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from neascn_desktop import __version__
from neascn_desktop.changes import Changes
from neascn_desktop.demo.marks import demo_ids
from neascn_desktop.i18n import _, ngettext
from neascn_desktop.identity.checks import key_bytes, usable_encryption_key
from neascn_desktop.identity.keys import load_device_keys
from neascn_desktop.identity.profile import Profile
from neascn_desktop.identity.trust import KeyCard, current_secretariat, read_keycard
from neascn_desktop.replica import Revision, iter_revisions
from neascn_desktop.store.database import Database
from neascn_desktop.sync import audit, authority, crypto, keystore, payload, receipts
from neascn_desktop.sync.container import KINDS, AttachmentSource, Manifest, Sender, write_package
from neascn_desktop.sync.errors import PackageError
from neascn_desktop.sync.models import ExportedRevisionRow, ExportRow, PackageRow

ANYONE = ""  # recipient key of exports that are not for one device
#: Revisions are read from the log this many at a time (an export holds no more of them at once).
CHUNK = 200
#: The page cache while an export scans the log (SQLite), and what it is set back to.
SCAN_CACHE_KIB = 4096
ROWS_PER_STATEMENT = 2000
DEFAULT_CACHE_SIZE = -65536


@dataclass(frozen=True)
class Recipient:
    device_id: str
    display_name: str
    encryption_public_key: str

    @property
    def key_fingerprint(self) -> str:
        return crypto.encryption_key_fingerprint(self.encryption_public_key)

    @classmethod
    def from_card(cls, card: KeyCard) -> Recipient:
        return cls(card.device_id, card.display_name, card.encryption_public_key)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    package_id: str
    kind: str
    revisions: int
    attachments: int
    recipient: Recipient | None
    missing_attachments: tuple[str, ...] = ()
    by_type: dict[str, int] = field(default_factory=dict)
    changes: Changes = field(default_factory=Changes)
    #: own revisions sent before that the secretariat has not acknowledged yet, sent again
    resent: int = 0

    @property
    def resent_note(self) -> str:
        """One sentence about ``resent`` for both front ends ("" when nothing was re-sent)."""
        if not self.resent:
            return ""
        return ngettext("{count} revision was sent before but not yet received by the secretariat; "
                        "it is sent again.",
                        "{count} revisions were sent before but not yet received by the secretariat; "
                        "they are sent again.", self.resent).format(count=self.resent)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "resent": self.resent,
            "package_id": self.package_id,
            "kind": self.kind,
            "revisions": self.revisions,
            "attachments": self.attachments,
            "by_type": dict(sorted(self.by_type.items())),
            "encrypted_for": None if self.recipient is None else {
                "device_id": self.recipient.device_id, "name": self.recipient.display_name,
                "key_fingerprint": self.recipient.key_fingerprint},
            "missing_attachments": list(self.missing_attachments),
        }


def trusted_secretariat(db: Database) -> Recipient | None:
    """The secretariat this device encrypts its responses for: ``identity.trust.current_secretariat``
    decides (the export dialog names the same one)."""
    device = current_secretariat(db)
    return Recipient(device.device_id, device.display_name, device.encryption_public_key) if device else None


def recipient_from_keyfile(path: Path) -> Recipient:
    return Recipient.from_card(read_keycard(Path(path)))


def _known_to(db: Database, recipient_id: str) -> tuple[set[str], set[str]]:
    """(revision ids exported to the recipient, package ids the recipient sent us)."""
    with db.session() as session:
        exported = set(session.scalars(select(ExportedRevisionRow.revision_id).where(
            ExportedRevisionRow.recipient_device_id == recipient_id)))
        sent = select(PackageRow.package_id).where(PackageRow.sender_device_id == recipient_id)
        packages = set(session.scalars(sent))
        # A provenance names a package id only: an id another sender reused is not taken as
        # the recipient's (sending a revision it has is harmless; withholding one is not).
        packages -= set(session.scalars(select(PackageRow.package_id).where(
            PackageRow.package_id.in_(sent), PackageRow.sender_device_id != recipient_id)))
    return exported, packages


@dataclass(frozen=True, slots=True)
class _Chosen:
    """What the export keeps of a revision it sends: never its payload (see ``_Selection``)."""

    id: str
    entity_type: str
    entity_id: str
    device_id: str


@dataclass
class _Selection:
    """The revisions an export sends, without their payloads: the payload is written by a second
    pass over the log (``_payload_lines``), so memory stays flat as the log grows."""

    kind: str
    chosen: dict[str, _Chosen]
    attachments: set[str]  # the attachment hashes the chosen revisions refer to
    recipient_has: set[str]  # attachment hashes the recipient has already

    def revision_sources(self, db: Connection) -> Iterator[Iterator[Revision]]:
        """The log in the order the payload lists it (a responses package: definitions first)."""
        types = payload.KIND_TYPES[self.kind]
        if self.kind == "responses":
            yield iter_revisions(db, ["survey_definition"], include_pending=True, chunk_size=CHUNK)
        yield iter_revisions(db, sorted(_main_types(self.kind, types)), include_pending=True, chunk_size=CHUNK)


def _main_types(kind: str, types: frozenset[str]) -> set[str]:
    return {"responses": {"submission", "city"}}.get(kind, set(types))


@contextmanager
def _scanning(db: Database) -> Iterator[Connection]:
    """One connection for both passes over the log (one snapshot), with a small page cache: a
    scan reads every page once, and the importer's 64 MiB cache would only fill with them."""
    with db.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql(f"PRAGMA cache_size = -{SCAN_CACHE_KIB}")
        try:
            yield conn
        finally:
            if sqlite:
                conn.rollback()
                conn.exec_driver_sql(f"PRAGMA cache_size = {DEFAULT_CACHE_SIZE}")


def _select_revisions(db: Database, conn: Connection, kind: str, recipient: Recipient | None,
                      full: bool, profile: Profile) -> _Selection:
    """The revisions to send and the attachment hashes the recipient has already (read through
    ``conn``; ``db`` for the bookkeeping of earlier exports)."""
    own_device_id = profile.device_id
    types = payload.KIND_TYPES[kind]
    main_types = _main_types(kind, types)
    exported: set[str] = set()
    from_recipient: set[str] = set()
    if recipient is not None and not full:
        exported, from_recipient = _known_to(db, recipient.device_id)
    # Own revisions to a secretariat: known to it only once it acknowledged them.
    received: set[str] | None = None
    if recipient is not None and not full:
        if receipts.expects_acknowledgement(conn, recipient.device_id):
            received = receipts.acknowledged_ids(conn, by=recipient.device_id)

    def lacks(rev: Revision) -> bool:
        if recipient is None or full:
            return True
        if received is not None and rev.device_id == own_device_id:
            return rev.id not in received
        return not (rev.id in exported or rev.device_id == recipient.device_id
                    or (rev.provenance is not None and rev.provenance in from_recipient))

    demo = demo_ids(db)  # demo data loaded into this profile stays here
    chosen: dict[str, _Chosen] = {}
    attachments: set[str] = set()
    has_attachments: set[str] = set()

    def choose(rev: Revision) -> None:
        chosen[rev.id] = _Chosen(rev.id, sys.intern(rev.entity_type), rev.entity_id, sys.intern(rev.device_id))
        attachments.update(payload.attachment_refs(rev))

    wanted: set[str] = set()
    batch: list[Revision] = []

    def keep(revisions: list[Revision]) -> None:
        # Leave out what no receiver would accept from this device (judged a chunk at a time:
        # each revision is judged on its own against the database).
        for rev in authority.sendable(conn, profile.role, own_device_id, revisions):
            choose(rev)
        revisions.clear()

    for rev in iter_revisions(conn, sorted(main_types), include_pending=True, chunk_size=CHUNK):
        if lacks(rev):
            # A responses package carries the definitions its responses answered (see the module).
            if kind == "responses" and (ref := payload.definition_ref(rev)):
                wanted.add(ref)
            if rev.entity_id in demo:
                continue
            batch.append(rev)
            if len(batch) >= CHUNK:
                keep(batch)
        else:
            # It holds this revision, so it holds the files the revision refers to.
            has_attachments |= payload.attachment_refs(rev)
    keep(batch)
    if wanted:
        definitions = [r for r in iter_revisions(conn, ["survey_definition"], include_pending=True)
                       if r.entity_id in wanted and r.entity_id not in demo and lacks(r)]
        for rev in authority.sendable(conn, profile.role, own_device_id, definitions):
            choose(rev)
    return _Selection(kind, chosen, attachments, has_attachments)


def _payload_lines(db: Connection, selection: _Selection, written: list[_Chosen]) -> Iterator[bytes]:
    """The payload, one JSON line per chosen revision, read again from the log in order; what
    was written is appended to ``written``."""
    remaining = dict(selection.chosen)
    for source in selection.revision_sources(db):
        for rev in source:
            light = remaining.pop(rev.id, None)
            if light is not None:
                written.append(light)
                yield payload.encode_line(rev)


def export_package(
    db: Database,
    kind: str,
    target: Path,
    *,
    recipient: Recipient | None = None,
    auto_recipient: bool = True,
    full: bool = False,
    progress: Callable[..., None] | None = None,
) -> ExportResult:
    """Write a package of ``kind`` to ``target``.

    ``recipient`` encrypts for that device; without one, a responses package from
    a device that trusts a secretariat is encrypted for it (``auto_recipient``).
    """
    if kind not in KINDS:
        raise PackageError(_("Unknown package kind {kind}; choose one of: {choices}.").format(
            kind=kind, choices=", ".join(KINDS)))
    profile: Profile = keystore.own_profile_or_error(db)
    if kind == "deployment" and profile.role != "secretariat":
        raise PackageError(_("Only the secretariat exports deployment packages."))
    if recipient is None and auto_recipient and kind == "responses" and profile.role != "secretariat":
        recipient = trusted_secretariat(db)
    if recipient is not None and recipient.device_id == profile.device_id:
        raise PackageError(_("A package cannot be encrypted for this device itself."))
    if recipient is not None and not usable_encryption_key(key_bytes(recipient.encryption_public_key) or b""):
        # Trusted before key cards were checked strictly (an older database): a sentence, not a crash.
        raise PackageError(_("{source} has an unusable encryption key.").format(source=recipient.display_name))
    if progress:
        progress(0, 0, _("Collecting revisions…"))
    from neascn_desktop.surveys import service as surveys

    if kind in ("deployment", "all"):
        surveys.ensure_builtin(db)  # the built-in survey and cities are part of every deployment
    if kind in ("responses", "all"):
        surveys.save_all(db, profile)  # an export is a save point: cut revisions from working copies
    if kind in ("framework", "all"):
        from neascn_desktop.framework import service as framework

        framework.cut_all_revisions(db, profile)  # drafts typed but not yet cut travel too
    # Both passes over the log (choosing, then writing the payload) read one snapshot.
    with _scanning(db) as scan:
        selection = _select_revisions(db, scan, kind, recipient, full, profile)
        hashes = selection.attachments - selection.recipient_has
        folder = db.attachments_dir()
        sources = [AttachmentSource(sha, folder / sha) for sha in sorted(hashes)
                   if len(sha) == 64 and (folder / sha).is_file()]
        missing = tuple(sorted(hashes - {s.sha256 for s in sources}))
        by_type: dict[str, int] = {}
        for light in selection.chosen.values():
            by_type[light.entity_type] = by_type.get(light.entity_type, 0) + 1
        count = len(selection.chosen)
        revisions: list[_Chosen] = []  # what the payload holds, in its order (filled as it is written)
        keys = load_device_keys(db.data_dir)
        optional_fields = receipts.manifest_fields(scan, kind, profile.device_id, profile.role)
        package_id = str(uuid.uuid4())
        sender = Sender(profile.device_id, profile.display_name, profile.organisation, profile.role,
                        profile.signing_public_key, keys.encryption_public_b64)
        envelope = None
        recipient_doc = None
        if recipient is not None:
            envelope = crypto.seal_envelope(package_id, profile.signing_public_key, recipient.encryption_public_key)
            recipient_doc = {"device_id": recipient.device_id, "display_name": recipient.display_name}
        if progress:
            progress(0, 0, _("Writing {file}…").format(file=Path(target).name))
        try:
            manifest: Manifest = write_package(
                Path(target), package_id=package_id, kind=kind,
                created_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                app_version=__version__, sender=sender, signing_key=keys.signing,
                payload=_payload_lines(scan, selection, revisions), attachments=sources, envelope=envelope,
                recipient=recipient_doc, counts={"revisions": count, "attachments": len(sources)},
                optional_fields=optional_fields,
            )
        except OSError as exc:
            raise PackageError(_("Cannot write {path}: {reason}").format(
                path=target, reason=exc.strerror or exc)) from exc
    if len(revisions) != count:  # the log changed between the two passes (another import)
        Path(target).unlink(missing_ok=True)
        raise PackageError(_("The data changed while {file} was being written; export again.").format(
            file=Path(target).name))
    recipient_key = recipient.device_id if recipient is not None else ANYONE
    with db.transaction() as session:
        session.add(ExportRow(package_id=package_id, kind=kind, recipient_device_id=recipient_key or None,
                              file_name=str(target)[:400], created_at=datetime.now(UTC),
                              revisions=len(revisions), full=full))
        known = set(session.scalars(select(ExportedRevisionRow.revision_id).where(
            ExportedRevisionRow.recipient_device_id == recipient_key)))
        resent = sum(1 for r in revisions if r.id in known and r.device_id == profile.device_id)
        new_ids = [r.id for r in revisions if r.id not in known]
        for start in range(0, len(new_ids), ROWS_PER_STATEMENT):  # a few rows' worth of memory at a time
            session.execute(insert(ExportedRevisionRow), [
                {"recipient_device_id": recipient_key, "revision_id": rev_id, "package_id": package_id}
                for rev_id in new_ids[start:start + ROWS_PER_STATEMENT]])
        submissions = [(r.entity_id, r.id) for r in revisions if r.entity_type == "submission"]
        for start in range(0, len(submissions), ROWS_PER_STATEMENT):
            surveys.mark_sent(session, submissions[start:start + ROWS_PER_STATEMENT], package_id)
        audit.record(session, action="export", verdict="exported", manifest=manifest,
                     file_name=Path(target).name,
                     counts={"revisions": len(revisions), "attachments": len(sources), **by_type},
                     message=_("Encrypted for {name}.").format(name=recipient.display_name)
                     if recipient else "")
    return ExportResult(Path(target), package_id, kind, len(revisions), len(sources), recipient, missing,
                        by_type, Changes(frozenset({"package", "response"} if submissions else {"package"}),
                                         frozenset(r.entity_id for r in revisions)),
                        0 if full else resent)


def exported_entity_ids(db: Database, entity_type: str = "submission") -> set[str]:
    """Entities of a type whose current revision was included in some exported package ("sent")."""
    from neascn_desktop.replica.tables import current_table

    with db.session() as session:
        rows = session.execute(
            select(current_table.c.entity_id)
            .join(ExportedRevisionRow, ExportedRevisionRow.revision_id == current_table.c.revision_id)
            .where(current_table.c.entity_type == entity_type)
            .distinct()
        )
        return {r[0] for r in rows}

