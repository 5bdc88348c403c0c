"""This profile's encryption keys over time, their rotation, and passphrase-protected backups.

Every X25519 key this profile ever used stays as ``<data dir>/keys/x25519-<id>.pem``
(listed in ``sync_encryption_key``) so that packages encrypted for a retired key
still open.  ``device-x25519.pem`` (read by ``identity.keys``) is a copy of the
current one.  A backup file holds the signing key and every encryption key,
sealed with a passphrase (scrypt + AES-256-GCM); restoring it into an empty
data directory brings back the same device identity, so a lost laptop never
means lost packages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import insert, select, update

from neascn_desktop.i18n import _
from neascn_desktop.identity.keys import (
    ENCRYPTION_KEY_FILE,
    SIGNING_KEY_FILE,
    b64,
    key_file_name,
    key_files_lookup,
    keys_dir,
    load_device_keys,
    public_bytes,
    write_private_key,
)
from neascn_desktop.identity.profile import ROLES, Profile, load_profile
from neascn_desktop.identity.tables import profile_table
from neascn_desktop.store.database import Database
from neascn_desktop.sync import crypto
from neascn_desktop.sync.errors import KeyBackupError, PackageError
from neascn_desktop.sync.tables import encryption_key_table

BACKUP_FORMAT = "neascn-key-backup"
BACKUP_VERSION = 1
BACKUP_MAX_BYTES = 1024 * 1024
MIN_PASSPHRASE = 10


@dataclass(frozen=True)
class EncryptionKeyInfo:
    fingerprint: str
    public_key: str
    created_at: datetime
    retired_at: datetime | None
    current: bool


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_private(path: Path, data: bytes) -> None:
    """Write a file readable by the owner only, atomically (the key backup: it is sealed by
    its passphrase, not by this computer, so that it opens on another one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _public_b64(key: X25519PrivateKey) -> str:
    return b64(public_bytes(key.public_key()))


def ensure_registry(db: Database) -> None:
    """Register the device's encryption key as the current one (first use of this module)."""
    k = encryption_key_table
    with db.connect() as conn:
        if conn.scalar(select(k.c.fingerprint).limit(1)) is not None:
            return
    if load_profile(db) is None:
        return
    key = load_device_keys(db.data_dir).encryption
    public = _public_b64(key)
    fp = crypto.encryption_key_fingerprint(public)
    name = key_file_name(fp)
    path = keys_dir(db.data_dir) / name
    if not path.exists():
        write_private_key(path, _pem(key))
    with db.writing() as conn:
        if conn.scalar(select(k.c.fingerprint).where(k.c.fingerprint == fp)) is None:
            conn.execute(insert(k).values(fingerprint=fp, public_key=public, file_name=name,
                                          created_at=datetime.now(UTC), retired_at=None, current=True))


def list_encryption_keys(db: Database) -> list[EncryptionKeyInfo]:
    ensure_registry(db)
    k = encryption_key_table
    with db.connect() as conn:
        rows = conn.execute(select(k).order_by(k.c.created_at)).all()
        return [EncryptionKeyInfo(r.fingerprint, r.public_key, r.created_at, r.retired_at, r.current)
                for r in rows]


def private_key_lookup(db: Database) -> Callable[[str], X25519PrivateKey | None]:
    """A function from a key fingerprint to one of our private keys (current or retired)."""
    ensure_registry(db)
    k = encryption_key_table
    with db.connect() as conn:
        files = {r.fingerprint: r.file_name for r in conn.execute(select(k.c.fingerprint, k.c.file_name))}
    # The registry may be behind the files (a restore, a crash mid-rotation): the lookup also
    # tries the file named after the fingerprint and the device's own key.
    return key_files_lookup(db.data_dir, files)


def rotate_encryption_key(db: Database) -> EncryptionKeyInfo:
    """Make a new current encryption key; the old ones stay to open older packages.

    Other devices learn the new key from the next deployment package (or key card).  On a
    team's shared database the new key is wrapped for every active member in the same
    transaction (``team.members``), so all of them can open what is encrypted for it.
    """
    from neascn_desktop.team.members import wrap_for_members

    profile = load_profile(db)
    if profile is None:
        raise PackageError(_("No profile yet: run 'neascn init' first."))
    ensure_registry(db)
    new = X25519PrivateKey.generate()
    public = _public_b64(new)
    fp = crypto.encryption_key_fingerprint(public)
    name = key_file_name(fp)
    folder = keys_dir(db.data_dir)
    # Order chosen so a crash at any point loses no key: the new key file is
    # written first, the registry next, the convenience copy last.
    write_private_key(folder / name, _pem(new))
    now = datetime.now(UTC)
    k = encryption_key_table
    with db.writing() as conn:
        conn.execute(update(k).where(k.c.current.is_(True)).values(current=False, retired_at=now))
        conn.execute(insert(k).values(fingerprint=fp, public_key=public, file_name=name,
                                      created_at=now, retired_at=None, current=True))
        conn.execute(update(profile_table).where(profile_table.c.id == 1)
                     .values(encryption_public_key=public))
        wrap_for_members(conn, fp, _pem(new), now)
    write_private_key(folder / ENCRYPTION_KEY_FILE, _pem(new))
    return EncryptionKeyInfo(fp, public, now, None, True)


# --- backup and restore ------------------------------------------------------------------------

def _aad(device_id: str) -> bytes:
    return b"neascn-key-backup/1\x00" + device_id.encode("utf-8")


def backup_keys(db: Database, target: Path, passphrase: str) -> int:
    """Write every private key of this profile to ``target``, sealed with ``passphrase``.

    Returns the number of encryption keys saved.
    """
    profile = load_profile(db)
    if profile is None:
        raise KeyBackupError(_("No profile yet: run 'neascn init' first."))
    if len(passphrase) < MIN_PASSPHRASE:
        raise KeyBackupError(_("The passphrase must have at least {count} characters.").format(
            count=MIN_PASSPHRASE))
    ensure_registry(db)
    device = load_device_keys(db.data_dir)
    lookup = private_key_lookup(db)
    keys = []
    for info in list_encryption_keys(db):
        private = lookup(info.fingerprint)
        if private is None:
            raise KeyBackupError(_("The encryption key {fingerprint} is missing from {path}.").format(
                fingerprint=info.fingerprint, path=keys_dir(db.data_dir)))
        keys.append({"fingerprint": info.fingerprint, "public_key": info.public_key,
                     "private_key": _pem(private).decode("ascii"), "current": info.current,
                     "created_at": info.created_at.isoformat(),
                     "retired_at": info.retired_at.isoformat() if info.retired_at else None})
    secret = {
        "profile": {
            "display_name": profile.display_name, "organisation": profile.organisation,
            "role": profile.role, "language": profile.language, "device_id": profile.device_id,
            "signing_public_key": profile.signing_public_key,
            "encryption_public_key": profile.encryption_public_key,
        },
        "signing_key": _pem(device.signing).decode("ascii"),
        "encryption_keys": keys,
    }
    document = {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "device_id": profile.device_id,
        "display_name": profile.display_name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sealed": crypto.seal_with_passphrase(passphrase, json.dumps(secret).encode("utf-8"),
                                              _aad(profile.device_id)),
    }
    try:
        _write_private(Path(target), (json.dumps(document, indent=2) + "\n").encode("utf-8"))
    except OSError as exc:
        raise KeyBackupError(_("Cannot write {path}: {reason}").format(
            path=target, reason=exc.strerror or exc)) from exc
    return len(keys)


