"""From the database to the report values of ``data.py`` (the only module of reports that reads it).

Uses the other rooms' use cases: surveys (definitions, cities, submissions,
scoring), framework (sections, comments), the revision log (conflicts) and
the sync room's package records (last import per device).  Everything is put
in the report's language here, so the builders stay pure.

Demo responses loaded into a real profile (``demo.marks``) never enter a report.

Which submission speaks for a city: its finalized one if any, else its newest
draft; among several of the same kind, the most recently updated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from neascn_desktop.demo.marks import without_demo
from neascn_desktop.i18n import translate_in
from neascn_desktop.i18n.formatting import format_date, format_number
from neascn_desktop.reports.data import (
    AnswerItem,
    CityReadiness,
    CityRef,
    ConflictItem,
    DeviceImport,
    DomainInfo,
    DomainScore,
    EvidenceItem,
    FrameworkCommentData,
    FrameworkReportData,
    FrameworkSectionData,
    QuestionnaireItem,
    QuestionnaireSection,
    ReadinessReportData,
    ScoringRule,
    StatusReportData,
    SubmissionStatusRow,
)
from neascn_desktop.reports.document import ReportError
from neascn_desktop.reports.pipeline import has_pipeline, projects_of

_STATUS_RANK = {"in_progress": 1, "finalized": 2}


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _check_cities(known: Sequence[Any], wanted: Sequence[str] | None) -> list[Any]:
    if not wanted:
        return list(known)
    by_id = {c.id: c for c in known}
    chosen = []
    for city_id in wanted:
        if city_id not in by_id:
            folded = city_id.casefold()
            matches = [c for c in known if folded in {n.casefold() for n in c.name.values()}]
            if len(matches) != 1:
                raise ReportError(_no_city(city_id))
            chosen.append(matches[0])
        else:
            chosen.append(by_id[city_id])
    return chosen


def _no_city(city_id: str) -> str:
    from neascn_desktop.i18n import _

    return _("There is no city {city}.").format(city=city_id)


# --------------------------------------------------------------------------- readiness


def answer_text(definition: Any, question: Any, value: Any, language: str,
                attachments: dict[str, Any]) -> str:
    """An answer as a reader sees it: choice labels, formatted numbers and dates, file names."""
    if question.type in ("select_one", "scale", "yes_no"):
        choice = definition.choice(question, str(value))
        return choice.label_in(language) if choice else str(value)
    if question.type == "select_multiple":
        names = value if isinstance(value, list) else str(value).split()
        labels = [(c.label_in(language) if (c := definition.choice(question, n)) else n)
                  for n in names]
        return translate_in(language, ", ").join(labels)
    if question.type in ("integer", "decimal", "calculate") and isinstance(value, int | float) \
            and not isinstance(value, bool):
        return format_number(value, language)
    if question.type == "date":
        try:
            return format_date(date.fromisoformat(str(value)), language)
        except ValueError:
            return str(value)
    if question.type == "attachment":
        info = attachments.get(question.name)
        if isinstance(info, dict) and info.get("filename"):
            return str(info["filename"])
    return str(value)


def _next_level(definition: Any, question: Any, score: float | None,
                language: str) -> tuple[str, float | None]:
    """The label and points of the choice one step above ``score`` on a scored single choice."""
    if score is None or question.type not in ("scale", "select_one"):
        return "", None
    higher = [c for c in definition.choices_for(question)
              if c.score is not None and c.score > score]
    if not higher:
        return "", None
    step = min(higher, key=lambda c: c.score)
    return step.label_in(language), float(step.score)


def scoring_rules(definition: Any, language: str) -> tuple[ScoringRule, ...]:
    """Every scored question with its points per answer, weight and source (the scoring annex)."""
    from neascn_desktop.surveys import scoring

    rules = []
    for _section, question in definition.walk():
        if question.domain is None or not scoring.is_scorable(definition, question):
            continue
        choices = tuple((c.label_in(language), float(c.score))
                        for c in definition.choices_for(question) if c.score is not None) \
            if question.choices else ()
        rules.append(ScoringRule(
            question_label=question.label_in(language), domain_id=question.domain,
            kind=question.type, weight=question.weight, choices=choices,
            thresholds=tuple(question.thresholds or ()),
            descending=question.thresholds_descending, source=question.source or ""))
    return tuple(rules)


def _best_per_city(submissions: Sequence[Any]) -> dict[str, Any]:
    best: dict[str, Any] = {}
    for submission in submissions:
        current = best.get(submission.city_id)
        key = (_STATUS_RANK.get(submission.status, 0), submission.updated_at)
        if current is None or key > (_STATUS_RANK.get(current.status, 0), current.updated_at):
            best[submission.city_id] = submission
    return best


def collect_readiness(
    db: Any,
    language: str,
    city_ids: Sequence[str] | None = None,
    form_version: str | None = None,
    form_id: str | None = None,
    now: datetime | None = None,
) -> ReadinessReportData:
    """The readiness report's values: every city (or the chosen ones) of one survey version."""
    from neascn_desktop.surveys.definition import BUILTIN_FORM_ID
    from neascn_desktop.surveys.service import get_definition, list_cities, list_submissions

    definition = get_definition(db, form_id or BUILTIN_FORM_ID, form_version)
    all_cities = list_cities(db)
    cities = _check_cities(all_cities, city_ids)
    every_version = without_demo(db, list_submissions(db, form_id=definition.form_id), "id")
    submissions = [s for s in every_version if s.form_version == definition.version]
    best = _best_per_city(submissions)

    domains = tuple(
        DomainInfo(id=d.id, label=d.label_in(language),
                   description=(d.description.get(language) or d.description.get("en", ""))
                   if d.description else "",
                   weight=d.weight)
        for d in definition.domains
    )
    section_labels = {s.name: s.label_in(language) for s in definition.sections}
    chosen = {c.id for c in cities}
    result = []
    network = []
    # Every city of the network is scored (network averages, counts and ranks never come from
    # the selection); answers and evidence only for the cities whose profiles are printed.
    for city in all_cities:
        detailed = _city_readiness(definition, city, best.get(city.id), language, section_labels,
                                   detail=city.id in chosen)
        network.append(detailed)
    by_id = {c.city_id: c for c in network}
    result = [by_id[c.id] for c in cities]
    questionnaire = tuple(
        QuestionnaireSection(
            name=section.name, label=section.label_in(language),
            questions=tuple(
                QuestionnaireItem(
                    name=q.name, label=q.label_in(language), type=q.type, domain_id=q.domain,
                    choices=tuple(c.label_in(language) for c in definition.choices_for(q)),
                    hint=q.hint_in(language),
                )
                for q in section.questions if q.type != "calculate"
            ),
        )
        for section in definition.sections
    )
    return ReadinessReportData(
        language=language, form_id=definition.form_id, form_version=definition.version,
        form_title=definition.title_in(language), generated_at=now or datetime.now(UTC),
        domains=domains, cities=tuple(result), questionnaire=questionnaire,
        sources=tuple(definition.sources), cities_total=len(all_cities),
        network=tuple(network) if len(result) < len(network) else (),
        scoring=scoring_rules(definition, language),
        previous=_previous_round(db, definition, every_version, all_cities, language, now),
        projects=tuple(project for city in all_cities if (submission := best.get(city.id))
                       for project in projects_of(definition, city.id, city.name_in(language),
                                                  submission.answers, language))
        if has_pipeline(definition) else None,
    )


