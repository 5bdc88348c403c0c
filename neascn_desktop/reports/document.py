"""A Word document on the report template, written in one language.

:class:`ReportDocument` is the only place that touches python-docx for the
builders: it opens ``resources/report-template.docx``, declares the report
language's fonts, rewrites the header and the "Page X of Y" footer in that
language, and offers the few operations reports need (headings, paragraphs
with inline formatting, lists, tables, pictures with captions, fields, a table
of contents).  Builders only name template styles, never set fonts or sizes.
"""

from __future__ import annotations

import copy
import os
import re
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.image.image import Image
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.parts.image import ImagePart
from docx.shared import Emu, Mm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree
from lxml.etree import SubElement

from neascn_desktop.i18n import _, translate_in
from neascn_desktop.paths import resource
from neascn_desktop.reports.column_fit import fit_columns
from neascn_desktop.reports.errors import ReportCancelled, ReportError, write_failed
from neascn_desktop.reports.file_mode import ordinary_file_mode
from neascn_desktop.reports.package_zip import save_package
from neascn_desktop.reports.table_xml import table_xml
from neascn_desktop.reports.typography import (
    LanguageFonts,
    apply_document_language,
    east_asian_for,
    tag_run,
    xml_safe,
)

__all__ = ["ReportCancelled", "ReportDocument", "ReportError", "ReportResult", "template_path"]

TEMPLATE_NAME = "report-template.docx"
TABLE_STYLE = "NEASCN Table"
#: Between a section number and its title.  Plain spaces: every font has them (Arial
#: lacks some of the typographic spaces, e.g. on older Office installations).
NUMBER_GAP = "  "
#: Usable text width of the template's A4 page (210 mm - 2 × 22 mm margins).
TEXT_WIDTH_MM = 166.0

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_P, _W_R, _W_RPR, _W_T, _W_BR = _W + "p", _W + "r", _W + "rPr", _W + "t", _W + "br"
_W_RSTYLE, _W_RFONTS, _W_B, _W_I, _W_LANG = (_W + "rStyle", _W + "rFonts", _W + "b", _W + "i",
                                             _W + "lang")
_W_VAL, _W_EASTASIA = _W + "val", _W + "eastAsia"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_W_FLDCHAR, _W_FLDCHARTYPE, _W_DIRTY, _W_INSTRTEXT = (_W + "fldChar", _W + "fldCharType", _W + "dirty",
                                                   _W + "instrText")

#: w:settings children after w:updateFields in the schema (ECMA-376 §17.15.1.78).
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown",
    "smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol",
    "listSeparator",
)

_PLACEHOLDER = re.compile(r"\{(page|pages)\}")
#: Processing instruction that stands for a released part of the body (see ``release``).
_RELEASED = "neascn-released"
_RELEASED_MARKER = re.compile(rb"<\?neascn-released (\d+)\?>")
#: A table of a chunk, kept as its XML text until the chunk is released (never parsed).
_TABLE = "neascn-table"
_TABLE_MARKER = re.compile(rb"<\?neascn-table (\d+)\?>")


def template_path() -> Path:
    return resource(TEMPLATE_NAME)


