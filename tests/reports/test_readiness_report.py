"""The readiness report, built from synthetic data, read back with python-docx in six languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx.oxml.ns import qn

from neascn_desktop.reports import synthetic
from neascn_desktop.reports.data import CityReadiness, band_for
from neascn_desktop.reports.document import ReportCancelled, ReportError
from neascn_desktop.reports.readiness import build_readiness_report, notable_answers

LANGUAGES = ("en", "ko", "zh_Hans", "ja", "ru", "mn")


@pytest.mark.parametrize("language", LANGUAGES)
def test_structure_in_every_language(tmp_path: Path, language: str, docx_summary,
                                     check_east_asian) -> None:
    data = synthetic.readiness_data(cities=4, language=language)
    path = tmp_path / f"readiness-{language}.docx"
    result = build_readiness_report(data, path)
    assert result.path == path and path.stat().st_size > 10_000

    summary = docx_summary(path)
    level1 = summary.heading_texts(1)
    # Foreword, abbreviations, executive summary, methodology, network overview, city
    # profiles, the scoring annex and the questionnaire.
    assert len(level1) == 8
    # One level-2 heading per city, in the data's order.
    city_names = [c.name for c in data.cities]
    level2 = summary.heading_texts(2)
    assert [name for name in level2 if name in city_names] == city_names
    # Tables: domains, bands, overview, a domain table (+ notable answers) per city, annex.
    assert summary.tables >= 3 + len(data.cities) + len(data.questionnaire)
    overview = summary.document.tables[3]  # after abbreviations, domains, bands
    assert len(overview.rows) == 1 + len(data.cities)
    assert len(overview.columns) == 1 + len(data.domains) + 3  # index, rank, coverage
    # Charts: domain averages, ranking, map, one radar per city with a submission.
    answered = [c for c in data.cities if c.submission_status]
    assert summary.images == 3 + len(answered)
    # Fields: the TOC, and PAGE / NUMPAGES in the footer; Word refreshes them on open.
    assert any(f.startswith("TOC") for f in summary.fields)
    assert "PAGE" in summary.fields and "NUMPAGES" in summary.fields
    assert '<w:updateFields w:val="true"/>' in summary.settings_xml
    check_east_asian(summary, language)


def test_text_of_the_english_report(tmp_path: Path, docx_summary) -> None:
    data = synthetic.readiness_data(cities=3)
    path = tmp_path / "r.docx"
    build_readiness_report(data, path)
    summary = docx_summary(path)
    assert summary.heading_texts(1) == ["Foreword", "Abbreviations", "Executive summary",
                                        "Methodology", "Network overview", "City profiles",
                                        "Annex: how answers are scored",
                                        "Annex: the questionnaire"]
    assert summary.heading_texts(2)[:6] == ["Domains", "Scoring", "Readiness bands", "Coverage",
                                            "Limits of the data", "Sources"]
    text = "\n".join(p.text for p in summary.document.paragraphs)
    assert "City Smart-Readiness Report" in text
    assert "3 of 6 cities answered the readiness survey" in text
    assert "Figure 1: Average score per domain" in text
    for city in data.cities:
        assert f"{city.name}: domain scores" in text
    # Page furniture in the report's language, fields where the placeholders were.
    footer = summary.footer_xml
    assert footer.index("Page") < footer.index("PAGE") < footer.index(" of ") < footer.index("NUMPAGES")
    header = summary.document.sections[0].header.paragraphs[0].text
    assert header == "Northeast Asia Smart Cities Network (NEASCN)"
    # A4 from the template.
    section = summary.document.sections[0]
    assert abs(section.page_width.mm - 210) < 0.5 and abs(section.page_height.mm - 297) < 0.5


def test_cjk_text_inside_an_english_report_gets_its_own_tags(tmp_path: Path) -> None:
    import docx

    data = synthetic.readiness_data(cities=1, language="en")
    city = data.cities[0]
    korean = CityReadiness(**{**city.__dict__, "name": "서울", "city_id": "seoul"})
    from dataclasses import replace

    data = replace(data, cities=(korean,))
    path = tmp_path / "mixed.docx"
    build_readiness_report(data, path)
    document = docx.Document(str(path))
    tags = {
        run.find(qn("w:rPr")).find(qn("w:lang")).get(qn("w:eastAsia"))
        for run in document.element.body.iter(qn("w:r"))
        if run.find(qn("w:t")) is not None and "서울" in (run.find(qn("w:t")).text or "")
    }
    assert tags == {"ko-KR"}


def test_cities_without_submission_and_empty_network(tmp_path: Path, docx_summary) -> None:
    data = synthetic.readiness_data(cities=11)  # city 10 has no submission
    assert data.cities[10].submission_status is None
    path = tmp_path / "r.docx"
    build_readiness_report(data, path)
    text = "\n".join(p.text for p in docx_summary(path).document.paragraphs)
    assert "Cities that have not answered yet" in text
    waiting = data.cities[10]
    (table,) = [t for t in docx_summary(path).document.tables
                if [c.text for c in t.rows[0].cells] == ["Country", "Cities"]]
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert ["Japan", waiting.name] in rows  # a country name, not its ISO code

    from dataclasses import replace

    empty = replace(data, cities=(), questionnaire=())
    build_readiness_report(empty, tmp_path / "empty.docx")
    text = "\n".join(p.text for p in docx_summary(tmp_path / "empty.docx").document.paragraphs)
    assert "No city has a readiness index yet." in text


def test_progress_and_cancel(tmp_path: Path) -> None:
    data = synthetic.readiness_data(cities=3)
    seen: list[tuple[int, int]] = []
    build_readiness_report(data, tmp_path / "r.docx",
                           progress=lambda done, total, message="": seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] and len(seen) == len(data.cities) + 3
    assert [done for done, _total in seen] == list(range(1, len(seen) + 1))
    with pytest.raises(ReportCancelled):
        build_readiness_report(data, tmp_path / "c.docx", is_cancelled=lambda: True)
    assert not (tmp_path / "c.docx").exists()


def test_unwritable_target_is_a_report_error(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        build_readiness_report(synthetic.readiness_data(cities=1), tmp_path / "nope" / "r.docx")


def test_bands_and_notable_answers() -> None:
    assert [band_for(v) for v in (None, 0, 20, 20.6, 40, 41, 60, 61, 80, 81, 100)] == [
        None, "nascent", "nascent", "emerging", "emerging", "developing",
        "developing", "advanced", "advanced", "leading", "leading"]
    city = synthetic.readiness_data(cities=1).cities[0]
    notable = notable_answers(city)
    scores = [a.score for a in notable if a.score is not None]
    assert all(s >= 75 or s <= 25 for s in scores)
    assert any(a.score is None and a.kind == "select_multiple" for a in notable)  # a key fact
    assert not any(a.kind == "text" for a in notable)  # never the respondent's name
