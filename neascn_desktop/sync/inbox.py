"""The inbox: packages that wait because their sender is not trusted (or was revoked).

The secretariat sees who sent each one (name, organisation, key fingerprint)
and decides: trust the sender and apply (every package of that sender that
waits is applied), apply just this one without trusting the sender, or
reject it (the stored copy is deleted; the audit log keeps the decision).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from neascn_desktop.changes import Changes
from neascn_desktop.i18n import N_, _
from neascn_desktop.i18n.safe_text import safe_text
from neascn_desktop.identity.profile import ROLES, load_profile
from neascn_desktop.identity.trust import KeyCard, TrustChange, chosen_role, role_needs_choice
from neascn_desktop.identity.trust import trust_changes as identity_trust_changes
from neascn_desktop.store.database import Database
from neascn_desktop.sync import audit, trusting
from neascn_desktop.sync.container import read_manifest
from neascn_desktop.sync.errors import PackageStateError
from neascn_desktop.sync.importer import ImportReport, PackageOutcome, import_one, new_run
from neascn_desktop.sync.models import InboxRow
from neascn_desktop.sync.verify import TRUSTED, trust_label


@dataclass(frozen=True)
class InboxEntry:
    package_id: str
    file: Path
    original_name: str
    kind: str
    sender_device_id: str
    sender_name: str
    sender_organisation: str
    sender_role: str
    fingerprint: str
    created_at: str
    received_at: datetime
    reason: str
    status: str

    @property
    def ref(self) -> str:
        """What names this entry unambiguously (see ``entry_ref``)."""
        return entry_ref(self.package_id, self.fingerprint)

    @property
    def reason_label(self) -> str:
        return trust_label(self.reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "package_id": self.package_id,
            "ref": self.ref,
            "file": str(self.file),
            "original_name": self.original_name,
            "kind": self.kind,
            "sender": {"device_id": self.sender_device_id, "name": self.sender_name,
                       "organisation": self.sender_organisation, "role": self.sender_role,
                       "fingerprint": self.fingerprint},
            "created_at": self.created_at,
            "received_at": self.received_at.isoformat(),
            "reason": self.reason,
            "status": self.status,
        }


def entry_ref(package_id: str, fingerprint: str) -> str:
    """An inbox entry's name: the package id, ``@``, the signer's key fingerprint.

    An entry is a package id *and* its signer: another device may send a package with
    the same id, which waits (or is decided) on its own.  The package id alone (or
    four or more of its first characters) names an entry as long as only one waits.
    """
    return f"{package_id}@{fingerprint}"


def _entry(db: Database, row: InboxRow) -> InboxEntry:
    received = row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=UTC)
    # Rows stored before names were sanitised on arrival may still hold raw text.
    return InboxEntry(row.package_id, db.data_dir / row.stored_file, safe_text(row.original_name), row.kind,
                      safe_text(row.sender_device_id), safe_text(row.sender_name),
                      safe_text(row.sender_organisation), safe_text(row.sender_role),
                      row.sender_fingerprint, row.created_at, received, row.reason, row.status)


def list_inbox(db: Database, include_decided: bool = False) -> list[InboxEntry]:
    """Waiting packages, oldest first (with ``include_decided``, applied and rejected ones too)."""
    with db.session() as session:
        query = select(InboxRow).order_by(InboxRow.received_at, InboxRow.package_id)
        if not include_decided:
            query = query.where(InboxRow.status == "waiting")
        return [_entry(db, r) for r in session.scalars(query)]


def _find(db: Database, package_id: str) -> InboxEntry:
    """The waiting entry named ``package_id``: an id (or its first four or more characters),
    optionally followed by ``@`` and (the start of) the signer's fingerprint."""
    key = package_id.strip()
    id_part, _at, signer = key.partition("@")
    signer = signer.replace(":", "").lower()
    with db.session() as session:
        query = select(InboxRow).where(InboxRow.status == "waiting")
        query = query.where(InboxRow.package_id.startswith(id_part) if len(id_part) >= 4
                            else InboxRow.package_id == id_part)
        rows = [r for r in session.scalars(query)
                if r.sender_fingerprint.replace(":", "").startswith(signer)]
        exact = [r for r in rows if r.package_id == id_part]
        rows = exact or rows
        if not rows:
            raise PackageStateError(_("No package with the id {id} waits in the inbox.").format(id=key))
        if len(rows) > 1:
            raise PackageStateError(_(
                "Several waiting packages match {id}; name one with its id, @ and its sender's "
                "fingerprint, for example {example}.").format(
                    id=key, example=entry_ref(rows[0].package_id, rows[0].sender_fingerprint)))
        return _entry(db, rows[0])


def _sender_of(package_file: Path) -> KeyCard:
    """A package's sender, as the identity that trusting it would record."""
    manifest = read_manifest(package_file)
    sender, created_at = manifest.sender, manifest.created_at
    return KeyCard(device_id=sender.device_id, display_name=sender.display_name,
                   organisation=sender.organisation, role=sender.role,
                   signing_public_key=sender.signing_public_key,
                   encryption_public_key=sender.encryption_public_key, created_at=created_at)