@dataclass(frozen=True)
class RestoreResult:
    device_id: str
    display_name: str
    created_profile: bool
    keys_added: int


@dataclass(frozen=True)
class KeyBackup:
    """A backup file opened with its passphrase and checked, before anything is written."""

    profile: dict[str, Any]
    signing: Ed25519PrivateKey
    encryption_keys: tuple[tuple[dict[str, Any], X25519PrivateKey], ...]


def read_backup(source: Path, passphrase: str) -> KeyBackup:
    """Open and check a backup file; writes nothing, so a wrong passphrase or a damaged file
    leaves the target data directory exactly as it was."""
    source = Path(source)
    try:
        with source.open("rb") as handle:
            data = handle.read(BACKUP_MAX_BYTES + 1)
    except OSError as exc:
        raise KeyBackupError(_("Cannot read {path}: {reason}").format(
            path=source, reason=exc.strerror or exc)) from exc
    bad = KeyBackupError(_("{path} is not a NEASCN key backup.").format(path=source.name))
    if len(data) > BACKUP_MAX_BYTES:
        raise bad
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise bad
    if document.get("version") != BACKUP_VERSION:
        raise KeyBackupError(_("{path} has key backup version {version}, which this app cannot read.").format(
            path=source.name, version=document.get("version")))
    device_id = document.get("device_id")
    if not isinstance(device_id, str) or not isinstance(document.get("sealed"), dict):
        raise bad
    try:
        plain = crypto.open_with_passphrase(passphrase, document["sealed"], _aad(device_id))
    except crypto.DecryptionFailed:
        raise KeyBackupError(
            _("The passphrase is wrong or {path} was altered.").format(path=source.name)) from None
    try:
        secret = json.loads(plain.decode("utf-8"))
        prof = secret["profile"]
        signing = serialization.load_pem_private_key(secret["signing_key"].encode("ascii"), None)
        enc_keys = [(entry, serialization.load_pem_private_key(entry["private_key"].encode("ascii"), None))
                    for entry in secret["encryption_keys"]]
        for entry, _key in enc_keys:
            datetime.fromisoformat(entry["created_at"])
            if entry.get("retired_at"):
                datetime.fromisoformat(entry["retired_at"])
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise bad from None
    if not isinstance(prof, dict) or not isinstance(signing, Ed25519PrivateKey) or prof.get("role") not in ROLES:
        raise bad
    checked: list[tuple[dict[str, Any], X25519PrivateKey]] = []
    for entry, key in enc_keys:
        if not isinstance(entry, dict) or not isinstance(key, X25519PrivateKey):
            raise bad
        checked.append((entry, key))
    if prof.get("device_id") != device_id or not any(e.get("current") for e, _k in checked):
        raise bad
    return KeyBackup(prof, signing, tuple(checked))


