"""Benchmark: export a store of D documents / S spans to native JSONL (``--set all``).

Builds once (cached in benchmarks/out/) a SQLite store by importing a generated native JSONL file
(benchmarks/corpus.py), then compares ``annotator.services.exporting.export_jsonl(which="all")``
with the bare way: a plain ``sqlite3`` loop over the documents (by external id) selecting each
document's sets, spans and relations and writing one ``json.dumps`` line per (document, set), in
the same format. Each measurement runs in a fresh interpreter; its peak RSS (ru_maxrss) is its own.

Targets: export within 2x of the bare way; memory flat: the export's peak RSS on D/S is not much
above its peak RSS on a store a tenth the size (``--small-docs``/``--small-spans``).

    /tmp/venv/bin/python benchmarks/bench_export.py                      # 10,000 docs / 300,000 spans
    /tmp/venv/bin/python benchmarks/bench_export.py --docs 1000 --spans 30000 --runs 1 --no-flat
    /tmp/venv/bin/python benchmarks/bench_export.py --profile            # cProfile of one export
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

from _common import (OUT, emit, import_into_new_store, machine, mb, median, peak_rss_kb,
                     profile_call, rss_now_kb, run_worker, warm)

SCRIPT = Path(__file__).resolve()
TARGET = 2.0
FLAT_TOLERANCE = 1.25  # "flat": the big export's peak RSS at most 25% above the small one's


def corpus_file(docs: int, spans: int, seed: int) -> Path:
    path = OUT / f"corpus-d{docs}-s{spans}-seed{seed}.jsonl"
    if not path.exists():
        import corpus

        t0 = time.perf_counter()
        totals = corpus.write_jsonl(path, docs, spans, seed=seed)
        print(f"generated {path.name}: {totals['documents']} documents, {totals['spans']} spans, "
              f"{totals['relations']} relations ({time.perf_counter() - t0:.1f} s)", flush=True)
    return path


def store_file(docs: int, spans: int, seed: int, *, rebuild: bool = False) -> tuple[Path, dict]:
    """The store built from the generated JSONL (cached), and the figures of its import."""
    path = OUT / f"store-d{docs}-s{spans}-seed{seed}.sqlite3"
    info = path.with_suffix(".build.json")
    if rebuild or not (path.exists() and info.exists()):
        src = corpus_file(docs, spans, seed)
        part = path.with_name(path.name + ".part")
        for stale in (part, Path(f"{part}-wal"), Path(f"{part}-shm"), path, info):
            stale.unlink(missing_ok=True)
        print(f"building {path.name} (import_paths of {src.name}) ...", flush=True)
        built = run_worker(SCRIPT, ["--worker", "build", "--src", str(src), "--db", str(part),
                                    "--docs", str(docs), "--spans", str(spans)], timeout=3600)
        part.replace(path)
        info.write_text(json.dumps(built, indent=1))
        print(f"  built in {built['seconds']:.1f} s, import peak RSS "
              f"{mb(built['peak_rss_kb']):.1f} MB", flush=True)
    return path, json.loads(info.read_text())


# -- workers (run in a fresh interpreter) ------------------------------------------------------


def worker_build(src: Path, db: Path, docs: int, spans: int, profile: Path | None) -> None:
    seconds, baseline = import_into_new_store(src, db, docs, spans, profile)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, safe to rename
    conn.close()
    emit({"seconds": seconds, "baseline_rss_kb": baseline, "peak_rss_kb": peak_rss_kb(),
          "documents": docs, "spans": spans})


def worker_export(db: Path, out: Path, profile: Path | None) -> None:
    from annotator.db.store import Store
    from annotator.services.exporting import export_jsonl

    store = Store.open(f"sqlite:///{db}")
    baseline = rss_now_kb()

    def work():
        return export_jsonl(store, out, which="all")

    t0 = time.perf_counter()
    report = profile_call(work, profile) if profile else work()
    seconds = time.perf_counter() - t0
    store.close()
    emit({"seconds": seconds, "baseline_rss_kb": baseline, "peak_rss_kb": peak_rss_kb(),
          "lines": report.lines, "spans": report.spans, "sha256": _file_sha(out)})


_KIND_ORDER = "CASE s.kind WHEN 'annotation' THEN 0 WHEN 'gold' THEN 1 ELSE 2 END"


def worker_bare(db: Path, out: Path) -> None:
    """The same file, the plain way: one query per document for its sets, one per set for its
    spans and one for its relations, json.dumps per line."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    baseline = rss_now_kb()
    t0 = time.perf_counter()
    dumps, loads = json.dumps, json.loads
    sets_q = (f"SELECT s.id, a.name, s.status FROM annotation_set s JOIN annotator a "
              f"ON a.id = s.owner_id WHERE s.document_id = ? ORDER BY {_KIND_ORDER}, a.name")
    spans_q = ('SELECT id, start, "end", label, attributes, note FROM span WHERE set_id = ? '
               'ORDER BY start, "end", label, id')
    rels_q = "SELECT type, head_id, tail_id FROM relation WHERE set_id = ?"
    lines = spans_n = 0
    docs = conn.cursor()
    inner = conn.cursor()
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        for doc_id, ext, title, text, sha, meta in docs.execute(
                "SELECT id, external_id, title, text, sha256, meta FROM document "
                "ORDER BY external_id"):
            meta = loads(meta) if meta else {}
            sets = inner.execute(sets_q, (doc_id,)).fetchall() or [(None, None, None)]
            for set_id, owner, status in sets:
                spans, key_of = [], {}
                if set_id is not None:
                    for n, (sid, start, end, label, attrs, note) in enumerate(
                            inner.execute(spans_q, (set_id,)).fetchall(), start=1):
                        key_of[sid] = n
                        item = {"id": f"s{n}", "start": start, "end": end, "label": label,
                                "text": text[start:end],
                                "attributes": loads(attrs) if attrs else {}}
                        if note:
                            item["note"] = note
                        spans.append(item)
                    rels = sorted((t, key_of[h], key_of[tl]) for t, h, tl
                                  in inner.execute(rels_q, (set_id,)).fetchall())
                else:
                    rels = []
                record = {"doc_id": ext, "title": title, "text": text, "sha256": sha,
                          "annotator": owner, "status": status, "spans": spans,
                          "relations": [{"type": t, "head": f"s{h}", "tail": f"s{tl}"}
                                        for t, h, tl in rels],
                          "meta": meta}
                fh.write(dumps(record, ensure_ascii=False))
                fh.write("\n")
                lines += 1
                spans_n += len(spans)
    seconds = time.perf_counter() - t0
    conn.close()
    emit({"seconds": seconds, "baseline_rss_kb": baseline, "peak_rss_kb": peak_rss_kb(),
          "lines": lines, "spans": spans_n, "sha256": _file_sha(out)})


