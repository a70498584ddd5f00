"""Suggestions in the window, through the real widgets (offscreen): how they are drawn (UTF-16
ranges after an emoji), Tab / Shift+Tab / Enter / x / Shift+Enter with exact undo and redo,
what is hidden, the stored set when computing on open is off, the span list's keys, a click
that does not scroll, the outcome dialog, and a scripted annotator who labels the two gold
news articles (actions per gold span)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from annotator.core.edges import move_edge
from annotator.core.model import Origin, Role, SetStatus
from annotator.db.models import SuggestionRejectionRow
from annotator.services.importing import import_paths
from annotator.services.project import open_project
from annotator.services.suggesting import suggest_documents
from annotator.services.team import TeamService, ensure_first_lead
from annotator.settings import Settings
from annotator.ui.app import GuiOptions, build_window, configure_app
from annotator.ui.keyboard_help import keyboard_help
from annotator.ui.main_window import MainWindow
from annotator.ui.panels import SuggestionStatsDialog
from tests.ui.helpers import dump

NO = Qt.KeyboardModifier.NoModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton

TEXT = "😀 قال وزير الخارجية الروسي: «لن نتراجع عن هذا القرار أبدا». وزار الوفد موسكو أمس.\n"
DOC = "doc-1"
CUE = (2, 5, "cue")
SPEAKER = (6, 26, "actor")
QUOTE = (29, 57, "quote")
MOSCOW = (71, 76, "location")
SUGGESTED = [CUE, SPEAKER, QUOTE, MOSCOW]
LABEL_KEYS = {"quote": Qt.Key.Key_Q, "actor": Qt.Key.Key_A, "location": Qt.Key.Key_L,
              "cue": Qt.Key.Key_C}
KIND_KEYS = {"direct": Qt.Key.Key_D, "indirect": Qt.Key.Key_I, "partial": Qt.Key.Key_P}
RELATION_KEYS = {"said_by": Qt.Key.Key_S, "cue": Qt.Key.Key_V}


def _store_with(tmp_path: Path, files: list[Path]) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_project(url)
    ensure_first_lead(store, "lina")
    lead = TeamService(store, actor="lina")
    lead.add("mona")
    lead.add("rana", Role.REVIEWER)
    assert not import_paths(store, files, actor="lina").errors
    store.close()
    return url


class Window:
    def __init__(self, qtbot: QtBot, url: str, document: str, *, user: str = "mona",
                 settings: Settings | None = None, size: tuple[int, int] = (1400, 900)) -> None:
        self.qtbot = qtbot
        self.url = url
        self.window: MainWindow = build_window(GuiOptions(db_url=url, open_document=document),
                                               settings or Settings(), user)
        qtbot.addWidget(self.window)
        self.window.resize(*size)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.window.activateWindow()           # the menu shortcuts (Ctrl+Z) need it
        qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window)
        self.view = self.window.article
        self.view.setFocus()
        self.messages: list[str] = []
        self.vm.message.connect(self.messages.append)

    @property
    def vm(self) -> Any:
        return self.window.vm

    def key(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = NO,
            widget: QWidget | None = None) -> None:
        self.qtbot.keyClick(widget or self.view, key, modifiers)

    def keys(self) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.label) for s in self.vm.spans.all()]

    def current(self) -> tuple[int, int, str] | None:
        s = self.vm.offers.get(self.vm.offers.current)
        return s.key if s is not None else None

    def offered(self) -> list[tuple[int, int, str]]:
        return [self.vm.offers.spans[i].key for i in self.vm.offers.offered()]

    def dump(self) -> dict[str, Any]:
        store = open_project(self.url)
        try:
            found = dump(store)
            with store.engine.connect() as conn:
                found["rejections"] = [tuple(r) for r in conn.execute(select(
                    SuggestionRejectionRow.set_id, SuggestionRejectionRow.start,
                    SuggestionRejectionRow.end, SuggestionRejectionRow.label,
                    SuggestionRejectionRow.suggester))]
            return found
        finally:
            store.close()

    def formats(self, block_number: int = 0) -> list[tuple[int, int, QTextCharFormat]]:
        block = self.view.document().findBlockByNumber(block_number)
        return [(block.position() + r.start, block.position() + r.start + r.length,
                 QTextCharFormat(r.format)) for r in block.layout().formats()]

    def click_row(self, span_id: int) -> None:
        """A click on the span's row of the span list (the list keeps the focus)."""
        table = self.window.span_list
        row = table.row_of(span_id)
        assert row is not None
        index = table.model().index(row, 1)
        table.scrollTo(index)
        self.qtbot.mouseClick(table.viewport(), LEFT, NO, table.visualRect(index).center())

    def point_for(self, offset: int) -> QPoint:
        u16 = self.view.umap.to_utf16(offset)
        cursor = QTextCursor(self.view.document())
        cursor.setPosition(u16)
        rect = self.view.cursorRect(cursor)
        for dx in (0, -1, 1, -2, 2, -3, 3, -4, 4, -5, 5, -6, 6):
            point = QPoint(rect.x() + dx, rect.center().y())
            if self.view.cursorForPosition(point).position() == u16:
                return point
        raise AssertionError(f"no point maps back to offset {offset}")


