"""The text core on the 505,354-character book (../shared/corpora/long): tokens, the normalized
search index, and code point <-> UTF-16 conversion (no O(n) scan per call).

    python benchmarks/bench_core.py [--runs 5]

Prints the median of each over the runs (one process: these are pure functions).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, machine  # noqa: E402

BOOK = REPO.parent / "shared" / "corpora" / "long" / \
    "0282AbuHanifaDinawari.AkhbarTiwal.Shamela0009760-ara1.txt"


def measure(text: str) -> dict[str, float]:
    from annotator.core.arabic import tokenize
    from annotator.core.search import SearchIndex
    from annotator.core.text import Utf16Map

    timings = {}
    began = time.perf_counter()
    tokenize(text)
    timings["tokenize"] = time.perf_counter() - began
    began = time.perf_counter()
    SearchIndex(text).find("قال")
    timings["search index + find"] = time.perf_counter() - began
    began = time.perf_counter()
    umap = Utf16Map(text)
    positions = range(0, len(text), 5)
    for i in positions:
        umap.to_codepoint(umap.to_utf16(i))
    elapsed = time.perf_counter() - began
    timings[f"Utf16Map + {len(positions):,} round trips"] = elapsed
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    if not BOOK.is_file():
        raise SystemExit(f"{BOOK} is absent: this benchmark needs ../shared/corpora")
    text = "😀" + BOOK.read_text(encoding="utf-8") + "🇫🇷"
    runs = [measure(text) for _ in range(args.runs)]
    print(f"bench_core: {len(text):,} characters; {args.runs} runs; {machine()}")
    for name in runs[0]:
        print(f"  {name}: median {statistics.median(r[name] for r in runs) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
