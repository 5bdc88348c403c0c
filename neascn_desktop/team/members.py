"""The members of a team that shares one database, and the team keys they hold.

The database's profile is the team's identity as the field sees it: one device id, one
signing key, one encryption key (the team key field packages are encrypted for).  Each
member keeps their own key pair in their own data directory (``keys/member-*.pem``); the
team's private keys are stored in the database wrapped for each active member
(``team.wrapping``) and unwrapped into the member's ``keys/`` folder, where the exporter and
the importer find them as they find a single device's keys.  A member never sees another
member's private key.

- ``join``: a new member's data directory asks to join (its key pair is made, its request
  stored, the URL remembered);
- ``add_member``: an active admin wraps the team keys for the new member (the person who
  created the database becomes its first admin, ``enrol_creator``);
- ``remove_member``: the member's copies are deleted and the team encryption key rotated:
  the new key is wrapped for the remaining members only, and the next deployment announces it
  (the signing key too on request: the field must confirm it); the removed member's own
  application deletes the team keys it unwrapped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import Connection, delete, insert, select, update

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import N_, _
from neascn_desktop.identity.keys import (
    ENCRYPTION_KEY_FILE,
    SIGNING_KEY_FILE,
    b64,
    fingerprint,
    key_file_name,
    keys_dir,
    load_x25519,
    public_bytes,
    read_private_key,
    write_private_key,
)
from neascn_desktop.identity.profile import load_profile
from neascn_desktop.identity.tables import profile_table
from neascn_desktop.paths import MEMBER_KEY_FILE
from neascn_desktop.store.database import Actor, Database, open_database, set_actor, store_url
from neascn_desktop.sync import audit
from neascn_desktop.team import wrapping
from neascn_desktop.team.tables import team_key_table, team_member_table

MEMBER_SIGNING_FILE = "member-ed25519.pem"
MEMBER_ENCRYPTION_FILE = "member-x25519.pem"
SIGNING = "signing"  # the name of the team's signing key among the wrapped keys

ADMIN, MEMBER = "admin", "member"
REQUESTED, ACTIVE, REMOVED = "requested", "active", "removed"
MEMBER_ROLES = {ADMIN: N_("Admin"), MEMBER: N_("Member")}
STATUSES = {REQUESTED: N_("asked to join"), ACTIVE: N_("active"), REMOVED: N_("removed")}


class TeamError(NeascnError):
    """A team change is not possible; ``str()`` is a user-facing sentence."""


@dataclass(frozen=True)
class Member:
    member_id: str
    display_name: str
    organisation: str
    role: str
    status: str
    fingerprint: str
    requested_at: datetime
    decided_at: datetime | None
    me: bool = False

    @property
    def role_label(self) -> str:
        return _(MEMBER_ROLES.get(self.role, self.role))

    @property
    def status_label(self) -> str:
        return _(STATUSES.get(self.status, self.status))


@dataclass(frozen=True)
class MemberKeys:
    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @property
    def signing_public(self) -> str:
        return b64(public_bytes(self.signing.public_key()))

    @property
    def encryption_public(self) -> str:
        return b64(public_bytes(self.encryption.public_key()))


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def is_member_dir(data_dir: Path) -> bool:
    """Whether this data directory holds a member key pair (cheap: no database)."""
    return (data_dir / MEMBER_KEY_FILE).exists()


def member_keys(data_dir: Path, *, create: bool = False) -> MemberKeys | None:
    """This data directory's own member key pair (made on ``create`` when missing)."""
    folder = keys_dir(data_dir)
    signing_path, encryption_path = folder / MEMBER_SIGNING_FILE, folder / MEMBER_ENCRYPTION_FILE
    if not encryption_path.exists():
        if not create:
            return None
        keys = MemberKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
        write_private_key(signing_path, _pem(keys.signing))
        write_private_key(encryption_path, _pem(keys.encryption))
        return keys
    try:
        signing = serialization.load_pem_private_key(read_private_key(signing_path), None)
    except (OSError, ValueError) as exc:
        raise TeamError(_("The member keys in {path} cannot be read: {reason}").format(
            path=folder, reason=exc)) from exc
    encryption = load_x25519(encryption_path)
    if not isinstance(signing, Ed25519PrivateKey) or encryption is None:
        raise TeamError(_("The member keys in {path} cannot be read: {reason}").format(
            path=folder, reason=_("wrong key type")))
    return MemberKeys(signing, encryption)


