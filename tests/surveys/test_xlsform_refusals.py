"""Every refusal of an XLSForm import names the sheet, the row, the column and the reason, in one
line — ODK's own (pyxform's) and the engine's."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop.surveys.xlsform import XLSFormError, import_xlsform
from tests.surveys.test_xlsform_tree import _workbook

H = ["type", "name", "label", "relevant", "neascn_domain"]
CHOICES = [["list_name", "name", "label"], ["l", "a", "A"], ["l", "b c", "B C"]]


def _nested(kind: str, depth: int) -> list[list]:
    return ([[f"begin_{kind}", f"g{i}", "G"] for i in range(depth)] + [["text", "q", "Q"]]
            + [[f"end_{kind}"]] * depth)


CASES = {
    # ODK's converter's own refusals, wrapped with the place it names
    "an invalid name": ([H, ["text", "1a", "A"]], None, {},
                        ("survey", 2, "name"), "ODK's form converter refused it"),
    "a name used twice": ([H, ["text", "a", "A"], ["text", "a", "A"]], None, {},
                          ("survey", 3, "name"), "must be unique"),
    "an end without a begin": ([H, ["text", "a", "A"], ["end_group"]], None, {},
                               ("survey", 3, "type"), "Unmatched"),
    "a reference to no question": ([H, ["text", "a", "A", "${nope} = 1"]], None, {},
                                   ("survey", 2, "relevant"), "Reference variables"),
    "a choice name with a space in a multiple choice": (
        [H, ["select_multiple l", "a", "A"]], CHOICES, {}, ("choices", 3, "name"),
        "Choice names with spaces"),
    # the engine's own
    "a type the engine does not hold": ([H, ["osm", "o", "O"]], None, {},
                                        ("survey", 2, "type"), "“osm” is not supported"),
    "an expression outside the grammar": ([H, ["text", "a", "A"], ["text", "b", "B", "${a} >"]],
                                          None, {}, ("survey", 3, "relevant"), "ends too early"),
    "entities": ([H, ["text", "a", "A"]], None,
                 {"entities": [["list_name", "label"], ["trees", "${a}"]]},
                 ("entities", 2, "list_name"), "not supported"),
    "groups nested too deeply": ([H, *_nested("group", 32)], None, {},
                                 ("survey", 32, "type"), "nested too deeply"),
    "repeats nested too deeply": ([H, *_nested("repeat", 9)], None, {},
                                  ("survey", 10, "type"), "more than 8 levels"),
    "a loop filling too many questions": (
        [H, ["begin loop over big", "g", "G"], ["text", "q", "%(label)s"], ["end loop"]],
        [["list_name", "name", "label"], *[["big", f"c{i}", f"C{i}"] for i in range(10_001)]],
        {}, ("survey", 2, "type"), "more than 20000"),
    "a form without questions": ([H], None, {}, ("survey", 2, "type"), "no questions"),
    "a domain without an id": ([H, ["integer", "a", "A", None, "water"]], None,
                               {"neascn_domains": [["id", "weight"], [None, "2"]]},
                               ("neascn_domains", 2, "id"), "needs an id"),
    "a domain weight that is no number": ([H, ["integer", "a", "A", None, "water"]], None,
                                          {"neascn_domains": [["id", "weight"], ["water", "heavy"]]},
                                          ("neascn_domains", 2, "weight"), "not a number"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_refusal_names_sheet_row_column_and_reason(case: str, tmp_path: Path) -> None:
    survey, choices, sheets, place, fragment = CASES[case]
    path = _workbook(tmp_path / "form.xlsx", survey, choices, **sheets)
    with pytest.raises(XLSFormError) as info:
        import_xlsform(path)
    error = info.value
    assert (error.sheet, error.row, error.column) == place, str(error)
    assert fragment in error.reason and fragment in str(error)
    assert str(error).startswith(f"XLSForm sheet “{place[0]}”, row {place[1]}, column “{place[2]}”: ")
    assert "\n" not in str(error)


def test_a_file_that_is_no_workbook_is_refused_in_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(XLSFormError, match="is not an Excel workbook") as info:
        import_xlsform(path)
    assert "\n" not in str(info.value)
