"""Review mode's widgets: the review queue, the agreement bar and the agreement dialog (the
annotators' versions are in versions_panel.py).

Thin widgets over :mod:`annotator.ui.viewmodels.review`; their words follow the interface
language.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QTextBlock, QTextCharFormat
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from annotator.services.review import ReviewStatus
from annotator.ui.common import Index, dot, status_names, translate
from annotator.ui.highlighter import SpanHighlighter
from annotator.ui.queue_panel import DocumentListModel
from annotator.ui.viewmodels.review import ReviewQueueViewModel, ReviewViewModel

REVIEW_STATUS_COLORS = {ReviewStatus.UNREVIEWED: "#b0b0b0", ReviewStatus.IN_REVIEW: "#f9a825",
                        ReviewStatus.REVIEWED: "#2e7d32"}


def review_status_names() -> dict[ReviewStatus, str]:
    return {ReviewStatus.UNREVIEWED: translate("ReviewStatus", "Unreviewed"),
            ReviewStatus.IN_REVIEW: translate("ReviewStatus", "In review"),
            ReviewStatus.REVIEWED: translate("ReviewStatus", "Reviewed")}


def agreement_names() -> dict[str, str]:
    """How candidates are underlined, by how many annotators marked them."""
    return {"all": translate("AgreementBar", "all (solid)"),
            "majority": translate("AgreementBar", "majority (dashed)"),
            "minority": translate("AgreementBar", "minority (dotted)")}


def _score_color(value: float | None) -> QColor | None:
    """Red (0 or less) through yellow to green (1), as the agreement charts draw it."""
    if value is None:
        return None
    from annotator.core.agreement import score_rgb

    red, green, blue = score_rgb(value)
    return QColor(red, green, blue, 110)


class ReviewQueueModel(DocumentListModel):
    """The documents to review: title (with the review status dot) and the agreement."""

    def __init__(self, vm: ReviewQueueViewModel) -> None:
        super().__init__(vm)

    def headers(self) -> tuple[str, ...]:
        return (translate("ReviewQueueModel", "Title"), "F1")

    def header_tips(self) -> tuple[str, ...]:
        return ("", translate("ReviewQueueModel",
                              "Mean span F1 (exact) over pairs of annotators"))

    def data(self, index: Index, role: int = 0) -> Any:
        item = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return item.title
            return "-" if item.agreement is None else f"{item.agreement:.2f}"
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return dot(REVIEW_STATUS_COLORS[item.status])
        if role == Qt.ItemDataRole.BackgroundRole and column == 1:
            return _score_color(item.agreement)
        if role == Qt.ItemDataRole.ToolTipRole:
            statuses = status_names()
            people = translate("ReviewQueueModel", ", ").join(
                f"{name} ({statuses[status]})" for name, status in item.annotators)
            return translate("ReviewQueueModel", "{title}\n{status} · {id} · characters: "
                             "{length}\nAnnotators: {people}").format(
                title=item.title, status=review_status_names()[item.status],
                id=item.external_id, length=item.length, people=people)
        if role == Qt.ItemDataRole.UserRole:
            return item.document_id
        return None


def _mark_order(mark: tuple[int, int, str, str, bool]) -> tuple[int, int, str]:
    return (mark[1] - mark[0], mark[0], mark[2])


class ReviewHighlighter(SpanHighlighter):
    """The article's highlighter in review mode: a paragraph with only open candidates on it
    (no gold span, search hit or suggestion, not the current candidate, no emoji) is drawn one
    run per candidate, the longest first, so that where candidates overlap the shortest one's
    line is what shows, as the general way (SpanHighlighter) decides it cut by cut; a book has
    thousands of such paragraphs. Any other paragraph is drawn the general way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._alone: dict[tuple[str, str], QTextCharFormat] = {}

    def draw_block(self, block: QTextBlock, text: str) -> None:
        vm = self.vm
        if not isinstance(vm, ReviewViewModel) or not self._marks_alone(vm, block, text):
            super().draw_block(block, text)

    def _marks_alone(self, vm: ReviewViewModel, block: QTextBlock, text: str) -> bool:
        start = self.umap.to_codepoint(block.position())
        end = start + len(text)
        marks = vm.marks(start, end)
        if not marks or any(m[4] for m in marks) or not self.umap.plain(start, end) \
                or vm.spans.overlapping(start, end) or vm.hits_between(start, end) \
                or (vm.offers.spans and vm.suggestion_marks(start, end)):
            return False
        formats = self._alone
        for mark in sorted(marks, key=_mark_order, reverse=True):
            m_start, m_end, label, agreement, _ = mark
            fmt = formats.get((label, agreement))
            if fmt is None:
                fmt = formats[(label, agreement)] = self._marked(m_start, [mark], None)
            a = max(m_start, start)
            self.setFormat(a - start, min(m_end, end) - a, fmt)
        return True


