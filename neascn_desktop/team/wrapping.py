"""Wrapping a team private key for one member: X25519 with a fresh ephemeral key, HKDF-SHA256
and AES-256-GCM, bound to the member and the key's name (a wrapped copy moved to another
member's row or another key's name does not open)."""

from __future__ import annotations

import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from neascn_desktop.identity.keys import b64, public_bytes, unb64

SCHEME = "x25519-hkdf-sha256-aes256gcm"
_NONCE = 12


class UnwrapFailed(Exception):
    """The wrapped key is not for this member's key, or it was altered (callers say which)."""


def _context(member_id: str, name: str, ephemeral: bytes, recipient: bytes) -> bytes:
    return (b"neascn-team-key/1\x00" + member_id.encode("utf-8") + b"\x00" + name.encode("utf-8") + b"\x00"
            + ephemeral + recipient)


def _key(shared: bytes, salt: bytes, context: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=context).derive(shared)


def wrap(secret: bytes, member_public_key_b64: str, member_id: str, name: str) -> str:
    """``secret`` sealed for the member whose X25519 public key is given (JSON text)."""
    recipient = unb64(member_public_key_b64)
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = public_bytes(ephemeral.public_key())
    salt, nonce = os.urandom(32), os.urandom(_NONCE)
    context = _context(member_id, name, ephemeral_raw, recipient)
    key = _key(ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient)), salt, context)
    sealed = AESGCM(key).encrypt(nonce, secret, context)
    return json.dumps({"scheme": SCHEME, "ephemeral_public_key": b64(ephemeral_raw), "salt": b64(salt),
                       "nonce": b64(nonce), "ciphertext": b64(sealed)}, sort_keys=True)


def unwrap(wrapped: str, member_key: X25519PrivateKey, member_id: str, name: str) -> bytes:
    """The secret of ``wrap``, opened with the member's own private key."""
    try:
        entry = json.loads(wrapped)
        if not isinstance(entry, dict) or entry.get("scheme") != SCHEME:
            raise UnwrapFailed("scheme")
        ephemeral_raw = unb64(entry["ephemeral_public_key"])
        salt, nonce, sealed = unb64(entry["salt"]), unb64(entry["nonce"]), unb64(entry["ciphertext"])
        recipient = public_bytes(member_key.public_key())
        context = _context(member_id, name, ephemeral_raw, recipient)
        shared = member_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_raw))
        return AESGCM(_key(shared, salt, context)).decrypt(nonce, sealed, context)
    except (KeyError, TypeError, ValueError, InvalidTag) as exc:
        raise UnwrapFailed(type(exc).__name__) from exc
