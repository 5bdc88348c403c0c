"""Trusting and revoking devices as use cases: the identity room's rules plus an audit row for
every change, in one transaction.

``neascn trust add|revoke``, the Trusted devices dialog and the inbox's "trust the
sender" all come here, so no trust change goes unrecorded.  The rules themselves
(strict checks, which changes need a confirmation) live in ``identity.trust``; the
audit log is this room's, which is why the use case lives here and not there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select

from neascn_desktop.i18n import N_
from neascn_desktop.identity.checks import DeviceIdentity
from neascn_desktop.identity.profile import ROLES
from neascn_desktop.identity.tables import profile_table
from neascn_desktop.identity.trust import (
    KEY_CHANGE,
    NEW_SECRETARIAT,
    KeyCard,
    TrustDecision,
    TrustedDevice,
    chosen_role,
    decide_trust,
    revoke_in_transaction,
)
from neascn_desktop.store.database import Database
from neascn_desktop.sync import audit
from neascn_desktop.sync.tables import audit_table

ACTION = "trust"


def _record(conn: Connection, decision: TrustDecision, trusted_message: str,
            package_id: str | None = None) -> None:
    """``trusted_message``: an ``audit.event``; the row stores events, said in the reader's language."""
    device, previous = decision.device, decision.previous
    notes = [trusted_message]
    verdict = "trusted"
    for change in decision.changes:
        if change.kind == KEY_CHANGE and change.fingerprint != change.previous_fingerprint:
            verdict = "key_replaced"
            notes.append(audit.event(N_("Replaced the key of {name}: fingerprint {old} is now {new}."),
                                     name=device.display_name, old=change.previous_fingerprint,
                                     new=change.fingerprint))
        elif change.kind == KEY_CHANGE:
            notes.append(audit.event(N_("Changed the role of {name} from {old_role} to {new_role}."),
                                     name=change.name,
                                     old_role=audit.term(ROLES.get(change.previous_role, change.previous_role)),
                                     new_role=audit.term(ROLES.get(change.role, change.role))))
        elif change.kind == NEW_SECRETARIAT:
            notes.append(audit.event(
                N_("Responses now go to the secretariat {name} ({new}) instead of {old_name} ({old})."),
                name=device.display_name, new=device.fingerprint, old_name=change.previous_name,
                old=change.previous_fingerprint))
    if (previous is not None and previous.signing_public_key == device.signing_public_key
            and previous.encryption_public_key != device.encryption_public_key):
        notes.append(audit.event(N_("The sender's new encryption key was adopted.")))
    conn.execute(insert(audit_table).values(
        at=datetime.now(UTC), action=ACTION, verdict=verdict, package_id=package_id, kind=None,
        file_name=None, sender_device_id=device.device_id, sender_name=device.display_name,
        sender_fingerprint=device.fingerprint,
        counts=json.dumps({"changes": sorted(c.kind for c in decision.changes)}, sort_keys=True),
        message=audit.events(*notes)))


def trust_keycards(db: Database, cards: Sequence[KeyCard], *, accept: Iterable[str] = (),
                   sources: Sequence[str] = (), role: str | None = None) -> list[TrustDecision]:
    """Trust the devices of key cards, all or none, each recorded in the audit log.

    ``accept``: the kinds of ``TrustChange`` confirmed (``KEY_CHANGE``, ``NEW_SECRETARIAT``);
    any other change refuses the whole call with a ``TrustChangeRefused`` naming it.
    ``sources``: where each card came from (its file), for error sentences.
    ``role``: the role to trust them as (the receiver's decision); ``None`` takes each card's
    claim only where ``identity.trust.role_needs_choice`` allows, else ``RoleNotChosen``.
    """
    accepted = tuple(accept)
    decisions: list[TrustDecision] = []
    with db.writing() as conn:
        own_role = conn.scalar(select(profile_table.c.role).where(profile_table.c.id == 1))
        for index, card in enumerate(cards):
            card = replace(card, role=chosen_role(own_role, card, role))
            source = sources[index] if index < len(sources) else ""
            decision = decide_trust(conn, card, accept=accepted, source=source)
            _record(conn, decision, audit.event(N_("Trusted {name} ({organisation}), fingerprint {fingerprint}."),
                                                name=card.display_name, organisation=card.organisation or "-",
                                                fingerprint=card.fingerprint))
            decisions.append(decision)
    return decisions


def trust_sender(db: Database, sender: DeviceIdentity, *, accept: Iterable[str] = (), source: str = "",
                 package_id: str | None = None) -> TrustDecision:
    """Trust the sender of a package waiting in the inbox (``package_id``), recorded."""
    with db.writing() as conn:
        decision = decide_trust(conn, sender, accept=tuple(accept), source=source)
        _record(conn, decision, audit.event(N_("Trusted {name} ({fingerprint}) from the inbox."),
                                            name=sender.display_name, fingerprint=decision.device.fingerprint),
                package_id)
    return decision


def revoke_device(db: Database, device_id_or_prefix: str) -> TrustedDevice:
    """Revoke a trusted device (see ``identity.trust.revoke``), recorded."""
    with db.writing() as conn:
        device, changed = revoke_in_transaction(conn, device_id_or_prefix)
        if changed:
            conn.execute(insert(audit_table).values(
                at=datetime.now(UTC), action=ACTION, verdict="revoked", package_id=None, kind=None,
                file_name=None, sender_device_id=device.device_id, sender_name=device.display_name,
                sender_fingerprint=device.fingerprint, counts="{}",
                message=audit.event(N_("Revoked {name} ({id})."), name=device.display_name, id=device.device_id)))
    return device
