"""Reading package files ahead of the importer: verify, decrypt and decode — no database.

``prepare(path, limits, keys)`` does everything to one file that needs no
database: the container checks, the signature, every member hash, the
decryption, and the payload's revisions with their ids recomputed.  What it
returns (a ``Prepared``) is then judged and applied by ``sync.importer``.

Reading is most of an import's work and every file is independent, so
``ReadAhead`` runs ``prepare`` in worker processes while the importer applies
what was read before.  The workers are forked (on Linux, and only from a
process with a single thread: forking a process with other threads, such as
a Qt application, is not safe); they need the data directory only for the
private keys and, read straight from the SQLite file, the trusted signing keys
(they read ahead only what a trusted key signed: see ``peeking.read_ahead``), never
the database layer, so the command line can start them before it has even
imported SQLAlchemy.  Whatever a worker cannot deliver — a
refused package, a crash, a worker killed — the importer reads again
itself, so the outcome of an import never depends on the workers.

This module imports neither SQLAlchemy nor the database layer; keep it so.
"""

from __future__ import annotations

import gc
import marshal
import os
import pickle
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from neascn_desktop.i18n import _
from neascn_desktop.identity.keys import KeyLookup, key_files_lookup
from neascn_desktop.paths import attachments_dir
from neascn_desktop.replica.revision import Revision
from neascn_desktop.store import attachments
from neascn_desktop.store.errors import AttachmentError
from neascn_desktop.sync import acknowledgement, payload
from neascn_desktop.sync.container import (
    DEFAULT_LIMITS,
    SUFFIX,
    Limits,
    Manifest,
    NotAccepted,
    open_package,
)
from neascn_desktop.sync.errors import PackageDamagedError, PackageError

#: A package keeps at most this many bytes of attachments in memory between reading and writing.
KEEP_ATTACHMENT_BYTES = 16 * 1024 * 1024
#: Fewer files than this are read in the importing process itself (starting workers costs more).
MIN_FILES_FOR_WORKERS = 16
#: At most this many workers, whatever the number of processors.
MAX_WORKERS = 4
#: Results read from the workers but not yet taken by the importer stay under this many bytes
#: (beyond it the workers wait, except while the importer itself waits for one of them).
MAX_BUFFERED_BYTES = 64 * 1024 * 1024
#: How much lower the workers' scheduling priority is than the importing process's: the lowest.
#: The importer is the critical path; workers use what processor time it leaves, and on a
#: machine too busy to give them any, the importer takes the files from the queue itself.
WORKER_NICENESS = 19
#: The queue of file indices is a pipe: records are written at most this many at a time (one
#: write of at most PIPE_BUF bytes is never split), and the pipe holds at most this many bytes.
_RECORDS_PER_WRITE = 1024
_MAX_PIPE_BYTES = 1024 * 1024
#: The importer reads at most this many files from the queue ahead of the one it needs.
MAX_READ_HERE_AHEAD = 4
#: The importer waits for a worker at least this long (or twice what reading the file itself
#: would take) before it reads the file itself.
MIN_PATIENCE_SECONDS = 0.002
#: ``NEASCN_READ_WORKERS=0`` reads every file in the importing process (``=N``: N workers).
WORKERS_ENV = "NEASCN_READ_WORKERS"

# --- finding files ------------------------------------------------------------------------------