def _previous_round(db: Any, definition: Any, submissions: Sequence[Any], cities: Sequence[Any],
                    language: str, now: datetime | None) -> ReadinessReportData | None:
    """The network's scores in the newest older version of the form that has answers."""
    from neascn_desktop.surveys.service import get_definition, list_definitions

    answered = {s.form_version for s in submissions}
    versions = [i.version for i in list_definitions(db) if i.form_id == definition.form_id]
    older = versions[versions.index(definition.version) + 1:] \
        if definition.version in versions else []
    version = next((v for v in older if v in answered), None)
    if version is None:
        return None
    earlier = get_definition(db, definition.form_id, version)
    best = _best_per_city([s for s in submissions if s.form_version == version])
    section_labels = {s.name: s.label_in(language) for s in earlier.sections}
    network = tuple(_city_readiness(earlier, city, best.get(city.id), language, section_labels,
                                    detail=False) for city in cities)
    domains = tuple(DomainInfo(id=d.id, label=d.label_in(language), weight=d.weight)
                    for d in earlier.domains)
    return ReadinessReportData(
        language=language, form_id=earlier.form_id, form_version=earlier.version,
        form_title=earlier.title_in(language), generated_at=now or datetime.now(UTC),
        domains=domains, cities=network, cities_total=len(cities))


def _city_readiness(definition: Any, city: Any, submission: Any, language: str,
                    section_labels: dict[str, str], *, detail: bool) -> CityReadiness:
    """One city's scores; with ``detail`` also its answers and evidence as the profile prints them."""
    from neascn_desktop.surveys import scoring

    base = dict(city_id=city.id, name=city.name_in(language), country=city.country,
                population=city.population, latitude=city.latitude, longitude=city.longitude)
    if submission is None:
        return CityReadiness(**base)
    score = scoring.score_submission(definition, submission.answers)
    answers = []
    attachments = {k: dict(v) for k, v in submission.attachments.items()}
    for section, question in (definition.walk() if detail else ()):
        if question.type == "note" or question.name not in submission.answers:
            continue
        value = submission.answers[question.name]
        if value is None or value == "" or value == []:
            continue
        item = (scoring.item_score(definition, question, value)
                if scoring.is_scorable(definition, question) else None)
        step, step_score = _next_level(definition, question, item, language)
        answers.append(AnswerItem(
            question_name=question.name, question_label=question.label_in(language),
            answer_text=answer_text(definition, question, value, language, attachments),
            section_label=section_labels.get(section.name, section.name),
            domain_id=question.domain, score=item, kind=question.type,
            next_level=step, next_score=step_score, weight=question.weight,
        ))
    evidence = tuple(
        EvidenceItem(
            question_label=(definition.question(name).label_in(language)
                            if definition.has_question(name) else name),
            filename=str(info.get("filename", "")), size=int(info.get("size", 0) or 0),
            media_type=str(info.get("media_type", "")), sha256=str(info.get("sha256", "")),
        )
        for name, info in attachments.items()
    ) if detail else ()
    return CityReadiness(
        **base, index=score.overall, coverage=score.coverage,
        domain_scores=tuple(DomainScore(d.domain_id, d.score, d.coverage, d.answered,
                                        d.scorable) for d in score.domains),
        answers=tuple(answers), evidence=evidence, submission_status=submission.status,
        enumerator=submission.enumerator, updated_at=_parse_time(submission.updated_at),
    )


