"""The replica migration: creates exactly the declared tables, and downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, select

from neascn_desktop.replica.clock import OBSERVED_KEY
from neascn_desktop.replica.tables import (
    clock_table,
    current_table,
    head_table,
    pending_parent_table,
    pending_table,
    revision_table,
)
from neascn_desktop.store import open_database
from neascn_desktop.store.database import alembic_config

TABLES = (revision_table, pending_table, pending_parent_table, head_table, current_table, clock_table)
#: Indexes that later migrations add (``store.migrations``): at head, the metadata test checks them.
LATER_INDEXES = {"ix_replica_revision_roots"}  # 0010_h19_roots


def test_upgrade_creates_the_declared_tables_and_downgrade_drops_them(tmp_path: Path) -> None:
    db = open_database(tmp_path, target="0002_replica")
    inspector = inspect(db.engine)
    for table in TABLES:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == set(table.c.keys()), table.name
        declared = {ix.name for ix in table.indexes} - LATER_INDEXES
        assert declared <= {ix["name"] for ix in inspector.get_indexes(table.name)}, table.name
    with db.session() as session:
        assert session.execute(
            select(clock_table.c.last).where(clock_table.c.device_id == OBSERVED_KEY)
        ).scalar_one() == "0000000000000-000000"

    config = alembic_config(db.url)
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001_foundation")
    remaining = set(inspect(db.engine).get_table_names())
    assert not remaining & {t.name for t in TABLES}
    db.dispose()
