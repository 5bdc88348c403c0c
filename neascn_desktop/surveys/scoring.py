"""The readiness index: a pure function from a submission's answers to domain scores.

See ``docs/scoring.md``.  Each scorable question that is relevant gives 0–100
(choice score; thresholds for numbers); unanswered and "don't know" answers
are left out of the mean and lower the coverage instead of counting as zero.
A domain's score is the weighted mean of its items; the overall index is the
weighted mean of the domain scores that exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from neascn_desktop.i18n import N_, translate_in
from neascn_desktop.surveys.definition import Question, SurveyDefinition
from neascn_desktop.surveys.validation import evaluate_form

#: Band ids with their upper bound (inclusive) and display name.
BANDS: tuple[tuple[str, float, str], ...] = (
    ("nascent", 20.0, N_("Nascent")),
    ("emerging", 40.0, N_("Emerging")),
    ("developing", 60.0, N_("Developing")),
    ("advanced", 80.0, N_("Advanced")),
    ("leading", 100.0, N_("Leading")),
)
THRESHOLD_SCORES = (0.0, 25.0, 50.0, 75.0, 100.0)


@dataclass(frozen=True)
class DomainScore:
    domain_id: str
    score: float | None
    coverage: float
    answered: int
    scorable: int
    weight: float

    @property
    def band(self) -> str | None:
        return band_for(self.score)


@dataclass(frozen=True)
class ReadinessScore:
    domains: tuple[DomainScore, ...]
    overall: float | None
    coverage: float
    answered: int
    scorable: int

    @property
    def band(self) -> str | None:
        return band_for(self.overall)

    def domain(self, domain_id: str) -> DomainScore | None:
        return next((d for d in self.domains if d.domain_id == domain_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": _rounded(self.overall),
            "band": self.band,
            "coverage": round(self.coverage, 4),
            "answered": self.answered,
            "scorable": self.scorable,
            "domains": {
                d.domain_id: {"score": _rounded(d.score), "band": d.band,
                              "coverage": round(d.coverage, 4), "answered": d.answered,
                              "scorable": d.scorable}
                for d in self.domains
            },
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def band_for(score: float | None) -> str | None:
    """The band of a score as it is shown: rounded to a whole number first (20.4 shows as 20,
    which is "nascent", so the band must agree)."""
    if score is None:
        return None
    shown = round(score)  # half to even, as Babel formats the number
    for band_id, upper, _label in BANDS:
        if shown <= upper:
            return band_id
    return BANDS[-1][0]


def band_label(band_id: str | None, language: str) -> str:
    for candidate, _upper, label in BANDS:
        if candidate == band_id:
            return translate_in(language, label)
    return ""


def is_scorable(definition: SurveyDefinition, q: Question) -> bool:
    """Whether a question feeds the index (it has a domain and a way to turn answers into 0–100)."""
    if q.domain is None or q.weight <= 0:
        return False
    if q.type in ("select_one", "select_multiple", "scale", "yes_no"):
        return any(c.score is not None for c in definition.choices_for(q))
    if q.type in ("integer", "decimal", "calculate"):
        return q.thresholds is not None
    return False


def item_score(definition: SurveyDefinition, q: Question, value: Any) -> float | None:
    """The 0–100 score of one answer, or ``None`` when it does not count (unanswered, don't know)."""
    if value is None or value == "" or value == []:
        return None
    if q.type in ("select_one", "scale", "yes_no"):
        choice = definition.choice(q, str(value))
        return None if choice is None else choice.score
    if q.type == "select_multiple":
        scores = [c.score for name in value if (c := definition.choice(q, name)) is not None]
        known = [s for s in scores if s is not None]
        # Several practices in place add up (capped at 100); only "don't know" gives no score.
        return min(100.0, sum(known)) if known else None
    if q.thresholds is not None:
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        level = sum(1 for t in q.thresholds if number >= t)
        if q.thresholds_descending:  # lower is better: below the first threshold is the best level
            level = len(q.thresholds) - level
        return THRESHOLD_SCORES[level]
    return None


def score_submission(definition: SurveyDefinition, answers: Mapping[str, Any]) -> ReadinessScore:
    """Domain scores, coverage and overall index of one submission's answers."""
    state = evaluate_form(definition, answers)
    per_domain: dict[str, list[tuple[float, float | None]]] = {d.id: [] for d in definition.domains}
    for q in definition.questions:
        if not is_scorable(definition, q) or not state.is_relevant(q.key or q.name):
            continue
        assert q.domain is not None
        per_domain.setdefault(q.domain, []).append(
            (q.weight, item_score(definition, q, state.values.get(q.key or q.name))))
    domain_scores: list[DomainScore] = []
    total_answered = total_scorable = 0
    for domain in definition.domains:
        items = per_domain.get(domain.id, [])
        counted = [(w, s) for w, s in items if s is not None]
        weight_sum = sum(w for w, _s in counted)
        score = sum(w * s for w, s in counted) / weight_sum if weight_sum > 0 else None
        domain_scores.append(DomainScore(
            domain_id=domain.id, score=score,
            coverage=len(counted) / len(items) if items else 0.0,
            answered=len(counted), scorable=len(items), weight=domain.weight))
        total_answered += len(counted)
        total_scorable += len(items)
    weighted = [(d.weight, d.score) for d in domain_scores if d.score is not None and d.weight > 0]
    weight_total = sum(w for w, _s in weighted)
    overall = sum(w * s for w, s in weighted) / weight_total if weight_total > 0 else None
    return ReadinessScore(
        domains=tuple(domain_scores), overall=overall,
        coverage=total_answered / total_scorable if total_scorable else 0.0,
        answered=total_answered, scorable=total_scorable,
    )
