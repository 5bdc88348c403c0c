"""The pages of the data-entry form: one per top-level group (nested groups inline, in form order).

The definition's flat ``sections`` (one per group, a nested group's questions
apart from its parent's) are what relevance and progress are computed on;
a person reads the form as its author wrote it, so a page shows a top-level
group whole — a ``field-list`` group as ODK shows it — with its nested groups
as headed blocks where they stand.  Loose top-level questions make their own
pages, as the sections do.
"""

from __future__ import annotations

from collections.abc import Callable
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
    """The pages in order; every section belongs to exactly one page, and a repeat at the top
    level is a page of its own (``sections`` empty, ``group`` the repeat)."""
    sections = list(enumerate(definition.sections))
    pages: list[Page] = []
    loose_pending = False

    def take(test: Callable[[str], bool], most: int | None = None) -> list[int]:
        taken: list[int] = []
        while sections and test(sections[0][1].name) and (most is None or len(taken) < most):
            taken.append(sections.pop(0)[0])
        return taken

    def close_loose() -> None:
        nonlocal loose_pending
        if loose_pending:
            # One run of loose questions is one section: the run after a repeat (which has no
            # section) is the next one, and must not be pulled in front of the repeat.
            for index in take(lambda name: name.startswith("ungrouped"), most=1):
                pages.append(Page((index,), None, definition.sections[index].questions))
        loose_pending = False

    for node in definition.children:
        if isinstance(node, Question):
            loose_pending = loose_pending or node.type not in UNSHOWN_TYPES
            continue
        close_loose()
        if node.kind == "repeat":
            pages.append(Page((), node, ()))
            continue
        path = node.path or node.name

        def inside(name: str, path: str = path) -> bool:
            return name == path or name.startswith(f"{path}/")
        indices = take(inside)
        if not indices:
            continue
        questions = tuple(_questions_in(node.children))
        whole = len(indices) == 1 or "field-list" in node.extra.get("appearance", "") or (
            len(questions) <= MAX_PAGE_QUESTIONS)
        if whole:
            pages.append(Page(tuple(indices), node, questions))
        else:
            pages.extend(Page((i,), None, definition.sections[i].questions) for i in indices)
    close_loose()
    for index, section in sections:  # anything the walk did not place keeps a page
        pages.append(Page((index,), None, section.questions))
    return pages
