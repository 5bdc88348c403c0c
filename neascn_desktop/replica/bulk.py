"""Bulk statements for the import path: SQLAlchemy Core statements compiled once per
dialect and run as one driver-level ``executemany``.

Going through ``Connection.execute(stmt, [dict, ...])`` costs about 5 µs per
row in SQLAlchemy's parameter processing; the revision log writes several
rows per revision, so that alone would exceed the import budget. The
statements here are still built with Core (so the SQL is right for SQLite and
PostgreSQL alike); only the per-row parameter handling is skipped, which is
safe because every bound value is already a plain ``str`` or ``int``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.selectable import ExecutableReturnsRows


class BulkStatement:
    """A Core statement with named parameters ``keys``, run with rows of tuples in ``keys`` order."""

    # ``ExecutableReturnsRows``: executable and compilable, which insert/update/delete/select all are.
    def __init__(
        self,
        statement: ExecutableReturnsRows,
        keys: Sequence[str],
        *,
        insert: bool = False,
        literal_binds: bool = False,
    ) -> None:
        self._statement = statement
        self._keys = tuple(keys)
        self._insert = insert
        # for constants such as LIMIT 1, which are bound parameters by default
        self._literal_binds = literal_binds
        self._compiled: dict[str, tuple[str, tuple[int, ...] | None]] = {}

    def _for(self, conn: Connection) -> tuple[str, tuple[int, ...] | None]:
        dialect = conn.dialect
        cached = self._compiled.get(dialect.name)
        if cached is None:
            if self._insert:
                compiled = self._statement.compile(dialect=dialect, column_keys=list(self._keys))
            elif self._literal_binds:
                compiled = self._statement.compile(
                    dialect=dialect, compile_kwargs={"literal_binds": True}
                )
            else:
                compiled = self._statement.compile(dialect=dialect)
            order: tuple[int, ...] | None = None
            if compiled.positional:
                names = list(compiled.positiontup or ())
                order = tuple(self._keys.index(name) for name in names)
            cached = (str(compiled), order)
            self._compiled[dialect.name] = cached
        return cached

    def run(self, conn: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        sql, order = self._for(conn)
        if order is None:
            params: Any = [dict(zip(self._keys, row, strict=True)) for row in rows]
        elif order == tuple(range(len(self._keys))):
            params = rows
        else:
            params = [tuple(row[i] for i in order) for row in rows]
        if conn.dialect.name == "sqlite":
            _driver_cursor(conn).executemany(sql, params)
        else:
            conn.exec_driver_sql(sql, list(params))

    def execute(self, conn: Connection, row: tuple[Any, ...] = ()) -> Any:
        """Run the statement once with one row of parameters.

        The result is a cursor: use only ``fetchone()``, ``fetchall()`` and ``rowcount``.
        """
        sql, order = self._for(conn)
        if order is None:
            params: Any = dict(zip(self._keys, row, strict=True))
        else:
            params = tuple(row[i] for i in order)
        if conn.dialect.name == "sqlite":
            return _driver_cursor(conn).execute(sql, params)
        return conn.exec_driver_sql(sql, params)


_MARKER = "__[POSTCOMPILE_values]"


class SelectIn:
    """A Core ``SELECT ... WHERE column IN (:values)`` run for a list of values.

    ``statement`` must use ``bindparam("values", expanding=True)``. On qmark
    drivers (SQLite) the placeholders are written directly, which skips
    SQLAlchemy's per-value expansion (it costs more than the lookup itself
    for the few hundred ids an import batch asks about); elsewhere the
    statement runs through Core as usual.
    """

    def __init__(self, statement: ExecutableReturnsRows) -> None:
        self._statement = statement
        self._compiled: dict[str, str] = {}

    def run(self, conn: Connection, values: Sequence[Any]) -> list[Any]:
        if not values:
            return []
        dialect = conn.dialect
        if dialect.paramstyle != "qmark":
            return list(conn.execute(self._statement, {"values": list(values)}))
        sql = self._compiled.get(dialect.name)
        if sql is None:
            sql = str(self._statement.compile(dialect=dialect))
            if sql.count(_MARKER) != 1:
                raise ValueError("SelectIn needs exactly one expanding 'values' parameter")
            self._compiled[dialect.name] = sql
        placeholders = ",".join("?" * len(values))
        if conn.dialect.name == "sqlite":
            return _driver_cursor(conn).execute(sql.replace(_MARKER, placeholders), tuple(values)).fetchall()
        return list(conn.exec_driver_sql(sql.replace(_MARKER, placeholders), tuple(values)))


def _driver_cursor(conn: Connection) -> Any:
    """A cursor of the driver's own connection, inside the transaction ``conn`` has begun.

    On SQLite the statements of an import batch run here directly: SQLAlchemy's
    per-statement machinery (events, result wrapping) costs about as much as a
    small ``executemany`` itself, and nothing of it is needed for these
    statements (the transaction is SQLAlchemy's, begun before).
    """
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
