"""Coordinates as people paste them: web-map pairs, hemisphere letters, degrees-minutes-seconds."""

from __future__ import annotations

import pytest

from neascn_desktop.surveys.coordinates import CoordinateError, parse_point, parse_points


@pytest.mark.parametrize(("text", "stored"), [
    ("37.5665, 126.978", "37.5665 126.978"),
    ("37.5665 126.978", "37.5665 126.978"),
    ("37.5665 126.978 38 5", "37.5665 126.978 38 5"),
    ("(37.5665, 126.978)", "37.5665 126.978"),
    ("-33.86,151.2", "-33.86 151.2"),
    ("37.5 N, 126.9 E", "37.5 126.9"),
    ("126.9 E 37.5 N", "37.5 126.9"),
    ("37°33'59.4\"N 126°58'40.8\"E", "37.5665 126.978"),
    ("33°52′S 151°12′E", "-33.8666667 151.2"),
])
def test_points_from_maps_and_dms(text: str, stored: str) -> None:
    assert parse_point(text).odk_text() == stored


def test_accuracy_is_kept_and_checked() -> None:
    assert parse_point("47.92, 106.92", accuracy=12.5).odk_text() == "47.92 106.92 0 12.5"
    with pytest.raises(CoordinateError):
        parse_point("47.92, 106.92", accuracy=-1)


@pytest.mark.parametrize("text", ["", "hello", "100, 200", "1,2,3,4,5,6", "37°75'N 126°E"])
def test_what_is_not_a_point_is_refused_in_one_sentence(text: str) -> None:
    with pytest.raises(CoordinateError) as error:
        parse_point(text)
    assert "\n" not in str(error.value)


def test_a_trace_takes_one_point_per_line() -> None:
    points = parse_points("47.92, 106.92\n47.93, 106.93; 47.94, 106.90")
    assert [p.odk_text() for p in points] == ["47.92 106.92", "47.93 106.93", "47.94 106.9"]
