"""Forget records entirely on this device (demo data only; real data is withdrawn by new revisions).

The revision log is append-only for everything that may have travelled.
Demo records never travel (the exporter leaves them out), so removing them
leaves no other device holding a revision this one lost.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, Connection, Table, and_, delete, or_, select

from neascn_desktop.replica.tables import (
    current_table,
    head_table,
    pending_parent_table,
    pending_table,
    revision_table,
)


def purge_entities(conn: Connection, entities: Iterable[tuple[str, str]]) -> int:
    """Delete every revision (applied or pending), head and current state of ``(type, id)`` pairs.

    Returns the number of applied revisions deleted.
    """
    pairs = sorted(set(entities))
    deleted = 0
    for start in range(0, len(pairs), 200):
        chunk = pairs[start:start + 200]
        pending_ids = select(pending_table.c.id).where(_matching(pending_table, chunk))
        conn.execute(delete(pending_parent_table).where(pending_parent_table.c.child.in_(pending_ids)))
        for table in (pending_table, head_table, current_table):
            conn.execute(delete(table).where(_matching(table, chunk)))
        deleted += conn.execute(delete(revision_table).where(_matching(revision_table, chunk))).rowcount or 0
    return deleted


def _matching(table: Table, pairs: Sequence[tuple[str, str]]) -> ColumnElement[bool]:
    return or_(*(and_(table.c.entity_type == kind, table.c.entity_id == entity_id)
                 for kind, entity_id in pairs))
