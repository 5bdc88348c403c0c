"""What an import reports: per package an outcome (applied, already imported, waiting, refused,
would apply) with its preview, and for the whole run an ``ImportReport``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neascn_desktop.changes import Changes
from neascn_desktop.i18n import _, ngettext
from neascn_desktop.i18n.safe_text import safe_text
from neascn_desktop.sync.verify import (
    PackageVerdict,
)

Progress = Callable[..., None]
Cancel = Callable[[], bool]

INBOX_DIR = "inbox"

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
class RecordSummary:
    """One record a package brings, in the words people look for (payload text, sanitised)."""

    entity_type: str
    entity_id: str
    city_id: str = ""
    status: str = ""
    answers: int = 0
    by: str = ""
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"entity_type": self.entity_type, "entity_id": self.entity_id, "city_id": self.city_id,
                "status": self.status, "answers": self.answers, "by": self.by, "title": self.title}


#: At most this many records are summarised in a preview (the counts cover them all).
RECORDS_SHOWN = 20


@dataclass(frozen=True)
class PackagePreview:
    by_type: dict[str, TypeCounts]
    revisions: int
    new_revisions: int
    attachments: int
    missing_attachments: tuple[str, ...] = ()
    missing_definitions: tuple[str, ...] = ()
    #: the submissions and sections it brings (new or changed), newest revision of each
    records: tuple[RecordSummary, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "by_type": {t: c.to_dict() for t, c in sorted(self.by_type.items())},
            "revisions": self.revisions,
            "new_revisions": self.new_revisions,
            "attachments": self.attachments,
            "missing_attachments": list(self.missing_attachments),
            "missing_definitions": list(self.missing_definitions),
            "records": [r.to_dict() for r in self.records],
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
