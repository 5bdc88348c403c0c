"""Importing packages: verify → preview → apply in one transaction → audit.

``import_packages`` is the one use case behind ``neascn package import`` and
the Inbox workspace.  Per file: the container is verified completely (see
``container.open_package``); a package already applied is a no-op that says
so; a package that cannot be decrypted here or whose payload is malformed is
refused; a package from a sender that is not trusted (or revoked, or with a
changed key) is copied to ``<data dir>/inbox/`` and waits; anything else is
previewed and applied — revisions, provenance, package record, audit row and
the trust changes of a deployment — in one transaction.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from neascn_desktop.changes import Changes
from neascn_desktop.i18n import _, ngettext
from neascn_desktop.identity.models import TrustedDeviceRow
from neascn_desktop.replica import Revision, add_revisions
from neascn_desktop.replica.tables import current_table, head_table, pending_table, revision_table
from neascn_desktop.store.database import Database
from neascn_desktop.sync import audit, keystore, payload
from neascn_desktop.sync.container import (
    DEFAULT_LIMITS,
    SUFFIX,
    Limits,
    Manifest,
    PackageReader,
    open_package,
)
from neascn_desktop.sync.errors import PackageDamagedError, PackageError, PackageStateError
from neascn_desktop.sync.tables import InboxRow, PackageRow
from neascn_desktop.sync.verify import (
    APPLICABLE,
    FIRST_USE,
    TRUSTED,
    PackageVerdict,
    TrustBook,
    error_type,
    verdict_from_manifest,
)

Progress = Callable[..., None]
Cancel = Callable[[], bool]

INBOX_DIR = "inbox"

#: Entity types of the revision log -> the GUI's change nouns.
CHANGE_NOUNS = {
    "submission": "response",
    "survey_definition": "survey",
    "city": "city",
    "framework_section": "section",
    "framework_comment": "comment",
}

# Outcome statuses.
APPLIED = "applied"
ALREADY = "already_imported"
WAITING = "waiting"
REFUSED = "refused"
WOULD_APPLY = "would_apply"


@dataclass(frozen=True)
class TypeCounts:
    """Entities of one type in a package: new here, updated, ending in conflict, unchanged."""

    new: int = 0
    updated: int = 0
    conflicting: int = 0
    unchanged: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"new": self.new, "updated": self.updated, "conflicting": self.conflicting,
                "unchanged": self.unchanged}


@dataclass(frozen=True)
class PackagePreview:
    by_type: dict[str, TypeCounts]
    revisions: int
    new_revisions: int
    attachments: int
    missing_attachments: tuple[str, ...] = ()
    missing_definitions: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "by_type": {t: c.to_dict() for t, c in sorted(self.by_type.items())},
            "revisions": self.revisions,
            "new_revisions": self.new_revisions,
            "attachments": self.attachments,
            "missing_attachments": list(self.missing_attachments),
            "missing_definitions": list(self.missing_definitions),
        }


@dataclass(frozen=True)
class PackageOutcome:
    path: Path
    status: str
    message: str
    verdict: PackageVerdict
    preview: PackagePreview | None = None
    added: int = 0
    pending: int = 0
    skipped: int = 0
    changes: Changes = field(default_factory=Changes)

    @property
    def ok(self) -> bool:
        return self.status in (APPLIED, ALREADY, WOULD_APPLY)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": str(self.path),
            "status": self.status,
            "message": self.message,
            "package_id": self.verdict.package_id,
            "kind": self.verdict.kind,
            "sender": self.verdict.to_dict()["sender"],
            "trust": self.verdict.trust,
            "preview": self.preview.to_dict() if self.preview else None,
            "added": self.added,
            "pending": self.pending,
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class ImportReport:
    outcomes: tuple[PackageOutcome, ...]
    cancelled: bool = False
    dry_run: bool = False

    @property
    def changes(self) -> Changes:
        result = Changes()
        for outcome in self.outcomes:
            result = result | outcome.changes
        return result

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def exit_code(self) -> int:
        """0 when everything given was applied (or already present), 1 otherwise."""
        return 0 if not self.cancelled and all(o.ok for o in self.outcomes) else 1

    @property
    def summary(self) -> str:
        parts = [
            ngettext("{count} package applied", "{count} packages applied", self.count(APPLIED)).format(
                count=self.count(APPLIED)),
            ngettext("{count} already imported", "{count} already imported", self.count(ALREADY)).format(
                count=self.count(ALREADY)),
            ngettext("{count} waiting in the inbox", "{count} waiting in the inbox", self.count(WAITING)).format(
                count=self.count(WAITING)),
            ngettext("{count} refused", "{count} refused", self.count(REFUSED)).format(
                count=self.count(REFUSED)),
        ]
        if self.dry_run:
            parts.insert(0, ngettext("{count} package would be applied", "{count} packages would be applied",
                                     self.count(WOULD_APPLY)).format(count=self.count(WOULD_APPLY)))
        text = "; ".join(parts) + "."
        if self.cancelled:
            text += " " + _("The import was cancelled; the remaining files were not read.")
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "cancelled": self.cancelled,
            "applied": self.count(APPLIED),
            "already_imported": self.count(ALREADY),
            "waiting": self.count(WAITING),
            "refused": self.count(REFUSED),
            "would_apply": self.count(WOULD_APPLY),
            "packages": [o.to_dict() for o in self.outcomes],
        }


# --- finding files ------------------------------------------------------------------------------

def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the ``.neascn`` files directly inside any folder given (sorted)."""
    result: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            result.extend(sorted(
                p for p in path.iterdir() if p.suffix.lower() == SUFFIX and p.is_file()
            ))
        else:
            result.append(path)
    return result


