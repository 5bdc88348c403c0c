"""Attacks between the issue-13 branches (authority, evidence, package identity, trust,
receipts): real devices, real signed packages, the real CLI; each asserts a one-sentence refusal
or an unchanged digest."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop import replica
from neascn_desktop.replica.clock import format_clock, wall_ms
from neascn_desktop.replica.revision import Revision, compute_id
from neascn_desktop.surveys import installed
from tests.sync.sync_support import Device, signed_package

DEFINITION = "neascn_readiness@2026.1"


def _revision(entity_type: str, entity_id: str, parents: list[str], device_id: str, payload: dict,
              ahead_ms: int = 0) -> replica.Revision:
    return replica.make_revision(entity_type, entity_id, parents, device_id, format_clock(wall_ms() + ahead_ms, 0),
                                 payload)


def _head(device: Device, entity_id: str) -> replica.Revision:
    db = device.open()
    try:
        return replica.heads(db, entity_id)[0]
    finally:
        db.dispose()


def _builtin(entity_id: str) -> replica.Revision:
    return next(r for r in installed.builtin_revisions() if r.entity_id == entity_id)


def _two_field_devices(make_device, tmp_path: Path) -> tuple[Device, Device, Device]:  # type: ignore[no-untyped-def]
    sec = make_device("sec", "secretariat")
    f, g = make_device("f", "field"), make_device("g", "field")
    for field in (f, g):
        sec.run("trust", "add", field.keyfile)
        field.run("trust", "add", sec.keyfile)
    return sec, f, g


def test_a_waiting_edit_of_another_devices_record_is_judged_when_its_parents_arrive(make_device,
                                                                                     tmp_path: Path) -> None:
    """Hostile: field device F edits field device G's response before the secretariat has it.
    F's revision waits for its parent; when G's package brings the parent, F's edit must not
    be released into G's response."""
    sec, f, g = _two_field_devices(make_device, tmp_path)
    response = g.json("response", "new", "--city", "seoul")["id"]
    g.run("response", "set", response, "resp_name=Genuine")
    genuine = tmp_path / "g.neascn"
    g.run("package", "export", "--kind", "responses", "-o", genuine)
    head = _head(g, response)
    forged = _revision("submission", response, [head.id], f.profile().device_id,
                       dict(head.payload, answers={"resp_name": "Forged by F"}))
    package = signed_package(f.data_dir, [forged], tmp_path / "f.neascn", kind="responses")
    sec.run("package", "import", package, expect=None)
    sec.run("package", "import", genuine, expect=None)
    shown = sec.json("response", "show", response)
    assert "Forged by F" not in str(shown)



def test_a_waiting_edit_refused_on_release_is_dropped_and_audited(make_device, tmp_path: Path) -> None:
    """The package that brings the parent still applies; F's waiting edit leaves the waiting
    table, and the audit log names the record and the package that carried the edit."""
    sec, f, g = _two_field_devices(make_device, tmp_path)
    response = g.json("response", "new", "--city", "seoul")["id"]
    genuine = tmp_path / "g.neascn"
    g.run("package", "export", "--kind", "responses", "-o", genuine)
    head = _head(g, response)
    forged = _revision("submission", response, [head.id], f.profile().device_id,
                       dict(head.payload, answers={"resp_name": "Forged by F"}))
    carrier = signed_package(f.data_dir, [forged], tmp_path / "f.neascn", kind="responses")
    first = sec.json("package", "import", carrier)["packages"][0]
    assert first["status"] == "applied", first
    carrier_id = sec.json("audit", "list")[0]["package_id"]
    db = sec.open()
    try:
        assert [r.id for r in replica.pending_revisions(db)] == [forged.id]
    finally:
        db.dispose()

    second = sec.json("package", "import", genuine)["packages"][0]
    assert second["status"] == "applied", second

    db = sec.open()
    try:
        assert replica.pending_revisions(db) == []
        assert [h.id for h in replica.heads(db, response)] == [head.id]
        assert replica.get_revision(db, forged.id) is None
    finally:
        db.dispose()
    dropped = [a for a in sec.json("audit", "list") if a["verdict"] == "refused"]
    assert len(dropped) == 1, dropped
    entry = dropped[0]
    assert entry["package_id"] == carrier_id
    assert entry["sender"]["device_id"] == f.profile().device_id
    message = str(entry["message"])
    assert response in message and "submission" in message
    assert "\n" not in message and message.endswith(".")
    # Once dropped, it is gone: importing the genuine package again changes nothing.
    before = sec.digest
    sec.run("package", "import", genuine, expect=None)
    assert sec.digest == before
    assert len([a for a in sec.json("audit", "list") if a["verdict"] == "refused"]) == 1



