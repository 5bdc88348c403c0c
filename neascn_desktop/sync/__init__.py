"""Package files: write, read, verify, sign, encrypt, import; the inbox, the audit log, keys.

The use cases both front ends call:

- ``verify_package(db, path) -> PackageVerdict`` (nothing written)
- ``preview_import(db, path) -> PackageOutcome`` (nothing written)
- ``import_packages(db, paths, progress=None, cancel=None, *, dry_run=False) -> ImportReport``
- ``export_package(db, kind, target, *, recipient=None, full=False) -> ExportResult``
- ``inbox.list_inbox / inbox.trust_and_apply / inbox.reject``
- ``conflicts.list_conflicts / conflicts.compare / conflicts.resolve_keep / conflicts.resolve_with``
- ``audit.list_audit``
- ``keystore.backup_keys / keystore.restore_keys / keystore.rotate_encryption_key``

Every refusal is a ``PackageError`` (``sync.errors``) whose text is one sentence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neascn_desktop.lazy import lazy_attributes
from neascn_desktop.sync.errors import PackageError

if TYPE_CHECKING:
    from neascn_desktop.sync.exporter import (
        ExportResult,
        Recipient,
        export_package,
        recipient_from_keyfile,
    )
    from neascn_desktop.sync.importer import (
        ImportReport,
        PackageOutcome,
        PackagePreview,
        import_packages,
        preview_import,
    )
    from neascn_desktop.sync.verify import PackageVerdict, verify_package

# The use cases need the database (SQLAlchemy); they are imported on first use so that the
# package reader (``sync.container``, ``sync.reading``) starts without it.
_HOMES = {
    "ExportResult": "exporter",
    "Recipient": "exporter",
    "export_package": "exporter",
    "recipient_from_keyfile": "exporter",
    "ImportReport": "importer",
    "PackageOutcome": "importer",
    "PackagePreview": "importer",
    "import_packages": "importer",
    "preview_import": "importer",
    "PackageVerdict": "verify",
    "verify_package": "verify",
}


__getattr__ = lazy_attributes(__name__, _HOMES)


__all__ = [
    "ExportResult",
    "ImportReport",
    "PackageError",
    "PackageOutcome",
    "PackagePreview",
    "PackageVerdict",
    "Recipient",
    "export_package",
    "import_packages",
    "preview_import",
    "recipient_from_keyfile",
    "verify_package",
]
