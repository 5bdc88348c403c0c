"""Strict checks of another device's identity before this device trusts it.

A key card and the sender of a package both name a device: its id, display
name, organisation, role and two public keys.  Whatever is trusted here later
decides whom packages are encrypted for and whose signatures count, so every
field must have exactly the expected shape: a canonical UUID, a known role,
printable and bounded strings, and keys that are usable — an Ed25519 key that
is a point of the curve outside its small subgroup, an X25519 key that is not
one of the low-order points (with those every shared secret is zero).
"""

from __future__ import annotations

import base64
import binascii
import unicodedata
from datetime import datetime
from typing import Protocol

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from neascn_desktop.i18n import _
from neascn_desktop.identity.keys import canonical_uuid
from neascn_desktop.identity.profile import ROLES

#: Bounds of the strings of an identity (the trusted_device columns hold 200 characters).
MAX_NAME_CHARS = 200
MAX_TIME_CHARS = 40
KEY_BYTES = 32

# Characters that would let a name rewrite what a terminal or a label shows: controls (ESC,
# CR, DEL, C1), line and paragraph separators, and the bidirectional overrides and isolates.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


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


def printable(text: str) -> bool:
    return not any(ch in _BIDI_CONTROLS or unicodedata.category(ch) in _UNPRINTABLE_CATEGORIES for ch in text)


def key_bytes(text: str) -> bytes | None:
    """The bytes of a canonically base64-encoded key (one spelling per key), else ``None``."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode("ascii") == text else None


# --- Ed25519 points (RFC 8032, section 5.1.3) ----------------------------------------------------

_P = 2**255 - 19
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _ed25519_decode(raw: bytes) -> tuple[int, int] | None:
    """The affine point a 32-byte encoding stands for, or ``None`` if it is not one (or is
    not the canonical encoding of one)."""
    y = int.from_bytes(raw, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= _P:
        return None
    u, v = (y * y - 1) % _P, (_D * y * y + 1) % _P
    # x = u v^3 (u v^7)^((p-5)/8): the square root of u/v with a single exponentiation.
    x = u * pow(v, 3, _P) * pow(u * pow(v, 7, _P), (_P - 5) // 8, _P) % _P
    if (v * x * x - u) % _P:
        x = x * _SQRT_M1 % _P
    if (v * x * x - u) % _P:
        return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = _P - x
    return x, y


def usable_signing_key(raw: bytes) -> bool:
    """32 bytes encoding a curve point whose order is not small ([8]A is not the identity):
    a small-order key admits signatures that verify for more than one message."""
    if len(raw) != KEY_BYTES:
        return False
    point = _ed25519_decode(raw)
    if point is None:
        return False
    # Three doublings in projective coordinates (a = -1; the formulas are complete on
    # Ed25519), then compare with the identity (0 : 1 : 1) without an inversion.
    x, y, z = point[0], point[1], 1
    for _step in range(3):
        xx, yy, zz2 = x * x % _P, y * y % _P, 2 * z * z % _P
        e = ((x + y) * (x + y) - xx - yy) % _P
        g = (yy - xx) % _P
        f, h = (g - zz2) % _P, (-xx - yy) % _P
        x, y, z = e * f % _P, g * h % _P, f * g % _P
    return not (x == 0 and y == z)


def usable_encryption_key(raw: bytes) -> bool:
    """32 bytes that are not a low-order X25519 point.  With a low-order key every shared
    secret is zero, which the cryptography library refuses to derive: so ask it."""
    if len(raw) != KEY_BYTES:
        return False
    try:
        X25519PrivateKey.generate().exchange(X25519PublicKey.from_public_bytes(raw))
    except ValueError:
        return False
    return True


def identity_problem(device: DeviceIdentity, source: str) -> str | None:
    """One sentence saying what is wrong with ``device`` (``source`` names where it came from:
    a file, a package), or ``None`` when it may be trusted."""
    if not canonical_uuid(device.device_id):
        return _("{source} has an invalid value in the field {field}.").format(source=source, field="device_id")
    for name, value in (("display_name", device.display_name), ("organisation", device.organisation)):
        if not isinstance(value, str) or len(value) > MAX_NAME_CHARS or not printable(value):
            return _("{source} has an invalid value in the field {field}.").format(source=source, field=name)
    if not device.display_name.strip():
        return _("{source} has an invalid value in the field {field}.").format(source=source, field="display_name")
    if device.role not in ROLES:
        return _("{source} names an unknown role.").format(source=source)
    signing = key_bytes(device.signing_public_key)
    if signing is None or not usable_signing_key(signing):
        return _("{source} has an unusable signing key.").format(source=source)
    encryption = key_bytes(device.encryption_public_key)
    if encryption is None or not usable_encryption_key(encryption):
        return _("{source} has an unusable encryption key.").format(source=source)
    return None


def valid_time(text: object) -> bool:
    if not isinstance(text, str) or len(text) > MAX_TIME_CHARS:
        return False
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