def test_a_waiting_edit_of_its_own_record_is_released_when_its_parents_arrive(make_device,
                                                                              tmp_path: Path) -> None:
    """Not over-refused: F's edit of its own response arrives before the response itself."""
    sec, f, _g = _two_field_devices(make_device, tmp_path)
    response = f.json("response", "new", "--city", "seoul")["id"]
    root = _head(f, response)
    f.run("response", "set", response, "resp_name=Own edit")
    edit = _head(f, response)
    sec.run("package", "import", signed_package(f.data_dir, [edit], tmp_path / "edit.neascn", kind="responses"))
    sec.run("package", "import", signed_package(f.data_dir, [root], tmp_path / "root.neascn", kind="responses"))
    assert "Own edit" in str(sec.json("response", "show", response))
    assert not [a for a in sec.json("audit", "list") if a["verdict"] == "refused"]


def test_a_forged_edit_in_the_same_batch_as_its_parent_is_not_applied(make_device, tmp_path: Path) -> None:
    """F's forged edit and G's genuine response imported together, F's first."""
    sec, f, g = _two_field_devices(make_device, tmp_path)
    response = g.json("response", "new", "--city", "seoul")["id"]
    genuine = tmp_path / "g.neascn"
    g.run("package", "export", "--kind", "responses", "-o", genuine)
    head = _head(g, response)
    forged = _revision("submission", response, [head.id], f.profile().device_id,
                       dict(head.payload, answers={"resp_name": "Forged by F"}))
    package = signed_package(f.data_dir, [forged], tmp_path / "f.neascn", kind="responses")
    report = sec.json("package", "import", package, genuine)
    assert [o["status"] for o in report["packages"]] == ["applied", "applied"]  # G's is innocent
    assert "Forged by F" not in str(sec.json("response", "show", response))
    dropped = [a for a in sec.json("audit", "list") if a["verdict"] == "refused"]
    assert len(dropped) == 1 and response in dropped[0]["message"]



def test_a_waiting_edit_relayed_by_the_secretariat_is_judged_by_its_authors_role(make_device,
                                                                                 tmp_path: Path) -> None:
    """The carrier is the secretariat: the released edit is judged by its author's role here."""
    sec, f, g = _two_field_devices(make_device, tmp_path)
    hub = make_device("hub", "secretariat")
    hub.run("trust", "add", sec.keyfile, "--as", "secretariat")
    for field in (f, g):
        hub.run("trust", "add", field.keyfile)
    response = g.json("response", "new", "--city", "seoul")["id"]
    head = _head(g, response)
    genuine = signed_package(g.data_dir, [head], tmp_path / "g.neascn", kind="responses")  # not encrypted
    forged = _revision("submission", response, [head.id], f.profile().device_id,
                       dict(head.payload, answers={"resp_name": "Forged by F"}))
    hub.run("package", "import", signed_package(sec.data_dir, [forged], tmp_path / "relay.neascn", kind="all"))
    hub.run("package", "import", genuine)
    assert "Forged by F" not in str(hub.json("response", "show", response))
    dropped = [a for a in hub.json("audit", "list") if a["verdict"] == "refused"]
    assert len(dropped) == 1 and dropped[0]["sender"]["device_id"] == sec.profile().device_id


def _refused(receiver: Device, package: Path) -> str:
    before = receiver.digest
    report = receiver.json("package", "import", package, expect=1)
    outcome = report["packages"][0]
    assert outcome["status"] == "refused", outcome
    message = str(outcome["message"])
    assert message and "\n" not in message and message.endswith(".")
    assert receiver.digest == before
    return message


