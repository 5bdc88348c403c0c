"""Undoing an import (issue 16): the real CLI, real devices and packages.  An undone import
leaves every record as a profile that never imported the package has it, replicates to the
field, can itself be undone, and turns a later edit into a conflict, never a silent loss."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest

from neascn_desktop import replica
from neascn_desktop.replica.clock import format_clock, wall_ms
from neascn_desktop.replica.revision import WITHDRAWN
from neascn_desktop.sync.errors import PackageStateError
from tests.sync.sync_support import Device, signed_package


def _package_id(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return str(json.loads(zf.read("manifest.json"))["package_id"])


def _values(device: Device) -> dict[str, Any]:
    """Every record's current value (withdrawn records are absent, as if never made)."""
    db = device.open()
    try:
        return {(t, s.entity_id): s.payload for t in ("submission", "city", "survey_definition")
                for s in replica.list_current(db, t)}
    finally:
        db.dispose()


def _setup(make_device, tmp_path: Path) -> tuple[Device, Device, Device, Path, str]:  # type: ignore[no-untyped-def]
    sec = make_device("sec", "secretariat")
    field = make_device("field", "field")
    deployment = tmp_path / "deployment.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", deployment)
    field.run("package", "import", deployment)
    sec.run("trust", "add", field.keyfile)
    response = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", response, "resp_name=Kim", "city_population=9386000")
    package = tmp_path / "r1.neascn"
    field.run("package", "export", "--kind", "responses", "-o", package)
    never = Device("never", tmp_path / "never", sec.cli)
    shutil.copytree(sec.data_dir, never.data_dir)
    sec.run("package", "import", package)
    assert response in {r["id"] for r in sec.json("response", "list")}
    return sec, field, never, package, response


def test_an_undone_import_equals_never_importing_and_replicates_to_the_field(make_device, tmp_path: Path) -> None:
    sec, field, never, package, response = _setup(make_device, tmp_path)
    package_id = _package_id(package)

    result = sec.json("package", "undo", package_id)
    assert result["records"] == [response] and result["conflicts"] == []
    assert response not in {r["id"] for r in sec.json("response", "list")}
    assert _values(sec) == _values(never)
    audit = sec.json("audit", "list")
    assert audit[0]["action"] == "undo" and audit[0]["package_id"] == package_id

    # Undone twice is refused in one sentence; the database is unchanged.
    digest = sec.digest
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "package", "undo", package_id)
    assert code != 0 and "undone already" in err and err.count("\n") == 1
    assert sec.digest == digest

    # The withdrawal replicates like any change: the field device follows.
    out = tmp_path / "to-field.neascn"
    sec.run("package", "export", "--kind", "all", "--full", "-o", out)
    field.run("package", "import", out)
    assert response not in {r["id"] for r in field.json("response", "list")}
    assert field.digest == sec.digest
    field_values = {key: value for key, value in _values(field).items() if key[0] == "submission"}
    assert field_values == {key: value for key, value in _values(never).items() if key[0] == "submission"}

    # Undo the undo: the response is back, on the secretariat and (after the next export) the field.
    sec.run("undo", "revert", result["undo"])
    shown = sec.json("response", "show", response)
    assert shown["answers"]["resp_name"] == "Kim"
    again = tmp_path / "to-field-2.neascn"
    sec.run("package", "export", "--kind", "all", "--full", "-o", again)
    field.run("package", "import", again)
    assert field.json("response", "show", response)["answers"]["resp_name"] == "Kim"
    assert field.digest == sec.digest
    listed = sec.json("undo", "list")
    assert [u["in_effect"] for u in listed] == [True, False]


def test_a_later_edit_on_an_undone_revision_becomes_a_conflict(make_device, tmp_path: Path) -> None:
    sec, _field, _never, package, response = _setup(make_device, tmp_path)
    sec.run("response", "set", response, "resp_name=Edited at the secretariat")

    result = sec.json("package", "undo", _package_id(package))

    assert result["conflicts"] == [response]
    found = sec.json("conflicts", "list")
    assert [c["entity_id"] for c in found] == [response]
    kept = [h["payload"] for h in found[0]["heads"]]
    assert any(p.get("answers", {}).get("resp_name") == "Edited at the secretariat" for p in kept)


def test_unknown_package_is_a_one_line_error(make_device) -> None:
    sec = make_device("sec", "secretariat")
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "package", "undo", "no-such-package")
    assert code != 0 and "No package" in err and err.count("\n") == 1


# --- hostile: a withdrawal is a change like any other, judged by the authority rules ---------------


def _revision(entity_type: str, entity_id: str, parents: list[str], device_id: str,
              payload: dict[str, Any]) -> replica.Revision:
    return replica.make_revision(entity_type, entity_id, parents, device_id, format_clock(wall_ms(), 0), payload)


def _head(device: Device, entity_id: str) -> replica.Revision:
    db = device.open()
    try:
        return replica.heads(db, entity_id)[0]
    finally:
        db.dispose()