def _to_member(row: Any, mine: str | None) -> Member:
    return Member(row.member_id, row.display_name, row.organisation, row.role, row.status, row.fingerprint,
                  row.requested_at, row.decided_at, me=row.encryption_public_key == mine)


def list_members(db: Database) -> list[Member]:
    keys = member_keys(db.data_dir)
    mine = keys.encryption_public if keys else None
    t = team_member_table
    with db.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.requested_at, t.c.display_name)).all()
    return [_to_member(row, mine) for row in rows]


def own_member(db: Database) -> Member | None:
    """This data directory's membership of the team, or ``None``."""
    return next((m for m in list_members(db) if m.me), None)


def _find(conn: Connection, ref: str) -> Any:
    """A member by id, or by (a unique start of) their fingerprint."""
    t = team_member_table
    ref = ref.strip()
    rows = conn.execute(select(t).where(t.c.member_id == ref)).all()
    if not rows and len(ref) >= 4:
        rows = [r for r in conn.execute(select(t)) if r.fingerprint.startswith(ref)]
    if len(rows) != 1:
        raise TeamError(_("No single member matches {ref}; see 'neascn member list'.").format(ref=ref))
    return rows[0]


# --- joining ------------------------------------------------------------------------------------


def join(data_dir: Path, url: str, *, name: str, organisation: str = "") -> Member:
    """Ask to join the team whose database is at ``url`` from the data directory ``data_dir``.

    Makes the member key pair (kept in ``data_dir``), stores the request and remembers the
    URL, so that later commands and the window open the shared database.  Asking again is
    harmless.  An active member then adds the request (``add_member``).
    """
    name = name.strip()
    if not name:
        raise TeamError(_("A member needs a display name."))
    data_dir = Path(data_dir)
    folder = keys_dir(data_dir)
    db = open_database(data_dir, url)
    try:
        profile = load_profile(db)
        if profile is None:
            raise TeamError(_("The database {location} has no profile yet: create it on one machine with "
                              "'neascn init' (or 'neascn db copy --to') first.").format(location=db.location))
        own_device_key = folder / SIGNING_KEY_FILE
        if own_device_key.exists() and not is_member_dir(data_dir):
            raise TeamError(_("{path} already holds the keys of a profile; join from a new data "
                              "directory.").format(path=data_dir))
        keys = member_keys(data_dir, create=True)
        assert keys is not None
        t = team_member_table
        with db.writing() as conn:
            row = conn.execute(select(t).where(t.c.encryption_public_key == keys.encryption_public)).first()
            if row is None:
                conn.execute(insert(t).values(
                    member_id=str(uuid.uuid4()), display_name=name[:200], organisation=organisation.strip()[:200],
                    role=MEMBER, status=REQUESTED, signing_public_key=keys.signing_public,
                    encryption_public_key=keys.encryption_public, fingerprint=fingerprint(keys.signing_public),
                    requested_at=datetime.now(UTC), decided_at=None, decided_by=None))
                row = conn.execute(select(t).where(t.c.encryption_public_key == keys.encryption_public)).one()
        store_url(data_dir, url)
        return _to_member(row, keys.encryption_public)
    finally:
        db.dispose()


# --- the team's private keys --------------------------------------------------------------------


def _team_secrets(db: Database) -> dict[str, bytes]:
    """The team's private keys as this member holds them: ``signing`` and every encryption key
    by fingerprint (PEM)."""
    from neascn_desktop.sync import keystore

    profile = load_profile(db)
    assert profile is not None
    folder = keys_dir(db.data_dir)
    secrets: dict[str, bytes] = {}
    try:
        signing = serialization.load_pem_private_key(read_private_key(folder / SIGNING_KEY_FILE), None)
    except (OSError, ValueError):
        signing = None
    if not isinstance(signing, Ed25519PrivateKey) or \
            b64(public_bytes(signing.public_key())) != profile.signing_public_key:
        raise TeamError(_("This data directory does not hold the team's keys yet: ask a member to add "
                          "you."))
    secrets[SIGNING] = _pem(signing)
    lookup = keystore.private_key_lookup(db)
    for info in keystore.list_encryption_keys(db):
        key = lookup(info.fingerprint)
        if key is not None:
            secrets[info.fingerprint] = _pem(key)
    return secrets