@pytest.fixture
def small(qtbot: QtBot, qapp: QApplication, tmp_path: Path) -> Iterator[Any]:
    configure_app(qapp)
    path = tmp_path / f"{DOC}.txt"
    path.write_text(TEXT, encoding="utf-8")
    url = _store_with(tmp_path, [path])
    opened: list[Window] = []

    def make(**options: Any) -> Window:
        opened.append(Window(qtbot, url, DOC, **options))
        return opened[-1]

    yield make
    for item in opened:
        item.window.close()
    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_suggestions_are_drawn_under_own_spans_not_filled(small: Any) -> None:
    w = small()
    assert w.offered() == SUGGESTED and w.keys() == []
    u16 = w.view.umap.to_utf16
    assert u16(CUE[0]) == CUE[0] + 1                            # the emoji is two UTF-16 units
    dotted = [(a, b, f) for a, b, f in w.formats()
              if f.underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine]
    assert [(a, b) for a, b, _ in dotted] == [(u16(s), u16(e)) for s, e, _ in SUGGESTED]
    assert all(f.background().style() == Qt.BrushStyle.NoBrush for _, _, f in dotted)
    colors = {"cue": "#db4437", "actor": "#4285f4", "quote": "#f4b400", "location": "#0f9d58"}
    assert [f.underlineColor().name() for _, _, f in dotted] == [
        colors[label] for _, _, label in SUGGESTED]
    # an own span over a suggestion: its fill; the suggestion underneath only adds its line
    w.view.select_range(25, 55)
    w.key(Qt.Key.Key_Q)
    quote_here = [f for a, b, f in w.formats() if a <= u16(QUOTE[0]) < b]
    assert quote_here[0].background().color().name() == "#f4b400"
    assert quote_here[0].underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine


def test_tab_enter_x_and_shift_enter_with_undo(small: Any) -> None:
    w = small()
    start = w.dump()
    w.key(Qt.Key.Key_Tab)
    assert w.current() == CUE
    w.key(Qt.Key.Key_Backtab)
    assert w.current() == MOSCOW                                 # cycles back
    w.key(Qt.Key.Key_Tab, SHIFT)
    assert w.current() == QUOTE
    wavy = [(a, b) for a, b, f in w.formats()
            if f.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline]
    dashed = [(a, b) for a, b, f in w.formats()
              if f.underlineStyle() == QTextCharFormat.UnderlineStyle.DashUnderline]
    u16 = w.view.umap.to_utf16
    assert wavy == [(u16(QUOTE[0]), u16(QUOTE[1]))]
    assert dashed == [(u16(CUE[0]), u16(CUE[1])), (u16(SPEAKER[0]), u16(SPEAKER[1]))]
    assert "said_by" in w.messages[-1].lower() or "Said by" in w.messages[-1]
    # Enter: the quote alone (its partners are not in the set yet), then the next one is current
    w.key(Qt.Key.Key_Return)
    assert w.keys() == [QUOTE] and w.current() == MOSCOW
    (quote,) = w.vm.spans.all()
    assert (quote.origin, dict(quote.source), dict(quote.attributes)) == (
        Origin.SUGGESTED, {"suggester": "quotes", "confidence": 0.9}, {"kind": "direct"})
    assert w.vm.status == SetStatus.IN_PROGRESS
    # Shift+Tab to the speaker, Enter: its said_by to the quote comes with it
    w.key(Qt.Key.Key_Backtab)
    assert w.current() == SPEAKER
    w.key(Qt.Key.Key_Enter)
    speaker = next(s for s in w.vm.spans.all() if s.label == "actor")
    assert [(r.type, r.head, r.tail) for r in w.vm.relations.values()] == [
        ("said_by", quote.id, speaker.id)]
    # x: Moscow rejected, hidden, remembered
    assert w.current() == MOSCOW
    w.key(Qt.Key.Key_X)
    assert w.offered() == [CUE] and w.current() == CUE
    set_id = w.vm.set_id
    assert w.dump()["rejections"] == [(set_id, *MOSCOW, "places")]
    after_x = w.dump()
    # Shift+Enter: every one left (the cue) with its relation to the quote, one step
    w.key(Qt.Key.Key_Return, SHIFT)
    assert w.keys() == [CUE, SPEAKER, QUOTE] and w.offered() == []
    assert len(w.vm.relations) == 2
    w.key(Qt.Key.Key_Z, CTRL)
    assert w.messages[-1] == "Undone: accept every suggestion (1)", w.messages[-3:]
    assert w.dump() == after_x
    for _ in range(3):
        w.key(Qt.Key.Key_Z, CTRL)
    assert w.dump() == start and w.offered() == SUGGESTED and w.vm.status == SetStatus.TODO
    for _ in range(4):
        w.key(Qt.Key.Key_Z, CTRL | SHIFT)
    assert w.keys() == [CUE, SPEAKER, QUOTE] and len(w.vm.relations) == 2
    assert w.dump()["rejections"] == [(set_id, *MOSCOW, "places")]


def test_hidden_suggestions_stay_hidden_after_reopening(small: Any) -> None:
    first = small()
    first.view.select_range(*SPEAKER[:2])
    first.key(Qt.Key.Key_A)                                       # labeled by hand: the same key
    first.key(Qt.Key.Key_Tab)
    first.key(Qt.Key.Key_Tab)
    assert first.current() == QUOTE
    first.key(Qt.Key.Key_X)
    assert first.offered() == [CUE, MOSCOW]
    first.window.close()
    again = small()
    assert again.offered() == [CUE, MOSCOW]
    assert [r.key for r in again.vm.offers.proposals.spans if r.key in
            again.vm.offers.rejected] == [QUOTE]


def test_enter_without_a_current_suggestion_says_what_to_do(small: Any) -> None:
    w = small()
    w.key(Qt.Key.Key_Return)
    assert w.keys() == [] and "Tab goes to the next suggestion" in w.messages[-1]


def test_with_computing_off_the_stored_set_is_shown(small: Any, tmp_path: Path) -> None:
    off = Settings(suggest_on_open=False)
    w = small(settings=off)
    assert w.offered() == [] and w.vm.offers.proposals.stored      # no stored set yet
    w.window.close()
    store = open_project(w.url)
    suggest_documents(store, actor="lina", only=["quotes", "places"])
    store.close()
    w = small(settings=off)
    assert w.offered() == [QUOTE, MOSCOW] and w.vm.offers.proposals.stored


