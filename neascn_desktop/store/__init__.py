"""The store: SQLAlchemy engine and sessions, tables and Alembic migrations.

``Base`` (the ORM's declarative base) is imported on first use: opening a
database does not need the ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neascn_desktop.lazy import lazy_attributes
from neascn_desktop.store.database import Database, StoreError, open_database

if TYPE_CHECKING:
    from neascn_desktop.store.base import Base

__all__ = ["Base", "Database", "StoreError", "open_database"]

__getattr__ = lazy_attributes(__name__, {"Base": "base"})
