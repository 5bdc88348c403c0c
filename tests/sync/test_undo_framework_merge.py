"""The secretariat takes back its own merge of a framework section (issue 16): the undo of a
resolution, and of an import that brought a secretariat's merge, pass the authority rules; the
rules stay as they were for everyone else (hostile packages below)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from neascn_desktop import replica
from neascn_desktop.replica.clock import format_clock, wall_ms
from tests.sync.sync_support import Device, signed_package


def _package_id(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return str(json.loads(zf.read("manifest.json"))["package_id"])


def _export(device: Device, path: Path, kind: str = "framework") -> Path:
    device.run("package", "export", "--kind", kind, "-o", path, "--no-encrypt", "--full")
    return path


def _bodies(device: Device) -> dict[str, str]:
    return {s["id"]: device.json("framework", "show", s["id"])["body"] for s in device.json("framework", "list")}


def _conflicted(make_device, tmp_path: Path) -> tuple[Device, Device, Device, str]:  # type: ignore[no-untyped-def]
    """A secretariat holding a framework section two task-force members edited at once."""
    sec = make_device("sec", "secretariat")
    tfa = make_device("tfa", "taskforce")
    tfb = make_device("tfb", "taskforce")
    for receiver, sender in ((tfb, tfa), (tfa, tfb)):
        receiver.run("trust", "add", sender.keyfile, "--as", "taskforce")
    for member in (tfa, tfb):
        sec.run("trust", "add", member.keyfile, "--as", "taskforce")
    tfa.run("framework", "create")
    tfb.run("package", "import", _export(tfa, tmp_path / "start.neascn"))
    section = tfa.json("framework", "list")[0]["id"]
    for member, text in ((tfa, "Vision as Alice wrote it.\n"), (tfb, "Vision as Bob wrote it.\n")):
        body = tmp_path / f"{member.name}.md"
        body.write_text(text, encoding="utf-8")
        member.run("framework", "set", section, "--file", body)
    sec.run("package", "import", _export(tfa, tmp_path / "a.neascn"), _export(tfb, tmp_path / "b.neascn"))
    assert [c["entity_id"] for c in sec.json("conflicts", "list")] == [section]
    return sec, tfa, tfb, section


def _keep_alice(sec: Device, section: str) -> dict[str, Any]:
    heads = sec.json("conflicts", "list")[0]["heads"]
    alice = next(h for h in heads if "Alice" in h["payload"]["body"])
    return sec.json("conflicts", "resolve", section, "--keep", alice["revision"])


def test_the_secretariat_undoes_its_own_framework_resolution(make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sec, tfa, _tfb, section = _conflicted(make_device, tmp_path)
    _keep_alice(sec, section)
    assert sec.json("conflicts", "list") == []

    result = sec.json("conflicts", "undo", section)
    assert result["conflicts"] == [section]
    heads = sec.json("conflicts", "list")[0]["heads"]
    assert sorted(h["payload"]["body"] for h in heads) == ["Vision as Alice wrote it.\n", "Vision as Bob wrote it.\n"]

    # The undo replicates: a task-force member takes it (judged by the secretariat's rules).
    tfa.run("trust", "add", sec.keyfile, "--as", "secretariat")
    tfa.run("package", "import", _export(sec, tmp_path / "undo.neascn", "all"))
    assert tfa.digest == sec.digest

    sec.run("undo", "revert", result["undo"])
    assert sec.json("conflicts", "list") == []
    assert sec.json("framework", "show", section)["body"] == "Vision as Alice wrote it.\n"


def test_another_secretariat_undoes_the_import_of_a_secretariat_merge(make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sec, _tfa, _tfb, section = _conflicted(make_device, tmp_path)
    hub = make_device("hub", "secretariat")
    for sender in ("tfa", "tfb"):
        hub.run("trust", "add", tmp_path / f"{sender}.key", "--as", "taskforce")
    hub.run("trust", "add", sec.keyfile, "--as", "secretariat")
    hub.run("package", "import", tmp_path / "a.neascn", tmp_path / "b.neascn")
    before = _bodies(hub)
    _keep_alice(sec, section)
    merged = _export(sec, tmp_path / "merged.neascn", "all")
    hub.run("package", "import", merged)
    assert hub.json("conflicts", "list") == []

    result = hub.json("package", "undo", _package_id(merged))
    assert section in result["records"]
    assert [c["entity_id"] for c in hub.json("conflicts", "list")] == [section]
    assert _bodies(hub) == before


# --- hostile: nobody else gains anything -------------------------------------------------------


def _refused(receiver: Device, package: Path) -> str:
    before = receiver.digest
    report = receiver.json("package", "import", package, expect=1)
    outcome = report["packages"][0]
    assert outcome["status"] == "refused", outcome
    assert receiver.digest == before
    return str(outcome["message"])


def _revision(section: str, parents: list[str], device_id: str, payload: dict[str, Any]) -> replica.Revision:
    return replica.make_revision("framework_section", section, parents, device_id,
                                 format_clock(wall_ms(), 0), payload)


def _merge_and_alice(sec: Device, section: str) -> tuple[replica.Revision, replica.Revision]:
    db = sec.open()
    try:
        merge = replica.heads(db, section)[0]
        alice = next(replica.get_revision(db, p) for p in merge.parents
                     if "Alice" in replica.get_revision(db, p).payload["body"])  # type: ignore[union-attr]
    finally:
        db.dispose()
    assert alice is not None and len(merge.parents) == 2
    return merge, alice


def test_a_field_device_cannot_forge_the_undo_of_a_merge(make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sec, _tfa, _tfb, section = _conflicted(make_device, tmp_path)
    _keep_alice(sec, section)
    merge, _alice = _merge_and_alice(sec, section)
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    db = sec.open()
    try:
        other = next(replica.get_revision(db, p) for p in merge.parents
                     if "Bob" in replica.get_revision(db, p).payload["body"])  # type: ignore[union-attr]
    finally:
        db.dispose()
    assert other is not None
    forged = _revision(section, [merge.id], field.profile().device_id, dict(other.payload))
    message = _refused(sec, signed_package(field.data_dir, [forged], tmp_path / "f.neascn", kind="all"))
    assert "framework_section" in message


def test_the_secretariat_still_cannot_write_new_text_on_top_of_a_merge(make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sec, tfa, _tfb, section = _conflicted(make_device, tmp_path)
    _keep_alice(sec, section)
    tfa.run("trust", "add", sec.keyfile, "--as", "secretariat")
    tfa.run("package", "import", _export(sec, tmp_path / "merged.neascn", "all"))
    merge, alice = _merge_and_alice(sec, section)
    forged = _revision(section, [merge.id], sec.profile().device_id,
                       dict(alice.payload, body="Text the secretariat never may write.\n"))
    message = _refused(tfa, signed_package(sec.data_dir, [forged], tmp_path / "s.neascn", kind="all"))
    assert "framework_section" in message
