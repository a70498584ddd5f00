"""Review mode's widgets: the review queue, the agreement bar and the annotators' versions.

Thin widgets over :mod:`annotator.ui.viewmodels.review`.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QLabel, QTextBrowser, QVBoxLayout, QWidget

from annotator.core.schema import Schema
from annotator.services.review import ReviewStatus
from annotator.ui.panels import _Table
from annotator.ui.viewmodels.review import ReviewQueueViewModel, ReviewViewModel

REVIEW_STATUS_NAMES = {ReviewStatus.UNREVIEWED: "لم يراجع unreviewed",
                       ReviewStatus.IN_REVIEW: "قيد المراجعة in review",
                       ReviewStatus.REVIEWED: "روجع reviewed"}
AGREEMENT_NAMES = {"all": "الكل all (solid)", "majority": "الأغلبية majority (dashed)",
                   "minority": "الأقلية minority (dotted)"}
Index = QModelIndex | QPersistentModelIndex


def _score_color(value: float | None) -> QColor | None:
    """Red (0 or less) through yellow to green (1), as the agreement charts draw it."""
    if value is None:
        return None
    from annotator.core.agreement import score_rgb

    red, green, blue = score_rgb(value)
    return QColor(red, green, blue, 110)


class ReviewQueueModel(_Table):
    HEADERS = ("العنوان Title", "المعلقون Annotators", "الحالة Status", "اتفاق F1")
    HEADER_TIPS = ("", "", "review status", "mean span F1 (exact) over pairs of annotators")

    def __init__(self, vm: ReviewQueueViewModel) -> None:
        super().__init__()
        self.vm = vm
        self.rows = vm.visible()
        vm.changed.connect(self.reload)
        vm.item_changed.connect(self.item_changed)

    def reload(self) -> None:
        self.beginResetModel()
        self.rows = self.vm.visible()
        self.endResetModel()

    def item_changed(self, document_id: int) -> None:
        fresh = {item.document_id: item for item in self.vm.items}
        for row, item in enumerate(self.rows):
            if item.document_id == document_id:
                self.rows[row] = fresh[document_id]
                self.dataChanged.emit(self.index(row, 0), self.index(row, 3))
                return

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return len(self.HEADERS)

    def data(self, index: Index, role: int = 0) -> Any:
        item = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return item.title
            if column == 1:
                return "، ".join(name for name, _ in item.annotators)
            if column == 2:
                return REVIEW_STATUS_NAMES[item.status]
            return "-" if item.agreement is None else f"{item.agreement:.2f}"
        if role == Qt.ItemDataRole.BackgroundRole and column == 3:
            return _score_color(item.agreement)
        if role == Qt.ItemDataRole.ToolTipRole:
            people = ", ".join(f"{name} ({status})" for name, status in item.annotators)
            return f"{item.title}\n{item.external_id}: {item.length} characters\n{people}"
        if role == Qt.ItemDataRole.UserRole:
            return item.document_id
        return None


class AgreementBar(QLabel):
    """Above the article: the document's agreement figures, what is left to decide, and how
    candidates are drawn."""

    def __init__(self, vm: ReviewViewModel) -> None:
        super().__init__()
        self.vm = vm
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setContentsMargins(6, 2, 6, 2)
        vm.document_opened.connect(self.refresh)
        vm.candidates_changed.connect(lambda _ranges: self.refresh())

    def refresh(self) -> None:
        vm = self.vm
        if vm.document is None:
            self.setText("")
            return
        counts = vm.counts()
        parts = [f"<b>{len(vm.annotators)}</b> annotators: {html.escape(', '.join(vm.annotators))}"]
        figures = vm.figures
        if figures is not None:
            overall = figures["overall"]
            shown = [("F1", "span_f1_exact"), ("F1~", "span_f1_overlap"), ("κ char", "kappa_char"),
                     ("κ token", "kappa_token"), ("α", "alpha_nominal_char"),
                     ("αu", "alpha_unitizing")]
            parts.append(" · ".join(f"{name} {overall[key]:.2f}" for name, key in shown
                                    if overall.get(key) is not None))
        parts.append(f"open disagreements: <b>{counts['disagreements']}</b> · unanimous to "
                     f"accept: {counts['unanimous']} · decided: {counts['decided']}/"
                     f"{counts['candidates']}")
        parts.append("underline: " + ", ".join(AGREEMENT_NAMES.values()))
        self.setText(" &nbsp;|&nbsp; ".join(parts))


class VersionsPanel(QTextBrowser):
    """Each annotator's version of the region around the current candidate, side by side with
    gold; the number before a name is the key that takes that version."""

    def __init__(self, vm: ReviewViewModel, schema: Schema) -> None:
        super().__init__()
        self.vm = vm
        self.colors = {label.name: label.color for label in schema.labels}
        self.names = {label.name: f"{label.ar} {label.en}" for label in schema.labels}
        self.setOpenLinks(False)
        vm.current_changed.connect(lambda _i: self.refresh())
        vm.document_opened.connect(self.refresh)
        vm.spans_changed.connect(lambda _r: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        region = self.vm.region()
        candidate = self.vm.candidate(self.vm.current)
        if region is None or candidate is None:
            self.setHtml("<p>النسخ Versions: Tab goes to the next disagreement.</p>")
            return
        text = self.vm.text
        state = self.vm.states[self.vm.current or 0].value
        kinds = ", ".join(d.value for d in self.vm.review.disagreements(self.vm.current or 0)) \
            or "none"
        head = (f"<p><b>{html.escape(self.names.get(candidate.label, candidate.label))}</b> "
                f"«{html.escape(candidate.text[:80])}» — {candidate.agreement.value} "
                f"({len(candidate.annotators)}/{candidate.total}: "
                f"{html.escape(', '.join(candidate.annotators))}); {state}; "
                f"disagreement: {html.escape(kinds)}</p>"
                f"<p dir='rtl'>{html.escape(_clip(text[region.start:region.end]))}</p>")
        blocks = [head, "<table cellpadding='3' width='100%'>"]
        for number, name, spans, relations in self.vm.versions():
            key = f"{number}" if number else "—"
            cells = "".join(self._chip(s.label, s.text) for s in spans) or "<i>nothing</i>"
            rel = "".join(f"<br/><small>{html.escape(line)}</small>" for line in relations)
            blocks.append(f"<tr><td valign='top'><b>{key}</b></td><td valign='top'>"
                          f"<b>{html.escape(name)}</b></td><td>{cells}{rel}</td></tr>")
        blocks.append("</table><p><small>Enter accepts, x rejects, 1-9 take a version, "
                      "u accepts every unanimous candidate, Tab / Shift+Tab move.</small></p>")
        self.setHtml("".join(blocks))

    def _chip(self, label: str, text: str) -> str:
        color = QColor(self.colors.get(label, "#9e9e9e"))
        color.setAlpha(90)
        rgba = f"rgba({color.red()},{color.green()},{color.blue()},0.35)"
        return (f"<span style='background-color:{rgba}'>{html.escape(self.names.get(label, label))}"
                f": «{html.escape(_clip(text, 60))}»</span>&nbsp; ")


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class AgreementDialog(QDialog):
    """The project's agreement as pictures: annotator x annotator heat map and per-label bars."""

    def __init__(self, report: Any, parent: QWidget | None = None) -> None:
        from annotator.ui.charts import AgreementView

        super().__init__(parent)
        self.setWindowTitle("الاتفاق Agreement")
        self.view = AgreementView()
        self.view.set_report(report)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{report.documents} documents, annotators: "
                                f"{', '.join(report.annotators)}"))
        layout.addWidget(self.view, 1)
        self.resize(1100, 560)
