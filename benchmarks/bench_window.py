"""The window against the bare way, side by side in the same run (issue 11).

The app: MainWindow over the annotation view-model and service on a SQLite store. The bare way
(the floor): a QPlainTextEdit whose QSyntaxHighlighter bisects a sorted span list per block, and
a plain sqlite3 table written with one committed statement per action. Both get the same text
(the 505k-character book), the same 20,000 spans and the same actions, each in a fresh process,
alternating which goes first. The app runs twice: as it opens, and with its side panels (queue,
span list, details) closed, which shows what the panels kept in step with each action cost:

- open the document (read, show, highlight, first paint);
- add a span, relabel it, delete it, undo (medians over N actions; first add reported apart);
- search "قال" (every hit highlighted; the app's search also ignores hamza/harakat spellings);
- label all hits as cue (one transaction);
- peak memory.
Cold start to a shown window is timed for both (a fresh interpreter each).

    python benchmarks/bench_window.py [--spans 20000] [--actions 40] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import subprocess
import sys
import time
from bisect import bisect_left, insort
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, fresh_copy, emit, machine, mb, median, peak_rss_kb, run_worker  # noqa: E402
from bench_gui import BOOK, USER, build_store  # noqa: E402

QUERY = "قال"


def _actions(text: str, taken: set[int], n: int, seed: int = 7) -> list[tuple[int, int]]:
    from annotator.core.arabic import tokenize

    rng = random.Random(seed)
    free = [(t.start, t.end) for t in tokenize(text) if t.kind == "word" and t.start not in taken]
    return rng.sample(free, n)


def _clock() -> complex:
    """Wall time and this thread's CPU time at once (real and imaginary parts): the CPU time of
    the GUI thread holds steady when other processes load the machine; wall time does not."""
    return complex(time.perf_counter(), time.thread_time())


def _pair(span: complex) -> list[float]:
    return [span.real, span.imag]


# -- the app ----------------------------------------------------------------------------------


def worker_app(db: Path, actions: int, *, panels: bool = True) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from annotator.services.annotate import AnnotationService
    from annotator.services.project import open_project, project_schema
    from annotator.ui.main_window import MainWindow
    from annotator.ui.viewmodels.annotation import AnnotationViewModel
    from annotator.ui.viewmodels.queue import QueueViewModel

    from annotator.ui.app import configure_app

    app = QApplication.instance() or QApplication([])
    configure_app(app, "en")   # as the app starts: the bundled fonts, the UI font, the language
    store = open_project(f"sqlite:///{db}")
    schema = project_schema(store)
    service = AnnotationService(store, schema, annotator=USER)
    vm = AnnotationViewModel(service, schema)    # no suggestions: the bare way has none
    queue = QueueViewModel(service)
    queue.refresh()
    window = MainWindow(vm, queue, schema, user=USER, font_family="Amiri", font_size=18)
    window.resize(1400, 900)
    window.show()
    if not panels:   # the side panels closed (their close buttons): the article alone
        from PySide6.QtWidgets import QDockWidget

        for dock in window.findChildren(QDockWidget):
            dock.close()
    app.processEvents()
    book = next(i.document_id for i in queue.items if i.external_id == "book")
    view = window.article

    def settle() -> None:
        view.viewport().repaint()
        app.processEvents()

    t0 = _clock()
    window.open_document(book)
    settle()
    result: dict[str, Any] = {"open": _pair(_clock() - t0), "spans": len(vm.spans)}
    targets = _actions(vm.text, {s.start for s in vm.spans.all()}, actions)
    times: dict[str, list[float]] = {"add": [], "relabel": [], "delete": [], "undo": []}
    for start, end in targets:
        view.reveal(start, end)
        app.processEvents()
        t0 = _clock()
        vm.label_selection(start, end, "actor")
        settle()
        times["add"].append(_clock() - t0)
        t0 = _clock()
        vm.relabel_selected("location")
        settle()
        times["relabel"].append(_clock() - t0)
        t0 = _clock()
        vm.delete_selected()
        settle()
        times["delete"].append(_clock() - t0)
        t0 = _clock()
        vm.undo()
        settle()
        times["undo"].append(_clock() - t0)
    t0 = _clock()
    hits = vm.search(QUERY)
    settle()
    result["search"] = _pair(_clock() - t0)
    result["hits"] = len(hits)
    t0 = _clock()
    added = vm.label_all_hits("cue")
    settle()
    result["label_all"] = _pair(_clock() - t0)
    result["labeled"] = len(added or [])
    for name, values in times.items():
        result[name] = [median([v.real for v in values]), median([v.imag for v in values])]
    result["first_add"] = _pair(times["add"][0])
    result["peak_rss_kb"] = peak_rss_kb()
    emit(result)


# -- the bare way -----------------------------------------------------------------------------


def worker_bare(db: Path, actions: int, *, keep_glyphs: bool = False) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    app = QApplication.instance() or QApplication([])
    colors = {"actor": "#4285f4", "location": "#0f9d58", "cue": "#db4437", "quote": "#f4b400"}
    formats = {}
    for label, color in colors.items():
        fmt = QTextCharFormat()
        c = QColor(color)
        c.setAlpha(80)
        fmt.setBackground(c)
        formats[label] = fmt
    hit_format = QTextCharFormat()
    hit_format.setBackground(QColor("#fff176"))

    class Bare(QSyntaxHighlighter):
        def __init__(self, document: Any) -> None:
            super().__init__(document)
            self.spans: list[tuple[int, int, str, int]] = []   # sorted (start, end, label, id)
            self.starts: list[int] = []
            self.hits: list[tuple[int, int]] = []
            self.hit_starts: list[int] = []

        def highlightBlock(self, text: str) -> None:  # noqa: N802
            if keep_glyphs:   # as the app does (annotator.ui.highlighter)
                self.currentBlock().layout().setCacheEnabled(True)
            start = self.currentBlock().position()   # the book has no emoji: UTF-16 = code points
            end = start + len(text)
            i = bisect_left(self.starts, start - 40)
            while i < len(self.spans) and self.spans[i][0] < end:
                s, e, label, _ = self.spans[i]
                if e > start:
                    self.setFormat(max(s, start) - start, min(e, end) - max(s, start),
                                   formats[label])
                i += 1
            j = bisect_left(self.hit_starts, start - 5)
            while j < len(self.hits) and self.hits[j][0] < end:
                s, e = self.hits[j]
                if e > start:
                    self.setFormat(max(s, start) - start, min(e, end) - max(s, start), hit_format)
                j += 1

    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS bare_span (id INTEGER PRIMARY KEY, start INT, "
                 "\"end\" INT, label TEXT, UNIQUE(start, \"end\", label))")
    from PySide6.QtGui import QFont

    from annotator.ui.fonts import load_bundled_fonts

    load_bundled_fonts()
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.document().setDefaultFont(QFont("Amiri", 18))   # the app's article font and size
    view.resize(760, 820)                                # about the app's article at 1400x900
    view.show()
    app.processEvents()
    highlighter = Bare(view.document())

    def settle() -> None:
        view.viewport().repaint()
        app.processEvents()

    def rehighlight(s: int, e: int) -> None:
        doc = view.document()
        block = doc.findBlock(s)
        while block.isValid() and block.position() <= e:
            highlighter.rehighlightBlock(block)
            block = block.next()

    t0 = _clock()
    text = conn.execute("SELECT text FROM document WHERE external_id = 'book'").fetchone()[0]
    rows = conn.execute("SELECT span.start, span.\"end\", span.label, span.id FROM span "
                        "JOIN annotation_set ON annotation_set.id = span.set_id "
                        "ORDER BY span.start").fetchall()
    highlighter.spans = [tuple(r) for r in rows]
    highlighter.starts = [r[0] for r in rows]
    view.setPlainText(text)
    settle()
    result: dict[str, Any] = {"open": _pair(_clock() - t0), "spans": len(rows)}
    targets = _actions(text, {r[0] for r in rows}, actions)
    times: dict[str, list[float]] = {"add": [], "relabel": [], "delete": [], "undo": []}

    def put(s: int, e: int, label: str) -> None:
        span_id = conn.execute("INSERT INTO bare_span (start, \"end\", label) VALUES (?, ?, ?)",
                               (s, e, label)).lastrowid
        conn.commit()
        item = (s, e, label, span_id)
        index = bisect_left(highlighter.spans, item)
        highlighter.spans.insert(index, item)
        highlighter.starts.insert(index, s)
        rehighlight(s, e)
        settle()

    def take(s: int, e: int, label: str) -> None:
        conn.execute("DELETE FROM bare_span WHERE start = ? AND \"end\" = ? AND label = ?",
                     (s, e, label))
        conn.commit()
        index = next(i for i, x in enumerate(highlighter.spans[bisect_left(highlighter.starts, s):],
                                              start=bisect_left(highlighter.starts, s))
                     if x[:3] == (s, e, label))
        del highlighter.spans[index], highlighter.starts[index]
        rehighlight(s, e)
        settle()

    from PySide6.QtGui import QTextCursor

    for start, end in targets:
        # as the app (which shows the place first): the painted region is the same
        cursor = QTextCursor(view.document())
        cursor.setPosition(start)
        view.setTextCursor(cursor)
        view.ensureCursorVisible()
        app.processEvents()
        t0 = _clock()
        put(start, end, "actor")
        times["add"].append(_clock() - t0)
        t0 = _clock()
        conn.execute("UPDATE bare_span SET label = 'location' WHERE start = ? AND \"end\" = ?",
                     (start, end))
        conn.commit()
        index = bisect_left(highlighter.starts, start)
        while highlighter.spans[index][:3] != (start, end, "actor"):
            index += 1
        item = highlighter.spans.pop(index)
        highlighter.starts.pop(index)
        new = (start, end, "location", item[3])
        insort(highlighter.spans, new)
        highlighter.starts.insert(bisect_left(highlighter.spans, new), start)
        rehighlight(start, end)
        settle()
        times["relabel"].append(_clock() - t0)
        t0 = _clock()
        take(start, end, "location")
        times["delete"].append(_clock() - t0)
        t0 = _clock()
        put(start, end, "location")
        times["undo"].append(_clock() - t0)
    t0 = _clock()
    hits = []
    at = text.find(QUERY)
    while at != -1:
        hits.append((at, at + len(QUERY)))
        at = text.find(QUERY, at + 1)
    highlighter.hits = hits
    highlighter.hit_starts = [h[0] for h in hits]
    for s, e in hits:
        rehighlight(s, e)
    settle()
    result["search"] = _pair(_clock() - t0)
    result["hits"] = len(hits)
    t0 = _clock()
    fresh = [h for h in hits]
    conn.executemany("INSERT OR IGNORE INTO bare_span (start, \"end\", label) VALUES (?, ?, 'cue')",
                     fresh)
    conn.commit()
    for s, e in fresh:
        item = (s, e, "cue", 0)
        index = bisect_left(highlighter.spans, item)
        highlighter.spans.insert(index, item)
        highlighter.starts.insert(index, s)
        rehighlight(s, e)
    settle()
    result["label_all"] = _pair(_clock() - t0)
    result["labeled"] = len(fresh)
    for name, values in times.items():
        result[name] = [median([v.real for v in values]), median([v.imag for v in values])]
    result["first_add"] = _pair(times["add"][0])
    result["peak_rss_kb"] = peak_rss_kb()
    emit(result)


# -- cold start -------------------------------------------------------------------------------


def cold(kind: str, db: Path, tmp: Path) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp / "data"),
               XDG_CONFIG_HOME=str(tmp / "config"))
    if kind == "app":
        code = ("import sys; from annotator.ui.app import GuiOptions, run_gui; "
                f"sys.exit(run_gui(GuiOptions(db_url='sqlite:///{db}', user='{USER}', "
                f"screenshot=__import__('pathlib').Path(r'{tmp / 'app.png'}'))))")
    else:
        code = ("import sqlite3; from PySide6.QtWidgets import QApplication, QPlainTextEdit; "
                "a = QApplication([]); w = QPlainTextEdit(); "
                f"w.setPlainText(sqlite3.connect(r'{db}').execute('SELECT text FROM document "
                "ORDER BY external_id LIMIT 1').fetchone()[0]); w.resize(1400, 900); w.show(); "
                f"a.processEvents(); w.grab().save(r'{tmp / 'bare.png'}')")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spans", type=int, default=20_000)
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bare-keeps-glyphs", action="store_true",
                        help="the bare way keeps its paragraphs' shaped glyphs too, as the app "
                             "does (a repaint of Arabic then costs a third)")
    parser.add_argument("--worker", choices=["app", "article", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if args.worker == "bare":
            worker_bare(args.db, args.actions, keep_glyphs=args.bare_keeps_glyphs)
        else:
            worker_app(args.db, args.actions, panels=args.worker == "app")
        return 0
    if not BOOK.is_file():
        raise SystemExit(f"{BOOK} is absent: this benchmark needs ../shared/corpora")
    db = build_store(args.spans)
    print(f"bench_window: the book, {args.spans:,} spans, {args.actions} actions, {args.runs} "
          f"runs; {machine()}")
    results: dict[str, list[dict[str, Any]]] = {"app": [], "article": [], "bare": []}
    for run in range(args.runs):
        order = ("app", "article", "bare") if run % 2 == 0 else ("bare", "article", "app")
        for kind in order:
            scratch = OUT / f"window-{kind}-{run}.sqlite3"
            fresh_copy(db, scratch)
            extra = ["--bare-keeps-glyphs"] if args.bare_keeps_glyphs else []
            results[kind].append(run_worker(Path(__file__), ["--worker", kind, "--db",
                                                              str(scratch), "--actions",
                                                              str(args.actions), *extra]))
    colds: dict[str, list[float]] = {"app": [], "bare": []}
    tmp = OUT / "window-cold"
    tmp.mkdir(parents=True, exist_ok=True)
    small = OUT / "window-cold.sqlite3"
    if not small.exists():
        from annotator.services.project import open_project, seed_if_empty

        store = open_project(f"sqlite:///{small}")
        seed_if_empty(store, actor=USER)
        store.close()
    for run in range(args.runs):
        for kind in (("app", "bare") if run % 2 == 0 else ("bare", "app")):
            colds[kind].append(cold(kind, small, tmp))
    print("app: the window as it opens; article: the same with its side panels (queue, span "
          "list, details) closed" + ("; bare: keeping its shaped glyphs as the app does"
                                     if args.bare_keeps_glyphs else ""))
    for part, title in ((0, "wall time"), (1, "CPU time of the GUI thread")):
        print(f"-- {title}, medians")
        print(f"{'figure':<14}{'app':>12}{'article':>12}{'bare':>12}{'app/bare':>9}"
              f"{'art./bare':>10}")
        for name, unit, scale in (("open", "s", 1), ("add", "ms", 1000),
                                  ("first_add", "ms", 1000), ("relabel", "ms", 1000),
                                  ("delete", "ms", 1000), ("undo", "ms", 1000),
                                  ("search", "s", 1), ("label_all", "s", 1)):
            app = median([r[name][part] for r in results["app"]]) * scale
            article = median([r[name][part] for r in results["article"]]) * scale
            bare = median([r[name][part] for r in results["bare"]]) * scale
            print(f"{name:<14}{app:>9.3f} {unit:<2}{article:>9.3f} {unit:<2}{bare:>9.3f} "
                  f"{unit:<2}{app / bare:>8.1f}x{article / bare:>9.1f}x")
    app, bare = median(colds["app"]), median(colds["bare"])
    print(f"{'cold start':<14}{app:>9.3f} s {'':>12}{bare:>9.3f} s {app / bare:>8.1f}x")
    print(f"hits: app {results['app'][0]['hits']}, bare {results['bare'][0]['hits']}; "
          f"labeled: app {results['app'][0]['labeled']}, bare {results['bare'][0]['labeled']}")
    print(f"peak memory: app {mb(max(r['peak_rss_kb'] for r in results['app'])):.0f} MB, "
          f"article {mb(max(r['peak_rss_kb'] for r in results['article'])):.0f} MB, bare "
          f"{mb(max(r['peak_rss_kb'] for r in results['bare'])):.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
