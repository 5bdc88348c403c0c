"""Tables of the identity room: the local profile and trusted devices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from neascn_desktop.store.base import Base
from neascn_desktop.store.types import UtcDateTime


class ProfileRow(Base):
    """The one local profile of this data directory (``id`` is always 1)."""

    __tablename__ = "profile"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(10))
    device_id: Mapped[str] = mapped_column(String(36), unique=True)
    signing_public_key: Mapped[str] = mapped_column(String(64))
    encryption_public_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TrustedDeviceRow(Base):
    """Another device whose key card was trusted here (revocation keeps the row)."""

    __tablename__ = "trusted_device"

    device_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    signing_public_key: Mapped[str] = mapped_column(String(64))
    encryption_public_key: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    trusted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class SettingRow(Base):
    """Small key/value settings of the data directory (JSON text values)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
