"""Tables of the sync room (declared on ``neascn_desktop.store.base.Base``).

- ``sync_package``: every package applied here (its id makes re-imports no-ops;
  its sender tells the exporter what that device already has).
- ``sync_inbox``: packages that wait for a decision (untrusted or revoked
  sender); the file itself is copied to ``<data dir>/inbox/``.
- ``sync_audit``: what happened, when, with which package (append-only).
- ``sync_encryption_key``: this profile's X25519 keys, the current one and
  the retired ones kept to open older packages (the private keys are files in
  ``<data dir>/keys/``, like the device keys).
- ``sync_export`` / ``sync_exported_revision``: which revisions were sent to
  which recipient, so the next export sends only what it may lack.

Per-revision provenance (the package a revision arrived in) is stored by the
replica room in ``replica_revision.provenance``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from neascn_desktop.store.base import Base


class PackageRow(Base):
    __tablename__ = "sync_package"

    package_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    sender_device_id: Mapped[str] = mapped_column(String(100), index=True)
    sender_name: Mapped[str] = mapped_column(String(200))
    sender_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON


class InboxRow(Base):
    __tablename__ = "sync_inbox"

    package_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stored_file: Mapped[str] = mapped_column(String(200))  # relative to the data dir
    original_name: Mapped[str] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(20))
    sender_device_id: Mapped[str] = mapped_column(String(100), index=True)
    sender_name: Mapped[str] = mapped_column(String(200))
    sender_organisation: Mapped[str] = mapped_column(String(200))
    sender_role: Mapped[str] = mapped_column(String(20))
    sender_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(String(40))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(20))  # untrusted | revoked | key_changed
    status: Mapped[str] = mapped_column(String(20), index=True)  # waiting | applied | rejected
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AuditRow(Base):
    __tablename__ = "sync_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    action: Mapped[str] = mapped_column(String(20))  # import | export | inbox | trust | reject | resolve | key
    verdict: Mapped[str] = mapped_column(String(20))  # applied | already_imported | waiting | refused | ...
    package_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    file_name: Mapped[str | None] = mapped_column(String(400), nullable=True)
    sender_device_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    sender_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    sender_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    counts: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    message: Mapped[str] = mapped_column(Text, default="")


class EncryptionKeyRow(Base):
    __tablename__ = "sync_encryption_key"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))  # in <data dir>/keys/
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    current: Mapped[bool] = mapped_column(Boolean, default=False)


class ExportRow(Base):
    __tablename__ = "sync_export"

    package_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    recipient_device_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    file_name: Mapped[str] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revisions: Mapped[int] = mapped_column(Integer)
    full: Mapped[bool] = mapped_column(Boolean, default=False)


class ExportedRevisionRow(Base):
    __tablename__ = "sync_exported_revision"

    recipient_device_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    revision_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    package_id: Mapped[str] = mapped_column(String(36))


Index("ix_sync_exported_revision_revision_id", ExportedRevisionRow.revision_id)
