"""Opening the book with suggestions in the window: computed when it opens (a screenshot, the
tests) against computed on the window's background thread (the interactive window), offscreen.

    python benchmarks/bench_suggest_background.py [--spans 20000] [--runs 3]

The book's store of bench_gui.py (20,000 spans). Each run is a fresh process per way; the
window is built as `annotator gui` builds it with the book open. Reported: when the window is
built and painted (wall, and the GUI thread's CPU time), when the suggestions are offered, and
how long a turn of the event loop with a repaint of the article takes while they are computed
(median, 90th percentile and the longest, which is the turn that draws them). Medians of runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, emit, fresh_copy, machine, run_worker  # noqa: E402
from bench_gui import USER, build_store  # noqa: E402


def worker(db: Path, background: bool) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from annotator.settings import Settings
    from annotator.ui.app import GuiOptions, build_window, configure_app

    app = QApplication.instance() or QApplication([])
    configure_app(app, "en")
    started, cpu = time.perf_counter(), time.thread_time()
    window = build_window(GuiOptions(db_url=f"sqlite:///{db}", open_document="book"),
                          Settings(), USER, background=background)
    window.resize(1400, 900)
    window.show()
    window.article.viewport().repaint()
    painted, painted_cpu = time.perf_counter() - started, time.thread_time() - cpu
    turns: list[float] = []
    while not window.vm.offers.spans:
        t0 = time.perf_counter()
        window.article.viewport().repaint()
        app.processEvents()
        turns.append(time.perf_counter() - t0)
        time.sleep(0.005)
    offered = time.perf_counter() - started
    turns.sort()
    result: dict[str, Any] = {
        "painted": painted, "painted_cpu": painted_cpu, "offered": offered,
        "suggestions": len(window.vm.offers.spans), "turns": len(turns),
        "turn_median": turns[len(turns) // 2] if turns else 0.0,
        "turn_p90": turns[int(len(turns) * 0.9)] if turns else 0.0,
        "turn_max": turns[-1] if turns else 0.0}
    window.close()
    emit(result)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--spans", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", choices=["open", "background"], help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.db, args.worker == "background")
        return
    store = build_store(args.spans)
    print(f"bench_suggest_background: the book, {args.spans:,} spans, {args.runs} runs; "
          f"{machine()}")
    found: dict[str, list[dict[str, Any]]] = {"open": [], "background": []}
    for run in range(args.runs):
        for way in (("open", "background") if run % 2 == 0 else ("background", "open")):
            db = fresh_copy(store, OUT / f"suggest-bg-{way}.sqlite3")
            found[way].append(run_worker(Path(__file__), ["--worker", way, "--db", str(db)]))
    for way, results in found.items():
        def med(key: str) -> float:
            return statistics.median(r[key] for r in results)
        print(f"{way:10s} painted {med('painted'):.2f} s (GUI CPU {med('painted_cpu'):.2f} s), "
              f"{int(med('suggestions')):,} suggestions offered at {med('offered'):.2f} s; "
              f"turns meanwhile: median {med('turn_median') * 1000:.0f} ms, 90% "
              f"{med('turn_p90') * 1000:.0f} ms, longest {med('turn_max') * 1000:.0f} ms")


if __name__ == "__main__":
    main()
