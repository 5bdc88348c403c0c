"""Members, not a profile: two members on two data directories share one database; the team key
is wrapped for each; removing a member rotates it (SQLite file and PostgreSQL alike)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neascn_desktop.identity.keys import key_file_name, key_files_lookup, keys_dir
from neascn_desktop.store.database import sqlite_url
from neascn_desktop.sync.container import DEFAULT_LIMITS
from neascn_desktop.sync.reading import prepare
from tests.team.conftest import generate


class Person:
    def __init__(self, cli, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
        self.cli, self.data_dir = cli, data_dir

    def run(self, *args: object, expect: int = 0) -> str:
        code, out, err = self.cli("--data-dir", self.data_dir, *args)
        assert (code == 0) == (expect == 0), f"{args}: exit {code}\n{out}\n{err}"
        assert "Traceback" not in err
        return out if expect == 0 else err

    def json(self, *args: object) -> object:
        return json.loads(self.run("--json", *args))


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite_only),
                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str | None:
    """``None``: the first member's SQLite file, shared; else a PostgreSQL database."""
    return request.getfixturevalue("postgres_url") if request.param == "postgresql" else None


def test_two_members_share_one_database_and_removal_rotates_the_team_key(
        shared_url: str | None, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    alice, bob, carol = (Person(cli, tmp_path / name) for name in ("alice", "bob", "carol"))
    alice.run("init", "--name", "Alice", "--role", "secretariat", "--org", "Secretariat")
    if shared_url is None:
        url = sqlite_url(alice.data_dir / "neascn.sqlite3")
    else:
        url = shared_url
        alice.run("db", "copy", "--to", url, "--switch")
    # A second member cannot just "init": they join, and an admin adds them.
    asked = bob.json("join", url, "--name", "Bob")
    assert asked["status"] == "requested"
    carol_id = carol.json("join", url, "--name", "Carol")["member_id"]
    assert not (keys_dir(bob.data_dir) / "device-x25519.pem").exists()
    bob.run("member", "add", carol_id, expect=1)  # only an active admin adds members
    alice.run("member", "add", asked["member_id"])
    alice.run("member", "add", carol_id)
    members = {m["name"]: m for m in bob.json("member", "list")}  # type: ignore[union-attr]
    assert {name: (m["role"], m["status"]) for name, m in members.items()} == {
        "Alice": ("admin", "active"), "Bob": ("member", "active"), "Carol": ("member", "active")}

    # Field packages encrypted for the team key: Bob imports them, Alice sees them.
    first = generate(alice.data_dir, tmp_path / "field1", devices=2, packages=6)
    bob.run("trust", "add", *sorted((tmp_path / "field1" / "keys").iterdir()))
    report = bob.json("package", "import", first.packages)
    assert {p["status"] for p in report["packages"]} == {"applied"}  # type: ignore[index]
    assert alice.json("stats")["digest"] == bob.json("stats")["digest"]  # type: ignore[index]
    assert alice.json("stats")["revisions"] > 0  # type: ignore[index]

    # Removing Bob rotates the key; the new one is wrapped for Alice and Carol only.
    removal = alice.json("member", "remove", asked["member_id"])
    new_fp = removal["new_key_fingerprint"]  # type: ignore[index]
    second = generate(alice.data_dir, tmp_path / "field2", devices=1, packages=3, seed=2)
    carol.run("trust", "add", *sorted((tmp_path / "field2" / "keys").iterdir()))
    report = carol.json("package", "import", second.packages)
    assert {p["status"] for p in report["packages"]} == {"applied"}  # type: ignore[index]
    assert (keys_dir(carol.data_dir) / key_file_name(new_fp)).exists()
    assert "removed from the team" in bob.run("package", "import", second.packages, expect=1)
    assert not (keys_dir(bob.data_dir) / key_file_name(new_fp)).exists()
    for package in sorted(second.packages.iterdir()):
        assert prepare(package, DEFAULT_LIMITS, key_files_lookup(bob.data_dir)).error is not None
        assert prepare(package, DEFAULT_LIMITS, key_files_lookup(carol.data_dir)).error is None
    # The next deployment announces the new key.
    deployment = tmp_path / "deployment.neascn"
    carol.run("package", "export", "--kind", "deployment", "-o", deployment, "--no-encrypt")
    from neascn_desktop.sync.crypto import encryption_key_fingerprint
    from neascn_desktop.sync.peeking import peek

    manifest = peek(deployment, DEFAULT_LIMITS).manifest
    assert manifest is not None
    assert encryption_key_fingerprint(manifest.sender.encryption_public_key) == new_fp

    # Any member's "key rotate" wraps the new key for the others too.
    rotated = carol.json("key", "rotate")["fingerprint"]  # type: ignore[index]
    alice.run("stats")
    assert (keys_dir(alice.data_dir) / key_file_name(rotated)).exists()


@pytest.mark.sqlite_only
def test_join_refuses_a_database_without_a_team_and_a_data_directory_with_a_profile(
        tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    alice, bob = Person(cli, tmp_path / "alice"), Person(cli, tmp_path / "bob")
    empty = sqlite_url(tmp_path / "empty.sqlite3")
    assert "has no profile yet" in bob.run("join", empty, "--name", "Bob", expect=1)
    alice.run("init", "--name", "Alice", "--role", "secretariat")
    bob.run("init", "--name", "Bob", "--role", "secretariat")
    url = sqlite_url(alice.data_dir / "neascn.sqlite3")
    assert "already holds the keys of a profile" in bob.run("join", url, "--name", "Bob", expect=1)
    assert "No single member matches" in alice.run("member", "add", "nobody", expect=1)


@pytest.mark.sqlite_only
def test_a_switched_data_directory_never_reads_its_old_file(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """After ``db copy --to --switch`` the old SQLite file stays; the shortcut that reads the file
    without the database layer (the language) must not read it."""
    from neascn_desktop.identity.profile_file import stored_language

    alice = Person(cli, tmp_path / "alice")
    alice.run("init", "--name", "Alice", "--role", "secretariat", "--lang", "ko")
    assert stored_language(alice.data_dir) == "ko"
    alice.run("db", "copy", "--to", tmp_path / "shared.sqlite3", "--switch")
    assert stored_language(alice.data_dir) is None
