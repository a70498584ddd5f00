"""The interface language: Arabic or English, one at a time, switchable while the window runs.

English is the source language of every text in ``annotator/ui``; ``annotator_ar.ts`` holds the
Arabic translation and ``annotator_ar.qm`` its compiled form, shipped in the package. Both are
made with the tools of PySide6-Essentials (README, "Translations")::

    pyside6-lupdate annotator/ui -extensions py -ts annotator/ui/i18n/annotator_ar.ts
    pyside6-lrelease annotator/ui/i18n/annotator_ar.ts -qm annotator/ui/i18n/annotator_ar.qm

:func:`apply_language` installs Qt's translators (this one and Qt's own, for the standard
buttons), sets the layout direction (right to left for Arabic), and hands ``translate`` to the
view-models (:mod:`annotator.ui.viewmodels.words`). Qt then sends every widget a LanguageChange
event; the window's widgets retranslate themselves on it. The article stays right to left in
both languages (ArticleView sets its own direction). Messages that come from the services (the
errors of the store, imports, roles) are English in both.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, Qt, QTranslator

from annotator.ui.viewmodels import words

HERE = Path(__file__).resolve().parent
#: the values of the ``language`` setting; "auto" follows the system locale
SETTINGS = ("auto", "ar", "en")
#: each language's name in itself (the View -> Language menu shows these)
NATIVE_NAMES = {"ar": "العربية", "en": "English"}

_installed: list[QTranslator] = []


def qm_path(language: str) -> Path:
    return HERE / f"annotator_{language}.qm"


def resolve(setting: str | None, system: QLocale | None = None) -> str:
    """The language a setting means: "ar" or "en"; "auto" (or anything else) follows the system
    locale: Arabic for an Arabic locale, else English."""
    if setting in ("ar", "en"):
        return str(setting)
    locale = system if system is not None else QLocale.system()
    return "ar" if locale.language() == QLocale.Language.Arabic else "en"


def apply_language(app: QCoreApplication, language: str) -> str:
    """Make ``language`` ("ar" or "en") the interface language of ``app``; returns it.

    Raises RuntimeError when the shipped Arabic translation cannot be loaded (a broken
    install): the window would otherwise speak English under an Arabic menu choice."""
    for translator in _installed:
        QCoreApplication.removeTranslator(translator)
    _installed.clear()
    if language == "ar":
        ours = QTranslator(app)
        if not ours.load(str(qm_path("ar"))):
            raise RuntimeError(f"cannot load the Arabic translation {qm_path('ar')}")
        qt_own = QTranslator(app)
        # Qt's own words (OK, Cancel, Yes, the line edits' menu); missing is no error
        folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        found = qt_own.load("qtbase_ar", folder)
        _installed.extend([ours, qt_own] if found else [ours])
    words.install(QCoreApplication.translate, language)
    for translator in _installed:
        QCoreApplication.installTranslator(translator)
    direction = Qt.LayoutDirection.RightToLeft if language == "ar" \
        else Qt.LayoutDirection.LeftToRight
    if hasattr(app, "setLayoutDirection"):
        app.setLayoutDirection(direction)
    return language


def current() -> str:
    return words.language()
