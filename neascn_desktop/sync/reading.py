"""Reading package files for the importer: verify, decrypt and decode — no database.

``prepare(path, limits, keys)`` does everything to one file that needs no
database: the container checks, the signature, every member hash, the
decryption, and the payload's revisions with their ids recomputed.  What it
returns (a ``Prepared``) is then judged and applied by ``sync.importer``.

Files are read one after another in the importing process.  Forked read-ahead
workers were measured on the whole import (``benchmarks/reader_paths.py``):
within the noise on two cores and 10 % more CPU, so they were removed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from neascn_desktop.i18n import _
from neascn_desktop.identity.keys import KeyLookup
from neascn_desktop.replica.revision import Revision
from neascn_desktop.sync import acknowledgement, payload
from neascn_desktop.sync.container import (
    SUFFIX,
    Limits,
    Manifest,
    NotAccepted,
    open_package,
)
from neascn_desktop.sync.errors import PackageDamagedError, PackageError

#: A package keeps at most this many bytes of attachments in memory between reading and writing.
KEEP_ATTACHMENT_BYTES = 16 * 1024 * 1024

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
    # False: only the manifest was read (``peek``); nothing of the payload is here.
    complete: bool = True

    @property
    def attachment_hashes(self) -> set[str]:
        return {sha for sha, _data in self.attachments}

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


def payload_refs(revision: Revision) -> tuple[frozenset[str], str | None]:
    """(attachments referred to, survey definition answered) of a revision."""
    return frozenset(payload.attachment_refs(revision)), payload.definition_ref(revision)


__all__ = [
    "KEEP_ATTACHMENT_BYTES",
    "Prepared",
    "expand_paths",
    "payload_refs",
    "prepare",
]
