"""Framework section bodies (Markdown) rendered into a report with the template's styles.

CommonMark plus GFM tables and strikethrough (markdown-it-py): headings
(unnumbered, below the section's own numbered heading), paragraphs with bold,
italic, strikethrough and inline code, hard line breaks, links as real Word
hyperlinks, bullet and numbered lists (two levels; each numbered list starts
at its own first number), block quotes, code blocks and tables with their
column alignment.  Images are not fetched (the app is offline): their alt
text is shown instead.  Raw HTML is shown as text, never interpreted.
"""

from __future__ import annotations

from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from neascn_desktop.reports.document import ReportDocument, unnumber


def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


class MarkdownRenderer:
    """Renders Markdown bodies into one :class:`ReportDocument` (keeps numbering state)."""

    def __init__(self, doc: ReportDocument) -> None:
        self.doc = doc
        self._md = _parser()
        self._abstract_num: str | None = None

    # ------------------------------------------------------------------ blocks

    def render(self, markdown: str, base_level: int = 1) -> None:
        """Render ``markdown``; its top heading level becomes Heading ``base_level + 1``, at least
        Heading 3 and at most Heading 4.

        Authors write ``##`` or ``#`` for a subsection alike; either way it must
        sit below the section's own numbered heading.  Never Heading 1 or 2: the
        contents lists two levels, the framework's own numbered sections, and an
        unnumbered "Categories" between "5 Membership" and "6 Governance" read as a
        section of its own.
        """
        tokens = self._md.parse(markdown or "")
        top = min((int(t.tag[1:]) for t in tokens if t.type == "heading_open"), default=1)
        lists: list[dict[str, Any]] = []  # open lists: kind, numId, item paragraphs seen
        quote_depth = 0
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind == "heading_open":
                level = min(4, max(3, base_level + 1) + int(token.tag[1:]) - top)
                paragraph = self.doc._new_paragraph(f"Heading {level}")
                # Out of the outline numbering: the sections' numbers stay those of the
                # framework's own tree (the status table and comments refer to them).
                unnumber(paragraph)
                self.inline(paragraph, tokens[index + 1].children or [])
                index += 3
                continue
            if kind in ("bullet_list_open", "ordered_list_open"):
                entry: dict[str, Any] = {"ordered": kind == "ordered_list_open", "num": None}
                if entry["ordered"]:
                    start = int(token.attrs.get("start", 1) or 1)
                    entry["num"] = self._restarted_numbering(start)
                lists.append(entry)
            elif kind in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif kind == "list_item_open":
                lists[-1]["first_para"] = True
            elif kind == "blockquote_open":
                quote_depth += 1
            elif kind == "blockquote_close":
                quote_depth -= 1
            elif kind == "paragraph_open":
                inline = tokens[index + 1]
                paragraph = self._block_paragraph(lists, quote_depth)
                self.inline(paragraph, inline.children or [])
                index += 3
                continue
            elif kind in ("fence", "code_block"):
                for line in token.content.rstrip("\n").split("\n"):
                    paragraph = self.doc._new_paragraph("Code Block")
                    self.doc.add_text(paragraph, line or " ")
            elif kind == "table_open":
                index = self._table(tokens, index)
                continue
            elif kind == "hr":
                paragraph = self.doc._new_paragraph(None)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self.doc.add_text(paragraph, "*   *   *")
            elif kind == "html_block":
                paragraph = self.doc._new_paragraph(None)
                self.doc.add_text(paragraph, token.content.strip())
            index += 1

    def _block_paragraph(self, lists: list[dict[str, Any]], quote_depth: int):
        if not lists:
            return self.doc._new_paragraph("Quote" if quote_depth else None)
        current = lists[-1]
        depth = min(2, len(lists))
        if not current.get("first_para", False):
            # A second paragraph of the same item: indented, without a marker.
            paragraph = self.doc._new_paragraph("List Continue" if depth == 1 else "List Continue 2")
            return paragraph
        current["first_para"] = False
        if current["ordered"]:
            if depth == 1:
                paragraph = self.doc._new_paragraph("List Number")
                self._set_num(paragraph, current["num"], 0)
                return paragraph
            return self.doc._new_paragraph("List Number 2")
        return self.doc._new_paragraph("List Bullet" if depth == 1 else "List Bullet 2")

    # ------------------------------------------------------------------ numbering

    def _restarted_numbering(self, start: int) -> str:
        """A new ``w:num`` on the List Number definition, starting at ``start``."""
        document = self.doc.document
        numbering = document.part.numbering_part.element
        if self._abstract_num is None:
            style = document.styles["List Number"].element
            num_pr = style.pPr.numPr if style.pPr is not None else None
            base_num = num_pr.numId.val if num_pr is not None and num_pr.numId is not None else None
            abstract = None
            for num in numbering.findall(qn("w:num")):
                if base_num is not None and num.get(qn("w:numId")) == str(base_num):
                    abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
            self._abstract_num = abstract or "0"
        ids = [int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num"))]
        new_id = str(max(ids, default=0) + 1)
        num = OxmlElement("w:num")
        num.set(qn("w:numId"), new_id)
        abstract_ref = OxmlElement("w:abstractNumId")
        abstract_ref.set(qn("w:val"), self._abstract_num)
        num.append(abstract_ref)
        override = OxmlElement("w:lvlOverride")
        override.set(qn("w:ilvl"), "0")
        start_el = OxmlElement("w:startOverride")
        start_el.set(qn("w:val"), str(start))
        override.append(start_el)
        num.append(override)
        numbering.append(num)
        return new_id

    @staticmethod
    def _set_num(paragraph, num_id: str, level: int) -> None:
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = int(num_id)

    # ------------------------------------------------------------------ tables

    def _table(self, tokens: list[Any], index: int) -> int:
        header: list[tuple[list[Any], str | None]] = []
        rows: list[list[tuple[list[Any], str | None]]] = []
        current: list[tuple[list[Any], str | None]] | None = None
        in_head = False
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                current = []
            elif token.type == "tr_close" and current is not None:
                if in_head:
                    header = current
                else:
                    rows.append(current)
            elif token.type in ("th_open", "td_open") and current is not None:
                style = str(token.attrs.get("style", "") or "")
                align = style.split(":", 1)[1] if style.startswith("text-align:") else None
                current.append((tokens[index + 1].children or [], align))
            index += 1
        columns = max([len(header)] + [len(r) for r in rows])
        right = tuple(i for i, (_c, align) in enumerate(header) if align == "right")
        table = self.doc.editable_table([""] * columns, [[""] * columns for _ in rows], numeric=right)
        for row_cells, values in zip(table.rows, [header] + rows, strict=True):
            cells = row_cells.cells
            for column, (children, align) in enumerate(values[:columns]):
                paragraph = cells[column].paragraphs[0]
                if align == "center":
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self.inline(paragraph, children)
        return index + 1

    # ------------------------------------------------------------------ inline

    def inline(self, paragraph, children: list[Any]) -> None:
        bold = italic = strike = False
        link: str | None = None
        for child in children:
            kind = child.type
            if kind == "text" or kind == "html_inline":
                if not child.content:
                    continue
                if link and not link.startswith("#"):
                    self.doc.hyperlink(paragraph, link, child.content, bold=bold, italic=italic)
                else:
                    self.doc.add_text(paragraph, child.content, bold=bold, italic=italic,
                                      strike=strike)
            elif kind == "strong_open":
                bold = True
            elif kind == "strong_close":
                bold = False
            elif kind == "em_open":
                italic = True
            elif kind == "em_close":
                italic = False
            elif kind == "s_open":
                strike = True
            elif kind == "s_close":
                strike = False
            elif kind == "link_open":
                link = str(child.attrs.get("href", "") or "")
            elif kind == "link_close":
                link = None
            elif kind == "code_inline":
                self.doc.add_text(paragraph, child.content, code=True)
            elif kind == "softbreak":
                self.doc.add_text(paragraph, " ")
            elif kind == "hardbreak":
                paragraph.add_run().add_break()
            elif kind == "image":
                alt = child.content or str(child.attrs.get("src", ""))
                self.doc.add_text(paragraph, f"[{alt}]", italic=True)
