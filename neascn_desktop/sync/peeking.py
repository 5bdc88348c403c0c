"""Reading no more of a package than its sender's standing allows.

Before the importer knows whether a package's sender is trusted, a package is
untrusted input of any size: it is read as far as its signed manifest (a few
kilobytes: ``container.read_manifest``), and the payload is hashed, decrypted
and parsed only once the manifest is accepted (``read_judged``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from neascn_desktop.identity.keys import KeyLookup
from neascn_desktop.sync import reading
from neascn_desktop.sync.container import Limits, Manifest, read_manifest
from neascn_desktop.sync.errors import PackageError
from neascn_desktop.sync.reading import Prepared

#: Before its sender is judged, a file up to this size is read in one pass (the manifest judged
#: before any member is hashed), a bigger one manifest first (see ``read_judged``): a package
#: from anyone else costs no more than its manifest until the secretariat trusts the sender.
SMALL_FILE_BYTES = 4 * 1024 * 1024


def peek(path: Path, limits: Limits) -> Prepared:
    """Only the signed manifest of a package file (see ``read_manifest``); a refusal is returned."""
    try:
        return Prepared(Path(path), None, read_manifest(path, limits), complete=False)
    except PackageError as exc:
        return Prepared(Path(path), exc, complete=False)


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

