"""The network's project pipeline: projects by sector, stage and financing, and their investment.

Read from the built-in survey's ``projects`` repeat (survey 2026.2 and later:
name, sector, stage, financing sources, total investment in millions and its
currency).  Investment totals are given per currency: the report converts
nothing, since no exchange rate is part of the data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from neascn_desktop.i18n import translate_in
from neascn_desktop.i18n.formatting import format_number
from neascn_desktop.reports.collation import collation_key
from neascn_desktop.reports.data import ProjectItem, ReadinessReportData
from neascn_desktop.reports.document import ReportDocument

REPEAT = "projects"


def has_pipeline(definition: Any) -> bool:
    scopes = getattr(definition, "answer_scopes", None)
    return scopes is not None and "" in scopes and REPEAT in scopes[""].repeats


def projects_of(definition: Any, city_id: str, city_name: str, answers: Mapping[str, Any],
                language: str) -> list[ProjectItem]:
    """A city's projects from its answers (instances that are not objects are skipped)."""
    if not has_pipeline(definition):
        return []
    repeat = definition.answer_scopes[""].repeats[REPEAT]
    questions = definition.answer_scopes[repeat.path].questions
    instances = answers.get(REPEAT)
    if not isinstance(instances, list):
        return []

    def label(key: str, value: Any) -> str:
        question = questions.get(key)
        if question is None or not isinstance(value, str) or not value:
            return ""
        choice = definition.choice(question, value)
        return choice.label_in(language) if choice else ""

    def order(key: str, value: Any) -> int:
        question = questions.get(key)
        if question is None:
            return -1
        names = [c.name for c in definition.choices_for(question)]
        return names.index(value) if value in names else -1

    result = []
    for instance in instances:
        if not isinstance(instance, Mapping):
            continue
        financing = instance.get("proj_financing")
        names = financing if isinstance(financing, list) else []
        investment = instance.get("proj_investment")
        amount = float(investment) if isinstance(investment, int | float) and \
            not isinstance(investment, bool) and investment >= 0 else None
        result.append(ProjectItem(
            city_id=city_id, city_name=city_name,
            name=str(instance.get("proj_name") or "").strip(),
            sector=label("proj_sector", instance.get("proj_sector")),
            stage=label("proj_stage", instance.get("proj_stage")),
            stage_order=order("proj_stage", instance.get("proj_stage")),
            financing=tuple(text for n in names if (text := label("proj_financing", n))),
            investment=amount,
            currency=label("proj_currency", instance.get("proj_currency")) if amount is not None
            else ""))
    return result


def _totals(projects: Sequence[ProjectItem], language: str) -> str:
    """Investment per currency, one line each ("120.5 US dollar (USD)")."""
    sums: dict[str, float] = defaultdict(float)
    for project in projects:
        if project.investment is not None:
            sums[project.currency or "–"] += project.investment
    if not sums:
        return "–"
    return "\n".join(translate_in(language, "{amount} {currency}").format(
        amount=format_number(total, language, digits=1), currency=currency)
        for currency, total in sorted(sums.items(), key=lambda item: -item[1]))


def write_pipeline(doc: ReportDocument, data: ReadinessReportData) -> None:
    """The pipeline chapter: counts, by sector, by stage, by financing source, then every project."""
    projects = data.projects
    if projects is None:
        return
    lang = data.language
    unknown = translate_in(lang, "Not stated")
    doc.page_break()
    doc.heading(translate_in(lang, "Project pipeline"), 1)
    if not projects:
        doc.paragraph(translate_in(lang, "No city has reported a project yet."))
        return
    cities = {p.city_id for p in projects}
    doc.paragraph(translate_in(
        lang,
        "Projects reported: {projects}; cities that reported them: {cities}. Investment is given "
        "in millions of the currency the city used; totals are per currency, without conversion.",
    ).format(projects=format_number(len(projects), lang), cities=format_number(len(cities), lang)))

    by_sector: dict[str, list[ProjectItem]] = defaultdict(list)
    for project in projects:
        by_sector[project.sector or unknown].append(project)
    collate = collation_key(lang)
    doc.table_caption(translate_in(lang, "Projects by sector"))
    doc.table([translate_in(lang, "Sector"), translate_in(lang, "Projects"),
               translate_in(lang, "Cities"), translate_in(lang, "Total investment (millions)")],
              [[sector, format_number(len(items), lang),
                format_number(len({p.city_id for p in items}), lang), _totals(items, lang)]
               for sector, items in sorted(by_sector.items(),
                                           key=lambda item: (-len(item[1]), collate(item[0])))],
              widths_mm=(56, 22, 22, 66), numeric=(1, 2))

    stages: dict[tuple[int, str], list[ProjectItem]] = defaultdict(list)
    for project in projects:
        stages[(project.stage_order, project.stage or unknown)].append(project)
    doc.table_caption(translate_in(lang, "Projects by stage of preparation"))
    doc.table([translate_in(lang, "Stage"), translate_in(lang, "Projects"),
               translate_in(lang, "Total investment (millions)")],
              [[stage, format_number(len(items), lang), _totals(items, lang)]
               for (_order, stage), items in sorted(
                   stages.items(), key=lambda item: (item[0][0] < 0, item[0][0]))],
              widths_mm=(80, 22, 64), numeric=(1,))

    sources = Counter(source for p in projects for source in p.financing)
    if sources:
        doc.table_caption(translate_in(lang, "Projects by source of financing"))
        doc.table([translate_in(lang, "Source of financing"), translate_in(lang, "Projects")],
                  [[source, format_number(count, lang)] for source, count in
                   sorted(sources.items(), key=lambda item: (-item[1], collate(item[0])))],
                  widths_mm=(110, 30), numeric=(1,))
        doc.paragraph(translate_in(
            lang, "A project may name several sources, so the counts add up to more than the "
                  "number of projects."), "Caption")

    doc.table_caption(translate_in(lang, "Every project, by city"))
    ordered = sorted(projects, key=lambda p: (collate(p.city_name), -p.stage_order, p.name))
    doc.table([translate_in(lang, "City"), translate_in(lang, "Project"),
               translate_in(lang, "Sector"), translate_in(lang, "Stage"),
               translate_in(lang, "Financing"), translate_in(lang, "Investment (millions)")],
              [[p.city_name, p.name or "–", p.sector or unknown, p.stage or unknown,
                "\n".join(p.financing) or "–",
                "–" if p.investment is None else translate_in(lang, "{amount} {currency}").format(
                    amount=format_number(p.investment, lang, digits=1), currency=p.currency or "–")]
               for p in ordered],
              widths_mm=(24, 36, 24, 26, 30, 26), numeric=(5,))
