"""The import progress bar: drawn on a terminal, at most ten times a second, finished with a newline."""

from __future__ import annotations

import io

from annotator.cli_import import ProgressBar


def test_the_bar_redraws_at_most_ten_times_a_second_and_always_at_the_end() -> None:
    stream = io.StringIO()
    now = [0.0]
    bar = ProgressBar(stream, width=10, clock=lambda: now[0])
    bar(1, 4)
    now[0] = 0.05
    bar(2, 4)  # too soon: not drawn
    now[0] = 0.2
    bar(3, 4)
    now[0] = 0.21
    bar(4, 4)  # the last one is always drawn
    bar.finish()
    assert stream.getvalue() == ("\r[##--------] 1/4 files\r[#######---] 3/4 files"
                                 "\r[##########] 4/4 files\n")


def test_finish_without_drawing_prints_nothing() -> None:
    stream = io.StringIO()
    ProgressBar(stream).finish()
    assert stream.getvalue() == ""
