"""The framework document: numbered sections with their Markdown bodies, statuses, open comments.

Two flavours from the same data: the working version (a status overview,
each section's status and owner, an annex of open comments) and the clean
version for the meeting (``clean=True``: the text only).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from neascn_desktop.i18n import ngettext_in, normalize_language, translate_in
from neascn_desktop.i18n.formatting import format_date, format_number
from neascn_desktop.reports.data import FrameworkReportData, FrameworkSectionData, section_numbers
from neascn_desktop.reports.document import (
    NUMBER_GAP,
    ReportCancelled,
    ReportDocument,
    ReportResult,
)
from neascn_desktop.reports.labels import language_name, section_status_label
from neascn_desktop.reports.markdown_docx import MarkdownRenderer


def build_framework_report(
    data: FrameworkReportData,
    path: Path,
    *,
    clean: bool = False,
    progress: Callable[..., None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ReportResult:
    lang = data.language
    doc = ReportDocument(lang, data.title)
    numbers = section_numbers([s.depth for s in data.sections])
    open_comments: dict[str, int] = {}
    for comment in data.comments:
        open_comments[comment.section_id] = open_comments.get(comment.section_id, 0) + 1

    doc.paragraph(data.title, "Title")
    doc.paragraph(translate_in(lang, "Northeast Asia Smart Cities Network (NEASCN)"), "Subtitle")
    agreed = sum(1 for s in data.sections if s.status == "agreed")
    doc.paragraph(
        (translate_in(lang, "Clean version of {date}") if clean else
         translate_in(lang, "Working draft of {date}")).format(
            date=format_date(data.generated_at, lang, "long")),
        "Cover Meta",
    )
    if not clean:
        doc.paragraph(
            ngettext_in(lang, "{agreed} of {total} section agreed; {comments} open comments.",
                        "{agreed} of {total} sections agreed; {comments} open comments.",
                        len(data.sections)).format(
                agreed=format_number(agreed, lang), total=format_number(len(data.sections), lang),
                comments=format_number(len(data.comments), lang)),
            "Cover Meta",
        )
    untranslated = {s.id for s in data.sections if not _translated(s, lang)}
    if untranslated:  # said openly: a reader should not take a draft's language for the report's
        doc.paragraph(ngettext_in(
            lang, "{count} of {total} section is not translated; it is printed in its original language.",
            "{count} of {total} sections are not translated; they are printed in their original language.",
            len(untranslated)).format(count=format_number(len(untranslated), lang),
                                      total=format_number(len(data.sections), lang)), "Cover Meta")
    doc.page_break()
    doc.table_of_contents()
    doc.page_break()

    if not clean and data.sections:
        doc.heading(translate_in(lang, "Status of the sections"), 1, numbered=False)
        doc.table(
            [translate_in(lang, "Section"), translate_in(lang, "Status"),
             translate_in(lang, "Owner"), translate_in(lang, "Open comments")],
            [[f"{number}{NUMBER_GAP}{s.title}", section_status_label(lang, s.status), s.owner,
              format_number(open_comments.get(s.id, 0), lang)]
             for number, s in zip(numbers, data.sections, strict=True)],
            widths_mm=(86, 28, 30, 22), numeric=(3,),
            shading=[[None, _STATUS_FILL.get(s.status), None, None] for s in data.sections],
        )

    renderer = MarkdownRenderer(doc)
    for position, section in enumerate(data.sections):
        if is_cancelled is not None and is_cancelled():
            raise ReportCancelled()
        level = min(3, section.depth + 1)
        doc.heading(section.title, level)
        original = (translate_in(lang, "Not translated (original: {language})").format(
            language=language_name(lang, section.language)) if section.id in untranslated else None)
        if clean and original:
            doc.paragraph(original, "Cover Meta")
        if not clean:
            facts = [translate_in(lang, "Status: {status}").format(
                status=section_status_label(lang, section.status))]
            if original:
                facts.append(original)
            if section.owner:
                facts.append(translate_in(lang, "Owner: {owner}").format(owner=section.owner))
            count = open_comments.get(section.id, 0)
            if count:
                facts.append(ngettext_in(lang, "{count} open comment (see annex)",
                                         "{count} open comments (see annex)", count).format(
                    count=format_number(count, lang)))
            doc.paragraph(translate_in(lang, " · ").join(facts), "Cover Meta")
        renderer.render(section.body, base_level=level)
        if progress is not None:
            progress(position + 1, len(data.sections) + 1, section.title)

    if not clean and data.comments:
        _comments_annex(doc, data, numbers)
    doc.save(path)
    if progress is not None:
        progress(len(data.sections) + 1, len(data.sections) + 1, "")
    return doc.result(path, "framework")


def _translated(section: FrameworkSectionData, language: str) -> bool:
    """Whether ``section`` is written in the report's language (unknown counts as yes)."""
    return not section.language or normalize_language(section.language) == normalize_language(language)


_STATUS_FILL = {"draft": "FDE9D9", "in_review": "FFF2CC", "agreed": "E2EFDA"}


def _comments_annex(doc: ReportDocument, data: FrameworkReportData, numbers: list[str]) -> None:
    lang = data.language
    doc.page_break()
    doc.heading(translate_in(lang, "Annex: open comments"), 1, numbered=False)
    by_id = {s.id: (number, s) for number, s in zip(numbers, data.sections, strict=True)}
    comment_ids = {c.id for c in data.comments}
    for section_id in [s.id for s in data.sections]:
        comments = [c for c in data.comments if c.section_id == section_id]
        if not comments:
            continue
        number, section = by_id[section_id]
        # A label, not a heading: the contents lists each section once, in its own place.
        doc.paragraph(f"{number}{NUMBER_GAP}{section.title}", "Heading 4")
        ordered = _threaded(comments, comment_ids)
        doc.table(
            [translate_in(lang, "Author"), translate_in(lang, "Date"), translate_in(lang, "Comment")],
            [[c.author, format_date(c.created_at, lang, "short") if c.created_at else "–",
              ("» " if depth else "") + c.text] for depth, c in ordered],
            widths_mm=(32, 28, 106),
        )
    orphans = [c for c in data.comments if c.section_id not in by_id]
    if orphans:
        doc.paragraph(translate_in(lang, "Comments on deleted sections"), "Heading 4")
        doc.table(
            [translate_in(lang, "Author"), translate_in(lang, "Date"), translate_in(lang, "Comment")],
            [[c.author, format_date(c.created_at, lang, "short") if c.created_at else "–", c.text]
             for c in orphans],
            widths_mm=(32, 28, 106),
        )


def _threaded(comments: list, known: set[str]) -> list:
    """Comments in thread order: each root by date, its replies right after it (depth 1)."""
    roots = [c for c in comments if not c.reply_to or c.reply_to not in known]
    replies: dict[str, list] = {}
    for c in comments:
        if c.reply_to and c.reply_to in known:
            replies.setdefault(c.reply_to, []).append(c)

    def key(c):
        return (c.created_at is None, c.created_at or 0, c.id)

    ordered = []
    for root in sorted(roots, key=key):
        ordered.append((0, root))
        stack = sorted(replies.get(root.id, []), key=key)
        while stack:
            reply = stack.pop(0)
            ordered.append((1, reply))
            stack = sorted(replies.get(reply.id, []), key=key) + stack
    return ordered
