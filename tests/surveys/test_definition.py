"""Survey definitions: loading, checks with clear errors, serialising, labels."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from neascn_desktop.surveys.definition import (
    SurveyDefinition,
    SurveyError,
    definition_from_dict,
    load_definition,
)

from .conftest import MINI


def _doc() -> dict:
    return json.loads(MINI.read_text(encoding="utf-8"))


def test_loads_sections_questions_and_lookups(mini: SurveyDefinition) -> None:
    assert mini.entity_id == "mini@1"
    assert [s.name for s in mini.sections] == ["facts", "governance", "services"]
    assert len(mini.questions) == 11
    strategy = mini.question("strategy_level")
    assert strategy.type == "scale" and strategy.domain == "governance" and strategy.weight == 2.0
    assert [c.name for c in mini.choices_for(strategy)][-1] == "dk"
    assert mini.choice(strategy, "4").score == 75
    assert mini.section_of("officer").name == "governance"
    assert mini.languages == ("en", "ko")
    assert mini.domain("infrastructure").weight == 2.0
    with pytest.raises(SurveyError, match="no question named nope"):
        mini.question("nope")


def test_labels_fall_back_to_english(mini: SurveyDefinition) -> None:
    q = mini.question("population")
    assert q.label_in("ko") == "인구"
    assert q.label_in("ja") == "Population"  # no Japanese label: English
    assert q.hint_in("ru") == "Residents at the last census"
    assert mini.title_in("ko") == "간이 준비도 점검"
    assert mini.choice(mini.question("has_strategy"), "yes").label_in("mn") == "Yes"


def test_round_trips_through_dict(mini: SurveyDefinition) -> None:
    again = definition_from_dict(json.loads(json.dumps(mini.to_dict())))
    assert again == mini
    assert again.to_dict() == mini.to_dict()


def _broken(change) -> dict:
    doc = copy.deepcopy(_doc())
    change(doc)
    return doc


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda d: d.pop("form_id"), "“form_id” is missing"),
    (lambda d: d.update(sections=[]), "non-empty list"),
    (lambda d: d["sections"][0]["questions"][1].update(type="teleport"), "unknown question type"),
    (lambda d: d["sections"][0]["questions"][1].update(name="1abc"), "not a valid name"),
    (lambda d: d["sections"][1]["questions"][0].update(name="population"), "used twice"),
    (lambda d: d["sections"][1]["questions"][0].update(choices="nope"), "does not exist"),
    (lambda d: d["sections"][1]["questions"][0].pop("choices"), "needs a choice list"),
    (lambda d: d["sections"][0]["questions"][1].update(constraint=". >"), "position"),
    (lambda d: d["sections"][0]["questions"][1].update(relevant="${ghost} = 1"), "ghost"),
    (lambda d: d["sections"][0]["questions"][2].update(thresholds=[3, 2, 1, 0]), "four ascending"),
    (lambda d: d["sections"][0]["questions"][2].update(domain="finance"), "domain “finance”"),
    (lambda d: d["sections"][0]["questions"][4].update(calculation=None), "needs a calculation"),
    (lambda d: d["choice_lists"]["yes_no"].append({"name": "yes", "label": "Y"}), "same name"),
    (lambda d: d["choice_lists"]["services"][0].update(name="a b"), "contains a space"),
    (lambda d: d["domains"][0].update(weight=-1), "must not be negative"),
    (lambda d: d["sections"][0]["questions"][1].update(label=5), "language codes"),
])
def test_bad_documents_raise_one_clear_sentence(change, fragment: str) -> None:
    with pytest.raises(SurveyError) as info:
        definition_from_dict(_broken(change))
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(SurveyError, match="Cannot read"):
        load_definition(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(SurveyError, match="not a valid JSON"):
        load_definition(bad)
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(SurveyError, match="must be an object"):
        load_definition(bad)


def test_the_error_names_the_question(mini: SurveyDefinition) -> None:
    with pytest.raises(SurveyError) as info:
        definition_from_dict(_broken(
            lambda d: d["sections"][1]["questions"][1].update(relevant="${has_strategy} =")))
    assert "sections[1].questions[1] (strategy_level)" in str(info.value)
