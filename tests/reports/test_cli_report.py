"""``neascn report …`` and ``neascn response export`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import docx


def _setup(cli, data_dir: Path) -> None:
    code, _out, err = cli("--data-dir", data_dir, "init", "--name", "Sec", "--role", "secretariat")
    assert code == 0, err
    code, _out, err = cli("--data-dir", data_dir, "demo", "--cities", "3")
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
    # A city profile (Heading 2) when it answered, else a line in the list of the others.
    texts = [p.text for p in document.paragraphs
             if p.style.name in ("Heading 2", "List Bullet")]
    assert any(t.startswith("ソウル") for t in texts)
    assert any(t.startswith("ウランバートル") for t in texts)
    code, out, err = cli("--data-dir", data_dir, "report", "status", "-o", tmp_path / "s.docx")
    assert code == 0 and "s.docx" in out, err
    code, out, err = cli("--data-dir", data_dir, "report", "framework", "--clean",
                         "-o", tmp_path / "f.docx")
    assert code == 0, err


def test_report_errors_are_one_line(cli, data_dir: Path, tmp_path: Path) -> None:
    _setup(cli, data_dir)
    code, _out, err = cli("--data-dir", data_dir, "report", "readiness", "-o", tmp_path / "r.pdf")
    assert code == 2 and err.count("\n") == 1 and ".docx" in err
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
