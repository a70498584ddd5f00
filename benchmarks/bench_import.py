"""Benchmark: imports into a fresh SQLite store, side by side with a bare ``sqlite3`` importer.

Text files (default): N generated article .txt files; ``import_paths`` against the bare way (read +
decode each file, SHA-256, one ``sqlite3`` ``executemany`` of (external_id, title, text, sha256)
into a plain table in one transaction). Target: within 3x.

Native JSONL (``--jsonl``): one generated file of D documents / S spans (benchmarks/corpus.py,
cached in benchmarks/out/); ``import_paths`` against a bare importer that reads the file a line at
a time and writes the same rows into the store's own tables (documents, annotators, sets, spans,
relations, journal events) with ``executemany`` in one transaction, ids counted in Python. Targets:
within 2x of the bare importer, and peak memory flat in the size of the file (under 150 MB at
50,000 documents: ``--docs 50000 --spans 1500000``).

Each measurement runs in a fresh interpreter so its peak RSS (VmHWM) is its own; the store is
created and migrated before the clock starts, in both contenders.

    /tmp/venv/bin/python benchmarks/bench_import.py                 # 10,000 files, 3 runs each
    /tmp/venv/bin/python benchmarks/bench_import.py --n 1000 --runs 1
    /tmp/venv/bin/python benchmarks/bench_import.py --profile       # cProfile of one import
    /tmp/venv/bin/python benchmarks/bench_import.py --jsonl         # 10,000 docs / 300,000 spans
    /tmp/venv/bin/python benchmarks/bench_import.py --jsonl --docs 50000 --spans 1500000 --runs 1
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
TARGET = 3.0
JSONL_TARGET = 2.0
JSONL_MEMORY_MB = 150.0     # peak RSS of a 50,000-document import


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


# -- native JSONL ------------------------------------------------------------------------------


def worker_jsonl(src: Path, db: Path, docs: int, spans: int, profile: Path | None) -> None:
    seconds, baseline = import_into_new_store(src, db, docs, spans, profile)
    emit({"seconds": seconds, "baseline_rss_kb": baseline, "peak_rss_kb": peak_rss_kb(),
          "documents": docs, "spans": spans,
          "rows": _row_counts(db)})


#: rows written per executemany by the bare importer (memory stays flat)
BARE_BATCH = 1000


def worker_jsonl_bare(src: Path, db: Path, docs: int, spans: int) -> None:
    """The same rows, the plain way: the store's tables (created by migrating a new store before
    the clock starts), one transaction, ``json.loads`` a line at a time, ids counted in Python,
    ``executemany`` every BARE_BATCH documents. No validation at all."""
    import uuid
    from datetime import datetime, timezone

    from annotator.db.store import Store

    Store.open(f"sqlite:///{db}").close()
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in ("foreign_keys=ON", "busy_timeout=10000", "journal_mode=WAL",
                   "synchronous=NORMAL"):
        conn.execute(f"PRAGMA {pragma}")
    baseline = rss_now_kb()
    t0 = time.perf_counter()
    dumps, loads, sha256 = json.dumps, json.loads, hashlib.sha256
    now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    batch, actor, source = uuid.uuid4().hex, "bench", str(src)
    conn.execute("BEGIN IMMEDIATE")
    next_id = {table: conn.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0] + 1
               for table in ("document", "annotator", "annotation_set", "span", "relation")}
    owners = dict(conn.execute("SELECT name, id FROM annotator"))
    rows: dict[str, list[tuple]] = {t: [] for t in ("document", "annotator", "annotation_set",
                                                    "span", "relation", "event")}
    inserts = {
        "document": "INSERT INTO document (id, external_id, title, text, sha256, source, meta, "
                    "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        "annotator": "INSERT INTO annotator (id, name, role) VALUES (?, ?, ?)",
        "annotation_set": "INSERT INTO annotation_set (id, document_id, owner_id, kind, status, "
                          "active_seconds, updated_at) VALUES (?, ?, ?, ?, ?, 0.0, ?)",
        "span": 'INSERT INTO span (id, set_id, start, "end", label, attributes, note, origin, '
                "created_at, updated_at, provenance, source, version, updated_by) "
                "VALUES (?, ?, ?, ?, ?, ?, '', 'imported', ?, ?, 'null', 'null', 1, ?)",
        "relation": "INSERT INTO relation (id, set_id, type, head_id, tail_id, version) "
                    "VALUES (?, ?, ?, ?, ?, 1)",
        "event": "INSERT INTO event (at, actor, batch, action, entity, entity_id, document_id, "
                 "set_id, before, after) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
    }

    def flush() -> None:
        for table, pending in rows.items():   # parents first: the foreign keys hold throughout
            if pending:
                conn.executemany(inserts[table], pending)
                pending.clear()

    def take(table: str) -> int:
        found = next_id[table]
        next_id[table] += 1
        return found

    written = spans_n = 0
    with src.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            obj = loads(line)
            text = obj["text"]
            sha = sha256(text.encode("utf-8")).hexdigest()
            doc_id = take("document")
            rows["document"].append((doc_id, obj["doc_id"], obj["title"], text, sha, None,
                                     dumps(obj["meta"]), now))
            rows["event"].append((now, actor, batch, "import", "document", doc_id, doc_id, None,
                                  dumps({"external_id": obj["doc_id"], "sha256": sha,
                                         "title": obj["title"], "length": len(text),
                                         "source": source})))
            owner = obj["annotator"]
            if owner not in owners:
                owners[owner] = take("annotator")
                role = "system" if owner in ("gold", "suggestions") else "annotator"
                rows["annotator"].append((owners[owner], owner, role))
                rows["event"].append((now, actor, batch, "create", "annotator", owners[owner],
                                      None, None, dumps({"name": owner, "role": role})))
            kind = owner if owner in ("gold", "suggestions") else "annotation"
            set_id = take("annotation_set")
            rows["annotation_set"].append((set_id, doc_id, owners[owner], kind, obj["status"],
                                           now))
            span_of: dict[str, int] = {}
            for span in obj["spans"]:
                span_of[span["id"]] = span_id = take("span")
                rows["span"].append((span_id, set_id, span["start"], span["end"], span["label"],
                                     dumps(span["attributes"]), now, now, actor))
            for rel in obj["relations"]:
                rows["relation"].append((take("relation"), set_id, rel["type"],
                                         span_of[rel["head"]], span_of[rel["tail"]]))
            rows["event"].append((now, actor, batch, "import", "annotation_set", set_id, doc_id,
                                  set_id, dumps({"owner": owner, "kind": kind,
                                                 "status": obj["status"],
                                                 "spans": len(obj["spans"]),
                                                 "relations": len(obj["relations"]),
                                                 "source": source, "line": number})))
            written += 1
            spans_n += len(obj["spans"])
            if written % BARE_BATCH == 0:
                flush()
    flush()
    conn.execute("COMMIT")
    seconds = time.perf_counter() - t0
    conn.close()
    if written != docs or spans_n != spans:
        raise SystemExit(f"bare import wrote {written} documents / {spans_n} spans")
    emit({"seconds": seconds, "baseline_rss_kb": baseline, "peak_rss_kb": peak_rss_kb(),
          "documents": written, "spans": spans_n, "rows": _row_counts(db)})


def _row_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("document", "annotator", "annotation_set", "span", "relation",
                              "event")}
    finally:
        conn.close()


def jsonl_main(args: argparse.Namespace) -> int:
    from bench_export import corpus_file

    src = corpus_file(args.docs, args.spans, args.seed)
    warm(src)
    print(f"bench_import --jsonl: {args.docs:,} documents / {args.spans:,} spans "
          f"({src.stat().st_size / 2**20:.0f} MiB) from {src.name}; {args.runs} runs; "
          f"{machine()}", flush=True)
    results: dict[str, list[dict]] = {"jsonl": [], "jsonl-bare": []}
    for run in range(args.runs):
        order = ("jsonl", "jsonl-bare") if run % 2 == 0 else ("jsonl-bare", "jsonl")
        for kind in order:
            r = measure_jsonl(kind, src, args.docs, args.spans)
            results[kind].append(r)
            print(f"  run {run + 1} {kind:10s} {r['seconds']:7.2f} s  peak RSS "
                  f"{mb(r['peak_rss_kb']):6.1f} MB (before work {mb(r['baseline_rss_kb']):5.1f} MB)"
                  f"  rows {r['rows']}", flush=True)
    ann = median([r["seconds"] for r in results["jsonl"]])
    bare = median([r["seconds"] for r in results["jsonl-bare"]])
    ann_rss = median([r["peak_rss_kb"] for r in results["jsonl"]])
    bare_rss = median([r["peak_rss_kb"] for r in results["jsonl-bare"]])
    ratio = ann / bare
    print(f"median import_paths: {ann:.2f} s ({args.docs / ann:,.0f} docs/s, "
          f"{args.spans / ann:,.0f} spans/s), peak RSS {mb(ann_rss):.1f} MB")
    print(f"median bare sqlite3: {bare:.2f} s, peak RSS {mb(bare_rss):.1f} MB")
    print(f"ratio import_paths / bare = {ratio:.2f}x (target <= {JSONL_TARGET:.0f}x): "
          f"{'OK' if ratio <= JSONL_TARGET else 'MISSED'}")
    if args.docs >= 50_000:
        print(f"peak RSS at {args.docs:,} documents: {mb(ann_rss):.1f} MB (target < "
              f"{JSONL_MEMORY_MB:.0f} MB): {'OK' if mb(ann_rss) < JSONL_MEMORY_MB else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps({"docs": args.docs, "spans": args.spans, "runs": results,
                                         "median_annotator_s": ann, "median_bare_s": bare,
                                         "ratio": ratio, "peak_rss_mb": mb(ann_rss),
                                         "bare_peak_rss_mb": mb(bare_rss), "machine": machine()},
                                        indent=1))
    if args.profile:
        out = OUT / f"profile-import-jsonl-d{args.docs}.txt"
        r = measure_jsonl("jsonl", src, args.docs, args.spans, profile=out)
        print(f"profiled run: {r['seconds']:.2f} s under cProfile; top functions in {out}")
    return 0


def measure_jsonl(kind: str, src: Path, docs: int, spans: int, *,
                  profile: Path | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-import-jsonl-"))
    try:
        args = ["--worker", kind, "--src", str(src), "--db", str(tmp / "store.sqlite3"),
                "--docs", str(docs), "--spans", str(spans)]
        if profile:
            args += ["--profile-out", str(profile)]
        return run_worker(SCRIPT, args, timeout=3600)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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
    parser.add_argument("--jsonl", action="store_true",
                        help="import one native JSONL file of --docs documents / --spans spans")
    parser.add_argument("--docs", type=int, default=10_000, help="--jsonl: documents")
    parser.add_argument("--spans", type=int, default=300_000, help="--jsonl: spans in all")
    parser.add_argument("--worker", choices=("annotator", "bare", "jsonl", "jsonl-bare"),
                        help=argparse.SUPPRESS)
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
    if args.worker == "jsonl":
        worker_jsonl(args.src, args.db, args.docs, args.spans, args.profile_out)
        return 0
    if args.worker == "jsonl-bare":
        worker_jsonl_bare(args.src, args.db, args.docs, args.spans)
        return 0
    if args.jsonl:
        return jsonl_main(args)

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