def restore_keys(db: Database, source: Path, passphrase: str) -> RestoreResult:
    """Bring back a backup file (see ``restore_backup``)."""
    return restore_backup(db, read_backup(source, passphrase))


def restore_backup(db: Database, backup: KeyBackup) -> RestoreResult:
    """Bring back an opened backup: into an empty data directory (the same identity on a new
    machine) or into the same profile (missing encryption keys come back)."""
    prof, signing = backup.profile, backup.signing
    existing = load_profile(db)
    if existing is not None and existing.device_id != prof["device_id"]:
        raise KeyBackupError(_(
            "This data directory belongs to another device ({name}); restore the backup into an empty data directory."
        ).format(name=existing.display_name))
    folder = keys_dir(db.data_dir)
    current_key: X25519PrivateKey | None = None
    added = 0
    rows: list[dict[str, Any]] = []
    for entry, key in backup.encryption_keys:
        public = _public_b64(key)
        fp = crypto.encryption_key_fingerprint(public)
        name = key_file_name(fp)
        if not (folder / name).exists():
            write_private_key(folder / name, _pem(key))
            added += 1
        if entry.get("current"):
            current_key = key
        rows.append({
            "fingerprint": fp, "public_key": public, "file_name": name,
            "created_at": datetime.fromisoformat(entry["created_at"]),
            "retired_at": datetime.fromisoformat(entry["retired_at"]) if entry.get("retired_at") else None,
            "current": bool(entry.get("current"))})
    created = existing is None
    if created:
        assert current_key is not None  # read_backup insists on a current key
        write_private_key(folder / SIGNING_KEY_FILE, _pem(signing))
        write_private_key(folder / ENCRYPTION_KEY_FILE, _pem(current_key))
    k = encryption_key_table
    with db.writing() as conn:
        if created:
            assert current_key is not None
            conn.execute(insert(profile_table).values(
                id=1, display_name=prof["display_name"], organisation=prof.get("organisation", ""),
                role=prof["role"], language=prof.get("language", "en"), device_id=prof["device_id"],
                signing_public_key=prof["signing_public_key"],
                encryption_public_key=_public_b64(current_key),
                created_at=datetime.now(UTC)))
        have_current = conn.scalar(select(k.c.fingerprint).where(k.c.current.is_(True)))
        for row in rows:
            if conn.scalar(select(k.c.fingerprint).where(k.c.fingerprint == row["fingerprint"])) is None:
                if have_current and row["current"]:
                    row["current"] = False  # this profile has moved on since the backup
                    row["retired_at"] = row["retired_at"] or datetime.now(UTC)
                conn.execute(insert(k).values(**row))
    return RestoreResult(prof["device_id"], prof["display_name"], created, added)


def own_profile_or_error(db: Database) -> Profile:
    profile = load_profile(db)
    if profile is None:
        raise PackageError(_("No profile yet: run 'neascn init' first."))
    return profile
