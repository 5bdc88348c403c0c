"""Key cards: a device's public identity as a small signed file, and the list of trusted devices.

Trusting is checked twice: the identity itself (``identity.checks``) and what
trusting it would change here.  Replacing the key (or role) of a trusted device
and, on a device that sends responses, trusting a secretariat other than the one
it sends them to are ``TrustChange``s that are refused unless the caller
confirms them explicitly; ``current_secretariat`` is the one answer to "whom
does this device send its responses to".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, insert, select, update

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import _
from neascn_desktop.identity.checks import (
    DeviceIdentity,
    identity_problem,
    key_bytes,
    usable_encryption_key,
    valid_time,
)
from neascn_desktop.identity.keys import b64, fingerprint, load_device_keys
from neascn_desktop.identity.profile import ROLES, Profile
from neascn_desktop.identity.tables import profile_table, trusted_device_table
from neascn_desktop.store.database import Database

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

KEYCARD_FORMAT = "neascn-keycard"
KEYCARD_VERSION = 1
KEYCARD_MAX_BYTES = 64 * 1024
KEYCARD_SUFFIX = ".key"


class TrustError(NeascnError):
    """A key card is unreadable or a trust operation is impossible; ``str()`` is user-facing."""


@dataclass(frozen=True)
class KeyCard:
    device_id: str
    display_name: str
    organisation: str
    role: str
    signing_public_key: str
    encryption_public_key: str
    created_at: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.signing_public_key)

    def signed_fields(self) -> dict[str, object]:
        return {
            "format": KEYCARD_FORMAT,
            "version": KEYCARD_VERSION,
            "device_id": self.device_id,
            "display_name": self.display_name,
            "organisation": self.organisation,
            "role": self.role,
            "signing_public_key": self.signing_public_key,
            "encryption_public_key": self.encryption_public_key,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class TrustedDevice:
    device_id: str
    display_name: str
    organisation: str
    role: str
    signing_public_key: str
    encryption_public_key: str
    fingerprint: str
    trusted_at: datetime
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


def _canonical(fields: dict[str, object]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def keycard_for(profile: Profile) -> KeyCard:
    return KeyCard(
        device_id=profile.device_id,
        display_name=profile.display_name,
        organisation=profile.organisation,
        role=profile.role,
        signing_public_key=profile.signing_public_key,
        encryption_public_key=profile.encryption_public_key,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def export_keycard(db: Database, profile: Profile, target: Path) -> KeyCard:
    """Write this device's signed key card to ``target``."""
    card = keycard_for(profile)
    keys = load_device_keys(db.data_dir)
    fields = card.signed_fields()
    document = dict(fields, signature=b64(keys.signing.sign(_canonical(fields))))
    try:
        target.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise TrustError(
            _("Cannot write {path}: {reason}").format(path=target, reason=exc.strerror or exc)
        ) from exc
    return card


_CARD_FIELDS = ("device_id", "display_name", "organisation", "role", "signing_public_key",
                "encryption_public_key", "created_at")
SIGNATURE_BYTES = 64


def parse_keycard(data: bytes, source: str = "") -> KeyCard:
    """Check a key card strictly (exact shape, usable keys, printable bounded strings) and its
    self-signature; raises ``TrustError`` with one sentence."""
    label = source or _("the key card")
    if len(data) > KEYCARD_MAX_BYTES:
        raise TrustError(_("{source} is too large to be a key card.").format(source=label))
    try:
        document = json.loads(data.decode("utf-8"), object_pairs_hook=_no_duplicate_keys)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise TrustError(_("{source} is not a key card (it is not valid JSON).").format(source=label)) from None
    if not isinstance(document, dict) or document.get("format") != KEYCARD_FORMAT:
        raise TrustError(_("{source} is not a NEASCN key card.").format(source=label))
    version = document.get("version")
    if type(version) is not int or version != KEYCARD_VERSION:  # not True, not 1.0
        raise TrustError(
            _("{source} has key card version {version}, which this app cannot read.").format(
                source=label, version=version
            )
        )
    names = (*_CARD_FIELDS, "signature")
    if any(not isinstance(document.get(name), str) for name in names):
        raise TrustError(_("{source} is missing fields of a key card.").format(source=label))
    unknown = sorted(set(document) - {"format", "version", *names})
    if unknown:  # unsigned extras: a reader must never show what the signature does not cover
        raise TrustError(_("{source} has an invalid value in the field {field}.").format(
            source=label, field=unknown[0][:40]))
    card = KeyCard(**{name: document[name] for name in _CARD_FIELDS})
    problem = identity_problem(card, label)
    if problem is not None:
        raise TrustError(problem)
    if not valid_time(card.created_at):
        raise TrustError(_("{source} has an invalid value in the field {field}.").format(
            source=label, field="created_at"))
    signature = key_bytes(document["signature"])
    signing = key_bytes(card.signing_public_key)
    assert signing is not None  # identity_problem checked it
    try:
        if signature is None or len(signature) != SIGNATURE_BYTES:
            raise InvalidSignature
        Ed25519PublicKey.from_public_bytes(signing).verify(signature, _canonical(card.signed_fields()))
    except (ValueError, InvalidSignature):
        raise TrustError(_("{source} has an invalid signature or key.").format(source=label)) from None
    return card


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two readers must never see two different cards in the same signed bytes.
    result = dict(pairs)
    if len(result) != len(pairs):
        raise ValueError("duplicate key")
    return result


