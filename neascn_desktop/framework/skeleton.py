"""The framework skeleton shipped in ``resources/framework/skeleton.json``.

Sections with stable ids, titles, guidance for drafters and optional starter
text, each in the six languages. The drafter picks the document language (the
titles and starter text written into the revision log); the guidance follows
the UI language and is never stored in the document.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from neascn_desktop.i18n import DEFAULT_LANGUAGE, normalize_language
from neascn_desktop.paths import resource

SKELETON_FORMAT = "neascn-framework-skeleton"


@dataclass(frozen=True)
class SkeletonSection:
    id: str
    parent_id: str | None
    title: dict[str, str]
    guidance: dict[str, str]
    starter: dict[str, str]


@dataclass(frozen=True)
class Skeleton:
    document_title: dict[str, str]
    sections: tuple[SkeletonSection, ...]
    sources: tuple[str, ...]

    def section(self, section_id: str) -> SkeletonSection | None:
        return next((s for s in self.sections if s.id == section_id), None)


def pick(texts: dict[str, str], language: str) -> str:
    """The text in ``language``, else English."""
    return texts.get(normalize_language(language)) or texts.get(DEFAULT_LANGUAGE, "")


@lru_cache(maxsize=1)
def load_skeleton() -> Skeleton:
    data = json.loads(resource("framework", "skeleton.json").read_text(encoding="utf-8"))
    if data.get("format") != SKELETON_FORMAT:
        raise ValueError("resources/framework/skeleton.json is not a framework skeleton")
    sections = tuple(
        SkeletonSection(
            id=item["id"],
            parent_id=item.get("parent"),
            title=dict(item["title"]),
            guidance=dict(item["guidance"]),
            starter=dict(item.get("starter") or {}),
        )
        for item in data["sections"]
    )
    return Skeleton(
        document_title=dict(data["document_title"]),
        sections=sections,
        sources=tuple(data.get("sources", ())),
    )


def guidance_for(section_id: str, language: str) -> str:
    """Guidance for a skeleton section in the UI language ("" for sections drafters added)."""
    section = load_skeleton().section(section_id)
    return pick(section.guidance, language) if section is not None else ""
