"""Review mode through the real widgets (offscreen): every review key, undo and redo of
decisions, the gold set in the store afterwards (with provenance), and what is drawn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCharFormat
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from annotator.core.adjudication import State
from annotator.core.errors import UserError
from annotator.core.model import Role
from annotator.db.models import AnnotationSetRow, RejectionRow, RelationRow, SpanRow
from annotator.services.annotate import AnnotationService
from annotator.services.project import open_project, project_schema
from annotator.services.team import TeamService, ensure_first_lead
from annotator.settings import Settings
from annotator.ui.app import GuiOptions, build_window, configure_app
from annotator.ui.main_window import MainWindow
from tests.ui.helpers import ACTOR, CUE, EMOJI_ID, FRANCE, MOSCOW, QUOTE, import_documents
from tests.ui.qt_events import EventLog

NO = Qt.KeyboardModifier.NoModifier
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
CTRL = Qt.KeyboardModifier.ControlModifier
SHORT_ACTOR = (46, 52)


def _label(service: AnnotationService, doc: int, spans: list[tuple[tuple[int, int], str]],
           links: list[tuple[str, int, int]]) -> None:
    set_id = service.open_document(doc).set.id
    assert set_id is not None
    made = [service.add_span(set_id, s, e, label) for (s, e), label in spans]
    for kind, head, tail in links:
        service.add_relation(set_id, kind, made[head].id or 0, made[tail].id or 0)


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_project(url)
    doc = import_documents(store, tmp_path)[EMOJI_ID]
    ensure_first_lead(store, "lina")
    lead = TeamService(store, actor="lina")
    for name in ("mona", "omar", "sara"):
        lead.add(name)
    lead.add("rana", Role.REVIEWER)
    schema = project_schema(store)
    people = {n: AnnotationService(store, schema, annotator=n) for n in ("mona", "omar", "sara")}
    _label(people["mona"], doc, [(CUE, "cue"), (ACTOR, "actor"), (MOSCOW[1], "location"),
                                 (QUOTE, "quote")], [("said_by", 3, 1), ("cue", 3, 0)])
    _label(people["omar"], doc, [(CUE, "cue"), (ACTOR, "actor"), (QUOTE, "quote"),
                                 (FRANCE, "location")], [("said_by", 2, 1)])
    _label(people["sara"], doc, [(CUE, "cue"), (SHORT_ACTOR, "actor"), (MOSCOW[1], "actor"),
                                 (QUOTE, "quote")], [])
    store.close()
    return url


class Review:
    def __init__(self, qtbot: QtBot, url: str) -> None:
        self.qtbot = qtbot
        self.url = url
        self.window: MainWindow = build_window(
            GuiOptions(db_url=url, open_document=EMOJI_ID, review=True), Settings(), "rana")
        qtbot.addWidget(self.window)
        self.window.resize(1400, 900)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.view = self.window.article
        self.view.setFocus()
        self.messages: list[str] = []
        self.vm.message.connect(self.messages.append)

    @property
    def vm(self) -> Any:
        return self.window.vm

    def key(self, key: Qt.Key, modifiers: Qt.KeyboardModifier = NO, text: str = "") -> None:
        self.qtbot.keyClick(self.view, key, modifiers)

    def current(self) -> tuple[int, int, str] | None:
        candidate = self.vm.candidate(self.vm.current)
        return candidate.key if candidate else None

    def gold(self) -> list[tuple[Any, ...]]:
        store = open_project(self.url)
        try:
            with store.engine.connect() as conn:
                return [tuple(r) for r in conn.execute(
                    select(SpanRow.start, SpanRow.end, SpanRow.label, SpanRow.provenance)
                    .join(AnnotationSetRow, AnnotationSetRow.id == SpanRow.set_id)
                    .where(AnnotationSetRow.kind == "gold").order_by(SpanRow.start))]
        finally:
            store.close()

    def table(self, row: Any) -> list[tuple[Any, ...]]:
        store = open_project(self.url)
        try:
            with store.engine.connect() as conn:
                return [tuple(r) for r in conn.execute(select(row))]
        finally:
            store.close()


@pytest.fixture
def review(qtbot: QtBot, qapp: QApplication, store_url: str) -> Iterator[Review]:
    configure_app(qapp)
    opened = Review(qtbot, store_url)
    yield opened
    opened.window.close()
    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def _prov(how: str, *names: str) -> dict[str, Any]:
    return {"decided_by": "rana", "how": how, "from": list(names)}


def test_review_with_the_keyboard_builds_the_expected_gold(review: Review) -> None:
    vm = review.vm
    assert review.window.review and review.window.windowTitle().endswith("Review")
    assert vm.annotators == ("mona", "omar", "sara")
    assert review.current() == (24, 28, "cue")          # the first disagreement: its links differ
    assert review.gold() == []                            # opening wrote nothing
    review.key(Qt.Key.Key_Tab)
    assert review.current() == (46, 52, "actor")
    review.key(Qt.Key.Key_Backtab, SHIFT)
    assert review.current() == (24, 28, "cue")
    review.key(Qt.Key.Key_Tab)
    review.key(Qt.Key.Key_Tab)
    assert review.current() == (46, 59, "actor")
    versions = review.window.versions.toPlainText()
    assert "mona" in versions and "sara" in versions and "الرئيس الروسي" in versions

    review.key(Qt.Key.Key_Return)                          # accept mona's and omar's actor
    assert review.gold() == [(46, 59, "actor", _prov("accepted", "mona", "omar"))]
    assert vm.states[1] == State.SUPERSEDED                # sara's short actor is decided too
    assert review.current() == (83, 88, "actor")           # moved on to the next disagreement

    review.key(Qt.Key.Key_1)                               # take mona's version of Moscow
    assert review.gold()[1] == (83, 88, "location", _prov("accepted", "mona"))
    assert review.table(RejectionRow.label) == [("actor",)]
    assert review.current() == (93, 119, "quote")

    review.key(Qt.Key.Key_U)                               # the cue and the quote everyone has
    assert [g[:3] for g in review.gold()] == [(24, 28, "cue"), (46, 59, "actor"),
                                              (83, 88, "location"), (93, 119, "quote")]
    # the said_by link mona and omar agree on came with the quote; mona's cue link did not
    assert sorted(r.type for r in vm.relations.values()) == ["said_by"]
    assert sorted(review.table(RelationRow.type)) == [("cue",)] + [("said_by",)] * 3
    assert review.current() == (104, 109, "location")
    review.key(Qt.Key.Key_X)                               # reject omar's France
    assert vm.counts() == {"disagreements": 0, "unanimous": 0, "decided": 7, "candidates": 7}
    review.key(Qt.Key.Key_Tab)
    assert "Every candidate is decided" in review.messages[-1]

    # undo and redo the rejection, then a boundary fix of the actor and its undo
    review.key(Qt.Key.Key_Z, CTRL)
    assert vm.states[6] == State.OPEN and len(review.table(RejectionRow.id)) == 1
    review.key(Qt.Key.Key_Z, CTRL | SHIFT)
    assert vm.states[6] == State.REJECTED and len(review.table(RejectionRow.id)) == 2
    vm.select_span(vm.spans.ids[(46, 59, "actor")])
    review.key(Qt.Key.Key_Left, ALT | SHIFT)               # shrink the actor by a word at its end
    assert review.gold()[1] == (46, 52, "actor", _prov("edited", "mona", "omar"))
    review.key(Qt.Key.Key_Z, CTRL)
    assert review.gold()[1] == (46, 59, "actor", _prov("accepted", "mona", "omar"))

    # Ctrl+Enter: reviewed
    review.window.activateWindow()
    review.key(Qt.Key.Key_Return, CTRL)                  # the window's shortcut
    (status,) = [s for (s,) in review.table(AnnotationSetRow.status)
                 if s in ("done", "in_progress", "todo")][-1:]
    assert status == "done"
    assert review.window.queue.progress() == (1, 1)


def test_shift_enter_accepts_and_selects_the_gold_span_staying_on_it_to_fix_it(
        review: Review) -> None:
    """Shift+Enter: the candidate into gold, selected in the article, the list and the details,
    the current candidate unchanged (its versions still shown); the keys fix the gold span;
    Enter then moves on without putting the candidate back beside its fix; undo takes back
    the fix, then the accept (the accept's undo names the span at the version the fix's undo
    left it)."""
    vm, spans = review.vm, review.window.span_list

    def selected() -> tuple[int, int, str] | None:
        span = vm.span(vm.selected)
        return (span.start, span.end, span.label) if span is not None else None

    for _ in range(2):
        review.key(Qt.Key.Key_Tab)
    assert review.current() == (46, 59, "actor")
    review.key(Qt.Key.Key_Return, SHIFT)
    assert review.gold() == [(46, 59, "actor", _prov("accepted", "mona", "omar"))]
    assert review.current() == (46, 59, "actor")                       # stayed
    assert selected() == (46, 59, "actor")
    assert spans.source.span_at(spans.currentIndex().row()).id == vm.selected
    assert review.window.details.title.text() == "Actor: الرئيس الروسي"
    assert review.window.versions.toPlainText().startswith("Actor «الرئيس الروسي»")
    steps = len(vm.history._done)
    review.key(Qt.Key.Key_Escape)
    assert selected() is None
    review.key(Qt.Key.Key_Return, SHIFT)              # in gold already: selected again, no step
    assert selected() == (46, 59, "actor") and len(vm.history._done) == steps
    assert review.messages == []
    review.key(Qt.Key.Key_Left, ALT | SHIFT)               # shrink it by a word at its end
    assert review.gold() == [(46, 52, "actor", _prov("edited", "mona", "omar"))]
    assert selected() == (46, 52, "actor") and review.current() == (46, 59, "actor")
    review.key(Qt.Key.Key_Return)                          # not put back beside its fix
    assert review.messages[-1] == "Decided already: gold has its region's version"
    assert review.gold() == [(46, 52, "actor", _prov("edited", "mona", "omar"))]
    assert review.current() == (83, 88, "actor")           # moved on
    review.key(Qt.Key.Key_Z, CTRL)
    assert review.gold() == [(46, 59, "actor", _prov("accepted", "mona", "omar"))]
    review.key(Qt.Key.Key_Z, CTRL)
    assert review.gold() == []


def test_a_decisions_undo_after_a_fix_of_its_span_and_the_fixs_undo(review: Review) -> None:
    """Accept, fix the accepted span's boundary, undo the fix, undo the accept: the accept's
    undo names the span at the version the fix's undo left it (it was refused as changed by
    someone else); redo puts it back."""
    vm = review.vm
    for _ in range(2):
        review.key(Qt.Key.Key_Tab)
    review.key(Qt.Key.Key_Return)
    vm.select_span(vm.spans.ids[(46, 59, "actor")])
    review.key(Qt.Key.Key_Left, ALT | SHIFT)
    assert review.gold() == [(46, 52, "actor", _prov("edited", "mona", "omar"))]
    review.key(Qt.Key.Key_Z, CTRL)
    review.key(Qt.Key.Key_Z, CTRL)
    assert review.gold() == [] and review.messages[-1] == "Undone: accept Actor"
    review.key(Qt.Key.Key_Z, CTRL | SHIFT)
    assert review.gold() == [(46, 59, "actor", _prov("accepted", "mona", "omar"))]


def test_a_decisions_undo_is_refused_when_another_reviewer_changed_its_span(
        review: Review) -> None:
    """The versions a decision's undo names are this window's own: a change by another reviewer
    since (here a note on the accepted span) makes the undo refused, and nothing changes."""
    from annotator.services.review import ReviewService

    vm = review.vm
    for _ in range(2):
        review.key(Qt.Key.Key_Tab)
    review.key(Qt.Key.Key_Return)
    accepted = vm.spans.ids[(46, 59, "actor")]
    store = open_project(review.url)
    try:
        ReviewService(store, project_schema(store), reviewer="lina").gold.update_span(
            accepted, note="checked")
    finally:
        store.close()
    review.key(Qt.Key.Key_Z, CTRL)
    assert "changed by lina" in review.messages[-1]
    assert review.gold() == [(46, 59, "actor", {"decided_by": "lina", "how": "edited",
                                                "from": ["mona", "omar"]})]   # lina's, kept


def test_enter_on_a_rejected_candidate_accepts_it(review: Review) -> None:
    """A rejected candidate made current again (another reviewer's x, or here the view-model's
    go_to): Enter accepts it, as before, the reviewer overriding the rejection; only a
    candidate in gold or superseded by gold's version of its region is passed over."""
    vm = review.vm
    for _ in range(2):
        review.key(Qt.Key.Key_Tab)
    rejected = vm.current
    review.key(Qt.Key.Key_X)
    assert vm.states[rejected] == State.REJECTED and review.gold() == []
    vm.go_to(rejected)
    review.key(Qt.Key.Key_Return)
    assert review.gold() == [(46, 59, "actor", _prov("accepted", "mona", "omar"))]
    assert review.table(RejectionRow.label) == []                # the rejection taken back


