"""Exports and reports over a file another program holds (Excel, Word on Windows), and CSV for Excel.

Windows refuses to replace a file that Excel or Word has open (a sharing
violation, raised by Python as ``PermissionError``).  Here the target is a
folder (a real refusal on every system) or, for the Windows case itself, the
rename raises the ``PermissionError`` Windows would.
"""

from __future__ import annotations

import codecs
import csv
import os
from pathlib import Path

import pytest

from neascn_desktop.identity.profile import Profile
from neascn_desktop.reports import data_export, service
from neascn_desktop.reports.data_export import export_responses
from neascn_desktop.reports.errors import ReportError
from neascn_desktop.store import Database
from neascn_desktop.surveys import demo


@pytest.fixture
def responses(db: Database, secretariat_profile: Profile) -> Database:
    demo.load_demo_report(db, secretariat_profile, cities=2, seed=5)
    return db


def _held_open_by_excel(monkeypatch: pytest.MonkeyPatch, held: Path) -> None:
    """Renaming onto ``held`` fails as on Windows while Excel has it open (WinError 32)."""
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(dst) == held:
            raise PermissionError(13, "The process cannot access the file because it is being "
                                      "used by another process", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(data_export.os, "replace", replace)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_over_a_file_open_in_excel_is_one_sentence(
    responses: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / f"responses.{fmt}"
    target.write_bytes(b"the old export, open in Excel")
    _held_open_by_excel(monkeypatch, target)
    with pytest.raises(ReportError) as caught:
        export_responses(responses, target, fmt)
    message = str(caught.value)
    assert "\n" not in message and "open in another program" in message and str(target) in message
    assert target.read_bytes() == b"the old export, open in Excel"
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]  # no temporary left


def test_an_open_codebook_is_named_and_left_as_it_was(responses: Database, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    target, codebook = folder / "responses.csv", folder / "responses.codebook.csv"
    codebook.write_text("old codebook", encoding="utf-8")
    # The data file is written; the sentence names the codebook, which stays as it was.
    _held_open_by_excel(monkeypatch, codebook)
    with pytest.raises(ReportError, match="responses.codebook.csv"):
        export_responses(responses, target, "csv")
    assert codebook.read_text(encoding="utf-8") == "old codebook"
    assert target.read_text(encoding="utf-8").startswith("start,end,city_id")
    assert sorted(p.name for p in folder.iterdir()) == sorted([target.name, codebook.name])


def test_an_export_onto_a_folder_is_one_sentence_in_the_cli(cli, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    assert cli("--data-dir", data_dir, "init", "--name", "Kim", "--role", "secretariat")[0] == 0
    assert cli("--data-dir", data_dir, "demo", "--unmarked", "--cities", "2")[0] == 0
    target = tmp_path / "out" / "responses.xlsx"
    (target / "inside").mkdir(parents=True)  # the name is taken by a folder
    code, _out, err = cli("--data-dir", data_dir, "response", "export", "-o", target)
    assert code == 2 and err.count("\n") == 1 and "responses.xlsx" in err
    assert sorted(p.name for p in target.parent.iterdir()) == ["responses.xlsx"]


def test_a_report_over_a_document_open_in_word_says_so(responses: Database, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from neascn_desktop.reports import document

    target = tmp_path / "status.docx"
    target.write_bytes(b"open in Word")
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(dst) == target:
            raise PermissionError(13, "Permission denied", str(dst))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(document.os, "replace", replace)
    with pytest.raises(ReportError, match="open in another program"):
        service.build_report(responses, "status", target)
    assert target.read_bytes() == b"open in Word"


def test_csv_for_excel_starts_with_a_bom_and_plain_csv_does_not(responses: Database,
                                                                tmp_path: Path) -> None:
    excel = export_responses(responses, tmp_path / "excel.csv", "csv", bom=True, language="mn")
    plain = export_responses(responses, tmp_path / "plain.csv", "csv", language="mn")
    assert excel.path.read_bytes().startswith(codecs.BOM_UTF8)
    assert excel.codebook_path is not None and excel.codebook_path.read_bytes().startswith(codecs.BOM_UTF8)
    assert not plain.path.read_bytes().startswith(codecs.BOM_UTF8)
    with excel.path.open(encoding="utf-8-sig", newline="") as handle:
        excel_rows = list(csv.reader(handle))
    with plain.path.open(encoding="utf-8", newline="") as handle:
        assert list(csv.reader(handle)) == excel_rows