def _wrap_all(conn: Connection, member: Any, secrets: dict[str, bytes], now: datetime) -> None:
    k = team_key_table
    for name, secret in secrets.items():
        conn.execute(delete(k).where(k.c.member_id == member.member_id, k.c.key == name))
        conn.execute(insert(k).values(member_id=member.member_id, key=name, created_at=now,
                                      wrapped=wrapping.wrap(secret, member.encryption_public_key,
                                                            member.member_id, name)))


def enrol_creator(db: Database) -> Member | None:
    """Make the data directory that created the database the team's first admin, if the team has
    no admin yet and this directory holds the team's keys; this directory's membership (or
    ``None``: not the creator, or the team has an admin already who is not this directory).

    Called when the team becomes one: the database moved to a server (``db copy --switch``),
    a member list shown once somebody asked to join, a first ``member add``.
    """
    me = own_member(db)
    if me is not None:
        return me
    t = team_member_table
    with db.connect() as conn:
        if conn.scalar(select(t.c.member_id).where(t.c.role == ADMIN, t.c.status == ACTIVE).limit(1)):
            return None
    try:
        secrets = _team_secrets(db)
    except TeamError:
        return None  # not the creator's data directory
    profile = load_profile(db)
    assert profile is not None
    keys = member_keys(db.data_dir, create=True)
    assert keys is not None
    now = datetime.now(UTC)
    with db.writing() as conn:  # the check again under the write lock: one first admin
        if conn.scalar(select(t.c.member_id).where(t.c.role == ADMIN, t.c.status == ACTIVE).limit(1)) is None:
            member_id = str(uuid.uuid4())
            conn.execute(insert(t).values(
                member_id=member_id, display_name=profile.display_name, organisation=profile.organisation,
                role=ADMIN, status=ACTIVE, signing_public_key=keys.signing_public,
                encryption_public_key=keys.encryption_public, fingerprint=fingerprint(keys.signing_public),
                requested_at=now, decided_at=now, decided_by=member_id))
            _wrap_all(conn, conn.execute(select(t).where(t.c.member_id == member_id)).one(), secrets, now)
    me = own_member(db)
    if me is not None:
        _name_actor(db, me)
    return me


def list_team(db: Database) -> list[Member]:
    """The members as a member list shows them: the creator of the database is listed (made the
    first admin) as soon as anybody asked to join, not only after their first ``add``."""
    members = list_members(db)
    if members and not any(m.me or (m.role == ADMIN and m.status == ACTIVE) for m in members):
        if enrol_creator(db) is not None:
            members = list_members(db)
    return members


def _name_actor(db: Database, me: Any) -> None:
    """The audit rows this process writes name this member (``store.database.set_actor``)."""
    set_actor(db.engine, Actor(me.member_id, me.display_name, me.fingerprint))


def _acting_admin(db: Database) -> Member:
    """The member this data directory is, allowed to add and remove members (the data directory
    that created the database becomes the first admin here, see ``enrol_creator``)."""
    me = own_member(db)
    if me is None:
        _team_secrets(db)  # refuses a data directory without the team's keys
        me = enrol_creator(db)
        if me is None:
            raise TeamError(_("This data directory is not a member of the team."))
    if me.status != ACTIVE or me.role != ADMIN:
        raise TeamError(_("Only an active admin of the team may add or remove members."))
    return me


def add_member(db: Database, ref: str, *, role: str = MEMBER) -> Member:
    """Add the member who asked to join (or was removed): wrap the team keys for them."""
    if role not in MEMBER_ROLES:
        raise TeamError(_("Unknown member role {role}; choose one of: {choices}.").format(
            role=role, choices=", ".join(MEMBER_ROLES)))
    me = _acting_admin(db)
    refresh_team_keys(db)
    secrets = _team_secrets(db)
    t = team_member_table
    now = datetime.now(UTC)
    with db.writing() as conn:
        row = _find(conn, ref)
        if row.member_id == me.member_id:
            raise TeamError(_("You are a member already."))
        _wrap_all(conn, row, secrets, now)
        conn.execute(update(t).where(t.c.member_id == row.member_id).values(
            status=ACTIVE, role=role, decided_at=now, decided_by=me.member_id))
        row = conn.execute(select(t).where(t.c.member_id == row.member_id)).one()
        audit.record(conn, action="member", verdict="member_added", message=audit.event(
            N_("Added {name} (fingerprint {fingerprint}) to the team."), name=row.display_name,
            fingerprint=row.fingerprint))
    return _to_member(row, None)


