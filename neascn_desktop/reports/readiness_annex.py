"""The readiness report's front matter (foreword, abbreviations) and annexes (scoring, questionnaire).

The scoring annex makes the index checkable: for every scored question the
points each answer gives (maturity levels, choices, the thresholds of numbers),
its weight in its domain and the published instrument it draws on
(docs/scoring.md states the same rules).
"""

from __future__ import annotations

from functools import lru_cache

from neascn_desktop.i18n import N_, translate_in
from neascn_desktop.i18n.formatting import format_number
from neascn_desktop.reports.data import ReadinessReportData, ScoringRule
from neascn_desktop.reports.document import ReportDocument
from neascn_desktop.reports.labels import question_type_label

#: Abbreviations the report and the built-in survey's questions and sources use.
ABBREVIATIONS = (
    ("ADB", N_("Asian Development Bank")),
    ("CSCO", N_("Chief Smart City Officer")),
    ("EIU", N_("Economist Intelligence Unit")),
    ("ICT", N_("information and communication technology")),
    ("IoT", N_("Internet of Things")),
    ("ISO", N_("International Organization for Standardization")),
    ("ITU", N_("International Telecommunication Union")),
    ("NEASCN", N_("Northeast Asia Smart Cities Network")),
    ("PPP", N_("public-private partnership")),
    ("SCAP", N_("Smart City Action Plan")),
    ("U4SSC", N_("United for Smart Sustainable Cities")),
    ("WeGO", N_("World Smart Sustainable Cities Organization")),
)


@lru_cache(maxsize=512)
def _points(value: float, language: str) -> str:
    return format_number(round(value), language)


def _number(value: float, language: str) -> str:
    return format_number(value, language)


def front_matter(doc: ReportDocument, data: ReadinessReportData) -> None:
    """Foreword (for the secretariat to write) and abbreviations, after the contents."""
    lang = data.language
    doc.heading(translate_in(lang, "Foreword"), 1, numbered=False)
    doc.paragraph(translate_in(
        lang,
        "[The secretariat's foreword: the purpose of this round, thanks to the cities and "
        "partners. Replace this paragraph before publishing.]"), "Quote")
    doc.heading(translate_in(lang, "Abbreviations"), 1, numbered=False)
    doc.table([translate_in(lang, "Abbreviation"), translate_in(lang, "Meaning")],
              [[short, translate_in(lang, meaning)] for short, meaning in ABBREVIATIONS],
              widths_mm=(30, 110))


def rule_points(rule: ScoringRule, language: str) -> str:
    """How a question's answers turn into points, one line per level, choice or range."""
    lines = []
    if rule.thresholds:
        t = [_number(v, language) for v in rule.thresholds]
        points = [0.0, 25.0, 50.0, 75.0, 100.0]
        if rule.descending:
            points.reverse()
        lines.append(translate_in(language, "below {value}: {points}").format(
            value=t[0], points=_points(points[0], language)))
        for index in range(1, len(t)):
            lines.append(translate_in(language, "{low} to under {high}: {points}").format(
                low=t[index - 1], high=t[index], points=_points(points[index], language)))
        lines.append(translate_in(language, "{value} or more: {points}").format(
            value=t[-1], points=_points(points[len(t)], language)))
    elif rule.kind == "scale":
        for level, (_label, score) in enumerate(rule.choices, start=1):
            lines.append(translate_in(language, "Level {level}: {points}").format(
                level=format_number(level, language), points=_points(score, language)))
    else:
        if rule.kind == "select_multiple":
            lines.append(translate_in(language, "the sum of the chosen answers, at most 100:"))
        for label, score in rule.choices:
            lines.append(translate_in(language, "{answer}: {points}").format(
                answer=label, points=_points(score, language)))
    return "\n".join(lines)


def scoring_annex(doc: ReportDocument, data: ReadinessReportData, codes: dict[str, str]) -> None:
    """Every scored question: points per answer, weight and source, one table per domain."""
    if not data.scoring:
        return
    lang = data.language
    doc.page_break()
    doc.heading(translate_in(lang, "Annex: how answers are scored"), 1)
    doc.paragraph(translate_in(
        lang,
        "For every scored question: the points each answer gives (0 to 100), the question's "
        "weight in its domain and the published instrument it draws on. \"Don't know\" and "
        "unanswered questions give no points; they lower the coverage instead."))
    weights = {d.weight for d in data.domains}
    if len(weights) == 1:
        doc.paragraph(translate_in(
            lang,
            "All domains weigh the same ({weight}): the network has set no priorities between "
            "them, so the readiness index is the plain mean of the domain scores.",
        ).format(weight=format_number(weights.pop(), lang, digits=1)))
    else:
        doc.paragraph(translate_in(
            lang, "The domains' weights are given in the table of domains (Methodology)."))
    heavier = [r for r in data.scoring if r.weight > 1]
    if heavier:
        doc.paragraph(translate_in(
            lang,
            "Inside a domain a question weighs 1, except the key practice of its domain, on which "
            "the others build; it weighs more: {questions}.",
        ).format(questions=translate_in(lang, ", ").join(
            translate_in(lang, "{question} ({weight})").format(
                question=r.question_label, weight=format_number(r.weight, lang, digits=1))
            for r in heavier)))
    doc.paragraph(translate_in(
        lang,
        "Sources are cited by their published titles and indicator codes. The thresholds of "
        "numeric questions are the task force's first judgement; they will be recalibrated once "
        "a round shows the spread of answers."))
    labels = {d.id: d.label for d in data.domains}
    for domain in data.domains:
        rules = [r for r in data.scoring if r.domain_id == domain.id]
        if not rules:
            continue
        doc.heading(translate_in(lang, "{code} {domain}").format(
            code=codes.get(domain.id, ""), domain=labels[domain.id]), 2)
        doc.table([translate_in(lang, "Question"), translate_in(lang, "Points"),
                   translate_in(lang, "Weight"), translate_in(lang, "Source")],
                  [[r.question_label, rule_points(r, lang),
                    format_number(r.weight, lang, digits=1), r.source or "–"] for r in rules],
                  widths_mm=(50, 50, 16, 50), numeric=(2,))


def questionnaire_annex(doc: ReportDocument, data: ReadinessReportData,
                        codes: dict[str, str]) -> None:
    if not data.questionnaire:
        return
    lang = data.language
    doc.page_break()
    doc.heading(translate_in(lang, "Annex: the questionnaire"), 1)
    doc.paragraph(translate_in(lang, "{title}, questionnaire version {version}").format(
        title=data.form_title, version=data.form_version))
    for section in data.questionnaire:
        doc.heading(section.label, 2)
        rows = []
        for q in section.questions:
            # Label and hint only: the XLSForm names are for analysts (the data export has them).
            question = "\n".join(part for part in (q.label, q.hint) if part)
            rows.append([question, question_type_label(lang, q.type),
                         codes.get(q.domain_id or "", "–"), "\n".join(q.choices)])
        doc.table([translate_in(lang, "Question"), translate_in(lang, "Type"),
                   translate_in(lang, "Domain"), translate_in(lang, "Choices")],
                  rows, widths_mm=(64, 22, 16, 64))