def _file_sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# -- driver ------------------------------------------------------------------------------------


def measure(kind: str, db: Path, *, profile: Path | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        args = ["--worker", kind, "--db", str(db), "--out", str(tmp / "export.jsonl")]
        if profile:
            args += ["--profile-out", str(profile)]
        return run_worker(SCRIPT, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _line(label: str, r: dict) -> str:
    return (f"{label:9s} {r['seconds']:7.2f} s  peak RSS {mb(r['peak_rss_kb']):6.1f} MB "
            f"(before work {mb(r['baseline_rss_kb']):5.1f} MB)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=300_000)
    parser.add_argument("--small-docs", type=int, help="flatness reference (default docs/10)")
    parser.add_argument("--small-spans", type=int, help="flatness reference (default spans/10)")
    parser.add_argument("--no-flat", action="store_true", help="skip the memory-flatness check")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true",
                        help="also profile one export (benchmarks/out/profile-export.txt)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached store(s)")
    parser.add_argument("--profile-build", action="store_true",
                        help="profile one import of the JSONL into a scratch store "
                             "(benchmarks/out/profile-import-jsonl.txt)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--worker", choices=("build", "export", "bare"), help=argparse.SUPPRESS)
    parser.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker == "build":
        worker_build(args.src, args.db, args.docs, args.spans, args.profile_out)
        return 0
    if args.worker == "export":
        worker_export(args.db, args.out, args.profile_out)
        return 0
    if args.worker == "bare":
        worker_bare(args.db, args.out)
        return 0

    db, built = store_file(args.docs, args.spans, args.seed, rebuild=args.rebuild)
    print(f"bench_export: {args.docs} documents / {args.spans} spans in {db.name} "
          f"({db.stat().st_size / 2**20:.0f} MiB); {args.runs} runs; {machine()}")
    print(f"  (building it: import_paths of the JSONL took {built['seconds']:.1f} s, peak RSS "
          f"{mb(built['peak_rss_kb']):.1f} MB)")
    warm(db)  # page cache; chunked, so this driver's RSS stays small
    results: dict[str, list[dict]] = {"export": [], "bare": []}
    for run in range(args.runs):
        order = ("export", "bare") if run % 2 == 0 else ("bare", "export")
        for kind in order:
            r = measure(kind, db)
            results[kind].append(r)
            print(f"  run {run + 1} {_line(kind, r)}", flush=True)
    exp = median([r["seconds"] for r in results["export"]])
    bare = median([r["seconds"] for r in results["bare"]])
    exp_rss = median([r["peak_rss_kb"] for r in results["export"]])
    exp_base = median([r["baseline_rss_kb"] for r in results["export"]])
    bare_rss = median([r["peak_rss_kb"] for r in results["bare"]])
    same = results["export"][0]["sha256"] == results["bare"][0]["sha256"]
    ratio = exp / bare
    print(f"median export_jsonl: {exp:.2f} s ({args.docs / exp:,.0f} docs/s, "
          f"{args.spans / exp:,.0f} spans/s), peak RSS {mb(exp_rss):.1f} MB "
          f"(+{mb(exp_rss - exp_base):.1f} MB over the {mb(exp_base):.1f} MB before export)")
    print(f"median bare sqlite3: {bare:.2f} s, peak RSS {mb(bare_rss):.1f} MB; "
          f"the two files are {'byte-identical' if same else 'DIFFERENT'}")
    print(f"ratio export_jsonl / bare = {ratio:.2f}x (target <= {TARGET:.0f}x): "
          f"{'OK' if ratio <= TARGET else 'MISSED'}")
    figures = {"docs": args.docs, "spans": args.spans, "build": built, "runs": results,
               "median_export_s": exp, "median_bare_s": bare, "ratio": ratio,
               "peak_rss_mb": mb(exp_rss), "identical": same, "machine": machine()}

    if not args.no_flat:
        small_docs = args.small_docs or max(1, args.docs // 10)
        small_spans = args.small_spans or max(0, args.spans // 10)
        small_db, _ = store_file(small_docs, small_spans, args.seed, rebuild=args.rebuild)
        small = []
        for run in range(args.runs):
            r = measure("export", small_db)
            small.append(r)
            print(f"  small run {run + 1} {_line('export', r)}  [{small_docs}/{small_spans}]",
                  flush=True)
        small_rss = median([r["peak_rss_kb"] for r in small])
        small_base = median([r["baseline_rss_kb"] for r in small])
        growth = exp_rss / small_rss
        print(f"memory flatness: peak RSS {mb(small_rss):.1f} MB on {small_docs}/{small_spans} "
              f"(+{mb(small_rss - small_base):.1f} MB over baseline) vs {mb(exp_rss):.1f} MB on "
              f"{args.docs}/{args.spans} (+{mb(exp_rss - exp_base):.1f} MB): x{growth:.2f} for "
              f"x{args.docs / small_docs:.0f} the data (target <= x{FLAT_TOLERANCE}): "
              f"{'OK' if growth <= FLAT_TOLERANCE else 'MISSED'}")
        figures["flat"] = {"small_docs": small_docs, "small_spans": small_spans, "runs": small,
                           "small_peak_rss_mb": mb(small_rss), "growth": growth}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    if args.profile:
        out = OUT / "profile-export.txt"
        r = measure("export", db, profile=out)
        print(f"profiled run: {r['seconds']:.2f} s under cProfile; top functions in {out}")
    if args.profile_build:
        out = OUT / "profile-import-jsonl.txt"
        src = corpus_file(args.docs, args.spans, args.seed)
        tmp = Path(tempfile.mkdtemp(prefix="bench-build-"))
        try:
            r = run_worker(SCRIPT, ["--worker", "build", "--src", str(src), "--db",
                                    str(tmp / "s.sqlite3"), "--docs", str(args.docs), "--spans",
                                    str(args.spans), "--profile-out", str(out)], timeout=3600)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        print(f"profiled JSONL import: {r['seconds']:.2f} s under cProfile, peak RSS "
              f"{mb(r['peak_rss_kb']):.1f} MB; top functions in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
