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

import gc
import json
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select, update

from neascn_desktop.changes import Changes, change_name
from neascn_desktop.i18n import _, ngettext
from neascn_desktop.i18n.safe_text import safe_text
from neascn_desktop.identity.tables import trusted_device_table
from neascn_desktop.identity.trust import key_roll_allowed, trust_in_transaction
from neascn_desktop.replica import ReplicaError, Revision, add_revisions, entity_heads
from neascn_desktop.replica.tables import current_table, pending_table, revision_table
from neascn_desktop.store import attachments
from neascn_desktop.store.attachments import Staged
from neascn_desktop.store.crash import crash_point
from neascn_desktop.store.database import Database
from neascn_desktop.sync import audit, authority, keystore, parking, receipts
from neascn_desktop.sync.container import (
    DEFAULT_LIMITS,
    Limits,
    Manifest,
    open_package,
)
from neascn_desktop.sync.errors import PackageDamagedError, PackageError, PackageStateError
from neascn_desktop.sync.peeking import read_judged
from neascn_desktop.sync.reading import (
    Prepared,
    ReadAhead,
    expand_paths,
    payload_refs,
    prepare,
)
from neascn_desktop.sync.schema import audit_table, inbox_table, package_table
from neascn_desktop.sync.verify import (
    APPLICABLE,
    FIRST_USE,
    TRUSTED,
    PackageVerdict,
    TrustBook,
    error_type,
    verdict_from_manifest,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

Progress = Callable[..., None]
Cancel = Callable[[], bool]

INBOX_DIR = "inbox"

#: Entity types of the revision log -> the GUI's change nouns.
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

    def __post_init__(self) -> None:
        # The message quotes file names and sender names: one line, nothing a terminal obeys.
        object.__setattr__(self, "message", safe_text(self.message, None))

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


# --- preview ------------------------------------------------------------------------------------

def _chunks(items: Sequence[str], size: int = 900) -> Iterable[Sequence[str]]:
    # 900: under the 999 bound parameters older SQLite builds allow in one statement
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class _PreviewState:
    """What previews know of the database; updated as packages of one batch are classified,
    so each package is previewed against the state its predecessors leave behind."""

    known: set[str]
    heads: dict[str, set[str]]
    present: set[str]
    attachments_dir: Path
    arrived: set[str] = field(default_factory=set)  # attachments of earlier packages of the batch
    refs: dict[str, tuple[frozenset[str], str | None]] = field(default_factory=dict)  # see Prepared.refs
    _files: set[str] | None = None

    def has_file(self, sha: str) -> bool:
        if self._files is None:  # one listing instead of a stat per reference
            try:
                self._files = set(os.listdir(self.attachments_dir))
            except OSError:
                self._files = set()
        return sha in self._files


def _load_state(session: Session | Connection, batches: Sequence[Sequence[Revision]], attachments_dir: Path,
                refs: dict[str, tuple[frozenset[str], str | None]] | None = None) -> _PreviewState:
    refs = refs or {}
    ids = [r.id for revisions in batches for r in revisions]
    known: set[str] = set()
    for chunk in _chunks(ids):
        known.update(session.execute(select(revision_table.c.id).where(revision_table.c.id.in_(chunk))).scalars())
        known.update(session.execute(select(pending_table.c.id).where(pending_table.c.id.in_(chunk))).scalars())
    entity_ids = sorted({r.entity_id for revisions in batches for r in revisions})
    heads: dict[str, set[str]] = defaultdict(set, entity_heads(session, entity_ids))
    wanted = sorted({ref for revisions in batches for r in revisions if (ref := payload_refs(r, refs)[1])})
    present: set[str] = set()
    for chunk in _chunks(wanted):
        present.update(session.execute(
            select(current_table.c.entity_id).where(current_table.c.entity_id.in_(chunk))).scalars())
    return _PreviewState(known, heads, present, attachments_dir, refs=refs)


def _classify(state: _PreviewState, revisions: list[Revision],
              attachment_hashes: set[str]) -> tuple[PackagePreview, list[Revision]]:
    new = [r for r in revisions if r.id not in state.known]
    by_entity: dict[str, list[Revision]] = defaultdict(list)
    for rev in new:
        by_entity[rev.entity_id].append(rev)
    entity_type = {r.entity_id: r.entity_type for r in revisions}
    counts: dict[str, dict[str, int]] = defaultdict(
        lambda: {"new": 0, "updated": 0, "conflicting": 0, "unchanged": 0})
    for entity_id, revs in by_entity.items():
        kind = counts[entity_type[entity_id]]
        before = state.heads.get(entity_id)
        after = ((before or set()) | {r.id for r in revs}) - {p for r in revs for p in r.parents}
        if not before:
            kind["conflicting" if len(after) > 1 else "new"] += 1
        else:
            kind["conflicting" if len(after) > 1 else "updated"] += 1
        state.heads[entity_id] = after
    for entity_id in set(entity_type) - set(by_entity):
        counts[entity_type[entity_id]]["unchanged"] += 1
    referenced: set[str] = set()
    definitions: set[str] = set()
    for rev in new:
        attachment_refs, ref = payload_refs(rev, state.refs)
        referenced |= attachment_refs
        if ref:
            definitions.add(ref)
    missing_attachments = sorted(
        sha for sha in referenced - attachment_hashes - state.arrived if not state.has_file(sha)
    )
    state.arrived |= attachment_hashes
    carried = {r.entity_id for r in revisions if r.entity_type == "survey_definition"}
    missing_definitions = sorted(definitions - carried - state.present)
    state.known.update(r.id for r in new)
    state.present.update(r.entity_id for r in new)
    preview = PackagePreview(
        by_type={t: TypeCounts(**c) for t, c in counts.items()},
        revisions=len(revisions),
        new_revisions=len(new),
        attachments=len(attachment_hashes),
        missing_attachments=tuple(missing_attachments),
        missing_definitions=tuple(missing_definitions),
    )
    return preview, new


def compute_preview(session: Session | Connection, revisions: list[Revision], attachment_hashes: set[str],
                    attachments_dir: Path) -> tuple[PackagePreview, list[Revision]]:
    """Classify the entities a package touches, against the current database state."""
    return _classify(_load_state(session, [revisions], attachments_dir), revisions, attachment_hashes)


# --- deciding and applying ----------------------------------------------------------------------

class _Run:
    """What stays the same across the packages of one import."""

    def __init__(self, db: Database, limits: Limits,
                 inbox_limits: parking.InboxLimits = parking.DEFAULT_INBOX_LIMITS) -> None:
        self.db = db
        self.limits = limits
        self.inbox_limits = inbox_limits
        self.book = TrustBook(db)
        self.keys = keystore.private_key_lookup(db)
        with db.connect() as conn:
            # (package id, signer's fingerprint) -> manifest digest: see ``package_key``.
            self.known: dict[tuple[str, str], str] = {
                (package_id, signer): digest for package_id, signer, digest in
                conn.execute(select(package_table.c.package_id, package_table.c.sender_fingerprint,
                                    package_table.c.manifest_sha256))}
            # Whether an applied package may have an inbox entry to mark (see _hold).
            self.inbox_used = conn.scalar(select(inbox_table.c.package_id).limit(1)) is not None
        self.in_flight: dict[tuple[str, str], str] = {}  # in the batch being gathered, like ``known``

    def refresh_trust(self) -> None:
        self.book = TrustBook(self.db)


def package_key(manifest: Manifest) -> tuple[str, str]:
    """A package's identity: its id and its signer.

    Ids are chosen by senders and readable in every manifest, so another device may
    reuse one; its package is then another package (applied or held on its own), never
    taken for the first.  The same signer reusing an id for other content is refused.
    """
    return manifest.package_id, manifest.sender.fingerprint


def _refused(path: Path, exc: PackageError, verdict: PackageVerdict | None = None) -> PackageOutcome:
    verdict = verdict or PackageVerdict(path=path, error=str(exc), error_type=error_type(exc))
    return PackageOutcome(path=path, status=REFUSED, message=str(exc), verdict=verdict)


def _changes_for(revisions: Iterable[Revision], extra: Iterable[str] = ()) -> Changes:
    types = {change_name(r.entity_type) for r in revisions}
    ids = {r.entity_id for r in revisions}
    return Changes(frozenset(types | {"package", "revision", "conflict", *extra}), frozenset(ids))


def _roll_encryption_key(conn: Connection, manifest: Manifest) -> bool:
    """A deployment carries the secretariat's current encryption key: adopt it unless an
    already applied deployment from the same sender is newer (packages may arrive out of order)."""
    t, packages = trusted_device_table, package_table
    sender = manifest.sender
    known = conn.execute(select(t).where(t.c.device_id == sender.device_id)).first()
    if known is None or known.encryption_public_key == sender.encryption_public_key:
        return False
    if not key_roll_allowed(known.signing_public_key, known.revoked_at, sender):
        return False  # another device using this id ("apply only this"), or a key nobody can use
    applied = conn.scalars(
        select(packages.c.created_at).where(
            packages.c.sender_device_id == sender.device_id, packages.c.kind == "deployment")
    ).all()
    # Compared as times, not as texts: two writers may format the offset differently.
    if any(_as_time(created) > _as_time(manifest.created_at) for created in applied):
        return False
    conn.execute(update(t).where(t.c.device_id == sender.device_id)
                 .values(encryption_public_key=sender.encryption_public_key))
    return True


def _as_time(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _already_message(path: Path) -> str:
    return _("{file} was imported before; nothing changed.").format(file=path.name)


def _trust_words(trust: str | None) -> str:
    from neascn_desktop.sync.verify import trust_label

    return trust_label(trust)


def _hold(run: _Run, prepared: Prepared, verdict: PackageVerdict) -> PackageOutcome:
    """Copy the package into the inbox, where it waits for the secretariat's decision."""
    manifest = prepared.manifest
    assert manifest is not None
    db = run.db
    folder = db.data_dir / INBOX_DIR
    path = prepared.path
    box = inbox_table
    package_id, signer = package_key(manifest)
    this_entry = (box.c.package_id == package_id, box.c.sender_fingerprint == signer)
    with db.writing() as conn:
        row = conn.execute(select(box.c.status).where(*this_entry)).first()
        if row is not None and row.status == "rejected":
            message = _("{file} was rejected earlier; it was not applied.").format(file=path.name)
            return PackageOutcome(path, REFUSED, message, verdict)
        if row is not None and row.status == "waiting":
            message = _("{file} is already waiting in the inbox.").format(file=path.name)
            return PackageOutcome(path, WAITING, message, verdict)
        try:
            parking.check_room(conn, db.data_dir, path, run.inbox_limits)
            stored = parking.store_copy(path, folder, manifest, run.limits, prepared.file_sha256)
        except PackageError as exc:
            audit.record(conn, action="import", verdict=REFUSED, manifest=manifest, file_name=path.name,
                         message=str(exc))
            return _refused(path, exc, verdict)
        reason = verdict.trust or "untrusted"
        values: dict[str, Any] = {
            "stored_file": f"{INBOX_DIR}/{stored.name}", "original_name": path.name[:400],
            "kind": manifest.kind, "sender_device_id": manifest.sender.device_id,
            "sender_name": manifest.sender.display_name,
            "sender_organisation": manifest.sender.organisation, "sender_role": manifest.sender.role,
            "created_at": manifest.created_at, "received_at": datetime.now(UTC), "reason": reason,
            "status": "waiting", "decided_at": None,
        }
        if row is None:
            conn.execute(insert(box).values(package_id=package_id, sender_fingerprint=signer, **values))
            run.inbox_used = True
        else:
            conn.execute(update(box).where(*this_entry).values(**values))
        audit.record(conn, action="import", verdict=WAITING, manifest=manifest,
                     file_name=path.name, message=reason)
    message = _("{file} waits in the inbox: the sender {name} ({fingerprint}) is {trust}.").format(
        file=path.name, name=manifest.sender.display_name, fingerprint=manifest.sender.fingerprint,
        trust=_trust_words(verdict.trust))
    return PackageOutcome(path, WAITING, message, verdict, changes=Changes(frozenset({"package", "inbox"})))


def _read(run: _Run, path: Path, dry_run: bool) -> Prepared:
    """Read a package file as far as deciding what to do with it needs.

    A new package from a sender that is not trusted needs only its signed manifest (it is
    parked in the inbox as a file): a file from an unknown sender costs a few kilobytes of
    memory, whatever its size, until the sender is trusted.  Anything else is read and
    verified completely (a package applied before, too: a damaged copy of it is refused,
    not taken for it).  A dry run previews the contents, so it reads them.
    """
    if dry_run:
        return prepare(path, run.limits, run.keys)

    def needs_contents(manifest: Manifest) -> bool:
        key = package_key(manifest)
        return key in run.known or key in run.in_flight or run.book.judge(manifest) in APPLICABLE

    return read_judged(path, run.limits, run.keys, needs_contents)


def _decide(run: _Run, prepared: Prepared, *, dry_run: bool,
            force_trust: str | None = None) -> tuple[PackageOutcome | None, PackageVerdict | None]:
    """An outcome that needs no applying (refused, already imported, waiting, dry run), or
    ``(None, verdict)`` for a package to apply."""
    manifest = prepared.manifest
    if manifest is None:
        assert prepared.error is not None
        if not dry_run:
            audit.record_now(run.db, action="import", verdict=REFUSED, file_name=prepared.path.name,
                             message=str(prepared.error))
        return _refused(prepared.path, prepared.error), None
    trust = force_trust or run.book.judge(manifest)
    key = package_key(manifest)
    known_digest = run.known.get(key)
    verdict = verdict_from_manifest(prepared.path, manifest, trust=trust,
                                    already_imported=known_digest is not None)
    if known_digest is None:
        known_digest = run.in_flight.get(key)
    if known_digest is not None:
        if known_digest != manifest.digest:
            exc = PackageDamagedError(_("{file} reuses the id of another package that was imported before.").format(
                file=prepared.path.name))
            return _refused(prepared.path, exc, verdict), None
        return PackageOutcome(prepared.path, ALREADY, _already_message(prepared.path), verdict), None
    if prepared.error is not None:
        if not dry_run:
            audit.record_now(run.db, action="import", verdict=REFUSED, manifest=manifest,
                             file_name=prepared.path.name, message=str(prepared.error))
        return _refused(prepared.path, prepared.error, verdict), None
    if dry_run:
        with run.db.connect() as conn:
            preview, new = compute_preview(conn, prepared.revisions, prepared.attachment_hashes,
                                           run.db.attachments_dir())
            try:
                authority.Authority(conn, run.book).check_package(manifest, trust, prepared.revisions, new)
            except authority.AuthorityError as exc:
                return _refused(prepared.path, exc, verdict), None
        status = WOULD_APPLY if trust in APPLICABLE else WAITING
        return PackageOutcome(prepared.path, status, verdict.summary, verdict, preview), None
    if trust not in APPLICABLE:
        return _hold(run, prepared, verdict), None
    assert prepared.complete, "a package to apply was read completely (see _read)"
    return None, verdict


def _attachments_of(run: _Run | None, prepared: Prepared) -> Iterator[tuple[str, bytes]]:
    """A package's attachments, from memory or, for a big package, read again one at a time."""
    if all(data is not None for _sha, data in prepared.attachments) or run is None:
        yield from ((sha, data) for sha, data in prepared.attachments if data is not None)
        return
    with open_package(prepared.path, run.limits) as reader:
        if reader.sha256 != prepared.file_sha256:
            raise PackageStateError(_("{file} changed while it was being imported.").format(
                file=prepared.path.name))
        yield from reader.attachments(reader.decryption_key(run.keys))


def _adopt(prepared: Prepared, seen: set[str], folder: Path) -> list[Staged]:
    """Take over the attachment files a reading worker wrote for ``prepared``: a new one is
    staged, a duplicate removed.  They then count as not kept in memory, so staging the package
    again (a batch retried package by package) reads them from the package file."""
    adopted: list[Staged] = []
    for sha, tmp in prepared.staged.items():
        if sha in seen:
            tmp.unlink(missing_ok=True)
        else:
            seen.add(sha)
            adopted.append(Staged(tmp, folder / sha))
        prepared.attachments.append((sha, None))
    prepared.staged = {}
    return adopted


def _stage(items: Sequence[Prepared], folder: Path, run: _Run | None = None,
           seen: set[str] | None = None) -> list[Staged]:
    """Write the batch's new attachments to temporary files (published before the commit).

    ``seen``: the attachments present or already staged (default: a listing of ``folder``).
    """
    staged: list[Staged] = []
    wanted = {sha for prepared in items for sha in prepared.attachment_hashes}
    if not wanted:
        return staged
    # One directory listing instead of a stat per attachment (most arrive more than once).
    if seen is None:
        seen = set(os.listdir(folder)) if len(wanted) > 8 else {
            sha for sha in wanted if (folder / sha).exists()}
    try:
        for prepared in items:
            staged.extend(_adopt(prepared, seen, folder))
        for prepared in items:
            if all(sha in seen for sha, _data in prepared.attachments):
                continue
            for sha, data in _attachments_of(run, prepared):
                if sha in seen:
                    continue
                seen.add(sha)
                staged.append(attachments.write_temporary(folder, sha, data))
    except BaseException:
        attachments.discard(staged)
        raise
    return staged


class _Stager:
    """Writes the new attachments of the packages of a batch to temporary files in a
    background thread, while the next packages are read and verified.

    Creating a file is mostly system time (inode allocation), which can run on
    another core meanwhile. ``take()`` waits for the batch's files and hands
    them over (published before the commit, like ``_stage``'s).
    Packages whose attachments were not kept in memory are staged by ``take()``.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seen: set[str] | None = None
        self._adopted: list[Staged] = []
        self._futures: list[Future[Staged]] = []
        self._deferred: list[Prepared] = []
        self._executor: ThreadPoolExecutor | None = None

    def add(self, prepared: Prepared) -> None:
        if not prepared.attachments and not prepared.staged:
            return
        if self._seen is None:
            self._seen = set(os.listdir(self.folder))
        seen = self._seen
        self._adopted.extend(_adopt(prepared, seen, self.folder))
        todo = [(sha, data) for sha, data in prepared.attachments if sha not in seen]
        if not todo:
            return
        if any(data is None for _sha, data in todo):
            self._deferred.append(prepared)
            return
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="neascn-attachments")
        for sha, data in todo:
            if sha in seen:
                continue
            seen.add(sha)
            assert data is not None
            self._futures.append(self._executor.submit(attachments.write_temporary, self.folder, sha, data))

    def take(self, run: _Run) -> list[Staged]:
        """The batch's staged files; the caller publishes or removes them."""
        staged: list[Staged] = list(self._adopted)
        error: BaseException | None = None
        for future in self._futures:
            try:
                staged.append(future.result())
            except BaseException as exc:  # noqa: BLE001 - re-raised below, after the clean-up
                error = error or exc
        deferred, seen = self._deferred, self._seen
        self._adopted, self._futures, self._deferred, self._seen = [], [], [], None
        if error is None and deferred:
            try:
                staged.extend(_stage(deferred, self.folder, run, seen))
            except BaseException as exc:  # noqa: BLE001 - re-raised below, after the clean-up
                error = exc
        if error is not None:
            for tmp, _final in staged:
                tmp.unlink(missing_ok=True)
            raise error
        return staged

    def close(self) -> None:
        """Wait for the writer and remove whatever was staged and not taken."""
        for tmp, _final in self._adopted:
            tmp.unlink(missing_ok=True)
        self._adopted = []
        for future in self._futures:
            try:
                tmp, _final = future.result()
            except BaseException:  # noqa: BLE001, S112 - nothing was written
                continue
            tmp.unlink(missing_ok=True)
        self._futures = []
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None


def _apply_batch(run: _Run, items: list[tuple[Prepared, PackageVerdict]],
                 from_inbox: bool = False,
                 staged: list[Staged] | None = None) -> list[PackageOutcome]:
    """Apply verified packages in one transaction.

    All revisions of the batch go to the revision log in one call (a set union,
    so this equals applying the packages one after another), each new revision
    then records the first package of the batch that carried it.  If the log
    refuses the batch, every package is retried alone so only the faulty one is
    refused.  Deployments come in batches of one.
    """
    try:
        return _apply_together(run, items, from_inbox, staged)
    except (ReplicaError, authority.AuthorityError) as exc:
        if len(items) > 1:
            return [outcome for item in items for outcome in _apply_batch(run, [item], from_inbox)]
        prepared, verdict = items[0]
        assert prepared.manifest is not None
        error = PackageDamagedError(_("{file} was refused: {reason}").format(file=prepared.path.name, reason=exc))
        audit.record_now(run.db, action="import", verdict=REFUSED, manifest=prepared.manifest,
                         file_name=prepared.path.name, message=str(error))
        return [_refused(prepared.path, error, verdict)]


def _apply_together(run: _Run, items: list[tuple[Prepared, PackageVerdict]],
                    from_inbox: bool,
                    staged: list[Staged] | None = None) -> list[PackageOutcome]:
    """Apply packages in one transaction; ``staged`` (their attachments written by a
    ``_Stager``) is published once the revisions are in, before the commit (a crash may leave
    an unused attachment, never a missing one), or removed when the batch is refused."""
    db = run.db
    folder = db.attachments_dir()
    if staged is None:
        staged = _stage([p for p, _v in items], folder, run)
    outcomes: list[PackageOutcome] = []
    trust_changed = False
    now = datetime.now(UTC)
    try:
        with db.writing() as conn:
            refs = {rev_id: found for p, _v in items for rev_id, found in p.refs.items()}
            state = _load_state(conn, [p.revisions for p, _v in items], folder, refs)
            ids = [p.manifest.package_id for p, _v in items if p.manifest]
            applied_before: set[tuple[str, str]] = set()
            for chunk in _chunks(ids):
                applied_before.update((row.package_id, row.sender_fingerprint) for row in conn.execute(
                    select(package_table.c.package_id, package_table.c.sender_fingerprint)
                    .where(package_table.c.package_id.in_(chunk))))
            package_rows: list[dict[str, Any]] = []
            audit_rows: list[dict[str, Any]] = []
            applied_keys: list[tuple[str, str]] = []
            to_add: list[Revision] = []
            # Provenance: the package each new revision arrived in (applied or still waiting
            # for its parents), the first of the batch that carried it.  Revisions released
            # from earlier keep their own.
            provenance: dict[str, str] = {}
            judge = authority.Authority(conn, run.book, upcoming=[p.revisions for p, _v in items])
            for prepared, verdict in items:
                manifest = prepared.manifest
                assert manifest is not None
                if package_key(manifest) in applied_before:
                    outcomes.append(PackageOutcome(prepared.path, ALREADY, _already_message(prepared.path),
                                                   verdict))
                    continue
                preview, new = _classify(state, prepared.revisions, prepared.attachment_hashes)
                judge.check_package(manifest, verdict.trust, prepared.revisions, new)
                to_add.extend(prepared.revisions)
                for r in new:
                    provenance.setdefault(r.id, manifest.package_id)
                notes = []
                trusted_now = rolled = False
                if manifest.kind == "deployment":
                    trusted_now = verdict.trust == FIRST_USE
                    if trusted_now:
                        trust_in_transaction(conn, manifest.sender)
                        notes.append(_("The sender was trusted on first use."))
                    if verdict.trust in (TRUSTED, FIRST_USE):
                        rolled = _roll_encryption_key(conn, manifest)
                        if rolled:
                            notes.append(_("The sender's new encryption key was adopted."))
                    trust_changed = trust_changed or trusted_now or rolled
                receipt = receipts.accept(conn, manifest, prepared.path.name)
                notes.extend(receipt.notes)
                if preview.missing_attachments:
                    notes.append(ngettext("{count} attachment is missing.", "{count} attachments are missing.",
                                          len(preview.missing_attachments)).format(
                                              count=len(preview.missing_attachments)))
                if preview.missing_definitions:
                    notes.append(_("Survey versions not present here: {ids}.").format(
                        ids=", ".join(preview.missing_definitions)))
                added = len(new)
                counts = {"revisions": len(prepared.revisions), "added": added,
                          "skipped": len(prepared.revisions) - added,
                          **{t: c.to_dict() for t, c in preview.by_type.items()}}
                package_rows.append({
                    "package_id": manifest.package_id, "kind": manifest.kind,
                    "sender_device_id": manifest.sender.device_id,
                    "sender_name": manifest.sender.display_name,
                    "sender_fingerprint": manifest.sender.fingerprint, "created_at": manifest.created_at,
                    "manifest_sha256": manifest.digest, "file_sha256": prepared.file_sha256,
                    "imported_at": now, "counts": json.dumps(counts, sort_keys=True)})
                audit_rows.append(_audit_row(now, APPLIED, manifest, prepared.path.name, counts,
                                             " ".join(notes)))
                applied_keys.append(package_key(manifest))
                applied_before.add(package_key(manifest))  # the same package twice in one batch
                message = _("Applied: {added} new revisions from {name} ({kind}).").format(
                    added=added, name=manifest.sender.display_name, kind=manifest.kind)
                if notes:
                    message += " " + " ".join(notes)
                extra = {"trusted_device"} if (trusted_now or rolled) else set()
                extra |= receipt.change_nouns
                if from_inbox:
                    extra.add("inbox")
                outcomes.append(PackageOutcome(prepared.path, APPLIED, message, verdict, preview, added, 0,
                                               len(prepared.revisions) - added,
                                               _changes_for(prepared.revisions, extra)))
            if to_add:
                add_revisions(conn, to_add, provenance)
            if package_rows:
                conn.execute(insert(package_table), package_rows)
            if audit_rows:
                conn.execute(insert(audit_table), audit_rows)
            # Only the entry of this very package (its id from its signer) is marked applied.
            for package_id, signer in applied_keys if run.inbox_used else []:
                conn.execute(update(inbox_table).where(inbox_table.c.package_id == package_id,
                                                       inbox_table.c.sender_fingerprint == signer)
                             .values(status="applied", decided_at=now))
            attachments.publish(staged)
            staged = []
        crash_point("import-committed")
    finally:
        attachments.discard(staged)
    for (prepared, _verdict), outcome in zip(items, outcomes, strict=True):
        if outcome.status == APPLIED and prepared.manifest is not None:
            run.known[package_key(prepared.manifest)] = prepared.manifest.digest
    if trust_changed:
        run.refresh_trust()
    return outcomes


def _audit_row(at: datetime, verdict: str, manifest: Manifest, file_name: str, counts: dict[str, Any],
               message: str) -> dict[str, Any]:
    return {"at": at, "action": "import", "verdict": verdict, "package_id": manifest.package_id,
            "kind": manifest.kind, "file_name": file_name[:400], "sender_device_id": manifest.sender.device_id,
            "sender_name": manifest.sender.display_name, "sender_fingerprint": manifest.sender.fingerprint,
            "counts": json.dumps(counts, sort_keys=True), "message": message}


# --- the use cases ------------------------------------------------------------------------------

#: A batch is applied in one transaction when it reaches this many packages or bytes.
BATCH_PACKAGES = 200
BATCH_BYTES = 64 * 1024 * 1024


def import_one(run: _Run, path: Path, *, dry_run: bool = False, force_trust: str | None = None,
               from_inbox: bool = False) -> PackageOutcome:
    """Verify, judge, preview and (unless ``dry_run``) apply or hold one package file."""
    prepared = prepare(Path(path), run.limits, run.keys)
    outcome, verdict = _decide(run, prepared, dry_run=dry_run, force_trust=force_trust)
    if outcome is not None:
        return outcome
    assert verdict is not None
    return _apply_batch(run, [(prepared, verdict)], from_inbox=from_inbox)[0]


def import_packages(
    db: Database,
    paths: Iterable[Path],
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    *,
    dry_run: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    read_ahead: ReadAhead | None = None,
    inbox_limits: parking.InboxLimits = parking.DEFAULT_INBOX_LIMITS,
) -> ImportReport:
    """Import package files and folders of package files; see the module docstring.

    Packages are verified one by one and applied in batches (one transaction and
    one ``add_revisions`` call per batch; if the revision log refuses a batch, its
    packages are applied one by one so only the faulty one is refused); a
    deployment is applied on its own because it may change whom the following
    packages come from. New attachments are written by a background thread while
    the next packages are read (see ``_Stager``).  With ``read_ahead`` (started on
    ``expand_paths(paths)``) the files are read in its worker processes, which also write
    the new attachments; any file a worker did not deliver is read here, so the outcome is
    the same with or without it.
    """
    files = read_ahead.files if read_ahead is not None else expand_paths(paths)
    run = _Run(db, limits, inbox_limits)
    results: list[PackageOutcome | None] = [None] * len(files)
    batch: list[tuple[int, Prepared, PackageVerdict]] = []
    batch_bytes = 0
    cancelled = False

    stager = _Stager(db.attachments_dir()) if not dry_run else None
    if stager is not None:
        attachments.sweep_temporary(stager.folder)

    def flush() -> None:
        nonlocal batch, batch_bytes
        if batch:
            staged = stager.take(run) if stager is not None else None
            outcomes = _apply_batch(run, [(p, v) for _i, p, v in batch], staged=staged)
            for (index, _p, _v), outcome in zip(batch, outcomes, strict=True):
                results[index] = outcome
        batch, batch_bytes = [], 0
        if not gc.isenabled():
            gc.collect(0)  # what the batch left in reference cycles (the CLI paused the collector)

    # The CLI pauses the cyclic collector around this call (cli.package); the GUI must not.
    try:
        for index, path in enumerate(files):
            if cancel is not None and cancel():
                cancelled = True
                break
            if progress is not None:
                progress(index, len(files), _("Importing {name}…").format(name=path.name))
            prepared = read_ahead.take(index) if read_ahead is not None else None
            if prepared is None:
                prepared = _read(run, path, dry_run)
            outcome, verdict = _decide(run, prepared, dry_run=dry_run)
            if outcome is not None:
                prepared.discard_staged()
                results[index] = outcome
                continue
            assert verdict is not None and prepared.manifest is not None
            if prepared.manifest.kind == "deployment":
                flush()
                results[index] = _apply_batch(run, [(prepared, verdict)])[0]
                continue
            run.in_flight[package_key(prepared.manifest)] = prepared.manifest.digest
            batch.append((index, prepared, verdict))
            batch_bytes += prepared.size
            if stager is not None:
                stager.add(prepared)
            if len(batch) >= BATCH_PACKAGES or batch_bytes >= BATCH_BYTES:
                flush()
        flush()
    finally:
        if stager is not None:
            stager.close()
    if progress is not None and not cancelled:
        progress(len(files), len(files), _("Done."))
    return ImportReport(tuple(o for o in results if o is not None), cancelled=cancelled, dry_run=dry_run)


def preview_import(db: Database, path: Path, *, limits: Limits = DEFAULT_LIMITS) -> PackageOutcome:
    """What importing one file would do (nothing is written)."""
    return import_one(_Run(db, limits), Path(path), dry_run=True)


def new_run(db: Database, limits: Limits = DEFAULT_LIMITS) -> _Run:
    return _Run(db, limits)


def stored_inbox_path(db: Database, package_id: str) -> Path:
    with db.connect() as conn:
        row = conn.execute(select(inbox_table.c.stored_file).where(inbox_table.c.package_id == package_id)).first()
        if row is None:
            raise PackageStateError(_("No package with the id {id} is in the inbox.").format(id=package_id))
        return db.data_dir / row.stored_file