def test_undoing_every_decision_gives_back_an_empty_gold(review: Review) -> None:
    review.key(Qt.Key.Key_U)
    review.key(Qt.Key.Key_Tab)
    review.key(Qt.Key.Key_3)                               # sara's version of the actor region
    assert [g[:3] for g in review.gold()] == [(24, 28, "cue"), (46, 52, "actor"),
                                              (93, 119, "quote")]
    for _ in range(2):
        review.key(Qt.Key.Key_Z, CTRL)
    assert review.gold() == [] and review.table(RejectionRow.id) == []
    assert review.vm.states == [State.OPEN] * 7
    assert review.vm.status.value == "todo"


def test_candidates_are_drawn_by_agreement(review: Review) -> None:
    review.key(Qt.Key.Key_Tab)
    review.key(Qt.Key.Key_Tab)                             # the majority actor is current
    block = review.view.document().findBlockByNumber(1)
    formats = [(block.position() + r.start, r.length, QTextCharFormat(r.format))
               for r in block.layout().formats()]
    umap = review.view.umap

    def style_at(offset: int) -> tuple[Any, bool]:
        u16 = umap.to_utf16(offset)
        for start, length, fmt in formats:
            if start <= u16 < start + length:
                return fmt.underlineStyle(), fmt.background().style() != Qt.BrushStyle.NoBrush
        return None, False

    assert style_at(CUE[0]) == (QTextCharFormat.UnderlineStyle.SingleUnderline, False)  # all
    assert style_at(ACTOR[1] - 1) == (QTextCharFormat.UnderlineStyle.DashUnderline, True)
    assert style_at(SHORT_ACTOR[0]) == (QTextCharFormat.UnderlineStyle.DotLine, True)   # minority
    assert style_at(FRANCE[0])[0] == QTextCharFormat.UnderlineStyle.DotLine


