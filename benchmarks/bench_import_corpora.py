"""Benchmark: import every file of ../shared/corpora as distributed into a store of 10,000
documents, the way a user would (the CLI, with the flags each corpus needs), then undo each
import, and check the store is back where it was.

Uses a copy of the store bench_export.py builds (benchmarks/out/store-d{D}-s{S}-seed{seed}
.sqlite3). Each command runs in this process through ``annotator.cli.main``; its wall time, exit
code and output summary are printed. ``annotator history`` is timed too.

    /tmp/venv/bin/python benchmarks/bench_import_corpora.py
    /tmp/venv/bin/python benchmarks/bench_import_corpora.py --docs 1000 --spans 30000
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from _common import machine
from bench_export import store_file

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
ANER_MAP = "PERS=actor,ORG=actor,LOC=location"
WOJOOD_MAP = "PERS=actor,ORG=actor,NORP=actor,GPE=location,LOC=location,FAC=location"
IDRISI_MAP = ",".join(f"{t}=location" for t in (
    "HPOI", "NBHD", "ST", "CITY", "PROV", "CTRY", "ISL", "OTHR", "CONT", "LAND", "NPOI", "CTY"))
IDRISI_FIELDS = ["--format", "spans-jsonl", "--spans-field", "location_mentions", "--start",
                 "startIdx", "--end", "endIdx", "--label", "type", "--id-field", "tweet_id"]

#: (file, flags): what each corpus needs, as its README would say
COMMANDS: list[tuple[str, list[str]]] = [
    *[(f"news/{p.name}", []) for p in sorted((CORPORA / "news").glob("*.txt"))],
    ("diacritized/tashkeela_aljazeera-2016-12-29.b.txt", []),
    ("encodings/chardet__ude_1.txt", []),
    ("long/0282AbuHanifaDinawari.AkhbarTiwal.Shamela0009760-ara1.txt", []),
    ("ner/ANERCorp_ITE5th_test_conll.txt", ["--map", ANER_MAP, "--doc-size", "50",
                                            "--strip-marks", "--skip-bad"]),
    ("ner/wojood_sample_val.txt", ["--map", WOJOOD_MAP]),
    ("ner/idrisi_ar_cairo_bombing_2019_dev_BILOU.txt", ["--add-labels"]),
    ("spans/idrisi_ar_cairo_bombing_2019_dev.jsonl", [*IDRISI_FIELDS, "--map", IDRISI_MAP]),
]


def counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("document", "annotation_set", "span", "relation")}


def cli(db: Path, *argv: str) -> tuple[int, str, str, float]:
    from annotator.cli import main

    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--db", str(db), "--user", "bench", *argv])
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--spans", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    cached, _ = store_file(args.docs, args.spans, args.seed)
    tmp = Path(tempfile.mkdtemp(prefix="bench-corpora-"))
    db = tmp / "store.sqlite3"
    shutil.copy(cached, db)
    start = counts(db)
    before = {ln.split()[0] for ln in cli(db, "history")[1].splitlines()}
    print(f"bench_import_corpora: into a copy of {cached.name} ({start}); {machine()}")
    rows = []
    try:
        for name, flags in COMMANDS:
            path = CORPORA / name
            code, out, err, seconds = cli(db, "import", str(path), *flags)
            summary = out.strip().splitlines()[-1] if out.strip() else ""
            notes = [ln.strip() for ln in out.splitlines() if ln.startswith("  ")]
            rows.append({"file": name, "flags": flags, "code": code, "seconds": seconds,
                         "summary": summary, "notes": notes, "errors": err.strip().splitlines()})
            print(f"{seconds:6.2f} s  exit {code}  {name} {' '.join(flags)}\n         {summary}")
            for line in notes[:4] + err.strip().splitlines()[:3]:
                print(f"         {line[:160]}")
        code, out, _, seconds = cli(db, "history")
        listed = [ln.split()[0] for ln in out.splitlines()]
        batches = [b for b in listed if b not in before]   # not the store's own import
        print(f"{seconds:6.2f} s  history: {len(listed)} import batches, {len(batches)} of them "
              "these corpora")
        undo_s = 0.0
        for batch in reversed(batches):
            code, out, err, seconds = cli(db, "import", "--undo", batch)
            undo_s += seconds
            if code:
                print(f"  undo {batch} failed: {err.strip()}")
        end = counts(db)
        print(f"{undo_s:6.2f} s  undo of the {len(batches)} batches (newest first); store back "
              f"to {end}: {'OK' if end == start else 'DIFFERS'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "machine": machine()}, indent=1,
                                        ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