def trust_changes(db: Database, package_file: Path, role: str | None = None) -> tuple[TrustChange, ...]:
    """What trusting the sender of a package file (waiting in the inbox, or about to) as
    ``role`` (default: the claimed one) would change that needs a confirmation — another
    secretariat, a replaced key or role: the Inbox asks before ``trust_and_apply``."""
    sender = _sender_of(package_file)
    if role is not None:
        sender = replace(sender, role=role)
    return identity_trust_changes(db, sender, Path(package_file).name)


def role_to_choose(db: Database, package_file: Path) -> str | None:
    """The role the sender of a package file claims, when the receiver must choose the role to
    trust it as (``identity.trust.role_needs_choice``); ``None`` when the claim is taken."""
    own = load_profile(db)
    claimed = _sender_of(package_file).role
    return claimed if role_needs_choice(own.role if own is not None else None, claimed) else None


def trust_and_apply(db: Database, package_id: str, *, only_this: bool = False,
                    accept: Iterable[str] = (), role: str | None = None) -> ImportReport:
    """Trust the sender of a waiting package and apply it and every other package it sent that waits.

    With ``only_this`` the sender is not trusted: this one package is applied, as a
    one-off decision (for instance a package made before its sender was revoked).
    ``accept``: the kinds of trust change confirmed (see ``sync.trusting``); another change
    refuses with a sentence and nothing is applied.
    ``role``: the role the sender is trusted as — the receiver's decision, never just the
    manifest's claim; ``None`` takes the claim only where ``identity.trust.role_needs_choice``
    allows, else ``RoleNotChosen`` and nothing changes.
    """
    entry = _find(db, package_id)
    # The signed manifest says who sent it; the rest is verified when it is applied below.
    sender = _sender_of(entry.file)
    own = load_profile(db)
    if own is not None and sender.device_id == own.device_id:
        raise PackageStateError(_(
            "This package claims to come from this very device but is signed by another key; it cannot be trusted."))
    chosen = chosen_role(own.role if own is not None else None, sender, role)
    if only_this and chosen != sender.role:
        # Applied once, a package is judged by the role it claims (sync.authority.role_of);
        # another role needs its sender trusted as that role.
        raise PackageStateError(_(
            "Applied once without trusting its sender, this package would be judged as the role it claims "
            "(“{claimed}”); trust its sender as “{role}” instead.").format(
                claimed=_(ROLES.get(sender.role, sender.role)), role=_(ROLES.get(chosen, chosen))))
    if not only_this:
        sender = replace(sender, role=chosen)
        trusting.trust_sender(db, sender, accept=accept, source=entry.original_name,
                              package_id=entry.package_id)
        # Only what this key signed: a package that claims the device but bears another key
        # is another sender's.
        targets = [e for e in list_inbox(db)
                   if e.sender_device_id == sender.device_id and e.fingerprint == sender.fingerprint]
    else:
        targets = [entry]
    run = new_run(db)
    outcomes: list[PackageOutcome] = []
    for target in targets:
        outcome = import_one(run, target.file, force_trust=TRUSTED, from_inbox=True)
        if outcome.ok:
            _delete_stored_copy(target.file)
        outcomes.append(outcome)
    return ImportReport(tuple(outcomes))


def reject(db: Database, package_id: str) -> InboxEntry:
    """Reject a waiting package: it is never applied, and its stored copy is deleted."""
    entry = _find(db, package_id)
    with db.transaction() as session:
        row = session.get(InboxRow, (entry.package_id, entry.fingerprint))
        assert row is not None
        row.status = "rejected"
        row.decided_at = datetime.now(UTC)
        audit.record(session, action="inbox", verdict="rejected", package_id=entry.package_id,
                     file_name=entry.original_name,
                     message=audit.event(N_("Rejected the package from {name} ({fingerprint})."),
                                         name=entry.sender_name, fingerprint=entry.fingerprint))
    _delete_stored_copy(entry.file)
    return entry


def _delete_stored_copy(file: Path) -> None:
    """Delete the inbox's copy of a decided package, if nothing else holds it.

    The decision is committed already.  On Windows a file open in another
    process (a colleague's window previewing it on a shared disk, a virus
    scanner) cannot be deleted: the copy is then left where it is, harmless
    (only waiting rows are listed), and the front ends say so (``copy_left``).
    """
    try:
        file.unlink(missing_ok=True)
    except OSError as exc:
        logging.getLogger(__name__).warning("inbox copy %s left in place: %s", file, exc)


def copy_left(file: Path) -> str | None:
    """The sentence for a decided package whose stored copy could not be deleted, else ``None``."""
    if not file.exists():
        return None
    return _("The stored copy {path} is in use by another program and was left in place; "
             "delete it later.").format(path=file)


def changes_of_decision() -> Changes:
    return Changes(frozenset({"package", "inbox", "trusted_device"}))
