"""Settings survive the round trip: every column of the settings sheet is kept and written back,
and the ``flat`` setting (whose relevance pyxform folds into the questions) is read back unfolded."""

from __future__ import annotations

import sys
from pathlib import Path

from neascn_desktop.surveys.xlsform import export_xlsform, import_xlsform
from tests.surveys.test_xlsform_tree import _workbook


def _compare(original: Path, exported: Path) -> str | None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from xlsform_corpus import compare

    return compare(original, exported)


def test_every_setting_is_kept_and_written_back(tmp_path: Path) -> None:
    original = _workbook(tmp_path / "s.xlsx", [["type", "name", "label"], ["text", "a", "A"]],
                         settings=[["form_id", "style", "instance_name", "auto_send", "name",
                                    "my_tool_setting"],
                                   ["s", "pages", "${a}", "true", "household", "42"]])
    d = import_xlsform(original)
    assert d.settings == {"style": "pages", "instance_name": "${a}", "auto_send": "true",
                          "name": "household", "my_tool_setting": "42"}
    assert _compare(original, export_xlsform(d, tmp_path / "out.xlsx")) is None


def test_the_flat_setting_is_read_back_unfolded(tmp_path: Path) -> None:
    original = _workbook(tmp_path / "flat.xlsx", [
        ["type", "name", "label", "relevant"],
        ["integer", "age", "Age"],
        ["begin_group", "adult", "Adult", "${age} >= 18"],
        ["text", "job", "Job"],
        ["begin_group", "working", "Working", "${job} != ''"],
        ["text", "employer", "Employer", "${age} < 70"],
        ["end_group"], ["end_group"],
    ], settings=[["form_id", "flat"], ["flat", "TRUE"]])
    d = import_xlsform(original)
    assert d.question("job").relevant is None
    assert d.question("employer").relevant == "${age} < 70"
    assert _compare(original, export_xlsform(d, tmp_path / "out.xlsx")) is None
