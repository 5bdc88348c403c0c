"""Dashboard charts stay sharp at 125-200 % display scaling (Windows laptops, Retina Macs)."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

from neascn_desktop.gui.reports.dashboard import ChartLabel
from neascn_desktop.identity.profile import Profile
from neascn_desktop.reports.dashboard import build_dashboard
from neascn_desktop.store import Database
from neascn_desktop.surveys import demo


def _width(png: bytes | None) -> int:
    assert png is not None
    return QImage.fromData(png, "PNG").width()


def test_charts_are_drawn_with_the_screens_pixels(db: Database, secretariat_profile: Profile) -> None:
    demo.load_demo_report(db, secretariat_profile, cities=3, seed=2)
    normal = build_dashboard(db, "en")
    scaled = build_dashboard(db, "en", scale=2.0)
    for attribute in ("domains_png", "completion_png"):
        assert abs(_width(getattr(scaled, attribute)) - 2 * _width(getattr(normal, attribute))) <= 2


class _ScaledLabel(ChartLabel):
    """A label on a screen at 200 % (the offscreen test platform itself is at 100 %)."""

    def devicePixelRatioF(self) -> float:  # noqa: N802 - Qt's name
        return 2.0


def test_the_label_shows_the_image_in_device_pixels(qtbot, db: Database,
                                                    secretariat_profile: Profile) -> None:
    demo.load_demo_report(db, secretariat_profile, cities=3, seed=2)
    png = build_dashboard(db, "en", scale=2.0).domains_png
    label = _ScaledLabel()
    qtbot.addWidget(label)
    label.resize(QSize(400, 300))
    label.set_png(png)
    shown = label.display_pixmap()  # what the label is given (Qt draws it at the real ratio)
    assert shown.devicePixelRatio() == 2.0
    assert shown.width() > 400  # device pixels: 2x the logical width it fills, not blown up later
    assert shown.deviceIndependentSize().width() <= 400
