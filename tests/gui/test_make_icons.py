"""The Windows and macOS icons are made from the SVG at build time (scripts/make_icons.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


def test_ico_and_icns_hold_every_size_the_systems_ask_for(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_icons.py"), str(tmp_path)],
                          capture_output=True, text=True, check=False,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    with Image.open(tmp_path / "neascn.ico") as ico:
        assert {16, 32, 48, 256} <= {w for w, _h in ico.info["sizes"]}
    with Image.open(tmp_path / "neascn.icns") as icns:
        assert icns.size == (1024, 1024)
        pixel = icns.convert("RGBA").getpixel((512, 100))
        assert isinstance(pixel, tuple) and pixel[3] == 255  # drawn, not blank
