"""A hand-made three-annotator example (shared by the agreement, chart and Excel tests).

    index: 0 = 😀 (outside the BMP: one code point), then

    😀 قال الوزير: «موسكو جاهزة للحوار» وأضاف السفير إن باريس ستشارك في قمة القاهرة مع روسيا.

88 code points, 15 of them spaces: 73 character units. 20 tokens: 😀 قال الوزير : « موسكو جاهزة
للحوار » وأضاف السفير إن باريس ستشارك في قمة القاهرة مع روسيا .
"""

from __future__ import annotations

from collections.abc import Sequence

from annotator.core.agreement import DocumentSets
from annotator.core.model import AnnotationSet, Relation, SetKind, Span

TEXT = "😀 قال الوزير: «موسكو جاهزة للحوار» وأضاف السفير إن باريس ستشارك في قمة القاهرة مع روسيا."

#: name -> (start, end); checked against TEXT by test_example_offsets_select_their_words.
AT = {
    "qal": (2, 5),        # قال
    "wazir": (6, 12),     # الوزير
    "q1": (15, 33),       # موسكو جاهزة للحوار
    "q1_marks": (14, 34),  # «موسكو جاهزة للحوار»
    "moscow": (15, 20),   # موسكو
    "wadaf": (35, 40),    # وأضاف
    "adaf": (36, 40),     # أضاف
    "safir": (41, 47),    # السفير
    "q2": (51, 87),       # باريس ستشارك في قمة القاهرة مع روسيا
    "q2_short": (51, 78),  # باريس ستشارك في قمة القاهرة
    "paris": (51, 56),    # باريس
    "cairo": (71, 78),    # القاهرة
    "summit_cairo": (67, 78),  # قمة القاهرة
    "russia": (82, 87),   # روسيا
}
WORDS = {"qal": "قال", "wazir": "الوزير", "q1": "موسكو جاهزة للحوار",
         "q1_marks": "«موسكو جاهزة للحوار»", "moscow": "موسكو", "wadaf": "وأضاف", "adaf": "أضاف",
         "safir": "السفير", "q2": "باريس ستشارك في قمة القاهرة مع روسيا",
         "q2_short": "باريس ستشارك في قمة القاهرة", "paris": "باريس", "cairo": "القاهرة",
         "summit_cairo": "قمة القاهرة", "russia": "روسيا"}


def make_set(owner: str, spans: Sequence[tuple[str, str]],
             relations: Sequence[tuple[str, str, str]] = (), *, text: str = TEXT,
             shift: int = 0) -> AnnotationSet:
    """A set of (name in AT, label) spans and (type, head name, tail name) relations; span ids
    are 1, 2, ... in the order given. ``shift`` moves every offset (for a longer ``text``)."""
    ids = {name: i + 1 for i, (name, _) in enumerate(spans)}
    made = tuple(Span(AT[name][0] + shift, AT[name][1] + shift, label,
                      text[AT[name][0] + shift:AT[name][1] + shift], id=ids[name])
                 for name, label in spans)
    rels = tuple(Relation(kind, ids[head], ids[tail]) for kind, head, tail in relations)
    kind = SetKind.GOLD if owner == "gold" else SetKind.ANNOTATION
    return AnnotationSet(1, owner, kind, spans=made, relations=rels)


MONA = [("qal", "cue"), ("wazir", "actor"), ("q1", "quote"), ("moscow", "location"),
        ("adaf", "cue"), ("safir", "actor"), ("q2", "quote"), ("paris", "location"),
        ("cairo", "location"), ("russia", "actor")]
MONA_REL = [("said_by", "q1", "wazir"), ("cue", "q1", "qal"), ("said_by", "q2", "safir"),
            ("cue", "q2", "adaf")]
# omar: وأضاف with its و, the second quote without "مع روسيا", روسيا a location.
OMAR = [("qal", "cue"), ("wazir", "actor"), ("q1", "quote"), ("moscow", "location"),
        ("wadaf", "cue"), ("safir", "actor"), ("q2_short", "quote"), ("paris", "location"),
        ("cairo", "location"), ("russia", "location")]
OMAR_REL = [("said_by", "q1", "wazir"), ("cue", "q1", "qal"), ("said_by", "q2_short", "safir"),
            ("cue", "q2_short", "wadaf")]
# salma: the first quote with its marks « », no أضاف, "قمة القاهرة" instead of القاهرة.
SALMA = [("qal", "cue"), ("wazir", "actor"), ("q1_marks", "quote"), ("moscow", "location"),
         ("safir", "actor"), ("q2", "quote"), ("paris", "location"), ("russia", "actor"),
         ("summit_cairo", "location")]
SALMA_REL = [("said_by", "q1_marks", "wazir"), ("cue", "q1_marks", "qal"),
             ("said_by", "q2", "safir")]
# gold: mona's spans with روسيا a location.
GOLD = [*MONA[:-1], ("russia", "location")]


def example(doc_id: str = "ex-1", *, gold: bool = True) -> DocumentSets:
    sets = {"mona": make_set("mona", MONA, MONA_REL), "omar": make_set("omar", OMAR, OMAR_REL),
            "salma": make_set("salma", SALMA, SALMA_REL)}
    return DocumentSets(doc_id, TEXT, sets, make_set("gold", GOLD) if gold else None)
