"""The suggesters (annotator.core.suggest, issue 10): 10,000 articles, the 505k-character book,
one news article warm and cold.

    python benchmarks/bench_suggest.py [--articles 10000] [--runs 3]

Targets: every suggester on 10,000 articles within 60 s in all; the book within 2 s; a news
article within 50 ms (the window runs the suggesters when a document opens; opening with
suggestions on must stay within 0.3 s). Articles come from corpus.py (seed 1, generation not
timed); propagation gets 300 known strings (names and places of the gold and the gazetteer).
Prints medians over the runs; the cold figure is a fresh interpreter's first call (imports and
loading the seeds included).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, machine  # noqa: E402

sys.path.insert(0, str(REPO))
BOOK = REPO.parent / "shared" / "corpora" / "long" / \
    "0282AbuHanifaDinawari.AkhbarTiwal.Shamela0009760-ara1.txt"
NEWS = REPO.parent / "shared" / "corpora" / "news"
GOLD = REPO / "tests" / "data" / "gold" / "news_gold.jsonl"

COLD = """
import sys, time, json
began = time.perf_counter()
sys.path.insert(0, {repo!r})
from annotator.core.suggest import suggest
text = open({path!r}, encoding="utf-8").read()
suggest(text, known={known!r})
print(json.dumps(time.perf_counter() - began))
"""


def known_strings() -> dict[str, str]:
    known: dict[str, str] = {}
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        for span in json.loads(line)["spans"]:
            if span["label"] in ("actor", "location"):
                known[span["text"]] = span["label"]
    names = [ln.strip() for ln in (REPO / "seeds" / "gazetteer.lst").read_text(
        encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    for name in names[::9]:
        if len(known) >= 300:
            break
        known.setdefault(name, "location")
    return known


def timed(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from annotator.core.suggest import SUGGESTERS, default_resources, suggest
    from corpus import ArticleGenerator

    print(json.dumps(machine()))
    known = known_strings()
    default_resources()
    generator = ArticleGenerator()
    texts = [generator.article(1, i).text for i in range(args.articles)]
    chars = sum(map(len, texts))
    spans = 0

    def corpus() -> None:
        nonlocal spans
        spans = sum(len(suggest(t, known=known).spans) for t in texts)

    total = timed(corpus, 1)
    print(f"{args.articles:,} articles ({chars:,} characters), all suggesters: {total:.1f} s "
          f"({spans:,} suggestions; target 60 s)")
    sample = texts[:1000]
    for name in SUGGESTERS:
        one = timed(lambda n=name: [suggest(t, only=[n], known=known) for t in sample], 1)
        print(f"  {name:10} alone on 1,000 articles: {one:.2f} s")
    if BOOK.is_file():
        book = BOOK.read_text(encoding="utf-8")
        print(f"book ({len(book):,} characters), all suggesters: "
              f"{timed(lambda: suggest(book, known=known), args.runs):.2f} s (median of "
              f"{args.runs}; target 2 s)")
    for path in sorted(NEWS.glob("*.txt"))[:6] + [REPO / "seeds" / "000_53e7616c08ffaf74.txt"]:
        text = path.read_text(encoding="utf-8")
        warm = timed(lambda t=text: suggest(t, known=known), 21) * 1000
        cold = statistics.median(float(subprocess.run(
            [sys.executable, "-c", COLD.format(repo=str(REPO), path=str(path), known=known)],
            capture_output=True, text=True, check=True).stdout) for _ in range(args.runs)) * 1000
        print(f"{path.name:42} {len(text):6,} chars: warm {warm:5.1f} ms, cold (fresh "
              f"interpreter, seeds loaded) {cold:6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