def test_annotators_cannot_open_review_mode(qtbot: QtBot, qapp: QApplication,
                                            store_url: str) -> None:
    configure_app(qapp)
    with pytest.raises(UserError, match="'mona' \\(annotator\\) cannot open review mode"):
        build_window(GuiOptions(db_url=store_url, review=True), Settings(), "mona")
    qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def _formats(document: Any) -> list[list[tuple[Any, ...]]]:
    """Each block's format ranges: (start, length, underline style and color, background)."""
    block, found = document.begin(), []
    while block.isValid():
        layout = block.layout()
        ranges = []
        for r in layout.formats():
            fmt = QTextCharFormat(r.format)
            ranges.append((r.start, r.length, fmt.underlineStyle(), fmt.underlineColor().name(),
                           fmt.background().style(), fmt.background().color().name(
                               fmt.background().color().NameFormat.HexArgb)))
        found.append(ranges)
        block = block.next()
    return found


def test_plain_paragraphs_of_candidates_are_drawn_as_the_general_way_draws_them(
        qtbot: QtBot, qapp: QApplication, store_url: str) -> None:
    """Review's highlighter draws a paragraph with only open candidates on it one run per
    candidate: character for character what SpanHighlighter's general way draws."""
    from PySide6.QtGui import QTextDocument

    from annotator.db.models import DocumentRow
    from annotator.ui.highlighter import SpanHighlighter
    from annotator.ui.review_panels import ReviewHighlighter

    store = open_project(store_url)
    with store.engine.connect() as conn:
        doc, text = conn.execute(select(DocumentRow.id, DocumentRow.text)
                                 .where(DocumentRow.external_id == EMOJI_ID)).one()
    schema = project_schema(store)
    last = "BBC News: قال مراسلنا في باريس إن الإجتماع انتهى بنجاح."
    base = text.index(last)
    words = {w: (base + last.index(w), base + last.index(w) + len(w))
             for w in ("قال", "مراسلنا", "باريس", "الإجتماع انتهى")}
    two = (words["مراسلنا"][0], words["باريس"][1])          # overlaps مراسلنا and باريس
    versions = {"mona": [(words["قال"], "cue"), (words["مراسلنا"], "actor"),
                         (words["باريس"], "location")],
                "omar": [(words["قال"], "cue"), (two, "actor"), (words["باريس"], "actor")],
                "sara": [(words["مراسلنا"], "actor"), (words["الإجتماع انتهى"], "quote")]}
    for name, spans in versions.items():
        service = AnnotationService(store, schema, annotator=name)
        set_id = service.open_document(doc).set.id
        assert set_id is not None
        for (s, e), label in spans:
            service.add_span(set_id, s, e, label)
    store.close()
    configure_app(qapp)
    review = Review(qtbot, store_url)
    view, vm = review.view, review.vm
    assert isinstance(view.highlighter, ReviewHighlighter)
    assert len(vm.marks(base, len(text))) == 6               # open candidates there
    general = QTextDocument()
    general.setPlainText(view.toPlainText())
    drawn = SpanHighlighter(general, vm, schema)
    drawn.set_text_map(view.umap)
    quick: list[bool] = []
    alone = view.highlighter._marks_alone
    view.highlighter._marks_alone = lambda *a: quick.append(alone(*a)) or quick[-1]
    for current in (None, vm.current, vm.review.index_of(words["باريس"] + ("location",))):
        vm.go_to(current)
        quick.clear()
        view.highlighter.rehighlight()
        drawn.rehighlight()
        assert _formats(view.document()) == _formats(general)
        in_last = current is not None and vm.candidates[current].start >= base
        assert quick == [False, False, not in_last]        # the last paragraph: no emoji
    review.window.close()


