"""Span highlighting: a QSyntaxHighlighter that bisects the sorted span list for each block.

Measured on this machine (DESIGN section 5) as the fastest way to show 10,000+ spans: formats are
drawn, never merged into the document (which would also pollute its undo stack). Offsets arrive as
code points and become UTF-16 here, at the Qt boundary, with the document's Utf16Map.

Suggestions are drawn under the annotator's own spans and never filled: their words in the
label's color (darkened) with a dotted underline of that color; the current suggestion gets a
wavy underline on a light neutral ground, and the suggestions linked to it by a suggested
relation a dashed one. Where an own span is drawn, it keeps its fill and underline (a suggestion
there only adds its underline when the span has none).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextBlock, QTextCharFormat, QTextDocument

from annotator.core.model import Span
from annotator.core.schema import Schema
from annotator.core.text import Utf16Map
from annotator.ui.viewmodels.annotation import AnnotationViewModel

FILL_ALPHA = 80
SELECTED_ALPHA = 190
_MISSING = object()


def _mark_key(offset: int, marks: list[tuple[int, int, str, str, bool]]) -> object:
    """What decides a candidate's look at ``offset`` (see SpanHighlighter._marked)."""
    here = [m for m in marks if m[0] <= offset < m[1]]
    if not here:
        return None
    _, _, label, agreement, _ = min(here, key=lambda m: (m[1] - m[0], m[0], m[2]))
    return label, agreement, any(m[4] for m in here)


def _offer_key(offset: int, offers: list[tuple[int, int, str, str]]) -> object:
    """What decides a suggestion's look at ``offset`` (see SpanHighlighter._suggested)."""
    here = [o for o in offers if o[0] <= offset < o[1]]
    if not here:
        return None
    _, _, label, role = min(here, key=lambda o: (o[3] != "current", o[3] != "related",
                                                 o[1] - o[0], o[0], o[2]))
    return label, role


HIT_COLOR = QColor("#fff176")
CURRENT_HIT_COLOR = QColor("#ff9800")
CURRENT_CANDIDATE_COLOR = QColor(0, 151, 167, 70)   # review: the candidate under decision
CURRENT_SUGGESTION_GROUND = QColor(96, 125, 139, 45)   # the suggestion Enter would accept
SUGGESTION_TEXT_DARKER = 150
#: Suggestions: the underline by role (offered, linked to the current one, current).
SUGGESTION_STYLES = {"": QTextCharFormat.UnderlineStyle.DotLine,
                     "related": QTextCharFormat.UnderlineStyle.DashUnderline,
                     "current": QTextCharFormat.UnderlineStyle.WaveUnderline}
#: Review: how an open candidate is underlined, by how many annotators have it.
AGREEMENT_STYLES = {"all": QTextCharFormat.UnderlineStyle.SingleUnderline,
                    "majority": QTextCharFormat.UnderlineStyle.DashUnderline,
                    "minority": QTextCharFormat.UnderlineStyle.DotLine}