def test_a_parent_of_another_record_is_refused(make_device, tmp_path: Path) -> None:
    """Hostile: F's own response names G's response revision as a second parent."""
    sec, f, g = _two_field_devices(make_device, tmp_path)
    theirs = g.json("response", "new", "--city", "seoul")["id"]
    g.run("package", "export", "--kind", "responses", "-o", tmp_path / "g.neascn")
    sec.run("package", "import", tmp_path / "g.neascn")
    mine = f.json("response", "new", "--city", "busan")["id"]
    f.run("package", "export", "--kind", "responses", "-o", tmp_path / "f1.neascn")
    sec.run("package", "import", tmp_path / "f1.neascn")
    own, other = _head(f, mine), _head(sec, theirs)
    merge = _revision("submission", mine, [own.id, other.id], f.profile().device_id, own.payload)
    _refused(sec, signed_package(f.data_dir, [merge], tmp_path / "f2.neascn", kind="responses"))


def test_a_task_force_member_cannot_send_survey_definitions_in_a_framework_package(make_device,
                                                                                   tmp_path: Path) -> None:
    sec = make_device("sec", "secretariat")
    tf = make_device("tf", "taskforce")
    sec.run("trust", "add", tf.keyfile, "--as", "taskforce")
    builtin = _builtin(DEFINITION)
    rewrite = _revision("survey_definition", DEFINITION, [builtin.id], tf.profile().device_id,
                        dict(builtin.payload, title={"en": "PWNED"}))
    for kind in ("framework", "all"):
        message = _refused(sec, signed_package(tf.data_dir, [rewrite], tmp_path / f"{kind}.neascn", kind=kind))
        assert "survey_definition" in message


def test_a_field_device_cannot_merge_a_city(make_device, tmp_path: Path) -> None:
    """Hostile: a "resolution" of Seoul (two parents) by a field device."""
    sec, f, _g = _two_field_devices(make_device, tmp_path)
    seoul = _builtin("seoul")
    own = _revision("city", "seoul", [seoul.id], f.profile().device_id, dict(seoul.payload, population=2))
    merge = _revision("city", "seoul", [seoul.id, own.id], f.profile().device_id, dict(seoul.payload, population=3))
    assert "seoul" in _refused(sec, signed_package(f.data_dir, [own, merge], tmp_path / "m.neascn",
                                                  kind="responses"))


def test_a_very_long_entity_id_is_refused_in_one_short_sentence(make_device, tmp_path: Path) -> None:
    sec, f, _g = _two_field_devices(make_device, tmp_path)
    response = f.json("response", "new", "--city", "seoul")["id"]
    head = _head(f, response)
    long_id = "x" * 200_000  # built directly: make_revision would refuse it
    clock = format_clock(wall_ms(), 0)
    rev = Revision(compute_id("submission", long_id, [], f.profile().device_id, clock, head.payload), "submission",
                   long_id, (), f.profile().device_id, clock, head.payload)
    message = _refused(sec, signed_package(f.data_dir, [rev], tmp_path / "long.neascn", kind="responses"))
    assert len(message) < 1000


