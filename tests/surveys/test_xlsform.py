"""XLSForm export (checked with ODK's own pyxform) and import of Kobo/ODK-style forms."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from pyxform.xls2xform import convert

from neascn_desktop.surveys.definition import (
    Group,
    SurveyDefinition,
    builtin_definition_path,
    load_definition,
)
from neascn_desktop.surveys.xlsform import (
    XLSFormError,
    export_xlsform,
    import_xlsform,
    language_from_header,
)


def _pyxform(path: Path) -> tuple[str, list[str]]:
    warnings: list[str] = []
    result = convert(xlsform=str(path), warnings=warnings)
    # pyxform's language-code list lacks script subtags ("zh-Hans" is valid BCP 47), and it
    # advises max-pixels on every image question: neither is a problem of the form.
    return result.xform, [w for w in warnings if "zh-Hans" not in w and "max-pixels" not in w]


@pytest.fixture(scope="module")
def builtin() -> SurveyDefinition:
    return load_definition(builtin_definition_path())


def test_builtin_survey_exports_to_an_xlsform_that_pyxform_converts(
    builtin: SurveyDefinition, tmp_path: Path
) -> None:
    path = export_xlsform(builtin, tmp_path / "neascn_readiness.xlsx")
    xform, warnings = _pyxform(path)
    assert warnings == []
    assert "<h:title>" in xform
    for code in ("English (en)", "Korean (ko)", "Chinese (zh-Hans)", "Japanese (ja)",
                 "Russian (ru)", "Mongolian (mn)"):
        assert f'lang="{code}"' in xform
    for q in builtin.questions:
        assert f"/{q.name}" in xform
    # And it comes back unchanged, scoring extras and instrument sources included.
    assert sum(1 for q in builtin.questions if q.source) >= 30
    assert import_xlsform(path).to_dict() == builtin.to_dict()


def test_export_layout(mini: SurveyDefinition, tmp_path: Path) -> None:
    path = export_xlsform(mini, tmp_path / "mini.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["survey", "choices", "settings"]
    rows = [dict(zip([c.value for c in wb["survey"][1]], [c.value for c in r], strict=False))
            for r in wb["survey"].iter_rows(min_row=2)]
    by_name = {r["name"]: r for r in rows if r["name"]}
    assert rows[0]["type"] == "begin_group" and rows[0]["label::Korean (ko)"] == "도시 현황"
    assert by_name["population"]["type"] == "integer"
    assert by_name["population"]["required"] == "yes"
    assert by_name["strategy_level"]["type"] == "select_one strategy_levels"
    assert by_name["strategy_level"]["neascn_type"] == "scale"
    assert by_name["has_strategy"]["neascn_type"] == "yes_no"
    assert by_name["strategy_doc"]["type"] == "file"
    assert by_name["budget_share"]["neascn_thresholds"] == "1 2 4 6"
    assert by_name["budget_share"]["neascn_domain"] == "infrastructure"
    assert by_name["services"]["relevant"] == "${population} > 0"
    choices = list(wb["choices"].iter_rows(min_row=1, values_only=True))
    assert choices[0][-1] == "score" and ("yes_no", "yes", "Yes", "예", 100) in choices
    settings = list(wb["settings"].iter_rows(values_only=True))
    assert settings[1][:4] == ("mini", "1", "Mini readiness check", "English (en)")
    _xform, warnings = _pyxform(path)
    assert warnings == []


def _kobo_form(path: Path) -> Path:
    """A form as KoboToolbox exports it: metadata rows, both group spellings, two languages."""
    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::Korean (ko)", "hint::English (en)",
                   "required", "relevant", "constraint", "constraint_message::English (en)",
                   "constraint_message::Korean (ko)", "calculation", "appearance", "$kuid"])
    survey.append(["start", "start"])
    survey.append(["end", "end"])
    survey.append(["begin_group", "profile", "City profile", "도시 개요", None, None, None, None,
                   None, None, None, "field-list", "k1"])
    survey.append(["text", "respondent", "Respondent name", "응답자 이름", "Full name", "yes"])
    survey.append(["integer", "staff", "IT staff", "IT 인력", None, "TRUE", None,
                   ". >= 0 and . < 10000", "Between 0 and 9999", "0에서 9999 사이"])
    survey.append(["select_one yn", "has_portal", "Open data portal?", "개방 데이터 포털?",
                   None, "yes"])
    survey.append(["select_multiple sectors", "sectors", "Sectors covered", "포함 분야", None, None,
                   "${has_portal} = 'yes'", "count-selected(.) >= 1", "Pick one", "하나 선택"])
    survey.append(["calculate", "sector_count", None, None, None, None, None, None, None, None,
                   "count-selected(${sectors})"])
    survey.append(["end_group"])
    survey.append(["begin group", "finance", "Finance", "재정", None, None, "${staff} > 0"])
    survey.append(["decimal", "budget", "Digital budget (%)", "디지털 예산(%)", None, "no", None,
                   ". <= 100"])
    survey.append(["date", "approved", "Approval date", "승인일"])
    survey.append(["note", "thanks", "Thank you", "감사합니다"])
    survey.append(["image", "photo", "Photo of the control room", "관제센터 사진"])
    survey.append(["end group"])
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Korean (ko)"])
    choices.append(["yn", "yes", "Yes", "예"])
    choices.append(["yn", "no", "No", "아니요"])
    for name, en, ko in (("transport", "Transport", "교통"), ("health", "Health", "보건"),
                         ("energy", "Energy", "에너지")):
        choices.append(["sectors", name, en, ko])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append(["City data check", "city_data", 2024051501, "English (en)"])
    wb.save(path)
    return path


def test_kobo_form_round_trips(tmp_path: Path) -> None:
    source = _kobo_form(tmp_path / "kobo.xlsx")
    definition = import_xlsform(source)
    assert definition.form_id == "city_data" and definition.version == "2024051501"
    assert definition.languages == ("en", "ko")
    assert [s.name for s in definition.sections] == ["profile", "finance"]
    # Metadata rows are kept (filled from the clock and the profile), outside the form pages.
    assert [q.name for q in definition.questions] == [
        "start", "end", "respondent", "staff", "has_portal", "sectors", "sector_count", "budget", "approved",
        "thanks", "photo"]
    staff = definition.question("staff")
    assert staff.required == "true()" and staff.constraint == ". >= 0 and . < 10000"
    assert staff.constraint_message == {"en": "Between 0 and 9999", "ko": "0에서 9999 사이"}
    assert definition.question("budget").required is None
    assert definition.question("photo").type == "attachment"
    assert definition.question("respondent").extra == {}
    assert definition.sections[1].relevant == "${staff} > 0"
    assert definition.choice(definition.question("sectors"), "energy").label["ko"] == "에너지"

    exported = export_xlsform(definition, tmp_path / "again.xlsx")
    again = import_xlsform(exported)
    assert again.to_dict() == definition.to_dict()
    _xform, warnings = _pyxform(exported)
    assert warnings == []
    rows = list(load_workbook(exported)["survey"].iter_rows(values_only=True))
    types = [r[0] for r in rows[1:]]
    assert types.count("begin_group") == 2 and types.count("end_group") == 2
    assert "image" in types and "select_multiple sectors" in types


def test_bare_label_column_and_nested_groups(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "relevant"])
    ws.append(["integer", "age", "Age"])
    ws.append(["begin_group", "outer", "Outer", "${age} > 18"])
    ws.append(["text", "a", "A"])
    ws.append(["begin_group", "inner", "Inner", "${a} != ''"])
    ws.append(["text", "b", "B"])
    ws.append(["end_group"])
    ws.append(["text", "c", "C"])
    ws.append(["end_group"])
    path = tmp_path / "My form (v2).xlsx"
    wb.save(path)
    definition = import_xlsform(path)
    assert definition.form_id == "My_form__v2_"
    assert definition.question("age").label == {"en": "Age"}
    # The tree is kept: "c" stays in "outer" after the nested group; the form pages show each
    # group with the questions directly in it and the relevance of its enclosing groups.
    outer = definition.children[1]
    assert isinstance(outer, Group) and [n.name for n in outer.children] == ["a", "inner", "c"]
    assert definition.question("b").path == "outer/inner/b"
    assert [(s.name, s.relevant) for s in definition.sections] == [
        ("ungrouped", None), ("outer", "${age} > 18"),
        ("outer/inner", "(${age} > 18) and (${a} != '')")]
    assert language_from_header("Chinese (zh-Hans)") == "zh_Hans"
    assert language_from_header("한국어") == "ko"
    # Ungrouped questions stay at the top level when exported.
    rows = list(load_workbook(export_xlsform(definition, tmp_path / "out.xlsx"))["survey"]
                .iter_rows(values_only=True))
    assert rows[1][:2] == ("integer", "age")


def _survey_only(tmp_path: Path, rows: list[list], choices: list[list] | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "relevant", "constraint"])
    for row in rows:
        ws.append(row)
    if choices is not None:
        sheet = wb.create_sheet("choices")
        sheet.append(["list_name", "name", "label"])
        for row in choices:
            sheet.append(row)
    path = tmp_path / "form.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize(("rows", "choices", "where", "fragment"), [
    # ODK's converter's own refusals, wrapped in one sentence naming sheet, row and column.
    ([["begin_repeat", "r", "R"]], None, ("survey", 2, "type"), "Unmatched 'begin_repeat'"),
    ([["select_one nope", "b", "B"]], [["yn", "yes", "Yes"]], ("survey", 2, "type"),
     "nope"),
    ([["text", "1a", "A"]], None, ("survey", 2, "name"), "the 'name' value is invalid"),
    ([["text", "a", "A"], ["text", "a", "B"]], None, ("survey", 3, "name"), "must be unique"),
    ([["begin_group", "g", "G"], ["text", "a", "A"]], None, ("survey", 2, "type"),
     "No matching 'end_group'"),
    ([["end_group"]], None, ("survey", 2, "type"), "No matching 'begin_group'"),
    ([["text", "a", "A", "${ghost} = 1"]], None, ("survey", 2, "relevant"), "ghost"),
    # What pyxform leaves open and this app cannot do.
    ([["teleport", "place", "Place"]], None, ("survey", 2, "type"), "not supported"),
    ([["integer", "a", "A", None, ". >"]], None, ("survey", 2, "constraint"), "ends too early"),
    ([["text", "a", "A", "frobnicate(.) > 1"]], None, ("survey", 2, "relevant"), "frobnicate"),
])
def test_import_errors_name_sheet_row_column(tmp_path: Path, rows, choices, where, fragment) -> None:
    with pytest.raises(XLSFormError) as info:
        import_xlsform(_survey_only(tmp_path, rows, choices))
    error = info.value
    assert (error.sheet, error.row, error.column) == where
    message = str(error)
    assert fragment in message and f"row {where[1]}" in message and "\n" not in message


def test_choice_names_with_spaces_are_refused_only_for_select_multiple(tmp_path: Path) -> None:
    one = import_xlsform(_survey_only(tmp_path, [["select_one yn", "b", "B"]],
                                      [["yn", "foot paths", "Foot paths"]]))
    assert [c.name for c in one.choices_for(one.question("b"))] == ["foot paths"]
    with pytest.raises(XLSFormError) as info:
        import_xlsform(_survey_only(tmp_path, [["select_multiple yn", "b", "B"]],
                                    [["yn", "foot paths", "Foot paths"]]))
    assert info.value.sheet == "choices" and "foot paths" in str(info.value)


def test_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "form.xlsx"
    bad.write_text("hello", encoding="utf-8")
    with pytest.raises(XLSFormError, match="not an Excel workbook"):
        import_xlsform(bad)
    with pytest.raises(XLSFormError, match="does not exist"):
        import_xlsform(tmp_path / "missing.xlsx")
    wb = Workbook()
    wb.active.title = "questions"
    wb.save(bad)
    with pytest.raises(XLSFormError, match="sheet named 'survey'"):
        import_xlsform(bad)


def test_damaged_workbooks_are_refused_with_one_sentence(builtin: SurveyDefinition, tmp_path: Path) -> None:
    """Truncated, bit-flipped and renamed files: an XLSFormError or a clean import, nothing else."""
    import random

    good = export_xlsform(builtin, tmp_path / "good.xlsx").read_bytes()
    rng = random.Random(7)
    variants = [good[: len(good) * k // 10] for k in range(1, 10)]
    for _ in range(25):
        flipped = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        variants.append(bytes(flipped))
    variants += [b"", b"PK\x03\x04" + b"\x00" * 100, "ﾟ.ﾟ".encode() * 1000]
    for index, data in enumerate(variants):
        for suffix in (".xlsx", ".zip"):
            path = tmp_path / f"damaged-{index}{suffix}"
            path.write_bytes(data)
            try:
                import_xlsform(path)
            except XLSFormError as exc:
                assert "\n" not in str(exc) and str(exc)
