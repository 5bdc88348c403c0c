"""The bridge from the gettext catalogs to Qt: one translator for our strings, Qt's own for its.

:class:`GettextTranslator` answers ``QCoreApplication.translate`` (and so the
strings of ``.ui`` forms loaded with ``QUiLoader``) from the catalog of the
active language.  :class:`QtLanguage` installs it together with Qt's bundled
``qtbase_<lang>.qm`` (standard buttons, file dialogs) and swaps Qt's file on
every :func:`neascn_desktop.i18n.set_language`; each swap sends
``QEvent.LanguageChange`` to every window so they re-translate.  QtCore only.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from neascn_desktop import i18n

#: Our language codes -> Qt's locale names (and the suffix of ``qtbase_*.qm``).
QT_LOCALES: dict[str, str] = {
    "en": "en",
    "ko": "ko",
    "zh_Hans": "zh_CN",
    "ja": "ja",
    "ru": "ru",
    "mn": "mn",
}


def qt_locale_name(language: str) -> str:
    return QT_LOCALES.get(i18n.normalize_language(language), "en")


class GettextTranslator(QTranslator):
    """A ``QTranslator`` answering from the gettext catalog of the active language.

    Qt's context (the class name) is ignored: gettext has one namespace per
    domain.  A disambiguation becomes the gettext context (``pgettext``), as
    the ``.ui`` extractor writes it.
    """

    def translate(
        self,
        context: str | None,
        sourceText: str | None,
        disambiguation: str | None = None,
        n: int = -1,
    ) -> str | None:
        # None (a null QString) means "not translated here": Qt then asks the
        # next translator or keeps the source.  An empty string would be taken
        # as the translation.
        if not sourceText:
            return None
        language = i18n.current_language()
        if language == i18n.DEFAULT_LANGUAGE:
            return None
        catalog = i18n.catalog(language)
        if disambiguation:
            translated = catalog.pgettext(disambiguation, sourceText)
        else:
            translated = catalog.gettext(sourceText)
        return None if translated == sourceText else translated

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False

    def language(self) -> str:
        return qt_locale_name(i18n.current_language())


class QtLanguage:
    """Keeps Qt's translators in step with ``neascn_desktop.i18n``'s active language."""

    def __init__(self, app: QCoreApplication | None = None) -> None:
        self._app = app or QCoreApplication.instance()
        self.gettext_translator = GettextTranslator()
        self.qt_translator: QTranslator | None = None
        self._installed = False

    def install(self) -> None:
        """Install the translators for the current language and follow later switches."""
        if not self._installed:
            i18n.add_language_listener(self._on_language)
            self._installed = True
        self._on_language(i18n.current_language())

    def uninstall(self) -> None:
        i18n.remove_language_listener(self._on_language)
        self._installed = False
        if self.qt_translator is not None:
            QCoreApplication.removeTranslator(self.qt_translator)
            self.qt_translator = None
        QCoreApplication.removeTranslator(self.gettext_translator)

    def _on_language(self, language: str) -> None:
        locale_name = qt_locale_name(language)
        QLocale.setDefault(QLocale(locale_name))
        if self.qt_translator is not None:
            QCoreApplication.removeTranslator(self.qt_translator)
            self.qt_translator = None
        qt_translator = QTranslator()
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if locale_name != "en" and qt_translator.load(f"qtbase_{locale_name}", folder):
            QCoreApplication.installTranslator(qt_translator)
            self.qt_translator = qt_translator
        # Re-installing ours (installed last, so asked first) guarantees a
        # LanguageChange event even between two languages without a qtbase file.
        QCoreApplication.removeTranslator(self.gettext_translator)
        QCoreApplication.installTranslator(self.gettext_translator)
