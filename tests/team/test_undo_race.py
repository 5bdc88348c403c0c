"""Two members undoing the same import at once on a shared PostgreSQL database (issue 16): the
team's write lock makes them take turns, so exactly one undoes it and the other is told it is
undone already; the records are restored once."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from neascn_desktop.store.database import WRITE_LOCK_KEY
from tests.sync.sync_support import Device
from tests.team.test_shared_database import _neascn, _waiting_writers


@pytest.mark.postgres
def test_two_undos_of_one_import_at_once(postgres_url: str, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    sec, field = Device("sec", tmp_path / "sec", cli), Device("field", tmp_path / "field", cli)
    sec.run("init", "--name", "Secretariat", "--role", "secretariat")
    field.run("init", "--name", "Field", "--role", "field")
    sec.run("trust", "add", field.keyfile)
    response = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", response, "resp_name=Kim")
    package = tmp_path / "responses.neascn"
    field.run("package", "export", "--kind", "responses", "-o", package, "--encrypt-for", sec.keyfile)
    sec.run("package", "import", package)
    sec.run("db", "copy", "--to", postgres_url, "--switch")
    with zipfile.ZipFile(package) as zf:
        package_id = json.loads(zf.read("manifest.json"))["package_id"]

    holder = create_engine(postgres_url)
    try:
        with holder.connect() as conn, conn.begin():
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            undos = [_neascn(sec.data_dir, None, "package", "undo", package_id) for _n in range(2)]
            while _waiting_writers(postgres_url) < 2:
                assert all(p.poll() is None for p in undos), [p.communicate() for p in undos]
        results = [(p.wait(timeout=600), *p.communicate(timeout=600)) for p in undos]
    finally:
        holder.dispose()
    codes = sorted(code for code, _out, _err in results)
    assert codes[0] == 0 and codes[1] != 0, results
    assert any("undone already" in err for _code, _out, err in results)
    assert all("Traceback" not in err for _code, _out, err in results)
    assert len(sec.json("undo", "list")) == 1
    assert response not in {r["id"] for r in sec.json("response", "list")}
