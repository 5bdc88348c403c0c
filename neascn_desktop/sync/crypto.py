"""The cryptography of package files and key backups, in one place so it can be reviewed at once.

* Package envelope: the sender makes a fresh X25519 key pair per package,
  agrees a shared secret with the recipient's X25519 public key, derives a
  256-bit key with HKDF-SHA256 and encrypts every payload member with
  AES-256-GCM under a fresh 96-bit nonce (``nonce || ciphertext || tag``).
  The HKDF ``info`` binds the key to the package id, the sender's signing key
  and both X25519 public keys, so a package re-signed by someone else no
  longer decrypts.
* Key backup: scrypt (n=2**15, r=8, p=1) turns a passphrase into an
  AES-256-GCM key that seals a JSON document of private keys.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from neascn_desktop.identity.keys import b64, fingerprint, public_bytes, unb64

ENVELOPE_SCHEME = "x25519-hkdf-sha256-aes256gcm"
NONCE_BYTES = 12
TAG_BYTES = 16
SALT_BYTES = 32
KEY_BYTES = 32

BACKUP_KDF = "scrypt"
BACKUP_SCRYPT_N = 2**15
BACKUP_SCRYPT_R = 8
BACKUP_SCRYPT_P = 1


class DecryptionFailed(Exception):
    """Internal signal: the key is wrong or the ciphertext was altered (callers translate it)."""


def encryption_key_fingerprint(public_key_b64: str) -> str:
    """The fingerprint of an X25519 public key (same shape as a signing-key fingerprint)."""
    return fingerprint(public_key_b64)


def _hkdf_info(package_id: str, sender_signing_key: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    return b"neascn-package/1\x00" + package_id.encode("ascii") + b"\x00" + sender_signing_key + ephemeral + recipient


def _derive(shared: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(shared)


def member_aad(package_id: str) -> bytes:
    return b"neascn-package/1 member\x00" + package_id.encode("ascii")


@dataclass(frozen=True)
class Envelope:
    """What the manifest says about the encryption, plus (on the writing side) the key."""

    recipient_public_key: str  # base64 X25519
    ephemeral_public_key: str  # base64 X25519
    salt: str  # base64
    key: bytes  # the derived AES key; never written anywhere

    @property
    def recipient_key_fingerprint(self) -> str:
        return encryption_key_fingerprint(self.recipient_public_key)

    def manifest_entry(self) -> dict[str, str]:
        return {
            "scheme": ENVELOPE_SCHEME,
            "recipient_key_fingerprint": self.recipient_key_fingerprint,
            "recipient_public_key": self.recipient_public_key,
            "ephemeral_public_key": self.ephemeral_public_key,
            "salt": self.salt,
        }


def seal_envelope(package_id: str, sender_signing_public_key: str, recipient_public_key: str) -> Envelope:
    """Make the per-package key for a recipient (the writer's side)."""
    recipient_raw = unb64(recipient_public_key)
    recipient = X25519PublicKey.from_public_bytes(recipient_raw)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = public_bytes(ephemeral.public_key())
    salt = os.urandom(SALT_BYTES)
    info = _hkdf_info(package_id, unb64(sender_signing_public_key), ephemeral_raw, recipient_raw)
    key = _derive(ephemeral.exchange(recipient), salt, info)
    return Envelope(recipient_public_key, b64(ephemeral_raw), b64(salt), key)


def open_envelope(
    package_id: str,
    sender_signing_public_key: str,
    entry: dict[str, str],
    private_key: X25519PrivateKey,
) -> bytes:
    """Derive the per-package key with our private key (the reader's side)."""
    try:
        ephemeral_raw = unb64(entry["ephemeral_public_key"])
        salt = unb64(entry["salt"])
        ephemeral = X25519PublicKey.from_public_bytes(ephemeral_raw)
        recipient_raw = public_bytes(private_key.public_key())
        shared = private_key.exchange(ephemeral)
    except (KeyError, ValueError) as exc:
        raise DecryptionFailed(str(exc)) from exc
    info = _hkdf_info(package_id, unb64(sender_signing_public_key), ephemeral_raw, recipient_raw)
    return _derive(shared, salt, info)


def encrypt_member(key: bytes, aad: bytes, plaintext: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def encrypt_stream(key: bytes, aad: bytes, chunks: Iterable[bytes]) -> Iterator[bytes]:
    """``encrypt_member`` of the concatenated ``chunks``, produced piece by piece: the same
    ``nonce || ciphertext || tag`` (AES-GCM is a stream cipher with the tag at the end)."""
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(aad)
    yield nonce
    for chunk in chunks:
        yield encryptor.update(chunk)
    yield encryptor.finalize()
    yield encryptor.tag


def decrypt_member(key: bytes, aad: bytes, stored: bytes) -> bytes:
    if len(stored) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionFailed("too short")
    try:
        return AESGCM(key).decrypt(stored[:NONCE_BYTES], stored[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise DecryptionFailed("tag") from exc


# --- passphrase-protected key backups -------------------------------------------------------

def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=KEY_BYTES, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def seal_with_passphrase(passphrase: str, plaintext: bytes, aad: bytes) -> dict[str, object]:
    """Encrypt ``plaintext`` under a passphrase; returns the JSON-able parameters and ciphertext."""
    salt = os.urandom(SALT_BYTES)
    key = _scrypt(passphrase, salt, BACKUP_SCRYPT_N, BACKUP_SCRYPT_R, BACKUP_SCRYPT_P)
    nonce = os.urandom(NONCE_BYTES)
    return {
        "kdf": BACKUP_KDF,
        "n": BACKUP_SCRYPT_N,
        "r": BACKUP_SCRYPT_R,
        "p": BACKUP_SCRYPT_P,
        "salt": b64(salt),
        "cipher": "aes-256-gcm",
        "nonce": b64(nonce),
        "ciphertext": b64(AESGCM(key).encrypt(nonce, plaintext, aad)),
    }


def open_with_passphrase(passphrase: str, sealed: dict[str, object], aad: bytes) -> bytes:
    """Inverse of :func:`seal_with_passphrase`; raises ``DecryptionFailed`` on a wrong passphrase."""
    try:
        if sealed["kdf"] != BACKUP_KDF or sealed["cipher"] != "aes-256-gcm":
            raise DecryptionFailed("scheme")
        n, r, p = int(sealed["n"]), int(sealed["r"]), int(sealed["p"])  # type: ignore[call-overload]
        # Refuse parameters that would make restoring a denial of service.
        if not (2**10 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
            raise DecryptionFailed("parameters")
        key = _scrypt(passphrase, unb64(str(sealed["salt"])), n, r, p)
        return AESGCM(key).decrypt(unb64(str(sealed["nonce"])), unb64(str(sealed["ciphertext"])), aad)
    except (KeyError, TypeError, ValueError, InvalidTag) as exc:
        raise DecryptionFailed(type(exc).__name__) from exc
