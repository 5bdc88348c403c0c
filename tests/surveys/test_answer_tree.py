"""Answers as a tree: scopes, paths and walks over repeat instances (docs/answers.md)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neascn_desktop.surveys import answer_tree as tree
from neascn_desktop.surveys.definition import SurveyDefinition, load_definition

PIPELINE = Path(__file__).parent / "data" / "pipeline.json"
P1 = "11111111-1111-4111-8111-111111111111"
P2 = "22222222-2222-4222-8222-222222222222"
A1 = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"


@pytest.fixture
def pipeline() -> SurveyDefinition:
    return load_definition(PIPELINE)


def answers() -> dict:
    return {"city_name": "Ulaanbaatar", "projects": [
        {"@id": P1, "name": "BRT", "partners": [{"@id": A1, "partner_name": "ADB", "share": 60}]},
        {"@id": P2, "name": "Heating", "sector": "energy"},
    ]}


def test_scopes_key_questions_by_name_inside_repeats(pipeline: SurveyDefinition) -> None:
    scopes = pipeline.answer_scopes
    assert set(scopes) == {"", "projects", "projects/partners", "visits"}
    assert list(scopes[""].questions) == ["city_name", "project_count"]
    assert set(scopes[""].repeats) == {"projects", "visits"}
    # A group inside a repeat does not nest the answers.
    assert "note_text" in scopes["projects"].questions
    assert scopes["projects/partners"].depth == 2
    assert tree.repeat_depth(pipeline) == 2


@pytest.mark.parametrize(("path", "canonical"), [
    ("city_name", "city_name"),
    ("projects[1]/name", f"projects[@id={P1}]/name"),
    ("projects[-1]/sector", f"projects[@id={P2}]/sector"),
    (f"projects[@id={P2}]/stage", f"projects[@id={P2}]/stage"),
    ("projects[1]/partners[1]/share", f"projects[@id={P1}]/partners[@id={A1}]/share"),
    ("projects[1]/details/note_text", f"projects[@id={P1}]/note_text"),
])
def test_paths_resolve_to_ids(pipeline: SurveyDefinition, path: str, canonical: str) -> None:
    assert tree.locate(pipeline, answers(), path).canonical() == canonical


def test_append_path_gives_a_new_id_only_when_setting(pipeline: SurveyDefinition) -> None:
    location = tree.locate(pipeline, answers(), "projects[+]/name", create=True)
    assert location.added and tree.is_instance_id(location.added[0])
    assert location.instances == (("projects", location.added[0]),)
    with pytest.raises(tree.PathError, match=r"\[\+\] adds an instance"):
        tree.locate(pipeline, answers(), "projects[+]/name")


def test_instance_and_repeat_paths(pipeline: SurveyDefinition) -> None:
    instance = tree.locate(pipeline, answers(), "projects[2]")
    assert instance.instance and instance.instances == (("projects", P2),)
    repeat = tree.locate(pipeline, answers(), "projects[1]/partners")
    assert repeat.repeat is not None and not repeat.instance and repeat.question is None


@pytest.mark.parametrize(("path", "message"), [
    ("sector", "sector is asked once per instance of projects; write projects[1]/sector"),
    ("projects[3]/name", "projects has 2 instances; there is no instance 3"),
    ("projects/name", "projects is a repeat; say which instance, e.g. projects[1]/name"),
    ("city_name[1]", "city_name is not a repeat"),
    ("projects[1]/nope", "projects has no question named nope"),
    ("projects[0]/name", "instances are counted from 1"),
    ("projects[x]/name", "is not an instance"),
    ("projects[@id=nope]/name", "projects has no instance with the id nope"),
    ("visits[1]/visit_date", "visits has no instances yet"),
])
def test_bad_paths_are_refused_in_a_sentence(pipeline: SurveyDefinition, path: str, message: str) -> None:
    with pytest.raises(tree.PathError) as info:
        tree.locate(pipeline, answers(), path)
    assert message in str(info.value)


def test_walk_and_count(pipeline: SurveyDefinition) -> None:
    walked = {a.path: a.value for a in tree.walk_answers(pipeline, answers())}
    assert walked == {
        "city_name": "Ulaanbaatar",
        f"projects[@id={P1}]/name": "BRT",
        f"projects[@id={P1}]/partners[@id={A1}]/partner_name": "ADB",
        f"projects[@id={P1}]/partners[@id={A1}]/share": 60,
        f"projects[@id={P2}]/name": "Heating",
        f"projects[@id={P2}]/sector": "energy",
    }
    assert all(a.question is not None for a in tree.walk_answers(pipeline, answers()))
    assert tree.count_answers(answers()) == 6
    assert tree.find_instance(answers(), (("projects", P1), ("partners", A1))) == answers()[
        "projects"][0]["partners"][0]


def test_a_definition_with_repeats_nested_nine_deep_is_refused() -> None:
    import json

    from neascn_desktop.surveys.definition import SurveyError, definition_from_dict

    doc = json.loads(PIPELINE.read_text(encoding="utf-8"))
    inner: dict = {"name": "leaf", "type": "text", "label": {"en": "Leaf"}}
    for level in range(9):
        inner = {"type": "repeat", "name": f"r{level}", "label": {"en": "R"}, "children": [inner]}
    doc["children"].append(inner)
    with pytest.raises(SurveyError, match="repeats are nested more than 8 levels deep"):
        definition_from_dict(doc)
    doc["children"][-1] = inner["children"][0]  # eight deep: accepted
    assert tree.repeat_depth(definition_from_dict(doc)) == 8


# --------------------------------------------------------------------------- edits against a model

EDITS = st.lists(st.tuples(st.sampled_from(["add", "remove", "move", "set", "partner"]),
                           st.integers(1, 6), st.integers(1, 6)), max_size=25)


@settings(max_examples=100, deadline=None)
@given(EDITS)
def test_pure_edits_follow_a_list_model_and_pass_the_package_schema(edits: list) -> None:
    """Adding, removing, moving instances and setting answers inside them: the order of ids is
    that of a plain list doing the same, ids stay unique, the input is never changed, and every
    tree made is one a package may carry."""
    from neascn_desktop.sync import record_schema

    definition = load_definition(PIPELINE)
    answers: dict = {}
    model: list[str] = []
    for action, a, b in edits:
        old, snapshot = answers, copy.deepcopy(answers)
        if action == "add":
            answers, new = tree.with_instance(answers, (), "projects", position=a if b % 2 else None)
            model.insert(min(len(model), a - 1) if b % 2 else len(model), new)
        elif model and action == "remove":
            target = model[(a - 1) % len(model)]
            answers = tree.without_instance(answers, (("projects", target),))
            model.remove(target)
        elif model and action == "move":
            target = model[(a - 1) % len(model)]
            answers = tree.with_instance_moved(answers, (("projects", target),), b)
            model.remove(target)
            model.insert(min(len(model), b - 1), target)
        elif model and action == "set":
            location = tree.locate(definition, answers, f"projects[{(a - 1) % len(model) + 1}]/name")
            answers = tree.with_value(answers, location, f"P{b}")
        elif model and action == "partner":
            location = tree.locate(definition, answers,
                                   f"projects[{(a - 1) % len(model) + 1}]/partners[+]/share", create=True)
            answers = tree.with_value(answers, location, float(b))
        assert old == snapshot  # the tree given is never changed (copies on the way)
        assert [i["@id"] for i in answers.get("projects", [])] == model
    ids = [i.path for i in tree.walk_answers(definition, answers)]
    assert len(ids) == len(set(ids))
    record_schema.check_answers(answers, definition)
