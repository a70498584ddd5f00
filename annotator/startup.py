"""The cycle collector during a process's start-up (issue 11).

Start-up makes a few hundred thousand objects that live as long as the process: modules,
classes, SQLAlchemy's mappers and compiled statements, Qt's wrappers. While they are made, the
collector runs its full passes over all of them again and again, and once more when the
interpreter exits, and finds almost nothing to free (measured: 620 unreachable objects out of
141,000 after the window is shown on the seed store, 86 ms for that one full pass on this
machine). So the two entries of a process, :func:`annotator.cli.run` (the ``annotator``
script) and :func:`annotator.ui.app.run_gui` when it makes the process's QApplication, hold the
collector until start-up is over (the store open, or the first window shown), and then freeze
what exists (``gc.freeze``: those objects are left out of every later pass, exit included) and
let it run as usual for the rest of the process: a long import or export collects its garbage
like any program.

A library caller of :func:`annotator.cli.main` (the tests) keeps its own collector settings:
only :func:`hold` changes them, and :func:`release` undoes only what :func:`hold` did.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    """Pause the collector for the start-up of this process (nothing if it is already off)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release() -> None:
    """Start-up is over: freeze the objects made so far and run the collector again. Only
    after :func:`hold`, once; a second call does nothing."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()


def held() -> bool:
    return _held