def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the ``.neascn`` files directly inside any folder given (sorted)."""
    result: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            # scandir knows the entry types without a stat per file (folders of thousands).
            with os.scandir(path) as entries:
                result.extend(sorted(
                    path / entry.name for entry in entries
                    if os.path.splitext(entry.name)[1].lower() == SUFFIX and entry.is_file()
                ))
        else:
            result.append(path)
    return result


# --- reading one file ---------------------------------------------------------------------------

@dataclass
class Prepared:
    """A package file read, verified, decrypted and decoded; or the reason it could not be."""

    path: Path
    error: PackageError | None = None
    manifest: Manifest | None = None
    file_sha256: str = ""
    revisions: list[Revision] = field(default_factory=list)
    # (plaintext sha256, bytes); the bytes are dropped (None) once a package holds more than
    # KEEP_ATTACHMENT_BYTES, and read again from the file when they are written.
    attachments: list[tuple[str, bytes | None]] = field(default_factory=list)
    # sha256 -> a temporary file in the attachments folder that a reading worker already wrote
    # (``store.attachments.temporary_name``); the importer publishes it or removes it.
    staged: dict[str, Path] = field(default_factory=dict)
    # revision id -> (attachments it refers to, survey definition it answered), worked out by
    # a reading worker so that the importer need not parse the payloads (``payload_refs``).
    refs: dict[str, tuple[frozenset[str], str | None]] = field(default_factory=dict)
    # False: only the manifest was read (``peek``); nothing of the payload is here.
    complete: bool = True

    @property
    def attachment_hashes(self) -> set[str]:
        return {sha for sha, _data in self.attachments} | set(self.staged)

    def discard_staged(self) -> None:
        """Remove the temporary files of a package that is not going to be applied."""
        for tmp in self.staged.values():
            tmp.unlink(missing_ok=True)
        self.staged = {}

    @property
    def size(self) -> int:
        return sum(len(data or b"") for _sha, data in self.attachments) + 1000 * len(self.revisions)


def prepare(path: Path, limits: Limits, keys: KeyLookup,
            accept: Callable[[Manifest], bool] | None = None) -> Prepared:
    """Read one package file completely; a refusal is returned (``error``), not raised.

    ``accept``: read on only if it accepts the signed manifest (else only the manifest is
    returned, ``complete`` false).
    """
    try:
        reader = open_package(path, limits, accept=accept)
    except NotAccepted as turned_down:
        return Prepared(Path(path), None, turned_down.manifest, complete=False)
    except PackageError as exc:
        return Prepared(Path(path), exc)
    with reader:
        manifest = reader.manifest
        try:
            acknowledgement.check(manifest, reader.path.name)
            key = reader.decryption_key(keys)
            revisions = payload.decode(reader.payload(key), manifest.kind, reader.path.name)
            if manifest.kind == "deployment" and manifest.sender.role != "secretariat":
                raise PackageDamagedError(
                    _("{file} is a deployment package, but its sender is not a secretariat.").format(
                        file=reader.path.name))
            attachments: list[tuple[str, bytes | None]] = []
            kept = 0
            for sha, data in reader.attachments(key):
                kept += len(data)
                attachments.append((sha, data if kept <= KEEP_ATTACHMENT_BYTES else None))
        except PackageError as exc:
            return Prepared(reader.path, exc, manifest, reader.sha256)
    return Prepared(reader.path, None, manifest, reader.sha256, revisions, attachments)


# --- reading ahead in worker processes ----------------------------------------------------------

def _wire(prepared: Prepared) -> bytes:
    """A successfully read package as the bytes a worker sends.

    The revisions go as plain values through ``marshal`` (the worker is a fork of the
    same interpreter): decoding them is about half the cost of parsing their JSON again
    and far cheaper than unpickling objects.  The rest is pickled.
    """
    revisions = marshal.dumps([
        (r.checked_fields(), tuple(payload.attachment_refs(r)), payload.definition_ref(r))
        for r in prepared.revisions])
    staged = {sha: str(tmp) for sha, tmp in prepared.staged.items()}
    return pickle.dumps((prepared.manifest, prepared.file_sha256, revisions, prepared.attachments, staged),
                        protocol=pickle.HIGHEST_PROTOCOL)


def _unwire(path: Path, blob: bytes) -> Prepared:
    manifest, file_sha256, wired, attachments, staged = pickle.loads(blob)  # noqa: S301 - our worker's
    revisions: list[Revision] = []
    refs: dict[str, tuple[frozenset[str], str | None]] = {}
    for fields, attachment_refs, definition_ref in marshal.loads(wired):
        revision = Revision.from_checked(fields)  # its payload is parsed only if it is used
        revisions.append(revision)
        refs[revision.id] = (frozenset(attachment_refs), definition_ref)
    return Prepared(path, None, manifest, file_sha256, revisions, attachments,
                    {sha: Path(tmp) for sha, tmp in staged.items()}, refs)


def payload_refs(revision: Revision, refs: dict[str, tuple[frozenset[str], str | None]] | None = None,
                 ) -> tuple[frozenset[str], str | None]:
    """(attachments referred to, survey definition answered) of a revision: from ``refs`` when a
    reading worker worked them out, else from the payload."""
    found = refs.get(revision.id) if refs else None
    if found is not None:
        return found
    return frozenset(payload.attachment_refs(revision)), payload.definition_ref(revision)


def _discard_wire(blob: bytes) -> None:
    """Remove the temporary files of a result that will never be taken."""
    for tmp in pickle.loads(blob)[4].values():  # noqa: S301 - our own worker's bytes
        Path(tmp).unlink(missing_ok=True)


def _stage_in_worker(prepared: Prepared, folder: Path, present: set[str], tag: str, owner: int) -> None:
    """Write the package's new attachments to temporary files in the attachments folder (see
    ``store.attachments``), so the importing process only publishes them (and need not receive
    their bytes).  They are named for the importing process ``owner``, which renames or removes
    them: a sweep by another process keeps them while the importer lives, even after this
    worker has exited."""
    kept: list[tuple[str, bytes | None]] = []
    for sha, data in prepared.attachments:
        if data is None or sha in present:
            kept.append((sha, data))
            continue
        try:
            staged = attachments.write_temporary(folder, sha, data, owner_pid=owner, tag=tag)
        except (OSError, AttachmentError):
            kept.append((sha, data))  # the importer writes it (or says what is wrong)
            continue
        present.add(sha)
        prepared.staged[sha] = staged.temporary
    prepared.attachments = kept


def default_workers(wanted: int | None = None) -> int:
    """How many reading processes to start (0: read in the importing process).

    ``wanted`` defaults to ``NEASCN_READ_WORKERS`` or the number of processors (at
    most ``MAX_WORKERS``); it is 0 wherever forking is not safe: off Linux, and in a
    process that runs other threads (Qt's included: they are counted in /proc).
    """
    if wanted is None:
        configured = os.environ.get(WORKERS_ENV, "").strip()
        try:
            wanted = max(0, int(configured)) if configured else min(os.cpu_count() or 1, MAX_WORKERS)
        except ValueError:
            wanted = 0
    if not wanted or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 0
    try:
        if len(os.listdir("/proc/self/task")) > 1:
            return 0
    except OSError:
        return 0
    return wanted


def _read_exact(fd: int, size: int) -> bytes | None:
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


class ReadAhead:
    """Reads ``files`` in forked worker processes; ``take(i)`` returns file ``i`` read, or ``None``
    (read it yourself).

    The file indices wait in a pipe that every worker takes the next one from, so a
    busy worker takes fewer.  When the importer needs a file no worker has delivered
    yet, it does not wait idle: it takes the next index from the same pipe and reads
    that file itself (a little work stolen back; on a loaded machine, where the
    workers get little processor time, the import goes on at the pace of one process).

    Use as a context manager, or call ``close()``: it stops the workers.
    """

    def __init__(self, files: Sequence[Path], data_dir: Path, limits: Limits = DEFAULT_LIMITS,
                 workers: int | None = None, *, stage_attachments: bool = True) -> None:
        self.files = [Path(f) for f in files]
        self.limits = limits
        count = default_workers(workers)
        if len(self.files) < MIN_FILES_FOR_WORKERS:
            count = 0
        self._keys = key_files_lookup(data_dir)
        # What the workers may read ahead (``peeking`` imports this module: imported here).
        from neascn_desktop.sync import peeking

        self._trusted = peeking.trusted_signers(data_dir) if count else None
        self._folder = attachments_dir(data_dir)
        self._tag = f"r{uuid.uuid4().hex[:12]}-"  # in the names of the workers' temporary files
        self._owner = os.getpid()  # ... which are named for this process, which renames them
        self._cond = threading.Condition()
        self._ready: dict[int, bytes] = {}
        self._own: dict[int, Prepared | None] = {}  # files this process took from the queue
        self._abandoned: set[int] = set()  # files the caller read itself rather than wait
        self._seconds_per_byte = 1e-3 / 16384  # reading here, a running average (start: 1 ms a 16 KiB)
        self._buffered = 0
        self._waiting = False
        self._pids: list[int] = []
        self._fds: list[int] = []
        self._live = 0
        self._queued = 0  # files 0 .. _queued - 1 are in the queue; the rest are the caller's
        self._tasks = -1  # the queue's read end
        self._threads: list[threading.Thread] = []
        self._started = False
        #: How many files the workers delivered, how many this process took from the queue and
        #: read, and how many it left to the caller rather than wait for a worker.
        self.delivered = 0
        self.stolen = 0
        self.reread = 0
        if count:
            self._start(min(count, len(self.files)), data_dir, limits, stage_attachments)

    @property
    def workers(self) -> int:
        return len(self._pids)

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self, count: int, data_dir: Path, limits: Limits, stage_attachments: bool) -> None:
        if not sys.platform.startswith("linux"):  # workers are only started on Linux (and mypy
            return  # checks this for Linux only: F_SETPIPE_SZ and fork do not exist elsewhere)
        import fcntl

        tasks_r, tasks_w = os.pipe()
        try:  # room for every index, so they are all written before anyone forks
            fcntl.fcntl(tasks_w, fcntl.F_SETPIPE_SZ, min(4 * len(self.files) + 4096, _MAX_PIPE_BYTES))
        except OSError:
            pass
        capacity = fcntl.fcntl(tasks_w, fcntl.F_GETPIPE_SZ) // 4
        self._queued = min(len(self.files), capacity)
        indices = b"".join(i.to_bytes(4, "big") for i in range(self._queued))
        for at in range(0, len(indices), _RECORDS_PER_WRITE * 4):  # each write whole (<= PIPE_BUF)
            os.write(tasks_w, indices[at:at + _RECORDS_PER_WRITE * 4])
        self._tasks = tasks_r
        sys.stdout.flush()
        sys.stderr.flush()
        for _k in range(count):
            read_fd, write_fd = os.pipe()
            try:
                pid = os.fork()
            except OSError:
                os.close(read_fd)
                os.close(write_fd)
                break
            if pid == 0:  # the worker: never returns
                os.close(read_fd)
                os.close(tasks_w)
                for fd in self._fds:
                    os.close(fd)
                _work(tasks_r, write_fd, self.files, data_dir, limits, stage_attachments, self._tag,
                      self._owner, self._trusted)
            os.close(write_fd)
            self._pids.append(pid)
            self._fds.append(read_fd)
        # Every write end of the queue is closed now (each worker closes its copy first
        # thing): an empty queue reads as end of file, never blocks.
        os.close(tasks_w)
        self._started = bool(self._pids)
        self._live = len(self._fds)
        for k, fd in enumerate(self._fds):
            thread = threading.Thread(target=self._drain, args=(fd,), name=f"neascn-read-{k}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _drain(self, fd: int) -> None:
        """Move a worker's results from its pipe into memory (a pipe holds only 64 KiB)."""
        try:
            while True:
                header = _read_exact(fd, 12)
                if header is None:
                    return
                index, size = int.from_bytes(header[:4], "big"), int.from_bytes(header[4:], "big")
                blob = _read_exact(fd, size) if size else b""
                if blob is None:
                    return
                with self._cond:
                    abandoned = index in self._abandoned
                    if not abandoned:
                        self._ready[index] = blob
                        self._buffered += len(blob)
                        self._cond.notify_all()
                    while self._buffered > MAX_BUFFERED_BYTES and not self._waiting:
                        self._cond.wait()
                if abandoned and blob:  # the importer read this file itself meanwhile
                    _discard_wire(blob)
        except OSError:
            return
        finally:
            with self._cond:
                self._live -= 1
                self._cond.notify_all()

    def _claim(self) -> int | None:
        """The next index of the queue, taken by this process (``None``: the queue is empty)."""
        if self._tasks < 0:
            return None
        try:
            record = os.read(self._tasks, 4)
        except OSError:
            record = b""
        if len(record) < 4:
            os.close(self._tasks)
            self._tasks = -1
            return None
        return int.from_bytes(record, "big")

    def _read_here(self, index: int) -> Prepared | None:
        from neascn_desktop.sync import peeking  # imports this module

        started = time.perf_counter()
        try:
            prepared = peeking.read_ahead(self.files[index], self.limits, self._keys, self._trusted)
        except Exception:  # noqa: BLE001 - the caller reads it again and reports what went wrong
            self.stolen += 1
            return None
        finally:
            rate = (time.perf_counter() - started) / max(self._size(index), 1)
            self._seconds_per_byte += (rate - self._seconds_per_byte) / 4
        if prepared is None:
            return None  # not for reading ahead: the caller reads it (its manifest first)
        self.stolen += 1
        return prepared if prepared.error is None else None

    def _size(self, index: int) -> int:
        try:
            return self.files[index].stat().st_size
        except OSError:
            return 0

    def _patience(self, index: int) -> float:
        """How long to wait for a worker reading file ``index``: twice what reading it here would
        take, judged by its size."""
        return max(MIN_PATIENCE_SECONDS, 2 * self._seconds_per_byte * self._size(index))

    def take(self, index: int) -> Prepared | None:
        """File ``index`` read by a worker or by this process from the queue, or ``None`` when the
        caller must read it (no workers, a refused or unreadable file, a failed worker)."""
        if index in self._own:
            return self._own.pop(index)
        if not self._fds or index >= self._queued:
            return None
        blob = self._wait_for(index)
        if index in self._own:
            return self._own.pop(index)
        if not blob:
            return None
        self.delivered += 1
        return _unwire(self.files[index], blob)

    def _wait_for(self, index: int) -> bytes | None:
        """What a worker sent for file ``index``, or ``None``: then either this process took the
        file from the queue and read it (the result is in ``_own``), or the caller must read
        it (no worker will deliver it, or one is taking longer than reading it here would).

        Instead of waiting, this process takes files from the queue itself — a few at most,
        so that what it read ahead stays small.  With nothing left to take it waits for the
        worker that has the file, but not longer than it takes to read a file here: on a
        machine too busy to give the workers any time, the import goes on at the pace of
        one process (what the worker sends late is thrown away).
        """
        waited_since: float | None = None
        patience = 0.0
        try:
            while True:
                with self._cond:
                    if index in self._ready:
                        blob = self._ready.pop(index)
                        self._buffered -= len(blob)
                        self._cond.notify_all()
                        return blob
                    if self._tasks < 0 and not self._live:  # lost with a worker
                        return None
                    if self._tasks < 0 or len(self._own) >= MAX_READ_HERE_AHEAD:
                        now = time.perf_counter()
                        if waited_since is None:
                            waited_since, patience = now, self._patience(index)
                        if now - waited_since >= patience:
                            self._abandoned.add(index)
                            self.reread += 1
                            return None
                        self._waiting = True
                        self._cond.notify_all()
                        self._cond.wait(patience - (now - waited_since))
                        continue
                claimed = self._claim()
                if claimed is None:
                    continue
                self._own[claimed] = self._read_here(claimed)
                if claimed == index:
                    return None
        finally:
            with self._cond:
                self._waiting = False
                self._cond.notify_all()

    def close(self) -> None:
        """Stop the workers (finished or not) and release everything."""
        for pid in self._pids:
            try:
                os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))  # only Linux has workers
            except OSError:
                pass
        for pid in self._pids:
            try:
                os.waitpid(pid, 0)
            except OSError:
                pass
        for thread in self._threads:
            thread.join()
        for fd in self._fds:
            os.close(fd)
        if self._tasks >= 0:
            os.close(self._tasks)
            self._tasks = -1
        self._pids, self._fds, self._threads = [], [], []
        self._own.clear()
        with self._cond:
            for blob in self._ready.values():
                if blob:
                    _discard_wire(blob)
            self._ready.clear()
            self._buffered = 0
        self._remove_left_overs()

    def _remove_left_overs(self) -> None:
        """Remove the workers' temporary files that nobody took over: after an interruption
        (Ctrl+C, a killed worker) some may be left; an import that ended normally has none."""
        if not self._started:
            return
        marker = f".{self._tag}"
        try:
            with os.scandir(self._folder) as entries:
                names = [e.name for e in entries if e.name.endswith(".part") and marker in e.name]
        except OSError:
            return
        for name in names:
            try:
                os.unlink(self._folder / name)
            except OSError:
                continue


