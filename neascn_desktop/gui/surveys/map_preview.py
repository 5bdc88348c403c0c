"""A small offline map beside typed coordinates: the point, trace or shape over the coastlines.

The land and borders are the bundled Natural Earth basemap of Northeast Asia
that the reports draw under their readiness map (public domain, see
``resources/basemap/README.md``; loaded by ``reports.charts.basemap``).  No
tiles, no network: QPainter draws the polygons in an equirectangular
projection (longitudes shrunk by the cosine of the latitude, so shapes keep
their proportions), zoomed around the feature.  Outside the basemap's box
there is no coastline to draw: the background stays neutral grey-blue there
rather than pretending to be sea, and a grid of degrees shows the scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QWidget

from neascn_desktop.surveys.coordinates import Point

BACKGROUND = QColor("#e6eaee")  # no basemap here
SEA = QColor("#d4e5f2")
LAND = QColor("#efeadf")
COAST = QColor("#9a9486")
GRID = QColor(120, 135, 150, 70)
FEATURE = QColor("#c2185b")  # stands out on both land and sea
#: The least a view spans, in degrees of latitude: a point has its coast around it (about
#: 330 km); a trace or shape fills the view, however small (the basemap is drawn to 0.01°).
MIN_SPAN = 3.0
MIN_FEATURE_SPAN = 0.02
#: The most (the whole of Northeast Asia fits).
MAX_SPAN = 60.0
#: Room around a trace or shape, as a share of its size.
PADDING = 0.25


@dataclass(frozen=True)
class _Shape:
    box: tuple[float, float, float, float]  # west, south, east, north
    polygon: QPolygonF  # in degrees: x = longitude, y = latitude


@dataclass(frozen=True)
class _Basemap:
    box: tuple[float, float, float, float] | None
    land: tuple[_Shape, ...]
    borders: tuple[_Shape, ...]


def _shapes(rings: object) -> tuple[_Shape, ...]:
    found = []
    for ring in rings if isinstance(rings, list) else []:
        try:
            points = [(float(p[0]), float(p[1])) for p in ring]
        except (TypeError, ValueError, IndexError):
            continue  # a damaged ring is left out, the rest is drawn
        if len(points) < 2:
            continue
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        found.append(_Shape((min(lons), min(lats), max(lons), max(lats)),
                            QPolygonF([QPointF(x, y) for x, y in points])))
    return tuple(found)


@cache
def basemap() -> _Basemap:
    """The bundled land and borders as polygons in degrees (read once)."""
    from neascn_desktop.reports.charts import basemap as document

    data = document()
    box = data.get("box")
    box = tuple(float(v) for v in box) if isinstance(box, list) and len(box) == 4 else None
    return _Basemap(box, _shapes(data.get("land")), _shapes(data.get("borders")))


@dataclass(frozen=True)
class View:
    """What the preview shows: the centre, the degrees of latitude from top to bottom, and the
    cosine that narrows a degree of longitude."""

    lat: float
    lon: float
    span: float
    shrink: float


def view_for(points: list[Point], aspect: float) -> View | None:
    """The view around the points (``aspect`` = width / height of the widget)."""
    if not points:
        return None
    lats = [p.latitude for p in points]
    lons = [p.longitude for p in points]
    lat = (max(lats) + min(lats)) / 2
    lon = (max(lons) + min(lons)) / 2
    shrink = max(0.15, math.cos(math.radians(lat)))
    tall = max(lats) - min(lats)
    wide = (max(lons) - min(lons)) * shrink / max(aspect, 0.1)  # as degrees of latitude
    least = MIN_SPAN if len(points) == 1 else MIN_FEATURE_SPAN
    span = min(MAX_SPAN, max(least, max(tall, wide) * (1 + 2 * PADDING)))
    return View(lat, lon, span, shrink)


class MapPreview(QWidget):
    """A dot, a line or a closed shape over the coastlines, zoomed around it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.points: list[Point] = []
        self.closed = False
        self.setFixedSize(220, 150)

    def set_points(self, points: list[Point], closed: bool) -> None:
        self.points = points
        self.closed = closed
        self.update()

    @property
    def view(self) -> View | None:
        return view_for(self.points, self.width() / max(1, self.height()))

    def project(self, latitude: float, longitude: float) -> QPointF:
        """Where a place is drawn in the widget (the centre of the view is the middle)."""
        view = self.view
        if view is None:
            return QPointF(self.width() / 2, self.height() / 2)
        scale = self.height() / view.span  # pixels per degree of latitude
        return QPointF(self.width() / 2 + (longitude - view.lon) * view.shrink * scale,
                       self.height() / 2 - (latitude - view.lat) * scale)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), BACKGROUND)
        view = self.view
        if view is None:  # nothing typed yet: an empty grid
            painter.setPen(QPen(GRID, 1))
            for i in range(1, 4):
                x, y = self.width() * i / 4, self.height() * i / 4
                painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
                painter.drawLine(QPointF(0, y), QPointF(self.width(), y))
        else:
            self._draw_basemap(painter, view)
            self._draw_grid(painter, view)
            self._draw_feature(painter)
        painter.setPen(QPen(COAST, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))

    def _degrees(self, view: View) -> tuple[float, float, float, float]:
        """The view's box in degrees: west, south, east, north."""
        half_lat = view.span / 2
        half_lon = half_lat * self.width() / max(1, self.height()) / view.shrink
        return view.lon - half_lon, view.lat - half_lat, view.lon + half_lon, view.lat + half_lat

    def _draw_basemap(self, painter: QPainter, view: View) -> None:
        data = basemap()
        if data.box is None:
            return
        west, south, east, north = self._degrees(view)
        bw, bs, be, bn = data.box
        if east < bw or west > be or north < bs or south > bn:
            return  # nothing of the basemap here
        painter.save()
        scale = self.height() / view.span
        painter.translate(self.width() / 2, self.height() / 2)
        painter.scale(view.shrink * scale, -scale)
        painter.translate(-view.lon, -view.lat)
        painter.fillRect(QRectF(bw, bs, be - bw, bn - bs), SEA)

        def seen(shape: _Shape) -> bool:
            w, s, e, n = shape.box
            return not (e < west or w > east or n < south or s > north)

        land = QPainterPath()
        land.setFillRule(Qt.FillRule.WindingFill)
        for shape in data.land:
            if seen(shape):
                land.addPolygon(shape.polygon)
                land.closeSubpath()
        coast = QPen(COAST, 0.8)
        coast.setCosmetic(True)
        painter.setPen(coast)
        painter.setBrush(LAND)
        painter.drawPath(land)
        border = QPen(COAST, 0.8, Qt.PenStyle.DashLine)
        border.setCosmetic(True)
        painter.setPen(border)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for shape in data.borders:
            if seen(shape):
                painter.drawPolyline(shape.polygon)
        painter.restore()

    def _draw_grid(self, painter: QPainter, view: View) -> None:
        """Lines every 1, 2, 5, 10 … degrees: about three across the height."""
        step = next(s for s in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 45, 90) if view.span / s <= 4)
        west, south, east, north = self._degrees(view)
        painter.setPen(QPen(GRID, 1))
        lat = math.ceil(south / step) * step
        while lat <= north:
            y = self.project(lat, view.lon).y()
            painter.drawLine(QPointF(0, y), QPointF(self.width(), y))
            lat += step
        lon = math.ceil(west / step) * step
        while lon <= east:
            x = self.project(view.lat, lon).x()
            painter.drawLine(QPointF(x, 0), QPointF(x, self.height()))
            lon += step

    def _draw_feature(self, painter: QPainter) -> None:
        polygon = QPolygonF([self.project(p.latitude, p.longitude) for p in self.points])
        pen = QPen(FEATURE, 2)
        painter.setPen(pen)
        if len(self.points) > 1:
            if self.closed:
                painter.setBrush(QColor(FEATURE.red(), FEATURE.green(), FEATURE.blue(), 60))
                painter.drawPolygon(polygon)
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPolyline(polygon)
        accuracy = self.points[0].accuracy if len(self.points) == 1 else None
        view = self.view
        if accuracy and view is not None:  # the circle the point may be anywhere in
            radius_px = accuracy / 111_320 * self.height() / view.span
            if radius_px > 6:
                painter.setBrush(QColor(FEATURE.red(), FEATURE.green(), FEATURE.blue(), 40))
                painter.setPen(QPen(FEATURE, 1))
                painter.drawEllipse(polygon.at(0), radius_px, radius_px)
        painter.setPen(QPen(QColor("white"), 1.5))
        painter.setBrush(FEATURE)
        radius = 4.5 if len(self.points) == 1 else 3
        for index in range(polygon.size()):
            painter.drawEllipse(polygon.at(index), radius, radius)
