"""Make the application icon for Windows (``.ico``) and macOS (``.icns``) from its SVG.

    python scripts/make_icons.py [OUTPUT_FOLDER]      (default: build/icons)

Run by ``scripts/build_bundle.sh`` before PyInstaller; ``build.spec`` takes the
icons from ``build/icons/``.  The SVG (``resources/icons/neascn.svg``) is the one
source: Qt renders it at each size the systems ask for, Pillow writes the two
container formats (both on any system, so a Linux machine can check them).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "neascn.svg"
#: Windows shows 16-256 px (Explorer's large icons, the task bar at 200 %).
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
#: macOS: 16-1024 px (Retina Dock and Finder); Pillow picks the icns slots from these.
ICNS_SIZE = 1024


def render_png(svg: Path, size: int) -> bytes:
    """The SVG rendered by Qt at ``size`` x ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        render_png.app = QGuiApplication(["make_icons"])  # type: ignore[attr-defined]
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot render {svg}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def make_icons(folder: Path, svg: Path = SVG) -> tuple[Path, Path]:
    """Write ``neascn.ico`` and ``neascn.icns`` into ``folder``; returns their paths."""
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    images = {size: Image.open(io.BytesIO(render_png(svg, size))) for size in (*ICO_SIZES, ICNS_SIZE)}
    ico = folder / "neascn.ico"
    # Each size rendered from the vector (not scaled down from 256 px: crisper at 16 px).
    images[256].save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES],
                     append_images=[images[s] for s in ICO_SIZES if s != 256])
    icns = folder / "neascn.icns"
    images[ICNS_SIZE].save(icns, format="ICNS",
                           append_images=[images[s] for s in (16, 32, 64, 128, 256)])
    return ico, icns


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"
    for path in make_icons(target):
        print(path)
