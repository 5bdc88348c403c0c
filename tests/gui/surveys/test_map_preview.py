"""The small offline map beside typed coordinates: coastlines, the feature where it belongs,
zoomed around it, following what is typed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from neascn_desktop.gui.surveys.map_preview import BACKGROUND, FEATURE, LAND, SEA, MapPreview
from neascn_desktop.surveys.coordinates import parse_point
from tests.gui.surveys.test_defects import _field_check


def _near(colour: QColor, wanted: QColor, tolerance: int = 24) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(
        colour.getRgb()[:3], wanted.getRgb()[:3], strict=True))


def _pixel(image: QImage, x: float, y: float) -> QColor:
    return image.pixelColor(round(x), round(y))


def _feature_pixels(image: QImage) -> int:
    return sum(1 for y in range(image.height()) for x in range(image.width())
               if _near(image.pixelColor(x, y), FEATURE, 30))


def test_a_point_is_drawn_on_the_coastlines_zoomed_around_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    preview = MapPreview()
    qtbot.addWidget(preview)
    seoul = parse_point("37.5665, 126.978")
    preview.set_points([seoul], closed=False)
    image = preview.grab().toImage()
    middle = preview.project(seoul.latitude, seoul.longitude)
    assert (round(middle.x()), round(middle.y())) == (preview.width() // 2, preview.height() // 2)
    assert _near(_pixel(image, middle.x(), middle.y()), FEATURE)
    # Zoomed: about three degrees from top to bottom, the Yellow Sea west of Incheon is sea and
    # the land east of Seoul is land (the bundled Natural Earth basemap, no network).
    assert preview.view is not None and 2.5 <= preview.view.span <= 4
    sea = preview.project(36.8, 125.7)  # off the grid lines
    land = preview.project(37.3, 127.7)
    assert _near(_pixel(image, sea.x(), sea.y()), SEA, 8)
    assert _near(_pixel(image, land.x(), land.y()), LAND, 8)


def test_a_trace_and_a_shape_are_drawn_and_framed(qtbot) -> None:  # type: ignore[no-untyped-def]
    preview = MapPreview()
    qtbot.addWidget(preview)
    corners = [parse_point(t) for t in ("38.5, 126.0", "38.5, 129.5", "34.5, 129.5", "34.5, 126.0")]
    preview.set_points(corners, closed=True)
    image = preview.grab().toImage()
    for corner in corners:  # every corner inside the widget, drawn in the feature's colour
        at = preview.project(corner.latitude, corner.longitude)
        assert 0 < at.x() < preview.width() and 0 < at.y() < preview.height()
        assert _near(_pixel(image, at.x(), at.y()), FEATURE)
    inside = preview.project(36.5, 126.3)  # the shape is filled, translucent, over land and sea
    assert not _near(_pixel(image, inside.x(), inside.y()), SEA, 8)
    route = [parse_point("35.10, 129.00"), parse_point("35.30, 129.40")]
    preview.set_points(route, closed=False)
    image = preview.grab().toImage()
    start, end = (preview.project(p.latitude, p.longitude) for p in route)
    halfway = (start + end) / 2
    assert _near(_pixel(image, halfway.x(), halfway.y()), FEATURE, 40)


def test_outside_the_basemap_the_background_stays_neutral(qtbot) -> None:  # type: ignore[no-untyped-def]
    preview = MapPreview()
    qtbot.addWidget(preview)
    preview.set_points([parse_point("-33.9, 18.4")], closed=False)  # Cape Town: no coastline here
    image = preview.grab().toImage()
    plain = sum(1 for y in range(image.height()) for x in range(image.width())
                if _near(image.pixelColor(x, y), BACKGROUND, 8))
    assert plain > 0.8 * image.width() * image.height()  # no sea, no land drawn
    assert _feature_pixels(image) > 20


def test_the_preview_follows_the_typed_coordinates(qtbot, gui_ctx, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _ws, form = _field_check(qtbot, gui_ctx, tmp_path)
    location = form.question("location")
    form.go_to_question("location")
    preview = location.preview
    assert _feature_pixels(preview.grab().toImage()) == 0  # nothing typed: nothing drawn
    qtbot.keyClicks(location.edit, "37.5665, 126.978")
    first = preview.grab().toImage()
    assert _feature_pixels(first) > 20
    assert preview.view is not None and abs(preview.view.lat - 37.5665) < 1e-6
    location.edit.selectAll()
    qtbot.keyClicks(location.edit, "35.1796, 129.0756")  # Busan: the map moves with the point
    assert preview.view is not None and abs(preview.view.lat - 35.1796) < 1e-6
    centre = preview.project(35.1796, 129.0756)
    assert _near(_pixel(preview.grab().toImage(), centre.x(), centre.y()), FEATURE)
    # A trace typed line by line: drawn once it has two points.
    route = form.question("route")
    form.go_to_question("route")
    qtbot.keyClicks(route.edit, "47.92, 106.92")
    assert _feature_pixels(route.preview.grab().toImage()) == 0
    qtbot.keyClick(route.edit, Qt.Key.Key_Return)  # the next line
    qtbot.keyClicks(route.edit, "47.93, 106.95")
    assert len(route.preview.points) == 2
    view = route.preview.view  # zoomed to the route, a few kilometres, not the whole region
    assert view is not None and view.span < 0.1
    assert _feature_pixels(route.preview.grab().toImage()) > 20
