"""Two deployments acknowledging the same revisions, imported at once into a device whose
database is on PostgreSQL: both end cleanly and each revision is marked once (the primary key
of ``sync_acknowledged_revision`` was the race: delete, then insert, by two writers)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from neascn_desktop.store.database import WRITE_LOCK_KEY
from tests.sync.sync_support import Device
from tests.team.test_shared_database import _finish, _neascn, _waiting_writers


@pytest.mark.postgres
def test_two_deployments_acknowledging_the_same_response_at_once(postgres_url: str, tmp_path: Path,
                                                                 cli) -> None:  # type: ignore[no-untyped-def]
    sec, field = Device("sec", tmp_path / "sec", cli), Device("field", tmp_path / "field", cli)
    sec.run("init", "--name", "Secretariat", "--role", "secretariat")
    field.run("init", "--name", "Field", "--role", "field")
    first = tmp_path / "deployment.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", first)
    field.run("package", "import", first)
    submission_id = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", submission_id, "resp_name=Kim", "has_strategy=yes")
    sec.run("trust", "add", field.keyfile)
    responses = tmp_path / "responses.neascn"
    field.run("package", "export", "--kind", "responses", "-o", responses)
    sec.run("package", "import", responses)
    deployments = [tmp_path / f"ack{n}.neascn" for n in (1, 2)]
    for path in deployments:
        sec.run("package", "export", "--kind", "deployment", "-o", path)
    field.run("db", "copy", "--to", postgres_url, "--switch")

    holder = create_engine(postgres_url)
    try:
        with holder.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            imports = [_neascn(field.data_dir, None, "--json", "package", "import", str(p)) for p in deployments]
            while _waiting_writers(postgres_url) < 2:
                assert all(p.poll() is None for p in imports), [p.communicate() for p in imports]
        reports = [_finish(p) for p in imports]
    finally:
        holder.dispose()
    assert [r["applied"] for r in reports] == [1, 1]
    listed = {r["id"]: r for r in field.json("response", "list")}[submission_id]
    assert listed["delivery"] == "received"