def test_after_every_decision_the_article_is_drawn_as_a_full_redraw_draws_it(
        review: Review) -> None:
    """A decision's blocks are highlighted once, when it has settled (the gold span, the
    candidates' states, the selection and the next candidate each ask for theirs): what is
    drawn then is what drawing every block again gives, after each key, undo and redo."""
    view = review.view
    block = view.document().begin()   # every paragraph keeps its shaped glyphs
    while block.isValid():
        assert block.layout().cacheEnabled(), block.blockNumber()
        block = block.next()
    rehighlighted: list[int] = []
    rehighlight_block = view.highlighter.rehighlightBlock

    def counted(block: Any) -> None:
        rehighlighted.append(block.blockNumber())
        rehighlight_block(block)

    view.highlighter.rehighlightBlock = counted   # type: ignore[method-assign]
    steps = [(Qt.Key.Key_Tab, NO), (Qt.Key.Key_Return, NO), (Qt.Key.Key_1, NO),
             (Qt.Key.Key_Z, CTRL), (Qt.Key.Key_Z, CTRL | SHIFT), (Qt.Key.Key_X, NO),
             (Qt.Key.Key_U, NO), (Qt.Key.Key_Z, CTRL)]
    for key, modifiers in steps:
        rehighlighted.clear()
        review.key(key, modifiers)
        drawn = _formats(view.document())
        assert len(rehighlighted) == len(set(rehighlighted)), (key, rehighlighted)
        view.highlighter.rehighlight()
        assert drawn == _formats(view.document()), key
    assert [g[:3] for g in review.gold()] == [(46, 52, "actor"), (83, 88, "location")]


