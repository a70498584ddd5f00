"""The window's background: work run on a Python thread, its result handed back on the GUI
thread through a queued Qt signal (the view-models' :class:`Background` protocol).

The work must touch neither the store's session nor Qt nor state the GUI thread changes: a
document's suggestions are computed from copies made before (SuggestionService.prepare). It
shares the interpreter with the GUI thread (the GIL): the window stays responsive, each event
waiting at most Python's switch interval, instead of freezing while a book's suggestions are
computed. A result that arrives after the window is gone is dropped.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal


class ThreadBackground(QObject):
    finished = Signal(object)   # (key, result, error), queued to the thread this object lives in

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._keys = itertools.count()
        self._waiting: dict[int, tuple[Callable[[Any], None],
                                       Callable[[BaseException], None]]] = {}
        self._threads: list[threading.Thread] = []
        self._restore: float | None = None   # the switch interval to put back
        self.finished.connect(self._deliver)

    def run(self, work: Callable[[], Any], done: Callable[[Any], None], *,
            failed: Callable[[BaseException], None]) -> None:
        key = next(self._keys)
        self._waiting[key] = (done, failed)

        def body() -> None:
            try:
                outcome: tuple[Any, BaseException | None] = (work(), None)
            except BaseException as error:  # noqa: BLE001 - handed to the GUI thread
                outcome = (None, error)
            with contextlib.suppress(RuntimeError):   # the window (and this object) is gone:
                self.finished.emit((key, *outcome))  # nobody waits for the outcome

        thread = threading.Thread(target=body, name="annotator-background", daemon=True)
        self._threads = [t for t in self._threads if t.ident is None or t.is_alive()] + [thread]
        # started on the next turn of the event loop: what the GUI thread is doing now (a
        # document opening, shown, painted) does not share the interpreter with it
        QTimer.singleShot(0, lambda: self._start(thread))

    #: Python's switch interval while work runs here (s): the GUI thread waits for the
    #: interpreter at each call from Qt into Python (a paint of the span list makes hundreds),
    #: and with the default 5 ms a paint took a second while a book's suggestions computed
    SWITCH_INTERVAL = 0.0002

    def _start(self, thread: threading.Thread) -> None:
        if thread.ident is None:
            if self._restore is None:
                self._restore = sys.getswitchinterval()
                sys.setswitchinterval(min(self._restore, self.SWITCH_INTERVAL))
            thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for the work handed over so far (tests); its results are handed back by the
        next turn of the event loop."""
        for thread in list(self._threads):
            self._start(thread)
            thread.join(timeout)

    def _deliver(self, outcome: tuple[int, Any, BaseException | None]) -> None:
        key, result, error = outcome
        done, failed = self._waiting.pop(key)
        if not self._waiting and self._restore is not None:   # nothing runs here any more
            sys.setswitchinterval(self._restore)
            self._restore = None
        if error is None:
            done(result)
        else:
            failed(error)
