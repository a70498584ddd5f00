"""Going through a long document's suggestions in the window, side by side with the bare way
(issue 11: the suggestions follow the window's rule, within 2x of the bare way in the same run).

    python benchmarks/bench_suggest_actions.py [--steps 60] [--runs 3]

The book's store of bench_gui.py (the 505k-character book, 20,000 spans of the annotator on
whole words); the suggesters offer about 62,000 more (their labeled words propagated, cues,
places, quotes). Each run is a fresh process per way, the app's and the bare way's one after
the other (their order alternates), on fresh copies of the store:
- next (Tab): the next offered suggestion becomes current, drawn, the view follows;
- accept (Enter): the current suggestion into the annotator's set (origin and source kept) in
  one committed transaction with a journal row, drawn as a span, then on to the next one.

The bare way, doing the kind of work the app does for each action (no more): sqlite3 reads of
the book and the annotator's spans; the same suggesters' output, computed before the timing; a
QPlainTextEdit whose highlighter bisects the sorted spans (filled) and the offered suggestions
(dotted, the current one waved on a light ground); Tab moves to the next offered one, the cursor
follows, the old and the new current paragraphs are highlighted again; Enter inserts the span
and a journal row in one transaction, highlights its paragraph again and moves on as Tab does.
Figures are the GUI thread's CPU time, medians over the steps, then over the runs.
"""

from __future__ import annotations

import json
import os
import sys
from bisect import bisect_left, insort
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bare import cpu_of, move_to  # noqa: E402
from _common import (  # noqa: E402
    emit,
    machine,
    median,
    ran_as_worker,
    side_by_side,
    side_by_side_args,
    side_by_side_runs,
)
from bench_gui import BOOK, USER, build_store  # noqa: E402

SPANS = 20_000


