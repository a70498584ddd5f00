"""Make docs/screenshot.png: the seed article with a few labeled spans, rendered offscreen.

    python docs/make_screenshot.py [OUT.png]

It builds a throw-away store, labels spans through the annotation service as the annotator
"mona" would in the window, then runs `annotator gui --screenshot` on it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def label(service, set_id: int, text: str, words: str, name: str, *, within: str | None = None,
          **kwargs):  # type: ignore[no-untyped-def]
    """Label ``words`` (first found inside the phrase ``within``, if given)."""
    base = text.index(within) if within else 0
    start = text.index(words, base)
    return service.add_span(set_id, start, start + len(words), name, **kwargs)


def main(out: Path) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from annotator.services.annotate import AnnotationService
    from annotator.services.project import open_project, project_schema, seed_if_empty
    from annotator.ui.app import GuiOptions, run_gui

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        store = open_project(url)
        seed_if_empty(store, actor="mona")
        service = AnnotationService(store, project_schema(store), annotator="mona")
        item = service.queue()[0]
        opened = service.open_document(item.document_id)
        text, set_id = opened.document.text, opened.set.id
        label(service, set_id, text, "وزير الدفاع الفرنسي جان إيف لودريان", "actor")
        label(service, set_id, text, "موسكو", "location")
        label(service, set_id, text, "روسيا", "actor", within="أن روسيا")
        label(service, set_id, text, "فرنسا", "actor", within="روسيا وفرنسا")
        speaker = label(service, set_id, text, "لودريان", "actor", within="وقال لودريان")
        cue = label(service, set_id, text, "قال", "cue", within="وقال لودريان")
        quote = label(service, set_id, text, "اتفقنا على تعزيز مبادلاتنا في مجال المعلومات "
                      "العسكرية بشأن حصيلة ضرباتنا وتحديد مكان", "quote",
                      attributes={"kind": "partial"})
        service.add_relation(set_id, "said_by", quote.id, speaker.id)
        service.add_relation(set_id, "cue", quote.id, cue.id)
        hollande = label(service, set_id, text, "هولاند", "actor", within="قال هولاند")
        said = label(service, set_id, text, "قال", "cue", within="قال هولاند")
        nested = label(service, set_id, text, "لتنسيق التحركات مع روسيا في المكافحة الشرعية "
                       "للإرهاب", "quote", attributes={"kind": "direct"})
        label(service, set_id, text, "روسيا", "actor", within="التحركات مع روسيا")
        service.add_relation(set_id, "said_by", nested.id, hollande.id)
        service.add_relation(set_id, "cue", nested.id, said.id)
        label(service, set_id, text, "باريس", "location")
        label(service, set_id, text, "سوريا", "location", within="في سوريا.")
        store.close()
        return run_gui(GuiOptions(db_url=url, user="mona", screenshot=out, size=(1400, 900)))


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshot.png"))
