"""Make docs/screenshot.png: the seed article with a few labeled spans, rendered offscreen.

    python docs/make_screenshot.py [OUT.png] [--language ar|en] [--size 1400x900]

It builds a throw-away store, labels spans through the annotation service as the annotator
"mona" would in the window, then runs `annotator gui --screenshot` on it, in Arabic unless
told otherwise, with the settings of a first run (not the ones of whoever runs it).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def label(service, set_id: int, text: str, words: str, name: str, *, within: str | None = None,
          **kwargs):  # type: ignore[no-untyped-def]
    """Label ``words`` (first found inside the phrase ``within``, if given)."""
    base = text.index(within) if within else 0
    start = text.index(words, base)
    return service.add_span(set_id, start, start + len(words), name, **kwargs)


def main(out: Path, *, language: str, size: tuple[int, int]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()   # a first run's settings
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
        return run_gui(GuiOptions(db_url=url, user="mona", screenshot=out, size=size,
                                  language=language))


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=REPO / "docs" / "screenshot.png")
    parser.add_argument("--language", choices=("ar", "en"), default="ar")
    parser.add_argument("--size", default="1400x900", help="WIDTHxHEIGHT")
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    width, height = (int(n) for n in args.size.lower().split("x"))
    raise SystemExit(main(args.out, language=args.language, size=(width, height)))
