"""XLSForm export keeps everything the import read: each column and sheet feature on a small form
written here, compared with the original field by field through pyxform (as the corpus
benchmark does)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from neascn_desktop.surveys.xlsform import export_xlsform, import_xlsform
from tests.surveys.test_xlsform_tree import _workbook

CHOICES = [["list_name", "name", "label::English (en)", "label::French (fr)",
            "media::image::English (en)", "media::big-image", "colour"],
           ["l", "a", "A", "Aa", "a.png", "big.png", "red"], ["l", "b", "B", None, None, None, "blue"]]

CASES: dict[str, tuple[list[list], list[list] | None]] = {
    "group media and guidance hint": ([
        ["type", "name", "label", "media::image", "guidance_hint", "appearance"],
        ["begin_group", "g", "G", "g.png", "Read it aloud", "field-list"], ["text", "a", "A"],
        ["end_group"]], None),
    "repeat count as an expression": ([
        ["type", "name", "label", "repeat_count"], ["integer", "n", "N"],
        ["begin_repeat", "r", "R", "${n} + 1"], ["text", "a", "A"], ["end_repeat"]], None),
    "repeat count inside a repeat": ([
        ["type", "name", "label", "repeat_count"], ["begin_repeat", "r", "R"],
        ["integer", "n", "N"], ["begin_repeat", "s", "S", "${n}"], ["text", "a", "A"],
        ["end_repeat"], ["end_repeat"]], None),
    "static repeat count, no add/remove": ([
        ["type", "name", "label", "repeat_count", "bind::jr:noAddRemove"],
        ["begin_repeat", "r", "R", "3", "true()"], ["text", "a", "A"], ["end_repeat"]], None),
    "trigger": ([
        ["type", "name", "label", "trigger", "calculation"], ["text", "a", "A"],
        ["text", "b", "B"], ["calculate", "c", None, "${a}, ${b}", "now()"]], None),
    "geopoint parameters and body columns": ([
        ["type", "name", "label", "parameters", "body::accuracyThreshold"],
        ["geopoint", "g", "G", "capture-accuracy=10 warning-accuracy=20", "5"]], None),
    "intent on a question and a group": ([
        ["type", "name", "label", "appearance", "intent"],
        ["text", "a", "A", None, "ex:org.app"],
        ["begin_group", "g", "G", "field-list", "ex:org.app.x"], ["integer", "b", "B"],
        ["end_group"]], None),
    "required as an expression": ([
        ["type", "name", "label", "required"], ["text", "a", "A"],
        ["text", "b", "B", "${a} = 'x'"]], None),
    "a group without a label": ([
        ["type", "name", "label", "appearance"], ["begin_group", "g", None, "field-list"],
        ["text", "a", "A"], ["end_group"]], None),
    "choice media and filter columns": ([
        ["type", "name", "label::English (en)", "label::French (fr)"],
        ["select_one l", "q", "Q", "Qf"]], CHOICES),
    "randomize with a seed": ([
        ["type", "name", "label", "parameters"], ["integer", "s", "S"],
        ["select_multiple l", "q", "Q", "randomize=true seed=${s}"]], CHOICES),
    "big image and video": ([
        ["type", "name", "label", "media::image", "media::big-image", "media::video"],
        ["note", "n", "N", "small.png", "big.png", "v.mp4"]], None),
    "bind, body and instance columns": ([
        ["type", "name", "label", "bind::jr:preload", "bind::jr:preloadParams", "instance::foo"],
        ["text", "a", "A", "property", "deviceid", "bar"]], None),
    "typographic quotes": ([
        ["type", "name", "label", "relevant"], ["text", "a", "A “quoted”"],
        ["text", "b", "B", "${a} = ‘x’"]], None),
    "a required, relevant group": ([
        ["type", "name", "label", "relevant", "required"], ["begin_group", "g", "G", "true()"],
        ["text", "a", "A"], ["end_group"]], None),
    "range parameters and appearance": ([
        ["type", "name", "label", "parameters", "appearance"],
        ["range", "r", "R", "start=0 end=10 step=0.5", "rating"]], None),
    "a hint in a language no label has": ([
        ["type", "name", "label::English (en)", "label::Korean (ko)", "hint::Korean (ko)"],
        ["text", "a", "A", None, "힌트"]], None),
    "a choice filter on a list from a file": ([
        ["type", "name", "label", "choice_filter"],
        ["select_one_from_file x.csv", "a", "A", "col='v'"]], None),
    "dynamic default": ([["type", "name", "label", "default"], ["date", "d", "D", "today()"]],
                        None),
    "media parameters": ([
        ["type", "name", "label", "parameters"], ["audio", "a", "A", "quality=low"],
        ["image", "b", "B", "max-pixels=640"]], None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_export_keeps_what_the_import_read(case: str, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from xlsform_corpus import compare

    survey, choices = CASES[case]
    original = _workbook(tmp_path / "form.xlsx", survey, choices)
    definition = import_xlsform(original)
    exported = export_xlsform(definition, tmp_path / "out" / "form.xlsx")
    assert compare(original, exported) is None
    assert import_xlsform(exported).to_dict() == definition.to_dict()
