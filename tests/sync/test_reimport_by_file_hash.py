"""Importing a folder again costs a directory listing and a hash per file (issue 19).

A file that is, byte for byte, a package file applied before (its SHA-256 is stored
with the package) is reported as already imported before any signature, hash or
decryption work; any other file — a copy that differs in one byte included — is read
and verified as usual.
"""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.sync.container import Limits
from neascn_desktop.sync.importer import import_packages
from tests.sync.sync_support import Device


def _world(make_device, tmp_path: Path) -> tuple[Device, Path]:  # type: ignore[no-untyped-def]
    sec, field = make_device("secretariat", "secretariat"), make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    submission = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", submission, "resp_name=Kim")
    package = tmp_path / "p.neascn"
    field.run("package", "export", "--kind", "responses", "-o", package, "--no-encrypt", "--full")
    assert sec.json("package", "import", package)["applied"] == 1
    return sec, package


def test_a_file_imported_before_is_recognised_without_reading_it(make_device, tmp_path: Path) -> None:
    sec, package = _world(make_device, tmp_path)
    copy = tmp_path / "again" / "renamed.neascn"
    copy.parent.mkdir()
    copy.write_bytes(package.read_bytes())
    # Limits that refuse any package read: the copy is recognised by its hash before reading.
    db = sec.open()
    try:
        report = import_packages(db, [copy.parent], limits=Limits(max_file_bytes=10))
        assert [o.status for o in report.outcomes] == ["already_imported"]
        assert report.exit_code == 0 and "renamed.neascn" in report.outcomes[0].message
        verdict = report.outcomes[0].verdict
        assert verdict is not None and verdict.already_imported and verdict.sender_name == "Field"
        # A dry run too.
        dry = import_packages(db, [copy], dry_run=True, limits=Limits(max_file_bytes=10))
        assert [o.status for o in dry.outcomes] == ["already_imported"]
    finally:
        db.dispose()
    report = sec.json("package", "import", copy.parent)
    assert report["already_imported"] == 1 and report["packages"][0]["status"] == "already_imported"


def test_a_copy_that_differs_in_one_byte_is_verified_and_refused(make_device, tmp_path: Path) -> None:
    sec, package = _world(make_device, tmp_path)
    before = sec.digest
    data = bytearray(package.read_bytes())
    middle = len(data) // 2
    data[middle] ^= 0xFF
    damaged = tmp_path / "damaged.neascn"
    damaged.write_bytes(bytes(data))
    report = sec.json("package", "import", damaged, expect=1)
    assert report["packages"][0]["status"] == "refused"
    assert sec.digest == before  # nothing applied
