"""The readiness report: network summary, methodology, overview, one profile per city, annex.

``build_readiness_report(data, path)`` writes the Word document from a
:class:`~neascn_desktop.reports.data.ReadinessReportData` (see ``collect.py``
for the database side).  Every sentence is a whole translatable message in the
report's language; numbers, percentages and dates go through Babel.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

from neascn_desktop.i18n import ngettext_in, translate_in
from neascn_desktop.i18n.formatting import format_date, format_number, format_percent
from neascn_desktop.reports import charts, round_change
from neascn_desktop.reports.collation import collation_key, sorted_by_name
from neascn_desktop.reports.data import (
    BANDS,
    MIN_COVERAGE,
    AnswerItem,
    CityReadiness,
    ReadinessReportData,
    band_for,
)
from neascn_desktop.reports.document import ReportCancelled, ReportDocument, ReportResult
from neascn_desktop.reports.labels import (
    BAND_RANGES,
    band_label,
    country_name,
    submission_status_label,
)
from neascn_desktop.reports.pipeline import write_pipeline
from neascn_desktop.reports.readiness_annex import front_matter, questionnaire_annex, scoring_annex
from neascn_desktop.reports.roadmap import write_roadmap

ProgressFn = Callable[..., None]
#: How many cities the ranking chart shows (best and worst halves when there are more).
RANKING_LIMIT = 40
NOTABLE_PER_KIND = 4
#: Domains at or below this score (the top of the "emerging" band) get recommendations.
WEAK_SCORE = 40.0
RECOMMENDATIONS_PER_DOMAIN = 3
#: The network's charts (three per report) print at full width: 300 dpi, as print asks.
#: The radars (one per city, 118 mm wide, thin lines on flat colour) stay at 120 dpi:
#: a thousand of them at 300 dpi would weigh 6 times as much for no visible gain.
PRINT_DPI = 300
#: Radar charts drawn ahead of the city being written.
RADARS_AHEAD = 4
#: Follows every figure of a provisional city; the report says what it means.
PROVISIONAL_MARK = "*"
#: Question types whose unscored answers may be quoted as key facts.
FACT_KINDS = frozenset({"integer", "decimal", "select_one", "select_multiple"})


def _score(value: float | None, language: str) -> str:
    return "–" if value is None else _whole(round(value), language)


@lru_cache(maxsize=1024)
def _whole(value: int, language: str) -> str:
    """Scores and ranks are small whole numbers: Babel formats each of them once."""
    return format_number(value, language)


def _pct(value: float | None, language: str) -> str:
    return "–" if value is None else format_percent(value, language)


def notable_answers(city: CityReadiness, per_kind: int = NOTABLE_PER_KIND) -> list[AnswerItem]:
    """The answers worth quoting: the strongest and weakest scored ones, then key facts."""
    scored = [a for a in city.answers if a.score is not None]
    strong = sorted((a for a in scored if a.score is not None and a.score >= 75),
                    key=lambda a: -(a.score or 0))[:per_kind]
    weak = sorted((a for a in scored if a.score is not None and a.score <= 25),
                  key=lambda a: a.score or 0)[:per_kind]
    # Facts are numbers and choices (population, priority areas); free text is left out: it
    # holds the respondent's name and e-mail, which a report for partners must not show.
    facts = [a for a in city.answers if a.score is None and a.answer_text
             and a.kind in FACT_KINDS]
    return strong + weak + facts[:per_kind]


def build_readiness_report(
    data: ReadinessReportData,
    path: Path,
    *,
    progress: ProgressFn | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ReportResult:
    lang = data.language
    total_steps = len(data.cities) + 3
    step = 0

    def advance(message: str = "") -> None:
        nonlocal step
        step += 1
        if is_cancelled is not None and is_cancelled():
            raise ReportCancelled()
        if progress is not None:
            progress(step, total_steps, message)

    title = translate_in(lang, "City Smart-Readiness Report")
    doc = ReportDocument(lang, title)
    codes = {d.id: f"D{i}" for i, d in enumerate(data.domains, start=1)}

    # ---- title page
    doc.paragraph(title, "Title")
    doc.paragraph(translate_in(lang, "Northeast Asia Smart Cities Network (NEASCN)"), "Subtitle")
    doc.paragraph(data.form_title, "Cover Meta")
    doc.paragraph(translate_in(lang, "Questionnaire version {version}").format(
        version=data.form_version), "Cover Meta")
    doc.paragraph(
        translate_in(lang, "Generated on {date}").format(date=format_date(data.generated_at, lang, "long")),
        "Cover Meta",
    )
    _front_matter(doc, data, title)
    doc.page_break()
    doc.table_of_contents()
    doc.page_break()

    doc.start_chunk()
    front_matter(doc, data)
    doc.page_break()
    _executive_summary(doc, data, codes)
    advance()
    _methodology(doc, data, codes)
    doc.release()
    doc.start_chunk()
    _overview(doc, data, codes)
    doc.release()
    doc.start_chunk()
    write_pipeline(doc, data)
    doc.release()
    advance()

    doc.page_break()
    doc.heading(translate_in(lang, "City profiles"), 1)
    answered = [c for c in data.cities if c.submission_status is not None]
    switch = sys.getswitchinterval()
    # lxml serialising and copying release the GIL; with the radar thread busy, getting it
    # back waited up to the switch interval (5 ms) each time, thousands of times per report.
    sys.setswitchinterval(min(switch, 0.0005))
    try:
        _city_profiles(doc, data, answered, advance)
    finally:
        sys.setswitchinterval(switch)
    for city in data.cities:  # the cities without a submission are listed in the overview
        if not city.answered:
            advance(city.name)

    doc.start_chunk()
    scoring_annex(doc, data, codes)
    doc.release()
    doc.start_chunk()
    questionnaire_annex(doc, data, codes)
    doc.save(path)
    advance()
    return doc.result(path, "readiness")


def _city_profiles(doc: ReportDocument, data: ReadinessReportData,
                   answered: list[CityReadiness], advance: Callable[[str], None]) -> None:
    """One profile per answering city, each released from memory once written.

    The radar charts are drawn on a worker thread while the main thread writes the
    document (PNG compression releases the GIL, so the second core does it), a few
    cities ahead: never all of them, whose pictures would wait in memory.
    """
    lang = data.language
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="radar") as pool:
        radars: deque[Future[bytes] | None] = deque()
        painter = None
        if data.domains:
            averages = tuple(data.domain_average(d.id) for d in data.domains)
            painter = charts.RadarPainter(tuple(d.label for d in data.domains), lang, averages)

        def draw(index: int) -> None:
            if index < len(answered):
                city = answered[index]
                values = [(s.score if (s := city.score_of(d.id)) else None) for d in data.domains]
                radars.append(pool.submit(painter.render, values) if painter else None)

        for index in range(RADARS_AHEAD):
            draw(index)
        try:
            for number, city in enumerate(answered):
                radar = radars.popleft()
                draw(number + RADARS_AHEAD)
                doc.start_chunk()
                _city_profile(doc, data, city, radar.result() if radar else None,
                              first=number == 0)
                doc.release()
                advance(city.name)
        finally:
            for future in radars:
                if future is not None:
                    future.cancel()


def document_number(data: ReadinessReportData) -> str:
    """A stable reference for the edition: kind, survey version, date and language tag.

    The tag in lower case ("ru", "zh-hans"): in capitals it would read as a country code.
    """
    tag = data.language.replace("_", "-").lower()
    return f"NEASCN-RR-{data.form_version}-{data.generated_at:%Y%m%d}-{tag}"


def _front_matter(doc: ReportDocument, data: ReadinessReportData, title: str) -> None:
    """Document number, how to cite and the disclaimer, on the cover below the title block."""
    lang = data.language
    date = format_date(data.generated_at, lang, "long")
    number = document_number(data)
    doc.paragraph()
    doc.paragraph(translate_in(lang, "Document {number}").format(number=number), "Cover Meta")
    doc.paragraph(translate_in(
        lang, "How to cite: NEASCN secretariat ({year}). {title}. Document {number}, {date}.",
    ).format(year=data.generated_at.year, title=title, number=number, date=date), "Cover Meta")
    doc.paragraph(translate_in(
        lang,
        "Disclaimer: the figures rest on the cities' own answers to the readiness survey and "
        "have not been verified; they do not express the views of WeGO, of the network's "
        "partners or of the governments concerned.",
    ), "Cover Meta")
    doc.paragraph(translate_in(
        lang,
        "Licence: Creative Commons Attribution 4.0 International (CC BY 4.0). You may share and "
        "adapt this report if you credit the NEASCN secretariat as cited above.",
    ), "Cover Meta")


def _executive_summary(doc: ReportDocument, data: ReadinessReportData,
                       codes: dict[str, str]) -> None:
    lang = data.language
    doc.heading(translate_in(lang, "Executive summary"), 1)
    network = data.network_cities
    responded = [c for c in network if c.answered]
    finalized = [c for c in responded if c.submission_status == "finalized"]
    total = max(data.cities_total or 0, len(network))
    doc.paragraph(
        ngettext_in(
            lang,
            "{count} of {total} city answered the readiness survey; {finalized} finalized their answers.",
            "{count} of {total} cities answered the readiness survey; {finalized} finalized their answers.",
            total,
        ).format(count=format_number(len(responded), lang), total=format_number(total, lang),
                 finalized=format_number(len(finalized), lang))
    )
    if data.network and len(data.cities) < len(data.network):
        doc.paragraph(ngettext_in(
            lang,
            "This report prints the profile of {count} selected city; every network figure "
            "covers the whole network.",
            "This report prints the profiles of {count} selected cities; every network figure "
            "covers the whole network.",
            len(data.cities),
        ).format(count=format_number(len(data.cities), lang)))
    provisional = data.provisional_cities
    if provisional:
        doc.paragraph(ngettext_in(
            lang,
            "{count} city answered fewer than {share} of the scored questions: its figures are "
            "provisional (marked *), and it is neither ranked nor counted in the network averages.",
            "{count} cities answered fewer than {share} of the scored questions: their figures are "
            "provisional (marked *), and they are neither ranked nor counted in the network averages.",
            len(provisional),
        ).format(count=format_number(len(provisional), lang), share=_pct(MIN_COVERAGE, lang)))
    average = data.index_average
    if average is None:
        doc.paragraph(translate_in(lang, "No city has a readiness index yet."))
        return
    doc.paragraph(
        translate_in(
            lang,
            "The average readiness index is {index} out of 100 ({band}); on average "
            "{coverage} of the scored questions were answered.",
        ).format(index=_score(average, lang), band=band_label(lang, band_for(average)),
                 coverage=_pct(data.coverage_average, lang))
    )
    round_change.summary_sentence(doc, data)
    per_domain = [(d, data.domain_average(d.id)) for d in data.domains]
    domain_avgs = [(d, v) for d, v in per_domain if v is not None]
    if domain_avgs:
        best = max(domain_avgs, key=lambda item: item[1])
        worst = min(domain_avgs, key=lambda item: item[1])
        doc.paragraph(
            translate_in(
                lang,
                "Across the network the strongest domain is {strong} ({strong_score}) and "
                "the weakest is {weak} ({weak_score}).",
            ).format(strong=best[0].label, strong_score=_score(best[1], lang),
                     weak=worst[0].label, weak_score=_score(worst[1], lang))
        )
    ranked = data.scored_cities
    if ranked:
        leaders = translate_in(lang, ", ").join(
            translate_in(lang, "{city} ({index})").format(city=c.name, index=_score(c.index, lang))
            for c in ranked[:3])
        doc.paragraph(translate_in(lang, "Most ready cities: {cities}.").format(cities=leaders))
    doc.paragraph(translate_in(lang, "Cities per readiness band:"))
    for band, _upper in BANDS:
        count = sum(1 for c in ranked if c.band == band)
        low, high = BAND_RANGES[band]
        doc.bullet(
            ngettext_in(lang, "{band} ({low}–{high}): {count} city",
                        "{band} ({low}–{high}): {count} cities", count).format(
                band=band_label(lang, band), low=low, high=high, count=format_number(count, lang))
        )


def _methodology(doc: ReportDocument, data: ReadinessReportData, codes: dict[str, str]) -> None:
    lang = data.language
    doc.heading(translate_in(lang, "Methodology"), 1)
    doc.paragraph(translate_in(
        lang,
        "City officials answered the NEASCN smart-readiness survey with the secretariat's field "
        "staff. Each scored question measures one aspect of a readiness domain; the questionnaire "
        "is reproduced in the annex.",
    ))
    doc.heading(translate_in(lang, "Domains"), 2)
    doc.table(
        [translate_in(lang, "Code"), translate_in(lang, "Domain"),
         translate_in(lang, "Description"), translate_in(lang, "Weight")],
        [[codes[d.id], d.label, d.description, format_number(d.weight, lang, digits=1)]
         for d in data.domains],
        widths_mm=(14, 42, 92, 18), numeric=(3,),
    )
    doc.heading(translate_in(lang, "Scoring"), 2)
    doc.paragraph(translate_in(
        lang,
        "Every scored answer gives 0 to 100 points: maturity levels 1 to 5 give 0, 25, 50, 75 "
        "and 100; yes gives 100 and no 0; numbers are placed on the five levels by thresholds.",
    ))
    doc.paragraph(translate_in(
        lang,
        "A domain's score is the weighted mean of its answered items; the readiness index is "
        "the weighted mean of the domain scores.",
    ))
    doc.heading(translate_in(lang, "Readiness bands"), 2)
    doc.table(
        [translate_in(lang, "Band"), translate_in(lang, "Index")],
        [[band_label(lang, band), f"{BAND_RANGES[band][0]}–{BAND_RANGES[band][1]}"]
         for band, _upper in BANDS],
        widths_mm=(60, 40),
        shading=[[charts.BAND_COLOURS[i], None] for i in range(len(BANDS))],
    )
    doc.heading(translate_in(lang, "Coverage"), 2)
    doc.paragraph(translate_in(
        lang,
        "Unanswered questions and \"don't know\" answers are left out of the scores instead of "
        "counting as zero. Coverage is the share of scored questions that were answered; a low "
        "coverage means a score rests on few answers.",
    ))
    doc.paragraph(translate_in(
        lang,
        "A city that answered fewer than {share} of the scored questions is provisional: its "
        "figures are marked *, it is not ranked, and it does not count in the network averages.",
    ).format(share=_pct(MIN_COVERAGE, lang)))
    _limits(doc, data)
    if data.sources:
        doc.heading(translate_in(lang, "Sources"), 2)
        doc.paragraph(translate_in(
            lang, "The questions draw on these instruments, cited by their published titles."))
        for source in data.sources:
            doc.bullet(source)


def _limits(doc: ReportDocument, data: ReadinessReportData) -> None:
    """What the figures can and cannot carry: self-assessment, provisional cities, the round."""
    lang = data.language
    doc.heading(translate_in(lang, "Limits of the data"), 2)
    doc.paragraph(translate_in(
        lang,
        "The scores rest on the cities' own answers (a self-assessment); they were not verified "
        "by a third party and are no audited benchmark.",
    ))
    span = data.round_dates
    if span is not None:
        doc.paragraph(translate_in(lang, "Answers were collected between {start} and {end}.").format(
            start=format_date(span[0], lang, "long"), end=format_date(span[1], lang, "long")))
    provisional = data.provisional_cities
    if provisional:
        names = translate_in(lang, ", ").join(
            c.name for c in sorted_by_name(provisional, lang, lambda c: c.name))
        doc.paragraph(translate_in(lang, "Provisional cities: {cities}.").format(cities=names))
    else:
        doc.paragraph(translate_in(lang, "No city is provisional."))


def _marked(city: CityReadiness, text: str) -> str:
    """A figure of a provisional city carries the mark the report explains."""
    return f"{text}{PROVISIONAL_MARK}" if city.provisional and text != "–" else text


def _provisional_note(doc: ReportDocument, data: ReadinessReportData) -> None:
    doc.paragraph(translate_in(
        lang := data.language,
        "* Provisional: fewer than {share} of the scored questions answered; not ranked.",
    ).format(share=_pct(MIN_COVERAGE, lang)), "Caption")


def _overview(doc: ReportDocument, data: ReadinessReportData, codes: dict[str, str]) -> None:
    lang = data.language
    doc.heading(translate_in(lang, "Network overview"), 1)
    doc.paragraph(translate_in(
        lang, "Domain scores and readiness index of every city (columns D1, D2 … as in the "
              "table of domains; cells coloured by band)."))
    header = [translate_in(lang, "City")] + [codes[d.id] for d in data.domains] + [
        translate_in(lang, "Index"), translate_in(lang, "Rank"), translate_in(lang, "Coverage")]
    rows, shading = [], []
    ranks = {c.city_id: data.rank_of(c) for c in data.cities}

    collate = collation_key(lang)

    def order(c: CityReadiness) -> tuple:
        rank = ranks[c.city_id]
        return (0 if rank is not None else 1 if c.answered else 2, rank or 0, collate(c.name))

    for city in sorted(data.cities, key=order):
        scores = [city.score_of(d.id) for d in data.domains]
        values = [s.score if s else None for s in scores]
        rank = ranks[city.city_id]
        rows.append([city.name] + [_marked(city, _score(v, lang)) for v in values]
                    + [_marked(city, _score(city.index, lang)),
                       "–" if rank is None else format_number(rank, lang),
                       _pct(city.coverage if city.answered else None, lang)])
        shading.append([None] + [_light(v) for v in values] + [_light(city.index), None, None])
    n = len(data.domains)
    domain_width = min(14.0, 90.0 / max(1, n))
    doc.table_caption(translate_in(lang, "Readiness by city and domain"))
    doc.table(header, rows, widths_mm=[166 - n * domain_width - 48] + [domain_width] * n + [16, 14, 18],
              numeric=tuple(range(1, n + 4)), shading=shading)
    if any(c.provisional for c in data.cities):
        _provisional_note(doc, data)
    _waiting_cities(doc, data)

    averages = [data.domain_average(d.id) for d in data.domains]
    title = translate_in(lang, "Average score per domain")
    doc.picture(
        charts.bar_chart([d.label for d in data.domains], averages, lang,
                         xlabel=translate_in(lang, "Average score (0–100)"), dpi=PRINT_DPI),
        title,
        alt=doc.alt_text(title, [(d.label, _score(v, lang))
                                 for d, v in zip(data.domains, averages, strict=True)]),
    )
    ranked = list(data.scored_cities)
    if ranked:
        shown = ranked if len(ranked) <= RANKING_LIMIT else (
            ranked[: RANKING_LIMIT // 2] + ranked[-RANKING_LIMIT // 2 :])
        caption = (translate_in(lang, "Cities ranked by readiness index")
                   if len(ranked) <= RANKING_LIMIT else
                   translate_in(lang, "The {count} most and the {count} least ready cities").format(
                       count=RANKING_LIMIT // 2))
        doc.picture(
            charts.bar_chart([c.name for c in shown], [c.index for c in shown], lang,
                             xlabel=translate_in(lang, "Readiness index (0–100)"), dpi=PRINT_DPI),
            caption,
            alt=doc.alt_text(caption, [(c.name, _score(c.index, lang)) for c in shown]),
        )
    located = [(_marked(c, c.name), c.longitude, c.latitude, c.index if c.ranked else None)
               for c in data.network_cities
               if c.longitude is not None and c.latitude is not None]
    if located:
        # Provisional and unscored cities are drawn grey: their index is not a final figure.
        doc.picture(
            charts.readiness_map(located, lang, legend_title=translate_in(lang, "Index"),
                                 no_data_label=translate_in(lang, "No index or provisional"),
                                 size_title=translate_in(lang, "Dot size: index"),
                                 xlabel=translate_in(lang, "Longitude (° E)"), dpi=PRINT_DPI,
                                 ylabel=translate_in(lang, "Latitude (° N)")),
            translate_in(lang, "Readiness map of the cities. Boundaries: Natural Earth; they "
                               "imply no judgement on the legal status of any territory."),
            width_mm=160,
            alt=doc.alt_text(translate_in(lang, "Readiness map of the cities"),
                             [(name, _score(index, lang)) for name, _x, _y, index in located]),
        )
    round_change.write_change_section(doc, data)


def _waiting_cities(doc: ReportDocument, data: ReadinessReportData) -> None:
    """The cities without a submission, a row per country (whom to chase).

    Here, below the table of every city, rather than after the last profile: there the
    table, or the last rows of it, stood on a page of their own before the annexes.
    """
    lang = data.language
    waiting = sorted_by_name((c for c in data.cities if not c.answered), lang, lambda c: c.name)
    if not waiting:
        return
    per_country: dict[str, list[str]] = {}
    for city in waiting:
        per_country.setdefault(country_name(lang, city.country), []).append(city.name)
    countries = sorted_by_name(per_country, lang, lambda name: name)
    doc.table_caption(translate_in(lang, "Cities that have not answered yet"))
    doc.table([translate_in(lang, "Country"), translate_in(lang, "Cities")],
              [[country, translate_in(lang, ", ").join(per_country[country])] for country in countries],
              widths_mm=(40, 126))


def _light(score: float | None) -> str | None:
    """A pale tint of the band colour, so black table text stays readable on it."""
    if score is None:
        return None
    band = charts.band_colour(score).lstrip("#")
    r, g, b = (int(band[i : i + 2], 16) for i in (0, 2, 4))
    return "{:02X}{:02X}{:02X}".format(*(int(c + (255 - c) * 0.6) for c in (r, g, b)))


def _city_profile(doc: ReportDocument, data: ReadinessReportData, city: CityReadiness,
                  radar_png: bytes | None, first: bool = False) -> None:
    lang = data.language
    if not first:
        doc.page_break()
    doc.heading(city.name, 2)
    facts = [translate_in(lang, "Country: {country}").format(
        country=country_name(lang, city.country))]
    if city.population:
        facts.append(translate_in(lang, "Population: {population}").format(
            population=format_number(city.population, lang)))
    facts.append(translate_in(lang, "Survey: {status}").format(
        status=submission_status_label(lang, city.submission_status)))
    if city.updated_at is not None:
        facts.append(translate_in(lang, "Last updated: {date}").format(
            date=format_date(city.updated_at, lang)))
    doc.paragraph(translate_in(lang, " · ").join(facts), "Cover Meta")
    doc.paragraph(
        translate_in(lang, "Readiness index: {index} ({band}); coverage {coverage}.").format(
            index=_marked(city, _score(city.index, lang)), band=band_label(lang, city.band),
            coverage=_pct(city.coverage, lang)),
        bold=True,
    )
    rank = data.rank_of(city)
    if rank is not None:
        doc.paragraph(translate_in(lang, "Rank {rank} of {total} ranked cities.").format(
            rank=format_number(rank, lang), total=format_number(len(data.scored_cities), lang)))
    else:
        doc.paragraph(translate_in(
            lang,
            "* Provisional: fewer than {share} of the scored questions answered; not ranked.",
        ).format(share=_pct(MIN_COVERAGE, lang)))
    round_change.city_sentence(doc, data, city)
    rows, shading = [], []
    for domain in data.domains:
        score = city.score_of(domain.id)
        value = score.score if score else None
        place = data.domain_rank(city, domain.id)
        rows.append([
            domain.label, _marked(city, _score(value, lang)), band_label(lang, band_for(value)),
            _score(data.domain_average(domain.id), lang), _score(data.domain_best(domain.id), lang),
            "–" if place is None else translate_in(lang, "{rank} of {total}").format(
                rank=_whole(place[0], lang), total=_whole(place[1], lang)),
            _pct(score.coverage if score else None, lang)])
        shading.append([None, _light(value), None, None, None, None, None])
    doc.table([translate_in(lang, "Domain"), translate_in(lang, "Score"),
               translate_in(lang, "Band"), translate_in(lang, "Network average"),
               translate_in(lang, "Best city"), translate_in(lang, "Rank"),
               translate_in(lang, "Coverage")],
              rows, widths_mm=(44, 14, 24, 20, 18, 26, 20), numeric=(1, 3, 4, 5, 6),
              shading=shading)
    if radar_png is not None:
        values = [s.score if (s := city.score_of(d.id)) else None for d in data.domains]
        caption = translate_in(lang, "{city}: domain scores (dashed: network average)").format(
            city=city.name)
        own = doc.alt_text(caption, [(d.label, _marked(city, _score(v, lang)))
                                     for d, v in zip(data.domains, values, strict=True)])
        network = doc.alt_text(translate_in(lang, "Network average"),
                               [(d.label, _score(data.domain_average(d.id), lang))
                                for d in data.domains])
        doc.picture(radar_png, caption, width_mm=118,
                    alt=translate_in(lang, " · ").join((own, network)))
    scored = [(d, s.score) for d in data.domains
              if (s := city.score_of(d.id)) is not None and s.score is not None]
    if scored:
        top = max(value for _d, value in scored)
        bottom = min(value for _d, value in scored)
        separator = translate_in(lang, ", ")
        doc.paragraph(translate_in(lang, "Strongest: {domains} ({score}).").format(
            domains=separator.join(d.label for d, v in scored if v == top), score=_score(top, lang)))
        doc.paragraph(translate_in(lang, "Weakest: {domains} ({score}).").format(
            domains=separator.join(d.label for d, v in scored if v == bottom),
            score=_score(bottom, lang)))
    _recommendations(doc, data, city)
    write_roadmap(doc, data, city)
    notable = notable_answers(city)
    if notable:
        doc.heading(translate_in(lang, "Notable answers"), 3)
        doc.table([translate_in(lang, "Question"), translate_in(lang, "Answer"),
                   translate_in(lang, "Score")],
                  [[a.question_label, a.answer_text, _score(a.score, lang)] for a in notable],
                  widths_mm=(88, 60, 18), numeric=(2,))
    if city.evidence:
        doc.heading(translate_in(lang, "Evidence"), 3)
        for item in city.evidence:
            doc.bullet(translate_in(lang, "{file} ({size} kB), for: {question}").format(
                file=item.filename, size=format_number(max(1, round(item.size / 1024)), lang),
                question=item.question_label))


def weak_domains(data: ReadinessReportData, city: CityReadiness) -> list[tuple[str, float]]:
    """The city's weak domains, weakest first: below :data:`WEAK_SCORE`, else its weakest one."""
    scored = [(d.id, s.score) for d in data.domains
              if (s := city.score_of(d.id)) is not None and s.score is not None]
    weak = sorted(((d, v) for d, v in scored if v <= WEAK_SCORE), key=lambda item: item[1])
    if not weak and scored:
        weak = [min(scored, key=lambda item: item[1])]
    return weak


