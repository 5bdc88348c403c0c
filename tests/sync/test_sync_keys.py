"""Keys that cannot be lost: backup and restore with a passphrase, rotation rolled out by a
deployment package while the old key still opens older packages."""

from __future__ import annotations

import json
import shutil
import stat
import zipfile
from pathlib import Path

from tests.sync.sync_support import Device


def _manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("manifest.json"))


def _response(device: Device, city: str, name: str) -> None:
    sid = device.json("response", "new", "--city", city)["id"]
    device.run("response", "set", sid, f"resp_name={name}")


def test_rotation_rolls_out_by_deployment_and_old_key_still_opens_old_packages(
    make_device, tmp_path: Path
) -> None:
    sec = make_device("secretariat", "secretariat")
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    dep1 = tmp_path / "dep1.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", dep1)
    field.run("package", "import", dep1)

    _response(field, "seoul", "Before rotation")
    old = tmp_path / "old.neascn"
    field.run("package", "export", "--kind", "responses", "-o", old)
    old_key = _manifest(old)["encryption"]["recipient_key_fingerprint"]

    rotated = sec.json("key", "rotate")
    assert rotated["fingerprint"] != old_key
    keys = sec.json("key", "list")
    assert [k["current"] for k in keys].count(True) == 1 and len(keys) == 2

    dep2 = tmp_path / "dep2.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", dep2)
    out = field.run("package", "import", dep2)
    assert "new encryption key" in out
    # An older deployment arriving late does not roll the key back.
    field.run("package", "import", dep1)

    _response(field, "busan", "After rotation")
    new = tmp_path / "new.neascn"
    field.run("package", "export", "--kind", "responses", "-o", new)
    assert _manifest(new)["encryption"]["recipient_key_fingerprint"] == rotated["fingerprint"]

    report = sec.json("package", "import", old, new)
    assert report["applied"] == 2
    assert sec.stats()["submissions"] == 2


def test_backup_and_restore_on_another_machine(make_device, tmp_path: Path, monkeypatch) -> None:
    sec = make_device("secretariat", "secretariat")
    field = make_device("field", "field")
    sec.run("key", "rotate")  # two encryption keys to keep
    sec.run("trust", "add", field.keyfile)
    _response(field, "seoul", "Kim")
    package = tmp_path / "r.neascn"
    field.run("package", "export", "--kind", "responses", "-o", package, "--encrypt-for", sec.keyfile)

    passfile = tmp_path / "pass.txt"
    passfile.write_text("correct horse battery staple\n", encoding="utf-8")
    backup = tmp_path / "keys.backup"
    sec.run("key", "backup", "-o", backup, "--passphrase-file", passfile)
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert b"PRIVATE KEY" not in backup.read_bytes()

    # The laptop is lost: a new, empty data directory on another machine.
    shutil.rmtree(sec.data_dir)
    restored = Device("restored", tmp_path / "restored", sec.cli)
    monkeypatch.setenv("NEASCN_PASSPHRASE", "wrong passphrase!")
    code, _out, err = restored.cli("--data-dir", restored.data_dir, "key", "restore", backup)
    assert code == 2 and "passphrase is wrong" in err
    monkeypatch.setenv("NEASCN_PASSPHRASE", "correct horse battery staple")
    result = restored.json("key", "restore", backup)
    assert result["created_profile"] and result["keys_added"] == 2
    assert len(restored.json("key", "list")) == 2

    restored.run("trust", "add", field.keyfile)
    report = restored.json("package", "import", package)
    assert report["applied"] == 1
    assert restored.stats()["submissions"] == 1


def test_backup_refuses_short_passphrase_and_restore_into_other_profile(make_device, tmp_path: Path,
                                                                       monkeypatch) -> None:
    sec = make_device("secretariat", "secretariat")
    other = make_device("other", "secretariat")
    monkeypatch.setenv("NEASCN_PASSPHRASE", "short")
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "key", "backup", "-o", tmp_path / "b")
    assert code == 2 and "at least" in err
    monkeypatch.setenv("NEASCN_PASSPHRASE", "a long enough passphrase")
    sec.run("key", "backup", "-o", tmp_path / "b")
    code, _out, err = other.cli("--data-dir", other.data_dir, "key", "restore", tmp_path / "b")
    assert code == 2 and "another device" in err
    # Restoring into the same profile brings back a deleted key file.
    key_file = next((sec.data_dir / "keys").glob("x25519-*.pem"))
    key_file.unlink()
    assert sec.json("key", "restore", tmp_path / "b")["keys_added"] == 1
    assert key_file.exists()


def test_package_for_another_recipient_is_refused(make_device, tmp_path: Path) -> None:
    sec = make_device("secretariat", "secretariat")
    other = make_device("other", "secretariat")
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    _response(field, "seoul", "Kim")
    package = tmp_path / "r.neascn"
    field.run("package", "export", "--kind", "responses", "-o", package, "--encrypt-for", other.keyfile)
    digest = sec.digest
    out = sec.run("package", "import", package, expect=1)
    assert "encrypted for another key" in out
    assert sec.digest == digest


def test_a_failed_restore_leaves_the_target_directory_as_it_was(make_device, tmp_path: Path,
                                                                 monkeypatch) -> None:
    sec = make_device("secretariat", "secretariat")
    monkeypatch.setenv("NEASCN_PASSPHRASE", "a long enough passphrase")
    backup = tmp_path / "keys.backup"
    sec.run("key", "backup", "-o", backup)
    document = json.loads(backup.read_text(encoding="utf-8"))
    ciphertext = document["sealed"]["ciphertext"]
    flipped = ciphertext[:10] + ("B" if ciphertext[10] == "A" else "A") + ciphertext[11:]
    altered = tmp_path / "altered.backup"
    altered.write_text(json.dumps(dict(document, sealed=dict(document["sealed"], ciphertext=flipped))),
                       encoding="utf-8")
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(backup.read_bytes()[:200])
    empty_dir = tmp_path / "empty"
    empty_dir.mkdir()
    missing_dir = tmp_path / "missing"
    cases = [(backup, "wrong passphrase!!"), (altered, "a long enough passphrase"),
             (truncated, "a long enough passphrase")]
    for source, passphrase in cases:
        monkeypatch.setenv("NEASCN_PASSPHRASE", passphrase)
        for target in (empty_dir, missing_dir):
            code, _out, err = sec.cli("--data-dir", target, "key", "restore", source)
            assert code == 2 and err.count("\n") == 1, (source.name, err)
            assert list(empty_dir.iterdir()) == [] and not missing_dir.exists(), (source.name, target)
    monkeypatch.setenv("NEASCN_PASSPHRASE", "a long enough passphrase")
    assert sec.json("--data-dir", empty_dir, "key", "restore", backup)["created_profile"]
