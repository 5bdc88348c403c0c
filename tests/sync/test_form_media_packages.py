"""Form media travel in deployment packages as attachments: a field device that imports the
deployment fills the form with its ``_from_file`` lists and ``pulldata()`` working.  Hostile
packages — a file under another hash, a member whose bytes are not the listed ones, an oversized
or path-like media entry — are refused whole and change nothing; a file the package lacks is
reported missing and never replaced by another."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from neascn_desktop import __version__, replica
from neascn_desktop.identity.keys import load_device_keys
from neascn_desktop.replica.clock import format_clock, wall_ms
from neascn_desktop.sync import payload
from neascn_desktop.sync.container import Sender, write_package
from neascn_desktop.sync.package_writer import AttachmentSource
from tests.surveys.test_form_media import fruit_form
from tests.sync.sync_support import Device


def _secretariat_with_form(make_device, tmp_path: Path) -> Device:  # type: ignore[no-untyped-def]
    sec = make_device("sec", "secretariat")
    sec.run("survey", "import-xlsform", fruit_form(tmp_path / "form"))
    return sec


def test_a_deployment_carries_the_form_media_to_a_field_device(make_device, tmp_path: Path) -> None:
    sec = _secretariat_with_form(make_device, tmp_path)
    field = make_device("field", "field")
    deployment = tmp_path / "deployment.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", deployment)
    with zipfile.ZipFile(deployment) as zf:
        carried = {n for n in zf.namelist() if n.startswith("attachments/")}
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["format_version"] == 1
    definition = next(r for r in sec.json("survey", "list") if r["form_id"] == "fruit")
    assert definition
    stored = {p.name for p in (sec.data_dir / "attachments").iterdir()}
    assert len(carried) == 5 and {n.removeprefix("attachments/") for n in carried} <= stored

    report = field.json("package", "import", deployment)
    assert report["packages"][0]["status"] == "applied", report
    assert {p.name for p in (field.data_dir / "attachments").iterdir()} >= {
        n.removeprefix("attachments/") for n in carried}
    # The field officer fills the form: lists from the files, pulldata from the table.
    response = field.json("response", "new", "--city", "seoul", "--form", "fruit")["id"]
    field.run("response", "set", response, "fruit=banana", "place=sel", "sites=s1 s2")
    shown = field.json("response", "show", response)
    assert shown["answers"]["fruit"] == "banana" and shown["answers"]["sites"] == ["s1", "s2"]
    assert shown["calculated"]["colour"] == "yellow"
    field.run("response", "set", response, "fruit=apple")
    assert field.json("response", "show", response)["calculated"]["colour"] == "red"
    code, _out, err = field.cli("--data-dir", field.data_dir, "response", "set", response, "fruit=kiwi")
    assert code != 0 and "kiwi" in err
    assert field.json("check")["problems"] == []
    # ... and can hand the form on as an XLSForm with its files.
    field.run("survey", "export-xlsform", "fruit", "-o", tmp_path / "copy" / "fruit.xlsx")
    assert (tmp_path / "copy" / "fruit-media" / "colours.csv").read_bytes() == (
        tmp_path / "form" / "colours.csv").read_bytes()


# --------------------------------------------------------------------------- hostile packages


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _definition_revision(sec: Device, media: dict[str, Any], version: str = "9") -> replica.Revision:
    document = {"form_id": "evil", "version": version, "title": {"en": "Evil"}, "format": 2,
                "choice_lists": {},
                "children": [{"type": "calculate", "name": "c",
                              "calculation": "pulldata('table', 'v', 'k', 'a')"}],
                "media": media}
    return replica.make_revision("survey_definition", f"evil@{version}", [],
                                 sec.profile().device_id, format_clock(wall_ms(), 0), document)


def _deployment(sec: Device, revisions: list[replica.Revision], files: list[Path], target: Path) -> Path:
    profile = sec.profile()
    keys = load_device_keys(sec.data_dir)
    sender = Sender(profile.device_id, profile.display_name, profile.organisation, profile.role,
                    profile.signing_public_key, keys.encryption_public_b64)
    write_package(target, package_id=str(uuid.uuid4()), kind="deployment",
                  created_at=datetime.now(UTC).isoformat(timespec="milliseconds"),
                  app_version=__version__, sender=sender, signing_key=keys.signing,
                  payload=payload.encode(revisions),
                  attachments=[AttachmentSource(_sha(p.read_bytes()), p) for p in files],
                  counts={"revisions": len(revisions), "attachments": len(files)})
    return target


def _rewrite(package: Path, sec: Device, change: Any) -> Path:
    """The package with its members changed by ``change(members, manifest)``, signed again by
    the secretariat's real key (what a modified app of a trusted sender could send)."""
    with zipfile.ZipFile(package) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    manifest = json.loads(members["manifest.json"])
    change(members, manifest)
    raw = json.dumps(manifest).encode("utf-8")
    members["manifest.json"] = raw
    members["manifest.sig"] = load_device_keys(sec.data_dir).signing.sign(raw)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for name, content in members.items():
            out.writestr(name, content)
    package.write_bytes(buffer.getvalue())
    return package


