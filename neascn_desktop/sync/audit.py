"""The audit log: one row per thing that happened to a package, an inbox entry, a key or a conflict.

Rows are only ever appended; ``record`` works inside the caller's transaction
so that an import and its audit row commit (or vanish) together.  On a database a team shares,
every row also names the member who did it (the table's defaults fill it in: ``sync.tables``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, insert, select

from neascn_desktop.i18n import N_, _, ngettext
from neascn_desktop.i18n.safe_text import safe_text
from neascn_desktop.store.database import Database, connection_of
from neascn_desktop.sync.container import Manifest
from neascn_desktop.sync.tables import audit_table, package_table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Verdicts as shown to people (translate with ``_()`` when displayed).
VERDICTS: dict[str, str] = {
    "applied": N_("applied"),
    "already_imported": N_("already imported"),
    "waiting": N_("waiting in the inbox"),
    "refused": N_("refused"),
    "rejected": N_("rejected"),
    "exported": N_("exported"),
    "resolved": N_("resolved"),
    "trusted": N_("sender trusted"),
    "key_replaced": N_("key replaced"),
    "revoked": N_("revoked"),
    "rotated": N_("key rotated"),
    "restored": N_("keys restored"),
    "backed_up": N_("keys backed up"),
    "undone": N_("undone"),
    "demo_loaded": N_("demo data loaded"),
    "demo_removed": N_("demo data removed"),
    "member_added": N_("member added"),
    "member_removed": N_("member removed"),
}


#: Actions as shown to people: the log stores the event's name, the reader sees it in their language.
ACTIONS: dict[str, str] = {
    "import": N_("import"),
    "export": N_("export"),
    "inbox": N_("inbox decision"),
    "trust": N_("trust"),
    "reject": N_("rejection"),
    "resolve": N_("conflict resolution"),
    "key": N_("key"),
    "undo": N_("undo"),
    "demo": N_("demo data"),
    "member": N_("team member"),
}


def action_label(action: str) -> str:
    return _(ACTIONS[action]) if action in ACTIONS else safe_text(action)


#: A message stored as an event (not a sentence) starts with this; see ``event``.
_EVENT = "event:"


def event(template: str, **values: Any) -> str:
    """An audit message stored as an event: the English template (marked with ``N_``) and its
    values.  ``list_audit`` says it in the reader's language, whoever wrote the row."""
    return _EVENT + json.dumps({"template": template, "values": values}, sort_keys=True, ensure_ascii=False)


def plural_event(forms: tuple[str, str], n: int, **values: Any) -> str:
    """An event whose sentence has plural forms (marked with ``N_plural``)."""
    singular, plural = forms
    return _EVENT + json.dumps({"template": singular, "plural": plural, "n": n, "values": values},
                               sort_keys=True, ensure_ascii=False)


def of_error(error: BaseException) -> str:
    """A refusal's message for the log: an event when the error was raised with ``said``, else its
    sentence as it is."""
    said = getattr(error, "event", None)
    if isinstance(said, tuple) and len(said) == 2:
        return event(said[0], **said[1])
    return str(error)


def events(*messages: str) -> str:
    """Several events (each made by ``event``) stored as one message, said one after another
    ("" for none)."""
    if not messages:
        return ""
    parts = [json.loads(m[len(_EVENT):]) for m in messages if m.startswith(_EVENT)]
    return _EVENT + json.dumps(parts, sort_keys=True, ensure_ascii=False)


def term(message: str) -> dict[str, str]:
    """A value of an event that is itself a word to translate (a role's name, marked with ``N_``)."""
    return {"term": message}


def _value(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"term"}:
        return _(str(value["term"]))
    if isinstance(value, dict) and set(value) == {"template", "values"}:
        return _said(value)  # an error's event inside another's
    return safe_text(value)


def _said(data: Any) -> str:
    if isinstance(data, list):
        return " ".join(_said(part) for part in data)
    values = {k: _value(v) for k, v in dict(data["values"]).items()}
    if "plural" in data:
        return ngettext(str(data["template"]), str(data["plural"]), int(data["n"])).format(**values)
    return _(str(data["template"])).format(**values)


