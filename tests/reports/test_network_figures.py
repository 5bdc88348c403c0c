"""Network figures come from the whole network; a city below the coverage minimum is provisional.

Read back as the reader sees it: the text of the document's XML (paragraphs and tables).
"""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from neascn_desktop.i18n.formatting import format_number
from neascn_desktop.identity.profile import Profile
from neascn_desktop.reports import collect, service, synthetic
from neascn_desktop.reports.data import MIN_COVERAGE, CityReadiness
from neascn_desktop.reports.readiness import build_readiness_report
from neascn_desktop.store import Database
from neascn_desktop.surveys import demo
from neascn_desktop.surveys.service import list_submissions

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def paragraphs(path: Path) -> list[str]:
    """Every paragraph's text (body and table cells), in document order."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return ["".join(t.text or "" for t in p.iter(_W + "t")) for p in root.iter(_W + "p")]


def alt_texts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    ns = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
    return [d.get("descr") or "" for d in root.iter(ns + "docPr")]


@pytest.fixture
def network(db: Database, secretariat_profile: Profile) -> Database:
    demo.load_demo_report(db, secretariat_profile, cities=6, seed=5)
    return db


def test_a_subset_report_prints_the_true_network_figures(network: Database,
                                                         tmp_path: Path) -> None:
    whole = collect.collect_readiness(network, "en")
    one = next(s.city_id for s in list_submissions(network))
    subset = collect.collect_readiness(network, "en", city_ids=[one])
    assert [c.city_id for c in subset.cities] == [one]
    # The network's figures are the same whichever cities the report prints.
    for domain in whole.domains:
        assert subset.domain_average(domain.id) == pytest.approx(whole.domain_average(domain.id))
    assert subset.index_average == whole.index_average
    assert [c.city_id for c in subset.scored_cities] == [c.city_id for c in whole.scored_cities]

    path = tmp_path / "one.docx"
    service.build_report(network, "readiness", path, city_ids=[one])
    text = "\n".join(paragraphs(path))
    answered = sum(1 for c in whole.cities if c.answered)
    assert f"{answered} of {len(whole.cities)} cities answered the readiness survey" in text
    assert "This report prints the profile of 1 selected city" in text
    if whole.scored_cities:
        leaders = ", ".join(f"{c.name} ({round(c.index or 0)})" for c in whole.scored_cities[:3])
        assert f"Most ready cities: {leaders}." in text
        averages = [(d, whole.domain_average(d.id)) for d in whole.domains]
        strongest = max(((d, v) for d, v in averages if v is not None), key=lambda x: x[1])
        assert f"the strongest domain is {strongest[0].label} ({round(strongest[1])})" in text
    # The radar's dashed line is the network average, not the city itself.
    radar = [a for a in alt_texts(path) if "network average" in a]
    assert radar and all(
        f"{d.label} {format_number(round(v), 'en')}" in radar[0]
        for d, v in ((d, whole.domain_average(d.id)) for d in whole.domains) if v is not None)


def _with_thin_leader(cities: int = 6) -> tuple[object, CityReadiness]:
    """Synthetic data where the city with the highest index answered only a third."""
    data = synthetic.readiness_data(cities=cities)
    thin = replace(data.cities[0], index=99.0, coverage=MIN_COVERAGE / 2,
                   submission_status="in_progress")
    return replace(data, cities=(thin,) + data.cities[1:]), thin


def test_a_city_below_the_coverage_minimum_is_never_ranked(tmp_path: Path) -> None:
    data, thin = _with_thin_leader()
    assert thin.provisional and not thin.ranked and data.rank_of(thin) is None
    assert thin not in data.scored_cities
    # Its 99 does not lift the network average.
    assert data.index_average is not None and data.index_average < 99
    path = tmp_path / "r.docx"
    build_readiness_report(data, path)
    text = paragraphs(path)
    joined = "\n".join(text)
    leaders = next(t for t in text if t.startswith("Most ready cities:"))
    assert thin.name not in leaders
    assert f"Provisional cities: {thin.name}" in joined
    assert "neither ranked nor counted in the network averages" in joined
    assert "Answers were collected between" in joined and "self-assessment" in joined
    # The overview table: its index carries the mark and it has no rank.
    at = text.index(thin.name, text.index("Index"))
    row = text[at : at + len(data.domains) + 4]
    assert row[len(data.domains) + 1] == "99*" and row[len(data.domains) + 2] == "–"
    # Its profile says so, and its domain scores are marked.
    profile = text.index(thin.name, at + 1)
    following = "\n".join(text[profile : profile + 6])
    assert "Readiness index: 99* " in following and "not ranked" in following
    # Charts: not in the ranking; grey (no index) on the map, with its name marked.
    alts = alt_texts(path)
    ranking = next(a for a in alts if a.startswith("Cities ranked"))
    assert thin.name not in ranking
    located = next(a for a in alts if a.startswith("Readiness map"))
    assert f"{thin.name}* –" in located


def test_ranks_share_ties_and_count_only_ranked_cities() -> None:
    data, thin = _with_thin_leader()
    ranked = data.scored_cities
    assert [data.rank_of(c) for c in ranked] == sorted(data.rank_of(c) or 0 for c in ranked)
    tie = replace(ranked[1], city_id="twin", index=ranked[0].index)
    tied = replace(data, cities=data.cities + (tie,))
    assert tied.rank_of(tie) == tied.rank_of(ranked[0]) == 1
    assert tied.rank_of(ranked[1]) == 3
