"""What row-level security costs (team mode on PostgreSQL).

A store with --docs news-sized documents, each with two annotators' sets of 12 spans, and one
long document (100,000 characters) whose set of annotator A holds --spans spans. The same use
cases are timed on the owner's connection before ``db secure`` (no row-level security), on the
owner's connection after it (the policies are FORCEd: the owner goes through them too), and on
the annotator's and the reviewer's own connections:

- queue: the annotator's queue (every document, their sets, span counts);
- open: open the long document and load A's set;
- edit: add a span to A's set and delete it (two journaled transactions);
- export: A's sets to JSONL (the annotator), every set to JSONL (the reviewer).

    ANNOTATOR_BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:55432/postgres \\
        python benchmarks/bench_rls.py [--docs 300] [--spans 5000] [--runs 7]

The URL names a superuser connection; the benchmark creates (and drops) its own database and
roles. Figures are medians of --runs, in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import machine, median

WORD = "قال الوزير 📰 في موسكو إن التعاون مع فرنسا ضروري "


def _timed(func: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return median(times)


def _span(text_: str, start: int) -> Any:
    from annotator.core.model import Span

    return Span(start=start, end=start + 3, label="cue", text=text_[start:start + 3])


def _build(url: str, *, docs: int, spans: int, lead: str, a: str, b: str,
           reviewer: str) -> dict[str, int]:
    from annotator.core.model import Document, Role, SetKind
    from annotator.core.text import sha256_text
    from annotator.services.project import open_project
    from annotator.services.team import TeamService, ensure_first_lead

    store = open_project(url)
    ensure_first_lead(store, lead)
    team = TeamService(store, actor=lead)
    for name, role in ((a, Role.ANNOTATOR), (b, Role.ANNOTATOR), (reviewer, Role.REVIEWER)):
        team.add(name, role)
    long_text = (WORD * (100_000 // len(WORD) + 1))[:100_000]
    texts = [f"خبر {i}\n" + WORD * 40 for i in range(docs)] + [long_text]
    with store.unit_of_work(actor=lead) as uow:
        ids = uow.documents.add_many([Document(external_id=f"d{i:05}", title=t.split("\n")[0],
                                               text=t, sha256=sha256_text(t))
                                      for i, t in enumerate(texts)])
        owners = {n: uow.annotators.id_of(n) or 0 for n in (a, b)}
        step = len(WORD)
        for doc_id, t in zip(ids[:-1], texts[:-1]):
            for name in (a, b):
                set_id = uow.sets.create(doc_id, owners[name], SetKind.ANNOTATION)
                uow.sets.add_spans(set_id, [_span(t, 10 + k * step) for k in range(12)])
        big = uow.sets.create(ids[-1], owners[a], SetKind.ANNOTATION)
        uow.sets.add_spans(big, [_span(long_text, k * 20) for k in range(spans)])
    store.close()
    return {"long": ids[-1], "big": big}


def _measure(url: str, who: str, ids: dict[str, int], runs: int, *,
             reviewer: bool) -> dict[str, float]:
    from annotator.db.store import Store
    from annotator.services.annotate import AnnotationService
    from annotator.services.exporting import export
    from annotator.services.project import project_schema

    store = Store.open(url)
    schema = project_schema(store)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.jsonl"
        if reviewer:
            figures["export all"] = _timed(lambda: export(store, out, which="all", actor=who), runs)
        else:
            service = AnnotationService(store, schema, annotator=who)
            figures["queue"] = _timed(service.queue, runs)
            figures["open"] = _timed(lambda: service.open_document(ids["long"]), runs)

            def edit() -> None:
                span = service.add_span(ids["big"], 99_990, 99_993, "actor")
                service.delete_span(span.id or 0)

            figures["edit"] = _timed(edit, runs)
            figures["export own"] = _timed(lambda: export(store, out, which=who, actor=who), runs)
    store.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--spans", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    base = os.environ.get("ANNOTATOR_BENCH_PG_URL") or os.environ.get("ANNOTATOR_TEST_PG_URL")
    if not base:
        raise SystemExit("set ANNOTATOR_BENCH_PG_URL to a superuser PostgreSQL URL")
    from annotator.db.engine import HEAD_REVISION
    from annotator.db.security import secure

    run = uuid.uuid4().hex[:6]
    lead, a, b, rev = (f"bench_{x}_{run}" for x in ("l", "a", "b", "r"))
    database = f"annotator_bench_rls_{run}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    owner_url = make_url(base).set(database=database)
    url = owner_url.render_as_string(hide_password=False)
    try:
        ids = _build(url, docs=args.docs, spans=args.spans, lead=lead, a=a, b=b, reviewer=rev)
        rows: dict[str, dict[str, float]] = {}
        rows["owner, no RLS"] = _measure(url, a, ids, args.runs, reviewer=False)
        rows["owner, no RLS"].update(_measure(url, rev, ids, args.runs, reviewer=True))
        engine = create_engine(url)
        secure(engine, revision=HEAD_REVISION)
        engine.dispose()
        rows["owner, RLS"] = _measure(url, a, ids, args.runs, reviewer=False)
        rows["owner, RLS"].update(_measure(url, rev, ids, args.runs, reviewer=True))
        person = owner_url.set(username=a).render_as_string(hide_password=False)
        rows["annotator's login"] = _measure(person, a, ids, args.runs, reviewer=False)
        person = owner_url.set(username=rev).render_as_string(hide_password=False)
        rows["reviewer's login"] = _measure(person, rev, ids, args.runs, reviewer=True)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for role in (lead, a, b, rev):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()
    print(f"{machine()}; {args.docs} documents + one of 100,000 characters with {args.spans} "
          f"spans; medians of {args.runs} runs, ms")
    columns = ["queue", "open", "edit", "export own", "export all"]
    print(f"{'':<20}" + "".join(f"{c:>12}" for c in columns))
    for name, figures in rows.items():
        print(f"{name:<20}" + "".join(f"{figures[c]:>12.1f}" if c in figures else f"{'-':>12}"
                                      for c in columns))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
