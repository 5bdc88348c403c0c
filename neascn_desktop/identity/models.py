"""ORM classes of the identity room's tables (defined in Core in ``identity.tables``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped

from neascn_desktop.identity.tables import profile_table, setting_table, trusted_device_table
from neascn_desktop.store.base import Base


class ProfileRow(Base):
    """The one local profile of this data directory (``id`` is always 1)."""

    __table__ = profile_table

    id: Mapped[int]
    display_name: Mapped[str]
    organisation: Mapped[str]
    role: Mapped[str]
    language: Mapped[str]
    device_id: Mapped[str]
    signing_public_key: Mapped[str]
    encryption_public_key: Mapped[str]
    created_at: Mapped[datetime]


class TrustedDeviceRow(Base):
    """Another device whose key card was trusted here (revocation keeps the row)."""

    __table__ = trusted_device_table

    device_id: Mapped[str]
    display_name: Mapped[str]
    organisation: Mapped[str]
    role: Mapped[str]
    signing_public_key: Mapped[str]
    encryption_public_key: Mapped[str]
    fingerprint: Mapped[str]
    trusted_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class SettingRow(Base):
    """Small key/value settings of the data directory (JSON text values)."""

    __table__ = setting_table

    key: Mapped[str]
    value: Mapped[str]
