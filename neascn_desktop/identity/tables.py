"""Tables of the identity room: the local profile and trusted devices (SQLAlchemy Core).

The room reads and writes them through Core, so that ``trust add`` and the
profile lookups every command makes start without the ORM; ``identity.models``
maps ORM classes onto the same tables for the rooms that query them that way.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Table, Text

from neascn_desktop.store.metadata import metadata
from neascn_desktop.store.types import UtcDateTime

#: The one local profile of this data directory (``id`` is always 1).
profile_table = Table(
    "profile", metadata,
    Column("id", Integer, primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("organisation", String(200), nullable=False, default=""),
    Column("role", String(20), nullable=False),
    Column("language", String(10), nullable=False),
    Column("device_id", String(36), nullable=False, unique=True),
    Column("signing_public_key", String(64), nullable=False),
    Column("encryption_public_key", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

#: Another device whose key card was trusted here (revocation keeps the row).
trusted_device_table = Table(
    "trusted_device", metadata,
    Column("device_id", String(36), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("organisation", String(200), nullable=False, default=""),
    Column("role", String(20), nullable=False),
    Column("signing_public_key", String(64), nullable=False),
    Column("encryption_public_key", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("trusted_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime(), nullable=True),
)

#: Small key/value settings of the data directory (JSON text values).
setting_table = Table(
    "setting", metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)
