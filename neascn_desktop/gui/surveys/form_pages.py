"""The pages of the data-entry form: one per top-level group (nested groups inline, in form order).

The definition's flat ``sections`` (one per group, a nested group's questions
apart from its parent's) are what relevance and progress are computed on;
a person reads the form as its author wrote it, so a page shows a top-level
group whole — a ``field-list`` group as ODK shows it — with its nested groups
as headed blocks where they stand.  Loose top-level questions make their own
pages, as the sections do.
"""

from __future__ import annotations

from dataclasses import dataclass

from neascn_desktop.surveys.definition import (
    UNSHOWN_TYPES,
    Group,
    Node,
    Question,
    SurveyDefinition,
)

#: A group with more questions than this (and not a ``field-list``) is split by section.
MAX_PAGE_QUESTIONS = 60


@dataclass(frozen=True)
class Page:
    #: Indices of the definition's sections shown on the page (the first one is the page's own).
    sections: tuple[int, ...]
    #: The top-level group the page shows whole (``None``: loose top-level questions).
    group: Group | None
    #: The questions of the page in form order (repeats' questions not included).
    questions: tuple[Question, ...]


def _questions_in(nodes: tuple[Node, ...]) -> list[Question]:
    found: list[Question] = []
    for node in nodes:
        if isinstance(node, Group):
            if node.kind != "repeat":
                found.extend(_questions_in(node.children))
        elif node.type not in UNSHOWN_TYPES:
            found.append(node)
    return found


def form_pages(definition: SurveyDefinition) -> list[Page]:
    """The pages in order; every section belongs to exactly one page."""
    top_groups = {g.path or g.name: g for g in definition.children if isinstance(g, Group)}
    pages: list[Page] = []
    current_key: str | None = None
    indices: list[int] = []

    def close() -> None:
        if not indices:
            return
        group = top_groups.get(current_key or "")
        questions = tuple(_questions_in(group.children)) if group is not None else ()
        whole = group is not None and len(indices) > 1 and (
            "field-list" in group.extra.get("appearance", "")
            or len(questions) <= MAX_PAGE_QUESTIONS)
        if group is not None and (whole or len(indices) == 1):
            pages.append(Page(tuple(indices), group, questions))
            return
        for index in indices:
            pages.append(Page((index,), None, definition.sections[index].questions))

    for index, section in enumerate(definition.sections):
        top = section.name.split("/")[0]
        key = top if top in top_groups else f"\0{section.name}"
        if key != current_key:
            close()
            indices = []
            current_key = key
        indices.append(index)
    close()
    return pages
