"""Charts of the reports and the dashboard, drawn with matplotlib (Agg) to PNG bytes.

matplotlib is imported lazily (it costs about half a second), and only the
object API is used (``Figure`` + ``FigureCanvasAgg``, never ``pyplot``), so the
functions are safe in a background thread.  Fonts come from the report
language (typography.FONTS): Noto Sans CJK KR/SC/JP on Linux, the system CJK
fonts on Windows and macOS, DejaVu Sans for Cyrillic; only installed families
are named so matplotlib never warns.  Every function returns PNG bytes; the
GUI shows them as a QPixmap.

Radar charts are drawn for every city of a report (300 in the benchmark), so
:class:`RadarPainter` draws the grid and labels once and only blits each
city's polygon onto a copy of that background.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from neascn_desktop.i18n.fonts import chart_cjk_fonts
from neascn_desktop.reports.typography import fonts_for, xml_safe

if TYPE_CHECKING:  # matplotlib itself is imported lazily (see _mpl)
    from matplotlib.typing import RcKeyType

NAVY = "#1F3A5F"
TEAL = "#1E6F8C"
GREY = "#7F7F7F"
LIGHT = "#D9E1EA"
#: The basemap: sea, land and the coast and border lines (quiet, under the dots).
SEA = "#F4F8FB"
LAND = "#E9E6DF"
COAST = "#A7A295"
#: Colours of the readiness bands, nascent → leading (colour-blind safe, ColorBrewer RdYlBu).
BAND_COLOURS = ("#D73027", "#FC8D59", "#FEE090", "#91BFDB", "#4575B4")

_FALLBACK = ("DejaVu Sans", "Arial", "Liberation Sans")

_lock = threading.Lock()


def _mpl() -> Any:
    """Import matplotlib with the Agg backend (once, on first use)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    return matplotlib


@lru_cache(maxsize=8)
def chart_families(language: str, system: str | None = None) -> tuple[str, ...]:
    """Installed font families for charts in ``language``, best first (matplotlib falls back in
    order); ``system``: ``windows``/``macos``/``linux`` (default: this one)."""
    _mpl()
    from matplotlib import font_manager

    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    # The language's own fonts, then this system's CJK fonts (the language's script first, then
    # any: a Hangul city name in a Russian chart), then Latin/Cyrillic (i18n/fonts.py).
    wanted = list(fonts_for(language).chart_families) + list(chart_cjk_fonts(language, system))
    wanted += list(_FALLBACK)
    chosen: list[str] = []
    for family in wanted:
        if family in installed and family not in chosen:
            chosen.append(family)
    return tuple(chosen) or ("sans-serif",)


def _rc(language: str) -> dict[RcKeyType, Any]:
    return {
        "font.family": list(chart_families(language)),
        "font.size": 9,
        "axes.edgecolor": GREY,
        "axes.labelcolor": "#333333",
        "xtick.color": "#333333",
        "ytick.color": "#333333",
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",
    }


def _figure(language: str, width: float, height: float, dpi: int = 100):
    _mpl()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def _png(figure, dpi: int, *, tight: Sequence[Any] | None = None) -> bytes:
    """PNG bytes; ``tight`` (artists outside the axes, such as legends) crops to what is drawn."""
    buffer = io.BytesIO()
    extra: dict[str, Any] = {} if tight is None else {
        "bbox_inches": "tight", "pad_inches": 0.05, "bbox_extra_artists": list(tight)}
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white", **extra)
    # A figure and its canvas refer to each other, so they wait for the cycle collector;
    # the pixel buffer (10-40 MB at 300 dpi) should not: drop it and the artists now.
    figure.canvas.__dict__.pop("renderer", None)
    figure.clear()
    return buffer.getvalue()


def band_colour(score: float | None) -> str:
    """The colour of a score's readiness band (light grey for no score)."""
    from neascn_desktop.reports.data import BANDS, band_for

    band = band_for(score)
    if band is None:
        return LIGHT
    return BAND_COLOURS[[b for b, _upper in BANDS].index(band)]


