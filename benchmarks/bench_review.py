"""Review mode on a long document, offscreen (issue 7 targets).

The 505k-character book in ../shared/corpora/long with three annotators of 20,000 spans each
(about 70% of each annotator's spans shared by all three, the rest missing, relabeled or with
shifted boundaries in the others' sets, so that there are thousands of disagreements):
- open the document in review mode (candidates, gold, highlights, first paint): target within 1 s;
- next disagreement (move, redraw, versions panel): target median within 20 ms;
- accept the candidate into gold (one transaction, redraw, move on): target median within 20 ms;
- accept to fix (Shift+Enter: the decision, the gold span selected, staying on the candidate).

    python benchmarks/bench_review.py [--spans 20000] [--steps 60] [--runs 3]
    python benchmarks/bench_review.py --breakdown --steps 200   # where a step's time goes

Each measurement runs in a fresh process; figures are medians.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bare import move_to, rehighlight  # noqa: E402
from _common import (  # noqa: E402
    OUT,
    REPO,
    emit,
    fresh_copy,
    machine,
    mb,
    median,
    peak_rss_kb,
    ran_as_worker,
    side_by_side,
    side_by_side_args,
    side_by_side_runs,
)

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


def review_window(db: Path) -> tuple[Any, Any, Any, int]:
    """The app in review mode on store ``db``, shown at 1400 x 900 (not yet on the book):
    (the QApplication, the view-model, the window, the book's document id)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from annotator.services.project import open_project, project_schema
    from annotator.services.review import ReviewService
    from annotator.ui.app import configure_app
    from annotator.ui.main_window import MainWindow
    from annotator.ui.viewmodels.review import ReviewQueueViewModel, ReviewViewModel

    app = QApplication.instance() or QApplication([])
    configure_app(app, "en")   # as the app starts: the bundled fonts, the UI font, the language
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
    return app, vm, window, queue.items[0].document_id


def worker(db: Path, steps: int) -> None:
    app, vm, window, book = review_window(db)

    started, cpu = time.perf_counter(), time.thread_time()
    window.open_document(book)
    window.article.viewport().repaint()
    shown, shown_cpu = time.perf_counter() - started, time.thread_time() - cpu
    app.processEvents()             # the document's agreement figures, after it is shown
    figures = time.perf_counter() - started
    candidates = len(vm.candidates)
    disagreements = vm.counts()["disagreements"]

    moves, accepts, move_cpu, accept_cpu = [], [], [], []
    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.thread_time()
        vm.next_disagreement()
        window.article.viewport().repaint()
        app.processEvents()
        moves.append(time.perf_counter() - t0)
        move_cpu.append(time.thread_time() - c0)
        t0, c0 = time.perf_counter(), time.thread_time()
        vm.accept_current()
        window.article.viewport().repaint()
        app.processEvents()
        accepts.append(time.perf_counter() - t0)
        accept_cpu.append(time.thread_time() - c0)
    # the usual way through a document: every unanimous candidate accepted at once (u), then
    # the disagreements one by one, with thousands of spans in gold
    vm.accept_unanimous()
    window.article.viewport().repaint()
    app.processEvents()
    # the reviewer reads what u did while the article draws every paragraph again, a few
    # milliseconds per turn of the event loop (the bare way draws them at once, untimed)
    while window.article.redrawing:
        app.processEvents()
    full_gold = len(vm.spans)

    def after_a_move(decide: Any) -> float:
        """On to the next disagreement, then the CPU seconds of ``decide`` and its paint."""
        vm.next_disagreement()
        window.article.viewport().repaint()
        app.processEvents()
        c0 = time.thread_time()
        decide()
        window.article.viewport().repaint()
        app.processEvents()
        return time.thread_time() - c0

    full_cpu = [after_a_move(vm.accept_current) for _ in range(steps)]
    # Shift+Enter: accept and select the gold span, staying on the candidate (to fix it)
    fix_cpu = [after_a_move(vm.accept_to_fix) for _ in range(steps)]
    emit({"open_s": shown, "figures_s": figures, "candidates": candidates,
          "disagreements": disagreements, "next_median_ms": median(moves) * 1000,
          "accept_median_ms": median(accepts) * 1000, "open_cpu_s": shown_cpu,
          "next_cpu_ms": median(move_cpu) * 1000, "accept_cpu_ms": median(accept_cpu) * 1000,
          "full_gold": full_gold, "accept_full_cpu_ms": median(full_cpu) * 1000,
          "accept_to_fix_cpu_ms": median(fix_cpu) * 1000,
          "gold": len(vm.spans), "peak_rss_kb": peak_rss_kb()})


def breakdown(db: Path, steps: int, top: int = 10) -> None:
    """Where the GUI thread's CPU time of a step goes, in one process (``--breakdown``): for
    next and accept, the medians over ``steps`` of the store's decision, each slot the
    view-model's signals call (its own time, without the slots it sets off), the rest of the
    synchronous part (the view-model), the paint and the events after it. The instruments
    add a little to each part; the parts are for comparing, the totals are the benchmark's."""
    from collections import defaultdict

    import annotator.services.review as review_service
    from annotator.ui.viewmodels import observable

    app, vm, window, book = review_window(db)
    window.open_document(book)
    window.article.viewport().repaint()
    app.processEvents()
    spent: dict[str, float] = defaultdict(float)
    inner: list[float] = []   # per open frame: the time of the frames it called
    on = [False]

    def frame(name: str, call: Any) -> Any:
        if not on[0]:
            return call()
        started = time.thread_time()
        inner.append(0.0)
        try:
            return call()
        finally:
            took = time.thread_time() - started
            spent[name] += took - inner.pop()
            if inner:
                inner[-1] += took

    def slot_name(slot: Any) -> str:
        name = getattr(slot, "__qualname__", type(slot).__name__)
        code = getattr(slot, "__code__", None)
        if code is not None and "<lambda>" in name:
            name = f"{name.split('.')[0]} lambda ({Path(code.co_filename).name}:" \
                   f"{code.co_firstlineno})"
        return name

    def emit(self: Any, *args: Any) -> None:
        for slot in list(self._slots):
            frame(slot_name(slot), lambda slot=slot: slot(*args))

    plain_accept = review_service.ReviewService.accept

    def accept(self: Any, *args: Any, **kwargs: Any) -> Any:
        return frame("the store (ReviewService.accept)",
                     lambda: plain_accept(self, *args, **kwargs))

    observable.Signal.emit = emit   # type: ignore[method-assign]
    review_service.ReviewService.accept = accept   # type: ignore[method-assign]
    rows: dict[str, dict[str, list[float]]] = {"next": defaultdict(list),
                                                "accept": defaultdict(list)}
    for step in range(steps + 5):
        for kind, action in (("next", vm.next_disagreement), ("accept", vm.accept_current)):
            spent.clear()
            on[0] = True
            started = time.thread_time()
            inner.append(0.0)
            action()
            synchronous = time.thread_time() - started
            spent["the view-model (the rest of the synchronous part)"] = \
                synchronous - inner.pop()
            on[0] = False
            painted = time.thread_time()
            window.article.viewport().repaint()
            spent["paint (every widget drawn again)"] = time.thread_time() - painted
            after = time.thread_time()
            app.processEvents()
            spent["events after the paint"] = time.thread_time() - after
            spent["total"] = time.thread_time() - started
            if step >= 5:   # the first steps warm the caches
                for name in set(spent) | set(rows[kind]):
                    if name not in rows[kind]:   # first seen now: nothing at the steps before
                        rows[kind][name] = [0.0] * (step - 5)
                    rows[kind][name].append(spent.get(name, 0.0))
    for kind, found in rows.items():
        print(f"{kind}: GUI thread CPU, medians over {steps} steps (ms)")
        ordered = sorted(found.items(), key=lambda item: -median(item[1]))
        for name, values in ordered[:top + 1]:
            print(f"  {median(values) * 1000:7.3f}  {name}")


def worker_bare(db: Path, steps: int) -> None:
    """The bare way, doing the kind of work the app does for each action (no more):
    - open: sqlite3 reads of this document's three sets with their owners (who has each key),
      its gold spans, a QPlainTextEdit whose highlighter bisects the sorted candidates and gold;
    - next: a scan for the next candidate not everyone has and not decided, the view follows it,
      the old and the new current candidate redrawn (the current one tinted), and a plain-text
      versions panel (each annotator's keys overlapping it, and gold's) set;
    - accept: the gold span with its provenance and a journal row in one committed transaction,
      redrawn, then on to the next disagreement as the app does (the same move as next);
    - accept to fix: the same decision, the versions panel set again (gold's line has the span
      now), then the gold span selected (the editor's own selection drawn over it), staying."""
    import sqlite3
    from bisect import bisect_left, insort

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextCursor
    from PySide6.QtWidgets import QApplication, QHBoxLayout, QPlainTextEdit, QWidget

    from annotator.ui.fonts import load_bundled_fonts

    app = QApplication.instance() or QApplication([])
    load_bundled_fonts()
    underline = QTextCharFormat()
    underline.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
    underline.setUnderlineColor(QColor("#4285f4"))
    current_format = QTextCharFormat(underline)
    current_format.setBackground(QColor(0, 151, 167, 70))
    filled = QTextCharFormat()
    filled.setBackground(QColor(66, 133, 244, 80))

    class Bare(QSyntaxHighlighter):
        def __init__(self, document: Any) -> None:
            super().__init__(document)
            self.keys: list[tuple[int, int, str]] = []
            self.gold: list[tuple[int, int, str]] = []
            self.current: tuple[int, int, str] | None = None

        def highlightBlock(self, text: str) -> None:  # noqa: N802
            start = self.currentBlock().position()
            end = start + len(text)
            for items, fmt in ((self.keys, underline), (self.gold, filled)):
                i = bisect_left(items, (start - 60,))
                while i < len(items) and items[i][0] < end:
                    s, e, _ = items[i]
                    if e > start:
                        self.setFormat(max(s, start) - start, min(e, end) - max(s, start),
                                       current_format if items[i] == self.current else fmt)
                    i += 1

    conn = sqlite3.connect(db)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):   # the app's
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE IF NOT EXISTS bare_gold (start INT, \"end\" INT, label TEXT, "
                 "text TEXT, provenance TEXT, UNIQUE(start, \"end\", label))")
    conn.execute("CREATE TABLE IF NOT EXISTS bare_journal (at TEXT, actor TEXT, action TEXT, "
                 "after TEXT)")
    conn.commit()
    window = QWidget()
    row = QHBoxLayout(window)
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.document().setDefaultFont(QFont("Amiri", 18))
    versions = QPlainTextEdit()
    versions.setReadOnly(True)
    view.setFixedSize(716, 695)        # the app's article and versions panel, at 1400 x 900
    versions.setFixedSize(322, 343)
    row.addWidget(view)
    row.addWidget(versions)
    window.show()
    app.processEvents()
    highlighter = Bare(view.document())
    t0, cpu = time.perf_counter(), time.thread_time()
    document_id, text = conn.execute(
        "SELECT id, text FROM document WHERE external_id = 'book'").fetchone()
    holders: dict[tuple[int, int, str], list[str]] = {}
    by_name: dict[str, list[tuple[int, int, str]]] = {}
    for start, end, label, name in conn.execute(
            "SELECT span.start, span.\"end\", span.label, annotator.name FROM span "
            "JOIN annotation_set ON annotation_set.id = span.set_id "
            "JOIN annotator ON annotator.id = annotation_set.owner_id "
            "WHERE annotation_set.document_id = ? AND annotation_set.kind = 'annotation' "
            "ORDER BY span.start, span.\"end\", span.label", (document_id,)):
        key = (start, end, label)
        holders.setdefault(key, []).append(name)
        by_name.setdefault(name, []).append(key)
    names = sorted(by_name)
    highlighter.keys = list(holders)       # read in key order
    highlighter.gold = sorted(conn.execute(
        "SELECT span.start, span.\"end\", span.label FROM span JOIN annotation_set ON "
        "annotation_set.id = span.set_id WHERE annotation_set.document_id = ? AND "
        "annotation_set.kind = 'gold'", (document_id,)).fetchall())
    view.setPlainText(text)
    view.viewport().repaint()
    shown, shown_cpu = time.perf_counter() - t0, time.thread_time() - cpu
    moves, accepts, move_cpu, accept_cpu = [], [], [], []
    keys = highlighter.keys
    position = -1

    def overlapping(items: list[tuple[int, int, str]], s: int, e: int) -> list[str]:
        i = bisect_left(items, (s - 60,))
        found = []
        while i < len(items) and items[i][0] < e:
            if items[i][1] > s:
                found.append(f"{items[i][2]} «{text[items[i][0]:items[i][1]]}»")
            i += 1
        return found

    def move_on() -> None:
        nonlocal position
        old = highlighter.current
        position += 1
        while len(holders[keys[position]]) == len(names) or keys[position] in gold_keys:
            position += 1
        key = highlighter.current = keys[position]
        move_to(view, highlighter, old, key)   # the view follows, as the app's does
        show_versions(key)

    def show_versions(key: tuple[int, int, str]) -> None:
        """The versions panel: the candidate, each annotator's keys overlapping it, gold's."""
        lines = [(f"{key[2]} «{text[key[0]:key[1]]}» ({len(holders[key])}/{len(names)}: "
                  f"{', '.join(holders[key])})")]
        lines += [f"{name}: {'  '.join(overlapping(by_name[name], key[0], key[1]))}"
                  for name in names]
        lines.append(f"gold: {'  '.join(overlapping(highlighter.gold, key[0], key[1]))}")
        versions.setPlainText("\n".join(lines))

    gold_keys = set(highlighter.gold)

    def decide() -> tuple[int, int, str]:
        key = highlighter.current
        assert key is not None
        provenance = json.dumps({"decided_by": REVIEWER, "how": "accepted",
                                 "from": holders[key]})
        with conn:   # one transaction: the span, its provenance, the journal
            conn.execute("INSERT INTO bare_gold VALUES (?, ?, ?, ?, ?)",
                         (*key, text[key[0]:key[1]], provenance))
            conn.execute("INSERT INTO bare_journal VALUES (datetime('now'), ?, 'add', ?)",
                         (REVIEWER, json.dumps({"start": key[0], "end": key[1],
                                                "label": key[2], "provenance": provenance})))
        insort(highlighter.gold, key)
        gold_keys.add(key)
        rehighlight(view, highlighter, key[0], key[1])
        return key

    def accept() -> None:
        decide()
        move_on()
        view.viewport().repaint()
        app.processEvents()

    def accept_to_fix() -> None:
        """Shift+Enter: the decision, the gold span selected (the editor's own selection),
        staying."""
        key = decide()
        show_versions(key)   # gold's line has the span now, as the app's page says
        cursor = QTextCursor(view.document())
        cursor.setPosition(key[0])
        cursor.setPosition(key[1], QTextCursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        view.viewport().repaint()
        app.processEvents()

    for _ in range(steps):
        t0, c0 = time.perf_counter(), time.thread_time()
        move_on()
        view.viewport().repaint()
        app.processEvents()
        moves.append(time.perf_counter() - t0)
        move_cpu.append(time.thread_time() - c0)
        t0, c0 = time.perf_counter(), time.thread_time()
        accept()
        accepts.append(time.perf_counter() - t0)
        accept_cpu.append(time.thread_time() - c0)
    # the unanimous candidates into gold at once, then the disagreements one by one
    unanimous = [k for k, names_of in holders.items()
                 if len(names_of) == len(names) and k not in gold_keys]
    with conn:
        conn.executemany("INSERT INTO bare_gold VALUES (?, ?, ?, ?, '{}')",
                         [(*k, text[k[0]:k[1]]) for k in unanimous])
    highlighter.gold = sorted(gold_keys.union(unanimous))
    gold_keys.update(unanimous)
    full_gold = len(gold_keys)
    highlighter.rehighlight()

    def after_a_move(decide: Any) -> float:
        """On to the next disagreement, then the CPU seconds of ``decide`` (which paints)."""
        move_on()
        view.viewport().repaint()
        app.processEvents()
        c0 = time.thread_time()
        decide()
        return time.thread_time() - c0

    full_cpu = [after_a_move(accept) for _ in range(steps)]
    fix_cpu = [after_a_move(accept_to_fix) for _ in range(steps)]
    emit({"open_s": shown, "figures_s": shown, "candidates": len(holders),
          "open_cpu_s": shown_cpu, "next_cpu_ms": median(move_cpu) * 1000,
          "accept_cpu_ms": median(accept_cpu) * 1000,
          "full_gold": full_gold, "accept_full_cpu_ms": median(full_cpu) * 1000,
          "accept_to_fix_cpu_ms": median(fix_cpu) * 1000,
          "disagreements": sum(1 for n in holders.values() if len(n) < len(names)),
          "next_median_ms": median(moves) * 1000, "accept_median_ms": median(accepts) * 1000,
          "gold": len(highlighter.gold), "peak_rss_kb": peak_rss_kb()})


def main(argv: list[str] | None = None) -> int:
    args = side_by_side_args(__doc__ or "", argv, spans=20_000, extra=[
        ("--breakdown", "where a step's time goes, in one process (no bare way)")])
    if ran_as_worker(args, worker, worker_bare):
        return 0
    if not BOOK.is_file():
        raise SystemExit(f"{BOOK} is absent: this benchmark needs ../shared/corpora")
    db = build_store(args.spans)
    if args.breakdown:
        scratch = OUT / "review-breakdown.sqlite3"
        fresh_copy(db, scratch)
        breakdown(scratch, args.steps)
        return 0
    print(f"bench_review: {BOOK.name}, 3 annotators x {args.spans:,} spans; {args.runs} runs; "
          f"{machine()}")
    results, bares = side_by_side_runs(
        Path(__file__), db, "review", args.runs, ["--steps", str(args.steps)],
        lambda run, result, _bare: (
            f"  run {run}: open {result['open_s']:.3f} s (figures at {result['figures_s']:.2f} s;"
            f" {result['candidates']:,} candidates, {result['disagreements']:,} disagreements), "
            f"next {result['next_median_ms']:.1f} ms, accept {result['accept_median_ms']:.1f} ms"
            f" (median), peak RSS {mb(result['peak_rss_kb']):.0f} MB"))
    opened = median([r["open_s"] for r in results])
    move = median([r["next_median_ms"] for r in results])
    accept = median([r["accept_median_ms"] for r in results])
    print(f"median open in review mode: {opened:.3f} s (target <= 1 s): "
          f"{'OK' if opened <= 1 else 'MISSED'}")
    print(f"median next disagreement: {move:.1f} ms (target <= 20 ms): "
          f"{'OK' if move <= 20 else 'MISSED'}")
    print(f"median accept: {accept:.1f} ms (target <= 20 ms): {'OK' if accept <= 20 else 'MISSED'}")
    print(f"gold after the unanimous candidates: app {results[-1]['full_gold']:,} spans, "
          f"bare {bares[-1]['full_gold']:,}")
    for name, key, unit in (("open", "open_s", "s"),
                            ("next disagreement", "next_median_ms", "ms"),
                            ("accept", "accept_median_ms", "ms"),
                            ("open (GUI thread CPU)", "open_cpu_s", "s"),
                            ("next disagreement (CPU)", "next_cpu_ms", "ms"),
                            ("accept (CPU)", "accept_cpu_ms", "ms"),
                            ("accept with the unanimous in gold (CPU)", "accept_full_cpu_ms", "ms"),
                            ("accept to fix, Shift+Enter (CPU)", "accept_to_fix_cpu_ms", "ms")):
        print(side_by_side(name, key, results, bares, unit))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
