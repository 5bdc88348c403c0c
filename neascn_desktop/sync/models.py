"""ORM classes of the sync room's tables (defined in Core in ``sync.tables``, which explains them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped

from neascn_desktop.store.base import Base
from neascn_desktop.sync.tables import (
    audit_table,
    encryption_key_table,
    export_table,
    exported_revision_table,
    inbox_table,
    package_table,
)


class PackageRow(Base):
    __table__ = package_table

    package_id: Mapped[str]
    kind: Mapped[str]
    sender_device_id: Mapped[str]
    sender_name: Mapped[str]
    sender_fingerprint: Mapped[str]
    created_at: Mapped[str]
    manifest_sha256: Mapped[str]
    file_sha256: Mapped[str]
    imported_at: Mapped[datetime]
    counts: Mapped[str]


class InboxRow(Base):
    __table__ = inbox_table

    package_id: Mapped[str]
    stored_file: Mapped[str]
    original_name: Mapped[str]
    kind: Mapped[str]
    sender_device_id: Mapped[str]
    sender_name: Mapped[str]
    sender_organisation: Mapped[str]
    sender_role: Mapped[str]
    sender_fingerprint: Mapped[str]
    created_at: Mapped[str]
    received_at: Mapped[datetime]
    reason: Mapped[str]
    status: Mapped[str]
    decided_at: Mapped[datetime | None]


class AuditRow(Base):
    __table__ = audit_table

    id: Mapped[int]
    at: Mapped[datetime]
    action: Mapped[str]
    verdict: Mapped[str]
    package_id: Mapped[str | None]
    kind: Mapped[str | None]
    file_name: Mapped[str | None]
    sender_device_id: Mapped[str | None]
    sender_name: Mapped[str | None]
    sender_fingerprint: Mapped[str | None]
    counts: Mapped[str]
    message: Mapped[str]


class EncryptionKeyRow(Base):
    __table__ = encryption_key_table

    fingerprint: Mapped[str]
    public_key: Mapped[str]
    file_name: Mapped[str]
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
    current: Mapped[bool]


class ExportRow(Base):
    __table__ = export_table

    package_id: Mapped[str]
    kind: Mapped[str]
    recipient_device_id: Mapped[str | None]
    file_name: Mapped[str]
    created_at: Mapped[datetime]
    revisions: Mapped[int]
    full: Mapped[bool]


class ExportedRevisionRow(Base):
    __table__ = exported_revision_table

    recipient_device_id: Mapped[str]
    revision_id: Mapped[str]
    package_id: Mapped[str]
