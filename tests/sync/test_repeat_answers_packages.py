"""Packages carrying answers inside repeats. Hostile ones (docs/answers.md, "Limits"): too many
instances, too deep, too many answers, malformed or duplicated instance ids, bad values inside an
instance.  Each is refused in one sentence naming the field, and the receiver is unchanged; a
well-formed tree is accepted."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from neascn_desktop import replica
from neascn_desktop.replica.clock import format_clock, wall_ms
from neascn_desktop.surveys.definition import load_definition
from neascn_desktop.sync import record_schema
from neascn_desktop.sync.record_schema import RecordError
from tests.sync.sync_support import Device, signed_package

PIPELINE = Path(__file__).resolve().parents[1] / "surveys" / "data" / "pipeline.json"


def iid(n: int) -> str:
    return str(uuid.UUID(int=n, version=4))


def nested(depth: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [{"@id": iid(depth), "x": "leaf"}]
    for level in range(depth - 1, 0, -1):
        items = [{"@id": iid(level), "inner": items}]
    return items


HOSTILE: dict[str, tuple[Any, str]] = {
    "too many instances": ([{"@id": iid(n)} for n in range(1, 1002)],
                           "a repeat holds more than 1000 instances"),
    "too deep": (nested(9), "repeats are nested more than 8 levels deep"),
    "id not a uuid": ([{"@id": "../../etc/passwd", "x": "a"}], "every instance needs an id written as a UUID"),
    "id missing": ([{"@id": iid(1)}, {"x": "a"}], "every instance needs an id written as a UUID"),
    "id twice": ([{"@id": iid(1)}, {"@id": iid(1)}], f"the instance id {iid(1)} is used twice"),
    "id upper case": ([{"@id": iid(0xABC).upper()}], "every instance needs an id written as a UUID"),
    "instance not an object": ([{"@id": iid(1)}, "text"], "every instance of a repeat must be an object"),
    "nested object value": ([{"@id": iid(1), "x": {"y": 1}}], "it must be text, a number or a list of choices"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_the_schema_refuses_each_rule_in_a_sentence(case: str) -> None:
    value, reason = HOSTILE[case]
    for definition in (None, load_definition(PIPELINE)):
        with pytest.raises(RecordError) as refused:
            record_schema.check_answers({"projects": value}, definition)
        assert reason in str(refused.value)
        assert refused.value.field.startswith("answers.projects")


def test_twenty_thousand_answers_at_most_instances_included() -> None:
    many = [{"@id": iid(n), **{f"q{k}": "a" for k in range(25)}} for n in range(1, 801)]
    record_schema.check_answers({"projects": many}, None)  # 20,000 exactly
    with pytest.raises(RecordError, match="more than 20000 answers"):
        record_schema.check_answers({"projects": many, "one_more": "x"}, None)


def test_an_id_used_in_two_repeats_is_refused_and_a_good_tree_passes() -> None:
    definition = load_definition(PIPELINE)
    good = {"city_name": "UB", "projects": [
        {"@id": iid(1), "name": "BRT", "sector": "transport",
         "partners": [{"@id": iid(2), "partner_name": "ADB", "share": 60}]}],
        "visits": [{"@id": iid(3), "visit_date": "2026-01-02"}]}
    record_schema.check_answers(good, definition)
    twice = dict(good, visits=[{"@id": iid(2)}])
    with pytest.raises(RecordError, match="is used twice"):
        record_schema.check_answers(twice, definition)


@pytest.mark.parametrize(("answers", "field", "reason"), [
    ({"projects": [{"@id": iid(1), "sector": "rockets"}]}, f"answers.projects[@id={iid(1)}].sector",
     "not a choice of sector"),
    ({"projects": [{"@id": iid(1), "partners": [{"@id": iid(2), "share": "lots"}]}]},
     f"answers.projects[@id={iid(1)}].partners[@id={iid(2)}].share", "needs a number"),
    ({"city_name": [{"@id": iid(1)}]}, "answers.city_name", "must be text, a number or a list"),
    ({"projects": "BRT"}, "answers.projects", "it must be a list of instances"),
])
def test_values_inside_instances_are_checked_by_the_forms_rules(answers: dict, field: str,
                                                                reason: str) -> None:
    with pytest.raises(RecordError) as refused:
        record_schema.check_answers(answers, load_definition(PIPELINE))
    assert refused.value.field == field and reason in str(refused.value)


# --------------------------------------------------------------------------- real packages


def _devices(make_device) -> tuple[Device, Device]:  # type: ignore[no-untyped-def]
    sec, field = make_device("sec", "secretariat"), make_device("f", "field")
    sec.run("trust", "add", field.keyfile)
    field.run("trust", "add", sec.keyfile)
    return sec, field


def _package_with(field: Device, tmp_path: Path, name: str, answers: dict) -> Path:
    response = field.json("response", "new", "--city", "seoul")["id"]
    db = field.open()
    try:
        head = replica.heads(db, response)[0]
    finally:
        db.dispose()
    edit = replica.make_revision("submission", response, [head.id], field.profile().device_id,
                                 format_clock(wall_ms(), 0), dict(head.payload, answers=answers))
    return signed_package(field.data_dir, [head, edit], tmp_path / f"{name}.neascn", kind="responses")


@pytest.mark.parametrize("case", ["too many instances", "too deep", "id twice", "id not a uuid"])
def test_a_hostile_package_is_refused_and_changes_nothing(make_device, tmp_path: Path, case: str) -> None:
    sec, field = _devices(make_device)
    package = _package_with(field, tmp_path, case.replace(" ", "_"), {"projects": HOSTILE[case][0]})
    before = sec.digest
    report = sec.json("package", "import", package, expect=1)
    outcome = report["packages"][0]
    assert outcome["status"] == "refused", outcome
    message = str(outcome["message"])
    assert HOSTILE[case][1] in message and "\n" not in message and len(message) < 1000
    assert sec.digest == before


def test_a_package_with_a_good_tree_is_imported(make_device, tmp_path: Path) -> None:
    sec, field = _devices(make_device)
    tree = {"projects": [{"@id": iid(1), "name": "BRT", "partners": [{"@id": iid(2), "name": "ADB"}]}]}
    package = _package_with(field, tmp_path, "good", tree)
    report = sec.json("package", "import", package)
    assert report["packages"][0]["status"] == "applied", report


def test_a_project_pipeline_travels_from_a_field_device_to_the_secretariat(make_device,  # type: ignore[no-untyped-def]
                                                                         tmp_path: Path) -> None:
    """The built-in survey 2026.2 end to end: projects entered on a field device with the CLI (a
    document attached inside an instance), sent in a package, shown at the secretariat."""
    sec, field = _devices(make_device)
    document = tmp_path / "feasibility.txt"
    document.write_text("Feasibility study: bus rapid transit\n", encoding="utf-8")
    response = field.json("response", "new", "--city", "ulaanbaatar")["id"]
    field.run("response", "set", response, "projects[+]/proj_name=Bus rapid transit",
              "projects[-1]/proj_sector=transport", "projects[-1]/proj_stage=feasibility",
              "projects[-1]/proj_investment=120.5", "projects[-1]/proj_currency=usd",
              "projects[+]/proj_name=District heating", "projects[-1]/proj_sector=energy",
              "projects[-1]/proj_stage=idea")
    field.run("response", "set", response, f"projects[1]/proj_document=@{document}")
    sent = field.json("response", "show", response)
    first = sent["answers"]["projects"][0]
    assert sent["form_version"] == "2026.2" and first["proj_document"]
    assert sent["attachments"][f"projects[@id={first['@id']}]/proj_document"]["filename"] == "feasibility.txt"
    field.run("package", "export", "--kind", "responses", "-o", tmp_path / "field.neascn")
    report = sec.json("package", "import", tmp_path / "field.neascn")
    assert report["packages"][0]["status"] == "applied", report
    received = sec.json("response", "show", response)
    assert received["answers"]["projects"] == sent["answers"]["projects"]
    assert (sec.data_dir / "attachments" / first["proj_document"]).is_file()
    shown = sec.run("response", "show", response)
    assert "Smart-city project 2  (projects[2], @id=" in shown and "proj_name = District heating" in shown
