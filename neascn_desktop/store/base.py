"""The declarative base shared by every room's ORM classes (one ``MetaData`` for Alembic)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from neascn_desktop.store.metadata import NAMING_CONVENTION, metadata

__all__ = ["NAMING_CONVENTION", "Base"]


class Base(DeclarativeBase):
    metadata = metadata
