"""Benchmark: import N generated article .txt files into a fresh SQLite store.

Compares ``annotator.services.importing.import_paths`` with the bare way (read + decode each file,
SHA-256, one ``sqlite3`` ``executemany`` of (external_id, title, text, sha256) into a plain table in
one transaction). Each measurement runs in a fresh interpreter so its peak RSS (ru_maxrss) is its
own. Target: import_paths within 3x of the bare way.

    /tmp/venv/bin/python benchmarks/bench_import.py                 # 10,000 files, 3 runs each
    /tmp/venv/bin/python benchmarks/bench_import.py --n 1000 --runs 1
    /tmp/venv/bin/python benchmarks/bench_import.py --profile       # cProfile of one import
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from _common import (OUT, emit, machine, mb, median, peak_rss_kb, profile_call, rss_now_kb,
                     run_worker)

SCRIPT = Path(__file__).resolve()
TARGET = 3.0


def corpus_dir(n: int, seed: int) -> Path:
    """The generated articles (cached in benchmarks/out/)."""
    folder = OUT / f"texts-n{n}-seed{seed}"
    marker = folder / ".complete"
    if not marker.exists():
        import corpus

        if folder.exists():
            shutil.rmtree(folder)
        t0 = time.perf_counter()
        corpus.write_texts(folder, n, seed=seed)
        marker.write_text("ok\n")
        print(f"generated {n} articles in {folder} ({time.perf_counter() - t0:.1f} s)")
    return folder


# -- workers (run in a fresh interpreter) ------------------------------------------------------


def worker_annotator(src: Path, db: Path, n: int, profile: Path | None) -> None:
    from annotator.db.store import Store
    from annotator.services.importing import import_paths

    t0 = time.perf_counter()
    store = Store.open(f"sqlite:///{db}")
    opened = time.perf_counter() - t0
    baseline = rss_now_kb()

    def work():
        return import_paths(store, [src], actor="bench")

    t0 = time.perf_counter()
    report = profile_call(work, profile) if profile else work()
    seconds = time.perf_counter() - t0
    store.close()
    if report.errors or report.documents_added != n:
        raise SystemExit(f"import went wrong: added {report.documents_added}, "
                         f"errors {report.errors[:3]}")
    emit({"seconds": seconds, "open_s": opened, "baseline_rss_kb": baseline,
          "peak_rss_kb": peak_rss_kb(), "documents": report.documents_added})


def worker_bare(src: Path, db: Path, n: int) -> None:
    conn = sqlite3.connect(db)
    # The same durability settings as the store (annotator.db.engine).
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE document (id INTEGER PRIMARY KEY, external_id TEXT, title TEXT, "
                 "text TEXT, sha256 TEXT)")
    conn.commit()
    baseline = rss_now_kb()
    t0 = time.perf_counter()

    def rows():  # a generator: the files are streamed into executemany, not held in memory
        for path in sorted(p for p in src.rglob("*") if p.is_file() and p.suffix == ".txt"):
            text = path.read_bytes().decode("utf-8")
            title = next(line.strip() for line in text.split("\n") if line.strip())
            yield path.stem, title, text, hashlib.sha256(text.encode("utf-8")).hexdigest()

    with conn:  # one transaction
        conn.executemany("INSERT INTO document (external_id, title, text, sha256) "
                         "VALUES (?, ?, ?, ?)", rows())
    seconds = time.perf_counter() - t0
    count = conn.execute("SELECT count(*) FROM document").fetchone()[0]
    conn.close()
    if count != n:
        raise SystemExit(f"bare import wrote {count} rows, expected {n}")
    emit({"seconds": seconds, "baseline_rss_kb": baseline, "peak_rss_kb": peak_rss_kb(),
          "documents": count})


# -- driver ------------------------------------------------------------------------------------


def measure(kind: str, src: Path, n: int, *, profile: Path | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        args = ["--worker", kind, "--src", str(src), "--db", str(tmp / "store.sqlite3"),
                "--n", str(n)]
        if profile:
            args += ["--profile-out", str(profile)]
        return run_worker(SCRIPT, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="article files (default 10000)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true",
                        help="also profile one import_paths run (benchmarks/out/profile-import.txt)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--worker", choices=("annotator", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "annotator":
        worker_annotator(args.src, args.db, args.n, args.profile_out)
        return 0
    if args.worker == "bare":
        worker_bare(args.src, args.db, args.n)
        return 0

    src = corpus_dir(args.n, args.seed)
    size = sum(p.stat().st_size for p in src.glob("*.txt"))
    for p in src.glob("*.txt"):  # warm the page cache for both contenders
        p.read_bytes()
    print(f"bench_import: {args.n} files ({size / 2**20:.1f} MiB) from {src}; {args.runs} runs; "
          f"{machine()}")
    results: dict[str, list[dict]] = {"annotator": [], "bare": []}
    for run in range(args.runs):
        order = ("annotator", "bare") if run % 2 == 0 else ("bare", "annotator")
        for kind in order:
            r = measure(kind, src, args.n)
            results[kind].append(r)
            print(f"  run {run + 1} {kind:9s} {r['seconds']:7.2f} s  peak RSS "
                  f"{mb(r['peak_rss_kb']):6.1f} MB (before work {mb(r['baseline_rss_kb']):5.1f} MB)",
                  flush=True)
    ann = median([r["seconds"] for r in results["annotator"]])
    bare = median([r["seconds"] for r in results["bare"]])
    ann_rss = median([r["peak_rss_kb"] for r in results["annotator"]])
    ann_base = median([r["baseline_rss_kb"] for r in results["annotator"]])
    bare_rss = median([r["peak_rss_kb"] for r in results["bare"]])
    ratio = ann / bare
    print(f"median import_paths: {ann:.2f} s ({args.n / ann:,.0f} docs/s), peak RSS "
          f"{mb(ann_rss):.1f} MB (+{mb(ann_rss - ann_base):.1f} MB over the {mb(ann_base):.1f} MB "
          f"before import); store open/migrate {median([r['open_s'] for r in results['annotator']]):.2f} s")
    print(f"median bare sqlite3: {bare:.2f} s ({args.n / bare:,.0f} docs/s), peak RSS "
          f"{mb(bare_rss):.1f} MB")
    verdict = "OK" if ratio <= TARGET else "MISSED"
    print(f"ratio import_paths / bare = {ratio:.2f}x (target <= {TARGET:.0f}x): {verdict}")
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "runs": results, "median_annotator_s": ann,
                                         "median_bare_s": bare, "ratio": ratio,
                                         "peak_rss_mb": mb(ann_rss), "machine": machine()},
                                        indent=1))
    if args.profile:
        out = OUT / "profile-import.txt"
        r = measure("annotator", src, args.n, profile=out)
        print(f"profiled run: {r['seconds']:.2f} s under cProfile; top functions in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