@dataclass(frozen=True)
class Removal:
    member: Member
    new_key_fingerprint: str
    #: With ``new_signing_key``: the fingerprint of the team's new signing key (its new key card's).
    new_signing_fingerprint: str | None = None


def remove_member(db: Database, ref: str, *, new_signing_key: bool = False) -> Removal:
    """Remove a member: delete their copies of the team keys and rotate the team encryption key.

    The new key is wrapped for the remaining active members only; packages encrypted for it
    (after the next deployment announces it) are readable by them alone.  Older packages
    stay readable with the retired keys.

    The team's signing key (what field devices trust) is replaced only on ``new_signing_key``:
    a member who kept a copy of it could otherwise still sign deployments the field accepts,
    but every field device must then confirm the new key from a new key card (the package
    waits as "key changed" until it does) -- see docs/shared-database.md, "What removal revokes".
    """
    from neascn_desktop.sync import crypto
    from neascn_desktop.sync.tables import encryption_key_table

    me = _acting_admin(db)
    refresh_team_keys(db)
    t, k = team_member_table, team_key_table
    with db.connect() as conn:
        target = _find(conn, ref)
    if target.member_id == me.member_id:
        raise TeamError(_("You cannot remove yourself; ask another admin."))
    new = X25519PrivateKey.generate()
    public = b64(public_bytes(new.public_key()))
    fp = crypto.encryption_key_fingerprint(public)
    pem = _pem(new)
    folder = keys_dir(db.data_dir)
    write_private_key(folder / key_file_name(fp), pem)  # first: a crash loses no key
    now = datetime.now(UTC)
    e = encryption_key_table
    # The new signing key is written to keys/ after the commit: it is wrapped for this member
    # too, so a crash in between is mended by the next start (``refresh_team_keys``).
    signing = Ed25519PrivateKey.generate() if new_signing_key else None
    signing_public = b64(public_bytes(signing.public_key())) if signing is not None else None
    with db.writing() as conn:
        conn.execute(delete(k).where(k.c.member_id == target.member_id))
        conn.execute(update(t).where(t.c.member_id == target.member_id).values(
            status=REMOVED, decided_at=now, decided_by=me.member_id))
        conn.execute(update(e).where(e.c.current.is_(True)).values(current=False, retired_at=now))
        conn.execute(insert(e).values(fingerprint=fp, public_key=public, file_name=key_file_name(fp),
                                      created_at=now, retired_at=None, current=True))
        conn.execute(update(profile_table).where(profile_table.c.id == 1).values(encryption_public_key=public))
        wrap_for_members(conn, fp, pem, now)
        removed = conn.execute(select(t).where(t.c.member_id == target.member_id)).one()
        audit.record(conn, action="member", verdict="member_removed", message=audit.event(
            N_("Removed {name} (fingerprint {fingerprint}) from the team; new team key {key}."),
            name=removed.display_name, fingerprint=removed.fingerprint, key=fp))
        if signing is not None and signing_public is not None:
            conn.execute(update(profile_table).where(profile_table.c.id == 1).values(
                signing_public_key=signing_public))
            wrap_for_members(conn, SIGNING, _pem(signing), now)
            audit.record(conn, action="key", verdict="rotated", message=audit.event(
                N_("New team signing key {fingerprint}: field devices confirm it from the new key card."),
                fingerprint=fingerprint(signing_public)))
    write_private_key(folder / ENCRYPTION_KEY_FILE, pem)
    if signing is not None and signing_public is not None:
        write_private_key(folder / SIGNING_KEY_FILE, _pem(signing))
        return Removal(_to_member(removed, None), fp, fingerprint(signing_public))
    return Removal(_to_member(removed, None), fp)


def wrap_for_members(conn: Connection, fp: str, pem: bytes, now: datetime) -> None:
    """Wrap a new team key (an encryption key's fingerprint, or ``SIGNING``) for every active
    member (in the caller's transaction)."""
    t = team_member_table
    for member in conn.execute(select(t).where(t.c.status == ACTIVE)).all():
        _wrap_all(conn, member, {fp: pem}, now)