class SpanHighlighter(QSyntaxHighlighter):
    def __init__(self, document: QTextDocument, vm: AnnotationViewModel, schema: Schema) -> None:
        super().__init__(document)
        self.vm = vm
        self.umap = Utf16Map("")
        self._colors = {label.name: QColor(label.color) for label in schema.labels}
        self._formats: dict[object, QTextCharFormat | None] = {}
        self._marking = hasattr(vm, "marks")   # review: the candidates are drawn too

    def set_text_map(self, umap: Utf16Map) -> None:
        self.umap = umap

    def highlightBlock(self, text: str) -> None:  # noqa: N802 (Qt's name)
        block = self.currentBlock()
        # the paragraph keeps its shaped glyphs: Qt frees them once a paragraph is laid out
        # and shapes the text again at every paint, a third of an article's repaint on Arabic
        # in a Naskh font (1.0 ms against 0.33 for an unchanged view of the book), paid by
        # every span added, every scroll and every selection dragged; the book's glyphs, all
        # laid out, take about 22 MB
        block.layout().setCacheEnabled(True)
        self.draw_block(block, text)

    def draw_block(self, block: QTextBlock, text: str) -> None:
        """The formats of paragraph ``block`` (its ``text``)."""
        pos16 = block.position()
        start = self.umap.to_codepoint(pos16)
        end = start + len(text)
        vm = self.vm
        spans = vm.spans.overlapping(start, end)
        hits = vm.hits_between(start, end) if vm.hits else []
        marks = vm.marks(start, end) if self._marking else []
        offers = vm.suggestion_marks(start, end) if vm.offers.proposals.spans else []
        if not spans and not hits and not marks and not offers:
            return
        if not marks and not offers and self._draw_apart(spans, hits, start, end, pos16):
            return
        depth = self.vm.spans.layers(spans)
        cuts = {start, end}
        for span in spans:
            cuts.update((max(span.start, start), min(span.end, end)))
        for h_start, h_end, _ in hits:
            cuts.update((max(h_start, start), min(h_end, end)))
        for m_start, m_end, *_ in marks:
            cuts.update((max(m_start, start), min(m_end, end)))
        for o_start, o_end, *_ in offers:
            cuts.update((max(o_start, start), min(o_end, end)))
        points = sorted(cuts)
        selected = self.vm.selected
        pending = self.vm.pending_relation
        for a, b in zip(points, points[1:]):
            if a >= b:
                continue
            # the same look comes back thousands of times in a book: build each format once
            key = (tuple((s.label, min(depth.get(s.id or 0, 0), 2), s.id == selected)
                         for s in spans if s.start <= a < s.end),
                   next((current for h_start, h_end, current in hits if h_start <= a < h_end),
                        None),
                   _mark_key(a, marks) if marks else None,
                   _offer_key(a, offers) if offers else None, pending)
            fmt = self._formats.get(key, _MISSING)
            if fmt is _MISSING:
                fmt = self._format_at(a, spans, depth, hits)
                fmt = self._suggested(a, offers, fmt) if offers else fmt
                fmt = self._marked(a, marks, fmt) if marks else fmt
                if len(self._formats) > 4096:
                    self._formats.clear()
                self._formats[key] = fmt
            if fmt is None:
                continue
            a16 = self.umap.to_utf16(a) - pos16
            b16 = self.umap.to_utf16(b) - pos16
            self.setFormat(a16, b16 - a16, fmt)

    def _draw_apart(self, spans: list[Span], hits: list[tuple[int, int, bool]], start: int,
                    end: int, pos16: int) -> bool:
        """The usual paragraph: spans and search hits that do not touch one another (no
        nesting, no suggestion, no review mark; a hit on exactly one span's characters goes with
        it). Each is one run in its own format, the same the general way gives it, without
        cutting the paragraph at every boundary. False (nothing drawn) when two overlap."""
        if not hits:
            return self._draw_spans_apart(spans, start, end, pos16)
        runs: list[tuple[int, int, Span | None, bool | None]] = \
            [(s.start, s.end, s, None) for s in spans]
        # a hit on exactly a span's characters (label all hits) is one run with the span
        alone = {(s.start, s.end): i for i, s in enumerate(spans)}
        for h_start, h_end, current in hits:
            i = alone.get((h_start, h_end))
            if i is not None and runs[i][3] is None:
                runs[i] = (h_start, h_end, runs[i][2], current)
            else:
                runs.append((h_start, h_end, None, current))
        runs.sort(key=lambda r: (r[0], -r[1]))
        previous_end = -1
        for run_start, run_end, _, _ in runs:   # in text order
            if run_start < previous_end:
                return False
            previous_end = run_end
        selected = self.vm.selected
        pending = self.vm.pending_relation
        # a paragraph without emoji: its UTF-16 offsets are its code points shifted (no bisect)
        plain = self.umap.plain(start, end)
        formats = self._formats
        for run_start, run_end, span, current in runs:
            a = max(run_start, start)
            key = ((((span.label, 0, span.id == selected),) if span is not None else ()),
                   current, None, None, pending)
            fmt = formats.get(key, _MISSING)
            if fmt is _MISSING:
                fmt = self._format_at(a, [span] if span is not None else [], {},
                                      [(run_start, run_end, current)] if current is not None
                                      else [])
                if len(formats) > 4096:
                    formats.clear()
                formats[key] = fmt
            if fmt is None:
                continue
            b = min(run_end, end)
            if plain:
                self.setFormat(a - start, b - a, fmt)
            else:
                self._set_utf16(a, b, pos16, fmt)
        return True

    def _draw_spans_apart(self, spans: list[Span], start: int, end: int, pos16: int) -> bool:
        """:meth:`_draw_apart` without search hits (as a paragraph is drawn at opening, and
        after most actions), in one pass and without a run per span."""
        previous_end = -1
        for span in spans:   # in text order
            if span.start < previous_end:
                return False
            previous_end = span.end
        selected = self.vm.selected
        pending = self.vm.pending_relation
        plain = self.umap.plain(start, end)
        formats = self._formats
        for span in spans:
            key = (((span.label, 0, span.id == selected),), None, None, None, pending)
            fmt = formats.get(key, _MISSING)
            a = span.start if span.start > start else start   # noqa: FURB136 (a call per span)
            if fmt is _MISSING:
                fmt = self._format_at(a, [span], {}, [])
                if len(formats) > 4096:
                    formats.clear()
                formats[key] = fmt
            if fmt is None:
                continue
            b = span.end if span.end < end else end   # noqa: FURB136
            if plain:
                self.setFormat(a - start, b - a, fmt)
            else:
                self._set_utf16(a, b, pos16, fmt)
        return True

    def _set_utf16(self, a: int, b: int, pos16: int, fmt: QTextCharFormat) -> None:
        """Format code points [a, b) of a paragraph with emoji (at UTF-16 ``pos16``)."""
        a16 = self.umap.to_utf16(a) - pos16
        self.setFormat(a16, self.umap.to_utf16(b) - pos16 - a16, fmt)

    def _suggested(self, offset: int, offers: list[tuple[int, int, str, str]],
                   fmt: QTextCharFormat | None) -> QTextCharFormat | None:
        """Suggestions under the annotator's own spans (see the module docstring); the current
        one first, else the shortest here."""
        here = [o for o in offers if o[0] <= offset < o[1]]
        if not here:
            return fmt
        _, _, label, role = min(here, key=lambda o: (o[3] != "current", o[3] != "related",
                                                     o[1] - o[0], o[0], o[2]))
        color = QColor(self._colors.get(label, QColor("#616161")))
        own = fmt is not None
        fmt = QTextCharFormat(fmt) if fmt is not None else QTextCharFormat()
        if own and fmt.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline:
            return fmt   # an own nested span's underline stays
        fmt.setUnderlineStyle(SUGGESTION_STYLES.get(role, SUGGESTION_STYLES[""]))
        fmt.setUnderlineColor(color)
        if not own:
            fmt.setForeground(color.darker(SUGGESTION_TEXT_DARKER))
            if role == "current":
                fmt.setBackground(CURRENT_SUGGESTION_GROUND)
        return fmt

    def _marked(self, offset: int, marks: list[tuple[int, int, str, str, bool]],
                fmt: QTextCharFormat | None) -> QTextCharFormat | None:
        """Review: open candidates underlined in their label's color, the line's style saying
        how many annotators have it (all: solid, majority: dashed, minority: dotted); the
        candidate under decision on a tinted ground. The shortest candidate here wins."""
        here = [m for m in marks if m[0] <= offset < m[1]]
        if not here:
            return fmt
        fmt = QTextCharFormat(fmt) if fmt is not None else QTextCharFormat()
        start, end, label, agreement, _ = min(here, key=lambda m: (m[1] - m[0], m[0], m[2]))
        fmt.setUnderlineStyle(AGREEMENT_STYLES.get(agreement,
                                                   QTextCharFormat.UnderlineStyle.DotLine))
        fmt.setUnderlineColor(QColor(self._colors.get(label, QColor("#616161"))))
        if any(m[4] for m in here):
            filled = fmt.background().style() != Qt.BrushStyle.NoBrush
            fmt.setBackground(fmt.background().color().darker(125) if filled
                              else CURRENT_CANDIDATE_COLOR)
        return fmt

    def _format_at(self, offset: int, spans: list[Span], depth: dict[int, int],
                   hits: list[tuple[int, int, bool]]) -> QTextCharFormat | None:
        covering = [s for s in spans if s.start <= offset < s.end]
        hit = next((current for h_start, h_end, current in hits if h_start <= offset < h_end), None)
        if not covering and hit is None:
            return None
        fmt = QTextCharFormat()
        pending_tail = None
        if self.vm.pending_relation is not None:
            pending_tail = self.vm.schema.relation(self.vm.pending_relation).tail
        for span in covering:
            color = QColor(self._colors.get(span.label, QColor("#9e9e9e")))
            selected = span.id == self.vm.selected
            if depth.get(span.id or 0, 0) == 0:
                color.setAlpha(SELECTED_ALPHA if selected else FILL_ALPHA)
                fmt.setBackground(color)
            else:
                style = QTextCharFormat.UnderlineStyle.WaveUnderline if depth[span.id or 0] > 1 \
                    else QTextCharFormat.UnderlineStyle.SingleUnderline
                fmt.setUnderlineStyle(style)
                fmt.setUnderlineColor(color)
                if selected:
                    color.setAlpha(SELECTED_ALPHA)
                    fmt.setBackground(color)
            if pending_tail is not None and span.label == pending_tail:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
                fmt.setUnderlineColor(QColor(self._colors.get(span.label, QColor("#000000"))))
        if hit is not None:
            fmt.setBackground(CURRENT_HIT_COLOR if hit else HIT_COLOR)
        return fmt
