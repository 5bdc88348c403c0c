"""Every timestamp column reads back as an aware UTC datetime, on SQLite as on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime

from neascn_desktop.store.types import UtcDateTime


def test_every_timestamp_column_is_utc_datetime() -> None:
    import neascn_desktop.store.models  # noqa: F401 - every room's tables
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
    from neascn_desktop.framework.tables import WorkingCopyRow

    saved = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)
    with db.transaction() as session:
        session.add(WorkingCopyRow(section_id="s1", body="text", base_revision_id=None, saved_at=saved))
    with db.session() as session:
        row = session.get(WorkingCopyRow, "s1")
        assert row is not None and row.saved_at == saved and row.saved_at.tzinfo is not None
