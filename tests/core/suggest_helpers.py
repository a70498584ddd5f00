"""Shared helpers of the suggester tests: an emoji and a vowelled word before every text, so that
offsets are checked as code points (DESIGN invariant 3)."""

from __future__ import annotations

from annotator.core.suggest import Suggestions, suggest

PREFIX = "😀 نَشَرَ المراسل.\n"


def located(text: str, part: str, nth: int = 1) -> tuple[int, int]:
    """Offsets of the ``nth`` occurrence of ``part`` in ``text``."""
    at = -1
    for _ in range(nth):
        at = text.find(part, at + 1)
        assert at != -1, part
    return at, at + len(part)


def spans_of(result: Suggestions, label: str) -> list[tuple[int, int]]:
    return [(s.start, s.end) for s in result.spans if s.label == label]


def run(body: str, only: list[str], **kwargs: object) -> tuple[str, Suggestions]:
    text = PREFIX + body
    return text, suggest(text, only=only, **kwargs)  # type: ignore[arg-type]