# --- preview ------------------------------------------------------------------------------------

def _chunks(items: Sequence[str], size: int = 500) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def compute_preview(session: Session, revisions: list[Revision], attachment_hashes: set[str],
                    attachments_dir: Path) -> tuple[PackagePreview, list[Revision]]:
    """Classify the entities a package touches, against the current database state."""
    ids = [r.id for r in revisions]
    known: set[str] = set()
    for chunk in _chunks(ids):
        known.update(session.execute(select(revision_table.c.id).where(revision_table.c.id.in_(chunk))).scalars())
        known.update(session.execute(select(pending_table.c.id).where(pending_table.c.id.in_(chunk))).scalars())
    new = [r for r in revisions if r.id not in known]
    by_entity: dict[str, list[Revision]] = defaultdict(list)
    for rev in new:
        by_entity[rev.entity_id].append(rev)
    entity_type: dict[str, str] = {r.entity_id: r.entity_type for r in revisions}
    heads: dict[str, set[str]] = defaultdict(set)
    entity_ids = list(by_entity)
    for chunk in _chunks(entity_ids):
        for entity_id, rev_id in session.execute(
            select(head_table.c.entity_id, head_table.c.revision_id).where(head_table.c.entity_id.in_(chunk))
        ):
            heads[entity_id].add(rev_id)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"new": 0, "updated": 0, "conflicting": 0,
                                                              "unchanged": 0})
    for entity_id, revs in by_entity.items():
        kind = counts[entity_type[entity_id]]
        if entity_id not in heads:
            after = {r.id for r in revs} - {p for r in revs for p in r.parents}
            kind["conflicting" if len(after) > 1 else "new"] += 1
            continue
        after = (heads[entity_id] | {r.id for r in revs}) - {p for r in revs for p in r.parents}
        kind["conflicting" if len(after) > 1 else "updated"] += 1
    for entity_id in set(entity_type) - set(by_entity):
        counts[entity_type[entity_id]]["unchanged"] += 1
    referenced: set[str] = set()
    definitions: set[str] = set()
    for rev in new:
        referenced |= payload.attachment_refs(rev)
        ref = payload.definition_ref(rev)
        if ref:
            definitions.add(ref)
    missing_attachments = sorted(
        sha for sha in referenced - attachment_hashes
        if not (len(sha) == 64 and (attachments_dir / sha).is_file())
    )
    carried = {r.entity_id for r in revisions if r.entity_type == "survey_definition"}
    missing_definitions: list[str] = []
    wanted = sorted(definitions - carried)
    for chunk in _chunks(wanted):
        present = set(session.execute(
            select(current_table.c.entity_id).where(current_table.c.entity_id.in_(chunk))).scalars())
        missing_definitions.extend(d for d in chunk if d not in present)
    preview = PackagePreview(
        by_type={t: TypeCounts(**c) for t, c in counts.items()},
        revisions=len(revisions),
        new_revisions=len(new),
        attachments=len(attachment_hashes),
        missing_attachments=tuple(missing_attachments),
        missing_definitions=tuple(missing_definitions),
    )
    return preview, new


# --- one package ---------------------------------------------------------------------------------

