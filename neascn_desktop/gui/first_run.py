"""The first-run dialog: who uses this data directory (name, organisation, role, language).

Choosing a language switches the dialog to it at once.  Accepting creates the
profile and the device's key pairs through ``identity.profile.create_profile``
(the same function as ``neascn init``).  "Join a team…" instead asks to join a team's
shared database through ``team.members.join`` (the same function as ``neascn join``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QInputDialog,
    QLayout,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from neascn_desktop import i18n
from neascn_desktop.errors import NeascnError
from neascn_desktop.gui.forms import load_form
from neascn_desktop.gui.icons import icon
from neascn_desktop.gui.message_boxes import show_error
from neascn_desktop.i18n import N_, _
from neascn_desktop.identity.profile import ROLES, Profile, create_profile
from neascn_desktop.store.database import Database
from neascn_desktop.team.members import Member

#: What each role does, shown under the role chooser.
ROLE_HINTS: dict[str, str] = {
    "taskforce": N_("You draft the network's framework; the window opens on Framework."),
    "field": N_("You run surveys with city officials; the window opens on Surveys."),
    "secretariat": N_("You collect packages and follow completion; the window opens on Inbox."),
}


class FirstRunDialog(QDialog):
    """Creates the profile; ``profile`` holds it after ``accept()``."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.profile: Profile | None = None
        #: "Try with demo data" was chosen: no profile here, the app opens the demo data directory.
        self.demo_requested = False
        self.form = load_form("first_run_dialog.ui", self)
        self.setWindowIcon(icon("neascn"))
        # Never smaller than its contents: a language with longer words grows the dialog.
        self.form.mainLayout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        self.form.headingLabel.setWordWrap(True)
        font = self.form.headingLabel.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.form.headingLabel.setFont(font)

        for code in ROLES:
            self.form.roleCombo.addItem("", code)
        for code, name in i18n.LANGUAGES.items():
            self.form.languageCombo.addItem(name, code)  # named in itself: never translated
        self.form.languageCombo.setCurrentIndex(
            max(self.form.languageCombo.findData(i18n.current_language()), 0)
        )

        # Our own accept button: QDialogButtonBox re-labels its standard Ok
        # button on every language change, which would undo "Create profile".
        self.create_button = self.form.buttonBox.addButton(
            "", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.create_button.setObjectName("createButton")
        self.create_button.setDefault(True)
        self.demo_button = self.form.buttonBox.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.demo_button.setObjectName("tryDemoButton")
        self.demo_button.clicked.connect(self.try_demo)
        self.join_button = self.form.buttonBox.addButton("", QDialogButtonBox.ButtonRole.ActionRole)
        self.join_button.setObjectName("joinButton")
        self.join_button.clicked.connect(self.ask_join)
        #: The membership asked for with "Join a team…" (then ``profile`` stays ``None``).
        self.joined: Member | None = None
        self.form.nameEdit.textChanged.connect(self._update_ok)
        self.form.roleCombo.currentIndexChanged.connect(self._update_role_hint)
        self.form.languageCombo.currentIndexChanged.connect(self._on_language_chosen)
        self.form.buttonBox.accepted.connect(self.accept)
        self.form.buttonBox.rejected.connect(self.reject)
        self._translated_language = ""
        self.retranslate()
        self._update_ok()

    # -- values -----------------------------------------------------------------
    def role(self) -> str:
        return str(self.form.roleCombo.currentData())

    def language(self) -> str:
        return str(self.form.languageCombo.currentData())

    def fill(self, *, name: str, organisation: str = "", role: str = "field", language: str = "en") -> None:
        """Fill the fields as a user would (tests and scripted first runs)."""
        self.form.nameEdit.setText(name)
        self.form.organisationEdit.setText(organisation)
        self.form.roleCombo.setCurrentIndex(self.form.roleCombo.findData(role))
        self.form.languageCombo.setCurrentIndex(self.form.languageCombo.findData(language))

    # -- translation --------------------------------------------------------------
    def retranslate(self) -> None:
        self._translated_language = i18n.current_language()
        self.form.retranslate()
        for index in range(self.form.roleCombo.count()):
            code = self.form.roleCombo.itemData(index)
            self.form.roleCombo.setItemText(index, _(ROLES[code]))
        self.create_button.setText(_("Create profile"))
        self.demo_button.setText(_("Try with demo data"))
        self.demo_button.setToolTip(_("Look around with example data in a separate demo data "
                                      "directory; no profile is created here"))
        self.join_button.setText(_("Join a team…"))
        self.join_button.setToolTip(_("Use the database a secretariat team shares, with your own keys"))
        self._update_role_hint()
        # Lay out again in the new language (its font and its lengths): after the event loop
        # has applied the language's font, not before.
        QTimer.singleShot(0, self, self._fit)  # with the dialog as context: never after it is gone

    def _fit(self) -> None:
        # Room for the introduction to wrap into a few lines, in any language (a Latin letter's
        # width: the average of a CJK font is a full-width character's).
        layout: QLayout = self.form.mainLayout
        layout.activate()
        width = max(self.fontMetrics().horizontalAdvance("n") * 66, layout.minimumSize().width())
        height = layout.heightForWidth(width) if layout.hasHeightForWidth() else -1
        self.resize(width, max(height, layout.minimumSize().height()))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if (
            event.type() == QEvent.Type.LanguageChange
            and self._translated_language != i18n.current_language()
        ):
            self.retranslate()
        super().changeEvent(event)

    # -- slots ------------------------------------------------------------------
    @Slot()
    def _update_ok(self, *_args: object) -> None:
        self.create_button.setEnabled(bool(self.form.nameEdit.text().strip()))
        self.join_button.setEnabled(bool(self.form.nameEdit.text().strip()))

    @Slot()
    def _update_role_hint(self, *_args: object) -> None:
        hint = ROLE_HINTS.get(self.role())
        self.form.roleHintLabel.setText(_(hint) if hint else "")

    @Slot()
    def _on_language_chosen(self, *_args: object) -> None:
        i18n.set_language(self.language())
        self.retranslate()

    @Slot()
    def try_demo(self) -> None:
        """Close without a profile; the caller opens the demo data directory in the chosen role."""
        self.demo_requested = True
        super().accept()

    def accept(self) -> None:
        try:
            self.profile = create_profile(
                self.db,
                name=self.form.nameEdit.text(),
                role=self.role(),
                organisation=self.form.organisationEdit.text(),
                language=self.language(),
            )
        except NeascnError as exc:
            show_error(self, exc)
            return
        super().accept()

    @Slot()
    def ask_join(self) -> None:
        url, ok = QInputDialog.getText(
            self, _("Join a team"),
            _("The address (URL) of the team's database, as your team gave it to you:"),
            QLineEdit.EchoMode.Normal, "postgresql+psycopg://")
        if ok and url.strip():
            self.join_team(url.strip())

    def join_team(self, url: str, confirm: bool = True) -> bool:
        """Ask to join the team at ``url`` under the name typed here; the dialog is accepted."""
        from neascn_desktop.team.copying import target_url
        from neascn_desktop.team.members import join

        try:
            self.joined = join(self.db.data_dir, target_url(url), name=self.form.nameEdit.text(),
                               organisation=self.form.organisationEdit.text())
        except NeascnError as exc:
            show_error(self, exc)
            return False
        if confirm:
            QMessageBox.information(self, _("Join a team"), _(
                "You asked to join the team. Give an admin of the team your fingerprint to compare: "
                "{fingerprint}. Until they add you, you can look but not export or open encrypted "
                "packages.").format(fingerprint=self.joined.fingerprint))
        self.done(QDialog.DialogCode.Accepted)
        return True