def test_a_decision_repaints_the_counts_without_laying_the_window_out(review: Review) -> None:
    """The counts' label has the size of the longest counts of the document, fixed: a new count
    changes its text only. The versions panel is laid out once for a decision, with the page of
    the candidate the decision moved to."""
    from PySide6.QtCore import QEvent, QPropertyAnimation
    from PySide6.QtWidgets import QDockWidget

    bar, versions, window = review.window.agreement_bar, review.window.versions, review.window
    assert bar is not None and versions is not None
    # the window settled: the figures shown (a zero timer after the document opens) and the
    # docks in place. Qt's main window moves its docks through geometry animations even when
    # they are not animated (of 0 ms, ended by its animation timer): with a fixed wait of 50 ms
    # the last of them could end during the first key on a slow machine, and lay the central
    # widget out then
    review.qtbot.waitUntil(lambda: "F1" in bar.label.text() and not [
        a for dock in window.findChildren(QDockWidget)
        for a in dock.findChildren(QPropertyAnimation)])
    QApplication.processEvents()
    assert bar.counts.text() == ("Open disagreements: 7 · unanimous to accept: 0 · "
                                 "decided: 0/7")
    assert bar.counts.minimumSize() == bar.counts.maximumSize()   # fixed
    pages: list[str] = []
    # the bar is in the central widget's layout
    watch = EventLog(QEvent.Type.LayoutRequest, lambda widget, _e: type(widget).__name__,
                     window.centralWidget(), bar)
    requests = watch.seen
    shown = versions._lay_out
    versions._lay_out = lambda page: pages.append(page) or shown(page)   # type: ignore[method-assign]
    for key in (Qt.Key.Key_Tab, Qt.Key.Key_Tab, Qt.Key.Key_Return):   # accept (46, 59, actor)
        review.key(key)
        for _ in range(3):
            QApplication.processEvents()
    assert bar.counts.text() == ("Open disagreements: 5 · unanimous to accept: 0 · "
                                 "decided: 2/7")
    assert requests == []
    assert len(pages) == 3 and "«موسكو»" in pages[-1][0].text    # one page a key; Enter moved on
    assert review.current() == (83, 88, "actor")
    assert "mona" in versions.toPlainText() and "Moscow" not in versions.toPlainText()
    assert review.vm.selected is None      # Enter moved on: nothing selected, as with x or 1-9


