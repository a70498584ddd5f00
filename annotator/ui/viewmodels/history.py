"""Undo and redo of user actions. Each step's ``do`` and ``undo`` is one store transaction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass
class Step:
    description: str
    redo: Callable[[], None]
    undo: Callable[[], None]


class History:
    """A linear undo stack: a new step after some undos drops the steps that were undone.

    ``committed`` counts the actions committed through it since it was made (each step done,
    undone or redone is one transaction); :meth:`clear` (another document) keeps the count."""

    def __init__(self, limit: int = 1000) -> None:
        self._done: list[Step] = []
        self._undone: list[Step] = []
        self._limit = limit
        self.committed = 0

    def push(self, step: Step) -> None:
        """Record a step that has just been done."""
        self.committed += 1
        self._done.append(step)
        del self._done[:-self._limit]
        self._undone.clear()

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    def undo(self) -> Step | None:
        if not self._done:
            return None
        step = self._done[-1]
        step.undo()  # raises -> the step stays where it was
        self.committed += 1
        self._undone.append(self._done.pop())
        return step

    def redo(self) -> Step | None:
        if not self._undone:
            return None
        step = self._undone[-1]
        step.redo()
        self.committed += 1
        self._done.append(self._undone.pop())
        return step
