"""Regression guard: PySide6 6.12.0 on Python 3.11 takes a reference from None on every call of a
method that returns nothing, and the process aborts after a few thousand (DESIGN section 5)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QWidget


def test_calls_returning_none_keep_the_reference_count_of_none(qapp: QApplication) -> None:
    widget = QWidget()
    widget.resize(50, 50)
    before = sys.getrefcount(None)
    for _ in range(1000):
        widget.resize(100, 100)
    assert sys.getrefcount(None) >= before - 10
    widget.deleteLater()