def _work(tasks: int, fd: int, files: Sequence[Path], data_dir: Path, limits: Limits,
          stage_attachments: bool, tag: str, owner: int, trusted: frozenset[str] | None) -> None:
    """A worker's whole life: take file indices from the queue, read each file, send the
    result, exit when the queue is empty (never returns).

    A frame is the file's index (4 bytes), the length (8 bytes) and ``_wire``'s bytes;
    length 0 means "read this one yourself" (refused, or anything unexpected).
    """
    if not sys.platform.startswith("linux"):  # see _start
        os._exit(1)
    status = 0
    try:
        # Ctrl+C reaches the workers too: with Python's handler they end quietly below (the
        # importer reads again what they did not deliver); an ignored SIGINT stays ignored.
        os.nice(WORKER_NICENESS)  # see WORKER_NICENESS
        # A worker lives for one import and frees what it reads by reference counting; what
        # it inherited from the importer stays untouched (no collector scans, no copies).
        gc.freeze()
        gc.disable()
        from neascn_desktop.sync import peeking  # imports this module

        keys = key_files_lookup(data_dir)
        folder = attachments_dir(data_dir)
        present: set[str] = set()
        if stage_attachments:
            folder.mkdir(parents=True, exist_ok=True)
            present = set(os.listdir(folder))
        with os.fdopen(fd, "wb", buffering=0) as out:
            while len(record := os.read(tasks, 4)) == 4:
                index = int.from_bytes(record, "big")
                blob = b""
                prepared = None
                try:
                    prepared = peeking.read_ahead(files[index], limits, keys, trusted)
                    if prepared is not None and prepared.error is None:
                        if stage_attachments:
                            _stage_in_worker(prepared, folder, present, tag, owner)
                        blob = _wire(prepared)
                except BaseException as exc:  # noqa: BLE001 - the importer reads this file again itself
                    if prepared is not None:
                        prepared.discard_staged()
                    if not isinstance(exc, Exception):  # interrupted: stop, leaving no temporary file
                        raise
                out.write(index.to_bytes(4, "big") + len(blob).to_bytes(8, "big") + blob)
    except BaseException:  # noqa: BLE001 - a worker never raises into the parent's code
        status = 1
    finally:
        os._exit(status)


__all__ = [
    "KEEP_ATTACHMENT_BYTES",
    "Prepared",
    "ReadAhead",
    "default_workers",
    "expand_paths",
    "payload_refs",
    "prepare",
]