class AgreementBar(QWidget):
    """Above the article: the document's agreement figures, what is left to decide, and how
    candidates are drawn.

    What is left to decide changes with every decision: it has a label of its own whose size is
    fixed for the document (the longest its figures can get), so that a new count is a repaint
    of that label only; a label that may change size has the window laid out again (twice: the
    bar's paragraph wraps), a millisecond per decision."""

    def __init__(self, vm: ReviewViewModel) -> None:
        super().__init__()
        self.vm = vm
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.counts = QLabel()
        self.counts.setTextFormat(Qt.TextFormat.PlainText)   # rich text repainted twice
        # opaque: a new count repaints the label alone, not the bar, the central widget and the
        # window beneath it too
        self.counts.setAutoFillBackground(True)
        self._counts_size: tuple[object, ...] = ()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(0)
        layout.addWidget(self.counts, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.label)
        vm.document_opened.connect(self.refresh)
        vm.candidates_changed.connect(lambda _ranges: self.refresh_counts())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.LanguageChange, QEvent.Type.FontChange):
            self.refresh()

    def refresh_counts(self) -> None:
        """What is left to decide (after a decision or a move: nothing else changed)."""
        if self.vm.document is not None:
            self.counts.setText(self._counts_text(self.vm.counts()))

    def text(self) -> str:
        """Everything the bar says."""
        return " &nbsp;|&nbsp; ".join(t for t in (self.counts.text(), self.label.text()) if t)

    def refresh(self) -> None:
        vm = self.vm
        if vm.document is None:
            self.label.setText("")
            self.counts.setText("")
            return
        names = html.escape(translate("AgreementBar", ", ").join(vm.annotators))
        parts = [translate("AgreementBar", "Annotators ({count}): {names}").format(
            count=f"<b>{len(vm.annotators)}</b>", names=names)]
        figures = vm.figures
        if figures is not None:
            overall = figures["overall"]
            shown = [("F1", "span_f1_exact"), ("F1~", "span_f1_overlap"), ("κ char", "kappa_char"),
                     ("κ token", "kappa_token"), ("α", "alpha_nominal_char"),
                     ("αu", "alpha_unitizing")]
            names_of = {"κ char": translate("AgreementBar", "κ char"),
                        "κ token": translate("AgreementBar", "κ token")}
            parts.append(" · ".join(f"{names_of.get(name, name)} {overall[key]:.2f}"
                                    for name, key in shown if overall.get(key) is not None))
        parts.append(translate("AgreementBar", "Underline: {styles}").format(
            styles=translate("AgreementBar", ", ").join(agreement_names().values())))
        self.label.setText(" &nbsp;|&nbsp; ".join(parts))
        counts = vm.counts()
        self._fix_counts_size(counts["candidates"])
        self.counts.setText(self._counts_text(counts))

    @staticmethod
    def _counts_text(counts: dict[str, Any]) -> str:
        return translate("AgreementBar", "Open disagreements: {open} · unanimous to accept: "
                         "{unanimous} · decided: {decided}/{candidates}").format(
            open=counts["disagreements"], unanimous=counts["unanimous"],
            decided=counts["decided"], candidates=counts["candidates"])

    def _fix_counts_size(self, total: int) -> None:
        """The counts' label as large as its text can get for ``total`` candidates (every count
        with as many digits as the total), fixed: a new count does not lay the window out."""
        widest = int("8" * len(str(total)))
        text = self._counts_text({"disagreements": widest, "unanimous": widest,
                                  "decided": widest, "candidates": total})
        key = (text, self.counts.font().key())
        if key != self._counts_size:
            self._counts_size = key
            self.counts.setText(text)
            self.counts.setFixedSize(self.counts.sizeHint())


class AgreementDialog(QDialog):
    """The project's agreement as pictures: annotator x annotator heat map and per-label bars."""

    def __init__(self, report: Any, parent: QWidget | None = None) -> None:
        from annotator.ui.charts import AgreementView

        super().__init__(parent)
        self.setWindowTitle(translate("AgreementDialog", "Agreement"))
        self.view = AgreementView()
        self.view.set_report(report)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(translate("AgreementDialog", "Documents: {count}; annotators: "
                                          "{names}").format(
            count=report.documents,
            names=translate("AgreementDialog", ", ").join(report.annotators))))
        layout.addWidget(self.view, 1)
        self.resize(1100, 560)