def test_label_keys_act_on_the_span_clicked_in_the_span_list(small: Any) -> None:
    w = small(settings=Settings(suggest_on_open=False))
    w.view.select_range(*MOSCOW[:2])
    w.key(Qt.Key.Key_A)                                           # an actor by mistake
    (span,) = w.vm.spans.all()
    w.vm.select_span(None)
    w.click_row(span.id)
    assert w.vm.selected == span.id and w.window.span_list.hasFocus()
    w.key(Qt.Key.Key_L, widget=w.window.span_list)                 # relabel from the list
    assert w.keys() == [MOSCOW]
    w.click_row(span.id)
    w.key(Qt.Key.Key_Delete, widget=w.window.span_list)
    assert w.keys() == []


def test_clicking_a_span_does_not_scroll(qtbot: QtBot, qapp: QApplication, tmp_path: Path,
                                         corpora: Path) -> None:
    configure_app(qapp)
    url = _store_with(tmp_path, [corpora / "news" / "sn_01_aawsat.txt"])
    w = Window(qtbot, url, "sn_01_aawsat", size=(1000, 520))
    try:
        w.key(Qt.Key.Key_Return, SHIFT)
        bar = w.view.verticalScrollBar()
        for span in w.vm.spans.all():      # a span whose start is on screen and end is not
            if span.label != "quote":
                continue
            for value in range(bar.maximum() + 1):
                bar.setValue(value)
                if w.view._visible(span.start + 1) and not w.view._visible(span.end):
                    break
            else:
                continue
            break
        else:
            raise AssertionError("no quote crosses the bottom of the view")
        before = bar.value()
        w.qtbot.mouseClick(w.view.viewport(), LEFT, NO, w.point_for(span.start + 1)
                           + QPoint(-2, 0))
        assert w.vm.selected == span.id and bar.value() == before
        w.vm.select_span(None)
        w.click_row(span.id)                     # chosen in the list: the view follows
        assert bar.value() != before
    finally:
        w.window.close()
        qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_help_lists_the_keys_and_reviewers_see_the_outcomes(small: Any) -> None:
    for line in ("Tab / Shift+Tab", "Shift+Enter", "reject the suggestion"):
        assert line in keyboard_help(review=False)
    w = small()
    w.key(Qt.Key.Key_Tab)
    w.key(Qt.Key.Key_Return)                                      # the cue accepted
    w.key(Qt.Key.Key_X)                                           # the speaker rejected
    w.window.show_suggestion_stats()                              # mona is an annotator
    assert "cannot see how the suggestions fare" in w.window.statusBar().currentMessage()
    w.window.close()
    rana = small(user="rana")
    rana.window.show_suggestion_stats()
    dialog = rana.window.suggestion_dialog
    assert isinstance(dialog, SuggestionStatsDialog)
    table = dialog.table
    assert [[table.item(r, c).text() for c in range(6)] for r in range(table.rowCount())] == [
        ["cues", "1", "0", "0", "0", "100%"], ["speakers", "0", "0", "1", "0", "0%"],
        ["all", "1", "0", "1", "0", "50%"]]
    dialog.close()


# -- a scripted annotator on the gold articles -------------------------------------------------------