def test_a_clock_exactly_at_the_tolerance_is_accepted_one_past_it_refused(make_device, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from neascn_desktop.sync.authority import CLOCK_AHEAD

    sec, f, _g = _two_field_devices(make_device, tmp_path)
    response = f.json("response", "new", "--city", "seoul")["id"]
    head = _head(f, response)
    created = datetime.now(UTC).replace(microsecond=0)
    limit = int((created + CLOCK_AHEAD).timestamp() * 1000)
    at = replica.make_revision("submission", response, [head.id], f.profile().device_id, format_clock(limit, 0),
                               dict(head.payload, answers={"resp_name": "at"}))
    past = replica.make_revision("submission", response, [head.id], f.profile().device_id,
                                 format_clock(limit + 1, 0), dict(head.payload, answers={"resp_name": "past"}))
    stamp = created.isoformat(timespec="milliseconds")
    _refused(sec, signed_package(f.data_dir, [head, past], tmp_path / "past.neascn", kind="responses",
                                 created_at=stamp))
    report = sec.json("package", "import", signed_package(f.data_dir, [head, at], tmp_path / "at.neascn",
                                                          kind="responses", created_at=stamp))
    assert report["applied"] == 1


def test_a_new_secretariat_gets_what_only_the_previous_one_acknowledged(make_device, tmp_path: Path) -> None:
    """Between the receipts and the trust changes: a field device whose responses the first
    secretariat acknowledged, then told to send them to another secretariat
    (``--replace-secretariat``), must send them to the new one — it has received nothing."""
    first, second = make_device("first", "secretariat"), make_device("second", "secretariat")
    field = make_device("field", "field")
    first.run("package", "export", "--kind", "deployment", "-o", tmp_path / "d1.neascn")
    field.run("package", "import", tmp_path / "d1.neascn")
    response = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", response, "resp_name=Kim")
    first.run("trust", "add", field.keyfile)
    field.run("package", "export", "--kind", "responses", "-o", tmp_path / "r1.neascn")
    first.run("package", "import", tmp_path / "r1.neascn")
    first.run("package", "export", "--kind", "deployment", "-o", tmp_path / "d2.neascn")
    field.run("package", "import", tmp_path / "d2.neascn")
    assert {r["id"]: r for r in field.json("response", "list")}[response]["received"] is True

    field.run("trust", "add", second.keyfile, "--replace-secretariat")
    second.run("trust", "add", field.keyfile)
    exported = field.json("package", "export", "--kind", "responses", "-o", tmp_path / "r2.neascn")
    assert exported["encrypted_for"]["name"] == "Second"
    second.run("package", "import", tmp_path / "r2.neascn")
    assert second.json("response", "show", response)["answers"]["resp_name"] == "Kim"
    # Once the new secretariat acknowledges it, it is not sent again.
    second.run("package", "export", "--kind", "deployment", "-o", tmp_path / "d3.neascn")
    field.run("package", "import", tmp_path / "d3.neascn")
    again = field.json("package", "export", "--kind", "responses", "-o", tmp_path / "r3.neascn")
    assert again["by_type"].get("submission", 0) == 0 and again["resent"] == 0


@pytest.mark.parametrize("kind", ["framework", "deployment"])
def test_a_submission_in_a_package_of_another_kind_is_refused(make_device, tmp_path: Path, kind: str) -> None:
    sec, f, _g = _two_field_devices(make_device, tmp_path)
    response = f.json("response", "new", "--city", "seoul")["id"]
    head = _head(f, response)
    _refused(sec, signed_package(f.data_dir, [head], tmp_path / f"{kind}.neascn", kind=kind))


def test_a_field_device_cannot_plant_a_second_root_of_a_built_in_city(make_device, tmp_path: Path) -> None:
    """Hostile: on a secretariat that has not installed its built-ins yet, a field device's new
    root for Seoul would have been the only root known, so "its own" record."""
    sec, f, _g = _two_field_devices(make_device, tmp_path)
    seoul = _builtin("seoul")
    root = _revision("city", "seoul", [], f.profile().device_id, dict(seoul.payload, population=4))
    assert "seoul" in _refused(sec, signed_package(f.data_dir, [root], tmp_path / "r.neascn", kind="responses"))


def test_answers_are_checked_against_the_built_in_survey_before_it_is_installed(make_device,
                                                                               tmp_path: Path) -> None:
    """Hostile: on a secretariat that has not installed the built-in survey yet, a response's
    answers were checked only generically (a population "abc" was accepted)."""
    sec, f, _g = _two_field_devices(make_device, tmp_path)
    response = f.json("response", "new", "--city", "seoul")["id"]
    head = _head(f, response)
    typed = _revision("submission", response, [head.id], f.profile().device_id,
                      dict(head.payload, answers={"city_population": "abc"}))
    message = _refused(sec, signed_package(f.data_dir, [head, typed], tmp_path / "t.neascn", kind="responses"))
    assert "city_population" in message
