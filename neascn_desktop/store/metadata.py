"""The one ``MetaData`` every room's tables belong to (Alembic compares against it).

Core only: a room whose tables are defined here can be used without loading the
ORM (``sqlalchemy.orm`` adds a twentieth of a second to every command that imports it).
"""

from __future__ import annotations

from sqlalchemy import MetaData

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
