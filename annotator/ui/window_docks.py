"""The window's docked side panels: the queue on the reading side and the spans on the other,
mirrored when the language's direction changes, their sizes remembered per mode and direction,
and narrowed (in proportion) whenever the article would get less than half the window. A mixin
of :class:`~annotator.ui.main_window.MainWindow`, whose docks it places."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QDockWidget, QWidget

QUEUE_SHARE = 0.25   # of the window's width, when no size was remembered
SPANS_SHARE = 0.23
# review's side, when no size was remembered: the versions panel, the span list, the details (in
# proportion to the side's height): at 1400 x 900 a page of three annotators and gold shows whole
REVIEW_SIDE_SHARES = [46, 30, 24]
LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea


class WindowDocks:
    """Placing, mirroring, remembering and sizing the window's docks."""

    def _dock(self, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                         | QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        dock.visibilityChanged.connect(lambda _visible: self._later_keep_article_half())
        return dock

    def _right_to_left(self) -> bool:
        return self.layoutDirection() == Qt.LayoutDirection.RightToLeft

    def _place_docks(self) -> None:
        """The queue on the reading side, the spans on the other."""
        reading, other = (RIGHT, LEFT) if self._right_to_left() else (LEFT, RIGHT)
        self.addDockWidget(reading, self.queue_dock)
        self.addDockWidget(other, self.spans_dock)

    def _mirror_docks(self) -> None:
        """The language's direction changed: every docked panel moves to the other side,
        keeping its width."""
        widths = {dock: dock.width() for dock in self._docks}
        for dock in self._docks:
            area = self.dockWidgetArea(dock)
            if area in (LEFT, RIGHT) and not dock.isFloating():
                self.addDockWidget(RIGHT if area == LEFT else LEFT, dock)
        shown = [d for d in self._docks if d.isVisible() and not d.isFloating()]
        if shown:
            self.resizeDocks(shown, [widths[d] for d in shown], Qt.Orientation.Horizontal)
        self._later_keep_article_half()

    def layout_key(self) -> str:
        """Under which name the settings keep this window's layout: mode and direction."""
        return f"{self.mode}-{'rtl' if self._right_to_left() else 'ltr'}"

    def layout_state(self) -> tuple[str, str]:
        """The docks (QMainWindow.saveState) and the side splitter, as base64 text."""
        return (bytes(self.saveState().toBase64().data()).decode("ascii"),
                bytes(self.side.saveState().toBase64().data()).decode("ascii"))

    def restore_layout(self, window_state: str | None, splitter_state: str | None) -> bool:
        """Put the docks and the splitter back as :meth:`layout_state` gave them (before the
        window shows); returns whether the docks' state was usable."""
        restored = False
        if window_state:
            restored = self.restoreState(QByteArray.fromBase64(window_state.encode("ascii")))
        if splitter_state:
            self.side.restoreState(QByteArray.fromBase64(splitter_state.encode("ascii")))
        self._restored = restored
        return restored

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._docks_sized:
            self._docks_sized = True
            if not self._restored:
                width = self.width()
                self.resizeDocks(list(self._docks),
                                 [int(width * QUEUE_SHARE), int(width * SPANS_SHARE)],
                                 Qt.Orientation.Horizontal)
                if self.versions is not None:   # review: the versions panel, on top of the side
                    QTimer.singleShot(0, self, self._share_review_side)   # once laid out
            self._later_keep_article_half()

    def _share_review_side(self) -> None:
        """Review's side split by :data:`REVIEW_SIDE_SHARES` of its height (QSplitter takes
        sizes in pixels: shares summing to 100 did not scale)."""
        total = sum(self.side.sizes())
        self.side.setSizes([total * share // 100 for share in REVIEW_SIDE_SHARES])

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._later_keep_article_half()

    def _later_keep_article_half(self) -> None:
        QTimer.singleShot(0, self.keep_article_half)

    def keep_article_half(self) -> None:
        """Narrow the docked side panels (in proportion) until the article has at least half
        the window's width."""
        docked = [d for d in self._docks if d.isVisible() and not d.isFloating()
                  and self.dockWidgetArea(d) in (LEFT, RIGHT)]
        central = self.centralWidget().width()
        half = (self.width() + 1) // 2
        if not docked or central >= half:
            return
        widths = {d: d.width() for d in docked}
        floors = {d: d.minimumSizeHint().width() for d in docked}
        excess = half - central + 1
        # in proportion among the docks that can still give way: a dock at its minimum width
        # (the queue's, in the UI font) leaves the rest to the others
        while excess > 0:
            giving = [d for d in docked if widths[d] > floors[d]]
            if not giving:
                break
            total = sum(widths[d] for d in giving)
            for dock in giving:
                share = -(-excess * widths[dock] // total)   # rounded up
                given = min(share, widths[dock] - floors[dock])
                widths[dock] -= given
                excess -= given
                if excess <= 0:
                    break
        self.resizeDocks(docked, [widths[d] for d in docked], Qt.Orientation.Horizontal)