def test_the_versions_page_says_each_version_and_draws_it_in_place(review: Review) -> None:
    """The page of a candidate, paragraph by paragraph, with its styled runs (the label in bold,
    each version's spans on their label's color); the region's text right to left and against
    the right edge, the rest against the left; a new page from its top, and its scroll bar not
    drawn again when its range comes back the same."""
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QImage

    from annotator.ui.versions_panel import BOLD, ITALIC, SMALL, Paragraph

    versions = review.window.versions
    assert versions is not None
    # the first disagreement: mona's link from the quote, a small line under her version
    mona = versions._page[2]
    relation = "cue: «التعاون مع فرنسا ضروري جدا» → «قالَ»"
    assert mona.text == "1  mona   Speech cue: «قالَ»\u2028" + relation
    assert mona.runs[-1] == (len(mona.text) - len(relation), len(relation), SMALL)
    assert versions.toPlainText().splitlines()[2:4] == ["1  mona   Speech cue: «قالَ»", relation]
    for _ in range(3):
        review.key(Qt.Key.Key_Tab)
    assert review.current() == (83, 88, "actor")
    location, actor = (versions.colors[name] for name in ("location", "actor"))
    keys = ("Enter accepts, Shift+Enter accepts to fix, x rejects, 1-9 take a version, u "
            "accepts every unanimous candidate, Tab / Shift+Tab move.")
    assert versions._page == (
        Paragraph("Actor «موسكو» — minority (1/3: sara); open; disagreement: missing, "
                  "other label", ((0, 5, BOLD),)),
        Paragraph("موسكو", (), right_to_left=True),
        Paragraph("1  mona   Location: «موسكو»", ((0, 7, BOLD), (10, 17, location))),
        Paragraph("2  omar   nothing", ((0, 7, BOLD), (10, 7, ITALIC))),
        Paragraph("3  sara   Actor: «موسكو»", ((0, 7, BOLD), (10, 14, actor))),
        Paragraph("—  gold   nothing", ((0, 7, BOLD), (10, 7, ITALIC))),
        Paragraph(keys, ((0, len(keys), SMALL),)))
    assert versions.toPlainText().splitlines()[1:3] == ["موسكو", "1  mona   Location: «موسكو»"]
    assert versions.accessibleDescription() == versions.toPlainText()

    versions.viewport().repaint()
    image = versions.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    base = versions.viewport().palette().base().color().rgb()
    width = image.width()

    def ink(top: float, height: float) -> list[int]:
        """The columns with something drawn between top and top + height."""
        rows = range(int(top) + 1, min(image.height(), int(top + height)) - 1)
        return [x for x in range(width) if any(image.pixel(x, y) != base for y in rows)]

    (head_top, head_height, _), (region_top, region_height, _), \
        (mona_top, mona_height, _) = versions._laid[:3]
    head, region = ink(head_top, head_height), ink(region_top, region_height)
    assert head[0] <= 6 and head[-1] > width // 2                  # from the left, wrapped
    assert region[0] > width // 2 and region[-1] >= width - 8      # the Arabic on the right
    # mona's location drawn on its color (a third opaque over the white page)
    chip = QColor(location)
    tinted = [(x, y) for x in range(width)
              for y in range(int(mona_top) + 2, int(mona_top + mona_height) - 2)
              if abs(QColor(image.pixel(x, y)).green() - round(255 - 0.35 * (255 - chip.green())))
              <= 2 and QColor(image.pixel(x, y)).red() < 200]
    assert len(tinted) > 200

    # a new page from its top; the scroll bar drawn again only when its range changes (the
    # panel dragged shorter than a page)
    sizes = review.window.side.sizes()
    review.window.side.setSizes([150, sizes[0] + sizes[1] - 150, sizes[2]])
    QApplication.processEvents()
    bar = versions.verticalScrollBar()
    watch = EventLog(QEvent.Type.Paint, lambda _w, _e: 1, bar)
    paints = watch.seen
    kept = 0
    for _ in range(4):
        bar.setValue(bar.maximum())
        QApplication.processEvents()
        old_range = (bar.minimum(), bar.maximum())
        paints.clear()
        review.key(Qt.Key.Key_Tab)
        QApplication.processEvents()
        assert bar.value() == 0
        if (bar.minimum(), bar.maximum()) == old_range and old_range[1] == 0:
            kept += 1
            assert paints == []
    assert bar.maximum() > 0                         # the page is taller than the panel
    # a paragraph the last page had too is not laid out again (the keys' line, on every page)
    last = versions._laid[-1][2]
    review.key(Qt.Key.Key_Tab)
    assert versions._page[-1].text == keys and versions._laid[-1][2] is last
    versions.resize(versions.width() - 30, versions.height())   # narrower: wrapped anew
    assert versions._laid[-1][2] is not last


