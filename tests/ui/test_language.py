"""One language at a time: Qt's translation system, Arabic or English, from the setting or the
system locale, switched while the window runs; the layout direction follows, the article stays
right to left; every word of the window's chrome is in the one language (no text says it
twice), in annotation and review mode; the shipped .qm is the compiled .ts and the .ts covers
every text of the code."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot

from annotator.settings import Settings, load_settings
from annotator.ui.app import GuiOptions, build_window
from annotator.ui.i18n import HERE, apply_language, qm_path, resolve
from annotator.ui.keyboard_help import keyboard_help
from annotator.ui.main_window import MainWindow
from annotator.ui.versions_panel import VersionsPanel
from annotator.ui.viewmodels import words
from tests.ui.helpers import EMOJI_ID, team_store

VENV_BIN = Path(sys.executable).parent       # pyside6-lupdate and -lrelease come with PySide6
UI = Path(__file__).resolve().parents[2] / "annotator" / "ui"
ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]{2,}")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
#: Latin words an Arabic window may show: key names, the app's and people's names, the name
#: of English in the language menu (single letters are keys: q, x, u ...)
PROPER = {"Tab", "Shift", "Enter", "Ctrl", "Alt", "Esc", "Delete", "annotator", "English",
          "mona", "omar", "rana", "lina", "F1"}


@pytest.fixture
def english_after(qapp: QApplication) -> Iterator[None]:
    """Whatever a test switches to, the next test starts in English."""
    yield
    apply_language(qapp, "en")
    QApplication.processEvents()


def speak(qapp: QApplication, language: str) -> None:
    apply_language(qapp, language)
    QApplication.processEvents()    # LanguageChange events are posted to the windows


def open_window(qtbot: QtBot, url: str, *, user: str, review: bool = False,
                size: tuple[int, int] = (1400, 900)) -> MainWindow:
    window = build_window(GuiOptions(db_url=url, open_document=EMOJI_ID, review=review),
                          Settings(suggest_on_open=False), user)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def _menu_texts(menu: QMenu) -> list[str]:
    texts = [menu.title()]
    for action in menu.actions():
        if action.menu() is not None:
            texts += _menu_texts(action.menu())
        elif not action.isSeparator():
            texts.append(action.text())
    return texts


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text).replace("&nbsp;", " ").replace("&", "")


def chrome(window: MainWindow) -> list[str]:
    """Every word the window shows of its own: title, menus, dock titles, buttons, labels,
    placeholders, lists to choose from, table headers, the versions panel (without the
    article's words it quotes) and the keyboard help."""
    texts = [window.windowTitle()]
    for action in window.menuBar().actions():
        texts += _menu_texts(action.menu())
    for widget in window.findChildren(QWidget):
        if isinstance(widget, QDockWidget):
            texts.append(widget.windowTitle())
        elif isinstance(widget, (QAbstractButton, QLabel)):
            texts.append(widget.text())
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, (QTextBrowser, VersionsPanel)):
            quoted = window.vm.text
            texts += [re.sub(r"«[^»]*»", "", line) for line in widget.toPlainText().splitlines()
                      if line.strip().rstrip("…") not in quoted]
        elif isinstance(widget, QTableView):
            model = widget.model()
            texts += [str(model.headerData(c, Qt.Orientation.Horizontal) or "")
                      for c in range(model.columnCount())]
    texts.append(keyboard_help(window.review))
    return [_plain(text) for text in texts if text and text.strip()]


def foreign_words(texts: list[str], language: str, *, fonts: set[str]) -> list[str]:
    """The words of the other language: Latin words (not keys or names) in Arabic, Arabic
    words (not the name العربية in the language menu) in English."""
    if language == "ar":
        allowed = PROPER | fonts
        return [f"{w} in {t!r}" for t in texts for w in LATIN_WORD.findall(t) if w not in allowed]
    return [f"{w} in {t!r}" for t in texts for w in ARABIC_WORD.findall(t) if w != "العربية"]


def font_words(window: MainWindow) -> set[str]:
    return {w for a in window.font_menu.actions() for w in LATIN_WORD.findall(a.text())}


@pytest.mark.parametrize("language", ["ar", "en"])
@pytest.mark.parametrize("review", [False, True])
def test_every_word_of_the_window_is_in_one_language(
        qtbot: QtBot, qapp: QApplication, tmp_path: Path, english_after: None,
        language: str, review: bool) -> None:
    speak(qapp, language)
    window = open_window(qtbot, team_store(tmp_path), user="rana", review=review)
    texts = chrome(window)
    assert len(texts) > 60
    assert foreign_words(texts, language, fonts=font_words(window)) == []
    # the check can fail: the other language's words are found
    other = "en" if language == "ar" else "ar"
    assert foreign_words(texts, other, fonts=font_words(window))
    # English is the source language; the Arabic window shows the translations
    queue = window.queue_dock.windowTitle()
    assert queue == ("قائمة المقالات" if language == "ar" else "Queue")


