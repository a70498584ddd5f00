"""Many writers on one store (issue 9): 8 processes x 1,000 actions on SQLite and PostgreSQL.

Every writer is a window of the same annotator on the same document (the hardest case: one set,
one write lock): it adds spans picked from a shared pool (so writers collide on the same spans),
relabels and deletes spans it added, naming the versions it saw. Afterwards:
- duplicated: spans stored twice in the set (the unique key must make it 0);
- lost: acknowledged adds whose span is gone although no delete of it was journaled, and
  acknowledged relabels whose label the store does not have and nobody changed since (0);
- errors: anything other than "already labeled" or a conflict (0);
- actions per second over all writers.

    python benchmarks/bench_concurrency.py [--writers 8] [--actions 1000] [--pg-url URL]

PostgreSQL: --pg-url or $ANNOTATOR_TEST_PG_URL (a database is created and dropped).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import OUT, machine  # noqa: E402

TEXT = ("قال الوزير 😀 إن الاجتماع في موسكو كان مثمرا وأضاف المتحدث أن روسيا وفرنسا "
        "اتفقتا على تعزيز التعاون في سوريا والعراق ولبنان ومصر والأردن. ") * 20
LABELS = ("actor", "location", "cue", "quote")


def prepare(url: str) -> None:
    from annotator.core.text import sha256_text
    from annotator.services.importing import import_paths
    from annotator.services.project import open_project

    store = open_project(url)
    path = OUT / f"conc-{uuid.uuid4().hex[:8]}.jsonl"
    OUT.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"doc_id": "race", "title": "race", "text": TEXT,
                                "sha256": sha256_text(TEXT), "annotator": None, "status": None,
                                "spans": [], "relations": [], "meta": {}},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []
    path.unlink()
    store.close()


def writer(url: str, seed: int, actions: int, start_at: float) -> dict[str, Any]:
    from annotator.core.arabic import tokenize
    from annotator.core.errors import ConflictError, UserError
    from annotator.services.annotate import AnnotationService
    from annotator.services.project import open_project, project_schema

    store = open_project(url)
    service = AnnotationService(store, project_schema(store), annotator="mona")
    with store.unit_of_work(write=False) as uow:
        document = uow.documents.by_external_id("race")
    set_id = service.open_document(document.id).set.id
    words = [(t.start, t.end) for t in tokenize(TEXT) if t.kind == "word"]
    pool = [(s, e, lb) for s, e in words[:400] for lb in LABELS]
    rng = random.Random(seed)
    mine: dict[int, Any] = {}
    acked_adds: list[int] = []
    acked_relabels: list[tuple[int, str, int]] = []
    counts = {"added": 0, "already": 0, "relabeled": 0, "deleted": 0, "conflicts": 0}
    errors: list[str] = []
    while time.time() < start_at:
        time.sleep(0.001)
    started = time.perf_counter()
    for _ in range(actions):
        roll = rng.random()
        try:
            if roll < 0.6 or not mine:
                span = service.add_span(set_id, *rng.choice(pool))
                mine[span.id] = span
                acked_adds.append(span.id)
                counts["added"] += 1
            elif roll < 0.85:
                span = mine[rng.choice(list(mine))]
                label = rng.choice([lb for lb in LABELS if lb != span.label])
                _, after = service.update_span(span.id, label=label,
                                               expected_version=span.version)
                mine[span.id] = after
                acked_relabels.append((span.id, label, after.version))
                counts["relabeled"] += 1
            else:
                span = mine.pop(rng.choice(list(mine)))
                service.delete_spans([span.id], versions={span.id: span.version})
                counts["deleted"] += 1
        except ConflictError:
            counts["conflicts"] += 1
        except UserError as exc:
            if "already" in str(exc):
                counts["already"] += 1
                if roll >= 0.6 and mine:     # relabel onto a key another writer took
                    continue
            else:
                errors.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - a benchmark reports any failure
            errors.append(f"{type(exc).__name__}: {exc}")
    elapsed = time.perf_counter() - started
    store.close()
    return {"counts": counts, "errors": errors, "elapsed": elapsed, "adds": acked_adds,
            "relabels": acked_relabels}


def verify(url: str, results: list[dict[str, Any]]) -> dict[str, int]:
    from sqlalchemy import func, select

    from annotator.db.models import EventRow, SpanRow
    from annotator.services.project import open_project

    store = open_project(url)
    with store.engine.connect() as conn:
        rows = {i: (lb, v) for i, lb, v in conn.execute(
            select(SpanRow.id, SpanRow.label, SpanRow.version))}
        duplicated = sum(n - 1 for *_, n in conn.execute(
            select(SpanRow.set_id, SpanRow.start, SpanRow.end, SpanRow.label, func.count())
            .group_by(SpanRow.set_id, SpanRow.start, SpanRow.end, SpanRow.label)))
        deleted = set(conn.execute(select(EventRow.entity_id).where(
            EventRow.entity == "span", EventRow.action == "delete")).scalars())
    store.close()
    lost = 0
    for result in results:
        lost += sum(1 for i in result["adds"] if i not in rows and i not in deleted)
        for span_id, label, version in result["relabels"]:
            if span_id in rows and rows[span_id][1] == version and rows[span_id][0] != label:
                lost += 1
    return {"duplicated": duplicated, "lost": lost,
            "errors": sum(len(r["errors"]) for r in results)}


def run_backend(name: str, url: str, writers: int, actions: int) -> None:
    prepare(url)
    start_at = time.time() + 5
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(writers) as pool:
        results = pool.starmap(writer, [(url, seed, actions, start_at)
                                        for seed in range(writers)])
    wall = max(r["elapsed"] for r in results)
    done = sum(sum(r["counts"].values()) for r in results)
    totals = {k: sum(r["counts"][k] for r in results) for k in results[0]["counts"]}
    check = verify(url, results)
    print(f"{name}: {writers} writers x {actions} actions in {wall:.1f} s: "
          f"{done / wall:.0f} actions/s; {totals}; duplicated {check['duplicated']}, "
          f"lost {check['lost']}, errors {check['errors']}")
    for result in results:
        for error in result["errors"][:3]:
            print(f"  error: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--actions", type=int, default=1000)
    parser.add_argument("--pg-url", default=os.environ.get("ANNOTATOR_TEST_PG_URL"))
    args = parser.parse_args(argv)
    print(f"bench_concurrency: {machine()}")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"conc-{uuid.uuid4().hex[:8]}.sqlite3"
    run_backend("SQLite", f"sqlite:///{path}", args.writers, args.actions)
    path.unlink(missing_ok=True)
    if args.pg_url:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"annotator_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
            run_backend("PostgreSQL", url, args.writers, args.actions)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
