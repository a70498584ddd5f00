"""Work a view-model hands off the GUI thread: the protocol (no Qt here). The window's
implementation runs it on a thread and calls back on the GUI thread
(:class:`annotator.ui.background.ThreadBackground`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Background(Protocol):
    def run(self, work: Callable[[], Any], done: Callable[[Any], None], *,
            failed: Callable[[BaseException], None]) -> None:
        """Call ``work()`` elsewhere, then ``done(result)`` (or ``failed(error)``) on the
        caller's thread, later."""