class Annotator:
    """Labels an article to its gold through the real widgets, counting actions as issue 10
    does: a selection and a key 1, a fix 1, a rejection (deleting an accepted span, or a wrong
    relation) 1, a relation 3."""

    def __init__(self, w: Window, gold: Any) -> None:
        self.w = w
        self.text = gold.text
        self.gold = {(s.start, s.end, s.label): s for s in gold.spans}
        keys = [(s.start, s.end, s.label) for s in gold.spans]
        self.gold_relations = {(r.type, keys[r.head], keys[r.tail]) for r in gold.relations}
        self.actions = 0
        self.kinds: dict[str, int] = {}

    def count(self, kind: str, n: int = 1) -> None:
        self.actions += n
        self.kinds[kind] = self.kinds.get(kind, 0) + n

    @property
    def list(self) -> QWidget:
        return self.w.window.span_list

    def mine(self) -> dict[tuple[int, int, str], Any]:
        return {(s.start, s.end, s.label): s for s in self.w.vm.spans.all()}

    def run(self) -> None:
        self.w.key(Qt.Key.Key_Return, SHIFT)                     # accept every suggestion
        self.count("accept all")
        for key, span in sorted(self.mine().items()):
            if key not in self.gold:
                self.fix_or_remove(span)
        for key in sorted(set(self.gold) - set(self.mine())):
            self.add(key)
        for key, gold in self.gold.items():
            span = self.mine()[key]
            if dict(span.attributes) != dict(gold.attributes):
                self.w.click_row(span.id)
                self.w.key(KIND_KEYS[gold.attributes["kind"]], widget=self.list)
                self.count("fix attribute")
        self.fix_relations()

    def fix_or_remove(self, span: Any) -> None:
        mine = self.mine()
        targets = [k for k in self.gold if k not in mine and k[2] == span.label
                   and k[0] < span.end and span.start < k[1]]
        self.w.click_row(span.id)
        if targets:
            target = max(targets, key=lambda k: min(k[1], span.end) - max(k[0], span.start))
            self.move_edges(span.id, target)
            self.count("fix boundaries")
        elif (span.start, span.end) in {(k[0], k[1]) for k in self.gold if k not in mine}:
            label = next(k[2] for k in self.gold if (k[0], k[1]) == (span.start, span.end))
            self.w.key(LABEL_KEYS[label], widget=self.list)
            self.count("fix label")
        else:
            self.w.key(Qt.Key.Key_Delete, widget=self.list)
            self.count("remove")

    def move_edges(self, span_id: int, target: tuple[int, int, str]) -> None:
        """Alt+arrows (by word, or with Ctrl by letter when a word would overshoot)."""
        for _ in range(200):
            span = self.w.vm.span(span_id)
            if (span.start, span.end) == target[:2]:
                return
            if span.start != target[0]:
                edge, grow = "start", span.start > target[0]
                arrow = Qt.Key.Key_Right
            else:
                edge, grow = "end", span.end < target[1]
                arrow = Qt.Key.Key_Left
            by_word = move_edge(self.text, span.start, span.end, edge=edge, grow=grow,
                                by_word=True)
            fits = by_word is not None and (
                (by_word[0] >= target[0] if grow else by_word[0] <= target[0]) if edge == "start"
                else (by_word[1] <= target[1] if grow else by_word[1] >= target[1]))
            modifiers = ALT | (NO if grow else SHIFT) | (NO if fits else CTRL)
            self.w.key(arrow, modifiers, widget=self.list)
        raise AssertionError(f"could not move span {span_id} to {target}")

    def add(self, key: tuple[int, int, str]) -> None:
        self.w.view.setFocus()
        self.w.view.select_range(key[0], key[1])
        self.w.key(LABEL_KEYS[key[2]])
        self.count("add")
        if key not in self.mine():                # snapping chose other boundaries: fix them
            made = next(s for s in self.w.vm.spans.all() if s.label == key[2]
                        and s.start < key[1] and key[0] < s.end and
                        (s.start, s.end, s.label) not in self.gold)
            self.w.click_row(made.id)
            self.move_edges(made.id, key)
            self.count("fix boundaries")

    def fix_relations(self) -> None:
        mine = self.mine()
        keys = {s.id: k for k, s in mine.items()}
        have = {(r.type, keys[r.head], keys[r.tail]): r for r in self.w.vm.relations.values()}
        details = self.w.window.details
        for triple, relation in sorted(have.items()):
            if triple not in self.gold_relations:
                self.w.click_row(relation.head)
                item = next(details.relations.item(i) for i in range(details.relations.count())
                            if details.relations.item(i).data(Qt.ItemDataRole.UserRole)[0]
                            == relation.id)
                details.relations.setCurrentItem(item)
                self.w.qtbot.mouseClick(details.remove, LEFT)
                self.count("remove relation")
        for kind, head, tail in sorted(self.gold_relations - set(have)):
            self.w.click_row(mine[head].id)
            self.w.key(RELATION_KEYS[kind], widget=self.list)
            self.w.click_row(mine[tail].id)
            self.count("relation", 3)

    def check(self) -> None:
        mine = self.mine()
        assert set(mine) == set(self.gold)
        assert all(dict(mine[k].attributes) == dict(g.attributes) for k, g in self.gold.items())
        keys = {s.id: k for k, s in mine.items()}
        assert {(r.type, keys[r.head], keys[r.tail])
                for r in self.w.vm.relations.values()} == self.gold_relations


