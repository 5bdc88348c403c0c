"""Cut the Northeast Asia basemap of the readiness map out of Natural Earth (1:50m).

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/make_basemap.py package/countries-50m.json resources/basemap/northeast-asia.json

world-atlas 2.0.2 redistributes Natural Earth 4.1.0's Admin 0 countries
(public domain) as TopoJSON.  This script decodes its arcs, keeps the rings
of the countries that reach into the map's box, and writes them as land
polygons (for the fill and the coastline) and the arcs two countries share as
borders, coordinates rounded to 0.01° (about 1 km, far below what a 150 mm
wide map shows).  The output is reproducible byte for byte.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

#: West, south, east, north: the network's cities with room around them.
BOX = (88.0, 20.0, 160.0, 64.0)


def _decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((round(x * sx + tx, 2), round(y * sy + ty, 2)))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indices: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _touches(points: list[tuple[float, float]]) -> bool:
    west, south, east, north = BOX
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return max(xs) >= west and min(xs) <= east and max(ys) >= south and min(ys) <= north


def _clip(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the ring cut to the box (the fill stays right inside it)."""
    west, south, east, north = BOX
    edges = ((0, west, True), (0, east, False), (1, south, True), (1, north, False))
    for axis, limit, keep_above in edges:
        if not points:
            break

        def inside(p: tuple[float, float], axis: int = axis, limit: float = limit,
                   keep_above: bool = keep_above) -> bool:
            return p[axis] >= limit if keep_above else p[axis] <= limit

        def cut(a: tuple[float, float], b: tuple[float, float], axis: int = axis,
                limit: float = limit) -> tuple[float, float]:
            t = (limit - a[axis]) / (b[axis] - a[axis])
            x, y = a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])
            return (round(x, 2), round(y, 2))

        result: list[tuple[float, float]] = []
        for index, current in enumerate(points):
            previous = points[index - 1]
            if inside(current):
                if not inside(previous):
                    result.append(cut(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cut(previous, current))
        points = result
    return points


def _thin(points: list[tuple[float, float]]) -> list[list[float]]:
    """Drop repeated points after rounding."""
    kept: list[list[float]] = []
    for x, y in points:
        if not kept or kept[-1] != [x, y]:
            kept.append([x, y])
    return kept


def main(source: str, target: str) -> int:
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    land: list[list[list[float]]] = []
    uses: dict[int, int] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        polygons = geometry["arcs"] if kind == "MultiPolygon" else \
            [geometry["arcs"]] if kind == "Polygon" else []
        for polygon in polygons:
            outer = _ring(arcs, polygon[0])
            if not _touches(outer):
                continue
            for rings in polygon:
                clipped = _thin(_clip(_ring(arcs, rings)))
                if len(clipped) >= 3:
                    land.append(clipped)
                for index in rings:
                    key = index if index >= 0 else ~index
                    uses[key] = uses.get(key, 0) + 1
    borders = [_thin([p for p in arcs[i] if _touches([p])]) for i, count in sorted(uses.items())
               if count >= 2 and _touches(arcs[i])]
    borders = [b for b in borders if len(b) >= 2]
    document = {
        "source": "Natural Earth 4.1.0 Admin 0 countries, 1:50m (public domain), "
                  "via world-atlas 2.0.2 (ISC licence, Michael Bostock)",
        "box": list(BOX),
        "land": land,
        "borders": borders,
    }
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{target}: {len(land)} rings, {len(borders)} borders, "
          f"{Path(target).stat().st_size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
