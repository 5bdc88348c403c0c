"""The readiness index: item scores, weights, coverage, bands."""

from __future__ import annotations

import dataclasses

import pytest

from neascn_desktop.surveys.definition import SurveyDefinition
from neascn_desktop.surveys.scoring import band_for, band_label, item_score, score_submission


def test_full_answers(mini: SurveyDefinition) -> None:
    score = score_submission(mini, {
        "population": 100000, "budget_share": 3.0, "has_strategy": "yes", "strategy_level": "4",
        "digital_services": ["transport", "air"],
    })
    gov = score.domain("governance")
    infra = score.domain("infrastructure")
    # governance: yes (100, weight 1) and level 4 (75, weight 2) -> 250 / 3
    assert gov.score == pytest.approx(250 / 3) and gov.coverage == 1.0
    # infrastructure: 3 % is between thresholds 2 and 4 -> 50; two services -> 80
    assert infra.score == pytest.approx(65.0)
    # overall: domain weights 1 and 2
    assert score.overall == pytest.approx((250 / 3 + 2 * 65) / 3)
    assert score.band == "advanced" and score.coverage == 1.0
    assert score.to_dict()["domains"]["governance"]["score"] == 83.3


def test_unanswered_and_dont_know_lower_coverage_not_the_score(mini: SurveyDefinition) -> None:
    score = score_submission(mini, {"population": 10, "has_strategy": "yes", "strategy_level": "dk"})
    gov = score.domain("governance")
    assert gov.score == 100.0  # only "yes" counts
    assert gov.answered == 1 and gov.scorable == 2 and gov.coverage == 0.5
    infra = score.domain("infrastructure")
    assert infra.score is None and infra.coverage == 0.0
    assert score.overall == 100.0  # the one domain with a score; coverage tells the rest
    assert score.coverage == pytest.approx(1 / 4)


def test_irrelevant_questions_are_not_scorable(mini: SurveyDefinition) -> None:
    score = score_submission(mini, {"population": 10, "has_strategy": "no"})
    gov = score.domain("governance")
    assert gov.scorable == 1 and gov.score == 0.0 and gov.coverage == 1.0


def test_nothing_answered(mini: SurveyDefinition) -> None:
    score = score_submission(mini, {})
    assert score.overall is None and score.band is None and score.coverage == 0.0


def test_thresholds_both_directions(mini: SurveyDefinition) -> None:
    q = mini.question("budget_share")  # thresholds 1 2 4 6
    assert [item_score(mini, q, v) for v in (0.5, 1, 1.5, 2, 3.9, 4, 6, 99)] == [
        0, 25, 25, 50, 50, 75, 100, 100]
    down = dataclasses.replace(q, thresholds_descending=True)
    assert [item_score(mini, down, v) for v in (0.5, 1, 3, 6, 10)] == [100, 75, 50, 0, 0]
    assert item_score(mini, q, None) is None


@pytest.mark.parametrize(("value", "band"), [
    (0, "nascent"), (20, "nascent"), (20.4, "nascent"), (20.5, "nascent"), (20.6, "emerging"), (40, "emerging"), (55, "developing"),
    (61, "advanced"), (80, "advanced"), (81, "leading"), (100, "leading"), (None, None),
])
def test_bands(value, band) -> None:
    assert band_for(value) == band


def test_band_labels() -> None:
    assert band_label("leading", "en") == "Leading"
    assert band_label(None, "en") == ""
