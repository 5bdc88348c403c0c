"""The readiness dashboard's content: key figures and the report's own charts, as data.

The same ``collect_readiness`` values and the same chart functions as the Word
report, so the dashboard and the report never disagree. Qt-free: it runs on a
worker thread, and the Reports workspace only shows the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from neascn_desktop.i18n import translate_in
from neascn_desktop.reports import charts
from neascn_desktop.reports.collect import collect_readiness
from neascn_desktop.reports.status_report import FINALIZED_COLOUR, IN_PROGRESS_COLOUR
from neascn_desktop.store.database import Database


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows: counts, averages and three chart images (PNG bytes)."""

    language: str
    cities: int
    answered: int
    finalized: int
    average_index: float | None
    average_coverage: float | None
    map_png: bytes | None
    domains_png: bytes | None
    completion_png: bytes | None


#: Resolution of the dashboard's charts at 100 % display scaling.
DASHBOARD_DPI = 110


def build_dashboard(db: Database, language: str, form_version: str | None = None, *,
                    scale: float = 1.0) -> Dashboard:
    """Collect the readiness values and draw the dashboard charts (call off the UI thread).

    ``scale``: the screen's device pixel ratio (1.25-2 on Windows laptops with display
    scaling, 2 on Retina Macs); the charts get that many more pixels so they stay sharp.
    """
    dpi = round(DASHBOARD_DPI * max(1.0, min(scale, 4.0)))
    data = collect_readiness(db, language, form_version=form_version)
    answered = [c for c in data.cities if c.submission_status is not None]
    finalized = [c for c in answered if c.submission_status == "finalized"]
    located = [(c.name, c.longitude, c.latitude, c.index) for c in data.cities
               if c.longitude is not None and c.latitude is not None]
    map_png = charts.readiness_map(located, language, width=6.0, height=4.0, dpi=dpi,
                                   legend_title=translate_in(language, "Index"),
                                   xlabel=translate_in(language, "Longitude (° E)"),
                                   ylabel=translate_in(language, "Latitude (° N)")) if located else None
    domains_png = None
    if answered:
        domains_png = charts.bar_chart([d.label for d in data.domains],
                                       [data.domain_average(d.id) for d in data.domains],
                                       language, width=6.0, dpi=dpi,
                                       xlabel=translate_in(language, "Average score (0–100)"))
    missing = len(data.cities) - len(answered)
    completion_png = charts.completion_chart(
        [translate_in(language, "Cities")],
        [(translate_in(language, "Finalized"), [len(finalized)], FINALIZED_COLOUR),
         (translate_in(language, "In progress"), [len(answered) - len(finalized)],
          IN_PROGRESS_COLOUR),
         (translate_in(language, "Missing"), [missing], "#D9D9D9")],
        language, width=6.0, dpi=dpi,
    )
    return Dashboard(language, len(data.cities), len(answered), len(finalized),
                     data.index_average, data.coverage_average, map_png, domains_png,
                     completion_png)
