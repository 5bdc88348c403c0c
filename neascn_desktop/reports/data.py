"""What the report builders need, as plain frozen values.

The builders (``readiness.py``, ``framework_report.py``, ``status_report.py``)
and the chart functions only read these dataclasses; ``collect.py`` fills them
from the database.  Keeping the two apart lets the builders be tested (and
benchmarked) with synthetic data, and lets the dashboard reuse the same values.

Every text in here is already in the report's language (labels chosen by the
collector); numbers are raw (the builders format them with Babel).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

# The band rule belongs to the surveys room: one rule for the GUI and the reports.
from neascn_desktop.surveys.scoring import BANDS as _SCORING_BANDS
from neascn_desktop.surveys.scoring import band_for

__all__ = ["BANDS", "band_for"]  # re-exported for the builders

#: Readiness band ids, lowest first, with their upper bound (inclusive).
BANDS: tuple[tuple[str, float], ...] = tuple((band, upper) for band, upper, _label in _SCORING_BANDS)

#: The share of scored questions a city must have answered for its index to be final:
#: below it the city is shown as *provisional*, never ranked and left out of the
#: network averages (docs/scoring.md, "Minimum coverage", gives the reasoning).
MIN_COVERAGE = 0.7


# ---------------------------------------------------------------- readiness


@dataclass(frozen=True)
class DomainInfo:
    """A readiness domain of the survey version, labelled in the report language."""

    id: str
    label: str
    description: str = ""
    weight: float = 1.0


@dataclass(frozen=True)
class DomainScore:
    """One city's result in one domain; ``score`` is ``None`` when nothing scorable was answered."""

    domain_id: str
    score: float | None
    coverage: float  # answered scorable items / scorable items, 0..1
    answered: int = 0
    scorable: int = 0


@dataclass(frozen=True)
class AnswerItem:
    """A question and its answer as displayed (choice labels, formatted numbers)."""

    question_name: str
    question_label: str
    answer_text: str
    section_label: str = ""
    domain_id: str | None = None
    score: float | None = None  # 0-100 for scored answers, None otherwise
    kind: str = ""  # the question type (text, integer, select_multiple …)
    #: For maturity scales and scored single choices: the description of the next level up
    #: (what the city would need to reach it); empty at the top level or for other types.
    next_level: str = ""
    #: The points of that next level and the item's weight in its domain (the roadmap
    #: computes how far raising it lifts the domain score).
    next_score: float | None = None
    weight: float = 1.0


@dataclass(frozen=True)
class ProjectItem:
    """One project of a city's pipeline (the survey's ``projects`` repeat), labelled."""

    city_id: str
    city_name: str
    name: str
    sector: str = ""  # choice labels in the report language; "" when unanswered
    stage: str = ""
    stage_order: int = -1  # position of the stage in its choice list (idea first)
    financing: tuple[str, ...] = ()
    investment: float | None = None  # in millions of ``currency``
    currency: str = ""  # the currency's label, e.g. "US dollar (USD)"


@dataclass(frozen=True)
class ScoringRule:
    """One scored question as the scoring annex prints it."""

    question_label: str
    domain_id: str
    kind: str  # scale | select_one | yes_no | select_multiple | integer | decimal | calculate
    weight: float = 1.0
    #: Scored choices as (label, points), form order; "don't know" (no points) left out.
    choices: tuple[tuple[str, float], ...] = ()
    thresholds: tuple[float, ...] = ()
    descending: bool = False  # lower is better (debt service)
    source: str = ""


