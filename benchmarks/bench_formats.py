"""Benchmark: every export format on the same store, against JSONL (target: each within 3x).

Reuses the store bench_export.py builds (benchmarks/out/store-d{D}-s{S}-seed{seed}.sqlite3:
10,000 documents / 300,000 spans by default). Each export (``--set all``, default options) runs
in a fresh interpreter; the formats take turns in a rotating order from run to run; medians.
``--consumers`` also loads what was written with the real consumer: spaCy's training Corpus
over the folder of shards (every Doc read back, as ``spacy train`` reads it), Label Studio's own
converter to CONLL2003, the Hugging Face ``datasets`` JSON loader.

``--dense`` measures the case of issue 8 instead: 3 documents with 12,000 spans (4,000 each, on
thirds of the 505,354-character book), CoNLL and spaCy against JSONL (spaCy took 456 s before
the fix of issue 8).
``--profile`` writes a cProfile of one export per format (benchmarks/out/profile-<format>.txt:
the top entries by cumulative and by internal time).

    /tmp/venv/bin/python benchmarks/bench_formats.py                 # all formats, 3 runs
    /tmp/venv/bin/python benchmarks/bench_formats.py --formats spacy,conll --runs 1 --consumers
    /tmp/venv/bin/python benchmarks/bench_formats.py --dense
    /tmp/venv/bin/python benchmarks/bench_formats.py --docs 2000 --spans 60000 --formats conll --profile
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import tempfile
import time
from pathlib import Path

from _common import OUT, emit, machine, mb, median, peak_rss_kb, profile_call, run_worker, warm
from bench_export import store_file

SCRIPT = Path(__file__).resolve()
TARGET = 3.0
BASE = "jsonl"
FORMATS = ("jsonl", "conll", "excel", "hf", "spacy", "brat", "labelstudio", "doccano")
SUFFIX = {"conll": ".conll", "jsonl": ".jsonl", "excel": ".xlsx", "hf": ".jsonl",
          "spacy": "", "brat": "", "labelstudio": ".json", "doccano": ".jsonl"}
BOOK = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "long" / \
    "0282AbuHanifaDinawari.AkhbarTiwal.Shamela0009760-ara1.txt"


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size + sum(p.stat().st_size for p in path.parent.glob("*.config.xml"))


def consume(kind: str, out: Path) -> dict:
    """Load the export with its real consumer; what it read."""
    if kind == "spacy":
        import spacy
        from spacy.training import Corpus

        docs = [eg.reference for eg in Corpus(out)(spacy.blank("ar"))]   # as spacy train reads
        return {"docs": len(docs), "spans": sum(len(d.spans["sc"]) for d in docs),
                "ents": sum(len(d.ents) for d in docs), "shards": len(list(out.iterdir()))}
    if kind == "labelstudio":
        from label_studio_sdk.converter import Converter

        conv = Converter(config=out.with_name(out.stem + ".config.xml").read_text(
            encoding="utf-8"), project_dir=None)
        target = out.parent / "converted"
        conv.convert(str(out), str(target), "CONLL2003", is_dir=False)
        text = (target / "result.conll").read_text(encoding="utf-8")
        return {"tagged_tokens": sum(1 for ln in text.splitlines() if ln and not
                                     ln.endswith(" O") and not ln.startswith("-DOCSTART-"))}
    if kind == "hf":
        from datasets import load_dataset

        data = load_dataset("json", data_files=str(out), split="train")
        return {"rows": len(data)}
    return {}


def worker(kind: str, db: Path, out: Path, check: bool, profile: Path | None) -> None:
    from annotator.db.store import Store
    from annotator.services.exporting import export

    store = Store.open(f"sqlite:///{db}")

    def work():
        return export(store, out, fmt=kind, which="all")

    t0, c0 = time.perf_counter(), time.process_time()
    (report,) = profile_call(work, profile) if profile else work()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    store.close()
    result = {"seconds": seconds, "cpu_s": cpu, "peak_rss_kb": peak_rss_kb(), "items": report.items,
              "spans": report.spans, "counts": report.counts, "bytes": _size(out)}
    if check:
        t1 = time.perf_counter()
        result["consumer"] = consume(kind, out)
        result["consumer_s"] = time.perf_counter() - t1
    emit(result)


def measure(kind: str, db: Path, *, check: bool = False, profile: Path | None = None) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-formats-"))
    try:
        args = ["--worker", kind, "--db", str(db), "--out", str(tmp / f"export{SUFFIX[kind]}")]
        if check:
            args.append("--check")
        if profile is not None:
            args += ["--profile", str(profile)]
        return run_worker(SCRIPT, args, timeout=3600)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def dense_store() -> Path:
    """3 documents (thirds of the book) with 4,000 spans each, imported from native JSONL."""
    path = OUT / "store-dense-3x4000.sqlite3"
    if path.exists():
        return path
    from annotator.db.store import Store
    from annotator.services.importing import import_paths

    book = BOOK.read_text(encoding="utf-8")
    rng = random.Random(1)
    lines = []
    third = len(book) // 3
    for d in range(3):
        text = book[d * third:(d + 1) * third]
        words = [m.span() for m in re.finditer(r"\S+", text)]
        spans: dict[tuple[int, int, str], dict] = {}
        while len(spans) < 4000:
            i, k = rng.randrange(len(words) - 3), rng.randrange(0, 3)
            s, e = words[i][0], words[i + k][1]
            label = rng.choice(["actor", "location", "quote", "cue"])
            spans[(s, e, label)] = {"start": s, "end": e, "label": label}
        lines.append(json.dumps({"doc_id": f"book-{d}", "text": text, "annotator": "gold",
                                 "status": "done", "spans": list(spans.values())},
                                ensure_ascii=False))
    src = OUT / "dense-3x4000.jsonl"
    OUT.mkdir(parents=True, exist_ok=True)
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    from annotator.services.team import ensure_first_lead

    store = Store.open(f"sqlite:///{part}")
    ensure_first_lead(store, "bench")       # as the CLI does: the store's first user leads it
    report = import_paths(store, [src], actor="bench")
    store.close()
    assert report.errors == [] and report.spans_added == 12_000, report.errors
    part.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--consumers", action="store_true",
                        help="load each export with its real consumer (one more run each)")
    parser.add_argument("--dense", action="store_true",
                        help="3 documents / 12,000 spans: spaCy against CoNLL")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--profile", nargs="?", const=OUT, type=Path,
                        help="also profile one export of each format (cProfile; written to "
                             "profile-<format>.txt in this folder, benchmarks/out by default)")
    parser.add_argument("--worker", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        worker(args.worker, args.db, args.out, args.check, args.profile)
        return 0

    formats = [f for f in args.formats.split(",") if f]
    if BASE not in formats:
        formats.insert(0, BASE)
    if args.dense:
        db, what = dense_store(), "3 documents / 12,000 spans (thirds of the book)"
        formats = ["jsonl", "conll", "spacy"]
    else:
        db, _ = store_file(args.docs, args.spans, args.seed)
        what = f"{args.docs} documents / {args.spans} spans"
    print(f"bench_formats: {what} in {db.name}; {args.runs} runs; {machine()}", flush=True)
    warm(db)
    results: dict[str, list[dict]] = {kind: [] for kind in formats}
    for run in range(args.runs):
        order = formats[run % len(formats):] + formats[:run % len(formats)]
        for kind in order:
            r = measure(kind, db)
            results[kind].append(r)
            print(f"  run {run + 1} {kind:11s} {r['seconds']:7.2f} s (CPU {r['cpu_s']:6.2f} s)  peak RSS "
                  f"{mb(r['peak_rss_kb']):6.1f} MB  {r['items']} items, "
                  f"{r['bytes'] / 2**20:.0f} MiB", flush=True)
    base = median([r["seconds"] for r in results[BASE]])
    base_cpu = median([r["cpu_s"] for r in results[BASE]])
    table = {}
    # the ratio is of wall-clock medians; the CPU time (every thread of the export's process)
    # is shown beside it, steadier when other processes share the cores
    print(f"\n{'format':12s} {'median s':>9s} {'x JSONL':>8s} {'CPU s':>7s} {'x JSONL':>8s} "
          f"{'peak RSS':>9s}  target <= {TARGET:.0f}x")
    for kind in formats:
        seconds = median([r["seconds"] for r in results[kind]])
        cpu = median([r["cpu_s"] for r in results[kind]])
        rss = median([r["peak_rss_kb"] for r in results[kind]])
        ratio = seconds / base
        table[kind] = {"median_s": seconds, "ratio": ratio, "median_cpu_s": cpu,
                       "cpu_ratio": cpu / base_cpu, "peak_rss_mb": mb(rss),
                       "counts": results[kind][0]["counts"]}
        print(f"{kind:12s} {seconds:9.2f} {ratio:8.2f} {cpu:7.2f} {cpu / base_cpu:8.2f} "
              f"{mb(rss):7.1f} MB  {'OK' if ratio <= TARGET else 'MISSED'}", flush=True)
    if args.consumers:
        print("\nconsumers (one more export each, then loaded):")
        for kind in formats:
            if kind not in ("spacy", "labelstudio", "hf"):
                continue
            r = measure(kind, db, check=True)
            table[kind]["consumer"] = r["consumer"]
            print(f"  {kind:11s} export {r['seconds']:.2f} s, read back in "
                  f"{r['consumer_s']:.1f} s: {r['consumer']}", flush=True)
    if args.profile is not None:
        print(f"\nprofiles (one more export each) in {args.profile}:")
        for kind in formats:
            target = args.profile / f"profile-{kind}.txt"
            r = measure(kind, db, profile=target)
            print(f"  {kind:11s} {r['seconds']:.2f} s under cProfile -> {target.name}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"what": what, "runs": results, "table": table,
                                         "machine": machine()}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
