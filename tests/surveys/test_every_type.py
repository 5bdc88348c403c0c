"""Every XLSForm type and column of issue 14 on one form written here: imported through pyxform,
round-tripped field by field, answered through the service as the CLI does, exported in the
Central and Kobo layouts."""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

import pytest

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import service
from neascn_desktop.surveys.installed import install_definition
from neascn_desktop.surveys.xlsform import export_xlsform, import_xlsform
from tests.surveys.test_xlsform_tree import _workbook

EN, RU = "English (en)", "Russian (ru)"
COLUMNS = ["type", "name", f"label::{EN}", f"label::{RU}", f"hint::{EN}",
           f"guidance_hint::{EN}", "required", f"required_message::{EN}", "constraint",
           f"constraint_message::{EN}", "relevant", "calculation", "default", "read_only",
           "appearance", "parameters", "choice_filter", f"media::image::{EN}",
           f"media::audio::{EN}"]


def row(kind: str, name: str = "", label: str = "", **cells: str) -> list:
    values = {"type": kind, "name": name, f"label::{EN}": label,
              f"label::{RU}": f"{label} (ru)" if label else ""}
    values.update({COLUMNS[[c.split("::")[0] for c in COLUMNS].index(k)]
                   if k not in COLUMNS else k: v for k, v in cells.items()})
    return [values.get(c) or None for c in COLUMNS]


SURVEY = [
    COLUMNS,
    row("start", "started"), row("end", "ended"), row("today", "day"),
    row("deviceid", "device"), row("username", "user"), row("email", "mail"),
    row("text", "city", "City", hint="The city of ${user}", guidance_hint="As on the map",
        required="yes", required_message="Name the city", default="Darkhan",
        appearance="multiline"),
    row("note", "intro", "Welcome to ${city}", media="intro.png"),
    row("integer", "residents", "Residents", constraint=". > 0",
        constraint_message="At least one resident"),
    row("decimal", "budget", "Budget", default="1.5", read_only="yes"),
    row("range", "rating", "Rating", parameters="start=1 end=5 step=1"),
    row("date", "founded", "Founded"), row("time", "opens", "Opens"),
    row("dateTime", "stamp", "Stamp"),
    row("select_one country or_other", "country", "Country"),
    row("select_one region", "region", "Region", choice_filter="country=${country}"),
    row("select_one_external district", "district", "District",
        choice_filter="region=${region}"),
    row("select_multiple sector", "sectors", "Sectors", parameters="randomize=true"),
    row("rank sector", "priorities", "Priorities"),
    row("select_one_from_file trees.csv", "tree", "Tree"),
    row("select_one_from_file places.xml", "place", "Place"),
    row("select_one_from_file zones.geojson", "zone", "Zone"),
    row("acknowledge", "ok", "Agree"), row("trigger", "ok2", "Agree again"),
    row("calculate", "per_resident", calculation="${budget} div ${residents}"),
    row("hidden", "secret"),
    row("geopoint", "where", "Where"), row("geotrace", "route", "Route"),
    row("geoshape", "plot", "Plot"), row("barcode", "code", "Code"),
    row("image", "photo", "Photo"), row("audio", "voice", "Voice"),
    row("video", "clip", "Clip"), row("file", "doc", "Document"),
    row("begin_repeat", "visit", "Visit"),
    row("text", "who", "Who", relevant="${residents} > 0"),
    row("begin_repeat", "stop", "Stop"), row("geopoint", "at", "At"), row("end_repeat"),
    row("end_repeat"),
]
SURVEY[[r[1] for r in SURVEY].index("intro")][COLUMNS.index(f"media::audio::{EN}")] = "intro.mp3"
CHOICES = [
    ["list_name", "name", f"label::{EN}", f"label::{RU}", "country"],
    ["country", "mn", "Mongolia", "Монголия"], ["country", "kr", "Korea", "Корея"],
    ["region", "north", "North", "Север", "mn"], ["region", "south", "South", "Юг", "kr"],
    ["sector", "water", "Water", "Вода"], ["sector", "roads", "Roads", "Дороги"],
]
EXTERNAL = [["list_name", "name", "label", "region"], ["district", "d1", "District 1", "north"]]