@dataclass(frozen=True)
class EvidenceItem:
    """An attachment given as evidence for a question."""

    question_label: str
    filename: str
    size: int = 0
    media_type: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class CityReadiness:
    """A city with its latest (preferably finalized) submission's scores."""

    city_id: str
    name: str
    country: str = ""
    population: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    index: float | None = None  # overall readiness index 0-100
    coverage: float = 0.0  # overall coverage 0..1
    domain_scores: tuple[DomainScore, ...] = ()
    answers: tuple[AnswerItem, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    submission_status: str | None = None  # "finalized" | "in_progress" | None (no submission)
    enumerator: str = ""
    updated_at: datetime | None = None

    @property
    def band(self) -> str | None:
        return band_for(self.index)

    @property
    def answered(self) -> bool:
        return self.submission_status is not None

    @property
    def ranked(self) -> bool:
        """Whether the index is final: answered enough of the survey to be compared."""
        return self.index is not None and self.coverage >= MIN_COVERAGE - 1e-9

    @property
    def provisional(self) -> bool:
        """Answered, but too little to be scored for good (see :data:`MIN_COVERAGE`)."""
        return self.answered and not self.ranked

    def score_of(self, domain_id: str) -> DomainScore | None:
        for item in self.domain_scores:
            if item.domain_id == domain_id:
                return item
        return None


@dataclass(frozen=True)
class QuestionnaireItem:
    """One question of the annex: name, label, type, choices (labels) and domain."""

    name: str
    label: str
    type: str
    domain_id: str | None = None
    choices: tuple[str, ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class QuestionnaireSection:
    name: str
    label: str
    questions: tuple[QuestionnaireItem, ...] = ()


@dataclass(frozen=True)
class ReadinessReportData:
    """Everything the readiness report shows, in one language."""

    language: str
    form_id: str
    form_version: str
    form_title: str
    generated_at: datetime
    domains: tuple[DomainInfo, ...]
    cities: tuple[CityReadiness, ...]
    questionnaire: tuple[QuestionnaireSection, ...] = ()
    sources: tuple[str, ...] = ()
    cities_total: int | None = None  # cities known to the network (≥ len(cities) when subset)
    #: Every city of the network with its scores (answers may be left out), when the report
    #: prints only some of them; empty means ``cities`` is the whole network.  Network
    #: figures (averages, counts, ranks) always come from here, never from the selection.
    network: tuple[CityReadiness, ...] = ()
    #: How each scored question turns an answer into points (the scoring annex), form order.
    scoring: tuple[ScoringRule, ...] = ()
    #: The previous survey round (the newest older version of the form with answers): every
    #: city's scores then, without answers; None when there was none.
    previous: ReadinessReportData | None = None
    #: The projects of the network's cities (every city, whichever profiles are printed);
    #: None when the survey version has no project repeat.
    projects: tuple[ProjectItem, ...] | None = None

    @property
    def network_cities(self) -> tuple[CityReadiness, ...]:
        return self.network or self.cities

    @cached_property
    def network_by_id(self) -> dict[str, CityReadiness]:
        return {c.city_id: c for c in self.network_cities}

    @cached_property
    def scored_cities(self) -> tuple[CityReadiness, ...]:
        """The network's ranked cities (coverage at least :data:`MIN_COVERAGE`), best first."""
        return tuple(sorted((c for c in self.network_cities if c.ranked),
                            key=lambda c: (-(c.index or 0.0), c.city_id)))

    @property
    def provisional_cities(self) -> tuple[CityReadiness, ...]:
        return tuple(c for c in self.network_cities if c.provisional)

    @cached_property
    def _ascending_values(self) -> dict[str | None, list[float]]:
        """Per domain (None: the index) the ranked cities' scores, ascending, for ranks by bisect."""
        values: dict[str | None, list[float]] = {None: sorted(c.index or 0.0
                                                              for c in self.scored_cities)}
        for city in self.scored_cities:
            for item in city.domain_scores:
                if item.score is not None:
                    values.setdefault(item.domain_id, []).append(item.score)
        for items in values.values():
            items.sort()
        return values

    def _rank(self, key: str | None, value: float) -> tuple[int, int]:
        values = self._ascending_values.get(key, [])
        return 1 + len(values) - bisect_right(values, value), len(values)

    def rank_of(self, city: CityReadiness) -> int | None:
        """The city's rank in the network (1 = most ready; ties share a rank), None if unranked."""
        if not city.ranked or city.index is None:
            return None
        return self._rank(None, city.index)[0]

    def domain_rank(self, city: CityReadiness, domain_id: str) -> tuple[int, int] | None:
        """(rank, ranked cities with a score) of a ranked city in one domain."""
        own = city.score_of(domain_id)
        if not city.ranked or own is None or own.score is None:
            return None
        return self._rank(domain_id, own.score)

    def domain_best(self, domain_id: str) -> float | None:
        values = self._ascending_values.get(domain_id)
        return values[-1] if values else None

    def domain_average(self, domain_id: str) -> float | None:
        values = self._ascending_values.get(domain_id)
        return sum(values) / len(values) if values else None

    @property
    def index_average(self) -> float | None:
        values = [c.index for c in self.scored_cities if c.index is not None]
        return sum(values) / len(values) if values else None

    @property
    def coverage_average(self) -> float | None:
        values = [c.coverage for c in self.network_cities if c.answered]
        return sum(values) / len(values) if values else None

    @property
    def round_dates(self) -> tuple[datetime, datetime] | None:
        """First and last update of the answers in the network (the survey round's span)."""
        times = [c.updated_at for c in self.network_cities if c.updated_at is not None]
        return (min(times), max(times)) if times else None


# ---------------------------------------------------------------- framework


@dataclass(frozen=True)
class FrameworkSectionData:
    """A framework section in document order; ``depth`` 0 is a top-level chapter."""

    id: str
    depth: int
    title: str
    body: str  # Markdown
    status: str = "draft"  # draft | in_review | agreed
    owner: str = ""
    language: str = ""  # the language it is written in ("" = the report's)


@dataclass(frozen=True)
class FrameworkCommentData:
    """An open (unresolved) comment on a section."""

    id: str
    section_id: str
    author: str
    text: str
    created_at: datetime | None = None
    reply_to: str | None = None


@dataclass(frozen=True)
class FrameworkReportData:
    language: str
    title: str
    generated_at: datetime
    sections: tuple[FrameworkSectionData, ...]
    comments: tuple[FrameworkCommentData, ...] = ()


def section_numbers(depths: list[int] | tuple[int, ...]) -> list[str]:
    """Outline numbers ("1", "1.1", "1.2", "2") for sections given in document order by depth.

    A depth that jumps by more than one level is clamped to one deeper than
    its predecessor, so a malformed tree still numbers without gaps.
    """
    counters: list[int] = []
    numbers: list[str] = []
    for depth in depths:
        depth = max(0, min(depth, len(counters)))
        del counters[depth + 1 :]
        if len(counters) == depth:
            counters.append(0)
        counters[depth] += 1
        numbers.append(".".join(str(c) for c in counters[: depth + 1]))
    return numbers


# ---------------------------------------------------------------- status


@dataclass(frozen=True)
class SubmissionStatusRow:
    """One submission's current state (no answers: the status report only counts)."""

    submission_id: str
    city_id: str
    device_id: str
    status: str  # in_progress | finalized
    enumerator: str = ""
    updated_at: datetime | None = None


@dataclass(frozen=True)
class DeviceImport:
    """The last package imported from a device (from the sync audit log)."""

    device_id: str
    device_name: str
    last_import_at: datetime | None
    packages: int = 0


@dataclass(frozen=True)
class ConflictItem:
    entity_type: str
    entity_id: str
    label: str = ""
    heads: int = 2


@dataclass(frozen=True)
class CityRef:
    city_id: str
    name: str
    country: str = ""


@dataclass(frozen=True)
class StatusReportData:
    language: str
    generated_at: datetime
    form_version: str | None
    cities: tuple[CityRef, ...]
    submissions: tuple[SubmissionStatusRow, ...]
    device_names: tuple[tuple[str, str], ...] = ()  # (device_id, display name)
    imports: tuple[DeviceImport, ...] = ()
    conflicts: tuple[ConflictItem, ...] = ()
    local_device_id: str = ""  # this installation's device: its submissions were never imported

    def device_name(self, device_id: str) -> str:
        for known, name in self.device_names:
            if known == device_id:
                return name
        for item in self.imports:
            if item.device_id == device_id and item.device_name:
                return item.device_name
        return device_id[:8]
