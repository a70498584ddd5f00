"""Python's cycle collector paused around work that makes many objects at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """The cycle collector off while the block runs (switched back on after, if it was on).

    Work that builds tens of thousands of objects that stay alive (a batch of import records,
    the 20,000 spans of an opened book) triggers full collections that walk them with the rest
    of the program: 2 to 2.5 s of a 7 s import of 10,000 documents, a quarter of opening the
    book's window. Reference counting still frees what the block throws away; the few objects
    in cycles are collected when the collector is back."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
