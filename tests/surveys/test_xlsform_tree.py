"""XLSForms read through pyxform: the tree (groups, repeats), every alias, the round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from neascn_desktop.surveys import expressions
from neascn_desktop.surveys.definition import (
    TREE_FORMAT,
    Group,
    SurveyDefinition,
    SurveyError,
    builtin_definition_path,
    definition_from_dict,
    load_definition,
)
from neascn_desktop.surveys.xlsform import (
    XLSFormError,
    export_xlsform,
    import_xlsform,
    import_xlsform_with_warnings,
)

CORPUS = next((p / "shared" / "xlsform-corpus" for p in Path(__file__).resolve().parents
               if (p / "shared" / "xlsform-corpus").is_dir()), None)


def _workbook(path: Path, survey: list[list], choices: list[list] | None = None,
              settings: list[list] | None = None, **sheets: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    for title, rows in (("choices", choices), ("settings", settings), *sheets.items()):
        if rows is not None:
            sheet = wb.create_sheet(title)
            for row in rows:
                sheet.append(row)
    wb.save(path)
    return path


def _household(tmp_path: Path) -> Path:
    """ODK-style form with legacy spellings, aliases, nested repeats and single-colon headers."""
    return _workbook(
        tmp_path / "household.xlsx",
        [
            ["type", "name", "label:English", "label:Français", "relevant", "constraint",
             "appearance", "default", "choice_filter", "parameters", "bind::orx:max-pixels",
             "required", "calculation"],
            ["start", "start"],
            ["imei", "device"],
            ["string", "village", "Village", "Village"],
            ["select one from yn", "has_water", "Water?", "Eau ?"],
            ["select_one colour or_other", "colour", "Colour", "Couleur"],
            ["begin group", "place", "Place", "Lieu", None, None, "field-list"],
            ["geopoint", "gps", "Where", "Où"],
            ["select_one region", "region", "Region", "Région"],
            ["select_one district", "district", "District", "District", None, None, None, None,
             "region=${region}"],
            ["end group"],
            ["begin repeat", "member", "Member", "Membre"],
            ["int", "age", "Age", "Âge", None, ". < 130"],
            ["photo", "portrait", "Portrait", "Portrait", None, None, None, None, None, None, "1024"],
            ["phone number", "phone", "Phone", "Téléphone"],
            ["begin_repeat", "visit", "Visit", "Visite", "${age} > 5"],
            ["date", "when", "When", "Quand"],
            ["end_repeat"],
            ["end repeat"],
            ["range", "rating", "Rating", "Note", None, None, None, "3", None,
             "start=1 end=5 step=1"],
            ["time", "at", "At", "À"],
            ["dateTime", "stamp", "Stamp", "Horodatage"],
            ["rank priorities", "priorities", "Priorities", "Priorités"],
            ["acknowledge", "ok", "Agree", "D’accord"],
            ["barcode", "code", "Code", "Code"],
            ["hidden", "secret"],
            ["calculate", "members", None, None, None, None, None, None, None, None, None, None,
             "count(${age})"],
            ["note", "done", "Done", "Fini", "${has_water} = ‘yes’"],
        ],
        [
            ["list_name", "name", "label:English", "label:Français"],
            ["yn", "yes", "Yes", "Oui"], ["yn", "no", "No", "Non"],
            ["colour", "red", "Red", "Rouge"], ["colour", "blue", "Blue", "Bleu"],
            ["region", "north", "North", "Nord"], ["region", "south", "South", "Sud"],
            ["district", "a", "A", "A"], ["district", "b", "B", "B"],
            ["priorities", "water", "Water", "Eau"], ["priorities", "roads", "Roads", "Routes"],
        ],
        [["form_title", "form_id", "version"], ["Household “census”", "household", "7"]],
    )


@pytest.fixture()
def household(tmp_path: Path) -> SurveyDefinition:
    return import_xlsform(_household(tmp_path))


def test_repeats_and_groups_stay_a_tree(household: SurveyDefinition) -> None:
    names = [n.name for n in household.children]
    assert names == ["start", "device", "village", "has_water", "colour", "colour_other", "place",
                     "member", "rating", "at", "stamp", "priorities", "ok", "code", "secret",
                     "members", "done"]
    member = household.children[7]
    assert isinstance(member, Group) and member.kind == "repeat"
    visit = member.children[-1]
    assert isinstance(visit, Group) and visit.kind == "repeat" and visit.relevant == "${age} > 5"
    assert household.question("when").path == "member/visit/when"
    assert household.question("when").repeat == "member/visit"
    assert household.question("age").repeat == "member"
    assert household.question("village").repeat is None
    # The form pages hold what is answered once; repeat instances are answered apart.
    shown = {q.name for s in household.sections for q in s.questions}
    assert "village" in shown and "age" not in shown
    assert "start" not in shown and "secret" not in shown  # recorded, never asked
    assert household.children[6].extra == {"appearance": "field-list"}


def test_aliases_and_legacy_spellings_resolve(household: SurveyDefinition) -> None:
    types = household.question_types()
    assert types["start"] == types["device"] == "metadata"
    assert household.question("device").extra["xlsform_type"] == "deviceid"  # imei
    assert types["village"] == types["phone"] == "text"
    assert types["has_water"] == "select_one" and household.question("has_water").choices == "yn"
    assert types["age"] == "integer"
    assert types["portrait"] == "attachment"
    assert household.question("portrait").extra == {"xlsform_type": "image",
                                                    "bind::orx:max-pixels": "1024"}
    assert (types["gps"], types["rating"], types["at"], types["stamp"]) == (
        "geopoint", "range", "time", "datetime")
    assert (types["priorities"], types["ok"], types["code"], types["secret"]) == (
        "rank", "acknowledge", "barcode", "hidden")
    # or_other: ODK adds the "other" choice and the text question shown when it is chosen.
    assert [c.name for c in household.choices_for(household.question("colour"))][-1] == "other"
    assert household.question("colour_other").relevant == "selected(../colour, 'other')"
    # label:English single-colon headers: both languages kept.
    assert household.question("village").label == {"en": "Village", "Français": "Village"}
    assert household.title == {"en": "Household “census”"}
    assert household.form_id == "household" and household.version == "7"


def test_columns_are_kept(household: SurveyDefinition) -> None:
    assert household.question("district").extra["choice_filter"] == "region=${region}"
    assert household.question("rating").extra["default"] == "3"
    assert household.question("rating").extra["parameters"] == "start=1 end=5 step=1"
    assert household.question("ok").label["Français"] == "D’accord"  # the author's quote
    # A typographic quote in an expression reads as a straight one.
    assert expressions.evaluate_boolean(household.question("done").relevant or "",
                                        {"has_water": "yes"})


def test_tree_document_round_trips(household: SurveyDefinition, tmp_path: Path) -> None:
    document = household.to_dict()
    assert document["format"] == TREE_FORMAT and "sections" not in document
    assert definition_from_dict(json.loads(json.dumps(document))) == household
    again = import_xlsform(export_xlsform(household, tmp_path / "again.xlsx"))
    assert again.to_dict() == document


def test_builtin_survey_document_is_unchanged() -> None:
    """Flat surveys keep version 1, so stored payloads and revision ids do not move."""
    path = builtin_definition_path()
    raw = json.loads(path.read_text(encoding="utf-8"))
    definition = load_definition(path)
    assert "format" not in definition.to_dict()
    assert definition.to_dict() == definition_from_dict(raw).to_dict()
    assert [s.name for s in definition.sections] == [s["name"] for s in raw["sections"]]


def test_choices_from_a_file_beside_the_form(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["select_one_from_file trees.csv", "tree", "Tree"]]
    missing = import_xlsform(_workbook(tmp_path / "a.xlsx", survey))
    assert missing.question("tree").choices == "trees.csv"
    assert missing.choice_lists["trees.csv"] == ()
    (tmp_path / "trees.csv").write_text("name,label\nbaobab,Baobab\nteak,Teak\n", encoding="utf-8")
    present = import_xlsform(tmp_path / "a.xlsx")
    assert [c.name for c in present.choice_lists["trees.csv"]] == ["baobab", "teak"]
    assert present.question("tree").extra["xlsform_type"] == "select_one_from_file"


def test_external_choices_sheet(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "ext.xlsx",
        [["type", "name", "label", "choice_filter"], ["select_one country", "country", "Country"],
         ["select_one_external city", "city", "City", "country=${country}"]],
        [["list_name", "name", "label"], ["country", "mn", "Mongolia"]],
        external_choices=[["list_name", "name", "label", "country"],
                          ["city", "ulaanbaatar", "Ulaanbaatar", "mn"]])
    definition = import_xlsform(path)
    cities = definition.choices_for(definition.question("city"))
    assert [(c.name, c.extra) for c in cities] == [("ulaanbaatar", {"country": "mn"})]
    again = import_xlsform(export_xlsform(definition, tmp_path / "out.xlsx"))
    assert again.to_dict() == definition.to_dict()


def test_duplicate_choice_names_need_the_setting_or_a_filter() -> None:
    doc = {"form_id": "f", "version": "1", "title": "F", "format": TREE_FORMAT,
           "choice_lists": {"l": [{"name": "a", "label": "A"}, {"name": "a", "label": "A2"}]},
           "children": [{"type": "select_one", "name": "q", "label": "Q", "choices": "l"}]}
    with pytest.raises(SurveyError, match="same name"):
        definition_from_dict(doc)
    assert definition_from_dict({**doc, "settings": {"allow_choice_duplicates": "yes"}})
    doc["children"][0]["extra"] = {"choice_filter": "x = 1"}
    assert definition_from_dict(doc)


def test_same_name_in_two_groups_is_answered_by_path(tmp_path: Path) -> None:
    definition = import_xlsform(_workbook(tmp_path / "twice.xlsx", [
        ["type", "name", "label"],
        ["begin_group", "home", "Home"], ["text", "street", "Street"], ["end_group"],
        ["begin_group", "work", "Work"], ["text", "street", "Street"], ["end_group"],
    ]))
    assert set(definition.question_types()) == {"home/street", "work/street"}
    assert definition.question("work/street").path == "work/street"


@pytest.mark.parametrize(("change", "fragment"), [
    (lambda d: d.pop("format"), "format"),
    (lambda d: d["children"].__setitem__(0, {"type": "group", "name": "g", "children": "x"}),
     "must be a list"),
    (lambda d: d["children"].append(dict(d["children"][0])), "used twice"),
])
def test_bad_tree_documents_raise_one_sentence(change, fragment: str) -> None:
    doc = {"form_id": "f", "version": "1", "title": "F", "format": TREE_FORMAT,
           "children": [{"type": "text", "name": "q", "label": "Q"}]}
    change(doc)
    with pytest.raises(SurveyError, match=fragment):
        definition_from_dict(doc)


def test_deeply_nested_groups_are_refused() -> None:
    node: dict = {"type": "text", "name": "q", "label": "Q"}
    for depth in range(60):
        node = {"type": "group", "name": f"g{depth}", "children": [node]}
    with pytest.raises(SurveyError, match="nested too deeply"):
        definition_from_dict({"form_id": "f", "version": "1", "title": "F", "format": TREE_FORMAT,
                              "children": [node]})


def test_warnings_are_returned_not_printed(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    path = _workbook(tmp_path / "w.xlsx", [["type", "name", "label"], ["image", "pic", "Picture"]])
    definition, warnings = import_xlsform_with_warnings(path)
    assert definition.question("pic").type == "attachment"
    assert any("max-pixels" in w for w in warnings)
    assert all("\n" not in w for w in warnings)
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_an_expression_outside_the_grammar_names_its_cell(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "bad.xlsx", [
        ["type", "name", "label", "calculation"],
        ["text", "a", "A"],
        ["calculate", "c", None, "${a} +* 2"],
    ])
    with pytest.raises(XLSFormError) as info:
        import_xlsform(path)
    assert (info.value.sheet, info.value.row, info.value.column) == ("survey", 3, "calculation")


@pytest.mark.skipif(CORPUS is None, reason="the shared XLSForm corpus is not beside the checkout")
@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.xlsx")) if CORPUS else [])
def test_corpus_form_imports(name: str) -> None:
    assert CORPUS is not None
    definition = import_xlsform(CORPUS / name)
    assert definition.questions and definition_from_dict(definition.to_dict()) == definition


def test_tree_definitions_pass_the_package_schema(household: SurveyDefinition) -> None:
    """A tree definition travels in packages: the receiver's schema reads it and checks answers."""
    from neascn_desktop.sync import record_schema

    received = record_schema.check_payload(
        "survey_definition", household.entity_id, json.loads(json.dumps(household.to_dict())))
    assert received == household
    record_schema.check_answers({"village": "Darkhan", "rating": 3, "gps": "49.5 105.9"}, received)
    with pytest.raises(record_schema.RecordError, match="from 1 to 5"):
        record_schema.check_answers({"rating": 9}, received)
    with pytest.raises(record_schema.RecordError, match="latitude longitude"):
        record_schema.check_answers({"gps": "north"}, received)