class _Run:
    """What stays the same across the packages of one import."""

    def __init__(self, db: Database, limits: Limits) -> None:
        self.db = db
        self.limits = limits
        self.book = TrustBook(db)
        self.keys = keystore.private_key_lookup(db)

    def refresh_trust(self) -> None:
        self.book = TrustBook(self.db)


def _refused(path: Path, exc: PackageError, verdict: PackageVerdict | None = None) -> PackageOutcome:
    verdict = verdict or PackageVerdict(path=path, error=str(exc), error_type=error_type(exc))
    return PackageOutcome(path=path, status=REFUSED, message=str(exc), verdict=verdict)


def _decode(reader: PackageReader, key: bytes | None) -> list[Revision]:
    manifest = reader.manifest
    return payload.decode(reader.payload(key), manifest.kind, reader.path.name)


def _attachment_hashes(reader: PackageReader, key: bytes | None) -> set[str]:
    # The stored names hash the (possibly encrypted) bytes; the plaintext hashes
    # are only known after decryption, which happens when they are written.
    if key is None:
        return {m.sha256 for m in reader.manifest.attachment_members}
    return {sha for sha, _data in reader.attachments(key)}


def _stage_attachments(reader: PackageReader, key: bytes | None, folder: Path) -> list[tuple[Path, Path]]:
    """Decrypt and write attachments to temporary files (renamed into place after the commit)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for sha, data in reader.attachments(key):
            final = folder / sha
            if final.exists():
                continue
            tmp = folder / f".{sha}.{uuid.uuid4().hex}.part"
            with open(tmp, "xb") as handle:
                handle.write(data)
            staged.append((tmp, final))
    except BaseException:
        for tmp, _final in staged:
            tmp.unlink(missing_ok=True)
        raise
    return staged


def _changes_for(revisions: Iterable[Revision], extra: Iterable[str] = ()) -> Changes:
    types = {CHANGE_NOUNS.get(r.entity_type, r.entity_type) for r in revisions}
    ids = {r.entity_id for r in revisions}
    return Changes(frozenset(types | {"package", "revision", "conflict", *extra}), frozenset(ids))


def _trust_sender(session: Session, manifest: Manifest) -> None:
    """Trust the sender of a manifest inside the caller's transaction (as ``trust add`` would)."""
    sender = manifest.sender
    row = session.get(TrustedDeviceRow, sender.device_id)
    if row is None:
        row = TrustedDeviceRow(device_id=sender.device_id)
        session.add(row)
    row.display_name = sender.display_name
    row.organisation = sender.organisation
    row.role = sender.role
    row.signing_public_key = sender.signing_public_key
    row.encryption_public_key = sender.encryption_public_key
    row.fingerprint = sender.fingerprint
    row.trusted_at = datetime.now(UTC)
    row.revoked_at = None


def _roll_encryption_key(session: Session, manifest: Manifest) -> bool:
    """A deployment carries the secretariat's current encryption key: adopt it unless an
    already applied deployment from the same sender is newer (packages may arrive out of order)."""
    row = session.get(TrustedDeviceRow, manifest.sender.device_id)
    if row is None or row.encryption_public_key == manifest.sender.encryption_public_key:
        return False
    newest = session.scalar(
        select(func.max(PackageRow.created_at)).where(
            PackageRow.sender_device_id == manifest.sender.device_id, PackageRow.kind == "deployment"
        )
    )
    if newest is not None and _as_time(newest) > _as_time(manifest.created_at):
        return False
    row.encryption_public_key = manifest.sender.encryption_public_key
    return True


