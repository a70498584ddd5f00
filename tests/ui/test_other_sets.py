"""Other sets are visible: the set chooser lists the sets of the open document the user may read
(their own editable; gold and the suggestions read only; every annotator's for reviewers), the
owner shows in the title and the status bar, and every editing key and button refuses with a
message while a read-only set is shown, changing nothing in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from annotator.core.errors import UserError
from annotator.core.model import SetKind
from annotator.db.models import EventRow
from annotator.services.project import open_project
from annotator.settings import Settings
from annotator.ui.app import GuiOptions, build_window
from annotator.ui.main_window import MainWindow
from annotator.ui.viewmodels.annotation import SetChoice
from tests.ui.helpers import ACTOR, EMOJI_ID, EMOJI_TEXT, FRANCE, MOSCOW, QUOTE, dump, team_store

NO = Qt.KeyboardModifier.NoModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def url(tmp_path: Path) -> str:
    return team_store(tmp_path, suggestions=True)


class Shown:
    def __init__(self, qtbot: QtBot, url: str, user: str, *, review: bool = False) -> None:
        self.qtbot = qtbot
        self.url = url
        self.window: MainWindow = build_window(
            GuiOptions(db_url=url, open_document=EMOJI_ID, review=review),
            Settings(suggest_on_open=True), user)
        qtbot.addWidget(self.window)
        self.window.resize(1400, 900)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.window.activateWindow()              # the menu shortcuts need an active window
        qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)
        self.messages: list[str] = []
        self.window.vm.message.connect(self.messages.append)

    @property
    def vm(self) -> Any:
        return self.window.vm

    def choices(self) -> list[str]:
        combo = self.window.set_chooser.combo
        self.window.set_chooser.reload()
        return [combo.itemText(i) for i in range(combo.count())]

    def choose(self, text: str) -> None:
        combo = self.window.set_chooser.combo
        row = self.choices().index(text)
        combo.setCurrentIndex(row)
        combo.activated.emit(row)

    def spans(self) -> list[tuple[int, int, str, str]]:
        return sorted((s.start, s.end, s.label, s.text) for s in self.vm.spans.all())

    def key(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = NO) -> None:
        self.window.article.setFocus()
        self.qtbot.keyClick(self.window.article, key, modifiers)

    def stored(self) -> tuple[dict[str, Any], int]:
        store = open_project(self.url)
        try:
            with store.engine.connect() as conn:
                events = conn.execute(select(func.count()).select_from(EventRow)).scalar_one()
            return dump(store), events
        finally:
            store.close()


def test_an_annotator_sees_the_suggestions_never_gold_or_another_annotator(
        qtbot: QtBot, url: str) -> None:
    mona = Shown(qtbot, url, "mona")
    window = mona.window
    assert mona.choices() == ["My set (mona)", "Suggestions (read only)"]   # blind annotation
    own = mona.spans()
    assert own == [(*ACTOR, "actor", "الرئيس الروسي"), (*QUOTE, "quote", EMOJI_TEXT[slice(*QUOTE)]),
                   (*FRANCE, "location", "فرنسا")]
    mona.choose("Suggestions (read only)")
    suggested = mona.spans()
    assert (*MOSCOW[0], "location", "موسكو") in suggested
    assert all(EMOJI_TEXT[s:e] == text for s, e, _, text in suggested)   # after the emoji
    assert window.windowTitle() == "annotator — mona — Suggestions (read only)"
    assert window.user_label.text() == "Showing: Suggestions (read only)"
    assert window.read_only_bar.isVisible()
    assert window.read_only_bar.text() == ("Read only: Suggestions (read only) is shown. Choose "
                                           "your own set to edit (View → Show set).")
    assert window.span_list.model().rowCount() == len(suggested)
    assert window.article.highlighter is not None and mona.vm.suggestion_marks(0, 999) == []
    # asking for omar's set by hand is refused by the service, and nothing changes on screen
    omar = SetChoice(set_of(mona.url, "omar"), "omar", SetKind.ANNOTATION, mona.vm.status, False)
    mona.vm.show_set(omar)
    assert "'mona' (annotator) cannot read 'omar''s set" in mona.messages[-1]
    assert mona.spans() == suggested
    mona.choose("My set (mona)")
    assert mona.spans() == own
    assert window.windowTitle() == "annotator — mona" and not window.read_only_bar.isVisible()
    assert window.user_label.text() == "Annotator: mona"


def test_a_reviewer_sees_gold_and_every_annotators_set(qtbot: QtBot, url: str) -> None:
    rana = Shown(qtbot, url, "rana")
    assert rana.choices() == ["My set (rana)", "mona's set (read only)", "omar's set (read only)",
                              "Gold (read only)", "Suggestions (read only)"]
    rana.window.items["show_set"].trigger()             # View -> Show set… opens the list
    combo = rana.window.set_chooser.combo
    assert combo.view().isVisible()
    combo.hidePopup()
    rana.choose("omar's set (read only)")
    assert [s[2] for s in rana.spans()] == ["actor", "quote"]
    assert rana.window.user_label.text() == "Showing: omar's set (read only)"
    rana.choose("Gold (read only)")
    assert rana.spans() == [(*ACTOR, "actor", "الرئيس الروسي"),
                            (*QUOTE, "quote", EMOJI_TEXT[slice(*QUOTE)])]
    assert rana.window.windowTitle() == "annotator — rana — Gold (read only)"


def set_of(url: str, owner: str) -> int:
    from annotator.db.models import AnnotationSetRow, AnnotatorRow

    store = open_project(url)
    try:
        with store.engine.connect() as conn:
            return conn.execute(select(AnnotationSetRow.id).join(
                AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
                .where(AnnotatorRow.name == owner)).scalar_one()
    finally:
        store.close()


def test_every_edit_is_refused_while_a_read_only_set_is_shown(qtbot: QtBot, url: str) -> None:
    mona = Shown(qtbot, url, "rana")                   # a reviewer, in annotation mode
    vm, window = mona.vm, mona.window
    mona.key(Qt.Key.Key_Tab)                           # a suggestion (own set): allowed
    assert vm.offers.current is not None
    mona.key(Qt.Key.Key_Escape)
    window.article.select_range(*FRANCE)
    mona.key(Qt.Key.Key_L)                             # an own action, undone later
    assert mona.spans() == [(*FRANCE, "location", "فرنسا")]
    mona.choose("Gold (read only)")
    before = mona.stored()
    refusal = vm.read_only_message()
    quote = next(s.id for s in vm.spans.all() if s.label == "quote")
    attempts: list[tuple[str, Any]] = [
        ("label the selection (q)", lambda: (window.article.select_range(*MOSCOW[0]),
                                             mona.key(Qt.Key.Key_Q))),
        ("relabel (a)", lambda: (vm.select_span(quote), mona.key(Qt.Key.Key_A))),
        ("attribute (d)", lambda: mona.key(Qt.Key.Key_D)),
        ("grow (Alt+Left)", lambda: mona.key(Qt.Key.Key_Left, ALT)),
        ("link (s)", lambda: mona.key(Qt.Key.Key_S)),
        ("delete", lambda: mona.key(Qt.Key.Key_Delete)),
        ("undo", lambda: mona.key(Qt.Key.Key_Z, CTRL)),
        ("redo", lambda: mona.key(Qt.Key.Key_Y, CTRL)),
        ("next suggestion (Tab)", lambda: mona.key(Qt.Key.Key_Tab)),
        ("accept (Enter)", lambda: mona.key(Qt.Key.Key_Return)),
        ("accept all (Shift+Enter)", lambda: mona.key(Qt.Key.Key_Return, SHIFT)),
        ("reject (x)", lambda: mona.key(Qt.Key.Key_X)),
        ("done (Ctrl+Enter)", lambda: mona.key(Qt.Key.Key_Return, CTRL)),
        ("note", lambda: (window.details.note.setText("x"),
                          window.details.note.editingFinished.emit())),
        ("relation", lambda: vm.start_relation("said_by")),
        ("label all hits", lambda: (vm.search("موسكو"), window.label_all_hits("location"))),
    ]
    for what, attempt in attempts:
        mona.messages.clear()
        attempt()
        assert mona.messages and mona.messages[-1] == refusal, what
        assert mona.stored() == before, what
    # the widgets that edit say so too
    vm.select_span(quote)
    assert not window.palette_bar.isEnabled()
    assert window.details.note.isReadOnly()
    assert not window.details.relation_buttons["said_by"].isEnabled()
    assert not window.details.attributes["quote.kind"].isEnabled()
    assert vm.document.external_id == EMOJI_ID        # Ctrl+Enter opened nothing else
    # back to her own set: her span and her undo history
    mona.choose("My set (rana)")
    assert mona.spans() == [(*FRANCE, "location", "فرنسا")]
    mona.key(Qt.Key.Key_Z, CTRL)
    assert mona.spans() == [] and mona.stored() != before


def test_review_mode_shows_an_annotators_set_without_candidates(qtbot: QtBot, url: str) -> None:
    rana = Shown(qtbot, url, "rana", review=True)
    vm, window = rana.vm, rana.window
    assert rana.choices() == ["Gold (editable)", "mona's set (read only)",
                              "omar's set (read only)", "Suggestions (read only)"]
    assert vm.marks(0, len(EMOJI_TEXT))                 # the open candidate is drawn
    before = rana.stored()
    rana.choose("mona's set (read only)")
    assert [s[2] for s in rana.spans()] == ["actor", "quote", "location"]
    assert vm.marks(0, len(EMOJI_TEXT)) == [] and vm.region() is None
    assert "Versions" in window.versions.toPlainText()
    for key in (Qt.Key.Key_Return, Qt.Key.Key_X, Qt.Key.Key_1, Qt.Key.Key_U, Qt.Key.Key_Tab):
        rana.messages.clear()
        rana.key(key)
        assert rana.messages[-1] == vm.read_only_message(), key
    assert rana.stored() == before
    rana.choose("Gold (editable)")
    assert [s[2] for s in rana.spans()] == ["actor", "quote"]
    assert vm.marks(0, len(EMOJI_TEXT))
    rana.key(Qt.Key.Key_Return)                          # the candidate accepted into gold
    assert [s[2] for s in rana.spans()] == ["actor", "quote", "location"]


def test_gold_cannot_be_the_user(qtbot: QtBot, url: str) -> None:
    with pytest.raises(UserError, match="reserved name"):
        build_window(GuiOptions(db_url=url), Settings(), "gold")
    QApplication.processEvents()
