"""Copying a whole database to another one: a laptop's SQLite file onto the team's PostgreSQL
server (``neascn db copy --to URL``), or the server's database into an offline SQLite copy.

The target is brought to the current schema and must hold nothing yet; every table is copied
row by row in the order of its foreign keys, in one transaction on the target, and the copy is
checked: the same revisions (the replica digest) and the same number of rows in every table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Integer, Table, delete, func, insert, select

from neascn_desktop.i18n import _
from neascn_desktop.store.database import Database, open_database, sqlite_url
from neascn_desktop.store.errors import StoreError

#: Tables the migrations fill with a starting row; the copy replaces it with the source's rows.
_SEEDED = frozenset({"replica_clock"})
_CHUNK = 2000


class CopyRefused(StoreError):
    """The target of a copy is not empty, or the copy does not match its source."""


@dataclass(frozen=True)
class CopyReport:
    target: str
    rows: dict[str, int]
    digest: str


def target_url(text: str) -> str:
    """A database URL, or a file path taken as a SQLite file."""
    from pathlib import Path

    return text if "://" in text else sqlite_url(Path(text).expanduser().resolve())


def _tables() -> list[Table]:
    from neascn_desktop.store.schema import metadata

    return list(metadata.sorted_tables)


def _count(conn: Connection, table: Table) -> int:
    return int(conn.scalar(select(func.count()).select_from(table)) or 0)


def copy_database(source: Database, target: Database) -> CopyReport:
    """Copy every row of ``source`` into the empty ``target`` (both already migrated)."""
    from neascn_desktop.replica.figures import digest

    tables = _tables()
    copied: dict[str, int] = {}
    with source.connect() as src, target.writing() as dst:
        for table in tables:
            if table.name not in _SEEDED and dst.scalar(select(1).select_from(table).limit(1)) is not None:
                raise CopyRefused(_("The database {location} is not empty (table {table}); a copy goes "
                                    "only into an empty database.").format(location=target.location,
                                                                          table=table.name))
        for table in tables:
            if table.name in _SEEDED:
                dst.execute(delete(table))
            count = 0
            result = src.execution_options(yield_per=_CHUNK).execute(select(table))
            for chunk in result.partitions(_CHUNK):
                dst.execute(insert(table), [dict(row._mapping) for row in chunk])
                count += len(chunk)
            copied[table.name] = count
        if dst.dialect.name == "postgresql":
            _advance_sequences(dst, tables)
    with target.connect() as conn:
        rows = {table.name: _count(conn, table) for table in tables}
    source_digest, target_digest = digest(source), digest(target)
    if rows != copied or source_digest != target_digest:
        raise CopyRefused(_("The copy in {location} does not match its source (digest {target} instead of "
                            "{source}).").format(location=target.location, target=target_digest,
                                                 source=source_digest))
    return CopyReport(target.location, rows, target_digest)


def _advance_sequences(conn: Connection, tables: list[Table]) -> None:
    """Rows copied with their ids leave PostgreSQL's sequences behind: move them past the ids."""
    for table in tables:
        for column in table.primary_key.columns:
            if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                sequence = conn.exec_driver_sql(
                    "SELECT pg_get_serial_sequence(%(table)s, %(column)s)",
                    {"table": table.name, "column": column.name}).scalar()
                if sequence:
                    conn.exec_driver_sql(
                        f'SELECT setval(%(sequence)s, COALESCE((SELECT MAX("{column.name}") FROM '
                        f'"{table.name}"), 0) + 1, false)', {"sequence": sequence})


def copy_to(source: Database, url: str) -> CopyReport:
    """Copy ``source`` into the (empty) database at ``url``, creating and migrating it."""
    target = open_database(source.data_dir, url)
    try:
        return copy_database(source, target)
    finally:
        target.dispose()


def copy_from(target: Database, url: str) -> CopyReport:
    """Copy the database at ``url`` into the (empty) ``target``."""
    source = open_database(target.data_dir, url)
    try:
        return copy_database(source, target)
    finally:
        source.dispose()