TABLE = b"k,v\na,first\na,second\n"
OTHER = b"k,v\na,forged\n"


def _entry(data: bytes, **changes: Any) -> dict[str, Any]:
    return {"sha256": _sha(data), "size": len(data), "media_type": "text/csv", **changes}


def _trusting_field(make_device, sec: Device) -> Device:  # type: ignore[no-untyped-def]
    field = make_device("field", "field")
    field.run("trust", "add", sec.keyfile)
    return field


def test_a_well_formed_media_deployment_is_applied(make_device, tmp_path: Path) -> None:
    sec = make_device("sec", "secretariat")
    field = _trusting_field(make_device, sec)
    table = tmp_path / "table.csv"
    table.write_bytes(TABLE)
    package = _deployment(sec, [_definition_revision(sec, {"table.csv": _entry(TABLE)})], [table],
                          tmp_path / "good.neascn")
    assert field.json("package", "import", package)["packages"][0]["status"] == "applied"
    response = field.json("response", "new", "--city", "seoul", "--form", "evil")["id"]
    assert field.json("response", "show", response)["calculated"]["c"] == "first"


HOSTILE_ENTRIES: dict[str, tuple[dict[str, Any], str]] = {
    "path traversal": ({"../../table.csv": _entry(TABLE)}, "is not a plain file name"),
    "absolute path": ({"/etc/table.csv": _entry(TABLE)}, "is not a plain file name"),
    "windows path": ({"..\\table.csv": _entry(TABLE)}, "is not a plain file name"),
    "oversized": ({"table.csv": _entry(TABLE, size=64 * 1024 * 1024 + 1)}, "larger than the limit"),
    "hash not hex": ({"table.csv": _entry(TABLE, sha256="../" * 21 + "x")}, "hexadecimal digits"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_ENTRIES))
def test_a_hostile_media_entry_refuses_the_package(make_device, tmp_path: Path, case: str) -> None:
    sec = make_device("sec", "secretariat")
    field = _trusting_field(make_device, sec)
    table = tmp_path / "table.csv"
    table.write_bytes(TABLE)
    media, reason = HOSTILE_ENTRIES[case]
    package = _deployment(sec, [_definition_revision(sec, media)], [table], tmp_path / "evil.neascn")
    before = field.digest
    report = field.json("package", "import", package, expect=1)
    outcome = report["packages"][0]
    assert outcome["status"] == "refused", outcome
    assert reason in outcome["message"] and "\n" not in outcome["message"]
    assert field.digest == before
    assert not (field.data_dir / "attachments").exists() or not any(
        (field.data_dir / "attachments").iterdir())


