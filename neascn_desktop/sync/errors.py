"""The exceptions of the sync room: every refusal of a package is one translated sentence.

``PackageError`` is what callers catch; the subclasses let the GUI and the
tests tell *why* a package was refused (damaged, forged, too large, for
another recipient, a format this app cannot read) without parsing messages.
"""

from __future__ import annotations

from neascn_desktop.errors import NeascnError


class PackageError(NeascnError):
    """A package file cannot be written, read, verified or imported."""


class PackageDamagedError(PackageError):
    """The file is not a well-formed package (bad ZIP, missing or unexpected members, bad JSON)."""


class PackageUnsafeError(PackageDamagedError):
    """The ZIP tries something dangerous: path escapes, links, duplicates, bombs."""


class PackageTooLargeError(PackageUnsafeError):
    """A limit on members, sizes or the compression ratio is exceeded."""


class PackageVersionError(PackageError):
    """The package uses a format version this app cannot read."""


class PackageSignatureError(PackageError):
    """The signature or a member hash does not match: the package was altered or forged."""


class PackageEncryptionError(PackageError):
    """The package cannot be decrypted here (another recipient, a lost key, altered ciphertext)."""


class PackageStateError(PackageError):
    """An inbox, conflict or audit operation refers to something that does not exist."""


class KeyBackupError(PackageError):
    """A key backup cannot be written or restored (wrong passphrase, damaged file)."""
