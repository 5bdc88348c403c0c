"""A city's short roadmap: which practices to raise one maturity level to move a domain up a band.

Computed from the city's own answers and the domain's scoring (a domain score
is the weighted mean of its answered items, docs/scoring.md §3): raising an
item from its points to the next level's adds ``(next - now) × weight / Σ
weights`` to the domain.  The lowest-rated practices are raised first (the
cheapest step is usually the first level), until the domain would cross into
the next band or :data:`PRACTICES_PER_STEP` practices are used.
"""

from __future__ import annotations

from dataclasses import dataclass

from neascn_desktop.i18n import translate_in
from neascn_desktop.i18n.formatting import format_number
from neascn_desktop.reports.data import (
    BANDS,
    AnswerItem,
    CityReadiness,
    ReadinessReportData,
    band_for,
)
from neascn_desktop.reports.document import ReportDocument
from neascn_desktop.reports.labels import band_label

#: Domains the roadmap names (the weakest first) and practices per domain.
ROADMAP_DOMAINS = 3
PRACTICES_PER_STEP = 3


@dataclass(frozen=True)
class RoadmapStep:
    domain_id: str
    score: float
    projected: float
    practices: tuple[AnswerItem, ...]


def _band_upper(score: float) -> float | None:
    """The top of the score's band, or None in the top band."""
    band = band_for(score)
    for index, (name, upper) in enumerate(BANDS):
        if name == band:
            return upper if index < len(BANDS) - 1 else None
    return None


def roadmap(data: ReadinessReportData, city: CityReadiness) -> list[RoadmapStep]:
    """Up to :data:`ROADMAP_DOMAINS` steps, weakest domain first; domains in the top band have none."""
    scored = sorted(((d.id, s.score) for d in data.domains
                     if (s := city.score_of(d.id)) is not None and s.score is not None),
                    key=lambda item: item[1])
    steps = []
    for domain_id, score in scored:
        upper = _band_upper(score)
        if upper is None:
            continue
        items = [a for a in city.answers if a.domain_id == domain_id and a.score is not None]
        total = sum(a.weight for a in items)
        candidates = sorted((a for a in items if a.next_score is not None),
                            key=lambda a: (a.score, -a.weight))
        if not total or not candidates:
            continue
        projected, chosen = score, []
        for answer in candidates[:PRACTICES_PER_STEP]:
            projected += ((answer.next_score or 0.0) - (answer.score or 0.0)) * answer.weight / total
            chosen.append(answer)
            if round(projected) > upper:
                break
        steps.append(RoadmapStep(domain_id, score, projected, tuple(chosen)))
        if len(steps) == ROADMAP_DOMAINS:
            break
    return steps


def write_roadmap(doc: ReportDocument, data: ReadinessReportData, city: CityReadiness) -> None:
    """The roadmap table below the recommendations (nothing when every domain leads)."""
    lang = data.language
    steps = roadmap(data, city)
    if not steps:
        return
    labels = {d.id: d.label for d in data.domains}
    doc.heading(translate_in(lang, "Roadmap"), 3)
    intro = doc.paragraph(translate_in(
        lang,
        "In order of priority: the practices to raise by one maturity level, and the domain "
        "score this would give (estimated from the domain's own scoring)."))
    intro.paragraph_format.keep_with_next = True  # the sentence introduces the table below

    def shown(value: float) -> str:
        return translate_in(lang, "{score} ({band})").format(
            score=format_number(round(value), lang), band=band_label(lang, band_for(value)))

    rows = [[format_number(number, lang), labels.get(step.domain_id, step.domain_id),
             shown(step.score), shown(step.projected),
             "\n".join(a.question_label for a in step.practices)]
            for number, step in enumerate(steps, start=1)]
    doc.table([translate_in(lang, "Priority"), translate_in(lang, "Domain"),
               translate_in(lang, "Now"), translate_in(lang, "After these steps"),
               translate_in(lang, "Practices to raise by one level")],
              rows, widths_mm=(16, 34, 26, 26, 64), numeric=(0,), keep_together=True)
