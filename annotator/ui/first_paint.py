"""Work that waits for a widget's first paint (the window shows first, then does the rest)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class AfterFirstPaint(QObject):
    """Runs ``then`` once, after ``widget`` has painted for the first time: on the next turn
    of the event loop, or ``delay_ms`` later. A timer started as the window was built fired
    before the first paint when building and showing took longer than the timer."""

    def __init__(self, widget: QWidget, then: Callable[[], None], *, delay_ms: int = 0) -> None:
        super().__init__(widget)
        self._then: Callable[[], None] | None = then
        self._delay_ms = delay_ms
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint and self._then is not None:
            then, self._then = self._then, None
            watched.removeEventFilter(self)
            QTimer.singleShot(self._delay_ms, self, then)   # after this paint
        return False
