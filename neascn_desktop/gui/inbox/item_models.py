"""Item models of the Inbox workspace: package files with their verdicts, and the audit log.

Both are ``RowTableModel``s over plain values from ``neascn_desktop.sync``;
the audit log hands out rows lazily (``canFetchMore``/``fetchMore``), so a
secretariat with years of imports opens it instantly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from neascn_desktop.gui.table_model import RowTableModel
from neascn_desktop.i18n import N_, _, current_language, ngettext
from neascn_desktop.i18n.formatting import format_datetime, format_number
from neascn_desktop.i18n.safe_text import safe_text
from neascn_desktop.sync.audit import AuditEntry, action_label, verdict_label
from neascn_desktop.sync.inbox import InboxEntry
from neascn_desktop.sync.verify import APPLICABLE, PackageVerdict, trust_label

Index = QModelIndex | QPersistentModelIndex

#: Where a row stands, as shown in the "State" column.
STATES: dict[str, str] = {
    "checking": N_("checking…"),
    "ready": N_("ready to import"),
    "waiting": N_("waiting for a decision"),
    "already_imported": N_("already imported"),
    "damaged": N_("damaged"),
    "undecryptable": N_("cannot be decrypted"),
    "applied": N_("imported"),
    "refused": N_("refused"),
    "rejected": N_("rejected"),
}
#: Package kinds as shown.
KIND_NAMES: dict[str, str] = {
    "deployment": N_("Deployment"),
    "responses": N_("Responses"),
    "framework": N_("Framework"),
    "all": N_("Everything"),
}
#: Revision-log entity types as shown.
ENTITY_NAMES: dict[str, str] = {
    "submission": N_("Survey responses"),
    "survey_definition": N_("Survey definitions"),
    "city": N_("Cities"),
    "framework_section": N_("Framework sections"),
    "framework_comment": N_("Comments"),
}


def kind_name(kind: str) -> str:
    return _(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def entity_name(entity_type: str) -> str:
    return _(ENTITY_NAMES[entity_type]) if entity_type in ENTITY_NAMES else entity_type


_STATE_COLOURS = {
    "ready": "#1b5e20",
    "applied": "#1b5e20",
    "waiting": "#8a5300",
    "damaged": "#b71c1c",
    "undecryptable": "#b71c1c",
    "refused": "#b71c1c",
    "rejected": "#6d6d6d",
    "already_imported": "#6d6d6d",
}


@dataclass(frozen=True)
class PackageItem:
    """One row: a file the user brought (or the watched folder holds), or a package in the inbox."""

    path: Path
    verdict: PackageVerdict | None = None
    inbox: InboxEntry | None = None
    state: str = "checking"
    message: str = ""

    @property
    def file_name(self) -> str:
        """The file's name as shown (a name in a shared folder is as untrusted as the package)."""
        return safe_text(self.path.name)

    @property
    def package_id(self) -> str | None:
        if self.verdict is not None and self.verdict.package_id:
            return self.verdict.package_id
        return self.inbox.package_id if self.inbox else None

    @property
    def key(self) -> tuple[str, str] | None:
        """The package's identity: its id and its signer (another signer's package with the same
        id is another row)."""
        return (self.package_id, self.fingerprint) if self.package_id else None

    @property
    def sender(self) -> str:
        if self.verdict is not None and self.verdict.sender_name:
            org = self.verdict.sender_organisation
            return f"{self.verdict.sender_name} ({org})" if org else self.verdict.sender_name
        if self.inbox is not None:
            org = self.inbox.sender_organisation
            return f"{self.inbox.sender_name} ({org})" if org else self.inbox.sender_name
        return ""

    @property
    def fingerprint(self) -> str:
        if self.verdict is not None and self.verdict.fingerprint:
            return self.verdict.fingerprint
        return self.inbox.fingerprint if self.inbox else ""

    @property
    def kind(self) -> str:
        if self.verdict is not None and self.verdict.kind:
            return self.verdict.kind
        return self.inbox.kind if self.inbox else ""

    @property
    def trust(self) -> str | None:
        if self.verdict is not None and self.verdict.trust:
            return self.verdict.trust
        return self.inbox.reason if self.inbox else None

    @property
    def signature_text(self) -> str:
        if self.state == "checking":
            return ""
        if self.verdict is not None and self.verdict.error_type == "signature":
            return _("invalid")
        if self.verdict is not None and not self.verdict.signature_valid:
            return "—"  # the file is unreadable before its signature could be checked
        return _("valid")

    @property
    def importable(self) -> bool:
        """Import would apply it: a package from a sender not trusted would only wait (trust it instead)."""
        return self.state == "ready" and self.inbox is None

    @property
    def decidable(self) -> bool:
        """Trust / reject make sense: the sender is not trusted (the package waits or would)."""
        return self.state == "waiting" or (
            self.verdict is not None and self.verdict.error is None
            and not self.verdict.already_imported and self.trust not in APPLICABLE
        )

    def reason(self) -> str:
        if self.message:
            return self.message
        if self.verdict is not None:
            return self.verdict.summary
        if self.inbox is not None:
            return _("Waiting since {time}: the sender is {trust}.").format(
                time=format_datetime(self.inbox.received_at.astimezone(), current_language(), format="short"),
                trust=trust_label(self.inbox.reason))
        return ""


def item_for_verdict(path: Path, verdict: PackageVerdict) -> PackageItem:
    state = verdict.status
    if state == "ready" and verdict.waiting_in_inbox:
        state = "waiting"
    return PackageItem(path=path, verdict=verdict, state=state)


