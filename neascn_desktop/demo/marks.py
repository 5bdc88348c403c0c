"""Which records of this data directory are demo data (a local list, never replicated).

The list lives in the ``setting`` table as JSON: demo data is a fact about
this device's copy, not about the records, so it never travels in a package
(the exporter leaves demo records out altogether).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TypeVar

from sqlalchemy import Connection, delete, insert, select

from neascn_desktop.identity.tables import setting_table
from neascn_desktop.store.database import Database

SETTING_KEY = "demo.entities"

T = TypeVar("T")


def demo_entities(conn: Connection) -> dict[str, str]:
    """Entity id -> entity type of every demo record here (empty when there is none)."""
    value = conn.execute(select(setting_table.c.value).where(setting_table.c.key == SETTING_KEY)).scalar()
    if not value:
        return {}
    try:
        pairs = json.loads(value)
    except ValueError:
        return {}
    return {str(entity_id): str(entity_type) for entity_type, entity_id in pairs
            if isinstance(entity_id, str)}


def demo_ids(db: Database) -> frozenset[str]:
    """The ids of the demo records (cheap: one small row)."""
    with db.connect() as conn:
        return frozenset(demo_entities(conn))


def holds_demo_data(db: Database) -> bool:
    return bool(demo_ids(db))


def write_demo_entities(conn: Connection, entities: dict[str, str]) -> None:
    conn.execute(delete(setting_table).where(setting_table.c.key == SETTING_KEY))
    if entities:
        pairs = sorted([entity_type, entity_id] for entity_id, entity_type in entities.items())
        conn.execute(insert(setting_table).values(key=SETTING_KEY, value=json.dumps(pairs)))


def without_demo(db: Database, items: Iterable[T], entity_id_of: str = "entity_id") -> list[T]:
    """``items`` without those whose ``entity_id_of`` attribute names a demo record."""
    items = list(items)
    ids = demo_ids(db)
    if not ids:
        return items
    return [item for item in items if getattr(item, entity_id_of) not in ids]
