"""A double-clicked ``.neascn`` opens in the Inbox: the file argument (Windows, Linux), the
open-file event (macOS); and the Linux menu entry with the file type."""

from __future__ import annotations

import configparser
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtWidgets import QApplication

from neascn_desktop.gui.app import EXIT_OK, main
from neascn_desktop.gui.main_window import MainWindow
from tests.gui.test_app import _visible, _when


@pytest.fixture
def package_and_office(cli, tmp_path: Path) -> tuple[Path, Path]:
    """A real signed package from a field laptop, and a secretariat's data directory."""
    field, office = tmp_path / "field", tmp_path / "office"
    assert cli("--data-dir", field, "init", "--name", "Field", "--role", "field")[0] == 0
    assert cli("--data-dir", office, "init", "--name", "Office", "--role", "secretariat")[0] == 0
    package = tmp_path / "Downloads" / "from Kim #2.neascn"
    package.parent.mkdir()
    code, _out, err = cli("--data-dir", field, "package", "export", "--kind", "responses", "-o", package)
    assert code == 0, err
    return package, office


def _inbox_rows(window: MainWindow) -> list[Path]:
    model = window.workspace("inbox").model  # type: ignore[attr-defined]
    return [item.path for item in model.items()]


def test_a_package_on_the_command_line_shows_in_the_inbox(qtbot, package_and_office) -> None:
    package, office = package_and_office
    seen: list[object] = []

    def look_and_close(window: MainWindow) -> None:
        seen.append((window.current_workspace_key(), _inbox_rows(window)))
        window.close()

    _when(lambda: _visible(MainWindow), look_and_close, [])
    assert main(["--data-dir", str(office), str(package)]) == EXIT_OK
    assert seen == [("inbox", [package])]


def test_the_macos_open_file_event_shows_the_package_in_the_inbox(qtbot, package_and_office) -> None:
    package, office = package_and_office
    seen: list[object] = []

    def open_and_close(window: MainWindow) -> None:
        QApplication.sendEvent(QApplication.instance(), QFileOpenEvent(str(package)))
        seen.append((window.current_workspace_key(), _inbox_rows(window)))
        window.close()

    _when(lambda: _visible(MainWindow), open_and_close, [])
    assert main(["--data-dir", str(office)]) == EXIT_OK
    assert seen == [("inbox", [package])]


def test_install_desktop_entry_for_the_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert main(["--install-desktop-entry"]) == EXIT_OK
    share = tmp_path / "share"
    desktop = share / "applications" / "neascn-desktop.desktop"
    assert capsys.readouterr().out.splitlines()[0] == str(desktop)
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(desktop, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["MimeType"] == "application/x-neascn-package;"
    assert section["Exec"].endswith(" %F") and "{exec}" not in section["Exec"]
    mime = ET.parse(share / "mime" / "packages" / "neascn-desktop.xml").getroot()
    namespace = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    kind = mime.find("m:mime-type", namespace)
    assert kind is not None and kind.get("type") == "application/x-neascn-package"
    assert kind.find("m:glob", namespace).get("pattern") == "*.neascn"  # type: ignore[union-attr]
    assert (share / "icons" / "hicolor" / "scalable" / "apps" / "neascn-desktop.svg").is_file()
