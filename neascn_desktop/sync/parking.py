"""Parking a package in the inbox: bounded, and exactly the file whose signature was checked.

A package from a sender that is not trusted is only ever read as far as its
manifest and signature (``container.read_manifest``) before it is parked: the
payload is hashed, decrypted and parsed when the secretariat trusts the sender.
What is parked is a copy, named by its SHA-256, hashed while it is written and
checked to carry the very manifest (and signature) that was judged.  The
inbox holds at most ``InboxLimits`` packages and bytes: anyone can drop files in
a shared folder, and waiting packages must not fill the disk.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, select

from neascn_desktop.i18n import N_, _
from neascn_desktop.sync.container import SUFFIX, Limits, Manifest, read_manifest
from neascn_desktop.sync.errors import PackageError, PackageStateError
from neascn_desktop.sync.tables import inbox_table

_CHUNK = 1 << 20


@dataclass(frozen=True)
class InboxLimits:
    """How much may wait in the inbox (over either: the next package is refused)."""

    max_packages: int = 500
    max_bytes: int = 2 * 1024**3


DEFAULT_INBOX_LIMITS = InboxLimits()


class InboxFullError(PackageStateError):
    """The inbox holds as much as it may."""


def check_room(conn: Connection, data_dir: Path, path: Path, limits: InboxLimits) -> None:
    """Raise ``InboxFullError`` unless ``path`` fits beside the packages already waiting."""
    stored = conn.scalars(select(inbox_table.c.stored_file).where(inbox_table.c.status == "waiting")).all()
    total = 0
    for name in stored:
        try:
            total += (data_dir / name).stat().st_size
        except OSError:
            continue  # a copy removed by hand holds no room
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackageStateError.said(N_("Cannot read {file}: {reason}"),
                                     file=path, reason=exc.strerror or exc) from exc
    if len(stored) + 1 > limits.max_packages or total + size > limits.max_bytes:
        raise InboxFullError(_(
            "{file} was not put in the inbox: the inbox is full ({count} packages wait). "
            "Trust or reject the waiting packages, then import it again.").format(
                file=path.name, count=len(stored)))


def _copy_hashing(source: Path, target: Path) -> tuple[str, str]:
    """Copy ``source`` to the new file ``target``; the SHA-256 of what was read, and of what
    was written (read back from the copy)."""
    read = hashlib.sha256()
    with source.open("rb") as src, open(target, "xb") as dst:
        for chunk in iter(lambda: src.read(_CHUNK), b""):
            read.update(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    written = hashlib.sha256()
    with target.open("rb") as copy:
        for chunk in iter(lambda: copy.read(_CHUNK), b""):
            written.update(chunk)
    return read.hexdigest(), written.hexdigest()


def store_copy(path: Path, folder: Path, manifest: Manifest, limits: Limits,
               file_sha256: str = "") -> Path:
    """Copy a package file into the inbox folder as ``<sha256>.neascn`` and return the copy.

    The copy must be the file that was judged: the same bytes as the source (and as
    ``file_sha256`` when the whole file was read before), carrying the same signed
    manifest with a valid signature.  Otherwise ``PackageStateError``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{uuid.uuid4().hex}.part"
    changed = PackageStateError.said(N_("{file} changed while it was being imported."), file=path.name)
    try:
        read, written = _copy_hashing(path, tmp)
        if read != written or (file_sha256 and read != file_sha256):
            raise changed
        try:
            if read_manifest(tmp, limits).digest != manifest.digest:
                raise changed
        except PackageError:
            raise changed from None
        stored = folder / f"{read}{SUFFIX}"
        os.replace(tmp, stored)
        return stored
    finally:
        tmp.unlink(missing_ok=True)
