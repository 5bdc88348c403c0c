"""Coordinates as people paste them, turned into ODK's geopoint text.

Accepted for one point: decimal degrees in either separator style
(``37.5665, 126.978`` from any web map, ``37.5665 126.978``), with
hemisphere letters (``37.5665 N 126.978 E``, ``S``/``W`` make it negative),
and degrees-minutes-seconds (``37°33'59.4"N 126°58'40.8"E``, also with
``º``, ``′``, ``″`` or plain ``d m s``).  The stored text is ODK's
``latitude longitude altitude accuracy``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from neascn_desktop.i18n import _
from neascn_desktop.surveys.definition import SurveyError

_DMS_RE = re.compile(
    r"""(?P<deg>[+-]?\d+(?:[.,]\d+)?)\s*(?:°|º|d|deg)\s*"""
    r"""(?:(?P<min>\d+(?:[.,]\d+)?)\s*(?:'|′|’|m|min)\s*)?"""
    r"""(?:(?P<sec>\d+(?:[.,]\d+)?)\s*(?:"|″|”|''|s|sec)\s*)?"""
    r"""(?P<hem>[NSEWnsew])?""")
_DECIMAL_RE = re.compile(r"(?P<value>[+\-]?\d+(?:\.\d+)?)\s*(?:°|º)?\s*(?P<hem>[NSEWnsew])?")


class CoordinateError(SurveyError):
    """Text that is not a point."""


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    altitude: float | None = None
    accuracy: float | None = None

    def odk_text(self) -> str:
        parts = [_number(self.latitude), _number(self.longitude)]
        if self.altitude is not None or self.accuracy is not None:
            parts.append(_number(self.altitude or 0.0))
        if self.accuracy is not None:
            parts.append(_number(self.accuracy))
        return " ".join(parts)


def _number(value: float) -> str:
    text = f"{value:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _signed(value: float, hemisphere: str | None) -> float:
    if hemisphere and hemisphere.upper() in "SW":
        return -abs(value)
    return value


def _fail(text: str) -> CoordinateError:
    return CoordinateError(_(
        "“{text}” is not a point; type or paste “latitude, longitude” such as 37.5665, 126.978 "
        "or 37°33'59\"N 126°58'41\"E.").format(text=text.strip()[:80]))


def _dms_values(text: str) -> list[tuple[float, str | None]] | None:
    found = [m for m in _DMS_RE.finditer(text) if m.group(0).strip()]
    if len(found) != 2:
        return None
    values = []
    for match in found:
        degrees = float(match.group("deg").replace(",", "."))
        minutes = float((match.group("min") or "0").replace(",", "."))
        seconds = float((match.group("sec") or "0").replace(",", "."))
        if minutes >= 60 or seconds >= 60:
            return None
        magnitude = abs(degrees) + minutes / 60 + seconds / 3600
        values.append((-magnitude if degrees < 0 else magnitude, match.group("hem")))
    return values


def parse_point(text: str, accuracy: float | None = None) -> Point:
    """One point from pasted or typed text (raises :class:`CoordinateError`)."""
    cleaned = text.strip().strip("()[]").replace("−", "-")
    if not cleaned:
        raise _fail(text)
    if any(mark in cleaned for mark in "°º′″'\"") and re.search(r"\d\s*(?:°|º)", cleaned):
        values = _dms_values(cleaned)
        extra: list[float] = []
    else:
        values = None
        extra = []
        pieces = [p for p in re.split(r"[,\s]+", cleaned) if p]
        joined = []
        index = 0
        while index < len(pieces):
            piece = pieces[index]
            if index + 1 < len(pieces) and pieces[index + 1].upper() in ("N", "S", "E", "W"):
                piece += pieces[index + 1]
                index += 1
            joined.append(piece)
            index += 1
        parsed = []
        for piece in joined:
            match = _DECIMAL_RE.fullmatch(piece)
            if match is None:
                raise _fail(text)
            parsed.append((float(match.group("value").replace("−", "-")), match.group("hem")))
        if len(parsed) < 2 or len(parsed) > 4:
            raise _fail(text)
        values = parsed[:2]
        extra = [v for v, _h in parsed[2:]]
    if values is None:
        raise _fail(text)
    (first, first_hem), (second, second_hem) = values
    # "126.97 E 37.56 N": longitude first when the letters say so.
    if (first_hem or "").upper() in ("E", "W") and (second_hem or "").upper() in ("N", "S"):
        (first, first_hem), (second, second_hem) = (second, second_hem), (first, first_hem)
    latitude, longitude = _signed(first, first_hem), _signed(second, second_hem)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180) or not all(
            map(math.isfinite, (latitude, longitude))):
        raise CoordinateError(_(
            "“{text}”: a latitude is between -90 and 90 and a longitude between -180 and 180."
        ).format(text=text.strip()[:80]))
    altitude = extra[0] if extra else None
    if len(extra) > 1 and accuracy is None:
        accuracy = extra[1]
    if accuracy is not None and (accuracy < 0 or not math.isfinite(accuracy)):
        raise CoordinateError(_("The accuracy is a distance in metres, 0 or more."))
    return Point(latitude, longitude, altitude, accuracy)


def parse_points(text: str) -> list[Point]:
    """Several points, one per line or separated by ``;`` (a geotrace or geoshape)."""
    lines = [part for part in re.split(r"[;\n]", text) if part.strip()]
    return [parse_point(line) for line in lines]


def point_from_odk(text: str) -> Point | None:
    """A stored ODK point back (``None`` if it is not one)."""
    try:
        numbers = [float(p) for p in text.split()]
    except ValueError:
        return None
    if len(numbers) < 2:
        return None
    return Point(numbers[0], numbers[1], numbers[2] if len(numbers) > 2 else None,
                 numbers[3] if len(numbers) > 3 else None)
