"""The team keys stored in the database are checked before a member's application writes them:
a copy wrapped for someone else, a key that is not the team's, or garbage is refused with one
sentence and nothing is written to the member's keys."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from neascn_desktop.identity.keys import SIGNING_KEY_FILE, keys_dir
from neascn_desktop.store import open_database
from neascn_desktop.store.database import sqlite_url
from neascn_desktop.team import wrapping
from neascn_desktop.team.members import SIGNING, add_member, join, member_keys
from neascn_desktop.team.tables import team_key_table


def _pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _team(tmp_path: Path, cli) -> tuple[Path, str, str]:  # type: ignore[no-untyped-def]
    alice = tmp_path / "alice"
    assert cli("--data-dir", alice, "init", "--name", "Alice", "--role", "secretariat")[0] == 0
    url = sqlite_url(alice / "neascn.sqlite3")
    bob = join(tmp_path / "bob", url, name="Bob")
    carol = join(tmp_path / "carol", url, name="Carol")
    db = open_database(alice)
    try:
        add_member(db, bob.member_id)
        add_member(db, carol.member_id)
    finally:
        db.dispose()
    return alice, bob.member_id, carol.member_id


def _set_wrapped(data_dir: Path, member_id: str, wrapped: str) -> None:
    db = open_database(data_dir)
    try:
        with db.writing() as conn:
            conn.execute(update(team_key_table).where(team_key_table.c.member_id == member_id,
                                                      team_key_table.c.key == SIGNING).values(wrapped=wrapped))
    finally:
        db.dispose()


@pytest.mark.sqlite_only
@pytest.mark.parametrize("tampering", ["another member's copy", "not the team's key", "garbage"])
def test_a_tampered_team_key_is_refused_and_nothing_written(tmp_path: Path, cli, tampering: str) -> None:  # type: ignore[no-untyped-def]
    alice, bob_id, carol_id = _team(tmp_path, cli)
    bob = tmp_path / "bob"
    if tampering == "another member's copy":
        db = open_database(alice)
        with db.connect() as conn:
            wrapped = conn.scalar(select(team_key_table.c.wrapped).where(
                team_key_table.c.member_id == carol_id, team_key_table.c.key == SIGNING))
        db.dispose()
        expected = "cannot be opened with your member key"
    elif tampering == "not the team's key":
        keys = member_keys(bob)
        assert keys is not None
        wrapped = wrapping.wrap(_pem(Ed25519PrivateKey.generate()), keys.encryption_public, bob_id, SIGNING)
        expected = "is not the team's"
    else:
        wrapped = '{"scheme": "x25519-hkdf-sha256-aes256gcm", "ciphertext": 12}'
        expected = "cannot be opened with your member key"
    _set_wrapped(alice, bob_id, wrapped)
    code, out, err = cli("--data-dir", bob, "stats")
    assert code != 0 and expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (keys_dir(bob) / SIGNING_KEY_FILE).exists()