def _wrap(label: str, width: int = 22) -> str:
    """Break long labels (spaces, or anywhere for CJK text without spaces).

    Labels come from answers and packages: characters no font can shape (controls,
    lone surrogates) are dropped first, or matplotlib refuses the whole chart.
    """
    label = xml_safe(label)
    if len(label) <= width:
        return label
    if " " not in label:
        return "\n".join(label[i : i + width // 2 + 2] for i in range(0, len(label), width // 2 + 2))
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def bar_chart(
    labels: Sequence[str],
    values: Sequence[float | None],
    language: str,
    *,
    xlabel: str = "",
    width: float = 6.3,
    dpi: int = 150,
    value_format: Any = None,
) -> bytes:
    """Horizontal bars on a 0-100 scale, coloured by readiness band, first label on top."""
    import matplotlib

    height = max(1.6, 0.32 * len(labels) + 0.8)
    with _lock, matplotlib.rc_context(_rc(language)):
        figure = _figure(language, width, height)
        axes = figure.add_subplot(1, 1, 1)
        positions = list(range(len(labels)))[::-1]
        shown = [v if v is not None else 0 for v in values]
        axes.barh(positions, shown, color=[band_colour(v) for v in values], height=0.65,
                  edgecolor="white")
        axes.set_yticks(positions, [_wrap(label, 34) for label in labels])
        axes.set_xlim(0, 105)
        axes.set_xticks([0, 20, 40, 60, 80, 100])
        for x in (20, 40, 60, 80):
            axes.axvline(x, color=LIGHT, linewidth=0.6, zorder=0)
        for position, value in zip(positions, values, strict=True):
            text = "–" if value is None else (value_format(value) if value_format else f"{value:.0f}")
            axes.text((value or 0) + 1.2, position, text, va="center", fontsize=8, color="#333333")
        if xlabel:
            axes.set_xlabel(xlabel)
        figure.tight_layout()
        return _png(figure, dpi)


#: Where a city's name may go around its dot, in order of preference: unit directions (x, y) of
#: the offset, and the name's alignment there.  Right of the dot reads best; above and below
#: before the diagonals.
_LABEL_SPOTS = (((1, 0), "left", "center"), ((-1, 0), "right", "center"),
                ((0, 1), "center", "bottom"), ((0, -1), "center", "top"),
                ((0.7, 0.7), "left", "bottom"), ((0.7, -0.7), "left", "top"),
                ((-0.7, 0.7), "right", "bottom"), ((-0.7, -0.7), "right", "top"))
#: Gaps between a dot's edge and its name, in points: next to it, then further out with a thin
#: leader line for crowded places (Seoul and Incheon, Tokyo and Yokohama).
_LABEL_GAPS = (1.5, 12.0)


def dot_radius_points(size: float) -> float:
    """The radius in points of a scatter dot of ``size`` (matplotlib's area in points²)."""
    return math.sqrt(size) / 2


def _label_without_overlap(figure: Any, axes: Any, points: Sequence[tuple[str, float, float, float | None]],
                           sizes: Sequence[float]) -> list[tuple[Any, Any]]:
    """Name the cities so that no name covers another name or another city's dot.

    Each name tries the spots around its own dot (right, left, above, below, the
    diagonals), then the same spots further out with a leader line; higher indexes
    are placed first.  A name that fits nowhere takes the spot covering the fewest
    others.  Returns each name's box and the dot boxes (display pixels) for checks.
    """
    from matplotlib.transforms import Bbox

    renderer = figure.canvas.get_renderer()
    frame = axes.get_window_extent(renderer)
    to_pixels = figure.dpi / 72
    centres = axes.transData.transform([(lon, lat) for _name, lon, lat, _score in points])
    radii = [dot_radius_points(size) for size in sizes]
    dots = [Bbox.from_extents(x - r * to_pixels, y - r * to_pixels, x + r * to_pixels, y + r * to_pixels)
            for (x, y), r in zip(centres, radii, strict=True)]
    placed: list[Any] = []
    labels: list[Any] = []
    scores = [-1.0 if p[3] is None else p[3] for p in points]
    order = sorted(range(len(points)), key=lambda i: -scores[i])
    for i in order:
        name, lon, lat, _score = points[i]
        others = [box for j, box in enumerate(dots) if j != i]
        label = axes.annotate(xml_safe(name), (lon, lat), xytext=(0, 0), textcoords="offset points", fontsize=7,
                              color="#333333", zorder=4)
        best: tuple[int, tuple[float, float], str, str, bool] | None = None
        for far, gap in enumerate(_LABEL_GAPS):
            for (ux, uy), ha, va in _LABEL_SPOTS:
                offset = (ux * (radii[i] + gap), uy * (radii[i] + gap))
                label.set_position(offset)
                label.set_horizontalalignment(ha)
                label.set_verticalalignment(va)
                box = label.get_window_extent(renderer).padded(1.5)
                inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
                covered = sum(box.overlaps(other) for other in (*placed, *others)) + (0 if inside else 100)
                if best is None or covered < best[0]:
                    best = (covered, offset, ha, va, bool(far))
                if covered == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        _covered, offset, ha, va, far = best
        label.remove()
        leader = {"arrowstyle": "-", "color": GREY, "linewidth": 0.4, "shrinkA": 0.5,
                  "shrinkB": radii[i] + 0.5} if far else None
        label = axes.annotate(xml_safe(name), (lon, lat), xytext=offset, textcoords="offset points",
                              fontsize=7, color="#333333", ha=ha, va=va, zorder=4, arrowprops=leader)
        box = label.get_window_extent(renderer)
        placed.append(box)
        labels.append((name, box))
    return [*labels, *(("dot", box) for box in dots)]


@lru_cache(maxsize=1)
def basemap() -> dict[str, Any]:
    """Land polygons and borders of Northeast Asia (Natural Earth 1:50m, public domain).

    Cut by ``scripts/make_basemap.py``; ``resources/basemap/README.md`` says where
    from.  Missing or unreadable: the map is drawn without it.
    """
    import json

    from neascn_desktop.paths import resource

    try:
        document = json.loads(resource("basemap", "northeast-asia.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"box": None, "land": [], "borders": []}
    return document if isinstance(document, dict) else {"box": None, "land": [], "borders": []}


def _draw_basemap(axes: Any) -> tuple[float, float, float, float] | None:
    """Land, coastlines and borders under the dots; returns the box the data covers."""
    from matplotlib.collections import LineCollection, PolyCollection

    data = basemap()
    if data.get("land"):
        axes.set_facecolor(SEA)
        axes.add_collection(PolyCollection(data["land"], facecolors=LAND, edgecolors=COAST,
                                           linewidths=0.4, zorder=1))
    if data.get("borders"):
        axes.add_collection(LineCollection(data["borders"], colors=COAST, linewidths=0.5,
                                           linestyles=(0, (3, 2)), zorder=1))
    box = data.get("box")
    return tuple(box) if isinstance(box, list) and len(box) == 4 else None


def readiness_map(
    points: Sequence[tuple[str, float, float, float | None]],
    language: str,
    *,
    legend_title: str = "",
    no_data_label: str = "",
    size_title: str = "",
    xlabel: str = "° E",
    ylabel: str = "° N",
    width: float = 6.3,
    height: float = 4.2,
    dpi: int = 150,
    annotate_limit: int = 40,
    placements: list[tuple[str, Any]] | None = None,
) -> bytes:
    """Cities as dots on a map of Northeast Asia, coloured by band, sized by readiness index.

    ``points`` = (name, longitude, latitude, index).  An equirectangular plot
    with a 1:cos(latitude) aspect over bundled Natural Earth land and borders
    (no tiles to download, works offline).  Legends: the band colours (and
    grey for no index), and with ``size_title`` a key of dot sizes.  Names are
    placed clear of other names and dots; ``placements``, when given, receives
    each name's box and each dot's box ("dot") in pixels.
    """
    import matplotlib

    def dot(index: float | None) -> float:
        return 30 if index is None else 30 + index * 0.9

    with _lock, matplotlib.rc_context(_rc(language)):
        figure = _figure(language, width, height)
        axes = figure.add_subplot(1, 1, 1)
        box = _draw_basemap(axes)
        axes.grid(True, color=LIGHT, linewidth=0.5, zorder=0)
        axes.set_axisbelow(True)
        if points:
            lons = [p[1] for p in points]
            lats = [p[2] for p in points]
            colours = [band_colour(p[3]) for p in points]
            sizes = [dot(p[3]) for p in points]
            axes.scatter(lons, lats, c=colours, s=sizes, edgecolors=NAVY, linewidths=0.5, zorder=3)
            mid_lat = (min(lats) + max(lats)) / 2
            axes.set_aspect(1 / max(0.2, math.cos(math.radians(mid_lat))))
            pad_x = max(3.0, (max(lons) - min(lons)) * 0.12)
            pad_y = max(2.5, (max(lats) - min(lats)) * 0.12)
            west, east = min(lons) - pad_x, max(lons) + pad_x
            south, north = min(lats) - pad_y, max(lats) + pad_y
            if box is not None:  # the land is cut at the box: never show its edge
                west, south = max(west, box[0] + 0.5), max(south, box[1] + 0.5)
                east, north = min(east, box[2] - 0.5), min(north, box[3] - 0.5)
            axes.set_xlim(west, east)
            axes.set_ylim(south, north)
        axes.set_xlabel(xlabel)
        axes.set_ylabel(ylabel)
        legends = []
        if legend_title:
            from matplotlib.patches import Patch

            handles = [Patch(color=c, label=f"{lo}–{hi}") for c, (lo, hi) in
                       zip(BAND_COLOURS, ((0, 20), (21, 40), (41, 60), (61, 80), (81, 100)), strict=True)]
            if no_data_label and any(p[3] is None for p in points):
                handles.append(Patch(facecolor=LIGHT, edgecolor=NAVY, linewidth=0.5,
                                     label=no_data_label))
            colours = axes.legend(handles=handles, title=legend_title, fontsize=7,
                                  title_fontsize=7, loc="upper left",
                                  bbox_to_anchor=(1.01, 1.0), frameon=False)
            legends.append(colours)
            if size_title:
                axes.add_artist(colours)
                keys = [axes.scatter([], [], s=dot(v), color="white", edgecolors=NAVY,
                                     linewidths=0.5, label=str(v)) for v in (20, 60, 100)]
                legends.append(axes.legend(
                    handles=keys, title=size_title, fontsize=7, title_fontsize=7,
                    loc="lower left", bbox_to_anchor=(1.01, 0.0), frameon=False, labelspacing=1.2))
        for spine in axes.spines.values():  # a map has a frame on all four sides
            spine.set_visible(True)
            spine.set_color(COAST)
        figure.tight_layout()
        if points and len(points) <= annotate_limit:
            # Names last, once the layout and the aspect have fixed where every dot is drawn.
            axes.apply_aspect()
            boxes = _label_without_overlap(figure, axes, points, sizes)
            if placements is not None:
                placements.extend(boxes)
        return _png(figure, dpi, tight=legends)


def completion_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], str]],
    language: str,
    *,
    width: float = 6.3,
    dpi: int = 150,
) -> bytes:
    """Stacked horizontal bars: per label, counts of each series (name, values, colour)."""
    import matplotlib

    height = max(1.4, 0.3 * len(labels) + 1.0)
    with _lock, matplotlib.rc_context(_rc(language)):
        figure = _figure(language, width, height)
        axes = figure.add_subplot(1, 1, 1)
        positions = list(range(len(labels)))[::-1]
        left = [0.0] * len(labels)
        for name, values, colour in series:
            axes.barh(positions, values, left=left, color=colour, height=0.6, label=name,
                      edgecolor="white")
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_yticks(positions, [_wrap(label, 30) for label in labels])
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(series),
                    frameon=False, fontsize=8)
        from matplotlib.ticker import MaxNLocator

        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        figure.tight_layout()
        return _png(figure, dpi)


