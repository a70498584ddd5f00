"""What the benchmarks' bare ways share (Qt is imported by the callers, not here): redrawing
the paragraphs of a range, moving the view to a key as the app's follows its current one, and
the GUI thread's CPU time of one action with its paint."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def rehighlight(view: Any, highlighter: Any, start: int, end: int) -> None:
    """Highlight again the paragraphs of ``view`` that [start, end] touches."""
    block = view.document().findBlock(start)
    while block.isValid() and block.position() <= end:
        highlighter.rehighlightBlock(block)
        block = block.next()


def move_to(view: Any, highlighter: Any, old: tuple[int, int, str] | None,
            key: tuple[int, int, str]) -> None:
    """``key`` becomes the current one: the view follows it (the caret there, made visible)
    and the old and the new current ones are drawn again."""
    from PySide6.QtGui import QTextCursor

    cursor = QTextCursor(view.document())
    cursor.setPosition(key[0])
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    if old is not None:
        rehighlight(view, highlighter, old[0], old[1])
    rehighlight(view, highlighter, key[0], key[1])


def cpu_of(action: Callable[[], Any], view: Any, app: Any) -> float:
    """The GUI thread's CPU seconds of ``action``, the repaint of ``view`` and the events
    after it."""
    started = time.thread_time()
    action()
    view.viewport().repaint()
    app.processEvents()
    return time.thread_time() - started