def _as_time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _apply(run: _Run, reader: PackageReader, key: bytes | None, revisions: list[Revision],
           verdict: PackageVerdict, *, from_inbox: bool = False) -> PackageOutcome:
    manifest = reader.manifest
    db = run.db
    folder = db.attachments_dir()
    staged = _stage_attachments(reader, key, folder)
    try:
        plain_hashes = {final.name for _tmp, final in staged} | _attachment_hashes_plain(reader, key, staged)
        with db.transaction() as session:
            existing = session.get(PackageRow, manifest.package_id)
            if existing is not None:
                return PackageOutcome(reader.path, ALREADY, _already_message(reader.path), verdict)
            preview, new = compute_preview(session, revisions, plain_hashes, folder)
            result = add_revisions(session, revisions, provenance=manifest.package_id)
            trusted_now = verdict.trust == FIRST_USE
            if trusted_now:
                _trust_sender(session, manifest)
            rolled = False
            if manifest.kind == "deployment" and verdict.trust in (TRUSTED, FIRST_USE):
                session.flush()
                rolled = _roll_encryption_key(session, manifest)
            counts = {"revisions": len(revisions), "added": result.added, "skipped": result.skipped,
                      "pending": result.pending, **{f"{t}": c.to_dict() for t, c in preview.by_type.items()}}
            session.add(PackageRow(
                package_id=manifest.package_id, kind=manifest.kind,
                sender_device_id=manifest.sender.device_id, sender_name=manifest.sender.display_name,
                sender_fingerprint=manifest.sender.fingerprint, created_at=manifest.created_at,
                manifest_sha256=manifest.digest, file_sha256=reader.sha256,
                imported_at=datetime.now(UTC), counts=json.dumps(counts, sort_keys=True)))
            inbox_row = session.get(InboxRow, manifest.package_id)
            if inbox_row is not None:
                inbox_row.status = "applied"
                inbox_row.decided_at = datetime.now(UTC)
            notes = []
            if trusted_now:
                notes.append(_("The sender was trusted on first use."))
            if rolled:
                notes.append(_("The sender's new encryption key was adopted."))
            if preview.missing_attachments:
                notes.append(ngettext("{count} attachment is missing.", "{count} attachments are missing.",
                                      len(preview.missing_attachments)).format(
                                          count=len(preview.missing_attachments)))
            if preview.missing_definitions:
                notes.append(_("Survey versions not present here: {ids}.").format(
                    ids=", ".join(preview.missing_definitions)))
            audit.record(session, action="import", verdict=APPLIED, manifest=manifest,
                         file_name=reader.path.name, counts=counts, message=" ".join(notes))
        for tmp, final in staged:
            os.replace(tmp, final)
        staged = []
    finally:
        for tmp, _final in staged:
            tmp.unlink(missing_ok=True)
    if trusted_now or rolled:
        run.refresh_trust()
    message = _("Applied: {added} new revisions from {name} ({kind}).").format(
        added=result.added, name=manifest.sender.display_name, kind=manifest.kind)
    if notes:
        message += " " + " ".join(notes)
    extra = {"trusted_device"} if (trusted_now or rolled) else set()
    if from_inbox:
        extra.add("inbox")
    return PackageOutcome(reader.path, APPLIED, message, verdict, preview, result.added, result.pending,
                          result.skipped, _changes_for(revisions, extra))


def _attachment_hashes_plain(reader: PackageReader, key: bytes | None,
                             staged: list[tuple[Path, Path]]) -> set[str]:
    if key is None:
        return {m.sha256 for m in reader.manifest.attachment_members}
    # Encrypted: attachments already present locally were skipped while staging;
    # they are present, so the preview need not know them.
    return {final.name for _tmp, final in staged}


def _already_message(path: Path) -> str:
    return _("{file} was imported before; nothing changed.").format(file=path.name)


def _hold(run: _Run, reader: PackageReader, verdict: PackageVerdict) -> PackageOutcome:
    """Copy the package into the inbox, where it waits for the secretariat's decision."""
    manifest = reader.manifest
    db = run.db
    folder = db.data_dir / INBOX_DIR
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{manifest.package_id}{SUFFIX}"
    name = manifest.sender.display_name
    with db.transaction() as session:
        row = session.get(InboxRow, manifest.package_id)
        if row is not None and row.status == "rejected":
            message = _("{file} was rejected earlier; it was not applied.").format(file=reader.path.name)
            return PackageOutcome(reader.path, REFUSED, message, verdict)
        if row is not None and row.status == "waiting":
            message = _("{file} is already waiting in the inbox.").format(file=reader.path.name)
            return PackageOutcome(reader.path, WAITING, message, verdict)
        if not stored.exists():
            tmp = folder / f".{manifest.package_id}.{uuid.uuid4().hex}.part"
            shutil.copyfile(reader.path, tmp)
            os.replace(tmp, stored)
        reason = verdict.trust or "untrusted"
        if row is None:
            row = InboxRow(package_id=manifest.package_id)
            session.add(row)
        row.stored_file = f"{INBOX_DIR}/{stored.name}"
        row.original_name = reader.path.name[:400]
        row.kind = manifest.kind
        row.sender_device_id = manifest.sender.device_id
        row.sender_name = manifest.sender.display_name
        row.sender_organisation = manifest.sender.organisation
        row.sender_role = manifest.sender.role
        row.sender_fingerprint = manifest.sender.fingerprint
        row.created_at = manifest.created_at
        row.received_at = datetime.now(UTC)
        row.reason = reason
        row.status = "waiting"
        row.decided_at = None
        audit.record(session, action="import", verdict=WAITING, manifest=manifest,
                     file_name=reader.path.name, message=reason)
    message = _("{file} waits in the inbox: the sender {name} ({fingerprint}) is {trust}.").format(
        file=reader.path.name, name=name, fingerprint=manifest.sender.fingerprint,
        trust=_trust_words(verdict.trust))
    return PackageOutcome(reader.path, WAITING, message, verdict,
                          changes=Changes(frozenset({"package", "inbox"})))


