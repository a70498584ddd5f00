"""Moving span edges by a word or a grapheme (the annotator's fix when snapping was wrong)."""

from __future__ import annotations

import pytest

from annotator.core.edges import move_edge

TEXT = "😀 قال وزيرُ الدفاع، جان إيف لودريان: نعم"


def _span(words: str) -> tuple[int, int]:
    start = TEXT.index(words)
    return start, start + len(words)


@pytest.mark.parametrize(("words", "edge", "grow", "by_word", "expected"), [
    ("الدفاع", "start", True, True, "وزيرُ الدفاع"),
    ("الدفاع", "start", False, True, None),
    ("وزيرُ الدفاع", "start", False, True, "الدفاع"),
    ("الدفاع", "end", True, True, "الدفاع، جان"),
    ("وزيرُ الدفاع", "end", False, True, "وزيرُ"),
    ("جان إيف لودريان", "end", False, True, "جان إيف"),
    ("الدفاع", "start", False, False, "لدفاع"),
    ("الدفاع", "end", False, False, "الدفا"),
    ("وزيرُ", "end", False, False, "وزي"),  # the damma goes with its letter
    ("زيرُ", "start", True, False, "وزيرُ"),
    ("قال", "start", True, True, "😀 قال"),  # an emoji counts as a word here
])
def test_move_edge(words: str, edge: str, grow: bool, by_word: bool, expected: str | None) -> None:
    start, end = _span(words)
    moved = move_edge(TEXT, start, end, edge=edge, grow=grow, by_word=by_word)
    if expected is None:
        assert moved is None
    else:
        assert moved is not None and TEXT[moved[0]:moved[1]] == expected


def test_the_text_edges_stop_the_move() -> None:
    assert move_edge("نعم", 0, 3, edge="start", grow=True, by_word=False) is None
    assert move_edge("نعم", 0, 3, edge="end", grow=True, by_word=True) is None
    with pytest.raises(ValueError):
        move_edge("نعم", 0, 3, edge="middle", grow=True, by_word=True)
