"""No trust changes silently: another secretariat, or a trusted device's key replaced, needs an
explicit confirmation (``--replace-secretariat`` / ``--accept-key-change``), and every trust
change is in the audit log.  Real devices, real key cards and packages, the real CLI."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from neascn_desktop import __version__
from neascn_desktop.identity.keys import b64, fingerprint, public_bytes
from neascn_desktop.sync import payload
from neascn_desktop.sync.container import Sender, write_package
from tests.identity.test_keycard_checks import X25519_LOW_ORDER
from tests.sync.sync_support import Device


def _impostor(make_device, victim: Device, name: str) -> Device:  # type: ignore[no-untyped-def]
    """Another device (its own keys) that claims ``victim``'s device id: its key card and its
    packages are genuinely signed, by the wrong key."""
    role = victim.profile().role
    impostor = make_device(name, role)
    connection = sqlite3.connect(impostor.data_dir / "neascn.sqlite3")
    with connection:
        connection.execute("UPDATE profile SET device_id = ?", (victim.profile().device_id,))
    connection.close()
    return impostor


def _recipient_key(package: Path) -> str:
    with zipfile.ZipFile(package) as archive:
        return json.loads(archive.read("manifest.json"))["encryption"]["recipient_key_fingerprint"]


def _key_fingerprint(device: Device) -> str:
    return next(k["fingerprint"] for k in device.json("key", "list") if k["current"])


def _export_responses(field: Device, target: Path) -> dict:
    return field.json("package", "export", "--kind", "responses", "-o", target)


def _trust_audit(device: Device) -> list[dict]:
    return [e for e in device.json("audit", "list") if e["action"] == "trust"]


def _deployment(sec: Device, target: Path) -> Path:
    sec.run("package", "export", "--kind", "deployment", "-o", target)
    return target


@pytest.mark.sqlite_only
def test_trust_add_refuses_a_card_that_reuses_a_trusted_device_id(make_device, tmp_path: Path) -> None:
    sec = make_device("sec", "secretariat")
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    impostor = _impostor(make_device, field, "impostor")
    genuine, replacing = field.profile(), impostor.profile()
    before = sec.json("trust", "list")

    code, out, err = sec.cli("--data-dir", sec.data_dir, "trust", "add", impostor.keyfile)

    assert code == 2 and out == "" and err.count("\n") == 1
    assert fingerprint(genuine.signing_public_key) in err and fingerprint(replacing.signing_public_key) in err
    assert "--accept-key-change" in err
    assert sec.json("trust", "list") == before
    assert [e["verdict"] for e in _trust_audit(sec)] == ["trusted"]  # only the first card

    result = sec.json("trust", "add", impostor.keyfile, "--accept-key-change")
    assert result[0]["changes"] == ["key_change"]
    assert [d["fingerprint"] for d in sec.json("trust", "list")] == [fingerprint(replacing.signing_public_key)]
    replaced = _trust_audit(sec)[0]
    assert replaced["verdict"] == "key_replaced"
    assert fingerprint(genuine.signing_public_key) in replaced["message"]
    assert fingerprint(replacing.signing_public_key) in replaced["message"]


def test_a_second_secretariat_card_needs_replace_secretariat(make_device, tmp_path: Path) -> None:
    field = make_device("field", "field")
    first = make_device("first_sec", "secretariat")
    second = make_device("second_sec", "secretariat")
    field.run("trust", "add", first.keyfile)
    field.json("response", "new", "--city", "seoul")

    code, _out, err = field.cli("--data-dir", field.data_dir, "trust", "add", second.keyfile)
    assert code == 2 and err.count("\n") == 1 and "--replace-secretariat" in err
    assert fingerprint(first.profile().signing_public_key) in err
    assert fingerprint(second.profile().signing_public_key) in err
    assert _export_responses(field, tmp_path / "a.neascn")["encrypted_for"]["name"] == "First Sec"

    field.run("trust", "add", second.keyfile, "--replace-secretariat")
    assert _export_responses(field, tmp_path / "b.neascn")["encrypted_for"]["name"] == "Second Sec"
    assert "Second Sec" in _trust_audit(field)[0]["message"] and "First Sec" in _trust_audit(field)[0]["message"]

    # Trusting the first one's card again is a change of secretariat too, not a silent one.
    code, _out, err = field.cli("--data-dir", field.data_dir, "trust", "add", first.keyfile)
    assert code == 2 and "--replace-secretariat" in err
    assert _export_responses(field, tmp_path / "c.neascn")["encrypted_for"]["name"] == "Second Sec"


def test_the_secretariat_can_trust_several_secretariat_members(make_device) -> None:
    sec = make_device("sec", "secretariat")
    for name in ("member_a", "member_b"):
        sec.run("trust", "add", make_device(name, "secretariat").keyfile, "--as", "secretariat")
    assert len(sec.json("trust", "list")) == 2


def test_inbox_trust_of_another_secretariat_on_a_field_device(make_device, tmp_path: Path) -> None:
    field = make_device("field", "field")
    first = make_device("first_sec", "secretariat")
    second = make_device("second_sec", "secretariat")
    field.run("package", "import", _deployment(first, tmp_path / "first.neascn"))  # trusted on first use
    assert [d["name"] for d in field.json("trust", "list")] == ["First Sec"]
    out = field.run("package", "import", _deployment(second, tmp_path / "second.neascn"), expect=1)
    assert "inbox" in out
    waiting = field.json("inbox", "list")
    package_id = waiting[0]["package_id"]
    digest = field.digest

    code, out, err = field.cli("--data-dir", field.data_dir, "inbox", "trust", package_id)

    assert code == 2 and err.count("\n") == 1 and "--replace-secretariat" in err
    assert fingerprint(first.profile().signing_public_key) in err
    assert fingerprint(second.profile().signing_public_key) in err
    assert field.digest == digest and field.json("inbox", "list") == waiting
    assert [d["name"] for d in field.json("trust", "list")] == ["First Sec"]
    assert _trust_audit(field) == []
    field.json("response", "new", "--city", "seoul")
    _export_responses(field, tmp_path / "r1.neascn")
    assert _recipient_key(tmp_path / "r1.neascn") == _key_fingerprint(first)

    report = field.json("inbox", "trust", package_id, "--replace-secretariat")
    assert report["applied"] == 1 and field.json("inbox", "list") == []
    _export_responses(field, tmp_path / "r2.neascn")
    assert _recipient_key(tmp_path / "r2.neascn") == _key_fingerprint(second)
    assert _trust_audit(field)[0]["package_id"] == package_id


def _forged_waiting(make_device, tmp_path: Path) -> tuple[Device, Device, Device, dict]:  # type: ignore[no-untyped-def]
    """A field device that trusts its secretariat, and a deployment signed by another key but
    naming that secretariat's device id, waiting in its inbox."""
    field = make_device("field", "field")
    sec = make_device("sec", "secretariat")
    field.run("package", "import", _deployment(sec, tmp_path / "genuine.neascn"))
    impostor = _impostor(make_device, sec, "impostor")
    field.run("package", "import", _deployment(impostor, tmp_path / "forged.neascn"), expect=1)
    entry = field.json("inbox", "list")[0]
    assert entry["reason"] == "key_changed"
    return field, sec, impostor, entry


