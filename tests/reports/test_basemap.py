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