def test_at_1400x900_the_versions_page_of_three_annotators_and_gold_shows_whole(
        review: Review) -> None:
    """The first run's split of review's side gives the versions panel the page of the first
    disagreement whole: three annotators (mona's with her links on a second line), gold and the
    keys, no scroll."""
    versions = review.window.versions
    assert versions is not None
    review.qtbot.wait(10)
    lines = versions.toPlainText().splitlines()
    assert [line.split()[:2] for line in lines if line[:1] in "123—"] == [
        ["1", "mona"], ["2", "omar"], ["3", "sara"], ["—", "gold"]]
    assert lines[-1].startswith("Enter accepts") and len(lines) == 8
    assert versions.verticalScrollBar().maximum() == 0
    assert versions.viewport().height() >= 330


def test_the_windows_gold_state_is_the_stored_gold_sets(review: Review) -> None:
    from annotator.services.review import GoldState

    vm = review.vm
    for key in (Qt.Key.Key_Tab, Qt.Key.Key_Tab, Qt.Key.Key_Return, Qt.Key.Key_U, Qt.Key.Key_X):
        review.key(key)
    shown = vm.gold_state()
    stored = vm.review_service.gold.open_document(vm.document.id).set
    expected = GoldState.of(stored, vm.review_service.rejections(stored.id))
    assert dict(shown.ids) == dict(expected.ids) and len(shown.ids) == 3
    assert shown.relations == expected.relations == {
        ("said_by", (93, 119, "quote"), (46, 59, "actor"))}
    assert shown.rejected == expected.rejected == {(83, 88, "actor")}
    assert shown.set_id == expected.set_id == stored.id
    # nothing copied (a decision's cost does not grow with gold): the rejected keys are the
    # view-model's own, relations are looked up when asked, the spans near a range found
    # through the index
    assert shown.rejected is vm.rejected
    quote, actor = (93, 119, "quote"), (46, 59, "actor")
    assert ("said_by", quote, actor) in shown.relations
    assert ("said_by", actor, quote) not in shown.relations
    assert ("cue", quote, actor) not in shown.relations and "said_by" not in shown.relations
    assert shown.keys_overlapping(100, 119) == [quote]
    assert shown.keys_overlapping(40, 100) == [actor, quote]
    assert shown.keys_overlapping(119, 130) == []