def test_a_member_not_named_by_its_hash_or_not_the_listed_bytes_is_refused(make_device,
                                                                          tmp_path: Path) -> None:
    sec = make_device("sec", "secretariat")
    field = _trusting_field(make_device, sec)
    table = tmp_path / "table.csv"
    table.write_bytes(TABLE)
    revision = _definition_revision(sec, {"table.csv": _entry(TABLE)})
    name = f"attachments/{_sha(TABLE)}"

    def renamed(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        # The forged bytes under the name of the real file, listed with their own hash.
        members[name] = OTHER
        for member in manifest["members"]:
            if member["name"] == name:
                member.update(size=len(OTHER), sha256=_sha(OTHER))

    def swapped(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        # Bytes of the same size; the manifest still lists the real file's size and hash.
        members[name] = TABLE.replace(b"first", b"FORGE")

    def longer(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
        members[name] = OTHER * 100

    before = field.digest
    for change, reason in ((renamed, "is not named by its hash"), (swapped, "signed"),
                           (longer, "does not have its signed size")):
        package = _rewrite(_deployment(sec, [revision], [table], tmp_path / f"{change.__name__}.neascn"),
                           sec, change)
        report = field.json("package", "import", package, expect=1)
        outcome = report["packages"][0]
        assert outcome["status"] == "refused", outcome
        assert reason in outcome["message"]
        assert field.digest == before


def test_a_media_file_the_package_lacks_is_missing_and_never_replaced(make_device,
                                                                      tmp_path: Path) -> None:
    sec = make_device("sec", "secretariat")
    field = _trusting_field(make_device, sec)
    other = tmp_path / "other.csv"
    other.write_bytes(OTHER)  # carried, but not the file the definition names
    package = _deployment(sec, [_definition_revision(sec, {"table.csv": _entry(TABLE)})], [other],
                          tmp_path / "lacking.neascn")
    report = field.json("package", "import", package)
    outcome = report["packages"][0]
    assert outcome["status"] == "applied"
    assert outcome["preview"]["missing_attachments"] == [_sha(TABLE)]
    assert "1 attachment is missing." in outcome["message"]
    response = field.json("response", "new", "--city", "seoul", "--form", "evil")["id"]
    assert field.json("response", "show", response)["calculated"].get("c") in (None, "")
    check = field.json("check", expect=1)
    assert [p["sha256"] for p in check["problems"]] == [_sha(TABLE)]
    # The secretariat's next package carries it: restored from the file, the form works.
    table = tmp_path / "table.csv"
    table.write_bytes(TABLE)
    restore = _deployment(sec, [], [table], tmp_path / "restore.neascn")
    field.run("check", "--from", restore)
    assert field.json("response", "show", response)["calculated"]["c"] == "first"


def test_a_list_longer_than_a_definition_holds_travels_as_its_file(make_device, tmp_path: Path) -> None:
    """A list of 10,001 villages stays in its file (a definition's lists travel bounded to 20,000
    items); the field device reads the choices from the stored file and checks answers by them."""
    from openpyxl import Workbook

    from neascn_desktop.surveys.form_media import MAX_EMBEDDED_CHOICES

    folder = tmp_path / "villages"
    (folder / "villages-media").mkdir(parents=True)
    wb = Workbook()
    wb.active.title = "survey"
    wb.active.append(["type", "name", "label"])
    wb.active.append(["select_one_from_file villages.csv", "village", "Village"])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["villages", "1"])
    wb.save(folder / "villages.xlsx")
    count = MAX_EMBEDDED_CHOICES + 1
    (folder / "villages-media" / "villages.csv").write_text(
        "name,label\n" + "".join(f"v{n},Village {n}\n" for n in range(count)), encoding="utf-8")
    sec = make_device("sec", "secretariat")
    sec.run("survey", "import-xlsform", folder / "villages.xlsx")
    field = make_device("field", "field")
    sec.run("package", "export", "--kind", "deployment", "-o", tmp_path / "d.neascn")
    assert field.json("package", "import", tmp_path / "d.neascn")["packages"][0]["status"] == "applied"
    response = field.json("response", "new", "--city", "seoul", "--form", "villages")["id"]
    field.run("response", "set", response, f"village=v{count - 1}")
    assert field.json("response", "show", response)["answers"]["village"] == f"v{count - 1}"
    code, _out, err = field.cli("--data-dir", field.data_dir, "response", "set", response,
                                "village=atlantis")
    assert code != 0 and "atlantis" in err
    # Sent back, the secretariat takes the answer (its copy of the list is the same file).
    sec.run("trust", "add", field.keyfile)
    field.run("package", "export", "--kind", "responses", "-o", tmp_path / "r.neascn")
    assert sec.json("package", "import", tmp_path / "r.neascn")["packages"][0]["status"] == "applied"
