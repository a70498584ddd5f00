"""Benchmark: export a store of D documents / S spans to CoNLL, against native JSONL.

Reuses the store bench_export.py builds (cached as benchmarks/out/store-d{D}-s{S}-seed{seed}
.sqlite3; built the same way when missing). Times ``export(store, out, fmt="conll")`` (iob2,
whole tokens, outer nesting: the defaults) and ``export(store, out, fmt="jsonl")`` of the same
store, ``--set all``, each in a fresh interpreter, alternating which goes first; medians of the
runs. Reports the CoNLL export's report counts (expanded, nested, ...) too.

Target: CoNLL within 3x the JSONL time.

    /tmp/venv/bin/python benchmarks/bench_conll.py                  # 10,000 docs / 300,000 spans
    /tmp/venv/bin/python benchmarks/bench_conll.py --docs 1000 --spans 30000 --runs 1
    /tmp/venv/bin/python benchmarks/bench_conll.py --tokens clitics --nested layers --scheme bilou
    /tmp/venv/bin/python benchmarks/bench_conll.py --profile        # cProfile of one CoNLL export
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path

from _common import OUT, emit, machine, mb, median, peak_rss_kb, profile_call, run_worker, warm
from bench_export import store_file

SCRIPT = Path(__file__).resolve()
TARGET = 3.0


def worker(kind: str, db: Path, out: Path, options: dict[str, str], profile: Path | None) -> None:
    from annotator.db.store import Store
    from annotator.exports.base import ExportOptions
    from annotator.services.exporting import export

    store = Store.open(f"sqlite:///{db}")
    opts = ExportOptions(**options)

    def work():
        return export(store, out, fmt=kind, which="all", options=opts)

    t0 = time.perf_counter()
    (report,) = profile_call(work, profile) if profile else work()
    seconds = time.perf_counter() - t0
    store.close()
    emit({"seconds": seconds, "peak_rss_kb": peak_rss_kb(), "items": report.items,
          "spans": report.spans, "counts": report.counts, "bytes": out.stat().st_size})


def measure(kind: str, db: Path, options: dict[str, str], *, profile: Path | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-conll-"))
    try:
        args = ["--worker", kind, "--db", str(db), "--out", str(tmp / f"export.{kind}"),
                "--options", json.dumps(options)]
        if profile:
            args += ["--profile-out", str(profile)]
        return run_worker(SCRIPT, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scheme", default="iob2")
    parser.add_argument("--tokens", default="whole")
    parser.add_argument("--nested", default="outer")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one CoNLL export (benchmarks/out/profile-conll.txt)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--worker", choices=("conll", "jsonl"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--options", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        worker(args.worker, args.db, args.out, json.loads(args.options), args.profile_out)
        return 0

    options = {"scheme": args.scheme, "tokens": args.tokens, "nested": args.nested}
    db, _ = store_file(args.docs, args.spans, args.seed)
    print(f"bench_conll: {args.docs} documents / {args.spans} spans in {db.name}; "
          f"{args.runs} runs; CoNLL options {options}; {machine()}")
    warm(db)
    results: dict[str, list[dict]] = {"conll": [], "jsonl": []}
    for run in range(args.runs):
        for kind in (("conll", "jsonl") if run % 2 == 0 else ("jsonl", "conll")):
            r = measure(kind, db, options)
            results[kind].append(r)
            unit = "sentences" if kind == "conll" else "lines"
            print(f"  run {run + 1} {kind:5s} {r['seconds']:7.2f} s  peak RSS "
                  f"{mb(r['peak_rss_kb']):6.1f} MB  {r['items']} {unit}, "
                  f"{r['bytes'] / 2**20:.0f} MiB", flush=True)
    conll = median([r["seconds"] for r in results["conll"]])
    jsonl = median([r["seconds"] for r in results["jsonl"]])
    ratio = conll / jsonl
    counts = results["conll"][0]["counts"]
    print(f"median CoNLL export: {conll:.2f} s; median JSONL export: {jsonl:.2f} s")
    print(f"CoNLL report: {counts}")
    print(f"ratio CoNLL / JSONL = {ratio:.2f}x (target <= {TARGET:.0f}x): "
          f"{'OK' if ratio <= TARGET else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"docs": args.docs, "spans": args.spans,
                                         "options": options, "runs": results,
                                         "median_conll_s": conll, "median_jsonl_s": jsonl,
                                         "ratio": ratio, "machine": machine()}, indent=1))
    if args.profile:
        out = OUT / "profile-conll.txt"
        r = measure("conll", db, options, profile=out)
        print(f"profiled run: {r['seconds']:.2f} s under cProfile; top functions in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
