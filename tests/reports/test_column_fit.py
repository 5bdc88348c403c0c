"""Table columns wide enough for their longest word, so no word breaks in its middle."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.shared import Mm

from neascn_desktop.reports.column_fit import PADDING_MM, fit_columns, word_width_mm
from neascn_desktop.reports.document import ReportDocument


def test_a_narrow_column_takes_room_from_one_with_some_to_spare() -> None:
    header = ["Направление", "Категория", "Место"]
    rows = [["Участие в сети", "Формирующийся", "5 из 6"], ["Кадры", "Развивающийся", "3 из 6"]]
    widths = fit_columns([60.0, 18.0, 40.0], header, rows)
    assert sum(widths) == pytest.approx(118.0)
    assert widths[1] >= word_width_mm("Формирующийся", 9.0) + PADDING_MM
    assert widths[0] == 60.0 or widths[0] >= word_width_mm("Направление", 9.0, bold=True) + PADDING_MM
    assert widths[2] < 40.0


def test_widths_stay_when_they_fit_or_when_nothing_can_give() -> None:
    assert fit_columns([40.0, 40.0], ["City", "Band"], [["Seoul", "Leading"]]) == [40.0, 40.0]
    long = "Здравоохранение" * 3
    assert fit_columns([20.0, 20.0], ["A", "B"], [[long, long]]) == [20.0, 20.0]


def test_short_of_room_every_short_column_gets_its_share() -> None:
    widths = fit_columns([20.0, 20.0, 20.0], ["A", "B", "C"],
                         [["Здравоохранение", "Предварительное", "ok"]])
    assert sum(widths) == pytest.approx(60.0)
    need = word_width_mm("Здравоохранение", 9.0) + PADDING_MM
    assert widths[0] == pytest.approx(widths[1]) and 20.0 < widths[0] < need
    assert widths[2] == pytest.approx(word_width_mm("ok", 9.0) + PADDING_MM)


def test_a_line_may_break_after_a_hyphen() -> None:
    hyphenated = fit_columns([35.0, 60.0], ["A", "B"], [["Государственно-частное", "x"]])
    assert hyphenated == [35.0, 60.0]


def test_cjk_text_may_break_anywhere() -> None:
    assert fit_columns([12.0, 40.0], ["領域", "説明"], [["データと相互運用性", "x"]]) == [12.0, 40.0]


def test_the_report_table_uses_the_fitted_widths(tmp_path: Path) -> None:
    doc = ReportDocument("ru", "Отчёт")
    doc.table(["Направление", "Балл", "Категория", "Место"],
              [["Участие в сети", "33", "Формирующийся", "5 из 6"]], widths_mm=(60, 14, 18, 40))
    doc.save(tmp_path / "t.docx")
    table = docx.Document(str(tmp_path / "t.docx")).tables[0]
    band = table.columns[2].width
    assert band is not None and band >= Mm(word_width_mm("Формирующийся", 9.0) + PADDING_MM - 0.1)
