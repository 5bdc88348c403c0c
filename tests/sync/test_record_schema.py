"""A submission's answers against its definition, with the memo of values found good shared across
thousands of submissions: a remembered value is good only for its own question and type."""

from __future__ import annotations

import json
from typing import Any

import pytest

from neascn_desktop.surveys.definition import SurveyDefinition
from neascn_desktop.surveys.installed import builtin_revisions
from neascn_desktop.sync import record_schema


@pytest.fixture(scope="module")
def definition() -> SurveyDefinition:
    revision = next(r for r in builtin_revisions() if r.entity_type == "survey_definition")
    found = record_schema.check_payload("survey_definition", revision.entity_id, revision.payload)
    assert found is not None
    return found


GOOD: dict[str, Any] = {"city_population": 1, "city_budget_total": 1.5, "has_strategy": "yes",
                        "priority_areas": ["transport"]}


@pytest.mark.parametrize(("question", "value"), [
    ("city_population", True),          # equal to 1 in a set, not a whole number to the survey room
    ("city_population", 1.5),           # good for the decimal question, not for this one
    ("has_strategy", ["yes"]),          # a list of the remembered choice is not that choice
    ("has_strategy", "transport"),      # a choice of another question
    ("priority_areas", ["transport", "nowhere"]),
    ("priority_areas", [["transport"]]),
])
def test_a_remembered_good_value_does_not_pass_a_bad_one(definition: SurveyDefinition, question: str,
                                                          value: Any) -> None:
    memo: dict[int, dict[str, set[Any]]] = {}
    record_schema.check_answers(GOOD, definition, memo)
    with pytest.raises(record_schema.RecordError) as refused:
        record_schema.check_answers({question: value}, definition, memo)
    assert refused.value.field == f"answers.{question}"


def test_remembered_values_still_pass(definition: SurveyDefinition) -> None:
    memo: dict[int, dict[str, set[Any]]] = {}
    for _ in range(2):
        record_schema.check_answers(GOOD, definition, memo)
    assert memo[id(definition)]["city_population"] == {(int, 1)}


def test_a_value_good_for_one_definition_is_checked_again_for_another() -> None:
    """The memo of one import (``authority.AnswerMemo``) outlives the judges of its batches; a
    value remembered for one version of a survey is checked again for another version, even
    after the first version's objects are gone (the memo keeps them alive: an ``id()`` is never
    reused while it names a remembered definition)."""
    import gc

    from neascn_desktop.sync.authority import AnswerMemo

    revision = next(r for r in builtin_revisions() if r.entity_type == "survey_definition")
    memo = AnswerMemo()

    def parsed(drop_choice: str | None = None) -> SurveyDefinition:
        payload = json.loads(json.dumps(revision.payload))
        if drop_choice:
            for choices in payload["choice_lists"].values():
                choices[:] = [c for c in choices if c["name"] != drop_choice]
        found = record_schema.check_payload("survey_definition", revision.entity_id, payload)
        assert found is not None
        return found

    first = parsed()
    record_schema.check_answers(GOOD, first, memo.for_definition(first))
    del first
    gc.collect()
    for _ in range(20):  # new objects of the same size: none may take the remembered one's id
        other = parsed(drop_choice="transport")
        with pytest.raises(record_schema.RecordError) as refused:
            record_schema.check_answers(GOOD, other, memo.for_definition(other))
        assert refused.value.field == "answers.priority_areas"
