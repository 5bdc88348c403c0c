"""The framework report: numbered headings, faithful Markdown, statuses, the comments annex."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from neascn_desktop.reports import synthetic
from neascn_desktop.reports.data import FrameworkReportData, FrameworkSectionData, section_numbers
from neascn_desktop.reports.document import NUMBER_GAP
from neascn_desktop.reports.framework_report import build_framework_report
from tests.reports.conftest import outline

LANGUAGES = ("en", "ko", "zh_Hans", "ja", "ru", "mn")


@pytest.mark.parametrize("language", LANGUAGES)
def test_structure_in_every_language(tmp_path: Path, language: str, docx_summary,
                                     check_east_asian) -> None:
    data = synthetic.framework_data(language)
    path = tmp_path / "framework.docx"
    result = build_framework_report(data, path)
    assert result.kind == "framework"
    summary = docx_summary(path)
    titles = [s.title for s in data.sections]
    # Numbers come from the heading styles' numbering, never typed; body headings and the
    # status and annex headings stand outside the outline.
    assert outline(summary.document) == [
        ("1", titles[0]), ("2", titles[1]), ("2.1", titles[2]), ("3", titles[3])]
    assert not any(NUMBER_GAP in t for t in summary.heading_texts(1) + summary.heading_texts(2))
    # The comment annex labels its sections without putting them in the contents again.
    assert [t for t in summary.heading_texts(4) if NUMBER_GAP in t] == [
        f"1{NUMBER_GAP}{titles[0]}", f"2.1{NUMBER_GAP}{titles[2]}"]
    # The contents (levels 1-2) lists the numbered sections and nothing from their Markdown.
    assert summary.heading_texts(2) == [titles[2]]
    assert ' TOC \\o "1-2"' in summary.body_xml
    # Status overview + Markdown table + one comments table per commented section.
    assert summary.tables == 1 + 1 + 2
    assert any(f.startswith("TOC") for f in summary.fields)
    check_east_asian(summary, language)


def test_markdown_is_rendered_faithfully(tmp_path: Path) -> None:
    data = synthetic.framework_data("en")
    path = tmp_path / "f.docx"
    build_framework_report(data, path)
    document = docx.Document(str(path))
    paragraphs = document.paragraphs
    styles = [(p.style.name, p.text) for p in paragraphs]
    # Headings of the body sit below the contents' two levels and are not numbered.
    assert ("Heading 3", "Principles") in styles
    assert ("Heading 3", "Sub-heading") in styles  # in section 2.1: still below it
    # Lists: bullets with a nested level, a numbered list that restarts at 1.
    assert ("List Bullet", "Open-ended and voluntary membership") in styles
    assert ("List Bullet 2", "nested point one") in styles
    numbered = [p for p in paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["Knowledge exchange", "Action-plan development",
                                          "Matchmaking with financiers"]
    num_ids = {p._p.pPr.numPr.numId.val for p in numbered}
    assert len(num_ids) == 1
    numbering = document.part.numbering_part.element
    num_id = str(num_ids.pop())
    (num,) = [n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id]
    assert num.find(qn("w:lvlOverride")).find(qn("w:startOverride")).get(qn("w:val")) == "1"
    # Emphasis, code, strikethrough, quotes.
    intro = next(p for p in paragraphs if p.text.startswith("The network learns"))
    assert any(r.bold and r.text == "ASEAN Smart Cities Network" for r in intro.runs)
    assert any(r.italic and r.text == "adapts" for r in intro.runs)
    city_led = next(p for p in paragraphs if p.text.startswith("City-led"))
    assert any(r.style.name == "Code" and r.text == "national endorsement" for r in city_led.runs)
    assert ("Quote", "Nothing is adopted until the inaugural meeting agrees.") in styles
    plain = next(p for p in paragraphs if p.text.startswith("Plain text"))
    assert any(r.font.strike and r.text == "struck" for r in plain.runs)
    # The link is a real hyperlink with its external target.
    links = list(intro._p.iter(qn("w:hyperlink")))
    assert len(links) == 1
    target = document.part.rels[links[0].get(qn("r:id"))].target_ref
    assert target == "https://asean.org/our-communities/asean-smart-cities-network/"
    # The Markdown table with its header row and right-aligned number column.
    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells] == ["Function", "Lead", "Year"]
    assert table.rows[1].cells[2].text == "2021"
    assert table.rows[1].cells[2].paragraphs[0].alignment == 2  # RIGHT
    # Status lines and the annex of open comments.
    text = "\n".join(p.text for p in paragraphs)
    assert "Status: Agreed" in text and "Owner: WeGO" in text
    assert "Annex: open comments" in text
    assert "Please cite the 2020 pre-workshop." in "\n".join(
        c.text for t in document.tables for row in t.rows for c in row.cells)


def test_clean_version_has_no_statuses_or_comments(tmp_path: Path) -> None:
    data = synthetic.framework_data("en")
    path = tmp_path / "clean.docx"
    build_framework_report(data, path, clean=True)
    document = docx.Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Status:" not in text and "Annex: open comments" not in text
    assert "Clean version of" in text
    assert len(document.tables) == 1  # only the Markdown table


def test_raw_html_and_images_are_shown_as_text(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    body = "<script>alert(1)</script>\n\nSee ![the map](map.png) and <b>bold</b>.\n\n---\n\n```\ncode\n```"
    data = FrameworkReportData("en", "T", datetime.now(UTC),
                               (FrameworkSectionData("a", 0, "A", body),))
    path = tmp_path / "h.docx"
    build_framework_report(data, path)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "<script>alert(1)</script>" in text
    assert "[the map]" in text and "<b>bold</b>" in text
    assert "code" in text


def test_section_numbers() -> None:
    assert section_numbers([0, 1, 1, 2, 0, 1, 0]) == ["1", "1.1", "1.2", "1.2.1", "2", "2.1", "3"]
    assert section_numbers([0, 2, 0]) == ["1", "1.1", "2"]  # a jump is clamped
    assert section_numbers([]) == []


def test_run_properties_keep_schema_order(tmp_path: Path) -> None:
    """Word rejects out-of-order children; LibreOffice would not tell (rStyle, rFonts, b, i … lang)."""
    order = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "strike", "color", "sz", "szCs", "u", "lang"]
    path = tmp_path / "f.docx"
    build_framework_report(synthetic.framework_data("ko"), path)
    document = docx.Document(str(path))
    for rpr in document.element.body.iter(qn("w:rPr")):
        names = [child.tag.split("}")[1] for child in rpr]
        known = [n for n in names if n in order]
        assert known == sorted(known, key=order.index), names
    ppr_order = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "numPr", "pBdr",
                 "spacing", "ind", "jc", "rPr"]
    for ppr in document.element.body.iter(qn("w:pPr")):
        names = [child.tag.split("}")[1] for child in ppr]
        known = [n for n in names if n in ppr_order]
        assert known == sorted(known, key=ppr_order.index), names
    settings = [child.tag.split("}")[1] for child in document.settings.element]
    assert settings.index("updateFields") < settings.index("compat")
    assert settings.index("themeFontLang") < settings.index("clrSchemeMapping")


@pytest.mark.parametrize("clean", [False, True])
def test_sections_without_a_translation_are_said_to_be_so(tmp_path: Path, clean: bool) -> None:
    data = synthetic.framework_data("ja")
    sections = (FrameworkSectionData("e1", 0, "Background", "Written in English.", language="en"),
                FrameworkSectionData("j1", 0, "背景", "日本語の本文。", language="ja"),
                FrameworkSectionData("u1", 0, "Governance", "Older record.", language=""))
    data = FrameworkReportData(language="ja", title=data.title, generated_at=data.generated_at,
                               sections=sections)
    path = tmp_path / "f.docx"
    build_framework_report(data, path, clean=clean)
    texts = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "3 節中 1 節は翻訳されていないため、原文の言語のまま掲載しています。" in texts
    notes = [t for t in texts if "翻訳なし（原文：英語）" in t]
    assert len(notes) == 1  # the English section only
    following = texts[texts.index(notes[0]) - 1]
    assert following == "Background"