def refresh_team_keys(db: Database) -> int:
    """Unwrap into this member's ``keys/`` the team keys it does not hold yet (a new member's
    first start, a rotation by another member); the number of keys written.

    Nothing happens in a data directory that is not a member's.  A removed member is told so.
    """
    if not is_member_dir(db.data_dir):
        return 0
    keys = member_keys(db.data_dir)
    assert keys is not None
    t, k = team_member_table, team_key_table
    with db.connect() as conn:
        me = conn.execute(select(t).where(t.c.encryption_public_key == keys.encryption_public)).first()
        if me is None:
            return 0
        if me.status == REMOVED:
            if _forget_team_keys(db.data_dir):
                raise TeamError(_("You were removed from the team of {location}; the team's keys are deleted "
                                  "from this data directory.").format(location=db.location))
            raise TeamError(_("You were removed from the team of {location}.").format(location=db.location))
        _name_actor(db, me)
        if me.status == REQUESTED:
            return 0
        wrapped = {row.key: row.wrapped for row in conn.execute(
            select(k.c.key, k.c.wrapped).where(k.c.member_id == me.member_id))}
        profile = conn.execute(select(profile_table).where(profile_table.c.id == 1)).first()
    if profile is None:
        return 0
    folder = keys_dir(db.data_dir)
    written = 0

    def shown(name: str) -> str:  # keys are named by their fingerprints in messages
        return fingerprint(profile.signing_public_key) if name == SIGNING else name

    def opened(name: str) -> bytes:
        try:
            return wrapping.unwrap(wrapped[name], keys.encryption, me.member_id, name)
        except wrapping.UnwrapFailed as exc:
            raise TeamError(_("The team key {name} stored for you cannot be opened with your member key.")
                            .format(name=shown(name))) from exc

    signing_file = folder / SIGNING_KEY_FILE
    if SIGNING in wrapped and not _holds_signing(signing_file, profile.signing_public_key):
        pem = opened(SIGNING)
        key = serialization.load_pem_private_key(pem, None)
        if not isinstance(key, Ed25519PrivateKey) or \
                b64(public_bytes(key.public_key())) != profile.signing_public_key:
            raise TeamError(_("The team key {name} stored for you is not the team's.").format(name=shown(SIGNING)))
        write_private_key(signing_file, pem)
        written += 1
    from neascn_desktop.sync import crypto

    for name in sorted(set(wrapped) - {SIGNING}):
        path = folder / key_file_name(name)
        current = crypto.encryption_key_fingerprint(profile.encryption_public_key) == name
        if path.exists() and not (current and not _holds_encryption(folder / ENCRYPTION_KEY_FILE, name)):
            continue
        pem = opened(name)
        key = serialization.load_pem_private_key(pem, None)
        if not isinstance(key, X25519PrivateKey) or \
                crypto.encryption_key_fingerprint(b64(public_bytes(key.public_key()))) != name:
            raise TeamError(_("The team key {name} stored for you is not the team's.").format(name=name))
        write_private_key(path, pem)
        if current:
            write_private_key(folder / ENCRYPTION_KEY_FILE, pem)
        written += 1
    return written


def _forget_team_keys(data_dir: Path) -> int:
    """Delete the team's private keys from a removed member's ``keys/`` (the member's own keys
    stay: they may be added again); how many files were deleted.

    This protects the keys on an honest member's laptop (lost later, say); it cannot take back
    a copy someone made on purpose: see docs/shared-database.md, "What removal revokes".
    """
    folder = keys_dir(data_dir)
    forgotten = 0
    for path in [folder / SIGNING_KEY_FILE, folder / ENCRYPTION_KEY_FILE, *folder.glob(key_file_name("*"))]:
        try:
            path.unlink()
            forgotten += 1
        except FileNotFoundError:
            continue
    return forgotten


def _holds_signing(path: Path, public: str) -> bool:
    try:
        key = serialization.load_pem_private_key(read_private_key(path), None)
    except (OSError, ValueError):
        return False
    return isinstance(key, Ed25519PrivateKey) and b64(public_bytes(key.public_key())) == public


def _holds_encryption(path: Path, fp: str) -> bool:
    from neascn_desktop.sync import crypto

    key = load_x25519(path)
    return key is not None and crypto.encryption_key_fingerprint(b64(public_bytes(key.public_key()))) == fp
