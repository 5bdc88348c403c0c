"""Private keys at rest: what protects the key files on each system.

- **Linux, macOS**: the files are owner-only (0600) in an owner-only folder
  (0700); the operating system enforces that on the user's own disk.
- **Windows**: ``chmod`` only clears the read-only flag, and a ``--data-dir``
  on a shared disk or a USB stick is readable by anyone who holds it.  There
  each key file is encrypted with DPAPI (``CryptProtectData``, user scope):
  only the same Windows user on the same computer can read it, with no
  passphrase to type.  Moving the data directory to another computer needs
  ``neascn key backup`` / ``key restore`` (passphrase-protected), as losing
  the laptop does.

A protected file is ``MAGIC``, the protector's name and the protected bytes
(base64); a plain PEM file (written before, or on another system) is still
read, so nothing already on disk stops working.  DPAPI is reached through
``ctypes``: no extra dependency.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from dataclasses import dataclass

from neascn_desktop.errors import NeascnError
from neascn_desktop.i18n import _

MAGIC = b"NEASCN-PROTECTED-KEY 1 "


class KeyProtectionError(NeascnError):
    """A protected key file cannot be opened here (another user, another computer)."""


@dataclass(frozen=True)
class Protector:
    """How key files are sealed on this system; ``name`` is written into the file."""

    name: str
    seal: Callable[[bytes], bytes]
    unseal: Callable[[bytes], bytes]


# --- Windows: DPAPI through ctypes ---------------------------------------------------------------

#: Mixed into DPAPI's key: another program of the same user cannot unseal by accident.
_ENTROPY = b"NEASCN Desktop private key"
_CRYPTPROTECT_UI_FORBIDDEN = 0x1

if sys.platform == "win32":
    import ctypes
    from ctypes import wintypes

    class _Blob(ctypes.Structure):
        _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

    def _blob(data: bytes) -> tuple[_Blob, ctypes.Array[ctypes.c_char]]:
        buffer = ctypes.create_string_buffer(data, len(data))
        return _Blob(len(data), ctypes.cast(buffer, ctypes.POINTER(ctypes.c_char))), buffer

    def _dpapi(data: bytes, protect: bool) -> bytes:
        crypt32 = ctypes.WinDLL("crypt32", use_last_error=True)
        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        blob_in, _keep_in = _blob(data)
        entropy, _keep_entropy = _blob(_ENTROPY)
        blob_out = _Blob()
        if protect:
            ok = crypt32.CryptProtectData(ctypes.byref(blob_in), "NEASCN Desktop key",
                                          ctypes.byref(entropy), None, None,
                                          _CRYPTPROTECT_UI_FORBIDDEN, ctypes.byref(blob_out))
        else:
            ok = crypt32.CryptUnprotectData(ctypes.byref(blob_in), None, ctypes.byref(entropy),
                                            None, None, _CRYPTPROTECT_UI_FORBIDDEN,
                                            ctypes.byref(blob_out))
        if not ok:
            raise ctypes.WinError(ctypes.get_last_error())
        try:
            return ctypes.string_at(blob_out.pbData, blob_out.cbData)
        finally:
            kernel32.LocalFree(blob_out.pbData)

    def _system_protector() -> Protector | None:
        return Protector("dpapi", lambda data: _dpapi(data, True), lambda data: _dpapi(data, False))

else:

    def _system_protector() -> Protector | None:
        return None  # POSIX: owner-only files in an owner-only folder (see the module text)


#: The protector in use (``None``: plain PEM files, protected by file permissions).
active: Protector | None = _system_protector()


def protection_label() -> str:
    """What protects private keys at rest here, for ``docs`` and diagnostics."""
    if active is None:
        return "file permissions (owner only)"
    return active.name


def seal(pem: bytes) -> bytes:
    """The bytes to write for a private key file (``pem`` itself where files are enough)."""
    if active is None:
        return pem
    return MAGIC + active.name.encode("ascii") + b"\n" + base64.b64encode(active.seal(pem)) + b"\n"


def unseal(data: bytes, source: object) -> bytes:
    """The PEM of a key file's bytes ``data`` (plain PEM passes through); ``source`` names it."""
    if not data.startswith(MAGIC):
        return data
    header, _newline, body = data[len(MAGIC):].partition(b"\n")
    name = header.decode("ascii", "replace")
    if active is None or active.name != name:
        raise KeyProtectionError(_(
            "The private key {path} is protected by another system's key store; "
            "restore the keys from a key backup."
        ).format(path=source))
    try:
        return active.unseal(base64.b64decode(body))
    except (OSError, ValueError) as exc:
        raise KeyProtectionError(_(
            "The private key {path} was protected for another user or computer; "
            "restore the keys from a key backup."
        ).format(path=source)) from exc
