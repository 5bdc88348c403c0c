"""The readiness map's bundled basemap (Natural Earth, cut to Northeast Asia)."""

from __future__ import annotations

import io

from PIL import Image

from neascn_desktop.paths import resource
from neascn_desktop.reports import charts


def test_the_basemap_is_small_and_covers_the_network() -> None:
    path = resource("basemap", "northeast-asia.json")
    assert path.stat().st_size < 300_000
    data = charts.basemap()
    west, south, east, north = data["box"]
    assert data["land"] and data["borders"]
    for ring in data["land"]:
        assert all(west <= x <= east and south <= y <= north for x, y in ring)
    # Seoul, Tokyo and Ulaanbaatar are on land: some ring's bounding box holds each.
    for lon, lat in ((127.0, 37.5), (139.7, 35.7), (106.9, 47.9)):
        assert any(min(x for x, _ in r) <= lon <= max(x for x, _ in r)
                   and min(y for _, y in r) <= lat <= max(y for _, y in r) for r in data["land"])
    assert (resource("basemap", "README.md")).read_text(encoding="utf-8").count("public domain")


def test_the_map_keeps_its_legends_inside_the_picture() -> None:
    points = [("Seoul", 127.0, 37.5, 72.0), ("Ulaanbaatar", 106.9, 47.9, None)]
    short = Image.open(io.BytesIO(charts.readiness_map(points, "en", legend_title="Index")))
    long = Image.open(io.BytesIO(charts.readiness_map(
        points, "en", legend_title="Index", size_title="Dot size: index",
        no_data_label="No index or provisional, with a much longer label than usual")))
    assert long.width > short.width  # cropped to what is drawn, the long label included


def test_no_city_name_covers_another_name_or_another_citys_dot() -> None:
    # Erdenet, Darkhan and Ulaanbaatar; Seoul and Incheon; Tokyo and Yokohama: close at map scale.
    points = [("Seoul", 126.98, 37.57, 71.0), ("Incheon", 126.7, 37.46, None),
              ("Busan", 129.08, 35.18, 70.0), ("Daegu", 128.6, 35.87, None),
              ("Erdenet", 104.05, 49.03, 62.0), ("Darkhan", 105.97, 49.49, 15.0),
              ("Ulaanbaatar", 106.92, 47.92, None), ("Irkutsk", 104.3, 52.29, None),
              ("Yokohama", 139.64, 35.44, 31.0), ("Tokyo", 139.69, 35.69, None),
              ("Toyama", 137.21, 36.7, None), ("Niigata*", 139.04, 37.92, None),
              ("Harbin", 126.63, 45.75, 44.0), ("Shanghai*", 121.47, 31.23, None)]
    for language in ("en", "ja"):
        placements: list = []
        charts.readiness_map(points, language, legend_title="Index", size_title="Dot size: index",
                             placements=placements)
        names = [(n, box) for n, box in placements if n != "dot"]
        dots = [box for n, box in placements if n == "dot"]
        assert len(names) == len(points) and len(dots) == len(points)
        for name, box in names:
            own = dots[[p[0] for p in points].index(name)]
            assert not any(box.overlaps(other) for other_name, other in names if other_name != name), name
            assert not any(box.overlaps(dot) for dot in dots if dot is not own), name
