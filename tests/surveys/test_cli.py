"""The survey, city, response and demo commands end to end through the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from neascn_desktop.store import open_database

from .conftest import install_test_data


@pytest.fixture
def field_dir(tmp_path: Path, cli) -> Path:
    folder = tmp_path / "field"
    code, _out, err = cli("--data-dir", folder, "init", "--name", "Enumerator", "--role", "field")
    assert code == 0, err
    db = open_database(folder)
    try:
        install_test_data(db)
    finally:
        db.dispose()
    return folder


def _json(cli, *args):
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_survey_list_and_city_list(field_dir: Path, cli) -> None:
    surveys = _json(cli, "--data-dir", field_dir, "survey", "list")
    forms = {s["form_id"]: s for s in surveys}
    assert forms["mini"]["questions"] == 11
    assert forms["neascn_readiness"]["builtin"] is True
    cities = {c["id"]: c for c in _json(cli, "--data-dir", field_dir, "city", "list")}
    assert cities["seoul"]["status"] == "not_started" and cities["seoul"]["country"] == "KR"
    code, out, _err = cli("--data-dir", field_dir, "--lang", "ko", "city", "list")
    assert code == 0 and "서울" in out


def test_numbers_are_typed_the_way_of_the_language(field_dir: Path, cli) -> None:
    d = ("--data-dir", field_dir)
    rid = _json(cli, *d, "response", "new", "--city", "Seoul", "--form", "mini")["id"]
    shown = _json(cli, *d, "--lang", "ru", "response", "set", rid, "budget_share=2,5",
                  "population=120 000")
    assert shown["answers"]["budget_share"] == 2.5 and shown["answers"]["population"] == 120000
    shown = _json(cli, *d, "--lang", "ru", "response", "set", rid, "budget_share=3.5")
    assert shown["answers"]["budget_share"] == 3.5  # the plain form is read in every language
    code, _out, err = cli(*d, "--lang", "en", "response", "set", rid, "budget_share=2,5")
    assert code == 2 and "1,234.5" in err and "(language: en)" in err
    code, _out, err = cli(*d, "--lang", "ru", "response", "set", rid, "population=1,5")
    assert code == 2 and "12\u00a0000" in err and "(язык: ru)" in err


def test_a_response_from_start_to_finalize(field_dir: Path, cli, tmp_path: Path) -> None:
    d = ("--data-dir", field_dir)
    created = _json(cli, *d, "response", "new", "--city", "Seoul", "--form", "mini")
    rid = created["id"]
    assert created["status"] == "in_progress" and created["answers"] == {}

    shown = _json(cli, *d, "response", "set", rid[:8], "population=120000", "budget_share=2.5",
                  "has_strategy=yes", "strategy_level=4", "digital_services=transport air",
                  "survey_date=2026-03-02", "officer=Kim Min-ji")
    assert shown["answers"]["population"] == 120000
    assert isinstance(shown["answers"]["population"], int)
    assert shown["answers"]["budget_share"] == 2.5
    assert shown["answers"]["digital_services"] == ["transport", "air"]

    evidence = tmp_path / "strategy.pdf"
    evidence.write_bytes(b"%PDF strategy")
    code, _out, err = cli(*d, "response", "set", rid, f"strategy_doc=@{evidence}")
    assert code == 0, err

    code, _out, err = cli(*d, "response", "set", rid, "population=lots")
    assert code == 2 and err.startswith("neascn: ") and "whole number" in err
    assert err.count("\n") == 1
    code, _out, err = cli(*d, "response", "set", rid, "budget_share=150")
    assert code == 2 and "between 0 and 100" in err
    code, _out, err = cli(*d, "response", "set", rid, "noequals")
    assert code == 2 and "NAME=VALUE" in err

    shown = _json(cli, *d, "response", "show", rid)
    assert set(shown) >= {"id", "city", "form_id", "status", "answers"}
    assert shown["city"] == "seoul" and shown["form_id"] == "mini"
    assert shown["answers"]["strategy_doc"] == shown["attachments"]["strategy_doc"]["sha256"]
    assert shown["score"]["overall"] == pytest.approx(71.1, abs=0.1)

    listed = _json(cli, *d, "response", "list")
    assert listed == [{k: v for k, v in listed[0].items()}] and "answers" not in listed[0]
    assert listed[0]["id"] == rid and listed[0]["status"] == "in_progress"

    final = _json(cli, *d, "response", "finalize", rid)
    assert final["status"] == "finalized"
    code, _out, err = cli(*d, "response", "set", rid, "officer=Lee")
    assert code == 2 and "reopen" in err
    assert _json(cli, *d, "response", "reopen", rid)["status"] == "in_progress"

    code, out, _err = cli(*d, "--lang", "ko", "response", "show", rid)
    assert code == 0 and "예산 확보" in out and "서울" in out
    stats = _json(cli, *d, "stats")
    assert stats["submissions"] == 1 and stats["answers"] == 8
    cities = {c["id"]: c for c in _json(cli, *d, "city", "list")}
    assert cities["seoul"]["status"] == "in_progress" and cities["seoul"]["response_id"] == rid


def test_finalize_refuses_with_the_first_problem(field_dir: Path, cli) -> None:
    d = ("--data-dir", field_dir)
    rid = _json(cli, *d, "response", "new", "--city", "niigata", "--form", "mini")["id"]
    code, _out, err = cli(*d, "response", "finalize", rid)
    assert code == 2 and "need attention" in err and "Population" in err


def test_unknown_things_are_one_line_errors(field_dir: Path, cli) -> None:
    d = ("--data-dir", field_dir)
    for args, fragment in (
        (("response", "show", "deadbeef"), "no response"),
        (("response", "new", "--city", "atlantis"), "no city"),
        (("survey", "export-xlsform", "ghost", "-o", "x.xlsx"), "no survey"),
        (("city", "edit", "atlantis", "--population", "5"), "no city"),
    ):
        code, out, err = cli(*d, *args)
        assert code == 2 and fragment in err and out == ""


def test_xlsform_import_and_export(field_dir: Path, cli, tmp_path: Path) -> None:
    d = ("--data-dir", field_dir)
    out_file = tmp_path / "readiness.xlsx"
    result = _json(cli, *d, "survey", "export-xlsform", "neascn_readiness", "-o", out_file)
    assert Path(result["file"]).is_file()

    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label::English (en)", "label::Korean (ko)"])
    ws.append(["integer", "buses", "Electric buses", "전기 버스"])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version", "form_title"])
    settings.append(["buses", "1", "Bus census"])
    form = tmp_path / "buses.xlsx"
    wb.save(form)
    imported = _json(cli, *d, "survey", "import-xlsform", form)
    assert imported == {"form_id": "buses", "version": "1", "questions": 1, "sections": 1,
                        "languages": ["en", "ko"], "new": True, "warnings": []}
    assert _json(cli, *d, "survey", "import-xlsform", form)["new"] is False
    ws.append(["teleport", "where", "Where"])
    wb.save(form)
    code, _out, err = cli(*d, "survey", "import-xlsform", form)
    assert code == 2 and "sheet “survey”, row 3, column “type”" in err


def test_xlsform_import_reports_odk_warnings(field_dir: Path, cli, tmp_path: Path) -> None:
    """A form with repeats and ODK's advice: it imports, and the advice is shown, not lost."""
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label"])
    ws.append(["begin repeat", "projects", "Projects"])
    ws.append(["text", "title", "Title"])
    ws.append(["photo", "site", "Site photo"])
    ws.append(["end repeat"])
    form = tmp_path / "projects.xlsx"
    wb.save(form)
    code, out, err = cli("--data-dir", field_dir, "survey", "import-xlsform", form)
    assert code == 0, err
    lines = err.splitlines()
    assert lines and all(line.startswith("neascn: warning: ") for line in lines)
    assert any("max-pixels" in line for line in lines)
    listed = _json(cli, "--data-dir", field_dir, "survey", "list")
    assert "projects" in {s["form_id"] for s in listed}


