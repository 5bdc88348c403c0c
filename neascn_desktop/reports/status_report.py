"""The collection status report: submissions per city and device, missing cities, conflicts, imports."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import cast

from neascn_desktop.i18n import ngettext_in, translate_in
from neascn_desktop.i18n.formatting import format_date, format_number
from neascn_desktop.i18n.formatting import format_datetime as _babel_datetime
from neascn_desktop.reports import charts
from neascn_desktop.reports.collation import sorted_by_name
from neascn_desktop.reports.data import StatusReportData
from neascn_desktop.reports.document import ReportDocument, ReportResult
from neascn_desktop.reports.labels import country_name, entity_type_label


def format_datetime(value: datetime, language: str, format: str = "medium") -> str:
    """Babel's date and time, with U+202F (CLDR's space before "AM") as a plain no-break space:
    Arial and several Office fonts have no glyph for U+202F."""
    return _babel_datetime(value, language, format).replace("\u202f", "\u00a0")


#: Above this many countries the chart shows the network's totals only.
CHART_COUNTRY_LIMIT = 40
FINALIZED_COLOUR = "#4575B4"
IN_PROGRESS_COLOUR = "#FEE090"
MISSING_COLOUR = "#D9D9D9"


def build_status_report(
    data: StatusReportData,
    path: Path,
    *,
    progress: Callable[..., None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ReportResult:
    lang = data.language
    title = translate_in(lang, "Survey Collection Status")
    doc = ReportDocument(lang, title)
    doc.paragraph(title, "Title")
    doc.paragraph(translate_in(lang, "Northeast Asia Smart Cities Network (NEASCN)"), "Subtitle")
    if data.form_version:
        doc.paragraph(translate_in(lang, "Survey version {version}").format(
            version=data.form_version), "Cover Meta")
    doc.paragraph(translate_in(lang, "Situation on {date}").format(
        date=format_datetime(data.generated_at, lang)), "Cover Meta")

    per_city: dict[str, Counter[str]] = defaultdict(Counter)
    city_devices: dict[str, set[str]] = defaultdict(set)
    city_last: dict[str, datetime] = {}
    per_device: dict[str, Counter[str]] = defaultdict(Counter)
    for row in data.submissions:
        per_city[row.city_id][row.status] += 1
        city_devices[row.city_id].add(row.device_id)
        per_device[row.device_id][row.status] += 1
        if row.updated_at is not None and (row.city_id not in city_last
                                           or row.updated_at > city_last[row.city_id]):
            city_last[row.city_id] = row.updated_at
    finalized = sum(c["finalized"] for c in per_city.values())
    in_progress = sum(c["in_progress"] for c in per_city.values())
    missing = [c for c in data.cities if c.city_id not in per_city]
    cities_finalized = sum(1 for c in data.cities if per_city[c.city_id]["finalized"])

    doc.heading(translate_in(lang, "Summary"), 1)
    doc.paragraph(ngettext_in(
        lang,
        "{count} submission from {devices} devices: {finalized} finalized, {in_progress} in progress.",
        "{count} submissions from {devices} devices: {finalized} finalized, {in_progress} in progress.",
        len(data.submissions)).format(
        count=format_number(len(data.submissions), lang),
        devices=format_number(len(per_device), lang),
        finalized=format_number(finalized, lang), in_progress=format_number(in_progress, lang)))
    doc.paragraph(ngettext_in(
        lang,
        "{done} of {total} city has a finalized submission; {missing} have none at all.",
        "{done} of {total} cities have a finalized submission; {missing} have none at all.",
        len(data.cities)).format(
        done=format_number(cities_finalized, lang), total=format_number(len(data.cities), lang),
        missing=format_number(len(missing), lang)))
    doc.paragraph(ngettext_in(lang, "{count} conflict is waiting to be resolved.",
                              "{count} conflicts are waiting to be resolved.",
                              len(data.conflicts)).format(
        count=format_number(len(data.conflicts), lang)))
    if progress is not None:
        progress(1, 4, "")

    doc.heading(translate_in(lang, "Submissions per city"), 1)
    rows, shading = [], []
    for city in sorted_by_name(data.cities, lang, lambda c: c.name):
        counts = per_city.get(city.city_id, Counter())
        last = city_last.get(city.city_id)
        state = (translate_in(lang, "Finalized") if counts["finalized"] else
                 translate_in(lang, "In progress") if counts["in_progress"] else
                 translate_in(lang, "Missing"))
        rows.append([city.name, state, format_number(counts["finalized"], lang),
                     format_number(counts["in_progress"], lang),
                     translate_in(lang, ", ").join(sorted(data.device_name(d)
                                                          for d in city_devices.get(city.city_id, ()))),
                     format_date(last, lang, "short") if last else "–"])
        shading.append([None, "E2EFDA" if counts["finalized"] else
                        "FFF2CC" if counts["in_progress"] else "FDE9D9", None, None, None, None])
    doc.table([translate_in(lang, "City"), translate_in(lang, "State"),
               translate_in(lang, "Finalized"), translate_in(lang, "In progress"),
               translate_in(lang, "Devices"), translate_in(lang, "Last update")],
              rows, widths_mm=(36, 24, 20, 22, 40, 24), numeric=(2, 3), shading=shading)
    _state_chart(doc, data, per_city)
    if missing:
        doc.heading(translate_in(lang, "Cities without a submission"), 2)
        for city in sorted_by_name(missing, lang, lambda c: c.name):
            doc.bullet(city.name)
    if progress is not None:
        progress(2, 4, "")

    doc.heading(translate_in(lang, "Devices"), 1)
    imports = {i.device_id: i for i in data.imports}
    device_ids = sorted(set(per_device) | set(imports), key=lambda d: data.device_name(d))
    doc.table(
        [translate_in(lang, "Device"), translate_in(lang, "Submissions"),
         translate_in(lang, "Finalized"), translate_in(lang, "In progress"),
         translate_in(lang, "Last import"), translate_in(lang, "Packages")],
        [[data.device_name(d), format_number(sum(per_device[d].values()), lang),
          format_number(per_device[d]["finalized"], lang),
          format_number(per_device[d]["in_progress"], lang),
          # cast: the condition below has checked last_import_at is set
          format_datetime(cast(datetime, imports[d].last_import_at), lang, "short")
          if d in imports and imports[d].last_import_at else
          translate_in(lang, "this device") if d == data.local_device_id else "–",
          format_number(imports[d].packages, lang) if d in imports else "–"]
         for d in device_ids],
        widths_mm=(40, 24, 20, 22, 38, 22), numeric=(1, 2, 3, 5),
    )

    doc.heading(translate_in(lang, "Open conflicts"), 1)
    if not data.conflicts:
        doc.paragraph(translate_in(lang, "No conflicts are open."))
    else:
        doc.table([translate_in(lang, "Kind"), translate_in(lang, "Record"),
                   translate_in(lang, "Versions")],
                  [[entity_type_label(lang, c.entity_type), c.label or c.entity_id[:12], format_number(c.heads, lang)]
                   for c in data.conflicts],
                  widths_mm=(40, 100, 26), numeric=(2,))
    doc.save(path)
    if progress is not None:
        progress(4, 4, "")
    return doc.result(path, "status")


def _state_chart(doc: ReportDocument, data: StatusReportData, per_city: dict[str, Counter[str]]) -> None:
    """Cities per country by the state of their survey: what the per-city table cannot show at a
    glance (which country lags), and readable at any number of cities."""
    lang = data.language
    if not data.cities:
        return
    finalized_label = translate_in(lang, "Finalized")
    progress_label = translate_in(lang, "In progress")
    missing_label = translate_in(lang, "Missing")
    by_country: dict[str, Counter[str]] = defaultdict(Counter)
    for city in data.cities:
        counts = per_city.get(city.city_id, Counter())
        state = "finalized" if counts["finalized"] else "in_progress" if counts["in_progress"] else "missing"
        by_country[country_name(lang, city.country)][state] += 1
    if len(by_country) <= CHART_COUNTRY_LIMIT:
        title = translate_in(lang, "Cities per country by state of their survey")
        labels = sorted_by_name(by_country, lang, lambda name: name)
    else:
        title = translate_in(lang, "Cities by state of their survey")
        total: Counter[str] = Counter()
        for counts in by_country.values():
            total.update(counts)
        by_country = {translate_in(lang, "Cities"): total}
        labels = list(by_country)
    series = [(finalized_label, "finalized", FINALIZED_COLOUR),
              (progress_label, "in_progress", IN_PROGRESS_COLOUR),
              (missing_label, "missing", MISSING_COLOUR)]
    doc.picture(
        charts.completion_chart(labels, [(name, [by_country[c][key] for c in labels], colour)
                                         for name, key, colour in series], lang, dpi=300),
        title,
        alt=translate_in(lang, "{title}: {values}").format(title=title, values=translate_in(lang, ", ").join(
            translate_in(lang, "{label} ({count})").format(label=country, count=translate_in(lang, " · ").join(
                f"{name} {format_number(by_country[country][key], lang)}" for name, key, _colour in series))
            for country in labels)))
