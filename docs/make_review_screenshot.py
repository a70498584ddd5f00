"""Make docs/review.png: review mode on the seed article with three annotators, rendered offscreen.

    python docs/make_review_screenshot.py [OUT.png]

It builds a throw-away store with a lead (lina), a reviewer (rana) and three annotators who labeled
the first paragraphs of the seed article, each a little differently, lets rana accept what all
three share and one majority actor, then runs `annotator gui --review --screenshot` on it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# (words, label, within): the first occurrence of ``words`` inside the phrase ``within``
COMMON = [
    ("وزير الدفاع الفرنسي جان إيف لودريان", "actor", None),
    ("موسكو", "location", "الاثنين في موسكو"),
    ("لودريان", "actor", "وقال لودريان"),
    ("قال", "cue", "وقال لودريان"),
    ("اتفقنا على تعزيز مبادلاتنا في مجال المعلومات العسكرية بشأن حصيلة ضرباتنا وتحديد مكان",
     "quote", None),
    ("أضاف", "cue", "وأضاف أن ذلك"),
    ("سيترجم بتقارب بين أجهزة استخباراتنا العسكرية", "quote", None),
]
OWN = {
    "mona": [("روسيا", "actor", "أن روسيا"), ("فرنسا", "actor", "روسيا وفرنسا"),
             ("سوريا", "location", "الإسلامية في سوريا"), ("باريس", "location", "أن باريس")],
    "omar": [("روسيا", "actor", "أن روسيا"), ("فرنسا", "actor", "روسيا وفرنسا"),
             ("سوريا", "location", "الإسلامية في سوريا"), ("باريس", "actor", "أن باريس")],
    "sara": [("روسيا", "location", "أن روسيا"), ("نظيره الروسي سيرغي شويغو", "actor", None),
             ("باريس", "location", "أن باريس")],
}


def main(out: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from annotator.core.model import Role
    from annotator.services.annotate import AnnotationService
    from annotator.services.project import open_project, project_schema, seed_if_empty
    from annotator.services.review import ReviewService
    from annotator.services.team import TeamService, ensure_first_lead
    from annotator.ui.app import GuiOptions, run_gui

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        store = open_project(url)
        ensure_first_lead(store, "lina")
        seed_if_empty(store, actor="lina")
        team = TeamService(store, actor="lina")
        team.add("rana", Role.REVIEWER)
        schema = project_schema(store)
        for name in ("mona", "omar", "sara"):
            team.add(name)
            service = AnnotationService(store, schema, annotator=name)
            opened = service.open_document(service.queue()[0].document_id)
            text, set_id = opened.document.text, opened.set.id
            made = {}
            for words, label, within in COMMON + OWN[name]:
                start = text.index(words, text.index(within) if within else 0)
                kind = {"kind": "direct" if name != "sara" else "partial"} \
                    if label == "quote" else None
                made[words] = service.add_span(set_id, start, start + len(words), label,
                                               attributes=kind)
            quote = made[COMMON[4][0]]
            service.add_relation(set_id, "said_by", quote.id, made["لودريان"].id)
            if name != "omar":
                service.add_relation(set_id, "cue", quote.id, made["قال"].id)
            service.set_status(set_id, "done")
        review = ReviewService(store, schema, reviewer="rana")
        document_id = review.queue()[0].document_id
        opened = review.open(document_id)
        review.accept_unanimous(opened, opened.gold_state())
        store.close()
        return run_gui(GuiOptions(db_url=url, user="rana", screenshot=out, size=(1400, 900),
                                  review=True))


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "review.png"))