def test_city_add_and_edit(field_dir: Path, cli) -> None:
    d = ("--data-dir", field_dir)
    added = _json(cli, *d, "city", "add", "--id", "sainshand", "--name", "en=Sainshand",
                  "--name", "mn=Сайншанд", "--country", "MN", "--population", "25000")
    assert added["id"] == "sainshand" and added["name"]["mn"] == "Сайншанд"
    edited = _json(cli, *d, "city", "edit", "sainshand", "--lat", "44.89", "--lon", "110.14")
    assert edited["latitude"] == 44.89 and edited["population"] == 25000


def test_demo_on_a_field_device_is_reproducible(tmp_path: Path, cli) -> None:
    folders = [tmp_path / "one", tmp_path / "two"]
    answers = []
    for folder in folders:
        assert cli("--data-dir", folder, "init", "--name", "F", "--role", "field")[0] == 0
        report = _json(cli, "--data-dir", folder, "demo", "--cities", "3", "--seed", "7")
        assert report["created"] == 3 and report["simulated_devices"] == 0
        listed = _json(cli, "--data-dir", folder, "response", "list")
        answers.append(sorted(
            (r["city"], json.dumps(_json(cli, "--data-dir", folder, "response", "show", r["id"])
                                   ["answers"], sort_keys=True))
            for r in listed))
        assert all(r["form_id"] == "neascn_readiness" for r in listed)
    assert answers[0] == answers[1]
    again = _json(cli, "--data-dir", folders[0], "demo", "--cities", "3", "--seed", "7")
    assert again["created"] == 0 and again["skipped"] == 3


def test_demo_at_the_secretariat_has_simulated_devices(tmp_path: Path, cli) -> None:
    folder = tmp_path / "sec"
    assert cli("--data-dir", folder, "init", "--name", "S", "--role", "secretariat")[0] == 0
    report = _json(cli, "--data-dir", folder, "demo", "--cities", "5")
    assert report["created"] == 5 and report["simulated_devices"] == 3
    assert report["framework"] is True
    devices = {r["device_id"] for r in _json(cli, "--data-dir", folder, "response", "list")}
    assert len(devices) == 4
    cities = _json(cli, "--data-dir", folder, "city", "list")
    assert sum(c["status"] != "not_started" for c in cities) == 5
    assert any(c["score"] is not None for c in cities)


def test_the_installed_command_runs_in_a_subprocess(tmp_path: Path) -> None:
    env = dict(os.environ, NEASCN_DATA_DIR=str(tmp_path / "data"))
    run = [sys.executable, "-c", "import sys; from neascn_desktop.cli import main; sys.exit(main())"]
    subprocess.run([*run, "init", "--name", "F", "--role", "field"], env=env, check=True,
                   capture_output=True)
    result = subprocess.run([*run, "survey", "list", "--json"], env=env, check=True,
                            capture_output=True, text=True)
    assert json.loads(result.stdout)[0]["form_id"] == "neascn_readiness"
    result = subprocess.run([*run, "response", "show", "nothing"], env=env,
                            capture_output=True, text=True)
    assert result.returncode == 2 and result.stderr.startswith("neascn: ")
