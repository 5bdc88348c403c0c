"""Answers inside repeats through the real CLI: paths in ``response set``, instances in ``show``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from neascn_desktop.store import open_database
from neascn_desktop.surveys import service

from .conftest import CITIES, MINI
from .test_answer_tree import PIPELINE


@pytest.fixture
def field_dir(tmp_path: Path, cli) -> Path:
    folder = tmp_path / "field"
    code, _out, err = cli("--data-dir", folder, "init", "--name", "Enumerator", "--role", "field")
    assert code == 0, err
    db = open_database(folder)
    try:
        service.ensure_builtin(db, [MINI, PIPELINE], CITIES)
    finally:
        db.dispose()
    return folder


def _json(cli, *args):
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_repeat_paths_set_show_and_finalize(field_dir: Path, cli) -> None:
    d = ("--data-dir", field_dir)
    rid = _json(cli, *d, "response", "new", "--city", "Seoul", "--form", "pipeline")["id"]
    shown = _json(cli, *d, "response", "set", rid, "city_name=Seoul",
                  "projects[+]/name=Bus rapid transit", "projects[-1]/sector=transport",
                  "projects[+]/name=District heating", "projects[1]/partners[+]/partner_name=ADB")
    projects = shown["answers"]["projects"]
    assert [p["name"] for p in projects] == ["Bus rapid transit", "District heating"]
    assert projects[0]["partners"][0]["partner_name"] == "ADB"
    first, second = projects[0]["@id"], projects[1]["@id"]
    assert {"question": f"projects[@id={second}]/sector", "where": "Project 2 › Sector",
            "kind": "required", "message": "This question requires an answer."} in shown["issues"]

    code, out, err = cli(*d, "response", "set", rid, f"projects[@id={second}]/sector=energy")
    assert code == 0, err
    code, out, err = cli(*d, "response", "show", rid)
    assert code == 0, err
    assert f"Project 1  (projects[1], @id={first})" in out
    assert "    name = Bus rapid transit" in out and "    sector = Transport" in out
    assert "    Partner 1  (projects[1]/partners[1], @id=" in out
    assert "      partner_name = ADB" in out
    assert f"Project 2  (projects[2], @id={second})" in out and "    sector = Energy" in out

    code, out, err = cli(*d, "response", "finalize", rid)
    assert code == 0, err


@pytest.mark.parametrize(("assignment", "fragment"), [
    ("projects[3]/name=x", "projects has no instances yet"),
    ("sector=energy", "sector is asked once per instance of projects; write projects[1]/sector"),
    ("projects[+]/sector=rockets", "not a choice of sector"),
    ("projects[+]=x", "names a repeat or one of its instances, not a question"),
    ("projects[x]/name=y", "is not an instance"),
])
def test_bad_paths_are_one_line_errors_and_change_nothing(field_dir: Path, cli, assignment: str,
                                                          fragment: str) -> None:
    d = ("--data-dir", field_dir)
    rid = _json(cli, *d, "response", "new", "--city", "Seoul", "--form", "pipeline")["id"]
    code, out, err = cli(*d, "response", "set", rid, assignment)
    assert code == 2 and fragment in err and out == "" and len(err.strip().splitlines()) == 1
    assert _json(cli, *d, "response", "show", rid)["answers"] == {}


def test_a_finalize_refusal_names_the_instance_in_words(field_dir: Path, cli) -> None:
    d = ("--data-dir", field_dir)
    rid = _json(cli, *d, "response", "new", "--city", "Seoul", "--form", "pipeline")["id"]
    cli(*d, "response", "set", rid, "city_name=Seoul", "projects[+]/name=BRT", "projects[+]/name=Heat",
        "projects[1]/sector=water")
    code, _out, err = cli(*d, "--lang", "ko", "response", "finalize", rid)
    assert code == 2 and "Project (ko) 2 › Sector (ko)" in err and "@id" not in err


def test_remove_and_move_instances(field_dir: Path, cli) -> None:
    d = ("--data-dir", field_dir)
    rid = _json(cli, *d, "response", "new", "--city", "Seoul", "--form", "pipeline")["id"]
    cli(*d, "response", "set", rid, "projects[+]/name=A", "projects[+]/name=B", "projects[+]/name=C")
    shown = _json(cli, *d, "response", "move-instance", rid, "projects[3]", "1")
    assert [p["name"] for p in shown["answers"]["projects"]] == ["C", "A", "B"]
    code, out, err = cli(*d, "response", "remove-instance", rid, "projects[-1]")
    assert code == 0 and out.strip() == "Removed projects[-1]." and not err
    assert [p["name"] for p in _json(cli, *d, "response", "show", rid)["answers"]["projects"]] == ["C", "A"]
    code, out, err = cli(*d, "response", "remove-instance", rid, "projects")
    assert code == 2 and "does not name one instance" in err and out == ""
