"""The data model's fast constructor for stored spans is the same object as Span(...)."""

from __future__ import annotations

import pytest

from annotator.core.model import Decision, Origin, Provenance, Span, stored_span

TEXT = "قال الرئيس الروسي 📰 إن التعاون ضروري"


def test_a_stored_span_equals_the_span_built_the_usual_way() -> None:
    provenance = Provenance("rana", Decision.ACCEPTED, ("mona", "omar"))
    built = stored_span(TEXT, 4, 10, "actor", 7, {"kind": "direct"}, "تحقق", Origin.ADJUDICATED,
                        provenance, {"suggester": "gazetteer"}, 3)
    usual = Span(start=4, end=10, label="actor", text="الرئيس", id=7,
                 attributes={"kind": "direct"}, note="تحقق", origin=Origin.ADJUDICATED,
                 provenance=provenance, source={"suggester": "gazetteer"}, version=3)
    assert built == usual and repr(built) == repr(usual)
    assert built.text == TEXT[4:10] == "الرئيس"
    assert (built.version, built.sort_key) == (3, (4, 10, "actor"))
    plain = stored_span(TEXT, 0, 3, "cue", 1, {}, "", Origin.MANUAL, None, None, 1)
    assert plain == Span(start=0, end=3, label="cue", text="قال", id=1)
    with pytest.raises(AttributeError):
        plain.start = 2  # type: ignore[misc]


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 2), (-1, 3), (30, len(TEXT) + 1)])
def test_a_stored_span_whose_offsets_do_not_fit_is_refused(start: int, end: int) -> None:
    with pytest.raises(ValueError, match=f"span {start}-{end}"):
        stored_span(TEXT, start, end, "actor", 1, {}, "", Origin.MANUAL, None, None, 1)
