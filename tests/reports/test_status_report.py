"""The collection status report: per city, per device, missing cities, conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx.oxml.ns import qn

from neascn_desktop.reports import synthetic
from neascn_desktop.reports.labels import country_name
from neascn_desktop.reports.status_report import build_status_report

LANGUAGES = ("en", "ko", "zh_Hans", "ja", "ru", "mn")


@pytest.mark.parametrize("language", LANGUAGES)
def test_structure_in_every_language(tmp_path: Path, language: str, docx_summary,
                                     check_east_asian) -> None:
    data = synthetic.status_data(language)
    path = tmp_path / "status.docx"
    build_status_report(data, path)
    summary = docx_summary(path)
    assert len(summary.heading_texts(1)) == 4  # summary, per city, devices, conflicts
    assert summary.tables == 3  # cities, devices, conflicts
    assert summary.images == 1
    city_table = summary.document.tables[0]
    assert len(city_table.rows) == 1 + len(data.cities)
    check_east_asian(summary, language)


def test_counts_in_english(tmp_path: Path, docx_summary) -> None:
    data = synthetic.status_data("en", cities=8, submissions=30)
    path = tmp_path / "status.docx"
    build_status_report(data, path)
    summary = docx_summary(path)
    text = "\n".join(p.text for p in summary.document.paragraphs)
    finalized = sum(1 for s in data.submissions if s.status == "finalized")
    assert f"30 submissions from 3 devices: {finalized} finalized, {30 - finalized} in progress." in text
    assert "1 conflict is waiting to be resolved." in text
    missing = {c.city_id for c in data.cities} - {s.city_id for s in data.submissions}
    assert "have none at all" in text and len(missing) == 2
    devices = summary.document.tables[1]
    names = [row.cells[0].text for row in devices.rows[1:]]
    assert sorted(names) == sorted(["Kim Field", "Батболд", "佐藤"])
    never_imported = next(r for r in devices.rows[1:] if r.cells[0].text == "佐藤")
    assert never_imported.cells[4].text == "this device"


def test_the_chart_counts_cities_per_country_by_state(tmp_path: Path, docx_summary) -> None:
    # What the per-city table does not show at a glance, and readable at 60 cities as at 8.
    data = synthetic.status_data("en", cities=60, submissions=100)
    build_status_report(data, tmp_path / "s.docx")
    document = docx_summary(tmp_path / "s.docx").document
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Figure 1: Cities per country by state of their survey" in text
    (alt,) = [d.get("descr") for d in document.element.body.iter(qn("wp:docPr"))]
    assert alt.startswith("Cities per country by state of their survey: ")
    states = {c.city_id: "finalized" if any(s.status == "finalized" for s in data.submissions
                                            if s.city_id == c.city_id)
              else "in_progress" if any(s.city_id == c.city_id for s in data.submissions) else "missing"
              for c in data.cities}
    for code in {c.country for c in data.cities}:
        name = country_name("en", code)
        ids = [c.city_id for c in data.cities if c.country == code]
        counts = [sum(states[i] == state for i in ids) for state in ("finalized", "in_progress", "missing")]
        assert f"{name} (Finalized {counts[0]} · In progress {counts[1]} · Missing {counts[2]})" in alt
