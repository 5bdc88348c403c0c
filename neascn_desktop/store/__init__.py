"""The store: SQLAlchemy engine and sessions, ORM models and Alembic migrations."""

from neascn_desktop.store.base import Base
from neascn_desktop.store.database import Database, StoreError, open_database

__all__ = ["Base", "Database", "StoreError", "open_database"]