@pytest.fixture()
def form_path(tmp_path: Path) -> Path:
    (tmp_path / "trees.csv").write_text("name,label\nbaobab,Baobab\n", encoding="utf-8")
    return _workbook(tmp_path / "every.xlsx", SURVEY, CHOICES,
                     [["form_id", "version", "default_language"], ["every", "3", EN]],
                     external_choices=EXTERNAL)


def test_every_type_imports_as_the_issue_lists(form_path: Path) -> None:
    d = import_xlsform(form_path)
    types = d.question_types()
    assert {k: types[k] for k in ("started", "ended", "day", "device", "user", "mail")} == dict.fromkeys(
        ("started", "ended", "day", "device", "user", "mail"), "metadata")
    assert [types[k] for k in ("city", "intro", "residents", "budget", "rating", "founded",
                               "opens", "stamp", "country", "country_other", "region",
                               "district", "sectors", "priorities", "tree", "place", "zone",
                               "ok", "ok2", "per_resident", "secret", "where", "route", "plot",
                               "code", "photo", "voice", "clip", "doc", "who", "at")] == [
        "text", "note", "integer", "decimal", "range", "date", "time", "datetime",
        "select_one", "text", "select_one", "select_one", "select_multiple", "rank",
        "select_one", "select_one", "select_one", "acknowledge", "acknowledge", "calculate",
        "hidden", "geopoint", "geotrace", "geoshape", "barcode", "attachment", "attachment",
        "attachment", "attachment", "text", "geopoint"]
    city = d.question("city")
    assert city.extra["default"] == "Darkhan" and city.extra["appearance"] == "multiline"
    assert city.texts["guidance_hint"] == {"en": "As on the map"}
    assert city.texts["required_message"] == {"en": "Name the city"}
    assert city.hint == {"en": "The city of ${user}"}
    assert d.question("residents").constraint_message == {"en": "At least one resident"}
    assert d.question("budget").extra["read_only"] == "yes"
    assert d.question("sectors").extra["parameters"] == "randomize=true"
    assert d.question("intro").texts["media::image"] == {"en": "intro.png"}
    assert d.question("intro").texts["media::audio"] == {"en": "intro.mp3"}
    assert d.question("intro").label == {"en": "Welcome to ${city}", "ru": "Welcome to ${city} (ru)"}
    assert [c.label for c in d.choice_lists["country"]][:2] == [
        {"en": "Mongolia", "ru": "Монголия"}, {"en": "Korea", "ru": "Корея"}]
    assert d.choice_lists["country"][-1].name == "other"  # or_other
    assert [c.name for c in d.choice_lists["trees.csv"]] == ["baobab"]
    assert [c.name for c in d.choice_lists["district"]] == ["d1"]
    assert {q.extra["xlsform_type"] for q in (d.question("photo"), d.question("voice"),
                                              d.question("clip"))} == {"image", "audio", "video"}
    assert d.question("ok2").extra["xlsform_type"] == "trigger"
    assert d.question("at").repeat == "visit/stop"  # a repeat nested in a repeat


