"""Attachment files: the one writer of the content-addressed folder, and the sweep of what a
crash left behind.

Attachments (evidence: photos, PDFs) live in ``<data dir>/attachments/``, one file per
SHA-256 of its content.  Everything that writes there — the importer, data entry, ``neascn check`` — goes through this module, so one rule holds everywhere: the
bytes, checked against their hash, go to a temporary file, which is fsynced and renamed to
the hash, and the folder is fsynced, all *before* the transaction that refers to the file
commits.  A crash may leave an unused file (an orphan, reported by ``neascn check``), never a
missing one.

Temporary files are named ``.<hash or "incoming">.<pid>.<token>.part``: ``pid`` is the
process that will rename the file (the importer also for the files its forked reading workers
write), so the next run removes the files of a process that is gone and never those of a live
one — the command line may import beside the window.

No SQLAlchemy here: the reading workers start before the database layer is loaded.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import sys
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, NamedTuple

from neascn_desktop.i18n import _
from neascn_desktop.store.errors import AttachmentError

TEMPORARY_SUFFIX = ".part"
#: The label of a file whose hash is known only once it is written (data entry).
INCOMING = "incoming"
#: A temporary file whose writer cannot be told (older names) or whose process id may have been
#: reused is removed once it is this old; no writer keeps a temporary file for that long.
STALE_SECONDS = 24 * 3600
_CHUNK = 1024 * 1024
#: How many files ``publish`` fsyncs at once.
SYNC_THREADS = 16

_HASH_RE = re.compile(r"[0-9a-f]{64}")
_TEMPORARY_RE = re.compile(r"\.([0-9a-f]{64}|incoming)\.([0-9]{1,10})\.([0-9A-Za-z-]{1,80})\.part")


class Staged(NamedTuple):
    """A temporary file written and fsynced, and the name it gets when published."""

    temporary: Path
    final: Path


def is_content_hash(value: object) -> bool:
    """Whether ``value`` can name an attachment file (64 lower-case hex digits; never a path)."""
    return isinstance(value, str) and _HASH_RE.fullmatch(value) is not None


def temporary_name(label: str, owner_pid: int | None = None, tag: str = "") -> str:
    """A new temporary name; ``label`` is the expected hash (or ``INCOMING``), ``owner_pid`` the
    process that renames or removes the file (default: this one), ``tag`` marks a group of files."""
    pid = os.getpid() if owner_pid is None else owner_pid
    return f".{label}.{pid}.{tag}{secrets.token_hex(8)}{TEMPORARY_SUFFIX}"


def _sync_path(path: Path) -> None:
    # Read-write: Windows flushes only a handle open for writing.
    fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_files(paths: Sequence[Path]) -> None:
    """fsync files, many at once: a file system commits concurrent fsyncs together (ext4 on
    the benchmark machine: 400 small files in 50 ms with 16 threads, 640 ms one by one)."""
    if len(paths) <= 1:
        for path in paths:
            _sync_path(path)
        return
    with ThreadPoolExecutor(min(SYNC_THREADS, len(paths)), thread_name_prefix="neascn-fsync") as pool:
        for _done in pool.map(_sync_path, paths):
            pass


def sync_directory(folder: Path) -> None:
    """Make the renames in ``folder`` durable.  Windows cannot open a folder for this (NTFS
    journals renames itself); some file systems refuse it: both are tolerated."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_temporary(folder: Path, sha: str, data: bytes, *, owner_pid: int | None = None,
                    tag: str = "") -> Staged:
    """Write ``data`` (whose SHA-256 must be ``sha``) to a new temporary file in ``folder``;
    ``publish`` fsyncs it and renames it into place (fsyncing a batch at once is far cheaper
    than one file at a time)."""
    if not is_content_hash(sha) or hashlib.sha256(data).hexdigest() != sha:
        raise AttachmentError(_("An attachment does not match its content hash {sha}.").format(sha=sha[:80]))
    tmp = folder / temporary_name(sha, owner_pid, tag)
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return Staged(tmp, folder / sha)


