"""The store: SQLAlchemy engine and sessions, tables and Alembic migrations, attachment files.

Where tables live (one rule for every room):

- ``<room>/tables.py`` holds the room's SQLAlchemy Core ``Table``s, declared on the one
  ``store.metadata.metadata`` (Alembic compares against it; ``store.schema`` imports
  every room's ``tables`` so that it knows them all). Its docstring explains the tables.
- ``<room>/models.py`` holds ORM classes, only where a room wants them: each maps onto a
  table of ``tables.py`` with ``__table__ = ...`` and never declares a column itself.
  A room that reads and writes rows in bulk or column by column uses Core and has no
  ``models.py`` (``replica``, ``framework``).
- ORM class names carry the room's noun (``SubmissionWorkingCopyRow``), so no two rooms
  declare the same class name; Core tables are named ``<thing>_table``.
- A change of a table's columns is a new Alembic migration in ``store/migrations/versions``.

Everything is imported on first use: the attachment writer (``store.attachments``) needs no
SQLAlchemy, and opening a database does not need the ORM (``Base``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neascn_desktop.lazy import lazy_attributes

if TYPE_CHECKING:
    from neascn_desktop.store.base import Base
    from neascn_desktop.store.database import Database, open_database
    from neascn_desktop.store.errors import StoreError

__all__ = ["Base", "Database", "StoreError", "open_database"]

__getattr__ = lazy_attributes(__name__, {"Base": "base", "Database": "database", "StoreError": "errors",
                                         "open_database": "database"})