# --------------------------------------------------------------------------- framework


def collect_framework(db: Any, language: str, title: str | None = None,
                      now: datetime | None = None) -> FrameworkReportData:
    """The framework document as it stands on this device (working copies included)."""
    from neascn_desktop.framework.service import device_names, list_comments, list_sections

    sections = list_sections(db)
    names = device_names(db)
    ids = {s.id for s in sections}
    comments = tuple(
        FrameworkCommentData(
            id=c.id, section_id=c.section_id,
            author=c.author or names.get(c.device_id, c.device_id[:8]), text=c.text,
            created_at=_parse_time(c.created_at), reply_to=c.reply_to,
        )
        for c in list_comments(db) if not c.resolved and c.section_id in ids
    )
    return FrameworkReportData(
        language=language,
        title=title or translate_in(language, "Framework of the Northeast Asia Smart Cities Network"),
        generated_at=now or datetime.now(UTC),
        sections=tuple(
            FrameworkSectionData(id=s.id, depth=s.depth, title=s.title, body=s.body,
                                 status=s.status, owner=s.owner, language=s.language)
            for s in sections
        ),
        comments=comments,
    )


# --------------------------------------------------------------------------- status


def collect_status(db: Any, language: str, form_version: str | None = None,
                   city_ids: Sequence[str] | None = None, form_id: str | None = None,
                   now: datetime | None = None) -> StatusReportData:
    """Collection status: every submission's state, devices, last imports, open conflicts."""
    from neascn_desktop import replica
    from neascn_desktop.framework.service import device_names
    from neascn_desktop.surveys.service import list_cities, list_submissions

    cities = _check_cities(list_cities(db), city_ids)
    wanted = {c.id for c in cities}
    submissions = [
        s for s in without_demo(db, list_submissions(db, form_id=form_id), "id")
        if s.city_id in wanted and (form_version is None or s.form_version == form_version)
    ]
    rows = tuple(
        SubmissionStatusRow(submission_id=s.id, city_id=s.city_id, device_id=s.device_id,
                            status=s.status, enumerator=s.enumerator,
                            updated_at=_parse_time(s.updated_at))
        for s in submissions
    )
    names = dict(device_names(db))
    for s in submissions:  # enumerator names for devices not trusted here (demo, old keys)
        names.setdefault(s.device_id, s.enumerator or s.device_id[:8])
    city_names = {c.id: c.name_in(language) for c in cities}
    conflicts = []
    for conflict in replica.conflicts(db):
        label = ""
        head = conflict.heads[0].payload if conflict.heads else {}
        if conflict.entity_type == "submission":
            label = city_names.get(str(head.get("city_id")), str(head.get("city_id", "")))
        elif isinstance(head.get("title"), str):
            label = head["title"]
        elif isinstance(head.get("name"), dict):
            label = head["name"].get(language) or head["name"].get("en", "")
        conflicts.append(ConflictItem(conflict.entity_type, conflict.entity_id, label,
                                      len(conflict.heads)))
    return StatusReportData(
        language=language, generated_at=now or datetime.now(UTC), form_version=form_version,
        cities=tuple(CityRef(c.id, c.name_in(language), c.country) for c in cities),
        submissions=rows, device_names=tuple(sorted(names.items())),
        imports=tuple(_last_imports(db)), conflicts=tuple(conflicts),
        local_device_id=_local_device_id(db),
    )


def _local_device_id(db: Any) -> str:
    from neascn_desktop.identity.profile import load_profile

    profile = load_profile(db)
    return profile.device_id if profile is not None else ""


def _last_imports(db: Any) -> list[DeviceImport]:
    """Per sending device: the time of its last imported package and how many were imported."""
    from sqlalchemy import func, select

    from neascn_desktop.sync.models import PackageRow

    with db.session() as session:
        rows = session.execute(
            select(PackageRow.sender_device_id, func.max(PackageRow.sender_name),
                   func.max(PackageRow.imported_at), func.count())
            .group_by(PackageRow.sender_device_id)
        ).all()
    result = []
    for device_id, name, last, count in rows:
        result.append(DeviceImport(device_id, name or device_id[:8], last, int(count)))
    return result
