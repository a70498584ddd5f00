"""Make docs/review.png: review mode on the seed article with three annotators, rendered offscreen.

    python docs/make_review_screenshot.py [OUT.png] [--language en|ar] [--size 1400x900]

It builds a throw-away store with a lead (lina), a reviewer (rana) and three annotators who labeled
the first paragraphs of the seed article, each a little differently, lets rana accept what all
three share and one majority actor, then runs `annotator gui --review --screenshot` on it, in English unless told otherwise, with the
settings of a first run (not the ones of whoever runs it).
"""

from __future__ import annotations

import argparse
import os
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


def main(out: Path, *, language: str, size: tuple[int, int]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()   # a first run's settings
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
        return run_gui(GuiOptions(db_url=url, user="rana", screenshot=out, size=size,
                                  language=language,
                                  review=True))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=REPO / "docs" / "review.png")
    parser.add_argument("--language", choices=("ar", "en"), default="en")
    parser.add_argument("--size", default="1400x900", help="WIDTHxHEIGHT")
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    width, height = (int(n) for n in args.size.lower().split("x"))
    raise SystemExit(main(args.out, language=args.language, size=(width, height)))