def _short_fingerprint(fingerprint: str) -> str:
    """The first two groups (enough to tell senders apart in a list); the tooltip and the preview
    show it all."""
    groups = fingerprint.split(":")
    return ":".join(groups[:2]) + "…" if len(groups) > 2 else fingerprint


class PackageTableModel(RowTableModel[PackageItem]):
    """The packages the secretariat is looking at, one row per file or inbox entry."""

    COLUMNS = (N_("File"), N_("Kind"), N_("Sender"), N_("Fingerprint"), N_("Signature"),
               N_("Sender trust"), N_("State"), N_("Details"))

    # -- reading
    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.row(index.row())
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                item.file_name,
                kind_name(item.kind),
                item.sender,
                _short_fingerprint(item.fingerprint),
                item.signature_text,
                trust_label(item.trust),
                _(STATES.get(item.state, item.state)),
                item.reason(),
            )[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == 0:
                return safe_text(str(item.path), None)
            if column == 2:
                return item.sender
            if column == 3:
                return item.fingerprint
            return item.reason()
        if role == Qt.ItemDataRole.ForegroundRole and column in (4, 6):
            if column == 4 and item.signature_text == _("invalid"):
                return QBrush(QColor("#b71c1c"))
            colour = _STATE_COLOURS.get(item.state)
            return QBrush(QColor(colour)) if colour and column == 6 else None
        if role == Qt.ItemDataRole.UserRole:
            return item
        return None

    def items(self) -> list[PackageItem]:
        return list(self._rows)

    def item(self, row: int) -> PackageItem:
        return self.row(row)

    def row_of(self, path: Path) -> int:
        for row, item in enumerate(self._rows):
            if item.path == path:
                return row
        return -1

    # -- changing
    def upsert(self, item: PackageItem) -> None:
        row = self.row_of(item.path)
        if row < 0 and item.key:
            row = next((r for r, i in enumerate(self._rows) if i.key == item.key), -1)
        if row >= 0:
            self._rows[row] = item
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
        self._rows.append(item)
        self.endInsertRows()

    def update_state(self, path: Path, state: str, message: str = "") -> None:
        row = self.row_of(path)
        if row >= 0:
            self._rows[row] = replace(self._rows[row], state=state, message=message)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def set_outcome(self, path: Path, key: tuple[str, str | None] | None, state: str, message: str) -> None:
        """What happened to one package, on its own row (found by file, else by package identity)."""
        row = self.row_of(path)
        if row < 0 and key is not None:
            row = next((r for r, i in enumerate(self._rows) if i.key == key), -1)
        if row >= 0:
            self._rows[row] = replace(self._rows[row], state=state, message=message)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def refresh_verdict(self, path: Path, verdict: PackageVerdict) -> None:
        """A file checked again: its sender's trust as it is now; what happened to it stays shown."""
        row = self.row_of(path)
        if row < 0:
            return
        item = self._rows[row]
        if item.state in ("applied", "refused", "rejected"):
            self._rows[row] = replace(item, verdict=verdict)
        else:
            self._rows[row] = item_for_verdict(path, verdict)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def set_inbox(self, entries: list[InboxEntry]) -> None:
        """Show the inbox's waiting packages; rows for packages no longer waiting lose that state."""
        waiting = {(e.package_id, e.fingerprint): e for e in entries}
        for row, item in enumerate(self._rows):
            if item.inbox is not None and item.key not in waiting:
                state = "rejected" if item.state == "rejected" else "applied" if item.state != "refused" else item.state
                self._rows[row] = replace(item, inbox=None, state=state)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
        shown = {i.key for i in self._rows}
        for entry in entries:
            key = (entry.package_id, entry.fingerprint)
            if key in shown:
                row = next(r for r, i in enumerate(self._rows) if i.key == key)
                self._rows[row] = replace(self._rows[row], inbox=entry, state="waiting", message="")
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
            else:
                self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows))
                self._rows.append(PackageItem(path=entry.file, inbox=entry, state="waiting"))
                self.endInsertRows()

    def clear_done(self) -> None:
        self.set_rows([i for i in self._rows if i.state not in ("applied", "already_imported", "rejected")])


class AuditTableModel(RowTableModel[AuditEntry]):
    """The audit log, newest first; rows are handed to the view a page at a time."""

    COLUMNS = (N_("Time"), N_("Action"), N_("Result"), N_("Package"), N_("File"), N_("Sender"),
               N_("Fingerprint"), N_("Counts"), N_("Member"), N_("Note"))
    PAGE = 200

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._shown = 0

    def set_entries(self, entries: list[AuditEntry]) -> None:
        # Not set_rows(): how many rows are shown changes in the same reset.
        self.beginResetModel()
        self._rows = entries
        self._shown = min(self.PAGE, len(entries))
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._shown < len(self._rows)

    def fetchMore(self, parent: Index) -> None:
        if parent.isValid():
            return
        more = min(self.PAGE, len(self._rows) - self._shown)
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        entry = self.row(index.row())
        counts = entry.counts
        language = current_language()
        if "added" in counts:
            count_text = _("{added} new of {revisions}").format(
                added=format_number(int(counts.get("added", 0)), language),
                revisions=format_number(int(counts.get("revisions", 0)), language))
        elif "revisions" in counts:
            total = int(counts["revisions"])
            count_text = ngettext("{revisions} revision", "{revisions} revisions", total).format(
                revisions=format_number(total, language))
        else:
            count_text = ""
        return (
            format_datetime(entry.at.astimezone(), language),
            action_label(entry.action),
            verdict_label(entry.verdict),
            entry.package_id or "",
            entry.file_name or "",
            entry.sender_name or "",
            entry.sender_fingerprint or "",
            count_text,
            entry.member_name or "",
            entry.message,
        )[index.column()]
