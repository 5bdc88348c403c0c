"""The main window: title, navigation between the workspaces, role start, persistence, menus."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit

from neascn_desktop.changes import Changes
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.inbox.workspace import InboxWorkspace
from neascn_desktop.gui.main_window import WORKSPACE_KEYS, MainWindow
from neascn_desktop.gui.reports.workspace import ReportsWorkspace
from neascn_desktop.identity.profile import create_profile


def test_title_contains_neascn(main_window) -> None:
    assert "NEASCN" in main_window.windowTitle()


def test_navigation_switches_workspaces(qtbot, main_window) -> None:
    navigation = main_window.form.navigation
    stack = main_window.form.workspaceStack
    assert [navigation.item(i).text() for i in range(navigation.count())] == [
        "Framework", "Surveys", "Inbox", "Reports"
    ]

    rect = navigation.visualItemRect(navigation.item(2))
    qtbot.mouseClick(navigation.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert isinstance(stack.currentWidget(), InboxWorkspace)
    assert main_window.current_workspace_key() == "inbox"

    main_window.findChild(QAction, "actionShowReports").trigger()
    assert isinstance(stack.currentWidget(), ReportsWorkspace)
    assert navigation.currentRow() == 3
    assert stack.currentWidget().isVisible()


def test_workspaces_are_built_when_first_shown(main_window) -> None:
    assert set(main_window.built_workspaces()) == {"surveys"}  # the field role's start
    main_window.show_workspace("framework")
    assert set(main_window.built_workspaces()) == {"surveys", "framework"}
    assert main_window.workspace("framework") is main_window.built_workspaces()["framework"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("taskforce", "framework"), ("field", "surveys"), ("secretariat", "inbox")],
)
def test_role_decides_the_first_workspace(qtbot, db, role, expected) -> None:
    profile = create_profile(db, name="Someone", role=role)
    window = MainWindow(GuiContext(db=db, profile=profile))
    qtbot.addWidget(window)
    assert window.current_workspace_key() == expected
    window.close()


def test_geometry_and_last_workspace_persist(qtbot, gui_ctx) -> None:
    first = MainWindow(gui_ctx)
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 530)
    first.show_workspace("reports")
    first.close()

    second = MainWindow(GuiContext(db=gui_ctx.db, profile=gui_ctx.profile))
    qtbot.addWidget(second)
    second.show()
    assert second.current_workspace_key() == "reports"
    assert (second.width(), second.height()) == (700, 530)
    assert (gui_ctx.data_dir / "gui.ini").is_file()
    second.close()


def test_status_bar_shows_profile_role_and_database(main_window, gui_ctx) -> None:
    texts = [label.text() for label in main_window.statusBar().findChildren(QLabel)]
    assert "Field Tester (Test Org)" in texts
    assert "Field staff" in texts
    assert any(gui_ctx.db.location in text for text in texts)


def test_language_menu_names_each_language_in_itself(main_window) -> None:
    titles = [action.text() for action in main_window.form.menuLanguage.actions()]
    assert titles == ["English", "한국어", "简体中文", "日本語", "Русский", "Монгол"]


def test_changes_reach_built_workspaces(main_window) -> None:
    received: list[Changes] = []
    workspace = main_window.show_workspace("inbox")
    workspace.on_changes = received.append  # type: ignore[method-assign]
    main_window.ctx.publish(Changes.of("package", ["p1"]))
    assert received == [Changes.of("package", ["p1"])]


def test_undo_and_redo_forward_to_the_focused_field(qtbot, main_window) -> None:
    edit = QLineEdit(main_window.workspace("surveys"))
    edit.show()
    main_window.activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    qtbot.keyClicks(edit, "abc")
    main_window.form.menuEdit.aboutToShow.emit()
    assert main_window.form.actionUndo.isEnabled()
    main_window.form.actionUndo.trigger()
    assert edit.text() == ""
    main_window.form.actionRedo.trigger()
    assert edit.text() == "abc"


def test_about_box_shows_version_data_dir_and_stats(main_window, gui_ctx) -> None:
    from neascn_desktop import __version__

    box = main_window.show_about()
    assert __version__ in box.text()
    assert str(gui_ctx.data_dir) in box.text()
    assert "Trusted devices" in box.text() and "trusted_devices" not in box.text()
    box.close()


def test_demo_data_action_follows_the_hook_module(main_window) -> None:
    import importlib.util

    available = importlib.util.find_spec("neascn_desktop.gui.demo_data") is not None
    action = main_window.form.actionLoadDemoData
    assert action.isEnabled() == available
    assert action.toolTip()


def test_workspace_keys_are_the_four_workspaces() -> None:
    assert WORKSPACE_KEYS == ("framework", "surveys", "inbox", "reports")


def test_about_box_heading_is_translated(main_window) -> None:
    """"Statistics" sat inside an f-string, where pybabel never found it: English in every language."""
    from neascn_desktop import i18n

    try:
        i18n.set_language("mn")
        assert "Statistics" not in main_window.about_text()
    finally:
        i18n.set_language("en")