@pytest.mark.sqlite_only
def test_trusting_another_key_under_the_secretariats_id_needs_accept_key_change(
    make_device, tmp_path: Path
) -> None:
    field, sec, impostor, entry = _forged_waiting(make_device, tmp_path)
    trusted = field.json("trust", "list")
    code, _out, err = field.cli("--data-dir", field.data_dir, "inbox", "trust", entry["package_id"])
    assert code == 2 and err.count("\n") == 1 and "--accept-key-change" in err
    assert fingerprint(sec.profile().signing_public_key) in err
    assert fingerprint(impostor.profile().signing_public_key) in err
    assert field.json("trust", "list") == trusted and len(field.json("inbox", "list")) == 1


@pytest.mark.sqlite_only
def test_applying_a_forged_deployment_only_this_once_does_not_adopt_its_key(make_device, tmp_path: Path) -> None:
    """Hostile: "apply only this package" of a deployment signed by another key under the
    secretariat's id must not re-target the field device's responses to that key."""
    field, sec, impostor, entry = _forged_waiting(make_device, tmp_path)
    field.json("inbox", "trust", entry["package_id"], "--only-this")
    assert [d["fingerprint"] for d in field.json("trust", "list")] == [fingerprint(sec.profile().signing_public_key)]
    field.json("response", "new", "--city", "seoul")
    _export_responses(field, tmp_path / "r.neascn")
    assert _key_fingerprint(sec) != _key_fingerprint(impostor)
    assert _recipient_key(tmp_path / "r.neascn") == _key_fingerprint(sec)


def test_the_genuine_secretariat_still_rolls_its_key(make_device, tmp_path: Path) -> None:
    field = make_device("field", "field")
    sec = make_device("sec", "secretariat")
    field.run("package", "import", _deployment(sec, tmp_path / "d1.neascn"))
    sec.run("key", "rotate")
    out = field.run("package", "import", _deployment(sec, tmp_path / "d2.neascn"))
    assert "new encryption key" in out
    field.json("response", "new", "--city", "seoul")
    _export_responses(field, tmp_path / "r.neascn")
    assert _recipient_key(tmp_path / "r.neascn") == _key_fingerprint(sec)


