"""Conflict resolution is validated and reversible (issue 16): a typed proposal passes the
record's form rules with the message naming the field, never saving an empty value; every
resolution can be undone (and the undo undone), through the real CLI and the use cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop import i18n, replica
from neascn_desktop.identity.profile import Profile
from neascn_desktop.replica.clock import format_clock, wall_ms
from neascn_desktop.store import Database
from neascn_desktop.surveys import installed
from neascn_desktop.sync import conflicts, proposals, undo
from tests.sync.sync_support import Device, conflicting_response


def _conflicting_response(make_device, tmp_path: Path) -> tuple[Device, str]:  # type: ignore[no-untyped-def]
    sec, _field, response, _first = conflicting_response(
        make_device, tmp_path, ["resp_name=Kim", "city_population=9386000"], ["city_population=9400000"],
        ["city_population=9500000"], encrypt=True)
    assert [c["entity_id"] for c in sec.json("conflicts", "list")] == [response]
    return sec, response


def test_a_typed_proposal_is_checked_like_the_form_and_every_resolution_can_be_undone(make_device,
                                                                                      tmp_path: Path) -> None:
    sec, response = _conflicting_response(make_device, tmp_path)
    digest = sec.digest

    for typed, words in (("about 1.7 million", "whole number"), ("", "requires an answer")):
        code, _out, err = sec.cli("--data-dir", sec.data_dir, "conflicts", "resolve", response,
                                  "--set", f"city_population={typed}")
        assert code != 0 and "City population" in err and words in err, err
        assert err.count("\n") == 1
        assert sec.digest == digest
    assert len(sec.json("conflicts", "list")) == 1

    sec.run("conflicts", "resolve", response, "--set", "city_population=1700000")
    assert sec.json("conflicts", "list") == []
    assert sec.json("response", "show", response)["answers"]["city_population"] == 1700000
    audit = sec.json("audit", "list")
    assert audit[0]["action"] == "resolve" and audit[0]["counts"]["revision"]

    # Undo the resolution: the two versions are in conflict again, with their values.
    result = sec.json("conflicts", "undo", response)
    found = sec.json("conflicts", "list")
    assert [c["entity_id"] for c in found] == [response]
    values = {h["payload"]["answers"]["city_population"] for h in found[0]["heads"]}
    assert values == {9400000, 9500000}
    assert sec.json("audit", "list")[0]["action"] == "undo"

    # ... and the undo undone: resolved again as it was.
    sec.run("undo", "revert", result["undo"])
    assert sec.json("conflicts", "list") == []
    assert sec.json("response", "show", response)["answers"]["city_population"] == 1700000


# --- a city, through the use cases ------------------------------------------------------------


def _city_conflict(db: Database) -> list[replica.Revision]:
    installed.ensure_builtin(db)
    seoul = replica.heads(db, "seoul")[0]
    sides = [replica.make_revision("city", "seoul", [seoul.id], device, format_clock(wall_ms(), n),
                                   dict(seoul.payload, population=population))
             for n, (device, population) in enumerate((("device-a", 9_400_000), ("device-b", 9_500_000)))]
    replica.add_revisions(db, sides)
    return replica.heads(db, "seoul")


def test_a_city_population_typed_as_words_is_refused_and_nothing_is_saved(db: Database,
                                                                          secretariat_profile: Profile) -> None:
    heads = _city_conflict(db)
    with pytest.raises(proposals.ProposalError) as caught:
        proposals.typed_value(db, heads[0], "population", "about 1.7 million")
    assert "population" in caught.value.errors
    assert proposals.typed_value(db, heads[0], "population", "1700000") == 1_700_000

    digest = replica.digest(db)
    payload = dict(conflicts.compare(db, "seoul").proposal, population="about 1.7 million")
    with pytest.raises(proposals.ProposalError) as caught:
        conflicts.resolve_with(db, "seoul", payload, how="edit")
    assert str(caught.value).startswith("Population: ")
    payload = dict(conflicts.compare(db, "seoul").proposal)
    payload.pop("name")
    with pytest.raises(proposals.ProposalError):
        conflicts.resolve_with(db, "seoul", payload, how="edit")
    assert replica.digest(db) == digest

    revision = conflicts.resolve_with(db, "seoul", dict(conflicts.compare(db, "seoul").proposal,
                                                        population=1_700_000), how="edit")
    shown = replica.current(db, "city", "seoul")
    assert shown is not None and shown.heads == 1 and shown.payload["population"] == 1_700_000
    undo.undo_resolution(db, revision.id)
    assert len(replica.heads(db, "seoul")) == 2


def test_the_view_names_records_and_fields_in_the_users_language(db: Database,
                                                                 secretariat_profile: Profile) -> None:
    heads = _city_conflict(db)
    i18n.set_language("ko")
    assert proposals.record_title(db, heads[0]) == "서울"
    labels = proposals.field_labels(db, heads[0], ["population"])
    assert labels["population"] not in ("population", "Population")


def test_a_conflict_over_a_repeats_entries_is_labelled_and_typed_not_a_crash(make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Both sides edited the projects repeat: the Inbox's conflict view labelled its fields with
    ``definition.question("projects")`` and crashed (a traceback and an error box)."""
    sec = make_device("sec", "secretariat")
    field = make_device("field", "field")
    deployment = tmp_path / "deployment.neascn"
    sec.run("package", "export", "--kind", "deployment", "-o", deployment)
    field.run("package", "import", deployment)
    sec.run("trust", "add", field.keyfile)
    response = field.json("response", "new", "--city", "seoul")["id"]
    field.run("response", "set", response, "resp_name=Kim", "projects[+]/proj_name=Bus")
    first = tmp_path / "r1.neascn"
    field.run("package", "export", "--kind", "responses", "-o", first)
    sec.run("package", "import", first)
    sec.run("response", "set", response, "projects[1]/proj_name=Bus rapid transit")
    field.run("response", "set", response, "projects[1]/proj_name=Bus line")
    second = tmp_path / "r2.neascn"
    field.run("package", "export", "--kind", "responses", "-o", second, "--encrypt-for", sec.keyfile)
    sec.run("package", "import", second)
    db = sec.open()
    i18n.set_language("ko")
    try:
        found = conflicts.list_conflicts(db)
        assert [c.entity_id for c in found] == [response]
        labels = proposals.field_labels(db, found[0].heads[0],
                                        ["answers.projects", "answers.resp_name", "answers.gone"])
        assert labels == {"answers.projects": "스마트시티 사업", "answers.resp_name": "응답자 성명",
                          "answers.gone": "gone"}
    finally:
        i18n.set_language("en")
        db.dispose()
    digest = sec.digest
    code, _out, err = sec.cli("--data-dir", sec.data_dir, "conflicts", "resolve", response,
                              "--set", "projects=not a list")
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert sec.digest == digest


