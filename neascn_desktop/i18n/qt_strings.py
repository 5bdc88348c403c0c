"""Strings of Qt's own dialogs that its bundled translations lack in some of our languages.

Qt ships no ``qtbase_mn.qm`` at all, and its Japanese and Chinese files miss a few strings
of the file dialog.  Listing them here puts them in our catalogs; the gettext translator
(``i18n.qt``) answers Qt's ``tr()`` calls from there, so message boxes and Qt's own file
dialog speak the user's language too.  Only marked, never called.
"""

from __future__ import annotations

from neascn_desktop.i18n import N_

QT_STRINGS = (
    # QMessageBox / QDialogButtonBox (QPlatformTheme)
    N_("&Yes"), N_("&No"), N_("Yes to &All"), N_("N&o to All"), N_("Show Details..."),
    N_("Hide Details..."),
    # QFileDialog (Qt's own, used where the platform has no native one)
    N_("&Look in:"), N_("File &name:"), N_("Files of &type:"), N_("&Open"), N_("&Save"),
    N_("&Choose"), N_("Directory:"), N_("Back"), N_("Forward"), N_("Parent Directory"),
    N_("Create New Folder"), N_("List View"), N_("Detail View"), N_("All Files (*)"),
)
