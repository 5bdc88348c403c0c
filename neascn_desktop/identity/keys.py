"""The device's key pairs: Ed25519 to sign packages, X25519 to receive encrypted ones.

Private keys live as PKCS#8 PEM files in ``<data dir>/keys/``, readable by the
owner only (on Windows sealed with DPAPI as well: ``key_protection``); public
keys travel in key cards and package manifests as base64.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import _
from neascn_desktop.identity import key_protection

SIGNING_KEY_FILE = "device-ed25519.pem"
ENCRYPTION_KEY_FILE = "device-x25519.pem"


class KeyError_(NeascnError):
    """A key file is missing or unreadable; ``str()`` is a user-facing sentence."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def fingerprint(signing_public_key_b64: str) -> str:
    """A short, readable fingerprint of a signing key: 8 groups of 4 hex digits of its SHA-256."""
    digest = hashlib.sha256(unb64(signing_public_key_b64)).hexdigest()[:32]
    return ":".join(digest[i : i + 4] for i in range(0, 32, 4))


def public_bytes(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def keys_dir(data_dir: Path) -> Path:
    return data_dir / "keys"


def canonical_uuid(value: object) -> bool:
    """``value`` is a UUID in its canonical lower-case form (how device and package ids are written)."""
    if not isinstance(value, str):
        return False
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def write_private_key(path: Path, pem: bytes) -> None:
    """Write a private key file atomically, owner-only, sealed where the system offers a key
    store (``key_protection``).  Every private key file goes through here."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:
        pass
    # A name of its own per writer: two threads (the Inbox's preview and its import) may
    # register the same key at once, and must not rename each other's half-written file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    fd = os.open(tmp, flags, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(key_protection.seal(pem))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_private_key(path: Path) -> bytes:
    """The PEM of a private key file written by ``write_private_key`` (or a plain PEM file)."""
    return key_protection.unseal(path.read_bytes(), path)


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass(frozen=True)
class DeviceKeys:
    signing: Ed25519PrivateKey
    encryption: X25519PrivateKey

    @property
    def signing_public_b64(self) -> str:
        return b64(public_bytes(self.signing.public_key()))

    @property
    def encryption_public_b64(self) -> str:
        return b64(public_bytes(self.encryption.public_key()))


def generate_device_keys(data_dir: Path) -> DeviceKeys:
    keys = DeviceKeys(Ed25519PrivateKey.generate(), X25519PrivateKey.generate())
    write_private_key(keys_dir(data_dir) / SIGNING_KEY_FILE, _pem(keys.signing))
    write_private_key(keys_dir(data_dir) / ENCRYPTION_KEY_FILE, _pem(keys.encryption))
    return keys


def load_device_keys(data_dir: Path) -> DeviceKeys:
    folder = keys_dir(data_dir)
    try:
        signing = serialization.load_pem_private_key(read_private_key(folder / SIGNING_KEY_FILE), None)
        encryption = serialization.load_pem_private_key(read_private_key(folder / ENCRYPTION_KEY_FILE), None)
    except (OSError, ValueError) as exc:
        raise KeyError_(
            _("The device keys in {path} cannot be read: {reason}").format(path=folder, reason=exc)
        ) from exc
    if not isinstance(signing, Ed25519PrivateKey) or not isinstance(encryption, X25519PrivateKey):
        raise KeyError_(_("The device keys in {path} are of the wrong type.").format(path=folder))
    return DeviceKeys(signing, encryption)


# --- encryption private keys by fingerprint (current and retired) -----------------------------

#: A function from a key fingerprint to one of this device's private keys, or ``None``.
KeyLookup = Callable[[str], X25519PrivateKey | None]


def key_file_name(fp: str) -> str:
    """The file (in the keys folder) of the encryption private key with the fingerprint ``fp``."""
    return "x25519-" + fp.replace(":", "")[:32] + ".pem"


def load_x25519(path: Path) -> X25519PrivateKey | None:
    try:
        key = serialization.load_pem_private_key(read_private_key(path), None)
    except (OSError, ValueError, key_protection.KeyProtectionError):
        return None
    return key if isinstance(key, X25519PrivateKey) else None


def _fingerprint_of(key: X25519PrivateKey) -> str:
    return fingerprint(b64(public_bytes(key.public_key())))  # as ``sync.crypto`` names it


def key_files_lookup(data_dir: Path, registry: dict[str, str] | None = None) -> KeyLookup:
    """A function from a key fingerprint to one of our private keys (current or retired), or ``None``.

    ``registry`` (fingerprint -> file name, from the database) is consulted first;
    then the file named after the fingerprint and the device's own key, each
    accepted only if its fingerprint is the one asked for.
    """
    folder = keys_dir(data_dir)
    cache: dict[str, X25519PrivateKey | None] = {}

    def lookup(fp: str) -> X25519PrivateKey | None:
        if fp not in cache:
            found = None
            names = [n for n in ((registry or {}).get(fp), key_file_name(fp), ENCRYPTION_KEY_FILE) if n]
            for name in dict.fromkeys(names):
                key = load_x25519(folder / name)
                if key is not None and _fingerprint_of(key) == fp:
                    found = key
                    break
            cache[fp] = found
        return cache[fp]

    return lookup