def _conflicting_repeat(make_device, tmp_path: Path) -> tuple[Device, str]:  # type: ignore[no-untyped-def]
    """Both sides edited the second entry of the projects repeat."""
    sec, _field, response, _first = conflicting_response(
        make_device, tmp_path,
        ["resp_name=Kim", "projects[+]/proj_name=Bus", "projects[+]/proj_name=Metro",
         "projects[2]/proj_investment=900000"],
        ["projects[2]/proj_investment=1000000"], ["projects[2]/proj_investment=1100000"], encrypt=True)
    assert [c["entity_id"] for c in sec.json("conflicts", "list")] == [response]
    return sec, response


def test_resolve_set_changes_one_answer_inside_a_repeat_as_response_set_does(make_device, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    sec, response = _conflicting_repeat(make_device, tmp_path)
    digest = sec.digest

    # A path that names no entry, and a value the form refuses: one sentence each, nothing saved.
    for pair, said in (("projects[3]/proj_investment=5", "there is no instance 3"),
                       ("projects[2]/proj_investment=lots", "proj_investment")):
        code, _out, err = sec.cli("--data-dir", sec.data_dir, "conflicts", "resolve", response, "--set", pair)
        assert code != 0 and err.count("\n") == 1 and "Traceback" not in err, err
        assert said in err, err
    assert sec.digest == digest

    sec.run("conflicts", "resolve", response, "--set", "projects[2]/proj_investment=1200000")
    assert sec.json("conflicts", "list") == []
    projects = sec.json("response", "show", response)["answers"]["projects"]
    assert [p.get("proj_name") for p in projects] == ["Bus", "Metro"]
    assert projects[1]["proj_investment"] == 1_200_000
    # The entries keep their ids (the same entries, not new ones).
    db = sec.open()
    try:
        heads = [replica.get_revision(db, p) for p in replica.heads(db, response)[0].parents]
    finally:
        db.dispose()
    ids = {tuple(e["@id"] for e in h.payload["answers"]["projects"]) for h in heads if h is not None}
    assert ids == {tuple(p["@id"] for p in projects)}


def test_a_name_in_several_languages_is_shown_in_words_not_json(db: Database) -> None:
    head = replica.make_revision("city", "x", [], "d", format_clock(wall_ms(), 0),
                                 {"name": {"en": "Seoul", "ko": "서울"}, "population": 9386000,
                                  "updated": {"nested": 1}})
    shown = proposals.value_formatter(db, head)
    i18n.set_language("ko")
    try:
        assert shown("name", head.payload["name"]) == "한국어: 서울; English: Seoul"
        assert shown("population", 9386000) == "9,386,000"
        assert shown("name", None) == "—"
    finally:
        i18n.set_language("en")