class ReportDocument:
    """One report being written; ``t(msgid)`` translates into the report language."""

    def __init__(self, language: str, title: str, template: Path | None = None) -> None:
        path = template or template_path()
        if not path.is_file():
            raise ReportError(_("The report template {path} is missing.").format(path=path))
        self.language = language
        self.document = docx.Document(str(path))
        body = self.document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        self.fonts: LanguageFonts = apply_document_language(self.document, language)
        if language in ("ko", "zh_Hans", "ja"):
            # CJK scripts have no italics: Word slants the glyphs synthetically.
            self.document.styles["Caption"].font.italic = False
        self._style_ids: dict[str, str] = {}
        self._break_pending = False
        self._images = 0
        self.figure_count = 0
        self.table_count = 0
        self.table_captions = 0
        self._headings: list[tuple[int, str]] = []
        self._toc_paragraph: Paragraph | None = None
        # The body's final w:sectPr: every block goes before it (python-docx looks it up
        # among all the body's children for each paragraph: quadratic).
        self._sect_pr = body.find(_W + "sectPr")
        self._inline_template: CT_Inline | None = None
        #: Finished parts of the body, already serialised (see :meth:`release`).
        self._released: list[bytes] = []
        self._holder: BaseOxmlElement | None = None
        self._chunk_tables: list[bytes] = []
        self._write_header_footer()
        self._number_heading_styles()
        props = self.document.core_properties
        props.title = title
        # The document's language (dc:language), not the tag of its Latin runs.
        props.language = (self.fonts.lang_east_asia if self.fonts.lang == "en-US"
                          else self.fonts.lang)
        props.author = "NEASCN Desktop"
        props.comments = ""
        props.created = props.modified = datetime.now().replace(microsecond=0)

    # ------------------------------------------------------------- texts

    def t(self, message: str) -> str:
        """Translate into the report's language (write literal msgids as
        ``translate_in(self.language, "...")`` so that extraction finds them)."""
        return translate_in(self.language, message)

    def style_id(self, name: str) -> str:
        """The template's style id of a style name (cached: name lookups are linear in python-docx)."""
        cached = self._style_ids.get(name)
        if cached is None:
            cached = self._style_ids[name] = self.document.styles[name].style_id
        return cached

    def _new_paragraph(self, style: str | None):
        p = OxmlElement("w:p")
        if style:  # the first child of a new paragraph: no schema-order lookup needed
            SubElement(SubElement(p, _W + "pPr"), _W + "pStyle").set(_W_VAL, self.style_id(style))
        self._append_block(p)
        paragraph = Paragraph(p, self.document._body)
        if self._break_pending:
            paragraph.paragraph_format.page_break_before = True
            self._break_pending = False
        return paragraph

    # ------------------------------------------------------------- page furniture

    def _write_header_footer(self) -> None:
        section = self.document.sections[0]
        # The cover has its own, empty header and footer: no running title, no "Page 1 of N".
        section.different_first_page_header_footer = True
        section.first_page_header.is_linked_to_previous = False
        section.first_page_footer.is_linked_to_previous = False
        header_par = section.header.paragraphs[0]
        for run in list(header_par.runs):
            run._r.getparent().remove(run._r)
        self._run(header_par, translate_in(self.language, "Northeast Asia Smart Cities Network (NEASCN)"))

        footer_par = section.footer.paragraphs[0]
        for child in list(footer_par._p):
            if child.tag != qn("w:pPr"):
                footer_par._p.remove(child)
        # The sentence is translated as a whole; the fields go where its placeholders are.
        sentence = translate_in(self.language, "Page {page} of {pages}")
        position = 0
        for match in _PLACEHOLDER.finditer(sentence):
            if match.start() > position:
                self._run(footer_par, sentence[position : match.start()])
            self.field(footer_par, "PAGE" if match.group(1) == "page" else "NUMPAGES", "1")
            position = match.end()
        if position < len(sentence):
            self._run(footer_par, sentence[position:])

    def _number_heading_styles(self) -> None:
        """One multilevel list (1, 1.1, 1.1.1) linked to Heading 1-3, as Word's outline numbering."""
        numbering = self.document.part.numbering_part.element
        abstract_ids = [int(a.get(_W + "abstractNumId")) for a in numbering.findall(_W + "abstractNum")]
        num_ids = [int(n.get(_W + "numId")) for n in numbering.findall(_W + "num")]
        abstract_id, num_id = max(abstract_ids, default=-1) + 1, max(num_ids, default=0) + 1
        abstract = OxmlElement("w:abstractNum")
        abstract.set(_W + "abstractNumId", str(abstract_id))
        SubElement(abstract, _W + "multiLevelType").set(_W_VAL, "multilevel")
        for level in range(3):
            lvl = SubElement(abstract, _W + "lvl")
            lvl.set(_W + "ilvl", str(level))
            SubElement(lvl, _W + "start").set(_W_VAL, "1")
            SubElement(lvl, _W + "numFmt").set(_W_VAL, "decimal")
            SubElement(lvl, _W + "pStyle").set(_W_VAL, self.style_id(f"Heading {level + 1}"))
            SubElement(lvl, _W + "lvlText").set(
                _W_VAL, ".".join(f"%{n}" for n in range(1, level + 2)))
            SubElement(lvl, _W + "lvlJc").set(_W_VAL, "left")
            indent = str(567 + 284 * level)  # 1 cm, 1.5 cm, 2 cm: room for "1.10.10"
            p_pr = SubElement(lvl, _W + "pPr")
            tab = SubElement(SubElement(p_pr, _W + "tabs"), _W + "tab")
            tab.set(_W_VAL, "num")
            tab.set(_W + "pos", indent)
            ind = SubElement(p_pr, _W + "ind")
            ind.set(_W + "left", indent)
            ind.set(_W + "hanging", indent)
        first_num = numbering.find(_W + "num")
        if first_num is not None:
            first_num.addprevious(abstract)  # the schema wants every abstractNum before any num
        else:
            numbering.append(abstract)
        num = SubElement(numbering, _W + "num")
        num.set(_W + "numId", str(num_id))
        SubElement(num, _W + "abstractNumId").set(_W_VAL, str(abstract_id))
        for level in range(3):
            style = self.document.styles[f"Heading {level + 1}"]
            num_pr = style.element.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = level
            num_pr.get_or_add_numId().val = num_id
        # Styles based on Heading 1 (the contents' own title) would inherit the numbers.
        for style in self.document.styles:
            base = style.base_style if style.type == 1 else None
            if base is not None and base.name.startswith("Heading ") and \
                    not style.name.startswith("Heading "):
                style.element.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = 0

    # ------------------------------------------------------------- runs and paragraphs

    def _r(self, parent, text: str, *, bold: bool = False, italic: bool = False,
           style_id: str | None = None):
        """Append a ``w:r`` with its language tags to ``parent`` (lxml, in schema order).

        Built directly rather than through python-docx's run API, which looks
        up the insertion point of every property with XPath: a 300-city
        report has some 25,000 runs.
        """
        r = SubElement(parent, _W_R)
        rpr = SubElement(r, _W_RPR)
        if style_id:
            SubElement(rpr, _W_RSTYLE).set(_W_VAL, style_id)
        font, tag = east_asian_for(self.fonts, text)
        SubElement(rpr, _W_RFONTS).set(_W_EASTASIA, font)
        if bold:
            SubElement(rpr, _W_B)
        if italic:
            SubElement(rpr, _W_I)
        lang = SubElement(rpr, _W_LANG)
        lang.set(_W_VAL, self.fonts.lang)
        lang.set(_W_EASTASIA, tag)
        for index, line in enumerate(xml_safe(text).split("\n")):
            if index:
                SubElement(r, _W_BR)
            t = SubElement(r, _W_T)
            t.text = line
            if line[:1].isspace() or line[-1:].isspace() or "  " in line:
                t.set(_XML_SPACE, "preserve")
        return r

    def _run(self, paragraph, text: str, *, bold: bool = False, italic: bool = False,
             style: str | None = None):
        r = self._r(paragraph._p, text, bold=bold, italic=italic,
                    style_id=self.style_id(style) if style else None)
        return Run(r, paragraph)

    def heading(self, text: str, level: int = 1, *, numbered: bool = True,
                contents: bool = True):
        """A heading; its number comes from the heading style's numbering (Word renumbers it).

        ``numbered=False`` for headings outside the outline (forewords, annexes of
        comments); ``contents=False`` keeps it out of the cached table of contents.
        """
        paragraph = self._new_paragraph(f"Heading {level}")
        if not numbered:
            unnumber(paragraph)
        self._run(paragraph, text)
        if contents:
            self._headings.append((level, text))
        return paragraph

    def paragraph(self, text: str = "", style: str | None = None, *, bold: bool = False,
                  italic: bool = False, align: str | None = None):
        paragraph = self._new_paragraph(style)
        if text:
            self._run(paragraph, text, bold=bold, italic=italic)
        if align == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return paragraph

    def rich_paragraph(self, parts: Sequence[tuple[str, str]], style: str | None = None):
        """A paragraph of (kind, text) parts, kind in plain/bold/italic."""
        paragraph = self._new_paragraph(style)
        for kind, text in parts:
            self._run(paragraph, text, bold=kind == "bold", italic=kind == "italic")
        return paragraph

    def add_text(self, paragraph, text: str, *, bold: bool = False, italic: bool = False,
                 code: bool = False, strike: bool = False):
        run = self._run(paragraph, text, bold=bold, italic=italic, style="Code" if code else None)
        if strike:
            run.font.strike = True
        return run

    def bullet(self, text: str, level: int = 1):
        return self.paragraph(text, "List Bullet" if level == 1 else "List Bullet 2")

    def page_break(self) -> None:
        """Start the next paragraph on a new page.

        "Page break before" on that paragraph rather than a paragraph holding a
        break: the latter leaves a blank page when it falls just past a page end.
        """
        self._break_pending = True

    def hyperlink(self, paragraph, url: str, text: str, *, bold: bool = False,
                  italic: bool = False) -> None:
        """An external link (relationship + ``w:hyperlink``) in the Hyperlink character style."""
        r_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), r_id)
        link.set(qn("w:history"), "1")
        run = paragraph.add_run(xml_safe(text), "Hyperlink")
        if bold:
            run.bold = True
        if italic:
            run.italic = True
        tag_run(run, self.fonts, text)
        paragraph._p.remove(run._r)
        link.append(run._r)
        paragraph._p.append(link)

    def field(self, paragraph, instruction: str, placeholder: str = "", *,
              dirty: bool = True) -> None:
        """A complex field; ``dirty`` ones Word recomputes on open (its cached text is a guess).

        Its runs are built like :meth:`_r`'s (a report has a caption field per figure and table).
        """
        font, tag = self.fonts.east_asia, self.fonts.lang_east_asia
        p = paragraph._p

        def with_child(name: str):
            r = SubElement(p, _W_R)
            rpr = SubElement(r, _W_RPR)
            SubElement(rpr, _W_RFONTS).set(_W_EASTASIA, font)
            lang = SubElement(rpr, _W_LANG)
            lang.set(_W_VAL, self.fonts.lang)
            lang.set(_W_EASTASIA, tag)
            return SubElement(r, name)

        begin = with_child(_W_FLDCHAR)
        begin.set(_W_FLDCHARTYPE, "begin")
        if dirty:
            begin.set(_W_DIRTY, "true")
        instr = with_child(_W_INSTRTEXT)
        instr.set(_XML_SPACE, "preserve")
        instr.text = f" {instruction} "
        with_child(_W_FLDCHAR).set(_W_FLDCHARTYPE, "separate")
        if placeholder:
            self._r(p, placeholder)
        with_child(_W_FLDCHAR).set(_W_FLDCHARTYPE, "end")

    def table_of_contents(self) -> None:
        """A TOC field over Heading 1-2; its cached text is filled at save (Word refreshes it)."""
        self.paragraph(translate_in(self.language, "Contents"), "TOC Heading")
        self._toc_paragraph = self.document.add_paragraph(style="TOC 1")

    def _fill_toc(self) -> None:
        if self._toc_paragraph is None:
            return
        anchor = self._toc_paragraph
        first = anchor
        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        begin.set(qn("w:dirty"), "true")
        first.add_run()._r.append(begin)
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = ' TOC \\o "1-2" \\h \\z \\u '
        first.add_run()._r.append(instr)
        separate = OxmlElement("w:fldChar")
        separate.set(qn("w:fldCharType"), "separate")
        first.add_run()._r.append(separate)
        # The cached result lists the headings (without page numbers): readable even
        # where fields are not refreshed; Word and LibreOffice rebuild it with pages.
        entries = [(level, text) for level, text in self._headings if level <= 2] or [
            (1, translate_in(self.language, "Right-click to update the table of contents."))
        ]
        current = first
        for index, (level, text) in enumerate(entries):
            if index == 0:
                self._run(first, text)
                first._p.style = self.style_id(f"TOC {level}")
                continue
            new_p = OxmlElement("w:p")
            current._p.addnext(new_p)
            current = Paragraph(new_p, first._parent)
            new_p.style = self.style_id(f"TOC {level}")
            self._run(current, text)
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        current.add_run()._r.append(end)
        self._toc_paragraph = None

    # ------------------------------------------------------------- tables

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], *,
              widths_mm: Sequence[float] | None = None, numeric: Sequence[int] = (),
              shading: Sequence[Sequence[str | None]] | None = None) -> None:
        """A table in the template's table style; header row repeats on every page.

        ``numeric`` columns are right aligned; ``shading`` gives an optional
        fill colour (hex) per cell, used for score heat maps.  Rows never
        split; only the header row keeps with the next (its style), so a long
        table flows over pages instead of leaving the previous one part empty.
        The XML is written as text and parsed once (``table_xml.py``;
        python-docx's cell API is quadratic in the table size).  Inside a chunk
        (:meth:`start_chunk`) the text is not even parsed: it waits behind a marker
        and goes into the chunk's text at :meth:`release`.
        """
        if self._holder is not None:
            xml = self._table_xml(header, rows, widths_mm, numeric, shading, declare=False)
            self._holder.append(etree.ProcessingInstruction(_TABLE, str(len(self._chunk_tables))))
            self._chunk_tables.append(xml.encode("utf-8"))
        else:
            self._append_block(parse_xml(self._table_xml(header, rows, widths_mm, numeric, shading)))

    def editable_table(self, header: Sequence[str], rows: Sequence[Sequence[str]], *,
                       widths_mm: Sequence[float] | None = None, numeric: Sequence[int] = (),
                       shading: Sequence[Sequence[str | None]] | None = None) -> Table:
        """:meth:`table`, as a python-docx table to fill in further (Markdown tables)."""
        tbl = parse_xml(self._table_xml(header, rows, widths_mm, numeric, shading))
        self._append_block(tbl)
        return Table(tbl, self.document._body)

    def _table_xml(self, header: Sequence[str], rows: Sequence[Sequence[str]],
                   widths_mm: Sequence[float] | None, numeric: Sequence[int],
                   shading: Sequence[Sequence[str | None]] | None, declare: bool = True) -> str:
        columns = len(header)
        self.table_count += 1
        widths = list(widths_mm) if widths_mm else [TEXT_WIDTH_MM / columns] * columns
        scale = min(1.0, TEXT_WIDTH_MM / sum(widths))
        # No word broken in the middle: a column too narrow for its longest word (Russian band
        # names, "Здравоохранение") takes room from columns that have some to spare.
        widths = fit_columns([w * scale for w in widths], header, rows)
        twips = [str(int(Mm(w).twips)) for w in widths]
        styles = (self.style_id(TABLE_STYLE), self.style_id("Table Heading"),
                  self.style_id("Table Text"))
        return table_xml(self.fonts, styles, twips, header, rows, frozenset(numeric), shading,
                         declare=declare)

    def _append_block(self, element) -> None:
        """Append a block element to the body, before its final ``w:sectPr``."""
        if self._holder is not None:
            self._holder.append(element)
        elif self._sect_pr is not None:
            self._sect_pr.addprevious(element)
        else:
            self.document.element.body.append(element)

    # ------------------------------------------------------------- pictures

    def alt_text(self, title: str, values: Sequence[tuple[str, str]]) -> str:
        """A chart's description for screen readers: its title and the figures it shows."""
        if not values:
            return title
        shown = translate_in(self.language, ", ").join(f"{label} {value}" for label, value in values)
        return translate_in(self.language, "{title}: {values}").format(title=title, values=shown)

    def picture(self, png: bytes, caption: str, width_mm: float = TEXT_WIDTH_MM, *,
                alt: str) -> None:
        """A centered picture with a numbered caption and ``alt`` text (title and numbers shown)."""
        self.figure_count += 1
        paragraph = self._new_paragraph(None)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.keep_with_next = True
        # Room above the picture: LibreOffice draws an image flush after a table over its border.
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.space_after = 0
        self._add_picture(paragraph, png, Mm(min(width_mm, TEXT_WIDTH_MM)), alt)
        self._numbered_caption(translate_in(self.language, "Figure {number}: {caption}"),
                               "Figure", self.figure_count, caption)

    def _add_picture(self, paragraph, png: bytes, width: int, alt: str) -> None:
        """A new image part and inline drawing without python-docx's ``add_picture``.

        ``add_picture`` rescans the whole document for the next shape id and
        hashes every earlier image to find duplicates; with hundreds of charts
        that is quadratic.  Charts are never duplicates, and ids come from a counter.
        """
        self._images += 1
        image = Image.from_blob(png)
        name = f"chart{self._images}.{image.ext}"
        part = ImagePart.from_image(image, PackURI(f"/word/media/{name}"))
        # Our own relationship ids: relate_to compares the new part with every earlier one.
        r_id = f"rIdChart{self._images}"
        self.document.part.rels.add_relationship(RELATIONSHIP_TYPE.IMAGE, part, r_id)
        cx, cy = image.scaled_dimensions(width, None)
        if self._inline_template is None:
            self._inline_template = CT_Inline.new_pic_inline(0, "rId0", "chart.png", Emu(0), Emu(0))
        inline: CT_Inline = copy.deepcopy(self._inline_template)  # parsing the template each time is slower
        shape_id = 1000 + self._images
        inline.extent.cx, inline.extent.cy = cx, cy
        inline.docPr.set("id", str(shape_id))
        inline.docPr.set("name", f"Picture {shape_id}")
        pic = inline.graphic.graphicData.pic
        next(pic.iter(qn("pic:cNvPr"))).set("name", name)
        next(pic.iter(qn("a:blip"))).set(qn("r:embed"), r_id)
        pic.spPr.cx, pic.spPr.cy = cx, cy
        # Alt text: the document-level description screen readers and PDF tags use.
        inline.docPr.set("descr", xml_safe(alt))
        run = paragraph.add_run()
        run._r.add_drawing(inline)

    def caption(self, text: str) -> None:
        self.paragraph(text, "Caption")

    def table_caption(self, caption: str) -> None:
        """"Table n: ..." above the next table, numbered by a SEQ field and kept with it."""
        self.table_captions += 1
        paragraph = self._numbered_caption(translate_in(self.language, "Table {number}: {caption}"),
                                           "Table", self.table_captions, caption)
        paragraph.paragraph_format.keep_with_next = True

    def _numbered_caption(self, sentence: str, sequence: str, number: int, caption: str):
        """The translated sentence with a ``SEQ`` field where ``{number}`` is (Word renumbers it)."""
        paragraph = self._new_paragraph("Caption")
        position = 0
        for match in re.finditer(r"\{(number|caption)\}", sentence):
            if match.start() > position:
                self._run(paragraph, sentence[position : match.start()])
            if match.group(1) == "number":
                self.field(paragraph, f"SEQ {sequence} \\* ARABIC", str(number), dirty=False)
            else:
                self._run(paragraph, caption)
            position = match.end()
        if position < len(sentence):
            self._run(paragraph, sentence[position:])
        return paragraph

    def landscape_free(self) -> None:
        """Start a new section page (used before annexes)."""
        self.document.add_section(WD_SECTION.NEW_PAGE)

    # ------------------------------------------------------------- releasing finished parts

    def start_chunk(self) -> None:
        """Write the following blocks into a detached holder until :meth:`release`."""
        if self._holder is None:
            root = self.document.element
            self._holder = OxmlElement("w:body", nsdecls=dict(root.nsmap))

    def release(self) -> None:
        """Serialise the blocks written since :meth:`start_chunk` and drop them from memory.

        As lxml elements a 1,000-city report's body takes some 550 MB; as text
        it is 30 MB.  Finished blocks (a city profile) never change again, so
        they are written into a detached holder, turned into UTF-8 here in one
        piece and spliced back in place at save (a marker stands for them).
        """
        holder = self._holder
        if holder is None:
            return
        self._holder = None
        if len(holder) == 0:
            return
        text = etree.tostring(holder, encoding="utf-8", xml_declaration=False)
        # Inside the holder's start and end tags: the blocks, whose namespaces the
        # holder declares as the document root does.
        inner = text[text.index(b">") + 1 : text.rindex(b"<")]
        if self._chunk_tables:
            tables, self._chunk_tables = self._chunk_tables, []
            inner = _TABLE_MARKER.sub(lambda m: tables[int(m.group(1))], inner)
        marker = etree.ProcessingInstruction(_RELEASED, str(len(self._released)))
        self._append_block(marker)
        # Compressed (level 1: fast): 30 MB of WordprocessingML keep in 4 MB until save.
        self._released.append(zlib.compress(inner, 1))

    def _splice_released(self) -> None:
        """Have the document part serialise with the released chunks in place of their markers."""
        if not self._released:
            return
        part = self.document.part
        chunks = self._released

        class _SplicedDocumentPart(type(part)):  # type: ignore[misc]
            @property
            def blob(self) -> bytes:
                xml = serialize_part_xml(self._element)
                return _RELEASED_MARKER.sub(lambda m: zlib.decompress(chunks[int(m.group(1))]), xml)

        part.__class__ = _SplicedDocumentPart

    # ------------------------------------------------------------- saving

    def result(self, path: Path, kind: str) -> ReportResult:
        return ReportResult(path=Path(path), kind=kind, language=self.language,
                            headings=len(self._headings), tables=self.table_count,
                            figures=self.figure_count)

    def settings_update_fields(self) -> None:
        settings = self.document.settings.element
        element = settings.find(qn("w:updateFields"))
        if element is None:  # the template has it; a template edited in Word may not
            element = OxmlElement("w:updateFields")
            successors = {qn(f"w:{name}") for name in _AFTER_UPDATE_FIELDS}
            follower = next((child for child in settings if child.tag in successors), None)
            if follower is not None:
                follower.addprevious(element)  # Word insists on the schema's order here
            else:
                settings.append(element)
        element.set(qn("w:val"), "true")

    def save(self, path: Path) -> Path:
        """Write atomically: a half-written report never replaces a good one."""
        self.release()
        self._fill_toc()
        self.settings_update_fields()
        self._splice_released()
        path = Path(path)
        folder = path.parent if str(path.parent) else Path(".")
        if not folder.is_dir():
            raise ReportError(_("The folder {path} does not exist.").format(path=folder))
        handle, temp_name = tempfile.mkstemp(prefix=".report-", suffix=".docx", dir=folder)
        os.close(handle)
        try:
            save_package(self.document, temp_name)
            # mkstemp makes the file private (0600); a report is an ordinary user file.
            os.chmod(temp_name, ordinary_file_mode())
            os.replace(temp_name, path)
        except OSError as exc:
            Path(temp_name).unlink(missing_ok=True)
            if isinstance(exc, PermissionError):  # Windows: the report is open in Word
                raise write_failed(path, exc) from exc
            raise ReportError(
                _("Could not write the report to {path}: {reason}").format(
                    path=path, reason=exc.strerror or exc
                )
            ) from exc
        return path


def unnumber(paragraph) -> None:
    """Take a heading out of the style's outline numbering (numId 0 = no list)."""
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_numId().val = 0


@dataclass(frozen=True)
class ReportResult:
    """What a builder wrote: where, in which language, and how much."""

    path: Path
    kind: str  # readiness | framework | status
    language: str
    headings: int
    tables: int
    figures: int
