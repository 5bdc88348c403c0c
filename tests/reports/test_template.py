"""The report template: reproducible from its script, with the styles and page setup reports rely on."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE

from neascn_desktop.reports.document import template_path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_report_template.py"
STYLES = {
    WD_STYLE_TYPE.PARAGRAPH: ["Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3",
                              "Caption", "List Bullet", "List Bullet 2", "List Number",
                              "List Number 2", "List Continue", "Quote", "Code Block",
                              "Table Text", "Table Heading", "TOC 1", "TOC 2", "TOC 3",
                              "TOC Heading", "Cover Meta"],
    WD_STYLE_TYPE.CHARACTER: ["Code", "Hyperlink"],
    WD_STYLE_TYPE.TABLE: ["NEASCN Table"],
}


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_report_template", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_template_is_what_the_script_makes() -> None:
    assert _script().build_template() == template_path().read_bytes()


def test_styles_page_and_furniture() -> None:
    document = docx.Document(str(template_path()))
    for kind, names in STYLES.items():
        for name in names:
            assert document.styles[name].type == kind, name
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == 22 and round(section.top_margin.mm) == 25
    assert "Northeast Asia Smart Cities Network" in section.header.paragraphs[0].text
    footer = section.footer._element.xml
    assert " PAGE " in footer and " NUMPAGES " in footer
    with zipfile.ZipFile(template_path()) as archive:
        settings = archive.read("word/settings.xml").decode()
        styles = archive.read("word/styles.xml").decode()
    assert '<w:updateFields w:val="true"/>' in settings
    assert "asciiTheme" not in styles.split("</w:docDefaults>")[0]  # explicit fonts, no theme


def test_paragraph_properties_in_schema_order() -> None:
    """Word rejects out-of-order children (LibreOffice does not complain): check pPr and rPr."""
    ppr_order = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "numPr",
                 "pBdr", "shd", "tabs", "spacing", "ind", "jc", "outlineLvl", "rPr"]
    rpr_order = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "strike", "color", "sz", "szCs", "u",
                 "lang"]
    document = docx.Document(str(template_path()))
    parts = [document.styles.element, document.sections[0].header._element,
             document.sections[0].footer._element]
    from docx.oxml.ns import qn

    for part in parts:
        for tag, order in (("w:pPr", ppr_order), ("w:rPr", rpr_order)):
            for element in part.iter(qn(tag)):
                names = [child.tag.split("}")[1] for child in element]
                known = [n for n in names if n in order]
                assert known == sorted(known, key=order.index), names
