"""Names in any script (``имя``, ``이름``, ``año``): XML names, which ODK takes, are held too."""

from __future__ import annotations

import csv
import io
import sys
import zipfile
from pathlib import Path

from neascn_desktop.identity.profile import Profile
from neascn_desktop.store import Database
from neascn_desktop.surveys import service
from neascn_desktop.surveys.installed import install_definition
from neascn_desktop.surveys.validation import evaluate_form
from neascn_desktop.surveys.xlsform import export_xlsform, import_xlsform
from tests.surveys.test_xlsform_tree import _workbook


def _form(tmp_path: Path) -> Path:
    return _workbook(tmp_path / "names.xlsx", [
        ["type", "name", "label", "relevant", "calculation", "choice_filter"],
        ["select_one страна", "страна", "Страна"],
        ["select_one аймаг", "аймаг", "Аймаг", None, None, "страна_код=${страна}"],
        ["integer", "año", "Año"],
        ["begin_repeat", "사업", "사업"],
        ["text", "이름", "이름 of ${страна}", "${año} > 2000"],
        ["calculate", "길이", None, None, "string-length(../이름)"],
        ["end_repeat"],
        ["calculate", "итого", None, None, "count(${사업})"],
    ], [["list_name", "name", "label", "страна_код"],
        ["страна", "mn", "Монголия"], ["страна", "kr", "Корея"],
        ["аймаг", "govi", "Говь", "mn"], ["аймаг", "seoul", "Сеул", "kr"]],
        [["form_id", "version"], ["names", "1"]])


def test_names_in_any_script_import_evaluate_and_round_trip(tmp_path: Path) -> None:
    from neascn_desktop.surveys.choice_filter import filtered_choices

    path = _form(tmp_path)
    d = import_xlsform(path)
    assert [q.name for q in d.questions] == ["страна", "аймаг", "año", "이름", "길이", "итого"]
    assert d.question("이름").repeat == "사업"
    assert [c.name for c in filtered_choices(d, d.question("аймаг"), {"страна": "mn"})] == ["govi"]
    state = evaluate_form(d, {"страна": "mn", "año": 2026})
    assert "año" in state.values
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from xlsform_corpus import compare

    assert compare(path, export_xlsform(d, tmp_path / "out.xlsx")) is None


def test_names_in_any_script_are_answered_by_path_and_exported(
        tmp_path: Path, field_db: Database, field_profile: Profile) -> None:
    from neascn_desktop.reports.data_export import export_responses

    d = import_xlsform(_form(tmp_path))
    install_definition(field_db, field_profile, d)
    sid = service.create_submission(field_db, field_profile, "seoul", form_id="names").submission.id
    service.set_answers(field_db, field_profile, sid, [
        ("страна", "mn"), ("аймаг", "govi"), ("año", "2026"), ("사업[+]/이름", "BRT")])
    final = service.finalize(field_db, field_profile, sid).submission
    assert [i["이름"] for i in final.answers["사업"]] == ["BRT"]
    export_responses(field_db, tmp_path / "central.zip", "csv", form_id="names", layout="central")
    with zipfile.ZipFile(tmp_path / "central.zip") as archive:
        main = next(n for n in archive.namelist() if "사업" not in n)
        rows = list(csv.DictReader(io.StringIO(archive.read(main).decode("utf-8-sig"))))
    assert rows[0]["страна"] == "mn" and rows[0]["año"] == "2026"