def test_switching_at_run_time_changes_every_word_and_the_direction(
        qtbot: QtBot, qapp: QApplication, tmp_path: Path, english_after: None) -> None:
    speak(qapp, "en")
    window = open_window(qtbot, team_store(tmp_path), user="mona")
    window.vm.select_span(window.vm.spans.all()[0].id)
    english = chrome(window)
    assert window.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert window.dockWidgetArea(window.queue_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert window.queue_dock.x() < window.article.mapTo(window, window.article.rect().topLeft()).x()
    window.language_items["ar"].trigger()          # View -> Language -> العربية
    QApplication.processEvents()
    assert load_settings().language == "ar"
    assert window.language_items["ar"].isChecked()
    arabic = chrome(window)
    assert foreign_words(arabic, "ar", fonts=font_words(window)) == []
    assert window.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.dockWidgetArea(window.queue_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    assert window.queue_dock.x() > window.article.mapTo(window, window.article.rect().topLeft()).x()
    assert window.menus["file"].title() == "&ملف"
    assert window.palette_bar.buttons["quote"].text() == "اقتباس (q / 1)"
    # the schema's English description shows in the English window only
    assert window.palette_bar.buttons["quote"].toolTip() == "اقتباس\nالمفاتيح: q / 1"
    assert window.details.title.text().startswith("فاعل: ")            # the selected actor
    assert window.span_list.model().headerData(0, Qt.Orientation.Horizontal) == "الوسم"
    assert window.user_label.text() == "المعلّق: mona"
    # the article stays right to left, its paragraphs too
    for direction in (window.article.layoutDirection(),
                      window.article.document().defaultTextOption().textDirection()):
        assert direction == Qt.LayoutDirection.RightToLeft
    window.language_items["en"].trigger()
    QApplication.processEvents()
    assert chrome(window) == english
    assert window.palette_bar.buttons["quote"].toolTip() == (
        "Quote\nThe words quoted, inside the quotation marks (marks excluded).\nKeys: q / 1")
    assert window.article.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert window.dockWidgetArea(window.queue_dock) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_the_view_models_messages_follow_the_language(
        qtbot: QtBot, qapp: QApplication, tmp_path: Path, english_after: None) -> None:
    speak(qapp, "ar")
    window = open_window(qtbot, team_store(tmp_path), user="mona")
    messages: list[str] = []
    window.vm.message.connect(messages.append)
    window.vm.press_label("quote", None)
    assert messages[-1] == "حدّد كلمات أولًا، أو انقر مقطعًا"
    window.vm.undo()
    window.vm.undo()
    assert messages[-1] == "لا شيء للتراجع عنه"
    assert window.vm.describe_at(window.vm.spans.all()[0].start).startswith("فاعل: ")
    assert words.language() == "ar"


def test_the_language_setting_and_the_system_locale() -> None:
    arabic, english, french = (QLocale(QLocale.Language.Arabic, QLocale.Country.Egypt),
                               QLocale(QLocale.Language.English), QLocale(QLocale.Language.French))
    assert resolve("auto", arabic) == "ar"
    assert resolve("auto", english) == "en"
    assert resolve("auto", french) == "en"
    assert resolve("ar", english) == "ar" and resolve("en", arabic) == "en"
    assert resolve("klingon", arabic) == "ar"       # anything else: the system's


def test_the_shipped_qm_is_the_compiled_ts_and_every_text_is_translated(tmp_path: Path) -> None:
    ts = HERE / "annotator_ar.ts"
    root = ET.parse(ts).getroot()
    messages = [(c.findtext("name"), m) for c in root for m in c.findall("message")]
    assert len(messages) > 200
    unfinished = [(name, m.findtext("source")) for name, m in messages
                  if m.find("translation").get("type") or not m.findtext("translation")]
    assert unfinished == []
    # every {field} of the English text is in the Arabic one
    fields = [(m.findtext("source"), m.findtext("translation")) for _, m in messages
              if set(re.findall(r"{\w+}", m.findtext("source") or ""))
              != set(re.findall(r"{\w+}", m.findtext("translation") or ""))]
    assert fields == []
    lrelease = VENV_BIN / "pyside6-lrelease"
    run = subprocess.run([str(lrelease), str(ts), "-qm", str(tmp_path / "ar.qm")],
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "ar.qm").read_bytes() == qm_path("ar").read_bytes()


def test_the_ts_holds_every_text_of_the_code(tmp_path: Path) -> None:
    copy = tmp_path / "annotator_ar.ts"
    shutil.copy(HERE / "annotator_ar.ts", copy)
    sources = sorted(str(p) for p in UI.rglob("*.py"))
    run = subprocess.run([str(VENV_BIN / "pyside6-lupdate"), *sources, "-source-language", "en",
                          "-target-language", "ar", "-locations", "none", "-no-obsolete", "-ts",
                          str(copy)], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert re.search(r"\(0 new and \d+ already existing\)", run.stdout), run.stdout
    assert copy.read_text(encoding="utf-8") == (HERE / "annotator_ar.ts").read_text(
        encoding="utf-8")


def test_a_broken_translation_is_an_error_not_an_english_window(
        qapp: QApplication, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        english_after: None) -> None:
    from annotator.ui import i18n

    monkeypatch.setattr(i18n, "HERE", tmp_path)
    with pytest.raises(RuntimeError, match="cannot load the Arabic translation"):
        apply_language(qapp, "ar")
