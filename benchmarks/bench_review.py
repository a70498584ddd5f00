"""Review mode on a long document, offscreen (issue 7 targets).

The 505k-character book in ../shared/corpora/long with three annotators of 20,000 spans each
(about 70% of each annotator's spans shared by all three, the rest missing, relabeled or with
shifted boundaries in the others' sets, so that there are thousands of disagreements):
- open the document in review mode (candidates, gold, highlights, first paint): target within 1 s;
- next disagreement (move, redraw, versions panel): target median within 20 ms;
- accept the candidate into gold (one transaction, redraw, move on): target median within 20 ms.

    python benchmarks/bench_review.py [--spans 20000] [--steps 60] [--runs 3]

Each measurement runs in a fresh process; figures are medians.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, fresh_copy, REPO, emit, machine, mb, median, peak_rss_kb, run_worker  # noqa: E402

BOOK = REPO.parent / "shared" / "corpora" / "long" / \
    "0282AbuHanifaDinawari.AkhbarTiwal.Shamela0009760-ara1.txt"
ANNOTATORS = ("mona", "omar", "sara")
REVIEWER = "rana"
LABELS = ("actor", "location", "cue", "quote")


def build_store(spans: int, seed: int = 1) -> Path:
    """A SQLite store with the book and three annotators' sets of ``spans`` spans (cached)."""
    from annotator.core.arabic import tokenize
    from annotator.core.model import Role
    from annotator.core.text import canonicalize, sha256_text
    from annotator.services.importing import import_paths
    from annotator.services.project import open_project
    from annotator.services.team import TeamService, ensure_first_lead

    path = OUT / f"review-book-{spans}.sqlite3"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    text = canonicalize(BOOK.read_text(encoding="utf-8"))[0]
    words = [t for t in tokenize(text) if t.kind == "word"]
    rng = random.Random(seed)
    chosen = sorted(rng.sample(range(len(words) - 1), spans))
    lines = []
    for name in ANNOTATORS:
        items = {}
        for i, w in enumerate(chosen):
            start, end, label = words[w].start, words[w].end, LABELS[i % 4]
            roll = rng.random()
            if roll < 0.70:
                pass                                   # shared by everyone
            elif roll < 0.80:
                label = LABELS[(i + 1) % 4]            # another label
            elif roll < 0.90:
                end = words[w + 1].end                 # other boundaries
            else:
                w2 = rng.randrange(len(words))         # elsewhere (missing here)
                start, end = words[w2].start, words[w2].end
            items[(start, end, label)] = None
        spans_json = [{"id": f"s{n}", "start": s, "end": e, "label": lb, "attributes": {}}
                      for n, (s, e, lb) in enumerate(sorted(items))]
        lines.append(json.dumps({"doc_id": "book", "title": "الأخبار الطوال", "text": text,
                                 "sha256": sha256_text(text), "annotator": name,
                                 "status": "done", "spans": spans_json, "relations": [],
                                 "meta": {}}, ensure_ascii=False))
    source = OUT / f"review-book-{spans}.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_project(f"sqlite:///{path}")
    ensure_first_lead(store, "lina")
    report = import_paths(store, [source], actor="lina")
    if report.errors:
        raise SystemExit(report.errors[0])
    TeamService(store, actor="lina").add(REVIEWER, Role.REVIEWER)
    store.close()
    return path


def worker(db: Path, steps: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from annotator.services.project import open_project, project_schema
    from annotator.services.review import ReviewService
    from annotator.ui.main_window import MainWindow
    from annotator.ui.viewmodels.review import ReviewQueueViewModel, ReviewViewModel

    app = QApplication.instance() or QApplication([])
    store = open_project(f"sqlite:///{db}")
    schema = project_schema(store)
    service = ReviewService(store, schema, reviewer=REVIEWER)
    vm = ReviewViewModel(service, schema)
    queue = ReviewQueueViewModel(service)
    queue.items = service.queue(scores=False)
    window = MainWindow(vm, queue, schema, user=REVIEWER, font_family="Amiri", font_size=18)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    book = queue.items[0].document_id

    started = time.perf_counter()
    window.open_document(book)
    window.article.viewport().repaint()
    shown = time.perf_counter() - started
    app.processEvents()             # the document's agreement figures, after it is shown
    figures = time.perf_counter() - started
    candidates = len(vm.candidates)
    disagreements = vm.counts()["disagreements"]

    moves, accepts = [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        vm.next_disagreement()
        window.article.viewport().repaint()
        app.processEvents()
        moves.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        vm.accept_current()
        window.article.viewport().repaint()
        app.processEvents()
        accepts.append(time.perf_counter() - t0)
    emit({"open_s": shown, "figures_s": figures, "candidates": candidates,
          "disagreements": disagreements, "next_median_ms": median(moves) * 1000,
          "accept_median_ms": median(accepts) * 1000, "gold": len(vm.spans),
          "peak_rss_kb": peak_rss_kb()})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=20_000)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.steps)
        return 0
    if not BOOK.is_file():
        raise SystemExit(f"{BOOK} is absent: this benchmark needs ../shared/corpora")
    db = build_store(args.spans)
    print(f"bench_review: {BOOK.name}, 3 annotators x {args.spans:,} spans; {args.runs} runs; "
          f"{machine()}")
    results = []
    for run in range(1, args.runs + 1):
        scratch = OUT / f"review-run-{run}.sqlite3"
        fresh_copy(db, scratch)
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        result = run_worker(Path(__file__), ["--worker", str(scratch), "--steps", str(args.steps)])
        results.append(result)
        print(f"  run {run}: open {result['open_s']:.3f} s (figures at {result['figures_s']:.2f} s;"
              f" {result['candidates']:,} candidates, {result['disagreements']:,} disagreements), "
              f"next {result['next_median_ms']:.1f} ms, accept {result['accept_median_ms']:.1f} ms"
              f" (median), peak RSS {mb(result['peak_rss_kb']):.0f} MB")
    opened = median([r["open_s"] for r in results])
    move = median([r["next_median_ms"] for r in results])
    accept = median([r["accept_median_ms"] for r in results])
    print(f"median open in review mode: {opened:.3f} s (target <= 1 s): "
          f"{'OK' if opened <= 1 else 'MISSED'}")
    print(f"median next disagreement: {move:.1f} ms (target <= 20 ms): "
          f"{'OK' if move <= 20 else 'MISSED'}")
    print(f"median accept: {accept:.1f} ms (target <= 20 ms): {'OK' if accept <= 20 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
