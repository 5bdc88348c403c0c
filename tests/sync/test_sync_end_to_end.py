"""Three profiles in temporary data directories, exchanging packages through the real CLI."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

from tests.sync.sync_support import Device


def _new_response(device: Device, city: str, **answers: str) -> str:
    submission_id = device.json("response", "new", "--city", city)["id"]
    device.run("response", "set", submission_id, *[f"{k}={v}" for k, v in answers.items()])
    return submission_id


def _manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def test_deployment_data_entry_export_import_in_both_orders(make_device, tmp_path: Path) -> None:
    sec = make_device("secretariat", "secretariat")
    field1 = make_device("field_one", "field")
    field2 = make_device("field_two", "field")

    deployment = tmp_path / "deployment.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", deployment)
    for field in (field1, field2):
        out = field.run("package", "import", deployment)
        assert "trusted on first use" in out
        trusted = field.json("trust", "list")
        assert [t["role"] for t in trusted] == ["secretariat"]
    assert field1.stats()["entities"]["survey_definition"] >= 1

    sub1 = _new_response(field1, "seoul", resp_name="Kim", has_strategy="yes", city_population="9386000")
    sub2 = _new_response(field2, "busan", resp_name="Park", has_strategy="no", city_population="3300000")

    r1, r2 = tmp_path / "r1.neascn", tmp_path / "r2.neascn"
    field1.run("package", "export", "--kind", "responses", "-o", r1)
    field2.run("package", "export", "--kind", "responses", "-o", r2)
    sec_key = sec.json("key", "list")[0]["fingerprint"]
    for path in (r1, r2):
        manifest = _manifest(path)
        # Encrypted for the secretariat from the deployment on; the payload is unreadable.
        assert manifest["encryption"]["recipient_key_fingerprint"] == sec_key
        with zipfile.ZipFile(path) as zf:
            assert b"Kim" not in zf.read("payload/revisions.jsonl")

    # Unknown senders wait in the inbox; nothing is applied.
    before = sec.digest
    out = sec.run("package", "import", r1, expect=1)
    assert "inbox" in out
    assert sec.digest == before
    assert len(sec.json("inbox", "list")) == 1

    sec.run("trust", "add", field1.keyfile, field2.keyfile)
    other = tmp_path / "secretariat_b"
    shutil.copytree(sec.data_dir, other)
    sec_b = Device("secretariat_b", other, sec.cli)

    report = sec.json("package", "import", r1, r2)
    assert report["applied"] == 2 and report["refused"] == 0
    report_b = sec_b.json("package", "import", r2, r1)
    assert report_b["applied"] == 2
    stats, stats_b = sec.stats(), sec_b.stats()
    assert stats["digest"] == stats_b["digest"]
    assert stats["submissions"] == 2 and stats["answers"] == 6 and stats["conflicts"] == 0

    # The waiting copy in the inbox was superseded by the applied package.
    assert sec.json("inbox", "list") == []

    # Re-importing changes nothing and says so (exit status 0).
    digest = sec.digest
    report = sec.json("package", "import", r1, r2)
    assert report["already_imported"] == 2 and report["applied"] == 0
    assert sec.digest == digest
    out = sec.run("package", "import", r1)
    assert "nothing changed" in out

    # Provenance: each submission's revisions name the package they came in.
    from neascn_desktop import replica

    db = sec.open()
    try:
        assert {r.provenance for r in replica.history(db, sub2)} == {_manifest(r2)["package_id"]}
    finally:
        db.dispose()
    audit = sec.json("audit", "list")
    applied = {a["package_id"] for a in audit if a["verdict"] == "applied"}
    assert {_manifest(r1)["package_id"], _manifest(r2)["package_id"]} <= applied

    # The secretariat's next deployment acknowledges what it holds, so the field device
    # sends only what is new (until then it re-sends what was not received, issue 13/9).
    ack = tmp_path / "deployment-ack.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", ack)
    field1.run("package", "import", ack)

    # A concurrent edit of the same answer becomes one listed conflict.
    sec.run("response", "set", sub1, "resp_name=Secretariat Kim")
    field1.run("response", "set", sub1, "resp_name=Field Kim")
    r3 = tmp_path / "r3.neascn"
    field1.run("package", "export", "--kind", "responses", "-o", r3)
    assert _manifest(r3)["counts"]["revisions"] == 1  # only what the secretariat may lack
    sec.run("package", "import", r3)
    found = sec.json("conflicts", "list")
    assert len(found) == 1
    conflict = found[0]
    assert conflict["entity_id"] == sub1 and conflict["entity_type"] == "submission"
    assert len(conflict["heads"]) == 2
    for head in conflict["heads"]:
        assert {"revision", "device_id", "clock", "payload", "changed"} <= set(head)
    names = {h["payload"]["answers"]["resp_name"] for h in conflict["heads"]}
    assert names == {"Secretariat Kim", "Field Kim"}
    field_head = next(h for h in conflict["heads"] if h["payload"]["answers"]["resp_name"] == "Field Kim")
    assert sec.stats()["conflicts"] == 1

    sec.run("conflicts", "resolve", sub1, "--keep", field_head["revision"])
    assert sec.json("conflicts", "list") == []
    assert sec.stats()["conflicts"] == 0
    shown = sec.json("response", "show", sub1)
    assert shown["answers"]["resp_name"] == "Field Kim"
    assert sub2 in {r["id"] for r in sec.json("response", "list")}


def test_revoked_sender_waits_and_inbox_reject(make_device, tmp_path: Path) -> None:
    sec = make_device("secretariat", "secretariat")
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    _new_response(field, "seoul", resp_name="Kim")
    r1 = tmp_path / "r1.neascn"
    field.run("package", "export", "--kind", "responses", "-o", r1, "--encrypt-for", sec.keyfile)
    sec.run("package", "import", r1)

    sec.run("trust", "revoke", field.profile().device_id)
    field.run("response", "set", field.json("response", "list")[0]["id"], "resp_name=Lee")
    r2 = tmp_path / "r2.neascn"
    field.run("package", "export", "--kind", "responses", "-o", r2, "--encrypt-for", sec.keyfile)
    digest = sec.digest
    verdict = sec.json("package", "verify", r2)[0]
    assert verdict["trust"] == "revoked" and verdict["signature_valid"]
    sec.run("package", "import", r2, expect=1)
    assert sec.digest == digest
    waiting = sec.json("inbox", "list")
    assert len(waiting) == 1 and waiting[0]["reason"] == "revoked"
    stored = Path(waiting[0]["file"])
    assert stored.is_file() and stored.parent == sec.data_dir / "inbox"

    sec.run("inbox", "reject", waiting[0]["package_id"])
    assert sec.json("inbox", "list") == []
    assert not stored.exists()
    assert sec.digest == digest
    # A rejected package stays rejected when it comes again.
    sec.run("package", "import", r2, expect=1)
    assert sec.digest == digest
    verdicts = [a["verdict"] for a in sec.json("audit", "list")]
    assert "rejected" in verdicts and "waiting" in verdicts


def test_inbox_trust_applies_all_waiting_packages_of_the_sender(make_device, tmp_path: Path) -> None:
    sec = make_device("secretariat", "secretariat")
    field = make_device("field", "field")
    files = []
    for index, city in enumerate(("seoul", "busan")):
        _new_response(field, city, resp_name=f"R{index}")
        path = tmp_path / f"r{index}.neascn"
        field.run("package", "export", "--kind", "responses", "-o", path, "--encrypt-for", sec.keyfile)
        files.append(path)
    report = sec.json("package", "import", tmp_path, expect=1)  # a folder of packages
    assert report["waiting"] == 2
    dry = sec.json("package", "import", "--dry-run", files[0], expect=1)
    assert dry["packages"][0]["preview"]["by_type"]["submission"]["new"] == 1
    first = sec.json("inbox", "list")[0]["package_id"]
    report = sec.json("inbox", "trust", first)
    assert report["applied"] == 2
    assert sec.stats()["submissions"] == 2
    assert sec.json("trust", "list")[0]["device_id"] == field.profile().device_id


def test_verify_reports_damage_and_usage_errors(make_device, tmp_path: Path) -> None:
    sec = make_device("secretariat", "secretariat")
    bad = tmp_path / "bad.neascn"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = sec.json("package", "verify", bad, expect=1)
    assert result[0]["status"] == "damaged" and "damaged" in result[0]["error"]
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "package", "import", tmp_path / "missing.neascn")
    assert code == 2 and "does not exist" in err
    code, out, _err = sec.cli("--data-dir", sec.data_dir, "package", "import", bad)
    assert code == 1 and "refused" in out


def test_inbox_apply_only_this_keeps_the_sender_revoked(make_device, tmp_path: Path) -> None:
    sec = make_device("secretariat", "secretariat")
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    sec.run("trust", "revoke", field.profile().device_id)
    _new_response(field, "seoul", resp_name="Made before the revocation")
    package = tmp_path / "late.neascn"
    field.run("package", "export", "--kind", "responses", "-o", package, "--encrypt-for", sec.keyfile)
    sec.run("package", "import", package, expect=1)
    waiting = sec.json("inbox", "list")[0]
    report = sec.json("inbox", "trust", waiting["package_id"], "--only-this")
    assert report["applied"] == 1
    assert sec.stats()["submissions"] == 1
    assert sec.json("trust", "list")[0]["revoked"] is True
    assert sec.json("inbox", "list") == []
