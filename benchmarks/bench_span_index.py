"""The open set's span index with long spans: every paragraph of a 505,000-character text asks
which spans overlap it (as the highlighter does at open), with 20,000 short spans alone and with
a few long ones (a 5,000- or 50,000-character quote, 300 quotes of 100-800 characters).

    python benchmarks/bench_span_index.py [--runs 7]

Best of the runs, CPU time. Before long spans were kept apart (2026-11-30), one 50,000-character
span made every lookup scan back 50,000 characters of spans: 264 ms against 10 ms.
"""

from __future__ import annotations

import argparse
import random
import time

from annotator.core.model import Span
from annotator.ui.viewmodels.spans import SpanIndex

LENGTH = 505_000
BLOCK = 58   # the book's mean paragraph, in characters


def lookups(spans: list[Span], runs: int) -> tuple[float, int]:
    index = SpanIndex(spans)
    best, total = float("inf"), 0
    for _ in range(runs):
        started, total = time.thread_time(), 0
        for block in range(0, LENGTH, BLOCK):
            total += len(index.overlapping(block, block + BLOCK))
        best = min(best, time.thread_time() - started)
    return best, total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(1)
    text = "x" * LENGTH
    short = []
    for i in range(20_000):
        start = rng.randrange(0, LENGTH - 20)
        end = start + rng.randrange(3, 17)
        short.append(Span(start=start, end=end, label="actor", text=text[start:end], id=i + 1))
    quotes = []
    for j in range(300):
        start = rng.randrange(0, LENGTH - 900)
        end = start + rng.randrange(100, 800)
        quotes.append(Span(start=start, end=end, label="quote", text=text[start:end],
                           id=100_000 + j))
    cases = {
        "20,000 short spans": short,
        "+ one 5,000-character quote": [*short, Span(start=1_000, end=6_000, label="quote",
                                                     text=text[1_000:6_000], id=99_999)],
        "+ one 50,000-character span": [*short, Span(start=1_000, end=51_000, label="quote",
                                                     text=text[1_000:51_000], id=99_999)],
        "+ 300 quotes of 100-800": short + quotes,
    }
    print(f"bench_span_index: {LENGTH:,} characters, a lookup per {BLOCK} characters, "
          f"best of {args.runs}")
    for name, spans in cases.items():
        seconds, found = lookups(spans, args.runs)
        print(f"{name:32s} {seconds * 1000:8.1f} ms  ({found:,} spans found)")


if __name__ == "__main__":
    main()
