"""The project pipeline chapter of the readiness report (issue 17), from the survey's projects repeat."""

from __future__ import annotations

from pathlib import Path

import docx

from neascn_desktop.identity.profile import create_profile
from neascn_desktop.reports import collect, service
from neascn_desktop.reports.pipeline import projects_of
from neascn_desktop.store import open_database
from neascn_desktop.surveys import demo
from neascn_desktop.surveys.service import get_definition


def _tables(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables]


def test_projects_by_sector_stage_and_financing_with_totals_per_currency(tmp_path: Path) -> None:
    db = open_database(tmp_path / "data")
    try:
        profile = create_profile(db, name="S", role="secretariat")
        demo.load_demo_report(db, profile, cities=8, seed=2)
        data = collect.collect_readiness(db, "en")
        path = tmp_path / "r.docx"
        service.build_report(db, "readiness", path, language="en")
        ko = tmp_path / "r-ko.docx"
        service.build_report(db, "readiness", ko, language="ko")
        # A selection prints fewer profiles; the pipeline stays the network's.
        one = tmp_path / "one.docx"
        service.build_report(db, "readiness", one, language="en", city_ids=[data.cities[0].city_id])
    finally:
        db.dispose()
    projects = data.projects
    assert projects, "the demo cities report projects"
    tables = _tables(path)
    sectors = next(t for t in tables if t[0][0] == "Sector")
    assert sum(int(row[1]) for row in sectors[1:]) == len(projects)
    stages = next(t for t in tables if t[0][0] == "Stage")
    assert sum(int(row[1]) for row in stages[1:]) == len(projects)
    order = [row[0] for row in stages[1:]]
    known = [p.stage for p in sorted(projects, key=lambda p: p.stage_order)]
    assert order == list(dict.fromkeys(known))  # idea first, in operation last
    listing = next(t for t in tables if t[0][:2] == ["City", "Project"])
    assert len(listing) == 1 + len(projects)
    total = sum(p.investment or 0 for p in projects)
    totals = sum(float(row[3].split(" ")[0].replace(",", "")) for row in sectors[1:]
                 if row[3] != "–")
    assert abs(total - totals) < 0.5
    assert "사업 파이프라인" in [p.text for p in docx.Document(str(ko)).paragraphs]
    listing_one = next(t for t in _tables(one) if t[0][:2] == ["City", "Project"])
    assert len(listing_one) == 1 + len(projects)


def test_hostile_instances_are_skipped_or_read_plainly(tmp_path: Path) -> None:
    db = open_database(tmp_path / "data")
    try:
        create_profile(db, name="S", role="secretariat")
        definition = get_definition(db)
    finally:
        db.dispose()
    answers = {"projects": [
        "not an object", 7,
        {"@id": "x", "proj_name": "Tram", "proj_sector": "no-such-sector", "proj_stage": "idea",
         "proj_financing": "grant", "proj_investment": True, "proj_currency": "usd"},
        {"@id": "y", "proj_name": "Metro", "proj_investment": -5},
    ]}
    items = projects_of(definition, "c1", "City", answers, "en")
    assert [p.name for p in items] == ["Tram", "Metro"]
    tram, metro = items
    assert tram.sector == "" and tram.stage == "Idea or concept" and tram.financing == ()
    assert tram.investment is None and tram.currency == ""
    assert metro.investment is None
    assert projects_of(definition, "c1", "City", {"projects": "x"}, "en") == []


def test_characters_a_word_file_cannot_hold_are_dropped(tmp_path: Path) -> None:
    """A control character or lone surrogate in an answer (from a package) never stops a report."""
    import dataclasses

    from neascn_desktop.reports import synthetic
    from neascn_desktop.reports.data import ProjectItem
    from neascn_desktop.reports.readiness import build_readiness_report

    data = synthetic.readiness_data(cities=2)
    city = dataclasses.replace(data.cities[0], name="Sejong\x01 City\ud800")
    data = dataclasses.replace(data, cities=(city,) + data.cities[1:], projects=(
        ProjectItem(city.city_id, city.name, "Tram\x00 line\x0b", sector="Transport\x1f"),))
    path = tmp_path / "r.docx"
    build_readiness_report(data, path)
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert "Sejong City" in texts
    rows = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert ["Sejong City", "Tram line", "Transport", "Not stated", "–", "–"] in rows