def read_keycard(path: Path) -> KeyCard:
    try:
        with path.open("rb") as handle:
            data = handle.read(KEYCARD_MAX_BYTES + 1)
    except OSError as exc:
        raise TrustError(_("Cannot read {path}: {reason}").format(path=path, reason=exc.strerror or exc)) from exc
    return parse_keycard(data, str(path))


def _to_trusted(row: Any) -> TrustedDevice:
    return TrustedDevice(
        device_id=row.device_id,
        display_name=row.display_name,
        organisation=row.organisation,
        role=row.role,
        signing_public_key=row.signing_public_key,
        encryption_public_key=row.encryption_public_key,
        fingerprint=row.fingerprint,
        trusted_at=row.trusted_at,
        revoked_at=row.revoked_at,
    )


#: Kinds of ``TrustChange``: each needs its own explicit confirmation.
KEY_CHANGE = "key_change"  # a trusted device id with another signing key or role
NEW_SECRETARIAT = "new_secretariat"  # responses would go to another secretariat


@dataclass(frozen=True)
class TrustChange:
    """What trusting a device would change beyond adding it, shown to a person before it happens."""

    kind: str
    name: str
    fingerprint: str
    previous_name: str
    previous_fingerprint: str
    role: str = ""
    previous_role: str = ""

    @property
    def message(self) -> str:
        """One sentence naming the old and the new fingerprint."""
        if self.kind == NEW_SECRETARIAT:
            return _(
                "This device sends its responses to the secretariat {old_name} (fingerprint {old}); "
                "trusting {name} (fingerprint {new}) would send them to {name} instead."
            ).format(old_name=self.previous_name, old=self.previous_fingerprint, name=self.name,
                     new=self.fingerprint)
        if self.fingerprint == self.previous_fingerprint:
            return _("{name} is trusted as {old_role}; trusting it again would make it {new_role}.").format(
                name=self.name, old_role=_(ROLES.get(self.previous_role, self.previous_role)),
                new_role=_(ROLES.get(self.role, self.role)))
        return _(
            "{name} is trusted with the key fingerprint {old}; trusting it again would replace that key "
            "with the key fingerprint {new}."
        ).format(name=self.previous_name, old=self.previous_fingerprint, new=self.fingerprint)


class TrustChangeRefused(TrustError):
    """Trusting would make changes that were not confirmed; ``changes`` says which."""

    def __init__(self, changes: tuple[TrustChange, ...]) -> None:
        super().__init__(" ".join(change.message for change in changes))
        self.changes = changes


@dataclass(frozen=True)
class TrustDecision:
    """A device trusted: its row now, its row before (same device id) and the confirmed changes."""

    device: TrustedDevice
    previous: TrustedDevice | None
    changes: tuple[TrustChange, ...] = ()


def _current_secretariat(conn: Connection) -> TrustedDevice | None:
    t = trusted_device_table
    row = conn.execute(
        select(t).where(t.c.role == "secretariat", t.c.revoked_at.is_(None))
        .order_by(t.c.trusted_at.desc(), t.c.device_id)
    ).first()
    return _to_trusted(row) if row else None