def worker(db: Path, steps: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from annotator.settings import Settings
    from annotator.ui.app import GuiOptions, build_window, configure_app

    app = QApplication.instance() or QApplication([])
    configure_app(app, "en")
    window = build_window(GuiOptions(db_url=f"sqlite:///{db}", open_document="book"),
                          Settings(), USER, background=False)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    vm = window.vm
    offered = len(vm.offers.offered())
    moves, accepts = [], []
    for _ in range(steps):
        moves.append(cpu_of(vm.next_suggestion, window.article, app))
        accepts.append(cpu_of(vm.accept_suggestion, window.article, app))
    emit({"offered": offered, "spans_after": len(vm.spans),
          "next_cpu_ms": median(moves) * 1000, "accept_cpu_ms": median(accepts) * 1000})


def worker_bare(db: Path, steps: int) -> None:
    import sqlite3

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from annotator.core.schema import load_schema
    from annotator.core.suggest import default_resources, suggest
    from annotator.services.project import schema_path
    from annotator.ui.fonts import load_bundled_fonts

    app = QApplication.instance() or QApplication([])
    load_bundled_fonts()
    schema = load_schema(schema_path())
    colors = {label.name: QColor(label.color) for label in schema.labels}
    conn = sqlite3.connect(db)
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "synchronous=NORMAL"):   # the app's
        conn.execute(f"PRAGMA {pragma}")
    conn.execute("CREATE TABLE IF NOT EXISTS bare_span (start INT, \"end\" INT, label TEXT, "
                 "text TEXT, source TEXT, UNIQUE(start, \"end\", label))")
    conn.execute("CREATE TABLE IF NOT EXISTS bare_journal (at TEXT, actor TEXT, action TEXT, "
                 "after TEXT)")
    conn.commit()
    text = conn.execute("SELECT text FROM document WHERE external_id = 'book'").fetchone()[0]
    own = sorted(conn.execute(
        "SELECT span.start, span.\"end\", span.label FROM span JOIN annotation_set ON "
        "annotation_set.id = span.set_id JOIN annotator ON annotator.id = annotation_set.owner_id "
        "JOIN document ON document.id = annotation_set.document_id WHERE annotator.name = ? "
        "AND document.external_id = 'book' AND annotation_set.kind = 'annotation'", (USER,)))
    # the same suggesters on the same text, with the annotator's labeled names (not timed)
    names = [label.name for label in schema.labels if label.strips_clitics]
    counts: dict[tuple[str, str], int] = {}
    for start, end, label in own:
        if label in names:
            counts[(text[start:end], label)] = counts.get((text[start:end], label), 0) + 1
    known: dict[str, str] = {}
    for (string, label), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][1])):
        known.setdefault(string, label)
    found = suggest(text, known=known, resources=default_resources())
    have = set(own)
    suggested = sorted({(s.start, s.end, s.label): s for s in found.spans
                        if schema.has_label(s.label)}.items())
    offers = [key for key, _ in suggested if key not in have]
    sources = {key: json.dumps({"suggester": s.suggester, "confidence": s.confidence})
               for key, s in suggested}

    formats: dict[tuple[str, str], QTextCharFormat] = {}

    def look(label: str, how: str) -> QTextCharFormat:
        fmt = formats.get((label, how))
        if fmt is None:
            fmt = formats[(label, how)] = QTextCharFormat()
            color = QColor(colors.get(label, QColor("#9e9e9e")))
            if how == "span":
                color.setAlpha(80)
                fmt.setBackground(color)
            else:
                fmt.setUnderlineColor(color)
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline
                                      if how == "current" else
                                      QTextCharFormat.UnderlineStyle.DotLine)
                if how == "current":
                    fmt.setBackground(QColor(96, 125, 139, 45))
        return fmt

    class Bare(QSyntaxHighlighter):
        def __init__(self, document: Any) -> None:
            super().__init__(document)
            self.current: tuple[int, int, str] | None = None
            self.offered: list[tuple[int, int, str]] = []
            self.spans: list[tuple[int, int, str]] = []

        def highlightBlock(self, block_text: str) -> None:  # noqa: N802
            start = self.currentBlock().position()
            end = start + len(block_text)
            for items, how in ((self.offered, "offer"), (self.spans, "span")):
                i = bisect_left(items, (start - 60,))
                while i < len(items) and items[i][0] < end:
                    s, e, label = items[i]
                    if e > start:
                        self.setFormat(max(s, start) - start, min(e, end) - max(s, start),
                                       look(label, "current" if items[i] == self.current
                                            and how == "offer" else how))
                    i += 1

    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.document().setDefaultFont(QFont("Amiri", 18))
    view.setFixedSize(716, 783)        # the app's article at 1400 x 900
    view.show()
    app.processEvents()
    highlighter = Bare(view.document())
    highlighter.spans, highlighter.offered = own, offers
    view.setPlainText(text)            # (the book has no characters outside the BMP)
    view.viewport().repaint()
    accepted: set[tuple[int, int, str]] = set()
    position = -1

    def move_on() -> None:
        nonlocal position
        old = highlighter.current
        position += 1
        while offers[position] in accepted:
            position += 1
        highlighter.current = offers[position]
        move_to(view, highlighter, old, offers[position])   # the view follows, as the app's

    def accept() -> None:
        key = highlighter.current
        assert key is not None
        with conn:   # one transaction: the span with its source, the journal
            conn.execute("INSERT INTO bare_span VALUES (?, ?, ?, ?, ?)",
                         (*key, text[key[0]:key[1]], sources[key]))
            conn.execute("INSERT INTO bare_journal VALUES (datetime('now'), ?, 'add', ?)",
                         (USER, json.dumps({"start": key[0], "end": key[1], "label": key[2],
                                            "origin": "suggested", "source": sources[key]})))
        accepted.add(key)
        insort(highlighter.spans, key)
        move_on()

    moves, accepts = [], []
    for _ in range(steps):
        moves.append(cpu_of(move_on, view, app))
        accepts.append(cpu_of(accept, view, app))
    emit({"offered": len(offers), "spans_after": len(highlighter.spans),
          "next_cpu_ms": median(moves) * 1000, "accept_cpu_ms": median(accepts) * 1000})


def main(argv: list[str] | None = None) -> int:
    args = side_by_side_args(__doc__ or "", argv)
    if ran_as_worker(args, worker, worker_bare):
        return 0
    if not BOOK.is_file():
        raise SystemExit(f"{BOOK} is absent: this benchmark needs ../shared/corpora")
    db = build_store(SPANS)
    print(f"bench_suggest_actions: the book, {SPANS:,} spans of {USER}; {args.steps} steps, "
          f"{args.runs} runs; {machine()}")
    apps, bares = side_by_side_runs(
        Path(__file__), db, "suggest-actions", args.runs, ["--steps", str(args.steps)],
        lambda run, app, bare_run: (
            f"  run {run}: offered app {app['offered']:,}, bare {bare_run['offered']:,}; "
            f"next {app['next_cpu_ms']:.2f} vs {bare_run['next_cpu_ms']:.2f} ms, accept "
            f"{app['accept_cpu_ms']:.2f} vs {bare_run['accept_cpu_ms']:.2f} ms"))
    print(side_by_side("next suggestion (CPU)", "next_cpu_ms", apps, bares, "ms"))
    print(side_by_side("accept a suggestion (CPU)", "accept_cpu_ms", apps, bares, "ms"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
