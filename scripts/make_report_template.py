"""Generate ``resources/report-template.docx``, the styles every NEASCN Word report is built on.

Run ``python scripts/make_report_template.py`` after changing a style here and
commit both files: the template is data (a designer may also polish it in
Word, keeping the style names), this script makes it reproducible.

What it defines: A4 portrait with 25/22 mm margins; styles Normal, Title,
Subtitle, Heading 1-3, Caption, List Bullet, List Number, Quote, Code,
Code Block, Table Text, Table Heading, TOC 1-3, Hyperlink and the table style
"NEASCN Table"; a header with the network's name and a footer "Page X of Y"
made of PAGE and NUMPAGES fields (the report builder rewrites both in the
report's language); ``w:updateFields`` so Word refreshes the table of
contents when the report is opened.  Fonts are the English ones; the builder
declares each report language's fonts (neascn_desktop/reports/typography.py).
"""

from __future__ import annotations

import argparse
import io
import zipfile
from pathlib import Path

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

NAVY = RGBColor(0x1F, 0x3A, 0x5F)
TEAL = RGBColor(0x1E, 0x6F, 0x8C)
GREY = RGBColor(0x59, 0x59, 0x59)
LATIN = "Arial"
MONO = "Courier New"
NETWORK_NAME = "Northeast Asia Smart Cities Network (NEASCN)"

#: Table styles of python-docx's default template that reports never use.
_KEEP_TABLE_STYLES = {"Normal Table", "Table Grid"}

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "resources" / "report-template.docx"


def _fonts(style, size: float | None = None, bold: bool | None = None,  # type: ignore[no-untyped-def]
           italic: bool | None = None, color: RGBColor | None = None, font: str = LATIN) -> None:
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(slot), font)
    rfonts.set(qn("w:eastAsia"), "Microsoft YaHei")
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold
    if italic is not None:
        style.font.italic = italic
    if color is not None:
        style.font.color.rgb = color
        # A theme colour would win over the RGB value in Word.
        color_el = rpr.find(qn("w:color"))
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            color_el.attrib.pop(qn(attr), None)


def _spacing(style, before: float = 0, after: float = 6, line: float | None = 1.15,  # type: ignore[no-untyped-def]
             keep_next: bool = False) -> None:
    fmt = style.paragraph_format
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    if line is not None:
        fmt.line_spacing = line
    if keep_next:
        fmt.keep_with_next = True
        fmt.keep_together = True


def _paragraph_style(document, name: str, base: str = "Normal"):  # type: ignore[no-untyped-def]
    try:
        return document.styles[name]
    except KeyError:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles[base]
        style.quick_style = True
        return style


#: w:pPr children after w:pBdr (ECMA-376 §17.3.1.26), for inserting it in schema order.
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)


def _bottom_border(ppr, color: str = "1F3A5F", size: int = 6) -> None:  # type: ignore[no-untyped-def]
    border = parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="{size}" w:space="4" '
        f'w:color="{color}"/></w:pBdr>'
    )
    ppr.insert_element_before(border, *_AFTER_PBDR)


def _field(paragraph, instruction: str, placeholder: str) -> None:  # type: ignore[no-untyped-def]
    """Append a complex field (begin, instruction, separate, cached result, end)."""
    def run_with(child):  # type: ignore[no-untyped-def]
        run = paragraph.add_run()
        run._r.append(child)
        return run

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


#: CT_Settings children that come after w:updateFields (ECMA-376 §17.15.1.78): Word
#: refuses a settings part whose children are out of schema order.
AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
    "listSeparator",
)


def insert_setting(settings, element) -> None:  # type: ignore[no-untyped-def]
    """Insert ``w:updateFields`` before its first successor, keeping schema order."""
    successors = {qn(f"w:{name}") for name in AFTER_UPDATE_FIELDS}
    for child in settings:
        if child.tag in successors:
            child.addprevious(element)
            return
    settings.append(element)


def _table_style(document) -> None:  # type: ignore[no-untyped-def]
    """"NEASCN Table": thin grey grid, navy header row with white bold text, light banding."""
    styles = document.styles.element
    xml = f"""
<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="NEASCNTable">
  <w:name w:val="NEASCN Table"/>
  <w:basedOn w:val="TableNormal"/>
  <w:uiPriority w:val="59"/>
  <w:qFormat/>
  <w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
  <w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:cs="{LATIN}" w:eastAsia="Microsoft YaHei"/>
    <w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>
  <w:tblPr>
    <w:tblStyleRowBandSize w:val="1"/>
    <w:tblBorders>
      <w:top w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>
      <w:left w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>
      <w:bottom w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>
      <w:right w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>
      <w:insideH w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>
      <w:insideV w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>
    </w:tblBorders>
    <w:tblCellMar>
      <w:top w:w="40" w:type="dxa"/><w:left w:w="85" w:type="dxa"/>
      <w:bottom w:w="40" w:type="dxa"/><w:right w:w="85" w:type="dxa"/>
    </w:tblCellMar>
  </w:tblPr>
  <w:tblStylePr w:type="firstRow">
    <w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/></w:rPr>
    <w:trPr><w:tblHeader/></w:trPr>
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F3A5F"/></w:tcPr>
  </w:tblStylePr>
  <w:tblStylePr w:type="band2Horz">
    <w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="EEF2F7"/></w:tcPr>
  </w:tblStylePr>
</w:style>"""
    styles.append(parse_xml(xml))