def publish(staged: Sequence[Staged]) -> None:
    """fsync written temporary files, rename them to their hashes, then fsync their folders:
    call it before the commit of the transaction that refers to them."""
    sync_files([tmp for tmp, _final in staged])
    folders: set[Path] = set()
    for tmp, final in staged:
        # Content-addressed: an intact file of that name is this very content, so it counts
        # as done.  Renaming onto it would fail on Windows while another process (a viewer,
        # the GUI showing the photo) has it open, and abort the whole import.
        if file_matches(final, final.name):
            tmp.unlink(missing_ok=True)
            continue
        os.replace(tmp, final)
        folders.add(final.parent)
    for folder in folders:
        sync_directory(folder)


def discard(staged: Iterable[Staged]) -> None:
    """Remove temporary files that will not be published."""
    for tmp, _final in staged:
        tmp.unlink(missing_ok=True)


def store_bytes(folder: Path, sha: str, data: bytes) -> Path:
    """Write one attachment durably (replacing a damaged file of that name); returns its path."""
    staged = write_temporary(folder, sha, data)
    try:
        publish([staged])
    finally:
        staged.temporary.unlink(missing_ok=True)
    return staged.final


def store_stream(folder: Path, source: BinaryIO) -> tuple[str, int]:
    """Copy a stream into the folder durably; returns (its SHA-256, its size).

    A file of that hash already there is kept when its content is intact and replaced when
    it is not.  Raises ``OSError`` when reading or writing fails (nothing is left behind).
    """
    digest = hashlib.sha256()
    size = 0
    tmp = folder / temporary_name(INCOMING)
    try:
        with open(tmp, "xb") as target:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
        sha = digest.hexdigest()
        final = folder / sha
        if file_matches(final, sha):
            tmp.unlink()
        else:
            publish([Staged(tmp, final)])
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return sha, size


def file_matches(path: Path, sha: str) -> bool:
    """Whether ``path`` exists and its content hashes to ``sha``."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == sha


# --- what a crash left behind -------------------------------------------------------------------

def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return True  # cannot tell: keep its files
    return True


def _windows_process_alive(pid: int) -> bool:
    # os.kill(pid, 0) would *terminate* the process on Windows; ask the kernel instead.
    if sys.platform != "win32":  # called on Windows only (and mypy checks it for Windows only)
        raise OSError("not Windows")
    import ctypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def is_temporary(name: str) -> bool:
    """Temporary attachment files: this module's names, and the older ``.<hash>.<random>.part``
    and ``.incoming-<random>`` names of earlier versions."""
    return name.startswith(".") and (name.endswith(TEMPORARY_SUFFIX) or name.startswith(".incoming-"))


def sweep_temporary(folder: Path, *, now: float | None = None) -> int:
    """Remove the temporary files of writers that are gone; returns how many were removed.

    A file named for a process that no longer runs is removed at once; one named for a live
    process is kept (a concurrent import or data entry is writing it) unless it is older than
    ``STALE_SECONDS`` (the id was reused); files with older names go by that age too.
    """
    limit = (time.time() if now is None else now) - STALE_SECONDS
    removed = 0
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if is_temporary(e.name)]
    except OSError:
        return 0
    for name in names:
        path = folder / name
        match = _TEMPORARY_RE.fullmatch(name)
        try:
            if match is None or process_alive(int(match.group(2))):
                if path.stat().st_mtime >= limit:
                    continue
            path.unlink()
            removed += 1
        except OSError:
            continue
    return removed


def stored_hashes(folder: Path) -> set[str]:
    """The attachment files in ``folder`` (temporary files and anything else not named by a
    hash are left out)."""
    try:
        with os.scandir(folder) as entries:
            return {e.name for e in entries if is_content_hash(e.name)}
    except OSError:
        return set()


__all__ = [
    "INCOMING",
    "STALE_SECONDS",
    "Staged",
    "discard",
    "file_matches",
    "is_content_hash",
    "is_temporary",
    "process_alive",
    "publish",
    "store_bytes",
    "store_stream",
    "stored_hashes",
    "sweep_temporary",
    "sync_directory",
    "temporary_name",
    "write_temporary",
]
