"""Review mode's versions panel: each annotator's version of the region around the current
candidate, side by side with gold; the number before a name is the key that takes that version.

The page is a few paragraphs, laid out with one :class:`QTextLayout` each and drawn by the
panel itself. A QTextBrowser parsed the page as HTML, built a document and laid it out with
every decision and every move: 0.55 ms an action, as much as drawing the whole article; these
layouts take about half. The panel shows text only: no caret, no selection (its context menu
copies the page).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QGuiApplication,
    QPainter,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QAbstractScrollArea, QMenu

from annotator.core.schema import Schema
from annotator.ui.common import OpaqueScrollBar, translate
from annotator.ui.viewmodels.review import ReviewViewModel
from annotator.ui.viewmodels.words import name_of, short_text

# how a run of a paragraph is drawn: bold, italic, small, or a chip (a label's color behind)
BOLD, ITALIC, SMALL = "bold", "italic", "small"
MARGIN = 4          # pixels around the page
GAP = 6             # pixels between paragraphs
CHIP_ALPHA = 0.35   # a chip's label color, this opaque
LINE_BREAK = "\u2028"
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignAbsolute
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignAbsolute


_OPTIONS: dict[bool, QTextOption] = {}   # a paragraph's wrapping and direction, by right to left


def _text_options() -> dict[bool, QTextOption]:
    for rtl in (False, True):
        option = _OPTIONS[rtl] = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        option.setTextDirection(Qt.LayoutDirection.RightToLeft if rtl
                                else Qt.LayoutDirection.LeftToRight)
        option.setAlignment(_RIGHT if rtl else _LEFT)
    return _OPTIONS


class Paragraph(NamedTuple):
    """A paragraph of the page: its text and styled runs (start, length, style: BOLD, ITALIC,
    SMALL or a chip's color), in the interface's direction or always right to left. (A named
    tuple: its hash, taken to find its layout, is the tuple's.)"""

    text: str
    runs: tuple[tuple[int, int, str], ...] = ()
    right_to_left: bool = False


class _Writer:
    """A paragraph written run by run."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.runs: list[tuple[int, int, str]] = []
        self.size = 0

    def add(self, text: str, style: str | None = None) -> None:
        if style is not None and text:
            self.runs.append((self.size, len(text), style))
        self.parts.append(text)
        self.size += len(text)

    def paragraph(self, *, right_to_left: bool = False) -> Paragraph:
        return Paragraph("".join(self.parts), tuple(self.runs), right_to_left)


class VersionsPanel(QAbstractScrollArea):
    """The annotators' versions of the current candidate's region, and gold's.

    Made once per decision (a decision announces itself several times: the gold set changed,
    the current candidate moved; the page is made when the view-model says it has settled), and
    laid out only when it differs from the last, with the scroll bar always shown (shown and
    hidden again by every page, it resized and repainted the panel twice)."""

    def __init__(self, vm: ReviewViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.schema = schema
        self.colors = {label.name: label.color for label in schema.labels}
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # the review keys stay with the article
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # opaque: a new page's range repainted the dock and the splitter under it
        self.setVerticalScrollBar(OpaqueScrollBar(Qt.Orientation.Vertical, self))
        self._page: tuple[Paragraph, ...] = ()
        self._laid: list[tuple[float, float, QTextLayout]] = []   # (top, height, layout)
        # the last page's paragraphs laid out at this width, for the next page
        self._layouts: dict[Paragraph, tuple[float, QTextLayout]] = {}
        self._laid_width = 0
        self._formats: dict[str, QTextCharFormat] = {}
        self._words: dict[str, str] = {}
        self._pending = False
        vm.current_changed.connect(lambda _i: self.refresh_soon())
        vm.document_opened.connect(self.refresh_soon)
        vm.spans_changed.connect(lambda _r: self.refresh_soon())
        vm.set_shown.connect(self.refresh_soon)
        vm.settled.connect(self._refresh_pending)
        self.refresh()

    # -- when ---------------------------------------------------------------------------------

    def refresh_soon(self) -> None:
        """Refresh now, or at the end of the decision being made (once)."""
        if self.vm.updating:
            self._pending = True
        else:
            self.refresh()

    def _refresh_pending(self) -> None:
        if self._pending:
            self._pending = False
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        kind = event.type()
        if kind == QEvent.Type.LanguageChange:
            self._words = {}
            self.refresh()
        elif kind in (QEvent.Type.FontChange, QEvent.Type.LayoutDirectionChange):
            self._formats = {}
            self._layouts = {}
            self._lay_out(self._page)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            top = self.verticalScrollBar().value()
            self._lay_out(self._page)
            self.verticalScrollBar().setValue(top)
        else:
            self._set_range()

    # -- what ---------------------------------------------------------------------------------

    def _word(self, key: str) -> str:
        """A word of the panel in the interface language (translated once per language)."""
        if not self._words:
            self._words = {
                "hint": translate("VersionsPanel", "Versions: Tab goes to the next disagreement."),
                "open": translate("VersionsPanel", "open"),
                "accepted": translate("VersionsPanel", "accepted"),
                "rejected": translate("VersionsPanel", "rejected"),
                "superseded": translate("VersionsPanel", "superseded"),
                "all": translate("VersionsPanel", "all"),
                "majority": translate("VersionsPanel", "majority"),
                "minority": translate("VersionsPanel", "minority"),
                "missing": translate("VersionsPanel", "missing"),
                "other label": translate("VersionsPanel", "other label"),
                "other boundaries": translate("VersionsPanel", "other boundaries"),
                "other relation": translate("VersionsPanel", "other relation"),
                ", ": translate("VersionsPanel", ", "),
                "none": translate("VersionsPanel", "none"),
                "nothing": translate("VersionsPanel", "nothing"),
                "head": translate("VersionsPanel", "{label} «{text}» — {agreement} ({count}/"
                                  "{total}: {names}); {state}; disagreement: {kinds}"),
                "keys": translate("VersionsPanel", "Enter accepts, Shift+Enter accepts to "
                                  "fix, x rejects, 1-9 take a version, u accepts every "
                                  "unanimous candidate, Tab / Shift+Tab move."),
            }
        return self._words.get(key, key)

    def _name(self, label: str) -> str:
        return name_of(self.schema.label(label)) if self.schema.has_label(label) else label

    def refresh(self) -> None:
        self._show(self.page())

    def page(self) -> tuple[Paragraph, ...]:
        """The page for the current candidate (or how to get one)."""
        vm = self.vm
        region = vm.region()
        candidate = vm.candidate(vm.current)
        if region is None or candidate is None:
            return (Paragraph(self._word("hint")),)
        word = self._word
        state = vm.states[vm.current or 0]   # (StrEnums: the words' keys are their values)
        kinds = word(", ").join(word(d) for d in vm.review.disagreements(vm.current or 0))
        fields = {"text": candidate.text[:80], "agreement": word(candidate.agreement),
                  "count": len(candidate.annotators), "total": candidate.total,
                  "names": word(", ").join(candidate.annotators), "state": word(state),
                  "kinds": kinds or word("none")}
        before, _, after = word("head").partition("{label}")   # the label in bold, wherever
        head = _Writer()
        head.add(before.format(**fields))
        head.add(self._name(candidate.label), BOLD)
        head.add(after.format(**fields))
        paragraphs = [head.paragraph(),
                      Paragraph(short_text(vm.text[region.start:region.end], 300),
                                right_to_left=True)]
        for number, name, spans, relations in vm.versions():
            line = _Writer()
            line.add(f"{number if number else '—'}  {name}", BOLD)
            line.add("   ")
            if not spans:
                line.add(word("nothing"), ITALIC)
            for n, span in enumerate(spans):
                line.add("  " if n else "")
                line.add(f"{self._name(span.label)}: «{short_text(span.text, 60)}»",
                         self.colors.get(span.label, "#9e9e9e"))
            for relation in relations:
                line.add(LINE_BREAK)
                line.add(relation, SMALL)
            paragraphs.append(line.paragraph())
        keys = _Writer()
        keys.add(word("keys"), SMALL)
        paragraphs.append(keys.paragraph())
        return tuple(paragraphs)

    def toPlainText(self) -> str:  # noqa: N802  (as QTextEdit says it)
        """The page as text, a paragraph a line."""
        return "\n".join(p.text.replace(LINE_BREAK, "\n") for p in self._page)

    # -- how ----------------------------------------------------------------------------------

    def _show(self, page: tuple[Paragraph, ...]) -> None:
        """Lay the page out only when it changed (a decision announces itself twice: the gold
        set changed, the current candidate moved; each layout cost a millisecond)."""
        if page != self._page:
            self._page = page
            self._lay_out(page)
            self.verticalScrollBar().setValue(0)   # a new page from its top
            self.setAccessibleDescription(self.toPlainText())

    def _format(self, style: str) -> QTextCharFormat:
        found = self._formats.get(style)
        if found is None:
            found = self._formats[style] = QTextCharFormat()
            if style == BOLD:
                found.setFontWeight(QFont.Weight.Bold)
            elif style == ITALIC:
                found.setFontItalic(True)
            elif style == SMALL:
                found.setFontPointSize(self.font().pointSizeF() * 0.85)
            else:
                color = QColor(style)
                color.setAlphaF(CHIP_ALPHA)
                found.setBackground(color)
        return found

    def _lay_out(self, page: tuple[Paragraph, ...]) -> None:
        """Each paragraph wrapped to the panel's width, its glyphs kept for its paints. A
        paragraph laid out for an earlier page at this width is taken again (the keys' line on
        every page, a version or gold that stays the same from one candidate to the next):
        shaping the text is most of a layout's cost."""
        width = max(1, self.viewport().width() - 2 * MARGIN)
        if width != self._laid_width:
            self._layouts.clear()
            self._laid_width = width
        kept, self._layouts = self._layouts, {}
        laid: list[tuple[float, float, QTextLayout]] = []
        top = float(MARGIN)
        for paragraph in page:
            found = kept.get(paragraph) or self._layouts.get(paragraph)
            if found is None:
                found = self._paragraph_layout(paragraph, width)
            self._layouts[paragraph] = found
            laid.append((top, *found))
            top += found[0] + GAP
        self._laid = laid
        self._set_range()
        self.viewport().update()

    def _paragraph_layout(self, paragraph: Paragraph, width: int) -> tuple[float, QTextLayout]:
        layout = QTextLayout(paragraph.text, self.font())
        rtl = paragraph.right_to_left or self.layoutDirection() == Qt.LayoutDirection.RightToLeft
        layout.setTextOption(_OPTIONS[rtl] if _OPTIONS else _text_options()[rtl])
        layout.setCacheEnabled(True)
        if paragraph.runs:
            ranges = []
            for start, length, style in paragraph.runs:
                run = QTextLayout.FormatRange()
                run.start, run.length, run.format = start, length, self._format(style)
                ranges.append(run)
            layout.setFormats(ranges)
        height = 0.0
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, height))
            height += line.height()
        layout.endLayout()
        return height, layout

    def _set_range(self) -> None:
        total = self._laid[-1][0] + self._laid[-1][1] + MARGIN if self._laid else 0
        bar = self.verticalScrollBar()
        shown = self.viewport().height()
        bar.setRange(0, max(0, int(total + 0.999) - shown))
        bar.setPageStep(shown)
        bar.setSingleStep(max(1, self.fontMetrics().lineSpacing()))

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802
        self.viewport().update()

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        painter = QPainter(self.viewport())
        offset = self.verticalScrollBar().value()
        area = QRectF(event.rect())
        for top, height, layout in self._laid:
            y = top - offset
            if y > area.bottom():
                break
            if y + height >= area.top():
                layout.draw(painter, QPointF(MARGIN, y))
        painter.end()

    def contextMenuEvent(self, event: Any) -> None:  # noqa: N802
        menu = QMenu(self)
        copy = QAction(translate("VersionsPanel", "Copy the page"), menu)
        copy.triggered.connect(lambda: QGuiApplication.clipboard().setText(self.toPlainText()))
        menu.addAction(copy)
        menu.exec(event.globalPos())
