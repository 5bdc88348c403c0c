"""Key cards: a device's public identity as a small signed file, and the list of trusted devices."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, insert, select, update

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import _
from neascn_desktop.identity.keys import b64, fingerprint, load_device_keys, unb64
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


def parse_keycard(data: bytes, source: str = "") -> KeyCard:
    """Check a key card's shape and self-signature; raises ``TrustError`` with one sentence."""
    label = source or _("the key card")
    if len(data) > KEYCARD_MAX_BYTES:
        raise TrustError(_("{source} is too large to be a key card.").format(source=label))
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise TrustError(_("{source} is not a key card (it is not valid JSON).").format(source=label)) from None
    if not isinstance(document, dict) or document.get("format") != KEYCARD_FORMAT:
        raise TrustError(_("{source} is not a NEASCN key card.").format(source=label))
    if document.get("version") != KEYCARD_VERSION:
        raise TrustError(
            _("{source} has key card version {version}, which this app cannot read.").format(
                source=label, version=document.get("version")
            )
        )
    names = ("device_id", "display_name", "organisation", "role", "signing_public_key",
             "encryption_public_key", "created_at", "signature")
    if any(not isinstance(document.get(name), str) for name in names):
        raise TrustError(_("{source} is missing fields of a key card.").format(source=label))
    card = KeyCard(**{name: document[name] for name in names if name != "signature"})
    try:
        public = Ed25519PublicKey.from_public_bytes(unb64(card.signing_public_key))
        unb64(card.encryption_public_key)
        public.verify(unb64(document["signature"]), _canonical(card.signed_fields()))
    except (ValueError, InvalidSignature):
        raise TrustError(_("{source} has an invalid signature or key.").format(source=label)) from None
    if card.role not in ROLES:
        raise TrustError(_("{source} names an unknown role.").format(source=label))
    return card


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


class DeviceIdentity(Protocol):
    """What trusting a device needs: a key card, or the sender of a signed package."""

    @property
    def device_id(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def organisation(self) -> str: ...

    @property
    def role(self) -> str: ...

    @property
    def signing_public_key(self) -> str: ...

    @property
    def encryption_public_key(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...


def trust_in_transaction(target: Connection | Session, device: DeviceIdentity) -> TrustedDevice:
    """Trust a device inside the caller's transaction (again, if it was revoked: the new keys
    replace the old ones).  ``trust add`` and the inbox's "trust the sender" both come here.

    ``target``: a Core connection, or an ORM session (its connection is used).
    """
    conn = target if isinstance(target, Connection) else target.connection()
    t = trusted_device_table
    values: dict[str, Any] = {
        "display_name": device.display_name, "organisation": device.organisation, "role": device.role,
        "signing_public_key": device.signing_public_key,
        "encryption_public_key": device.encryption_public_key, "fingerprint": device.fingerprint,
        "trusted_at": datetime.now(UTC), "revoked_at": None,
    }
    if conn.scalar(select(t.c.device_id).where(t.c.device_id == device.device_id)) is None:
        conn.execute(insert(t).values(device_id=device.device_id, **values))
    else:
        conn.execute(update(t).where(t.c.device_id == device.device_id).values(**values))
    return TrustedDevice(device_id=device.device_id, **values)


def trust_keycard(db: Database, card: KeyCard) -> TrustedDevice:
    """Trust the device of a key card."""
    return trust_keycards(db, [card])[0]


def trust_keycards(db: Database, cards: list[KeyCard]) -> list[TrustedDevice]:
    """Trust the devices of several key cards, all in one transaction."""
    with db.writing() as conn:
        return [trust_in_transaction(conn, card) for card in cards]


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
    key = device_id_or_prefix.strip()
    t = trusted_device_table
    with db.writing() as conn:
        row = conn.execute(select(t).where(t.c.device_id == key)).first()
        if row is None and len(key) >= 4:
            matches = conn.execute(select(t).where(t.c.device_id.startswith(key, autoescape=True))).all()
            if len(matches) == 1:
                row = matches[0]
        if row is None:
            raise TrustError(_("No trusted device has the id {id}.").format(id=key))
        if row.revoked_at is None:
            conn.execute(update(t).where(t.c.device_id == row.device_id).values(revoked_at=datetime.now(UTC)))
            row = conn.execute(select(t).where(t.c.device_id == row.device_id)).one()
        return _to_trusted(row)