def test_relations_are_announced_only_when_a_decision_changes_them(review: Review) -> None:
    vm = review.vm
    announced: list[None] = []
    vm.relations_changed.connect(lambda: announced.append(None))
    review.key(Qt.Key.Key_Tab)
    review.key(Qt.Key.Key_Tab)
    review.key(Qt.Key.Key_Return)          # the actor: no relation among gold spans yet
    assert announced == []
    review.key(Qt.Key.Key_U)               # the quote, with its said_by link to the actor
    assert len(announced) == 1 and len(vm.relations) == 1
    review.key(Qt.Key.Key_Z, CTRL)         # its undo takes the link away again
    assert len(announced) == 2 and vm.relations == {}


def test_the_gold_line_of_the_versions_page_says_the_relations_of_golds_spans_there(
        review: Review) -> None:
    """Gold's relations are looked up by their spans (the relation table's index): the page of
    a region says those of the gold spans there, and no other."""
    vm = review.vm
    review.key(Qt.Key.Key_U)                              # the quote and the cue into gold
    ids = vm.spans.ids
    quote, cue = ids[(*QUOTE, "quote")], ids[(*CUE, "cue")]
    vm.select_span(quote)
    vm.start_relation("cue")
    vm.complete_relation(cue)
    assert [r.head for r in vm.relations.touching(cue)] == [quote]
    line = "cue: «التعاون مع فرنسا ضروري جدا» → «قالَ»"
    while review.current() is not None and review.current()[:2] != FRANCE:
        review.key(Qt.Key.Key_Tab)
    assert review.current() == (*FRANCE, "location")      # in the quote's region
    assert vm.versions()[-1][3] == [line]
    assert line in review.window.versions.toPlainText().split("\n")
    vm.current = next(i for i, c in enumerate(vm.candidates) if c.key == (*MOSCOW[1], "actor"))
    assert vm.versions()[-1][3] == []                     # Moscow's region: neither span


def test_the_labels_each_decision_changes_repaint_alone_not_the_panels_beneath(
        review: Review) -> None:
    """The counts' label and the details' title and offsets change with every decision; they
    are opaque, so what lies beneath them (the bar, the details panel, the central widget, the
    window) is not painted again with them."""
    from PySide6.QtCore import QEvent

    from annotator.ui.review_panels import AgreementBar

    window = review.window
    bar = window.findChild(AgreementBar)
    details = window.details
    review.qtbot.wait(50)                                  # laid out, figures shown
    beneath = (bar, details, window, window.centralWidget())
    for label in (bar.counts, details.title, details.where):
        QApplication.processEvents()
        log = EventLog(QEvent.Type.Paint, lambda widget, _e: widget, label, *beneath)
        label.setText(label.text() + "8")
        QApplication.processEvents()
        assert log.seen == [label]


def test_the_saved_label_is_written_once_a_second(review: Review,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Every change says it is saved; the label shows the second: within one second it is not
    written again (a reviewer decides several times a second)."""
    import time

    window = review.window
    now = [time.mktime((2026, 11, 30, 21, 40, 7, 0, 0, -1))]
    monkeypatch.setattr(time, "time", lambda: now[0])
    written: list[str] = []
    set_text = window.saved_label.setText
    monkeypatch.setattr(window.saved_label, "setText",
                        lambda text: written.append(text) or set_text(text))
    window.vm.saved.emit()
    window.vm.saved.emit()
    now[0] += 0.5
    window.vm.saved.emit()
    assert written == ["Saved 21:40:07"]
    now[0] += 0.5
    window.vm.saved.emit()
    assert written == ["Saved 21:40:07", "Saved 21:40:08"]
    assert window.saved_label.text() == "Saved 21:40:08"
