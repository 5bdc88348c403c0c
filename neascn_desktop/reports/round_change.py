"""Change since the previous survey round: the network's averages and each city's index, then and now.

The previous round is the newest older version of the form with answers
(``ReadinessReportData.previous``, from ``collect.py``).  Versions are never
mixed inside one score: each round is scored with its own definition, and
domains are compared by id (a domain new in this round has no "then").
Provisional figures (below the minimum coverage in either round) carry the
mark and stay out of the averages, as everywhere else in the report.
"""

from __future__ import annotations

from neascn_desktop.i18n import translate_in
from neascn_desktop.i18n.formatting import format_number
from neascn_desktop.reports.collation import collation_key
from neascn_desktop.reports.data import CityReadiness, ReadinessReportData
from neascn_desktop.reports.document import ReportDocument

PROVISIONAL_MARK = "*"


def _score(value: float | None, language: str) -> str:
    return "–" if value is None else format_number(round(value), language)


def signed(change: float | None, language: str) -> str:
    """A change in points with its sign ("+5", "−3", "0"), in the language's digits."""
    if change is None:
        return "–"
    whole = round(change)
    text = format_number(whole, language)
    return f"+{text}" if whole > 0 else text


def city_then(data: ReadinessReportData, city: CityReadiness) -> CityReadiness | None:
    if data.previous is None:
        return None
    return data.previous.network_by_id.get(city.city_id)


def summary_sentence(doc: ReportDocument, data: ReadinessReportData) -> None:
    """One sentence for the executive summary: the average index then and now."""
    previous = data.previous
    if previous is None or previous.index_average is None or data.index_average is None:
        return
    lang = data.language
    doc.paragraph(translate_in(
        lang,
        "Since the previous round (questionnaire version {version}) the average readiness index "
        "moved from {before} to {now} ({change} points).",
    ).format(version=previous.form_version, before=_score(previous.index_average, lang),
             now=_score(data.index_average, lang),
             change=signed(data.index_average - previous.index_average, lang)))


def city_sentence(doc: ReportDocument, data: ReadinessReportData, city: CityReadiness) -> None:
    """In a city's profile: its index in the previous round and the change."""
    then = city_then(data, city)
    if then is None or then.index is None or city.index is None or data.previous is None:
        return
    lang = data.language
    mark = PROVISIONAL_MARK if (then.provisional or city.provisional) else ""
    doc.paragraph(translate_in(
        lang,
        "Previous round (questionnaire version {version}): index {before}; change {change} points.",
    ).format(version=data.previous.form_version, before=_score(then.index, lang) + mark,
             change=signed(city.index - then.index, lang) + mark))


def write_change_section(doc: ReportDocument, data: ReadinessReportData) -> None:
    """Domain averages then and now, and every city with an index in both rounds."""
    previous = data.previous
    if previous is None:
        return
    lang = data.language
    doc.heading(translate_in(lang, "Change since the previous round"), 2)
    doc.paragraph(translate_in(
        lang,
        "The previous round answered questionnaire version {version}; each round is scored with "
        "its own questionnaire. Averages count the ranked cities of each round.",
    ).format(version=previous.form_version))
    then_domains = {d.id for d in previous.domains}
    rows = []
    for domain in data.domains:
        before = previous.domain_average(domain.id) if domain.id in then_domains else None
        now = data.domain_average(domain.id)
        rows.append([domain.label, _score(before, lang), _score(now, lang),
                     signed(now - before if now is not None and before is not None else None,
                            lang)])
    before_index, now_index = previous.index_average, data.index_average
    rows.append([translate_in(lang, "Readiness index"), _score(before_index, lang),
                 _score(now_index, lang),
                 signed(now_index - before_index
                        if now_index is not None and before_index is not None else None, lang)])
    header = [translate_in(lang, "Domain"), translate_in(lang, "Previous round"),
              translate_in(lang, "This round"), translate_in(lang, "Change")]
    doc.table_caption(translate_in(lang, "Network averages in the previous round and now"))
    doc.table(header, rows, widths_mm=(70, 30, 30, 30), numeric=(1, 2, 3))

    then_by_id = {c.city_id: c for c in previous.network_cities}
    both = [(c, then_by_id[c.city_id]) for c in data.network_cities
            if c.index is not None and c.city_id in then_by_id
            and then_by_id[c.city_id].index is not None]
    if not both:
        return
    collate = collation_key(lang)
    both.sort(key=lambda pair: (-((pair[0].index or 0) - (pair[1].index or 0)),
                                collate(pair[0].name)))
    city_rows = []
    marked = False
    for now_city, then in both:
        mark = PROVISIONAL_MARK if (now_city.provisional or then.provisional) else ""
        marked = marked or bool(mark)
        city_rows.append([now_city.name, _score(then.index, lang) + mark,
                          _score(now_city.index, lang) + mark,
                          signed((now_city.index or 0) - (then.index or 0), lang) + mark])
    doc.table_caption(translate_in(lang, "Readiness index of each city in both rounds"))
    doc.table([translate_in(lang, "City"), translate_in(lang, "Previous round"),
               translate_in(lang, "This round"), translate_in(lang, "Change")],
              city_rows, widths_mm=(70, 30, 30, 30), numeric=(1, 2, 3))
    if marked:
        doc.paragraph(translate_in(
            lang, "* Provisional in at least one of the rounds: fewer than the minimum share of "
                  "the scored questions answered."), "Caption")
