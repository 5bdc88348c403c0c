"""Reading no more of a package than its sender's standing allows.

Before the importer knows whether a package's sender is trusted, a package is
untrusted input of any size: it is read as far as its signed manifest (a few
kilobytes: ``container.read_manifest``), and the payload is hashed, decrypted
and parsed only once the manifest is accepted (``read_judged``).  The forked
reading workers judge nothing, but they know the trusted signing keys, read
from the SQLite file with the standard library (``trusted_signers``), and read
ahead only what one of them signed (``read_ahead``); the importer reads the
rest itself, manifest first.

Like ``sync.reading``, this module imports neither SQLAlchemy nor the database layer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from neascn_desktop.identity.keys import KeyLookup
from neascn_desktop.store.file_query import query_file
from neascn_desktop.sync import reading
from neascn_desktop.sync.container import Limits, Manifest, read_manifest
from neascn_desktop.sync.errors import PackageError
from neascn_desktop.sync.reading import Prepared

#: Before its sender is judged, a file up to this size is read in one pass (the manifest judged
#: before any member is hashed), a bigger one manifest first (see ``read_judged``).  Workers read
#: ahead only what a trusted key signed (see ``read_ahead``): a package from anyone else costs
#: no more than its manifest until the secretariat trusts the sender.  Where the trusted keys
#: cannot be read without the database layer, workers read only files up to this size.
SMALL_FILE_BYTES = 4 * 1024 * 1024


def peek(path: Path, limits: Limits) -> Prepared:
    """Only the signed manifest of a package file (see ``read_manifest``); a refusal is returned."""
    try:
        return Prepared(Path(path), None, read_manifest(path, limits), complete=False)
    except PackageError as exc:
        return Prepared(Path(path), exc, complete=False)


def trusted_signers(data_dir: Path) -> frozenset[str] | None:
    """The signing keys (base64) whose packages are applied without asking: this device's and
    the trusted devices' that are not revoked.  Read from the SQLite file with the standard
    library, so workers can start before the database layer is loaded; ``None`` when that
    cannot be done (a database server, no database, another schema)."""
    found = query_file(data_dir, ["SELECT signing_public_key FROM profile",
                                  "SELECT signing_public_key FROM trusted_device WHERE revoked_at IS NULL"])
    if found is None:
        return None
    return frozenset(row[0] for rows in found for row in rows)


def read_judged(path: Path, limits: Limits, keys: KeyLookup, accept: Callable[[Manifest], bool]) -> Prepared:
    """Read a package file whole if ``accept`` takes its signed manifest, else only the manifest
    (``complete`` false): nothing of the payload is hashed, decrypted or parsed before that.

    A small file is read in one pass (its few bytes are read anyway, the manifest is judged
    before any member is hashed); of a bigger one only the manifest is read first.
    """
    try:
        small = Path(path).stat().st_size <= SMALL_FILE_BYTES
    except OSError:
        small = True  # ``reading.prepare`` says what is wrong (and is what tests may patch)
    if small:
        return reading.prepare(path, limits, keys, accept=accept)
    light = peek(path, limits)
    if light.manifest is None or not accept(light.manifest):
        return light
    return reading.prepare(path, limits, keys)


def read_ahead(path: Path, limits: Limits, keys: KeyLookup, trusted: frozenset[str] | None) -> Prepared | None:
    """A file read whole before the importer judges its sender, or ``None`` (the importer reads
    it): only what a trusted key signed (not knowing the keys, only small files)."""
    if trusted is None:
        try:
            small = path.stat().st_size <= SMALL_FILE_BYTES
        except OSError:
            return None
        return reading.prepare(path, limits, keys) if small else None
    prepared = read_judged(path, limits, keys, lambda m: m.sender.signing_public_key in trusted)
    return prepared if prepared.complete else None