def test_every_type_round_trips_field_by_field(form_path: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from xlsform_corpus import compare

    d = import_xlsform(form_path)
    out = export_xlsform(d, tmp_path / "out" / "every.xlsx")
    assert compare(form_path, out) is None
    # The list from a file comes from the file beside the form (the media travel apart).
    (out.parent / "trees.csv").write_bytes((form_path.parent / "trees.csv").read_bytes())
    assert import_xlsform(out).to_dict() == d.to_dict()


def test_every_type_is_answered_and_exported(
        form_path: Path, field_db: Database, field_profile: Profile, tmp_path: Path) -> None:
    from neascn_desktop.reports.data_export import export_responses

    d = import_xlsform(form_path)
    install_definition(field_db, field_profile, d)
    sid = service.create_submission(field_db, field_profile, "seoul", form_id="every").submission.id
    service.set_answers(field_db, field_profile, sid, [
        ("city", "Darkhan"), ("residents", "83000"), ("rating", "4"), ("founded", "1961-10-01"),
        ("opens", "09:30"), ("stamp", "2026-12-05T10:00:00+08:00"), ("country", "mn"),
        ("region", "north"), ("district", "d1"), ("sectors", "water roads"),
        ("priorities", "roads water"), ("tree", "baobab"), ("place", "anywhere"),
        ("ok", "OK"), ("ok2", "OK"), ("where", "49.47 105.97 700 5"),
        ("route", "49.47 105.97; 49.48 105.98"), ("plot", "1 1; 1 2; 2 2; 1 1"),
        ("code", "4006381333931"), ("visit[+]/who", "Mayor"),
        ("visit[1]/stop[+]/at", "49.47 105.97"), ("visit[1]/stop[+]/at", "49.48 105.98"),
        ("visit[+]/who", "Clerk"),
    ])
    final = service.finalize(field_db, field_profile, sid).submission
    assert final.answers["device"] == field_profile.device_id
    assert [len(v.get("stop", [])) for v in final.answers["visit"]] == [2, 0]
    central = export_responses(field_db, tmp_path / "central.zip", "csv", form_id="every",
                               layout="central")
    kobo = export_responses(field_db, tmp_path / "kobo.xlsx", "xlsx", form_id="every",
                            layout="kobo")
    assert central.rows == kobo.rows == 1
    with zipfile.ZipFile(tmp_path / "central.zip") as archive:
        names = sorted(archive.namelist())
        assert len(names) == 3  # the form and one file per repeat
        main = next(n for n in names if "visit" not in n and "stop" not in n)
        rows = list(csv.DictReader(io.StringIO(archive.read(main).decode("utf-8-sig"))))
    header = rows[0]
    assert header["where-Latitude"] == "49.47" and header["where-Accuracy"] == "5"
    assert header["sectors"] == "water roads" and header["sectors-water"] == "1"
    from openpyxl import load_workbook

    assert len(load_workbook(tmp_path / "kobo.xlsx", read_only=True).sheetnames) == 3


def test_cascades_filter_on_the_answers_above(form_path: Path) -> None:
    """country → region (choices sheet) → district (external_choices sheet)."""
    from neascn_desktop.surveys.choice_filter import filtered_choices

    d = import_xlsform(form_path)
    region, district = d.question("region"), d.question("district")
    assert filtered_choices(d, region, {}) == ()
    assert [c.name for c in filtered_choices(d, region, {"country": "mn"})] == ["north"]
    assert [c.name for c in filtered_choices(d, region, {"country": "kr"})] == ["south"]
    assert [c.name for c in filtered_choices(d, district, {"country": "mn", "region": "north"})] == [
        "d1"]
    assert filtered_choices(d, district, {"country": "kr", "region": "south"}) == ()


def test_or_other_asks_the_other_text_only_when_other_is_chosen(
        form_path: Path, field_db: Database, field_profile: Profile) -> None:
    from neascn_desktop.surveys.validation import AnswerError, evaluate_form

    d = import_xlsform(form_path)
    assert "country_other" not in evaluate_form(d, {"country": "mn"}).relevant
    assert "country_other" in evaluate_form(d, {"country": "other"}).relevant
    install_definition(field_db, field_profile, d)
    sid = service.create_submission(field_db, field_profile, "seoul", form_id="every").submission.id
    with pytest.raises(AnswerError, match="relevance"):
        service.set_answers(field_db, field_profile, sid, {"country_other": "Kazakhstan"})
    done = service.set_answers(field_db, field_profile, sid, [("country", "other"),
                                                              ("country_other", "Kazakhstan")])
    assert done.submission.answers["country"] == "other"
    assert done.submission.answers["country_other"] == "Kazakhstan"
