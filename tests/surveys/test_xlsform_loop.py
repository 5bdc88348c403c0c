"""``begin loop over LIST``: filled in one group per choice, kept as a loop for the export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neascn_desktop.surveys.definition import (
    TREE_FORMAT,
    Group,
    SurveyDefinition,
    SurveyError,
    definition_from_dict,
)
from neascn_desktop.surveys.xlsform import XLSFormError, export_xlsform, import_xlsform
from tests.surveys.test_xlsform_tree import _workbook


def _loop_form(tmp_path: Path) -> Path:
    return _workbook(
        tmp_path / "loop.xlsx",
        [
            ["type", "name", "label::English (en)", "label::Russian (ru)", "relevant"],
            ["select_multiple transport", "available", "Available?", "Есть?"],
            ["begin loop over transport", "frequency", "How often", "Как часто"],
            ["select_one often", "often", "Is %(label)s daily?", "%(label)s ежедневно?",
             "selected(${available}, '%(name)s')"],
            ["integer", "trips", "Trips by %(label)s (100%%)", "Поездки: %(label)s"],
            ["end loop"],
        ],
        [
            ["list_name", "name", "label::English (en)", "label::Russian (ru)"],
            ["transport", "bus", "bus", "автобус"], ["transport", "taxi", "taxi", "такси"],
            ["transport", "none", "none", "нет"],
            ["often", "daily", "Daily", "Ежедневно"], ["often", "weekly", "Weekly", "Еженедельно"],
        ],
        [["form_id", "version"], ["loop", "1"]],
    )


@pytest.fixture()
def looped(tmp_path: Path) -> SurveyDefinition:
    return import_xlsform(_loop_form(tmp_path))


def test_a_loop_is_one_group_per_choice(looped: SurveyDefinition) -> None:
    loop = looped.children[1]
    assert isinstance(loop, Group) and loop.loop == "transport"
    # "none" is left out, as ODK's converter does.
    assert [g.name for g in loop.children] == ["bus", "taxi"]
    assert [n.name for n in loop.template] == ["often", "trips"]
    bus = looped.question("frequency/bus/often")
    assert bus.label == {"en": "Is bus daily?", "ru": "автобус ежедневно?"}
    assert bus.relevant == "selected(${available}, 'bus')"
    assert looped.question("frequency/taxi/trips").label["en"] == "Trips by taxi (100%)"
    # The template keeps its placeholders.
    assert loop.template[0].label["en"] == "Is %(label)s daily?"
    # Every filled question is asked (each on its group's page) and answered by path.
    shown = {q.key for s in looped.sections for q in s.questions}
    assert {"frequency/bus/often", "frequency/taxi/trips"} <= shown


def test_a_loop_fills_and_validates(looped: SurveyDefinition) -> None:
    """Each loop item's questions are answered under their path, relevance per item."""
    from neascn_desktop.surveys.validation import evaluate_form

    state = evaluate_form(looped, {"available": ["bus"], "frequency/bus/often": "daily",
                                   "frequency/bus/trips": 3, "frequency/taxi/often": "weekly"})
    assert "frequency/bus/often" in state.relevant
    assert "frequency/taxi/often" not in state.relevant  # taxi not selected
    assert "frequency/taxi/trips" in state.relevant
    assert state.values["frequency/bus/often"] == "daily"
    assert state.values["frequency/bus/trips"] == 3
    assert "frequency/taxi/often" not in state.values  # not relevant: not an answer


def test_a_loop_round_trips(looped: SurveyDefinition, tmp_path: Path) -> None:
    document = looped.to_dict()
    assert document["format"] == TREE_FORMAT
    stored = document["children"][1]
    assert stored["loop"] == "transport" and [c["name"] for c in stored["children"]] == [
        "often", "trips"]  # the template, not the filled groups
    assert definition_from_dict(json.loads(json.dumps(document))) == looped
    out = export_xlsform(looped, tmp_path / "out.xlsx")
    from openpyxl import load_workbook

    types = [r[0] for r in load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert "begin_loop over transport" in types and "end_loop" in types
    assert import_xlsform(out).to_dict() == document


def test_a_loop_compares_equal_through_pyxform(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from xlsform_corpus import compare

    original = _loop_form(tmp_path)
    out = export_xlsform(import_xlsform(original), tmp_path / "out.xlsx")
    assert compare(original, out) is None


def _loop_doc(choices: int, template: list[dict], loop: str = "l") -> dict:
    return {"form_id": "f", "version": "1", "title": "F", "format": TREE_FORMAT,
            "choice_lists": {"l": [{"name": f"c{i}", "label": f"C{i}"} for i in range(choices)]},
            "children": [{"type": "group", "name": "g", "loop": loop, "children": template}]}


def test_hostile_loops_are_refused_in_one_sentence() -> None:
    question = {"type": "text", "name": "q", "label": "%(label)s"}
    with pytest.raises(SurveyError, match="does not exist"):
        definition_from_dict(_loop_doc(2, [question], loop="missing"))
    with pytest.raises(SurveyError, match="more than 20000"):
        definition_from_dict(_loop_doc(30_000, [question]))
    # Loops inside loops multiply: bounded as well.
    inner = {"type": "group", "name": "h", "loop": "l", "children": [question]}
    with pytest.raises(SurveyError, match="more than 20000"):
        definition_from_dict(_loop_doc(200, [inner]))
    # A filled expression is checked like any other.
    broken = {"type": "text", "name": "q", "label": "Q", "relevant": "'%(name)s' +"}
    with pytest.raises(SurveyError, match=r"“'%\(name\)s' \+” is not supported \(the expression ends"):
        definition_from_dict(_loop_doc(2, [broken]))


def test_a_loop_over_a_missing_list_names_its_row(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "bad.xlsx", [
        ["type", "name", "label"], ["begin loop over nowhere", "g", "G"],
        ["text", "q", "Q"], ["end loop"]], [["list_name", "name", "label"], ["l", "a", "A"]])
    with pytest.raises(XLSFormError) as info:
        import_xlsform(path)
    assert info.value.sheet == "survey" and info.value.row == 2


def test_same_name_in_two_groups_is_validated_by_path(tmp_path: Path) -> None:
    """Relevance, values and issues are keyed by answer key (the path for a shared name)."""
    from neascn_desktop.surveys.validation import evaluate_form

    definition = import_xlsform(_workbook(tmp_path / "twice.xlsx", [
        ["type", "name", "label", "required", "constraint"],
        ["begin_group", "home", "Home"], ["integer", "rooms", "Rooms", "yes", ". < 50"],
        ["end_group"],
        ["begin_group", "work", "Work"], ["integer", "rooms", "Rooms", "yes"], ["end_group"],
    ]))
    state = evaluate_form(definition, {"home/rooms": 99})
    assert state.values == {"home/rooms": 99}
    assert [(i.question, i.kind) for i in state.issues] == [
        ("home/rooms", "constraint"), ("work/rooms", "required")]
