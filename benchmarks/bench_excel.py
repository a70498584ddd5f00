"""Benchmark: export a store of D documents / S spans to an Excel workbook (``--format excel``).

Reuses the store bench_export.py builds (benchmarks/out/store-dD-sS-seedN.sqlite3, from the
generated native JSONL of corpus.py; built here the same way when missing). Each export runs in a
fresh interpreter; its peak RSS is VmHWM, its own high-water mark. A second worker reads the
workbook back (openpyxl read-only) and counts the rows of each sheet, to prove the file is whole.

Targets (issue 4): 300,000 spans within 30 s and under 250 MB.

    /tmp/venv/bin/python benchmarks/bench_excel.py                    # 10,000 docs / 300,000 spans
    /tmp/venv/bin/python benchmarks/bench_excel.py --docs 1000 --spans 30000 --runs 1
    /tmp/venv/bin/python benchmarks/bench_excel.py --profile             # cProfile of one export
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    OUT,
    emit,
    machine,
    mb,
    median,
    peak_rss_kb,
    profile_call,
    rss_now_kb,
    run_worker,
    warm,
)

SCRIPT = Path(__file__).resolve()
TARGET_S = 30.0
TARGET_MB = 250.0


def worker_export(db: Path, out: Path, profile: Path | None) -> None:
    from annotator.db.store import Store
    from annotator.services.exporting import export

    store = Store.open(f"sqlite:///{db}")
    baseline = rss_now_kb()

    def work():
        return export(store, out, fmt="excel", which="all")

    t0 = time.perf_counter()
    (report,) = profile_call(work, profile) if profile else work()
    seconds = time.perf_counter() - t0
    store.close()
    emit({"seconds": seconds, "baseline_rss_kb": baseline, "peak_rss_kb": peak_rss_kb(),
          "rows": report.items, "spans": report.spans, "relations": report.relations,
          "documents": report.documents, "problems": len(report.problems),
          "bytes": out.stat().st_size})


def worker_check(out: Path) -> None:
    from openpyxl import load_workbook

    t0 = time.perf_counter()
    wb = load_workbook(out, read_only=True)
    rows = {}
    for ws in wb.worksheets:
        ws.reset_dimensions()
        rows[ws.title] = sum(1 for _ in ws.iter_rows(values_only=True)) - 1   # less the header
    wb.close()
    emit({"seconds": time.perf_counter() - t0, "rows": rows})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--no-check", action="store_true", help="skip reading the workbook back")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one export (benchmarks/out/profile-excel.txt)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--worker", choices=("export", "check"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "export":
        worker_export(args.db, args.out, args.profile_out)
        return 0
    if args.worker == "check":
        worker_check(args.out)
        return 0

    from bench_export import store_file  # builds the store the same way when it is missing

    db, _ = store_file(args.docs, args.spans, args.seed)
    print(f"bench_excel: {args.docs} documents / {args.spans} spans in {db.name}; "
          f"{args.runs} run(s); {machine()}", flush=True)
    warm(db)
    tmp = Path(tempfile.mkdtemp(prefix="bench-excel-"))
    out = tmp / "export.xlsx"
    runs = []
    try:
        for run in range(args.runs):
            r = run_worker(SCRIPT, ["--worker", "export", "--db", str(db), "--out", str(out)])
            runs.append(r)
            print(f"  run {run + 1}: {r['seconds']:.2f} s, peak RSS {mb(r['peak_rss_kb']):.1f} MB "
                  f"(before work {mb(r['baseline_rss_kb']):.1f} MB), {r['rows']:,} rows, "
                  f"{r['bytes'] / 2**20:.1f} MiB, {r['problems']} problems", flush=True)
        check = None
        if not args.no_check:
            check = run_worker(SCRIPT, ["--worker", "check", "--out", str(out)])
            print(f"  read back (openpyxl read-only) in {check['seconds']:.1f} s: "
                  + ", ".join(f"{k} {v:,} rows" for k, v in check["rows"].items()))
            if check["rows"].get("Spans") != runs[-1]["spans"]:
                print("  MISMATCH: the Spans sheet does not hold every span")
        if args.profile:
            prof = OUT / "profile-excel.txt"
            r = run_worker(SCRIPT, ["--worker", "export", "--db", str(db), "--out", str(out),
                                    "--profile-out", str(prof)])
            print(f"profiled run: {r['seconds']:.2f} s under cProfile; top functions in {prof}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    seconds = median([r["seconds"] for r in runs])
    peak = mb(median([r["peak_rss_kb"] for r in runs]))
    print(f"median Excel export: {seconds:.2f} s ({args.spans / seconds:,.0f} spans/s), peak RSS "
          f"{peak:.1f} MB; targets {TARGET_S:.0f} s and {TARGET_MB:.0f} MB: "
          f"{'OK' if seconds <= TARGET_S and peak <= TARGET_MB else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"docs": args.docs, "spans": args.spans, "runs": runs,
                                         "check": check, "median_s": seconds, "peak_rss_mb": peak,
                                         "machine": machine()}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
