"""Checking the evidence: is every attachment a record refers to present and intact, and
restoring those that are not from package files.

``check_attachments`` is the use case behind ``neascn check``; ``missing_attachments``
feeds ``neascn stats``.  An attachment is referred to by a submission revision (applied or
waiting for its parents), a submission's working copy, or a survey definition's media files.  Restoring reads package files
exactly as an import verifies them (container, signature, every hash, decryption) and
takes attachments only from trusted senders (or this device); it writes attachment files
through ``store.attachments`` and never touches a revision.

Orphans (files no record refers to) are reported, never deleted: a file is published
before the transaction that refers to it commits, so a file nobody refers to *yet* may be
the evidence of an import or a data entry running beside this command.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from neascn_desktop import replica
from neascn_desktop.changes import Changes
from neascn_desktop.i18n import N_, _, ngettext
from neascn_desktop.store import attachments
from neascn_desktop.store.database import Database
from neascn_desktop.store.errors import AttachmentError
from neascn_desktop.sync import keystore, payload
from neascn_desktop.sync.container import (
    ATTACHMENT_PREFIX,
    DEFAULT_LIMITS,
    SUFFIX,
    Limits,
    open_package,
)
from neascn_desktop.sync.errors import PackageError
from neascn_desktop.sync.reading import expand_paths
from neascn_desktop.sync.verify import OWN, TRUSTED, TrustBook

MISSING = "missing"
DAMAGED = "damaged"
PROBLEM_LABELS = {MISSING: N_("missing"), DAMAGED: N_("damaged")}

#: Senders whose packages may restore attachments.
_SOURCE_TRUST = frozenset({OWN, TRUSTED})
_INBOX_DIR = "inbox"


@dataclass(frozen=True)
class AttachmentProblem:
    """An attachment some record refers to that is missing or does not match its hash."""

    sha256: str
    problem: str
    entities: tuple[str, ...]
    revisions: tuple[str, ...]

    @property
    def label(self) -> str:
        return _(PROBLEM_LABELS[self.problem])

    def to_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "problem": self.problem, "entities": list(self.entities),
                "revisions": list(self.revisions)}


@dataclass(frozen=True)
class SourceOutcome:
    """What one package file given to restore from gave (``error``: why it gave nothing)."""

    path: Path
    restored: tuple[str, ...] = ()
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"file": str(self.path), "restored": list(self.restored), "error": self.error}


@dataclass(frozen=True)
class CheckReport:
    referenced: int
    problems: tuple[AttachmentProblem, ...]  # what is still wrong after restoring
    restored: tuple[str, ...]
    sources: tuple[SourceOutcome, ...]
    orphans: tuple[str, ...]
    orphan_bytes: int
    temporary_removed: int

    @property
    def exit_code(self) -> int:
        """0 when every attachment is present and intact and every file given could be read."""
        return 0 if not self.problems and all(s.error is None for s in self.sources) else 1

    @property
    def changes(self) -> Changes:
        return Changes.of("attachment", self.restored) if self.restored else Changes()

    @property
    def summary(self) -> str:
        lines: list[str] = []
        if self.restored:
            lines.append(ngettext("{count} attachment was restored.", "{count} attachments were restored.",
                                  len(self.restored)).format(count=len(self.restored)))
        if self.problems:
            lines.append(ngettext(
                "{count} attachment is missing or damaged; restore it with --from and a package that carries it.",
                "{count} attachments are missing or damaged; restore them with --from and packages that carry them.",
                len(self.problems)).format(count=len(self.problems)))
        else:
            lines.append(ngettext("{count} attachment is referred to; it is present and intact.",
                                  "{count} attachments are referred to; all are present and intact.",
                                  self.referenced).format(count=self.referenced))
        if self.orphans:
            lines.append(ngettext(
                "{count} attachment file ({size} bytes) is not referred to by any record; it was kept.",
                "{count} attachment files ({size} bytes) are not referred to by any record; they were kept.",
                len(self.orphans)).format(count=len(self.orphans), size=self.orphan_bytes))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "referenced": self.referenced,
            "problems": [p.to_dict() for p in self.problems],
            "missing": sum(1 for p in self.problems if p.problem == MISSING),
            "damaged": sum(1 for p in self.problems if p.problem == DAMAGED),
            "restored": list(self.restored),
            "sources": [s.to_dict() for s in self.sources],
            "orphans": list(self.orphans),
            "orphan_bytes": self.orphan_bytes,
            "temporary_files_removed": self.temporary_removed,
        }


# --- who refers to what ------------------------------------------------------------------------

@dataclass
class _Referrers:
    entities: set[str]
    revisions: set[str]


def referenced_attachments(db: Database) -> dict[str, _Referrers]:
    """Every attachment hash a submission or survey-definition revision (applied or pending) or
    a working copy refers to, with who refers to it.  A reference that is not a content hash names no file and is
    left out (it is never used as a path)."""
    found: dict[str, _Referrers] = defaultdict(lambda: _Referrers(set(), set()))
    for revision in replica.iter_revisions(db, ["submission", "survey_definition"], include_pending=True):
        for sha in payload.attachment_refs(revision):
            if attachments.is_content_hash(sha):
                found[sha].entities.add(revision.entity_id)
                found[sha].revisions.add(revision.id)
    from neascn_desktop.surveys.tables import submission_working_copy_table as copies

    with db.connect() as conn:
        for submission_id, text in conn.execute(select(copies.c.submission_id, copies.c.payload)):
            for sha in _payload_attachments(text):
                found[sha].entities.add(submission_id)
    return dict(found)


def _payload_attachments(text: str) -> set[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return set()
    entries = data.get("attachments") if isinstance(data, dict) else None
    if not isinstance(entries, dict):
        return set()
    return {e["sha256"] for e in entries.values()
            if isinstance(e, dict) and attachments.is_content_hash(e.get("sha256"))}


def missing_attachments(db: Database) -> int:
    """How many attachments records refer to are not in the attachments folder (no hashing:
    ``neascn check`` also finds damaged ones)."""
    present = attachments.stored_hashes(db.attachments_dir())
    return sum(1 for sha in referenced_attachments(db) if sha not in present)


# --- the use case ------------------------------------------------------------------------------

def check_attachments(db: Database, sources: Iterable[Path] = (), *,
                      limits: Limits = DEFAULT_LIMITS) -> CheckReport:
    """Find the attachments that are missing or damaged and restore them from ``sources``
    (package files and folders of them) and from the packages stored in the inbox.

    Temporary files of crashed writers are removed first.  A source that cannot be read, or
    whose sender is not trusted, gives nothing and says why in one sentence (the inbox's own
    files, which wait because their senders are not trusted, are skipped silently).
    """
    folder = db.attachments_dir()
    removed = attachments.sweep_temporary(folder)
    referrers = referenced_attachments(db)
    present = attachments.stored_hashes(folder)
    problems: dict[str, str] = {}
    for sha in sorted(referrers):
        if sha not in present:
            problems[sha] = MISSING
        elif not attachments.file_matches(folder / sha, sha):
            problems[sha] = DAMAGED
    outcomes: list[SourceOutcome] = []
    restored: list[str] = []
    given = expand_paths(sources)
    if problems or given:
        book = TrustBook(db)
        keys = keystore.private_key_lookup(db)
        inbox = sorted((db.data_dir / _INBOX_DIR).glob("*" + SUFFIX)) if problems else []
        for path, explicit in [*((p, True) for p in given), *((p, False) for p in inbox)]:
            wanted = set(problems) - set(restored)
            if not wanted and not explicit:
                break
            outcome = _restore_from(path, wanted, folder, book, keys, limits)
            restored.extend(outcome.restored)
            if explicit or outcome.restored:
                outcomes.append(outcome)
    remaining = tuple(
        AttachmentProblem(sha, kind, tuple(sorted(referrers[sha].entities)),
                          tuple(sorted(referrers[sha].revisions)))
        for sha, kind in problems.items() if sha not in restored)
    orphans = sorted(present - set(referrers))
    orphan_bytes = 0
    for sha in orphans:
        try:
            orphan_bytes += (folder / sha).stat().st_size
        except OSError:
            continue
    return CheckReport(len(referrers), remaining, tuple(restored), tuple(outcomes), tuple(orphans),
                       orphan_bytes, removed)


def _restore_from(path: Path, wanted: set[str], folder: Path, book: TrustBook, keys: Any,
                  limits: Limits) -> SourceOutcome:
    restored: list[str] = []
    try:
        with open_package(path, limits) as reader:
            manifest = reader.manifest
            if book.judge(manifest) not in _SOURCE_TRUST:
                return SourceOutcome(path, error=_(
                    "{file} comes from a sender that is not trusted here ({fingerprint}); "
                    "its attachments were not used.").format(file=path.name,
                                                             fingerprint=manifest.sender.fingerprint))
            # Unencrypted members are named by the attachment's hash: skip a package without any
            # wanted one unread (encrypted members are named by their ciphertext's hash).
            names = {m.name.removeprefix(ATTACHMENT_PREFIX) for m in manifest.attachment_members}
            if not wanted or (not manifest.encrypted and not names & wanted):
                return SourceOutcome(path)
            for sha, data in reader.attachments(reader.decryption_key(keys)):
                if sha in wanted and sha not in restored:
                    attachments.store_bytes(folder, sha, data)
                    restored.append(sha)
    except PackageError as exc:
        return SourceOutcome(path, tuple(restored), str(exc))
    except (AttachmentError, OSError) as exc:
        return SourceOutcome(path, tuple(restored), _("Cannot write {path}: {reason}").format(
            path=folder, reason=getattr(exc, "strerror", None) or exc))
    return SourceOutcome(path, tuple(restored))


__all__ = [
    "DAMAGED",
    "MISSING",
    "AttachmentProblem",
    "CheckReport",
    "SourceOutcome",
    "check_attachments",
    "missing_attachments",
    "referenced_attachments",
]
