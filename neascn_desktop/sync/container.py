"""The ``.neascn`` container: writing a signed ZIP and reading one defensively.

This module knows ZIP members, the manifest and its signature, member hashes
and the encryption envelope; it knows nothing about revisions or the
database.  ``open_package`` either returns a ``PackageReader`` whose every
member hash and whose signature have been checked, or raises a
``PackageError`` subclass with one sentence saying why.  Nothing is written
anywhere while reading.  See ``docs/package-format.md`` for the format.

The format's values are in ``package_format``, the writer in ``package_writer``, the
reader in ``package_reader``; callers import them from here.
"""

from __future__ import annotations

from neascn_desktop.identity.keys import fingerprint
from neascn_desktop.sync.package_format import (
    ATTACHMENT_PREFIX,
    DEFAULT_LIMITS,
    FORMAT_NAME,
    FORMAT_VERSION,
    KINDS,
    MANIFEST,
    PAYLOAD,
    SENDER_ROLES,
    SIGNATURE,
    SUFFIX,
    Limits,
    Manifest,
    Member,
    Sender,
)
from neascn_desktop.sync.package_reader import (
    NotAccepted,
    PackageReader,
    open_package,
    parse_manifest,
    read_manifest,
)
from neascn_desktop.sync.package_writer import (
    AttachmentSource,
    write_package,
)

__all__ = [
    "ATTACHMENT_PREFIX",
    "AttachmentSource",
    "DEFAULT_LIMITS",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "KINDS",
    "Limits",
    "MANIFEST",
    "Manifest",
    "Member",
    "NotAccepted",
    "PAYLOAD",
    "PackageReader",
    "SENDER_ROLES",
    "SIGNATURE",
    "SUFFIX",
    "Sender",
    "fingerprint",
    "open_package",
    "parse_manifest",
    "read_manifest",
    "write_package",
]
