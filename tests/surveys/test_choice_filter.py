"""choice_filter with ODK's meaning: bare names are choice columns, ${name} are answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from neascn_desktop.surveys.choice_filter import filtered_choices
from neascn_desktop.surveys.xlsform import import_xlsform

CORPUS = next((p / "shared" / "xlsform-corpus" for p in Path(__file__).resolve().parents
               if (p / "shared" / "xlsform-corpus").is_dir()), Path("/nonexistent"))


@pytest.mark.skipif(not (CORPUS / "pyxform__choice_filter_test.xlsx").is_file(),
                    reason="the shared XLSForm corpus is not here")
def test_a_three_level_cascade_filters_on_the_answers_above() -> None:
    d = import_xlsform(CORPUS / "pyxform__choice_filter_test.xlsx")
    county, city = d.question("county"), d.question("city")
    assert filtered_choices(d, county, {}) == ()
    assert [c.name for c in filtered_choices(d, county, {"state": "texas"})] == ["king", "cameron"]
    kept = filtered_choices(d, city, {"state": "washington", "county": "king"})
    assert [c.name for c in kept] == ["dumont", "finney", "seattle", "redmond"]


def test_a_filter_the_engine_cannot_read_keeps_every_choice(mini) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    question = next(q for q in mini.questions if q.choices)
    broken = replace(question, extra={"choice_filter": "this is ((( not xpath"})
    assert filtered_choices(mini, broken, {}) == mini.choices_for(question)
