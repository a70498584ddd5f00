"""Documents and store dumps shared by the UI tests (no Qt here: test_viewmodels imports it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from annotator.db.models import AnnotationSetRow, DocumentRow, RelationRow, SpanRow
from annotator.db.store import Store
from annotator.services.importing import import_paths
from annotator.services.project import seed_if_empty

#: A document with harakat and emoji (outside the BMP: one code point, two UTF-16 units; one
#: with a skin-tone modifier) before every target word, and a paragraph that starts with Latin.
EMOJI_TEXT = (
    "أكّد الرئيسُ 📰 في موسكو\n"
    "قالَ المتحدّثُ 😀 إنّ والرئيس الروسي فلاديمير بوتين أكّد في موسكو أن “التعاون مع فرنسا ضروري جدا” "
    "وأضاف أن الاجتماع انتهى بموسكو 👍🏽 أمس.\n"
    "BBC News: قال مراسلنا في باريس إن الإجتماع انتهى بنجاح."
)
EMOJI_ID = "emoji-001"
EMOJI_TITLE = "أكّد الرئيسُ 📰 في موسكو"
SEED_ID = "000_53e7616c08ffaf74"
SEED_TITLE = "فرنسا وروسيا تعلنان التعاون بشأن تنظيم الدولة"

#: Exact offsets (code points) in EMOJI_TEXT; checked against the text in test_offsets_are_right.
RAW_ACTOR = (45, 59)         # والرئيس الروسي
ACTOR = (46, 59)             # الرئيس الروسي
RAW_QUOTE = (92, 120)        # “التعاون مع فرنسا ضروري جدا”
QUOTE = (93, 119)            # التعاون مع فرنسا ضروري جدا
FRANCE = (104, 109)          # فرنسا
CUE = (24, 28)               # قالَ
MOSCOW = ((18, 23), (83, 88), (146, 151))   # موسكو three times, the last in بموسكو


def import_documents(store: Store, folder: Path) -> dict[str, int]:
    """The seed articles (as a new store gets them) plus EMOJI_TEXT; external id -> document id."""
    seed_if_empty(store, actor="mona")
    path = folder / f"{EMOJI_ID}.txt"
    path.write_text(EMOJI_TEXT, encoding="utf-8")
    report = import_paths(store, [path], actor="mona")
    assert not report.errors, report.errors
    with store.engine.connect() as conn:
        return {ext: doc_id for doc_id, ext in conn.execute(
            select(DocumentRow.id, DocumentRow.external_id))}


def _rows(store: Store, table: Any, *, skip: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    columns = [c for c in table.__table__.c if c.name not in skip]
    with store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(*columns).order_by(table.id))]


def dump(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every span, relation and annotation-set row, ids included; ``updated_at`` left out (an
    update and its undo both stamp the time of the change, which cannot be given back)."""
    return {
        "span": _rows(store, SpanRow, skip=("updated_at", "version", "updated_by")),
        "relation": _rows(store, RelationRow, skip=("version",)),
        "annotation_set": _rows(store, AnnotationSetRow, skip=("updated_at",)),
    }


def team_store(folder: Path, *, suggestions: bool = False) -> str:
    """A store (URL) with the seeds and EMOJI_TEXT, a lead (lina), a reviewer (rana) and two
    annotators: mona (actor, quote, location) and omar (actor, quote) on EMOJI_TEXT; gold holds
    what both share (accepted by rana); with ``suggestions``, the suggestions set of EMOJI_TEXT
    (annotator suggest)."""
    from annotator.core.model import Role
    from annotator.services.annotate import AnnotationService
    from annotator.services.project import open_project, project_schema
    from annotator.services.review import ReviewService
    from annotator.services.team import TeamService, ensure_first_lead

    url = f"sqlite:///{folder / 'team.sqlite3'}"
    store = open_project(url)
    doc = import_documents(store, folder)[EMOJI_ID]
    ensure_first_lead(store, "lina")
    lead = TeamService(store, actor="lina")
    lead.add("mona")
    lead.add("omar")
    lead.add("rana", Role.REVIEWER)
    schema = project_schema(store)
    for name, spans in (("mona", [(ACTOR, "actor"), (QUOTE, "quote"), (FRANCE, "location")]),
                        ("omar", [(ACTOR, "actor"), (QUOTE, "quote")])):
        service = AnnotationService(store, schema, annotator=name)
        set_id = service.open_document(doc).set.id
        assert set_id is not None
        service.add_spans(set_id, [(s, e, label) for (s, e), label in spans])
    review = ReviewService(store, schema, reviewer="rana")
    opened = review.open(doc)
    review.accept_unanimous(opened, opened.gold_state())
    if suggestions:
        from annotator.services.suggesting import suggest_documents

        suggest_documents(store, actor="lina", docs=EMOJI_ID)
    store.close()
    return url
