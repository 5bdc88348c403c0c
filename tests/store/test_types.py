"""Every timestamp column reads back as an aware UTC datetime, on SQLite as on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime

from neascn_desktop.store.types import UtcDateTime


def test_every_timestamp_column_is_utc_datetime() -> None:
    import neascn_desktop.store.schema  # noqa: F401 - every room's tables
    from neascn_desktop.store.metadata import metadata

    naive_prone = [
        f"{table.name}.{column.name}"
        for table in metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, DateTime) and not isinstance(column.type, UtcDateTime)
    ]
    timestamps = [c for t in metadata.tables.values() for c in t.columns if isinstance(c.type, UtcDateTime)]
    assert naive_prone == [] and len(timestamps) >= 10


def test_a_working_copy_time_reads_back_aware(db) -> None:
    from sqlalchemy import insert, select

    from neascn_desktop.framework.tables import section_working_copy_table as copies

    saved = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    with db.transaction() as session:
        session.execute(insert(copies).values(section_id="s1", body="text", base_revision_id=None, saved_at=saved))
    with db.session() as session:
        read = session.execute(select(copies.c.saved_at).where(copies.c.section_id == "s1")).scalar_one()
        assert read == saved and read.tzinfo is not None
