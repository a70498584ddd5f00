"""Opening a news article in the window with suggestions computed on open (issue 10 target:
within 0.3 s), against the same window with them off, offscreen.

    python benchmarks/bench_suggest_window.py [--runs 3] [--opens 12]

A SQLite store with the six articles of ../shared/corpora/news; the annotator has labeled the
names of the gold (tests/data/gold) in a seventh document, so propagation has known strings.
Each run is a fresh process that builds the window as `annotator gui` does (the suggesters'
resources are read when the window is built, not timed) and opens the articles in turn; an
open is timed from the call to the first paint of the article (store read, suggestions,
highlighting). Figures are medians; the window start is reported apart.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, REPO, emit, machine, run_worker  # noqa: E402

sys.path.insert(0, str(REPO))
NEWS = REPO.parent / "shared" / "corpora" / "news"
GOLD = REPO / "tests" / "data" / "gold" / "news_gold.jsonl"
USER = "bench"


def build_store() -> Path:
    """The news articles, and USER's set of a names document (the gold's actors and places)."""
    from annotator.core.text import sha256_text
    from annotator.services.importing import import_paths
    from annotator.services.project import open_project
    from annotator.services.team import ensure_first_lead

    path = OUT / "suggest-window.sqlite3"
    if path.exists():
        path.unlink()
    OUT.mkdir(parents=True, exist_ok=True)
    names: dict[str, str] = {}
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = (NEWS / f"{record['doc_id']}.txt").read_text(encoding="utf-8")
        for span in record["spans"]:
            if span["label"] in ("actor", "location"):
                names.setdefault(text[span["start"]:span["end"]], span["label"])
    text, spans = "", []
    for name, label in sorted(names.items()):
        spans.append({"start": len(text), "end": len(text) + len(name), "label": label})
        text += name + "\n"
    record = {"doc_id": "names", "title": "names", "text": text, "sha256": sha256_text(text),
              "annotator": USER, "status": "done", "spans": spans, "relations": [], "meta": {}}
    source = OUT / "suggest-window-names.jsonl"
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    store = open_project(f"sqlite:///{path}")
    ensure_first_lead(store, "lead")
    report = import_paths(store, sorted(NEWS.glob("*.txt")), actor="lead")
    report2 = import_paths(store, [source], actor="lead")
    if report.errors or report2.errors:
        raise SystemExit((report.errors or report2.errors)[0])
    store.close()
    return path


def worker(db: Path, suggestions: bool, opens: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from annotator.settings import Settings
    from annotator.ui.app import GuiOptions, build_window, configure_app

    app = QApplication.instance() or QApplication([])
    configure_app(app)
    began = time.perf_counter()
    window = build_window(GuiOptions(db_url=f"sqlite:///{db}", open_document="names"),
                          Settings(suggest_on_open=suggestions), USER)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    start = time.perf_counter() - began
    articles = [i.document_id for i in window.queue.items if i.external_id != "names"]
    timings, offered = [], []
    for n in range(opens):
        document = articles[n % len(articles)]
        if window.vm.document is not None and window.vm.document.id == document:
            window.open_document(next(a for a in articles if a != document))
        t0 = time.perf_counter()
        window.open_document(document)
        app.processEvents()
        window.article.viewport().repaint()
        timings.append(time.perf_counter() - t0)
        offered.append(len(window.vm.offers.offered()))
    window.close()
    emit({"open_s": statistics.median(timings), "max_s": max(timings), "start_s": start,
          "offered": statistics.median(offered)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--opens", type=int, default=12)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--off", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, not args.off, args.opens)
        return 0
    if not NEWS.is_dir():
        raise SystemExit(f"{NEWS} is absent: this benchmark needs ../shared/corpora")
    db = build_store()
    print(f"bench_suggest_window: {len(list(NEWS.glob('*.txt')))} news articles, "
          f"{args.opens} opens a run, {args.runs} runs; {machine()}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    found: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    for run in range(1, args.runs + 1):
        for mode in ("on", "off"):
            extra = ["--off"] if mode == "off" else []
            result = run_worker(Path(__file__), ["--worker", str(db), "--opens",
                                                 str(args.opens), *extra])
            found[mode].append(result)
            print(f"  run {run} suggestions {mode:3}: open median {result['open_s'] * 1000:.1f} ms"
                  f" (max {result['max_s'] * 1000:.1f}), window start {result['start_s']:.2f} s,"
                  f" {result['offered']:.0f} suggestions offered")
    on = statistics.median(r["open_s"] for r in found["on"])
    off = statistics.median(r["open_s"] for r in found["off"])
    print(f"median open with suggestions: {on * 1000:.1f} ms, without: {off * 1000:.1f} ms "
          f"(suggestions add {(on - off) * 1000:.1f} ms); target <= 300 ms: "
          f"{'OK' if on <= 0.3 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
