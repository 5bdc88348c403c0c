"""Helpers of the reports tests: read a written .docx back with python-docx and summarise it."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

LANGUAGES = ("en", "ko", "zh_Hans", "ja", "ru", "mn")
EAST_ASIAN_TAG = {"en": "zh-CN", "ko": "ko-KR", "zh_Hans": "zh-CN", "ja": "ja-JP", "ru": "zh-CN",
                  "mn": "zh-CN"}
LATIN_TAG = {"en": "en-GB", "ko": "en-US", "zh_Hans": "en-US", "ja": "en-US", "ru": "ru-RU",
             "mn": "mn-MN"}
EAST_ASIAN_FONT = {"ko": "Malgun Gothic", "zh_Hans": "Microsoft YaHei", "ja": "Yu Gothic"}


@dataclass
class DocxSummary:
    document: object
    headings: list[tuple[int, str]]
    tables: int
    images: int
    fields: list[str]
    settings_xml: str
    styles_xml: str
    footer_xml: str
    body_xml: str

    def heading_texts(self, level: int | None = None) -> list[str]:
        return [t for lvl, t in self.headings if level is None or lvl == level]


def summarise(path: Path) -> DocxSummary:
    document = docx.Document(str(path))
    headings = []
    for paragraph in document.paragraphs:
        name = paragraph.style.name if paragraph.style is not None else ""
        if name.startswith("Heading "):
            headings.append((int(name.split()[1]), paragraph.text))
    body = document.element.body
    fields = [el.text.strip() for el in body.iter(qn("w:instrText"))]
    footer = document.sections[0].footer._element
    fields += [el.text.strip() for el in footer.iter(qn("w:instrText"))]
    with zipfile.ZipFile(path) as archive:
        settings_xml = archive.read("word/settings.xml").decode()
        styles_xml = archive.read("word/styles.xml").decode()
        images = sum(1 for name in archive.namelist() if name.startswith("word/media/"))
    from lxml import etree

    return DocxSummary(
        document=document, headings=headings, tables=len(document.tables), images=images,
        fields=fields, settings_xml=settings_xml, styles_xml=styles_xml,
        footer_xml=etree.tostring(footer, encoding="unicode"),
        body_xml=etree.tostring(body, encoding="unicode"),
    )


def outline(document) -> list[tuple[str, str]]:
    """(number, text) of the numbered headings, numbered as Word does from the heading styles.

    A heading is numbered when its style carries a ``w:numPr`` and the paragraph does not
    override it with ``numId`` 0; the numbers are never typed into the text.
    """
    styles = {s.style_id: s for s in document.styles if s.type == 1}
    counters = [0, 0, 0]
    result = []
    for paragraph in document.paragraphs:
        style = paragraph.style
        if style is None or not style.name.startswith("Heading ") or int(style.name[8:]) > 3:
            continue
        style_pr = styles[style.style_id].element.pPr
        own = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
        if style_pr is None or style_pr.numPr is None:
            continue
        if own is not None and own.numId is not None and own.numId.val == 0:
            continue
        level = style_pr.numPr.ilvl.val
        counters[level] += 1
        counters[level + 1 :] = [0] * (2 - level)
        result.append((".".join(str(c) for c in counters[: level + 1]), paragraph.text))
    return result


def assert_east_asian(summary: DocxSummary, language: str) -> None:
    """docDefaults, every paragraph style and every text run carry the language's tags."""
    document = summary.document
    styles = document.styles.element  # type: ignore[attr-defined]
    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    tag = EAST_ASIAN_TAG[language]
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == tag
    assert defaults.find(qn("w:lang")).get(qn("w:val")) == LATIN_TAG[language]
    if language in EAST_ASIAN_FONT:
        assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == EAST_ASIAN_FONT[language]
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:type")) != "paragraph":
            continue
        rpr = style.find(qn("w:rPr"))
        assert rpr is not None and rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == tag
        assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        assert rpr.find(qn("w:rFonts")).get(qn("w:asciiTheme")) is None
    runs = list(document.element.body.iter(qn("w:r")))  # type: ignore[attr-defined]
    texts = 0
    for run in runs:
        if run.find(qn("w:t")) is None:
            continue
        texts += 1
        rpr = run.find(qn("w:rPr"))
        assert rpr is not None, "a text run without run properties"
        lang = rpr.find(qn("w:lang"))
        assert lang is not None and lang.get(qn("w:eastAsia")), "a text run without w:lang eastAsia"
        assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
    assert texts > 0
    assert f'w:eastAsia="{tag}"' in summary.settings_xml  # themeFontLang


@pytest.fixture
def docx_summary():
    return summarise


@pytest.fixture
def check_east_asian():
    return assert_east_asian
