"""The scoring annex, the roadmap and the front matter of the readiness report (issue 17)."""

from __future__ import annotations

from pathlib import Path

import docx

from neascn_desktop.identity.profile import create_profile
from neascn_desktop.reports import collect, service, synthetic
from neascn_desktop.reports.readiness import build_readiness_report
from neascn_desktop.reports.readiness_annex import rule_points
from neascn_desktop.reports.roadmap import roadmap
from neascn_desktop.store import open_database
from neascn_desktop.surveys import demo
from neascn_desktop.surveys.service import get_definition


def _tables(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in docx.Document(str(path)).tables]


def test_the_annex_prints_every_scored_question_with_points_weight_and_source(
        tmp_path: Path) -> None:
    db = open_database(tmp_path / "data")
    try:
        profile = create_profile(db, name="S", role="secretariat")
        demo.load_demo_report(db, profile, cities=3, seed=2)
        definition = get_definition(db)
        path = tmp_path / "r.docx"
        service.build_report(db, "readiness", path, language="en")
        data = collect.collect_readiness(db, "en")
    finally:
        db.dispose()
    rows = {row[0]: row for table in _tables(path) if table[0][:2] == ["Question", "Points"]
            for row in table[1:]}
    from neascn_desktop.surveys import scoring
    scored = [q for _s, q in definition.walk() if scoring.is_scorable(definition, q)]
    assert len(rows) == len(scored) == len(data.scoring)
    for question in scored:
        row = rows[question.label_in("en")]
        assert row[2] == f"{question.weight:.1f}"
        assert row[3] == (question.source or "–")
        if question.thresholds:
            t = question.thresholds
            first, last = ("100", "0") if question.thresholds_descending else ("0", "100")
            assert row[1].splitlines()[0] == f"below {t[0]:g}: {first}"
            assert row[1].splitlines()[-1] == f"{t[-1]:g} or more: {last}"
        elif question.type == "scale":
            assert row[1].splitlines() == [f"Level {n}: {p}" for n, p in
                                           zip(range(1, 6), (0, 25, 50, 75, 100), strict=True)]
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    # The weights and why: equal domains, and the heavier key practices named.
    assert "All domains weigh the same (1.0)" in text
    assert "Quality of the smart-city strategy or action plan (1.5)" in text


def test_points_of_a_descending_number_and_a_multiple_choice() -> None:
    from neascn_desktop.reports.data import ScoringRule

    debt = ScoringRule("Debt", "finance", "decimal", thresholds=(5, 10, 15, 25), descending=True)
    assert rule_points(debt, "en").splitlines() == [
        "below 5: 100", "5 to under 10: 75", "10 to under 15: 50", "15 to under 25: 25",
        "25 or more: 0"]
    assert rule_points(debt, "ru").splitlines()[0] == "меньше 5: 100"
    services = ScoringRule("Services", "services", "select_multiple",
                           choices=(("Transport", 40.0), ("Air", 40.0)))
    assert rule_points(services, "en").splitlines() == [
        "the sum of the chosen answers, at most 100:", "Transport: 40", "Air: 40"]


def test_the_roadmap_raises_the_weakest_domains_lowest_practices_first() -> None:
    data = synthetic.readiness_data(cities=6)
    for city in data.cities:
        steps = roadmap(data, city)
        scores = [s.score for s in steps]
        assert scores == sorted(scores)  # weakest domain first
        for step in steps:
            assert step.projected > step.score
            assert 1 <= len(step.practices) <= 3
            lowest = sorted(a.score for a in city.answers
                            if a.domain_id == step.domain_id and a.next_score is not None)
            assert [a.score for a in step.practices] == lowest[:len(step.practices)]


def test_front_matter_and_roadmap_appear_in_every_language(tmp_path: Path) -> None:
    for language in ("en", "ko"):
        data = synthetic.readiness_data(cities=3, language=language)
        path = tmp_path / f"r-{language}.docx"
        build_readiness_report(data, path)
        document = docx.Document(str(path))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        expected = {"en": ("Foreword", "Abbreviations", "Roadmap", "Annex: how answers are scored"),
                    "ko": ("머리말", "약어", "로드맵", "부록: 응답 채점 방식")}[language]
        for heading in expected:
            assert heading in headings, (language, heading)
        cover = [p.text for p in document.paragraphs[:12]]
        assert any("CC BY 4.0" in text for text in cover)


def test_the_documentation_states_the_same_rules_as_the_annex(tmp_path: Path) -> None:
    """docs/survey-instruments.md lists every scored question with the annex's thresholds,
    weight and source (the annex is printed from the definition; the docs must agree)."""
    import re

    from neascn_desktop.surveys import scoring

    doc = (Path(__file__).resolve().parents[2] / "docs" / "survey-instruments.md").read_text(
        encoding="utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"`\w+`", cells[1]):
            rows[cells[1].strip("`")] = cells
    db = open_database(tmp_path / "data")
    try:
        create_profile(db, name="S", role="secretariat")
        definition = get_definition(db)
    finally:
        db.dispose()
    scored = [q for _s, q in definition.walk() if scoring.is_scorable(definition, q)]
    assert scored
    for question in scored:
        row = rows[question.name]
        assert row[3].split()[0] == question.domain
        assert ("×1.5" in row[3]) == (question.weight == 1.5), question.name
        assert row[6] == (question.source or "—"), question.name
        if question.thresholds:
            stated = re.match(r"thresholds ([\d.]+(?: / [\d.]+)*)", row[5])
            assert stated, question.name
            values = [float(v) for v in stated.group(1).split(" / ")]
            assert values == list(question.thresholds), question.name
            assert ("lower is better" in row[5]) == question.thresholds_descending, question.name