def _prune_table_styles(document) -> None:  # type: ignore[no-untyped-def]
    styles = document.styles.element
    for style in list(styles.findall(qn("w:style"))):
        if style.get(qn("w:type")) != "table":
            continue
        name = style.find(qn("w:name")).get(qn("w:val"))
        if name not in _KEEP_TABLE_STYLES and name.lower() not in {n.lower() for n in _KEEP_TABLE_STYLES}:
            styles.remove(style)


def _doc_defaults(document) -> None:  # type: ignore[no-untyped-def]
    rpr = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(slot), LATIN)
    rfonts.set(qn("w:eastAsia"), "Microsoft YaHei")
    lang = rpr.find(qn("w:lang"))
    lang.set(qn("w:val"), "en-GB")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def build_template() -> bytes:
    document = docx.Document()
    _prune_table_styles(document)
    _doc_defaults(document)

    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    section.left_margin, section.right_margin = Mm(22), Mm(22)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)

    styles = document.styles
    normal = styles["Normal"]
    _fonts(normal, size=10.5)
    _spacing(normal, after=6, line=1.15)

    title = styles["Title"]
    _fonts(title, size=28, bold=True, color=NAVY)
    _spacing(title, before=120, after=12, line=1.0)
    title_ppr = title.element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)
    _bottom_border(title_ppr, size=12)

    subtitle = styles["Subtitle"]
    _fonts(subtitle, size=14, italic=False, color=TEAL)
    _spacing(subtitle, before=6, after=24, line=1.0)

    for level, (size, color, before, after) in {
        1: (16, NAVY, 18, 8),
        2: (13, TEAL, 14, 6),
        3: (11, NAVY, 10, 4),
    }.items():
        heading = styles[f"Heading {level}"]
        _fonts(heading, size=size, bold=True, italic=False, color=color)
        _spacing(heading, before=before, after=after, line=1.0, keep_next=True)

    caption = styles["Caption"]
    _fonts(caption, size=9, bold=False, italic=True, color=GREY)
    _spacing(caption, before=2, after=10, line=1.0)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    for name in ("List Bullet", "List Number", "List Bullet 2", "List Number 2"):
        _fonts(styles[name], size=10.5)
        _spacing(styles[name], after=3, line=1.15)

    quote = styles["Quote"]
    _fonts(quote, size=10.5, italic=True, color=GREY)
    quote.paragraph_format.left_indent = Mm(8)

    table_text = _paragraph_style(document, "Table Text")
    _fonts(table_text, size=9)
    _spacing(table_text, after=0, line=1.0)
    table_heading = _paragraph_style(document, "Table Heading", base="Table Text")
    _fonts(table_heading, size=9, bold=True, color=RGBColor(0xFF, 0xFF, 0xFF))
    table_heading.paragraph_format.keep_with_next = True

    code_block = _paragraph_style(document, "Code Block")
    _fonts(code_block, size=9, font=MONO)
    _spacing(code_block, after=0, line=1.0)
    code_block.paragraph_format.left_indent = Mm(5)

    code = styles.add_style("Code", WD_STYLE_TYPE.CHARACTER)
    _fonts(code, size=9.5, font=MONO)

    hyperlink = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    hyperlink.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    hyperlink.font.underline = True

    for level in (1, 2, 3):
        toc = _paragraph_style(document, f"TOC {level}")
        _fonts(toc, size=10.5, bold=(level == 1))
        # Exact lines: CJK fonts' single line is about 1.45 em against Arial's 1.15, which pushed
        # the last entries of a 45-entry contents onto a page of their own in ko/zh/ja.
        _spacing(toc, before=4 if level == 1 else 0, after=1.5, line=None)
        toc.paragraph_format.line_spacing = Pt(12)
        toc.paragraph_format.left_indent = Mm(5 * (level - 1))
    toc_heading = styles["TOC Heading"]
    _fonts(toc_heading, size=16, bold=True, color=NAVY)

    cover = _paragraph_style(document, "Cover Meta")
    _fonts(cover, size=11, color=GREY)
    _spacing(cover, after=4, line=1.15)

    _table_style(document)

    # Header: the network's name, right aligned over a rule.
    header = section.header
    header_par = header.paragraphs[0]
    header_par.text = ""
    header_par.style = styles["Header"]
    header_par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = header_par.add_run(NETWORK_NAME)
    run.font.size = Pt(8.5)
    run.font.color.rgb = GREY
    _bottom_border(header_par._p.get_or_add_pPr(), color="A6A6A6", size=4)

    footer = section.footer
    footer_par = footer.paragraphs[0]
    footer_par.style = styles["Footer"]
    footer_par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer_par.add_run("Page ")
    _field(footer_par, "PAGE", "1")
    footer_par.add_run(" of ")
    _field(footer_par, "NUMPAGES", "1")
    for name in ("Header", "Footer"):
        _fonts(styles[name], size=8.5, color=GREY)

    # Word refreshes fields (the table of contents, page counts) when the report opens.
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    insert_setting(settings, update)

    document.core_properties.title = "NEASCN report template"
    document.core_properties.author = "NEASCN Desktop"
    document.core_properties.comments = "Generated by scripts/make_report_template.py"

    buffer = io.BytesIO()
    document.save(buffer)
    return _normalize_zip(buffer.getvalue())


def _normalize_zip(data: bytes) -> bytes:
    """Fixed timestamps and member order, so regenerating an unchanged template gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            blob = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                blob = _fixed_core_dates(blob)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, blob)
    return out.getvalue()


def _fixed_core_dates(blob: bytes) -> bytes:
    import re

    return re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                  rb"\g<1>2026-01-01T00:00:00Z\g<3>", blob)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(build_template())
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