def say(message: str) -> str:
    """A stored message in the current language (a sentence stored by older versions as it is)."""
    if not message.startswith(_EVENT):
        return message
    try:
        return _said(json.loads(message[len(_EVENT):]))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return message


def _shown(value: str | None) -> str | None:
    return None if value is None else safe_text(value)


def verdict_label(verdict: str) -> str:
    return _(VERDICTS.get(verdict, verdict))


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    action: str
    verdict: str
    package_id: str | None
    kind: str | None
    file_name: str | None
    sender_device_id: str | None
    sender_name: str | None
    sender_fingerprint: str | None
    counts: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    #: The team member who did it (a database a team shares), as they were then; else ``None``.
    member_id: str | None = None
    member_name: str | None = None
    member_fingerprint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "action": self.action,
            "verdict": self.verdict,
            "package_id": self.package_id,
            "kind": self.kind,
            "file": self.file_name,
            "sender": {"device_id": self.sender_device_id, "name": self.sender_name,
                       "fingerprint": self.sender_fingerprint} if self.sender_device_id else None,
            "counts": self.counts,
            "message": self.message,
            "member": {"member_id": self.member_id, "name": self.member_name,
                       "fingerprint": self.member_fingerprint} if self.member_id else None,
        }


def record(
    session: Session | Connection,
    *,
    action: str,
    verdict: str,
    manifest: Manifest | None = None,
    file_name: str | None = None,
    counts: dict[str, Any] | None = None,
    message: str = "",
    package_id: str | None = None,
) -> None:
    connection_of(session).execute(insert(audit_table).values(
        at=datetime.now(UTC),
        action=action,
        verdict=verdict,
        package_id=manifest.package_id if manifest else package_id,
        kind=manifest.kind if manifest else None,
        file_name=file_name,
        sender_device_id=manifest.sender.device_id if manifest else None,
        sender_name=manifest.sender.display_name if manifest else None,
        sender_fingerprint=manifest.sender.fingerprint if manifest else None,
        counts=json.dumps(counts or {}, sort_keys=True),
        message=message,
    ))


def record_now(db: Database, **kwargs: Any) -> None:
    """Record in a transaction of its own (for refusals, where nothing else is written)."""
    with db.writing() as conn:
        record(conn, **kwargs)


def list_audit(db: Database, limit: int | None = None, package_id: str | None = None) -> list[AuditEntry]:
    """Newest first."""
    t = audit_table
    with db.connect() as conn:
        query = select(t).order_by(t.c.id.desc())
        if package_id:
            query = query.where(t.c.package_id == package_id)
        if limit:
            query = query.limit(limit)
        return [
            # Rows written before names were sanitised on arrival may still hold raw text.
            AuditEntry(r.id, r.at, r.action, r.verdict,
                       r.package_id, r.kind, _shown(r.file_name), _shown(r.sender_device_id),
                       _shown(r.sender_name), r.sender_fingerprint, json.loads(r.counts or "{}"),
                       safe_text(say(r.message or ""), None), r.member_id, _shown(r.member_name),
                       r.member_fingerprint)
            for r in conn.execute(query)
        ]


@dataclass(frozen=True)
class PackageRecord:
    """An applied package, for showing a revision's provenance ("arrived in ... from ... on ...")."""

    package_id: str
    kind: str
    sender_device_id: str
    sender_name: str
    sender_fingerprint: str
    created_at: str
    imported_at: datetime


def package_record(db: Database, package_id: str | None) -> PackageRecord | None:
    """The package a revision arrived in (``Revision.provenance``), or ``None`` for local edits."""
    if not package_id:
        return None
    with db.connect() as conn:
        # Another signer may have reused the id (a package is its id and its signer): the
        # first applied is the one a revision's provenance most likely names.
        row = conn.execute(select(package_table).where(package_table.c.package_id == package_id)
                           .order_by(package_table.c.imported_at)).first()
        if row is None:
            return None
        return PackageRecord(row.package_id, row.kind, safe_text(row.sender_device_id), safe_text(row.sender_name),
                             row.sender_fingerprint, row.created_at, row.imported_at)