def recommendations(data: ReadinessReportData, city: CityReadiness,
                    ) -> list[tuple[str, float, list[AnswerItem]]]:
    """Per weak domain: its lowest-rated practices that have a next maturity level."""
    result = []
    for domain_id, score in weak_domains(data, city):
        steps = sorted((a for a in city.answers if a.domain_id == domain_id and a.next_level),
                       key=lambda a: a.score if a.score is not None else 0.0)
        if steps:
            result.append((domain_id, score, steps[:RECOMMENDATIONS_PER_DOMAIN]))
    return result


def _recommendations(doc: ReportDocument, data: ReadinessReportData, city: CityReadiness) -> None:
    """What the next maturity level requires, from the survey's own level descriptions."""
    lang = data.language
    items = recommendations(data, city)
    if not items:
        return
    labels = {d.id: d.label for d in data.domains}
    doc.heading(translate_in(lang, "Recommendations"), 3)
    doc.paragraph(translate_in(
        lang,
        "For each weak domain, the next maturity level of its lowest-rated practices, as the "
        "survey describes it:"))
    for domain_id, score, steps in items:
        doc.paragraph(translate_in(lang, "{domain} ({score})").format(
            domain=labels.get(domain_id, domain_id), score=_score(score, lang)), bold=True)
        for answer in steps:
            doc.bullet(translate_in(lang, "{question}: {next_level}").format(
                question=answer.question_label, next_level=answer.next_level))