def current_secretariat(db: Database) -> TrustedDevice | None:
    """The secretariat this device sends its responses to: of the trusted (not revoked)
    secretariats, the one trusted last.  The exporter encrypts for it and the export dialog
    names it; trusting another one is a ``NEW_SECRETARIAT`` change that needs confirming."""
    with db.connect() as conn:
        return _current_secretariat(conn)


def _changes(conn: Connection, device: DeviceIdentity) -> tuple[TrustChange, ...]:
    t = trusted_device_table
    new_fingerprint = fingerprint(device.signing_public_key)
    changes: list[TrustChange] = []
    row = conn.execute(select(t).where(t.c.device_id == device.device_id)).first()
    if row is not None and (row.signing_public_key != device.signing_public_key or row.role != device.role):
        changes.append(TrustChange(KEY_CHANGE, device.display_name, new_fingerprint, row.display_name,
                                   row.fingerprint, device.role, row.role))
    own_role = conn.scalar(select(profile_table.c.role).where(profile_table.c.id == 1))
    if device.role == "secretariat" and own_role != "secretariat":
        current = _current_secretariat(conn)
        if current is not None and current.device_id != device.device_id:
            changes.append(TrustChange(NEW_SECRETARIAT, device.display_name, new_fingerprint,
                                       current.display_name, current.fingerprint, device.role, current.role))
    return tuple(changes)


def trust_changes(db: Database, device: DeviceIdentity, source: str = "") -> tuple[TrustChange, ...]:
    """What trusting ``device`` would change that needs an explicit confirmation (nothing is
    written): what a front end shows before it asks.  An identity that cannot be trusted at
    all raises ``TrustError`` here already, so no unchecked name reaches a warning."""
    problem = identity_problem(device, source or _("the key card"))
    if problem is not None:
        raise TrustError(problem)
    with db.connect() as conn:
        return _changes(conn, device)


def decide_trust(target: Connection | Session, device: DeviceIdentity, *, accept: Iterable[str] = (),
                 source: str = "") -> TrustDecision:
    """Trust a device inside the caller's transaction (again, if it was revoked).

    The identity is checked strictly (``identity.checks``); a ``TrustChange`` whose kind is
    not in ``accept`` refuses the whole decision (``TrustChangeRefused``), so nothing changes
    silently.  ``source`` names where the identity came from, for error sentences.
    """
    conn = target if isinstance(target, Connection) else target.connection()
    problem = identity_problem(device, source or _("the key card"))
    if problem is not None:
        raise TrustError(problem)
    changes = _changes(conn, device)
    refused = tuple(change for change in changes if change.kind not in set(accept))
    if refused:
        raise TrustChangeRefused(refused)
    t = trusted_device_table
    row = conn.execute(select(t).where(t.c.device_id == device.device_id)).first()
    previous = _to_trusted(row) if row is not None else None
    values: dict[str, Any] = {
        "display_name": device.display_name, "organisation": device.organisation, "role": device.role,
        "signing_public_key": device.signing_public_key,
        "encryption_public_key": device.encryption_public_key,
        "fingerprint": fingerprint(device.signing_public_key),  # recomputed, never taken as given
        "trusted_at": datetime.now(UTC), "revoked_at": None,
    }
    if previous is None:
        conn.execute(insert(t).values(device_id=device.device_id, **values))
    else:
        conn.execute(update(t).where(t.c.device_id == device.device_id).values(**values))
    return TrustDecision(TrustedDevice(device_id=device.device_id, **values), previous, changes)


class RoleNotChosen(TrustError):
    """Trusting a sender as the role it claims needs the receiver to name the role."""


def role_needs_choice(own_role: str | None, claimed: str) -> bool:
    """Must the receiver name the role a sender that claims ``claimed`` is trusted as?

    A role is what the *receiver* decides (issue 13, defect 3): a manifest or a key card only
    claims one.  Taken as claimed without a choice: "field" (it changes only records it made
    itself), a "taskforce" peer on a task-force device, and, on a device that is not a
    secretariat, "secretariat" (its hub; replacing one is a ``NEW_SECRETARIAT`` change that
    needs its own confirmation).  Any other claim (a "secretariat" or a "taskforce" at the
    secretariat, which could rewrite every survey or every framework section there) is never
    granted by default.
    """
    if claimed == "field" or (claimed == "taskforce" and own_role == "taskforce"):
        return False
    return not (claimed == "secretariat" and own_role not in (None, "secretariat"))