def _trust_words(trust: str | None) -> str:
    from neascn_desktop.sync.verify import trust_label

    return trust_label(trust)


def import_one(run: _Run, path: Path, *, dry_run: bool = False, force_trust: str | None = None,
               from_inbox: bool = False) -> PackageOutcome:
    """Verify, judge, preview and (unless ``dry_run``) apply or hold one package file."""
    try:
        reader = open_package(path, run.limits)
    except PackageError as exc:
        if not dry_run:
            audit.record_now(run.db, action="import", verdict=REFUSED, file_name=Path(path).name,
                             message=str(exc))
        return _refused(Path(path), exc)
    with reader:
        manifest = reader.manifest
        db = run.db
        trust = force_trust or run.book.judge(manifest)
        with db.session() as session:
            known = session.get(PackageRow, manifest.package_id)
            known_digest = known.manifest_sha256 if known else None
        verdict = verdict_from_manifest(reader.path, manifest, trust=trust, already_imported=known is not None)
        if known_digest is not None:
            if known_digest != manifest.digest:
                exc = PackageDamagedError(
                    _("{file} reuses the id of another package that was imported before.").format(
                        file=reader.path.name))
                return _refused(reader.path, exc, verdict)
            return PackageOutcome(reader.path, ALREADY, _already_message(reader.path), verdict)
        try:
            key = reader.decryption_key(run.keys)
            revisions = _decode(reader, key)
            if manifest.kind == "deployment" and manifest.sender.role != "secretariat":
                raise PackageDamagedError(_("{file} is a deployment package, but its sender is not a secretariat.").format(
                    file=reader.path.name))
        except PackageError as exc:
            if not dry_run:
                audit.record_now(db, action="import", verdict=REFUSED, manifest=manifest,
                                 file_name=reader.path.name, message=str(exc))
            return _refused(reader.path, exc, verdict)
        if dry_run:
            with db.session() as session:
                hashes = _attachment_hashes(reader, key)
                preview, _new = compute_preview(session, revisions, hashes, db.attachments_dir())
            status = WOULD_APPLY if trust in APPLICABLE else WAITING
            return PackageOutcome(reader.path, status, verdict.summary, verdict, preview)
        if trust not in APPLICABLE:
            return _hold(run, reader, verdict)
        try:
            return _apply(run, reader, key, revisions, verdict, from_inbox=from_inbox)
        except PackageError as exc:
            audit.record_now(db, action="import", verdict=REFUSED, manifest=manifest,
                             file_name=reader.path.name, message=str(exc))
            return _refused(reader.path, exc, verdict)


def import_packages(
    db: Database,
    paths: Iterable[Path],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    dry_run: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> ImportReport:
    """Import package files and folders of package files; see the module docstring."""
    files = expand_paths(paths)
    run = _Run(db, limits)
    outcomes: list[PackageOutcome] = []
    cancelled = False
    for index, path in enumerate(files):
        if cancel is not None and cancel():
            cancelled = True
            break
        if progress is not None:
            progress(index, len(files), _("Importing {name}…").format(name=path.name))
        outcomes.append(import_one(run, path, dry_run=dry_run))
    if progress is not None and not cancelled:
        progress(len(files), len(files), _("Done."))
    return ImportReport(tuple(outcomes), cancelled=cancelled, dry_run=dry_run)


def preview_import(db: Database, path: Path, *, limits: Limits = DEFAULT_LIMITS) -> PackageOutcome:
    """What importing one file would do (nothing is written)."""
    return import_one(_Run(db, limits), Path(path), dry_run=True)


def new_run(db: Database, limits: Limits = DEFAULT_LIMITS) -> _Run:
    return _Run(db, limits)


def stored_inbox_path(db: Database, package_id: str) -> Path:
    with db.session() as session:
        row = session.get(InboxRow, package_id)
        if row is None:
            raise PackageStateError(_("No package with the id {id} is in the inbox.").format(id=package_id))
        return db.data_dir / row.stored_file