def _refused(receiver: Device, package: Path) -> str:
    before = receiver.digest
    report = receiver.json("package", "import", package, expect=1)
    outcome = report["packages"][0]
    assert outcome["status"] == "refused", outcome
    assert receiver.digest == before
    return str(outcome["message"])


def test_a_field_device_cannot_withdraw_another_devices_response(make_device, tmp_path: Path) -> None:
    sec, field, _never, _package, response = _setup(make_device, tmp_path)
    other = make_device("other", "field")
    sec.run("trust", "add", other.keyfile)
    head = _head(sec, response)
    forged = _revision("submission", response, [head.id], other.profile().device_id, WITHDRAWN)
    message = _refused(sec, signed_package(other.data_dir, [forged], tmp_path / "w.neascn", kind="responses"))
    assert "created by another device" in message
    assert response in {r["id"] for r in sec.json("response", "list")}


def test_a_task_force_member_cannot_withdraw_a_city(make_device, tmp_path: Path) -> None:
    sec = make_device("sec", "secretariat")
    tf = make_device("tf", "taskforce")
    sec.run("trust", "add", tf.keyfile, "--as", "taskforce")
    from neascn_desktop.surveys import installed

    seoul = next(r for r in installed.builtin_revisions() if r.entity_id == "seoul")
    forged = _revision("city", "seoul", [seoul.id], tf.profile().device_id, WITHDRAWN)
    message = _refused(sec, signed_package(tf.data_dir, [forged], tmp_path / "w.neascn", kind="all"))
    assert "city" in message


def test_a_withdrawn_marker_without_a_parent_is_refused(make_device, tmp_path: Path) -> None:
    sec = make_device("sec", "secretariat")
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    forged = _revision("submission", "ghost", [], field.profile().device_id, WITHDRAWN)
    message = _refused(sec, signed_package(field.data_dir, [forged], tmp_path / "w.neascn", kind="responses"))
    assert "withdrawn" in message


def test_the_secretariat_cannot_undo_what_it_may_not_change(make_device, tmp_path: Path) -> None:
    """A framework section is the task force's: the secretariat only merges it, so withdrawing a
    task-force member's section (one parent) would be refused by every receiver; it is refused
    here first, in one sentence, and nothing changes."""
    sec = make_device("sec", "secretariat")
    tf = make_device("tf", "taskforce")
    sec.run("trust", "add", tf.keyfile, "--as", "taskforce")
    tf.run("framework", "create")
    package = tmp_path / "fw.neascn"
    tf.run("package", "export", "--kind", "framework", "-o", package, "--no-encrypt")
    sec.run("package", "import", package)
    digest = sec.digest
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "package", "undo", _package_id(package))
    assert code != 0 and "cannot be undone" in err and err.count("\n") == 1
    assert sec.digest == digest


def test_an_edit_of_a_record_the_undone_import_created_is_kept_and_proposed(make_device, tmp_path: Path) -> None:
    """The package created the response, the secretariat edited it, then the import was undone:
    a conflict between the withdrawal and the edit, whose proposal keeps the edit."""
    from neascn_desktop.sync import conflicts, proposals

    sec, _field, _never, package, response = _setup(make_device, tmp_path)
    sec.run("response", "set", response, "resp_name=Kept")
    sec.run("package", "undo", _package_id(package))
    db = sec.open()
    try:
        comparison = conflicts.compare(db, response)
        assert comparison.proposal["answers"]["resp_name"] == "Kept"
        assert "_withdrawn" not in comparison.proposal
        head = proposals.reference_head(comparison.heads)
        labels = proposals.field_labels(db, head, [r.name for r in comparison.rows])
        assert labels["_withdrawn"].startswith("Withdrawn")
        assert proposals.record_title(db, comparison.heads[0], others=comparison.heads) == "Seoul (Field)"
        conflicts.resolve_with(db, response, comparison.proposal, how="merge")
    finally:
        db.dispose()
    assert sec.json("response", "show", response)["answers"]["resp_name"] == "Kept"


def test_built_in_revisions_a_package_brought_are_never_withdrawn(db, secretariat_profile) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from neascn_desktop.surveys import installed
    from neascn_desktop.sync import undo
    from neascn_desktop.sync.tables import package_table

    builtin = [r for r in installed.builtin_revisions() if r.entity_id == "seoul"]
    replica.add_revisions(db, builtin, provenance="pkg")
    with db.writing() as conn:
        conn.execute(insert(package_table).values(
            package_id="pkg", kind="deployment", sender_device_id="hub", sender_name="Hub",
            sender_fingerprint="f" * 64, created_at=datetime.now(UTC).isoformat(), manifest_sha256="0" * 64,
            file_sha256="0" * 64, imported_at=datetime.now(UTC), counts="{}"))
    with pytest.raises(PackageStateError, match="nothing to undo"):
        undo.undo_package(db, "pkg")
    assert replica.current(db, "city", "seoul") is not None


