"""The places suggester: gazetteer names with clitics and spelling normalized, states as location
or actor by their use, rare names after a place noun (exact offsets after an emoji)."""

from __future__ import annotations

import pytest

from annotator.core.suggest import default_resources
from annotator.core.suggest.places import parse_gazetteer_kinds
from tests.core.suggest_helpers import located, run

# (id, body, [(expected text, nth occurrence, label)])
CASES = [
    ("city-after-fi", "وصل الوفد إلى موسكو أمس.", [("موسكو", 1, "location")]),
    ("state-after-fi-is-location", "تظاهر العمال في اليونان أمس.", [("اليونان", 1, "location")]),
    ("state-with-beh-is-location", "تظاهر العمال باليونان أمس.", [("اليونان", 1, "location")]),
    ("state-as-participant-is-actor", "تتضمن الخطة مساعدة اليونان بمبلغ كبير.",
     [("اليونان", 1, "actor")]),
    ("waw-left-out-and-label-shared", "زار الوزير سوريا ولبنان أمس.",
     [("سوريا", 1, "actor"), ("لبنان", 1, "actor")]),
    ("coordinated-after-fi", "تظاهر الناس في سوريا ولبنان أمس.",
     [("سوريا", 1, "location"), ("لبنان", 1, "location")]),
    ("lam-lam-before-article", "رسالة لليونان من الدائنين.", [("ليونان", 1, "actor")]),
    ("two-word-name-longest", "وصل الأمير إلى مكة المكرمة ظهرا.", [("مكة المكرمة", 1, "location")]),
    ("hamza-and-teh-spelling", "وصل الوفد الى اثينا والقاهره أمس.",
     [("اثينا", 1, "location"), ("القاهره", 1, "location")]),
    ("oujda-is-a-name-not-waw-plus-jidda", "وصل الوفد الى وجدة أمس.", [("وجدة", 1, "location")]),
    ("lubnan-keeps-its-lam", "وقال لبنان كلمته.", [("لبنان", 1, "actor")]),
    ("kaf-of-kabiran-is-no-clitic", "ألقى الجيش عددا كبيرا من البراميل.", []),
    ("rare-name-after-place-noun", "تجمعوا في ميدان سنداغما صباحا.", [("سنداغما", 1, "location")]),
    ("rare-name-in-marks-after-place-noun", "تجمعوا في شارع «إيرمو» التجاري.",
     [("إيرمو", 1, "location")]),
    ("adjective-after-place-noun-is-no-name", "تظاهروا في 44 مدينة يونانية أمس.", []),
    ("common-word-after-place-noun-is-no-name", "وصلوا إلى مدينة كبيرة أمس.", []),
]


@pytest.mark.parametrize(("body", "expected"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_places_table(body: str, expected: list[tuple[str, int, str]]) -> None:
    text, result = run(body, ["places"])
    got = [(s.start, s.end, s.label) for s in result.spans]
    assert got == sorted((*located(text, part, nth), label) for part, nth, label in expected)
    assert {s.suggester for s in result.spans} <= {"places"}


def test_exact_offsets_and_confidence() -> None:
    text, result = run("في وموسكو", ["places"])
    (place,) = result.spans
    assert (place.start, place.end, text[22:27], place.confidence) == (22, 27, "موسكو", 0.85)


def test_parse_gazetteer_kinds_reads_kinds_and_names_the_bad_line() -> None:
    gazetteer = parse_gazetteer_kinds("روسيا\n# kind: state\nفرنسا\n# kind: place\nسان مارينو # x\n")
    assert dict(gazetteer.index) == {"روسيا": ((("روسيا",), "place"),),
                                     "فرنسا": ((("فرنسا",), "state"),),
                                     "سان": ((("سان", "مارينو"), "place"),)}
    with pytest.raises(ValueError, match=r"^g.lst:2: kind must be one of \['state', 'place'\]"):
        parse_gazetteer_kinds("روسيا\n# kind: country\n", path="g.lst")


def test_shipped_gazetteer_comes_from_the_sources() -> None:
    gazetteer = default_resources().gazetteer
    assert len(gazetteer) > 2000
    kinds = {key: kind for entries in gazetteer.index.values() for key, kind in entries}
    for name, kind in (("اليونان", "state"), ("الجمهوريه العربيه السوريه", "state"),
                       ("اثينا", "place"), ("الزبداني", "place"), ("تبوك", "place")):
        assert kinds[tuple(name.split())] == kind, name
    for word in ("المدينه", "مالي", "صور", "العالم", "سلطات"):  # ordinary words left out
        assert (word,) not in kinds, word
