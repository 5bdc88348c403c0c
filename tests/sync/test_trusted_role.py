"""The role a sender is trusted as is the receiver's decision, never the role its manifest or key
card claims (issue 13, defect 3 by the inbox's door): a stranger whose package claims
"secretariat" is not trusted as one by ``inbox trust`` or ``trust add`` unless the receiver names
that role (``--as``), and the refusal leaves the database, the trust list and the inbox unchanged.
Real devices, real signed packages, the real CLI."""

from __future__ import annotations

from pathlib import Path

from neascn_desktop import replica
from neascn_desktop.replica.clock import format_clock, wall_ms
from neascn_desktop.surveys import installed
from tests.sync.sync_support import Device, signed_package

DEFINITION = "neascn_readiness@2026.1"


def _world(make_device) -> tuple[Device, Device]:  # type: ignore[no-untyped-def]
    sec = make_device("sec", "secretariat")
    stranger = make_device("stranger", "field")
    return sec, stranger


def _pwned_package(sec: Device, stranger: Device, target: Path, claimed_role: str = "secretariat") -> Path:
    """A stranger (a field device) whose signed package claims the secretariat's role and
    rewrites the survey definition."""
    builtin = next(r for r in installed.builtin_revisions() if r.entity_id == DEFINITION)
    revision = replica.make_revision("survey_definition", DEFINITION, [builtin.id], stranger.profile().device_id,
                                     format_clock(wall_ms(), 0), dict(builtin.payload, title={"en": "PWNED SURVEY"}))
    return signed_package(stranger.data_dir, [revision], target, kind="all", claimed_role=claimed_role)


def _waiting(sec: Device, package: Path) -> str:
    assert sec.json("package", "import", package, expect=1)["waiting"] == 1
    return str(sec.json("inbox", "list")[0]["package_id"])


def test_inbox_trust_does_not_trust_a_claimed_secretariat_as_one(make_device, tmp_path: Path) -> None:
    """Hostile: ``inbox trust`` of a package claiming "secretariat" without ``--as`` is refused in
    one sentence naming the claimed role; nothing is trusted, applied or taken off the inbox."""
    sec, stranger = _world(make_device)
    package_id = _waiting(sec, _pwned_package(sec, stranger, tmp_path / "pwned.neascn"))
    before, waiting = sec.digest, sec.json("inbox", "list")
    assert "(Test Org, Secretariat)" in sec.run("inbox", "list")  # the claim is shown before deciding

    code, out, err = sec.cli("--data-dir", sec.data_dir, "inbox", "trust", package_id)

    assert code == 2 and out == "" and err.count("\n") == 1 and "--as" in err and "secretariat" in err
    assert sec.digest == before and sec.json("trust", "list") == [] and sec.json("inbox", "list") == waiting
    assert sec.json("survey", "list")[0]["title"] != "PWNED SURVEY"


def test_inbox_trust_as_field_judges_the_sender_as_a_field_device(make_device, tmp_path: Path) -> None:
    """The receiver's decision counts: trusted ``--as field``, the claimed secretariat may not
    rewrite the survey, and the trust list says "field"."""
    sec, stranger = _world(make_device)
    package_id = _waiting(sec, _pwned_package(sec, stranger, tmp_path / "pwned.neascn"))
    before = sec.digest
    report = sec.json("inbox", "trust", package_id, "--as", "field", expect=1)
    assert [o["status"] for o in report["packages"]] == ["refused"]
    assert "survey_definition" in report["packages"][0]["message"]
    assert sec.digest == before
    assert [d["role"] for d in sec.json("trust", "list")] == ["field"]


def test_only_this_does_not_apply_a_claimed_secretariat_package_as_one(make_device, tmp_path: Path) -> None:
    """Hostile: "apply only this one" of a package claiming "secretariat" would judge it by the
    claimed role; without ``--as secretariat`` it is refused and nothing changes."""
    sec, stranger = _world(make_device)
    package_id = _waiting(sec, _pwned_package(sec, stranger, tmp_path / "pwned.neascn"))
    before = sec.digest
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "inbox", "trust", package_id, "--only-this")
    assert code == 2 and err.count("\n") == 1 and "--as" in err
    assert sec.digest == before and len(sec.json("inbox", "list")) == 1
    assert sec.json("survey", "list")[0]["title"] != "PWNED SURVEY"


def test_a_field_sender_is_trusted_from_the_inbox_as_before(make_device, tmp_path: Path) -> None:
    """The everyday case needs no flag: a sender that claims "field" (which changes only records
    it made) is trusted as a field device."""
    sec, stranger = _world(make_device)
    stranger.json("response", "new", "--city", "seoul")
    package = tmp_path / "r.neascn"
    stranger.run("package", "export", "--kind", "responses", "-o", package)
    package_id = _waiting(sec, package)
    assert sec.json("inbox", "trust", package_id)["applied"] == 1
    assert [d["role"] for d in sec.json("trust", "list")] == ["field"]


def test_trust_add_of_a_card_claiming_secretariat_needs_as(make_device, tmp_path: Path) -> None:
    """Hostile: a key card is self-signed; the role in it is a claim.  ``trust add`` of a card
    claiming a role that may change others' records needs ``--as``; ``--as field`` downgrades."""
    sec = make_device("sec", "secretariat")
    member = make_device("member", "secretariat")
    code, out, err = sec.cli("--data-dir", sec.data_dir, "trust", "add", member.keyfile)
    assert code == 2 and out == "" and err.count("\n") == 1 and "--as" in err
    assert sec.json("trust", "list") == []
    sec.run("trust", "add", member.keyfile, "--as", "secretariat")
    assert [d["role"] for d in sec.json("trust", "list")] == ["secretariat"]
    other = make_device("other", "taskforce")
    sec.run("trust", "add", other.keyfile, "--as", "field")
    assert sorted(d["role"] for d in sec.json("trust", "list")) == ["field", "secretariat"]
