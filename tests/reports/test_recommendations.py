"""Recommendations per weak domain come from the survey's own maturity level descriptions."""

from __future__ import annotations

from pathlib import Path

from neascn_desktop.identity.profile import Profile
from neascn_desktop.reports import collect, service
from neascn_desktop.reports.readiness import WEAK_SCORE, recommendations, weak_domains
from neascn_desktop.store import Database
from neascn_desktop.surveys import demo
from neascn_desktop.surveys.service import get_definition
from tests.reports.test_network_figures import paragraphs


def test_next_levels_and_recommendations(db: Database, secretariat_profile: Profile,
                                         tmp_path: Path) -> None:
    demo.load_demo_report(db, secretariat_profile, cities=6, seed=5)
    definition = get_definition(db)
    data = collect.collect_readiness(db, "en")
    checked = 0
    for city in (c for c in data.cities if c.answered):
        for answer in city.answers:
            question = definition.question(answer.question_name)
            if question.type != "scale" or answer.score is None:
                continue
            above = [c for c in definition.choices_for(question)
                     if c.score is not None and c.score > answer.score]
            expected = min(above, key=lambda c: c.score).label_in("en") if above else ""
            assert answer.next_level == expected
            checked += 1
        weak = weak_domains(data, city)
        assert weak and all(score <= WEAK_SCORE for _d, score in weak[1:])
        for domain_id, _score, steps in recommendations(data, city):
            assert steps and all(a.domain_id == domain_id and a.next_level for a in steps)
    assert checked > 10
    city = next(c for c in data.cities if recommendations(data, c))
    path = tmp_path / "r.docx"
    service.build_report(db, "readiness", path, city_ids=[city.city_id])
    text = paragraphs(path)
    _domain, _score, steps = recommendations(data, city)[0]
    assert "Recommendations" in text
    assert f"{steps[0].question_label}: {steps[0].next_level}" in text
