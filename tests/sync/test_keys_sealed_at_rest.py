"""Private keys at rest: owner-only files here; sealed by the system's key store on Windows.

DPAPI cannot run on Linux, so its behaviour is simulated by a protector with
the same contract: sealed bytes open only for the same user (here: the same
AES key).  What is real: every private key file the app writes and reads goes
through ``identity.key_protection``, the CLI end to end, and the key backup
(sealed by its passphrase, not by the computer) opens for another user.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from neascn_desktop.identity import key_protection
from neascn_desktop.identity.key_protection import MAGIC, Protector


def _windows_user(name: str) -> Protector:
    """A stand-in for DPAPI's user scope: what one user sealed, only that user unseals."""
    key = AESGCM(AESGCM.generate_key(bit_length=128))

    def seal(data: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + key.encrypt(nonce, data, None)

    def unseal(data: bytes) -> bytes:
        try:
            return key.decrypt(data[:12], data[12:], None)
        except Exception as exc:  # noqa: BLE001 - DPAPI raises OSError for another user's blob
            raise OSError(13, f"not sealed for {name}") from exc

    return Protector("dpapi", seal, unseal)


def test_key_files_here_are_owner_only_pem(make_device) -> None:
    device = make_device("field", "field")
    assert key_protection.active is None and key_protection.protection_label().startswith("file")
    for path in (device.data_dir / "keys").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.read_bytes().startswith(b"-----BEGIN")


def test_sealed_keys_work_end_to_end_and_only_for_their_user(
    make_device, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(key_protection, "active", _windows_user("kim"))
    sec = make_device("secretariat", "secretariat")
    field = make_device("field", "field")
    sec.run("key", "rotate")  # a retired key and a current one: both written through the protector
    sec.run("trust", "add", field.keyfile)
    submission = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", submission, "resp_name=Kim")
    package = tmp_path / "r.neascn"
    field.run("package", "export", "--kind", "responses", "-o", package, "--encrypt-for", sec.keyfile)
    assert sec.json("package", "import", package)["applied"] == 1  # unsealed to decrypt

    key_files = sorted((sec.data_dir / "keys").glob("*.pem"))
    assert len(key_files) >= 3
    for path in key_files:
        data = path.read_bytes()
        assert data.startswith(MAGIC + b"dpapi\n") and b"PRIVATE KEY" not in data

    # The key backup is sealed by its passphrase only: it opens for another Windows user.
    monkeypatch.setenv("NEASCN_PASSPHRASE", "correct horse battery staple")
    backup = tmp_path / "keys.backup"
    sec.run("key", "backup", "-o", backup)
    assert not backup.read_bytes().startswith(MAGIC)

    # The data directory copied to another user's account (a USB stick): the keys do not open.
    monkeypatch.setattr(key_protection, "active", _windows_user("lee"))
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "package", "export", "--kind", "responses",
                              "-o", tmp_path / "other.neascn")
    assert code == 2 and err.count("\n") == 1 and "another user or computer" in err
    restored = tmp_path / "restored"
    code, _out, err = sec.cli("--data-dir", restored, "key", "restore", backup)
    assert code == 0, err
    assert all(p.read_bytes().startswith(MAGIC) for p in (restored / "keys").glob("*.pem"))


def test_plain_pem_files_from_before_still_open_under_a_key_store(
    make_device, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    field = make_device("field", "field")  # written as plain PEM (an older version)
    monkeypatch.setattr(key_protection, "active", _windows_user("kim"))
    field.run("package", "export", "--kind", "responses", "-o", tmp_path / "signed.neascn")
    assert (tmp_path / "signed.neascn").is_file()
