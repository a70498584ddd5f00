"""An event filter for the UI tests that keeps what it saw of one kind of event."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject


class EventLog(QObject):
    """Installed on each of ``widgets``: for every event of ``kind`` they receive, appends
    ``note(widget, event)`` to ``seen`` (a list of the test's, or its own). Keep the log
    referenced while it listens."""

    def __init__(self, kind: QEvent.Type, note: Callable[[QObject, QEvent], Any],
                 *widgets: QObject, seen: list[Any] | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.note = note
        self.seen: list[Any] = [] if seen is None else seen
        for widget in widgets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == self.kind:
            self.seen.append(self.note(watched, event))
        return False
