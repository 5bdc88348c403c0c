"""``neascn report …`` and ``neascn response export`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import docx


def _setup(cli, data_dir: Path) -> None:
    code, _out, err = cli("--data-dir", data_dir, "init", "--name", "Sec", "--role", "secretariat")
    assert code == 0, err
    code, _out, err = cli("--data-dir", data_dir, "demo", "--unmarked", "--cities", "3")
    assert code == 0, err


def test_report_commands(cli, data_dir: Path, tmp_path: Path) -> None:
    _setup(cli, data_dir)
    target = tmp_path / "readiness.docx"
    code, out, err = cli("--data-dir", data_dir, "--json", "report", "readiness", "-o", target,
                         "--lang", "ja", "--city", "seoul", "--city", "ulaanbaatar")
    assert code == 0, err
    result = json.loads(out)
    assert result["kind"] == "readiness" and result["language"] == "ja"
    document = docx.Document(str(target))
    # A city profile (Heading 2) when it answered, else a row in the table of the others.
    texts = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any(t.startswith("ソウル") for t in texts)
    assert any(t.startswith("ウランバートル") for t in texts)
    code, out, err = cli("--data-dir", data_dir, "report", "status", "-o", tmp_path / "s.docx")
    assert code == 0 and "s.docx" in out, err
    code, out, err = cli("--data-dir", data_dir, "report", "framework", "--clean",
                         "-o", tmp_path / "f.docx")
    assert code == 0, err


def test_report_errors_are_one_line(cli, data_dir: Path, tmp_path: Path) -> None:
    _setup(cli, data_dir)
    code, _out, err = cli("--data-dir", data_dir, "report", "readiness", "-o", tmp_path / "r.txt")
    assert code == 2 and err.count("\n") == 1 and ".docx" in err and ".pdf" in err
    code, _out, err = cli("--data-dir", data_dir, "report", "readiness", "-o",
                          tmp_path / "r.docx", "--city", "atlantis")
    assert code == 2 and "atlantis" in err
    code, _out, err = cli("--data-dir", data_dir, "report", "status", "-o",
                          tmp_path / "missing" / "r.docx")
    assert code == 2 and "does not exist" in err


def test_response_export(cli, data_dir: Path, tmp_path: Path) -> None:
    _setup(cli, data_dir)
    target = tmp_path / "responses.csv"
    code, out, err = cli("--data-dir", data_dir, "--json", "response", "export", "-o", target)
    assert code == 0, err
    result = json.loads(out)
    assert result["format"] == "csv" and result["rows"] == 3
    assert Path(result["codebook"]).is_file()
    code, out, err = cli("--data-dir", data_dir, "response", "export", "--format", "xlsx",
                         "-o", tmp_path / "responses.xlsx")
    assert code == 0 and "Exported 3 responses" in out, err


def test_status_report_shows_the_last_import_per_device(cli, tmp_path: Path) -> None:
    field, office = tmp_path / "field", tmp_path / "office"
    for folder, role in ((field, "field"), (office, "secretariat")):
        code, _out, err = cli("--data-dir", folder, "init", "--name", role.title(), "--role", role)
        assert code == 0, err
        assert cli("--data-dir", folder, "key", "export", "-o", tmp_path / f"{role}.key")[0] == 0
    assert cli("--data-dir", field, "trust", "add", tmp_path / "secretariat.key")[0] == 0
    assert cli("--data-dir", office, "trust", "add", tmp_path / "field.key")[0] == 0
    assert cli("--data-dir", field, "demo", "--unmarked", "--cities", "2")[0] == 0
    package = tmp_path / "field.neascn"
    assert cli("--data-dir", field, "package", "export", "--kind", "responses", "-o", package)[0] == 0
    assert cli("--data-dir", office, "package", "import", package)[0] == 0
    target = tmp_path / "status.docx"
    code, _out, err = cli("--data-dir", office, "report", "status", "-o", target)
    assert code == 0, err
    devices = docx.Document(str(target)).tables[1]
    (row,) = [[c.text for c in r.cells] for r in devices.rows[1:] if r.cells[0].text == "Field"]
    assert row[1] == "2" and row[5] == "1" and row[4] not in ("–", "this device")
    assert "\u202f" not in row[4]


def test_pdf_without_libreoffice_is_one_clear_sentence(cli, data_dir: Path, tmp_path: Path,
                                                       monkeypatch) -> None:
    _setup(cli, data_dir)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # a computer without LibreOffice
    from neascn_desktop.reports.pdf import find_soffice

    if find_soffice() is not None:  # installed in a standard folder (Windows, macOS)
        return
    code, _out, err = cli("--data-dir", data_dir, "report", "status", "-o", tmp_path / "s.pdf")
    assert code == 2 and err.count("\n") == 1 and "LibreOffice" in err
    assert not (tmp_path / "s.pdf").exists()


def test_pdf_export_has_the_contents_with_page_numbers(cli, data_dir: Path,
                                                       tmp_path: Path) -> None:
    import re
    import shutil
    import subprocess

    import pytest

    from neascn_desktop.reports.pdf import find_soffice

    if find_soffice() is None or shutil.which("pdftotext") is None:
        pytest.skip("needs LibreOffice and poppler-utils")
    _setup(cli, data_dir)
    target = tmp_path / "readiness.pdf"
    code, out, err = cli("--data-dir", data_dir, "report", "readiness", "-o", target)
    assert code == 0 and "readiness.pdf" in out, err
    assert target.read_bytes()[:5] == b"%PDF-"
    contents = subprocess.run(["pdftotext", "-f", "2", "-l", "2", str(target), "-"],
                              capture_output=True, text=True, check=True).stdout
    # Every entry of the contents ends with its page number: the fields were updated.
    assert re.search(r"Executive summary\D*\d+\s*$", contents, re.M), contents
    assert re.search(r"City profiles\D*\d+\s*$", contents, re.M), contents
