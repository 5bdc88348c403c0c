"""Deciding and applying packages for the importer: judge the sender, hold what waits in the inbox,
stage attachments, and apply a batch of packages in one transaction."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select, update

from neascn_desktop.changes import Changes, change_name
from neascn_desktop.i18n import N_, N_plural, _, ngettext
from neascn_desktop.identity.tables import trusted_device_table
from neascn_desktop.identity.trust import key_roll_allowed, trust_in_transaction
from neascn_desktop.replica import ReplicaError, Revision, add_revisions
from neascn_desktop.store import attachments
from neascn_desktop.store.attachments import Staged
from neascn_desktop.store.crash import crash_point
from neascn_desktop.store.database import Database
from neascn_desktop.sync import audit, authority, keystore, parking, receipts, releasing
from neascn_desktop.sync.container import (
    Limits,
    Manifest,
    open_package,
)
from neascn_desktop.sync.errors import PackageDamagedError, PackageError, PackageStateError
from neascn_desktop.sync.import_preview import (
    _chunks,
    _classify,
    _load_state,
    compute_preview,
)
from neascn_desktop.sync.import_results import (
    ALREADY,
    APPLIED,
    INBOX_DIR,
    REFUSED,
    WAITING,
    WOULD_APPLY,
    PackageOutcome,
)
from neascn_desktop.sync.package_format import kind_label
from neascn_desktop.sync.peeking import read_judged
from neascn_desktop.sync.reading import (
    Prepared,
    prepare,
)
from neascn_desktop.sync.tables import audit_table, inbox_table, package_table
from neascn_desktop.sync.verify import (
    APPLICABLE,
    FIRST_USE,
    TRUST_LABELS,
    TRUSTED,
    PackageVerdict,
    TrustBook,
    error_type,
    verdict_from_manifest,
)


class _Run:
    """What stays the same across the packages of one import."""

    def __init__(self, db: Database, limits: Limits,
                 inbox_limits: parking.InboxLimits = parking.DEFAULT_INBOX_LIMITS) -> None:
        self.db = db
        self.limits = limits
        self.inbox_limits = inbox_limits
        self.book = TrustBook(db)
        self.keys = keystore.private_key_lookup(db)
        p = package_table
        # (package id, signer's fingerprint) -> manifest digest: see ``package_key``.
        self.known: dict[tuple[str, str], str] = {}
        # SHA-256 of a package file applied here before this run -> what its verdict says
        # (see ``known_file``).
        self.known_files: dict[str, tuple[str, ...]] = {}
        with db.connect() as conn:
            for row in conn.execute(select(p.c.package_id, p.c.sender_fingerprint, p.c.manifest_sha256,
                                           p.c.file_sha256, p.c.kind, p.c.created_at, p.c.sender_device_id,
                                           p.c.sender_name)):
                self.known[(row.package_id, row.sender_fingerprint)] = row.manifest_sha256
                self.known_files[row.file_sha256] = (row.package_id, row.sender_fingerprint, row.kind,
                                                     row.created_at, row.sender_device_id, row.sender_name)
            # Whether an applied package may have an inbox entry to mark (see _hold).
            self.inbox_used = conn.scalar(select(inbox_table.c.package_id).limit(1)) is not None
        self.answers = authority.AnswerMemo()  # answer values checked once per import
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


def known_file(run: _Run, path: Path) -> PackageOutcome | None:
    """The outcome of a file that is, byte for byte, a package file applied here before (its
    SHA-256 was stored when it was applied): nothing of it needs reading, verifying or
    decrypting again.  ``None`` for any other file, read and judged as usual (a copy that
    differs in a single byte included)."""
    if not run.known_files:
        return None
    try:
        with Path(path).open("rb") as handle:
            sha = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None  # the reader says what is wrong with it
    known = run.known_files.get(sha)
    if known is None:
        return None
    package_id, fingerprint, kind, created_at, device_id, sender_name = known
    verdict = PackageVerdict(path=Path(path), package_id=package_id, kind=kind, created_at=created_at,
                             sender_device_id=device_id, sender_name=sender_name, fingerprint=fingerprint,
                             already_imported=True)
    return PackageOutcome(Path(path), ALREADY, _already_message(Path(path)), verdict)


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
                         message=audit.of_error(exc))
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
        audit.record(conn, action="import", verdict=WAITING, manifest=manifest, file_name=path.name,
                     message=audit.event(N_("{file} waits in the inbox: the sender {name} ({fingerprint}) is {trust}."),
                                         file=path.name, name=manifest.sender.display_name,
                                         fingerprint=manifest.sender.fingerprint,
                                         trust=audit.term(TRUST_LABELS.get(reason, reason))))
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
                             message=audit.of_error(prepared.error))
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
            exc = PackageDamagedError.said(N_("{file} reuses the id of another package that was imported before."),
                                           file=prepared.path.name)
            return _refused(prepared.path, exc, verdict), None
        return PackageOutcome(prepared.path, ALREADY, _already_message(prepared.path), verdict), None
    if prepared.error is not None:
        if not dry_run:
            audit.record_now(run.db, action="import", verdict=REFUSED, manifest=manifest,
                             file_name=prepared.path.name, message=audit.of_error(prepared.error))
        return _refused(prepared.path, prepared.error, verdict), None
    if dry_run:
        with run.db.connect() as conn:
            preview, new = compute_preview(conn, prepared.revisions, prepared.attachment_hashes,
                                           run.db.attachments_dir())
            try:
                authority.Authority(conn, run.book, memo=run.answers).check_package(manifest, trust, prepared.revisions, new)
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
            raise PackageStateError.said(N_("{file} changed while it was being imported."),
                                         file=prepared.path.name)
        yield from reader.attachments(reader.decryption_key(run.keys))


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
        self._futures: list[Future[Staged]] = []
        self._deferred: list[Prepared] = []
        self._executor: ThreadPoolExecutor | None = None

    def add(self, prepared: Prepared) -> None:
        if not prepared.attachments:
            return
        if self._seen is None:
            self._seen = set(os.listdir(self.folder))
        seen = self._seen
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
        staged: list[Staged] = []
        error: BaseException | None = None
        for future in self._futures:
            try:
                staged.append(future.result())
            except BaseException as exc:  # noqa: BLE001 - re-raised below, after the clean-up
                error = error or exc
        deferred, seen = self._deferred, self._seen
        self._futures, self._deferred, self._seen = [], [], None
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
        error = PackageDamagedError.said(N_("{file} was refused: {reason}"),
                                         file=prepared.path.name, reason=exc)
        audit.record_now(run.db, action="import", verdict=REFUSED, manifest=prepared.manifest,
                         file_name=prepared.path.name, message=audit.of_error(error))
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
            state = _load_state(conn, [p.revisions for p, _v in items], folder)
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
            judge = authority.Authority(conn, run.book, upcoming=[p.revisions for p, _v in items],
                                          memo=run.answers)
            deferred: list[tuple[Revision, str, str]] = []  # passed for want of a root: see releasing
            for prepared, verdict in items:
                manifest = prepared.manifest
                assert manifest is not None
                if package_key(manifest) in applied_before:
                    outcomes.append(PackageOutcome(prepared.path, ALREADY, _already_message(prepared.path),
                                                   verdict))
                    continue
                preview, new = _classify(state, prepared.revisions, prepared.attachment_hashes)
                judge.check_package(manifest, verdict.trust, prepared.revisions, new)
                role = authority.role_of(run.book, manifest, verdict.trust)
                if role is not None:
                    deferred.extend((r, role, manifest.sender.device_id) for r in releasing.unrooted(judge, new))
                to_add.extend(prepared.revisions)
                for r in new:
                    provenance.setdefault(r.id, manifest.package_id)
                notes: list[str] = []  # audit events, said in the report's language below
                trusted_now = rolled = False
                if manifest.kind == "deployment":
                    trusted_now = verdict.trust == FIRST_USE
                    if trusted_now:
                        trust_in_transaction(conn, manifest.sender)
                        notes.append(audit.event(N_("The sender was trusted on first use.")))
                    if verdict.trust in (TRUSTED, FIRST_USE):
                        rolled = _roll_encryption_key(conn, manifest)
                        if rolled:
                            notes.append(audit.event(N_("The sender's new encryption key was adopted.")))
                    trust_changed = trust_changed or trusted_now or rolled
                receipt = receipts.accept(conn, manifest, prepared.path.name)
                notes.extend(receipt.notes)
                if preview.missing_attachments:
                    notes.append(audit.plural_event(N_plural("{count} attachment is missing.",
                                                             "{count} attachments are missing."),
                                                    len(preview.missing_attachments),
                                                    count=len(preview.missing_attachments)))
                if preview.missing_definitions:
                    notes.append(audit.event(N_("Survey versions not present here: {ids}."),
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
                                             audit.events(*notes)))
                applied_keys.append(package_key(manifest))
                applied_before.add(package_key(manifest))  # the same package twice in one batch
                message = ngettext("Applied: {added} new revision from {name} ({kind}).",
                                   "Applied: {added} new revisions from {name} ({kind}).", added).format(
                    added=added, name=manifest.sender.display_name, kind=kind_label(manifest.kind))
                if notes:
                    message += " " + " ".join(audit.say(note) for note in notes)
                extra = {"trusted_device"} if (trusted_now or rolled) else set()
                extra |= receipt.change_nouns
                if from_inbox:
                    extra.add("inbox")
                outcomes.append(PackageOutcome(prepared.path, APPLIED, message, verdict, preview, added, 0,
                                               len(prepared.revisions) - added,
                                               _changes_for(prepared.revisions, extra)))
            releasing.recheck(judge, deferred)
            if to_add:
                # Revisions released from waiting are judged again now their record is known.
                release = releasing.ReleaseJudge(conn, run.book, judge, now)
                add_revisions(conn, to_add, provenance, may_release=release)
                audit_rows.extend(release.audit_rows)
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
    # (``known_files`` stays as the run found it: a file given twice in one run is found by its
    # manifest, and the files of a first import are not read twice to hash them.)
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
