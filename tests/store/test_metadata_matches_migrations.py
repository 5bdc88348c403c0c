"""The tables the code declares are exactly the tables the migrations create."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from neascn_desktop.store import open_database


def test_declared_tables_match_the_migrated_schema(tmp_path: Path) -> None:
    # Every room's Core tables, and the ORM classes mapped onto them, on the one MetaData.
    import neascn_desktop.identity.models
    import neascn_desktop.store.schema
    import neascn_desktop.surveys.models
    import neascn_desktop.sync.tables  # noqa: F401
    from neascn_desktop.store.metadata import metadata

    assert {"profile", "trusted_device", "setting", "replica_revision", "sync_package"} <= set(metadata.tables)
    db = open_database(tmp_path)
    try:
        with db.engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), metadata)
    finally:
        db.dispose()
    assert differences == []


def test_trust_add_and_package_import_do_not_load_the_orm() -> None:
    """``trust add`` and ``package import`` start a twentieth of a second faster without
    sqlalchemy.orm: the identity and replica rooms and the sync room's import path are Core only."""
    import subprocess
    import sys

    code = ("import sys, neascn_desktop.store, neascn_desktop.identity.trust, neascn_desktop.identity.profile, "
            "neascn_desktop.cli.foundation, neascn_desktop.cli.package, neascn_desktop.sync.importer, "
            "neascn_desktop.replica.log; print('sqlalchemy.orm' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
