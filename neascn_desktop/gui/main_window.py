"""The main window: side navigation between the four workspaces, menus, status bar.

The layout is ``ui/main_window.ui``; this module only wires behaviour.
Workspaces are imported and built the first time they are shown (see
``README-workspaces.md``), which keeps the start fast.  The window owns the one
change signal (``dataChanged``, from ``ctx.changes``) and forwards it to every
built workspace.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QSizePolicy,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from neascn_desktop import APP_NAME, __version__, i18n
from neascn_desktop.changes import Changes
from neascn_desktop.demo.directory import is_demo_directory
from neascn_desktop.demo.marks import holds_demo_data
from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.accessibility import name_widgets
from neascn_desktop.gui.context import GuiContext
from neascn_desktop.gui.demo_data import load_demo_data, remove_demo_data, try_demo
from neascn_desktop.gui.forms import load_form
from neascn_desktop.gui.icons import icon
from neascn_desktop.gui.settings import gui_settings
from neascn_desktop.i18n import N_, _

if TYPE_CHECKING:
    from neascn_desktop.team.members import Member


@dataclass(frozen=True)
class WorkspaceSpec:
    key: str
    module: str
    class_name: str
    label: str  # marked with N_, translated when shown (the .ui has the same msgid)


#: In navigation order; the index is the row in the side navigation and the stack.
WORKSPACES: tuple[WorkspaceSpec, ...] = (
    WorkspaceSpec("framework", "neascn_desktop.gui.framework.workspace", "FrameworkWorkspace",
                  N_("Framework")),
    WorkspaceSpec("surveys", "neascn_desktop.gui.surveys.workspace", "SurveysWorkspace",
                  N_("Surveys")),
    WorkspaceSpec("inbox", "neascn_desktop.gui.inbox.workspace", "InboxWorkspace", N_("Inbox")),
    WorkspaceSpec("reports", "neascn_desktop.gui.reports.workspace", "ReportsWorkspace",
                  N_("Reports")),
)
WORKSPACE_KEYS = tuple(spec.key for spec in WORKSPACES)

#: The workspace a role starts in on the first run.
ROLE_WORKSPACE = {"taskforce": "framework", "field": "surveys", "secretariat": "inbox"}

_KEY_GEOMETRY = "mainWindow/geometry"
_KEY_STATE = "mainWindow/state"
_KEY_WORKSPACE = "mainWindow/workspace"


class _UnbuiltPage(QWidget):
    """Stands in the stack for a workspace not built yet (or one that failed to build)."""

    def __init__(self, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.error: BaseException | None = None
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)

    def retranslateUi(self) -> None:  # noqa: N802 - the workspace contract's name
        if self.error is not None:
            self.message.setText(
                _("This workspace could not be opened: {error}").format(error=self.error)
            )


class MainWindow(QMainWindow):
    """The application window for one open data directory."""

    def __init__(
        self, ctx: GuiContext, settings: QSettings | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        ctx.main_window = self
        self.settings = settings if settings is not None else gui_settings(ctx.data_dir)
        self.form = load_form("main_window.ui", self)
        self._workspaces: dict[str, QWidget] = {}
        self._translated_language = ""

        self.setWindowIcon(icon("neascn"))
        self._setup_navigation()
        self._setup_actions()
        self._setup_status_bar()
        ctx.changes.dataChanged.connect(self._on_data_changed)
        ctx.changes.watch(ctx.db)
        self.retranslate()
        self._restore()

    # -- public API -----------------------------------------------------------------
    @property
    def dataChanged(self) -> Any:  # noqa: N802 - named like the signal it is
        """The one change signal, ``dataChanged(Changes)`` (owned by ``ctx.changes``)."""
        return self.ctx.changes.dataChanged

    def workspace(self, key: str) -> QWidget:
        """The workspace ``key`` (``framework``, ``surveys``, ``inbox``, ``reports``), built on demand."""
        built = self._workspaces.get(key)
        if built is not None:
            return built
        index = WORKSPACE_KEYS.index(key)
        spec = WORKSPACES[index]
        stack = self.form.workspaceStack
        placeholder = stack.widget(index)
        try:
            module = importlib.import_module(spec.module)
            widget: QWidget = getattr(module, spec.class_name)(self.ctx, stack)
        except Exception as exc:  # noqa: BLE001 - a broken workspace must not take the window down
            assert isinstance(placeholder, _UnbuiltPage)
            placeholder.error = exc
            placeholder.retranslateUi()
            self.ctx.show_error(exc, self)
            return placeholder
        widget.setObjectName(widget.objectName() or f"{key}Workspace")
        name_widgets(widget)
        was_current = stack.currentIndex() == index
        stack.removeWidget(placeholder)
        placeholder.deleteLater()
        stack.insertWidget(index, widget)
        if was_current:
            stack.setCurrentIndex(index)
        self._workspaces[key] = widget
        return widget

    def built_workspaces(self) -> dict[str, QWidget]:
        return dict(self._workspaces)

    def current_workspace_key(self) -> str:
        return WORKSPACE_KEYS[max(self.form.workspaceStack.currentIndex(), 0)]

    def show_workspace(self, key: str) -> QWidget:
        """Switch to workspace ``key`` (building it if needed) and return it."""
        index = WORKSPACE_KEYS.index(key)
        widget = self.workspace(key)
        self.form.workspaceStack.setCurrentWidget(widget)
        if self.form.navigation.currentRow() != index:
            self.form.navigation.setCurrentRow(index)
        self._workspace_actions[index].setChecked(True)
        self.settings.setValue(_KEY_WORKSPACE, key)
        return widget

    def open_packages(self, paths: list[Path]) -> None:
        """Show package files in the Inbox and check them (a double-clicked ``.neascn``)."""
        inbox = self.show_workspace("inbox")
        inbox.add_paths(paths)  # type: ignore[attr-defined]

    def set_language(self, code: str) -> str:
        """Switch the whole application to ``code`` now and remember it in the profile."""
        from neascn_desktop.identity.profile import load_profile, update_profile_language

        language = i18n.set_language(code)
        self.retranslate()
        if self.ctx.profile.language != language:
            update_profile_language(self.ctx.db, language)
            profile = load_profile(self.ctx.db)
            if profile is not None:
                self.ctx.profile = profile
            self.ctx.publish(Changes.of("profile", [self.ctx.profile.device_id]))
        return language

    # -- setup ----------------------------------------------------------------------
    def _setup_navigation(self) -> None:
        navigation = self.form.navigation
        stack = self.form.workspaceStack
        for index, spec in enumerate(WORKSPACES):
            navigation.item(index).setIcon(icon(spec.key))
            navigation.item(index).setData(Qt.ItemDataRole.UserRole, spec.key)
            stack.addWidget(_UnbuiltPage(spec.key, stack))
        navigation.currentRowChanged.connect(self._on_navigation_row)

    def _setup_actions(self) -> None:
        form = self.form
        form.actionQuit.setShortcuts(QKeySequence.StandardKey.Quit)
        form.actionQuit.setIcon(icon("quit"))
        form.actionQuit.triggered.connect(self.close)
        form.actionUndo.setShortcuts(QKeySequence.StandardKey.Undo)
        form.actionUndo.setIcon(icon("undo"))
        form.actionUndo.triggered.connect(self.undo)
        form.actionRedo.setShortcuts(QKeySequence.StandardKey.Redo)
        form.actionRedo.setIcon(icon("redo"))
        form.actionRedo.triggered.connect(self.redo)
        form.menuEdit.aboutToShow.connect(self._update_edit_actions)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._update_edit_actions)
        form.actionExportKeyCard.setIcon(icon("key"))
        form.actionExportKeyCard.triggered.connect(self.export_key_card)
        form.actionTrustKeyCards.setIcon(icon("trust"))
        form.actionTrustKeyCards.triggered.connect(self.show_trusted_devices)
        form.actionTeamMembers.triggered.connect(self.show_team_members)
        form.actionAbout.setIcon(icon("about"))
        form.actionAbout.triggered.connect(self.show_about)
        form.actionLoadDemoData.triggered.connect(self.load_demo_data)
        form.actionTryDemo.triggered.connect(self.try_demo)
        form.actionRemoveDemoData.triggered.connect(self.remove_demo_data)
        form.menuHelp.setToolTipsVisible(True)

        # View: one checkable action per workspace (Ctrl+1 ... Ctrl+4), then languages.
        self._workspace_group = QActionGroup(self)
        self._workspace_actions: list[QAction] = []
        before = form.menuLanguage.menuAction()
        for index, spec in enumerate(WORKSPACES):
            action = QAction(self)
            action.setObjectName(f"actionShow{spec.key.capitalize()}")
            action.setCheckable(True)
            action.setIcon(icon(spec.key))
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _checked=False, key=spec.key: self.show_workspace(key))
            self._workspace_group.addAction(action)
            form.menuView.insertAction(before, action)
            self._workspace_actions.append(action)
        form.menuView.insertSeparator(before)

        self._language_group = QActionGroup(self)
        self._language_actions: dict[str, QAction] = {}
        for code, name in i18n.LANGUAGES.items():
            action = QAction(name, self)  # each language named in itself: never translated
            action.setObjectName(f"actionLanguage_{code}")
            action.setCheckable(True)
            action.setData(code)
            action.triggered.connect(lambda _checked=False, c=code: self.set_language(c))
            self._language_group.addAction(action)
            form.menuLanguage.addAction(action)
            self._language_actions[code] = action

    def _setup_status_bar(self) -> None:
        bar = self.statusBar()
        self._profile_label = QLabel(self)
        self._profile_label.setObjectName("statusProfile")
        self._role_label = QLabel(self)
        self._role_label.setObjectName("statusRole")
        self._demo_label = QLabel(self)
        self._demo_label.setObjectName("statusDemo")
        self._demo_label.setStyleSheet(
            "QLabel { background: #fff3cd; color: #664d03; border-radius: 3px; padding: 1px 6px; }")
        self._database_label = QLabel(self)
        self._database_label.setObjectName("statusDatabase")
        self._database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long path must not make the window wider: clip it (the tooltip has it all).
        self._database_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        bar.addPermanentWidget(self._demo_label)
        bar.addPermanentWidget(self._profile_label)
        bar.addPermanentWidget(self._role_label)
        bar.addPermanentWidget(self._database_label, 1)

    def _restore(self) -> None:
        geometry = self.settings.value(_KEY_GEOMETRY)
        if isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(geometry):
            state = self.settings.value(_KEY_STATE)
            if isinstance(state, QByteArray | bytes):
                self.restoreState(state)
        else:
            screen = self.screen().availableGeometry() if self.screen() else None
            if screen is not None and screen.width() > 0:
                self.resize(
                    QSize(min(1100, int(screen.width() * 0.85)), min(720, int(screen.height() * 0.85)))
                )
        key = self.settings.value(_KEY_WORKSPACE)
        if key not in WORKSPACE_KEYS:
            key = ROLE_WORKSPACE.get(self.ctx.profile.role, WORKSPACE_KEYS[0])
        # Select the start workspace now but build it just after the window is
        # on screen: a workspace reading a large database must not delay the
        # first paint.  workspace() keeps it current once built.
        index = WORKSPACE_KEYS.index(str(key))
        self.form.workspaceStack.setCurrentIndex(index)
        navigation = self.form.navigation
        navigation.blockSignals(True)
        navigation.setCurrentRow(index)
        navigation.blockSignals(False)
        self._workspace_actions[index].setChecked(True)
        QTimer.singleShot(0, self, lambda k=str(key): self.workspace(k))

    # -- translation ----------------------------------------------------------------
    def retranslate(self) -> None:
        """Every text of the window (and of the built workspaces) in the active language."""
        self._translated_language = i18n.current_language()
        self.form.retranslate()
        for index, spec in enumerate(WORKSPACES):
            self._workspace_actions[index].setText(_(spec.label))
        current = i18n.current_language()
        for code, action in self._language_actions.items():
            action.setChecked(code == current)
        self._update_demo_action()
        self._update_status_bar()
        self._fit_navigation()
        for index in range(self.form.workspaceStack.count()):
            page = self.form.workspaceStack.widget(index)
            retranslate = getattr(page, "retranslateUi", None)
            if callable(retranslate):
                retranslate()
            if page is not None:
                name_widgets(page)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # A switch made elsewhere (i18n.set_language) reaches us as LanguageChange;
        # set_language() above has already re-translated, so skip repeats.
        if (
            event.type() == QEvent.Type.LanguageChange
            and self._translated_language != i18n.current_language()
        ):
            self.retranslate()
        super().changeEvent(event)

    def _update_status_bar(self) -> None:
        profile = self.ctx.profile
        # A member of a team names themself, not the team's profile (every member shares it).
        name, organisation, team = profile.display_name, profile.organisation, ""
        member = self._own_member()
        if member is not None:
            name, organisation, team = member.display_name, member.organisation, profile.display_name
        if organisation:
            self._profile_label.setText(
                _("{name} ({organisation})").format(name=name, organisation=organisation)
            )
        else:
            self._profile_label.setText(name)
        self._profile_label.setToolTip(
            _("Member of the team “{team}”").format(team=team) if team else "")
        self._role_label.setText(profile.role_label)
        self._database_label.setText(_("Database: {location}").format(location=self.ctx.db.location))
        self._database_label.setToolTip(self.ctx.db.location)

    def _own_member(self) -> Member | None:
        """This data directory's membership of a team sharing the database, if any."""
        from neascn_desktop.paths import MEMBER_KEY_FILE

        if not (self.ctx.data_dir / MEMBER_KEY_FILE).exists():
            return None
        from neascn_desktop.team.members import own_member

        try:
            return own_member(self.ctx.db)
        except NeascnError:
            return None

    def _fit_navigation(self) -> None:
        # Wide enough for the longest label in the current language (no eliding),
        # computed rather than fixed because "Framework" is one word in English
        # and two in Russian.
        navigation = self.form.navigation
        metrics = navigation.fontMetrics()
        widest = max(
            (metrics.horizontalAdvance(navigation.item(i).text()) for i in range(navigation.count())),
            default=0,
        )
        icon_size = navigation.iconSize()
        cell = QSize(max(widest, icon_size.width()) + 24, icon_size.height() + metrics.height() + 20)
        for index in range(navigation.count()):
            navigation.item(index).setSizeHint(cell)
        navigation.setGridSize(cell)
        navigation.setFixedWidth(cell.width() + 2 * navigation.frameWidth() + 4)

    # -- slots ----------------------------------------------------------------------
    @Slot(int)
    def _on_navigation_row(self, row: int) -> None:
        if 0 <= row < len(WORKSPACES):
            self.show_workspace(WORKSPACES[row].key)

    @Slot(object)
    def _on_data_changed(self, changes: Changes) -> None:
        if changes.touches("profile"):
            from neascn_desktop.identity.profile import load_profile

            profile = load_profile(self.ctx.db)
            if profile is not None:
                self.ctx.profile = profile
                self._update_status_bar()
        if changes.touches("demo"):
            self._update_demo_action()
        for widget in list(self._workspaces.values()):
            handler = getattr(widget, "on_changes", None)
            if callable(handler):
                handler(changes)

    def _update_demo_action(self) -> None:
        """Demo actions, the title and the status bar say whether demo data is here."""
        form = self.form
        demo_directory = is_demo_directory(self.ctx.data_dir)
        holds_demo = not demo_directory and holds_demo_data(self.ctx.db)
        form.actionTryDemo.setVisible(not demo_directory)
        form.actionLoadDemoData.setVisible(not demo_directory)
        form.actionRemoveDemoData.setVisible(not demo_directory)
        form.actionRemoveDemoData.setEnabled(holds_demo)
        form.actionLoadDemoData.setToolTip(form.actionLoadDemoData.statusTip())
        form.actionTryDemo.setToolTip(form.actionTryDemo.statusTip())
        if demo_directory:
            self.setWindowTitle(_("{app} — demo data").format(app=APP_NAME))
            self._demo_label.setText(_("Demo data: nothing here is real"))
            self._demo_label.setToolTip(_("This window shows the separate demo data directory {path}; "
                                          "your own profile is not open here.").format(
                                              path=self.ctx.data_dir))
        else:
            self.setWindowTitle(APP_NAME)
            self._demo_label.setText(_("This profile holds demo data") if holds_demo else "")
            self._demo_label.setToolTip(
                _("Demo records are marked, left out of reports and packages; "
                  "Help → Remove demo data removes them.") if holds_demo else "")
        self._demo_label.setVisible(demo_directory or holds_demo)

    @Slot()
    def load_demo_data(self) -> None:
        load_demo_data(self.ctx)

    @Slot()
    def try_demo(self) -> None:
        try_demo(self.ctx)

    @Slot()
    def remove_demo_data(self) -> None:
        remove_demo_data(self.ctx)

    def _undo_target(self) -> Any:
        focus = QApplication.focusWidget()
        page = self.form.workspaceStack.currentWidget()
        # A text field whose steps live in its workspace's history (the framework's section text).
        if focus is not None and focus.property("usesWorkspaceUndo"):
            return getattr(page, "undo_stack", None)
        if isinstance(focus, QLineEdit | QTextEdit | QPlainTextEdit):
            return focus
        return getattr(page, "undo_stack", None)

    @Slot()
    def _update_edit_actions(self, *_args: object) -> None:
        target = self._undo_target()
        if isinstance(target, QLineEdit):
            can_undo, can_redo = target.isUndoAvailable(), target.isRedoAvailable()
        elif isinstance(target, QTextEdit | QPlainTextEdit):
            document = target.document()
            can_undo, can_redo = document.isUndoAvailable(), document.isRedoAvailable()
        elif target is not None and hasattr(target, "canUndo"):
            can_undo, can_redo = bool(target.canUndo()), bool(target.canRedo())
        else:
            can_undo = can_redo = False
        self.form.actionUndo.setEnabled(can_undo)
        self.form.actionRedo.setEnabled(can_redo)

    @Slot()
    def undo(self) -> None:
        """Edit → Undo: the focused text field's, else the current workspace's ``undo_stack``."""
        target = self._undo_target()
        if target is not None and hasattr(target, "undo"):
            target.undo()
        self._update_edit_actions()

    @Slot()
    def redo(self) -> None:
        target = self._undo_target()
        if target is not None and hasattr(target, "redo"):
            target.redo()
        self._update_edit_actions()

    @Slot()
    def export_key_card(self) -> None:
        from neascn_desktop.gui.keycards import export_key_card_interactively

        export_key_card_interactively(self.ctx, self)

    @Slot()
    def show_trusted_devices(self) -> None:
        from neascn_desktop.gui.keycards import TrustedDevicesDialog

        dialog = TrustedDevicesDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()

    @Slot()
    def show_team_members(self) -> None:
        from neascn_desktop.gui.team_members import TeamMembersDialog

        dialog = TeamMembersDialog(self.ctx, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.open()

    def about_text(self) -> str:
        """The About box's text: version, data directory, database and counts."""
        from html import escape

        from neascn_desktop.i18n.formatting import format_number
        from neascn_desktop.stats import collect_stats

        try:
            stats = collect_stats(self.ctx.db)
        except Exception as exc:  # noqa: BLE001 - the About box must open even if a count fails
            stats = {"error": str(exc)}
        labels = {
            "trusted_devices": _("Trusted devices"),
            "revoked_devices": _("Revoked devices"),
            "revisions": _("Revisions"),
            "pending_revisions": _("Revisions waiting for their parents"),
            "conflicts": _("Open conflicts"),
            "submissions": _("Survey responses"),
            "answers": _("Answered questions"),
            "framework_sections": _("Framework sections"),
            "framework_sections_agreed": _("Framework sections agreed"),
            "framework_sections_in_conflict": _("Framework sections in conflict"),
            "framework_working_copies": _("Framework sections with unsaved drafts"),
            "framework_open_comments": _("Open comments"),
            "error": _("Error"),
        }
        rows = "".join(
            f"<tr><td>{escape(labels[key])}</td>"
            f"<td align='right'>&nbsp;{escape(format_number(value) if isinstance(value, int) else str(value))}</td></tr>"
            for key, value in stats.items()
            if key in labels
        )
        statistics = _("Statistics")  # not inside the f-string: pybabel would not see it there
        lines = [
            f"<h3>{escape(APP_NAME)} {escape(__version__)}</h3>",
            "<p>" + escape(_("The offline-first desktop app of the Northeast Asia Smart Cities "
                             "Network task force.")) + "</p>",
            "<p>" + escape(_("Data directory: {path}").format(path=self.ctx.data_dir)) + "<br>"
            + escape(_("Database: {location}").format(location=self.ctx.db.location)) + "</p>",
            f"<p><b>{escape(statistics)}</b></p><table>{rows}</table>",
        ]
        return "".join(lines)

    @Slot()
    def show_about(self) -> QMessageBox:
        box = QMessageBox(self)
        box.setWindowTitle(_("About {app}").format(app=APP_NAME))
        box.setIconPixmap(icon("neascn").pixmap(64, 64))
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(self.about_text())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        box.open()
        return box

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        # Workspaces get one explicit chance to cut revisions from what is being edited.
        for workspace in self._workspaces.values():
            prepare = getattr(workspace, "prepareToClose", None)
            if callable(prepare):
                try:
                    prepare()
                except Exception as exc:  # noqa: BLE001 - closing must go on; the working copy is safe
                    self.ctx.show_error(exc, self)
        self.settings.setValue(_KEY_GEOMETRY, self.saveGeometry())
        self.settings.setValue(_KEY_STATE, self.saveState())
        self.settings.setValue(_KEY_WORKSPACE, self.current_workspace_key())
        self.settings.sync()
        self.ctx.changes.stop()
        super().closeEvent(event)
