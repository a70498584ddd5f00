"""Propagation: strings labeled in the project found again, with the clitic rule of their label
(exact offsets after an emoji)."""

from __future__ import annotations

import pytest

from tests.core.suggest_helpers import located, run

# (id, body, known, [(expected text, nth, label)])
CASES = [
    ("actor-found-again", "قال شويغو كلمته ثم غادر شويغو.", {"شويغو": "actor"},
     [("شويغو", 1, "actor"), ("شويغو", 2, "actor")]),
    ("actor-after-waw-and-beh", "التقى الوزير وبشويغو أمس.", {"شويغو": "actor"},
     [("شويغو", 1, "actor")]),
    ("multiword-normalized-spelling", "وصل جان ايف لودريان أمس.", {"جان إيف لودريان": "actor"},
     [("جان ايف لودريان", 1, "actor")]),
    ("cue-drops-only-the-conjunction", "فقال الرجل ثم لقال آخر.", {"قال": "cue"},
     [("قال", 1, "cue")]),
    ("quote-keeps-clitics", "كرر الجملة وهذا لا يعني تحالفا ثم هذا لا يعني تحالفا.",
     {"هذا لا يعني تحالفا": "quote"}, [("هذا لا يعني تحالفا", 2, "quote")]),
    ("longest-string-first", "زار الوفد سان مارينو أمس.",
     {"سان": "location", "سان مارينو": "location"}, [("سان مارينو", 1, "location")]),
    ("one-letter-strings-are-ignored", "و ب ل قال", {"و": "actor", "ب": "location"}, []),
    ("unknown-label-keeps-clitics", "رأى وشجرة شجرة", {"شجرة": "tree"}, [("شجرة", 2, "tree")]),
]


@pytest.mark.parametrize(("body", "known", "expected"),
                         [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_propagate_table(body: str, known: dict[str, str],
                         expected: list[tuple[str, int, str]]) -> None:
    text, result = run(body, ["propagate"], known=known)
    got = [(s.start, s.end, s.label) for s in result.spans]
    assert got == sorted((*located(text, part, nth), label) for part, nth, label in expected)
    assert {(s.suggester, s.confidence) for s in result.spans} <= {("propagate", 0.7)}


def test_no_known_strings_no_suggestions() -> None:
    assert run("قال شويغو", ["propagate"])[1].spans == ()
    assert run("قال شويغو", ["propagate"], known={})[1].spans == ()