def test_undo_redo_undo_of_an_import_is_never_a_false_conflict(make_device, tmp_path: Path) -> None:
    """Undone, brought back (``undo revert``), undone again from its import (the audit log's
    "Undo this import"), brought back again: each step gives exactly the state before the step
    that it reverses, never a conflict between the import's own contents and its withdrawal."""
    sec, _field, never, package, response = _setup(make_device, tmp_path)
    package_id = _package_id(package)
    imported = _values(sec)

    first = sec.json("package", "undo", package_id)
    sec.run("undo", "revert", first["undo"])
    assert sec.json("conflicts", "list") == [] and _values(sec) == imported

    again = sec.json("package", "undo", package_id)
    assert again["conflicts"] == [] and again["records"] == [response]
    assert sec.json("conflicts", "list") == []
    assert _values(sec) == _values(never)

    back = sec.json("undo", "revert", again["undo"])
    assert back["conflicts"] == [] and sec.json("conflicts", "list") == []
    assert _values(sec) == imported


def test_undo_redo_undo_of_a_resolution_is_never_a_false_conflict(db, secretariat_profile) -> None:  # type: ignore[no-untyped-def]
    from neascn_desktop.surveys import installed
    from neascn_desktop.sync import conflicts, undo

    installed.ensure_builtin(db)
    seoul = replica.heads(db, "seoul")[0]
    replica.add_revisions(db, [
        replica.make_revision("city", "seoul", [seoul.id], device, format_clock(wall_ms(), n),
                              dict(seoul.payload, population=population))
        for n, (device, population) in enumerate((("device-a", 9_400_000), ("device-b", 9_500_000)))])
    merge = conflicts.resolve_with(db, "seoul", dict(seoul.payload, population=9_450_000), how="edited")

    first = undo.undo_resolution(db, merge.id)
    assert len(replica.heads(db, "seoul")) == 2
    assert first.message.startswith("Undid the resolution of the conflict in Seoul.")  # its name, not its id
    undo.undo_undo(db, first.undo_id)
    assert len(replica.heads(db, "seoul")) == 1

    again = undo.undo_resolution(db, merge.id)  # "Undo this resolution" on its row, once more
    heads = replica.heads(db, "seoul")
    assert sorted(h.payload["population"] for h in heads) == [9_400_000, 9_500_000]
    assert set(again.conflicts) == {"seoul"}  # the conflict of before, not a third version
    undo.undo_undo(db, again.undo_id)
    shown = replica.current(db, "city", "seoul")
    assert shown is not None and shown.heads == 1 and shown.payload["population"] == 9_450_000


def _every_value(device: Device) -> dict[tuple[str, str], Any]:
    """Every record's current value, of every entity type this profile holds (withdrawn ones
    absent, as if never made)."""
    from sqlalchemy import select

    from neascn_desktop.replica.tables import current_table

    db = device.open()
    try:
        with db.connect() as conn:
            types = set(conn.scalars(select(current_table.c.entity_type).distinct()))
        return {(t, s.entity_id): s.payload for t in sorted(types) for s in replica.list_current(db, t)}
    finally:
        db.dispose()


def test_done_when_an_undone_import_exported_to_the_field_equals_never_importing(make_device, tmp_path: Path) -> None:
    """Issue 16, done when: an import undone on the secretariat and exported to a field profile
    leaves both with the same digest as each other, and every record's current value (every
    entity type) equal to that of a profile that never imported the package."""
    sec = make_device("sec", "secretariat")
    field = make_device("field", "field")
    deployment = tmp_path / "deployment.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", deployment)
    field.run("package", "import", deployment)
    sec.run("trust", "add", field.keyfile)
    never = Device("never", tmp_path / "never", sec.cli)
    shutil.copytree(sec.data_dir, never.data_dir)
    # The package creates a city and a response, and edits the response twice.
    field.run("city", "add", "--id", "sainshand", "--name", "en=Sainshand", "--country", "MN",
              "--population", "29000")
    response = field.json("response", "new", "--city", "sainshand")["id"]
    field.run("response", "set", response, "resp_name=Bat", "projects[+]/proj_name=Heating")
    field.run("response", "set", response, "projects[1]/proj_investment=12")
    package = tmp_path / "r1.neascn"
    field.run("package", "export", "--kind", "responses", "-o", package)
    sec.run("package", "import", package)
    imported = _every_value(sec)
    assert ("city", "sainshand") in imported and ("submission", response) in imported

    sec.run("package", "undo", _package_id(package))
    to_field = tmp_path / "to-field.neascn"
    sec.run("package", "export", "--kind", "all", "--full", "-o", to_field)
    field.run("package", "import", to_field)
    assert field.digest == sec.digest
    expected = _every_value(never)
    assert _every_value(sec) == expected
    assert _every_value(field) == expected


def test_undo_list_speaks_the_readers_language(make_device, tmp_path: Path) -> None:
    """``neascn undo list`` printed the stored key ("package") and an ISO time in every language."""
    from neascn_desktop import i18n

    sec, _field, _never, package, _response = _setup(make_device, tmp_path)
    sec.run("package", "undo", _package_id(package))
    try:
        out = sec.run("--lang", "zh_Hans", "undo", "list")
    finally:
        i18n.set_language("en")
    assert "导入" in out and "生效中" in out and "package" not in out
    assert "T" not in out.split()[0]  # a date as the language writes it, not 2026-12-05T…