def chosen_role(own_role: str | None, device: DeviceIdentity, role: str | None) -> str:
    """The role to trust ``device`` as: ``role`` (the receiver's choice) or, when none is
    given, the claimed one if ``role_needs_choice`` allows; else ``RoleNotChosen``."""
    if role is not None:
        if role not in ROLES:
            raise TrustError(_("{source} has an invalid value in the field {field}.").format(
                source=device.display_name, field="role"))
        return role
    if role_needs_choice(own_role, device.role):
        problem = identity_problem(device, _("the key card"))
        if problem is not None:  # never a name that failed the checks in a sentence
            raise TrustError(problem)
        raise RoleNotChosen(_(
            "{name} (fingerprint {fingerprint}) claims the role “{role}”, which may change records "
            "that other devices made; choose the role to trust it as.").format(
                name=device.display_name, fingerprint=fingerprint(device.signing_public_key),
                role=_(ROLES.get(device.role, device.role))))
    return device.role


def key_roll_allowed(trusted_signing_key: str, revoked_at: datetime | None, sender: DeviceIdentity) -> bool:
    """May a signed package adopt a new encryption key for a trusted device?  Only from the
    trusted device itself (the same signing key, not revoked) and only a usable key: a
    different device reusing the id, even one applied "only this once", never re-targets."""
    raw = key_bytes(sender.encryption_public_key)
    return (revoked_at is None and sender.signing_public_key == trusted_signing_key
            and raw is not None and usable_encryption_key(raw))


def trust_in_transaction(target: Connection | Session, device: DeviceIdentity) -> TrustedDevice:
    """``decide_trust`` confirming nothing: a change of key, role or secretariat is refused
    (the importer's trust on first use of a first secretariat never makes one)."""
    return decide_trust(target, device).device


def trust_keycard(db: Database, card: KeyCard, *, accept: Iterable[str] = ()) -> TrustedDevice:
    """Trust the device of a key card."""
    return trust_keycards(db, [card], accept=accept)[0]


def trust_keycards(db: Database, cards: list[KeyCard], *, accept: Iterable[str] = ()) -> list[TrustedDevice]:
    """Trust the devices of several key cards, all in one transaction (all or none).

    Without audit records: the front ends use ``sync.trusting``, which also writes them.
    """
    accepted = tuple(accept)
    with db.writing() as conn:
        return [decide_trust(conn, card, accept=accepted).device for card in cards]


def own_device_id(db: Database) -> str | None:
    """This data directory's device id (``None`` before a profile exists)."""
    with db.connect() as conn:
        return conn.scalar(select(profile_table.c.device_id).where(profile_table.c.id == 1))


def list_trusted(db: Database, include_revoked: bool = True) -> list[TrustedDevice]:
    t = trusted_device_table
    with db.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.display_name)).all()
        return [_to_trusted(r) for r in rows if include_revoked or r.revoked_at is None]


def find_trusted(db: Database, device_id: str) -> TrustedDevice | None:
    t = trusted_device_table
    with db.connect() as conn:
        row = conn.execute(select(t).where(t.c.device_id == device_id)).first()
        return _to_trusted(row) if row else None


def revoke(db: Database, device_id_or_prefix: str) -> TrustedDevice:
    """Revoke a trusted device by id (a unique prefix of at least 4 characters is enough)."""
    with db.writing() as conn:
        return revoke_in_transaction(conn, device_id_or_prefix)[0]


def revoke_in_transaction(conn: Connection, device_id_or_prefix: str) -> tuple[TrustedDevice, bool]:
    """``revoke`` inside the caller's transaction; also says whether it was trusted until now."""
    key = device_id_or_prefix.strip()
    t = trusted_device_table
    row = conn.execute(select(t).where(t.c.device_id == key)).first()
    if row is None and len(key) >= 4:
        matches = conn.execute(select(t).where(t.c.device_id.startswith(key, autoescape=True))).all()
        if len(matches) == 1:
            row = matches[0]
    if row is None:
        raise TrustError(_("No trusted device has the id {id}.").format(id=key))
    if row.revoked_at is not None:
        return _to_trusted(row), False
    conn.execute(update(t).where(t.c.device_id == row.device_id).values(revoked_at=datetime.now(UTC)))
    return _to_trusted(conn.execute(select(t).where(t.c.device_id == row.device_id)).one()), True