def _forged_first_deployment(tmp_path: Path, **sender: str) -> Path:
    """A first deployment, genuinely signed, whose sender identity breaks one rule."""
    signing = Ed25519PrivateKey.generate()
    fields = {"device_id": "1b4e28ba-2fa1-41d2-883f-0016d3cca427", "display_name": "Secretariat",
              "organisation": "NEASCN", "role": "secretariat",
              "signing_public_key": b64(public_bytes(signing.public_key())),
              "encryption_public_key": b64(public_bytes(X25519PrivateKey.generate().public_key())),
              **sender}
    target = tmp_path / "first.neascn"
    write_package(target, package_id="3f333df6-90a4-4fda-8dd3-9485d27cee36", kind="deployment",
                  created_at="2026-11-30T10:00:00.000+00:00", app_version=__version__,
                  sender=Sender(**fields), signing_key=signing, payload=payload.encode([]),
                  attachments=[], envelope=None, recipient=None, counts={"revisions": 0, "attachments": 0})
    return target


def test_a_first_deployment_with_a_weak_key_is_not_trusted_on_first_use(make_device, tmp_path: Path) -> None:
    """Hostile: a "secretariat" whose encryption key is a low-order point (every response
    encrypted for it would be readable by anyone) is not trusted on first use; it waits, and
    trusting it from the inbox is refused in one sentence."""
    field = make_device("field", "field")
    package = _forged_first_deployment(tmp_path, encryption_public_key=b64(X25519_LOW_ORDER))
    field.run("package", "import", package, expect=1)
    assert field.json("trust", "list") == []
    package_id = field.json("inbox", "list")[0]["package_id"]
    code, _out, err = field.cli("--data-dir", field.data_dir, "inbox", "trust", package_id)
    assert code == 2 and err.count("\n") == 1 and "unusable encryption key" in err
    assert field.json("trust", "list") == [] and len(field.json("inbox", "list")) == 1


def test_trust_add_and_revoke_are_audited(make_device) -> None:
    sec = make_device("sec", "secretariat")
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    sec.run("trust", "revoke", field.profile().device_id)
    sec.run("trust", "revoke", field.profile().device_id)  # already revoked: nothing changes
    entries = _trust_audit(sec)
    assert [e["verdict"] for e in entries] == ["revoked", "trusted"]
    assert all(e["sender"]["device_id"] == field.profile().device_id for e in entries)
    out = sec.run("audit", "list")
    assert "key replaced" not in out and "revoked" in out


@pytest.mark.sqlite_only
def test_an_unusable_key_trusted_by_an_older_version_is_a_sentence_at_export(make_device, tmp_path: Path) -> None:
    """An older version accepted a 5-byte encryption key on a key card; exporting for it then
    failed with "internal error".  Such a row left in a database is now one sentence."""
    field = make_device("field", "field")
    sec = make_device("sec", "secretariat")
    field.run("trust", "add", sec.keyfile)
    connection = sqlite3.connect(field.data_dir / "neascn.sqlite3")
    with connection:
        connection.execute("UPDATE trusted_device SET encryption_public_key = ?", (b64(b"12345"),))
    connection.close()
    field.json("response", "new", "--city", "seoul")
    code, _out, err = field.cli("--data-dir", field.data_dir, "package", "export", "--kind", "responses",
                                "-o", tmp_path / "r.neascn")
    assert code == 2 and err.count("\n") == 1 and "unusable encryption key" in err, err
    assert not (tmp_path / "r.neascn").exists()


@pytest.mark.sqlite_only
def test_a_card_that_changes_a_trusted_devices_role_needs_confirming(make_device) -> None:
    """The same device (same key) re-issuing its card as a secretariat would gain the
    secretariat's authority here: a change to confirm, not a silent update."""
    sec = make_device("sec", "secretariat")
    field = make_device("field", "field")
    sec.run("trust", "add", field.keyfile)
    connection = sqlite3.connect(field.data_dir / "neascn.sqlite3")
    with connection:
        connection.execute("UPDATE profile SET role = 'secretariat'")
    connection.close()
    field.keyfile.unlink()
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "trust", "add", field.keyfile)
    assert code == 2 and "Secretariat" in err and "--as" in err  # the claimed role is not taken
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "trust", "add", field.keyfile, "--as", "secretariat")
    assert code == 2 and "Field staff" in err and "Secretariat" in err and "--accept-key-change" in err
    assert [d["role"] for d in sec.json("trust", "list")] == ["field"]
    sec.run("trust", "add", field.keyfile, "--accept-key-change", "--as", "secretariat")
    assert [d["role"] for d in sec.json("trust", "list")] == ["secretariat"]
