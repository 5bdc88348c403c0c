"""Who did what on a team's database: the audit log names the member of every row; the member
list shows the creator as admin before their first ``add``; a removed member's application
deletes the team's keys it held (SQLite file and PostgreSQL alike)."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop.identity.keys import SIGNING_KEY_FILE, keys_dir
from neascn_desktop.store.database import sqlite_url
from tests.team.conftest import generate
from tests.team.test_members import Person


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.sqlite_only),
                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_url(request: pytest.FixtureRequest) -> str | None:
    return request.getfixturevalue("postgres_url") if request.param == "postgresql" else None


def _team(cli, tmp_path: Path, shared_url: str | None) -> tuple[Person, Person, str]:  # type: ignore[no-untyped-def]
    alice, bob = Person(cli, tmp_path / "alice"), Person(cli, tmp_path / "bob")
    alice.run("init", "--name", "Alice", "--role", "secretariat", "--org", "Secretariat")
    if shared_url is None:
        url = sqlite_url(alice.data_dir / "neascn.sqlite3")
    else:
        url = shared_url
        alice.run("db", "copy", "--to", url, "--switch")
    return alice, bob, url


def test_the_creator_is_listed_as_admin_before_adding_anyone(shared_url: str | None, tmp_path: Path,
                                                             cli) -> None:  # type: ignore[no-untyped-def]
    alice, bob, url = _team(cli, tmp_path, shared_url)
    if shared_url is None:
        assert "No members yet" in alice.run("member", "list")  # one person: no team yet
    bob.json("join", url, "--name", "Bob")
    members = {m["name"]: (m["role"], m["status"], m["me"]) for m in alice.json("member", "list")}  # type: ignore[union-attr]
    assert members == {"Alice": ("admin", "active", True), "Bob": ("member", "requested", False)}
    # Bob (not the creator) sees Alice too, and listing twice makes no second admin.
    members = {m["name"]: (m["role"], m["status"], m["me"]) for m in bob.json("member", "list")}  # type: ignore[union-attr]
    assert members == {"Alice": ("admin", "active", False), "Bob": ("member", "requested", True)}


def test_the_audit_log_names_the_member_who_did_it(shared_url: str | None, tmp_path: Path,
                                                   cli) -> None:  # type: ignore[no-untyped-def]
    alice, bob, url = _team(cli, tmp_path, shared_url)
    bob_id = bob.json("join", url, "--name", "Bob")["member_id"]  # type: ignore[index]
    alice.run("member", "add", bob_id)
    field = generate(alice.data_dir, tmp_path / "field", devices=1, packages=2)
    bob.run("trust", "add", *sorted((tmp_path / "field" / "keys").iterdir()))
    bob.run("package", "import", field.packages)
    alice.run("package", "export", "--kind", "deployment", "-o", tmp_path / "dep.neascn", "--no-encrypt")

    rows = alice.json("audit", "list")
    by_action: dict[str, set[str]] = {}
    for row in rows:  # type: ignore[union-attr]
        assert row["member"] is not None, row  # every row on the team's database names its member
        by_action.setdefault(row["action"], set()).add(row["member"]["name"])
    assert by_action["import"] == {"Bob"} and by_action["trust"] == {"Bob"}
    assert by_action["export"] == {"Alice"} and by_action["member"] == {"Alice"}
    added = next(r for r in rows if r["verdict"] == "member_added")  # type: ignore[union-attr]
    assert "Added Bob" in added["message"]
    assert "[Bob]  import" in alice.run("audit", "list")

    alice.run("member", "remove", bob_id)
    assert "removed" in alice.json("audit", "list")[0]["verdict"]  # type: ignore[index]


def test_a_removed_member_no_longer_holds_the_team_keys(shared_url: str | None, tmp_path: Path,
                                                        cli) -> None:  # type: ignore[no-untyped-def]
    alice, bob, url = _team(cli, tmp_path, shared_url)
    bob_id = bob.json("join", url, "--name", "Bob")["member_id"]  # type: ignore[index]
    alice.run("member", "add", bob_id)
    bob.run("stats")  # unwraps the team keys into Bob's keys/
    team_signing = keys_dir(bob.data_dir) / SIGNING_KEY_FILE
    assert team_signing.exists() and list(keys_dir(bob.data_dir).glob("x25519-*.pem"))
    alice.run("member", "remove", bob_id)
    assert "keys are deleted" in bob.run("stats", expect=1)
    assert not team_signing.exists() and not list(keys_dir(bob.data_dir).glob("x25519-*.pem"))
    assert (keys_dir(bob.data_dir) / "member-x25519.pem").exists()  # his own: he may be added again
    assert "removed from the team" in bob.run("stats", expect=1)
    alice.run("member", "add", bob_id)  # added again: the keys come back
    bob.run("stats")
    assert team_signing.exists()


def test_removal_with_a_new_signing_key_revokes_the_old_one_in_the_field(
        shared_url: str | None, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """A removed member who kept a copy of the team's signing key signs nothing the field accepts
    once the field has confirmed the new key card; without the option the key stays."""
    alice, bob, url = _team(cli, tmp_path, shared_url)
    carol, field = Person(cli, tmp_path / "carol"), Person(cli, tmp_path / "field")
    ids = {name: person.json("join", url, "--name", name)["member_id"]  # type: ignore[index]
           for person, name in ((bob, "Bob"), (carol, "Carol"))}
    for member_id in ids.values():
        alice.run("member", "add", member_id)
    field.run("init", "--name", "Field", "--role", "field")
    alice.run("key", "export", "-o", tmp_path / "team-old.json")
    field.run("trust", "add", tmp_path / "team-old.json")
    old_deployment = tmp_path / "old.neascn"
    bob.run("package", "export", "--kind", "deployment", "-o", old_deployment, "--no-encrypt")
    bobs_copy = (keys_dir(bob.data_dir) / SIGNING_KEY_FILE).read_bytes()

    removal = alice.json("member", "remove", ids["Bob"], "--new-signing-key")
    assert removal["name"] == "Bob" and removal["new_signing_fingerprint"]  # type: ignore[index]
    new_deployment = tmp_path / "new.neascn"
    carol.run("package", "export", "--kind", "deployment", "-o", new_deployment, "--no-encrypt")
    assert (keys_dir(carol.data_dir) / SIGNING_KEY_FILE).read_bytes() != bobs_copy

    def trust_of(package: Path) -> str:
        return field.json("package", "verify", package)[0]["trust"]  # type: ignore[index]

    assert trust_of(new_deployment) == "key_changed"  # the field confirms the new key first
    carol.run("key", "export", "-o", tmp_path / "team-new.json")
    assert removal["new_signing_fingerprint"] in carol.run("key", "export", "-o", tmp_path / "again.json")  # type: ignore[index]
    field.run("trust", "add", tmp_path / "team-new.json", "--accept-key-change")
    assert trust_of(new_deployment) == "trusted"
    assert trust_of(old_deployment) == "key_changed"  # what Bob's copy signs is no longer the team's