def test_a_scripted_annotator_needs_under_half_an_action_per_gold_span(
        qtbot: QtBot, qapp: QApplication, tmp_path: Path, corpora: Path) -> None:
    from tests.core.test_suggest_quality import gold_records

    configure_app(qapp)
    records = gold_records(corpora / "news")
    url = _store_with(tmp_path, [corpora / "news" / f"{r.doc_id}.txt" for r in records])
    figures = {}
    try:
        for record in records:
            w = Window(qtbot, url, record.doc_id)
            assert w.vm.text == record.text
            annotator = Annotator(w, record)
            annotator.run()
            annotator.check()
            figures[record.doc_id] = (annotator.actions, len(record.spans), annotator.kinds)
            w.window.close()
    finally:
        qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    print({doc: (a, n, round(a / n, 3), kinds) for doc, (a, n, kinds) in figures.items()})
    assert all(actions / spans < 0.5 for actions, spans, _ in figures.values()), figures


def test_accepting_a_suggestion_looks_up_the_set_instead_of_reading_it_whole(
        small: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enter asks about the suggestion's own key and its partners' (is it in the set, is the
    link there): the set's spans and relations are looked up, not gathered whole each time (a
    book's 20,000 keys cost milliseconds at every Enter)."""
    from annotator.ui.viewmodels.relation_table import RelationTable
    from annotator.ui.viewmodels.spans import SpanIndex

    w = small()
    accepting = [False]
    whole_spans, whole_relations = SpanIndex.all, RelationTable.values

    def refuse(read: Any) -> Any:
        def guarded(self: Any) -> Any:
            assert not accepting[0], "the set read whole while accepting a suggestion"
            return read(self)
        return guarded

    monkeypatch.setattr(SpanIndex, "all", refuse(whole_spans))
    monkeypatch.setattr(RelationTable, "values", refuse(whole_relations))
    accept = w.vm._accept

    def watched(indexes: list[int]) -> Any:
        accepting[0] = True
        try:
            return accept(indexes)
        finally:
            accepting[0] = False

    monkeypatch.setattr(w.vm, "_accept", watched)
    for key, modifiers in ((Qt.Key.Key_Tab, NO), (Qt.Key.Key_Backtab, NO), (Qt.Key.Key_Tab, SHIFT)):
        w.key(key, modifiers)
    assert w.current() == QUOTE
    w.key(Qt.Key.Key_Return)                                 # the quote
    w.key(Qt.Key.Key_Backtab)
    assert w.current() == SPEAKER
    w.key(Qt.Key.Key_Return)                                 # the speaker, with its said_by
    quote, speaker = (next(s for s in w.vm.spans.all() if s.label == label)
                      for label in ("quote", "actor"))
    assert [(r.type, r.head, r.tail) for r in whole_relations(w.vm.relations)] == [
        ("said_by", quote.id, speaker.id)]
    w.key(Qt.Key.Key_Return, SHIFT)                          # the rest, with the cue's link
    assert w.keys() == [CUE, SPEAKER, QUOTE, MOSCOW] and len(w.vm.relations) == 2
