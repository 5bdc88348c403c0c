"""The store: SQLAlchemy engine and sessions, tables and Alembic migrations.

``Base`` (the ORM's declarative base) is imported on first use: opening a
database does not need the ORM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from neascn_desktop.store.database import Database, StoreError, open_database

if TYPE_CHECKING:
    from neascn_desktop.store.base import Base

__all__ = ["Base", "Database", "StoreError", "open_database"]


def __getattr__(name: str) -> Any:
    if name == "Base":
        from neascn_desktop.store.base import Base

        return Base
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