@dataclass
class RadarPainter:
    """Radar (spider) charts of domain scores with one shared background.

    The polar grid, the domain labels and the network average are drawn once;
    each chart restores that background and draws only the city's polygon
    (matplotlib's blitting), about twenty times faster than a new figure.
    """

    labels: tuple[str, ...]
    language: str
    average: tuple[float | None, ...] | None = None
    size: float = 3.4
    dpi: int = 120

    def __post_init__(self) -> None:
        import matplotlib

        with _lock, matplotlib.rc_context(_rc(self.language)):
            figure = _figure(self.language, self.size + 1.6, self.size, self.dpi)
            axes = figure.add_subplot(1, 1, 1, projection="polar")
            count = len(self.labels)
            self._angles = [2 * math.pi * i / count for i in range(count)]
            axes.set_theta_offset(math.pi / 2)
            axes.set_theta_direction(-1)
            axes.set_ylim(0, 100)
            axes.set_yticks([20, 40, 60, 80, 100], ["", "40", "", "80", ""], fontsize=6, color=GREY)
            axes.set_xticks(self._angles, [_wrap(label, 18) for label in self.labels], fontsize=8)
            axes.tick_params(axis="x", pad=2)
            axes.grid(color=LIGHT, linewidth=0.6)
            axes.spines["polar"].set_color(LIGHT)
            if self.average is not None:
                closed = self._closed([v or 0 for v in self.average])
                axes.plot(closed[0], closed[1], color=GREY, linewidth=1.0, linestyle="--")
            figure.tight_layout(pad=0.3)
            (self._line,) = axes.plot([], [], color=TEAL, linewidth=1.6, animated=True)
            self._fill = axes.fill([0], [0], color=TEAL, alpha=0.25, animated=True)[0]
            self._figure = figure
            self._axes = axes
            canvas = figure.canvas
            canvas.draw()
            self._background = canvas.copy_from_bbox(figure.bbox)
            self._palette = None

    def _closed(self, values: Sequence[float]) -> tuple[list[float], list[float]]:
        return list(self._angles) + [self._angles[0]], list(values) + [values[0]]

    def _draw(self, values: Sequence[float | None]):
        """The chart with one city's polygon as an RGB image (call with ``_lock`` held)."""
        from PIL import Image

        canvas = self._figure.canvas
        canvas.restore_region(self._background)
        xs, ys = self._closed([v or 0 for v in values])
        self._line.set_data(xs, ys)
        self._fill.set_xy(list(zip(xs, ys, strict=True)))
        self._axes.draw_artist(self._fill)
        self._axes.draw_artist(self._line)
        width, height = canvas.get_width_height()
        return Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw",
                                "RGBA", 0, 1).convert("RGB")

    def _palette_image(self):
        """One palette for every city's chart, from the background with a full and a half polygon.

        The charts differ only in the polygon, so their colours are the
        background's, its blends with the fill and the outline's: a fixed
        palette of 128 holds them all, and mapping a chart onto it takes a
        millisecond where an 8-bit PNG of its own (or a 24-bit one) takes
        five to seven (a 1,000-city report has a thousand radars).
        """
        from PIL import Image

        if self._palette is None:
            count = len(self.labels)
            full, half = self._draw([100.0] * count), self._draw([50.0] * count)
            sample = Image.new("RGB", (full.width, full.height * 2))
            sample.paste(full, (0, 0))
            sample.paste(half, (0, full.height))
            self._palette = sample.quantize(colors=128, method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE)
        return self._palette

    def render(self, values: Sequence[float | None]) -> bytes:
        """PNG of one city's polygon (``None`` = no score, drawn at 0), 8-bit on the shared palette."""
        from PIL import Image

        with _lock:
            palette = self._palette_image()
            image = self._draw(values)
        buffer = io.BytesIO()
        image.quantize(palette=palette, dither=Image.Dither.NONE).save(
            buffer, format="PNG", compress_level=3, dpi=(self._figure.dpi,) * 2)
        return buffer.getvalue()


def radar_chart(labels: Sequence[str], values: Sequence[float | None], language: str,
                average: Sequence[float | None] | None = None) -> bytes:
    """A single radar chart (the dashboard); reports reuse one :class:`RadarPainter`."""
    painter = RadarPainter(tuple(labels), language, tuple(average) if average else None)
    return painter.render(values)
