"""Many writers on one store, in separate processes, on SQLite and PostgreSQL: the database
decides races (unique keys, versions, locks); nothing is stored twice, nothing stale overwrites,
nobody gets a traceback. Short, seeded runs; benchmarks/bench_concurrency.py runs the long ones."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import select as io_select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from annotator.core.errors import ConflictError
from annotator.core.text import sha256_text
from annotator.db.models import AnnotationSetRow, EventRow, LabelSchemaRow, SpanRow
from annotator.services.annotate import AnnotationService
from annotator.services.project import open_project, project_schema
from tests.concurrency import workers
from tests.concurrency.workers import DOC, TEXT
from tests.conftest import PG_ENV, REPO

SPAWN = multiprocessing.get_context("spawn")


def _store_with_document(url: str) -> Any:
    from annotator.services.importing import import_paths

    store = open_project(url)
    record = {"doc_id": DOC, "title": "سباق", "text": TEXT, "sha256": sha256_text(TEXT),
              "annotator": None, "status": None, "spans": [], "relations": [], "meta": {}}
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"race-{os.getpid()}-{time.time_ns()}.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []
    path.unlink()
    return store


def _run(target: Any, calls: list[tuple[Any, ...]]) -> list[Any]:
    with SPAWN.Pool(len(calls)) as pool:
        return pool.starmap(target, calls, chunksize=1)


def _duplicates(store: Any) -> int:
    with store.engine.connect() as conn:
        rows = conn.execute(select(SpanRow.set_id, SpanRow.start, SpanRow.end, SpanRow.label,
                                   func.count()).group_by(SpanRow.set_id, SpanRow.start,
                                                          SpanRow.end, SpanRow.label)).all()
    return sum(n - 1 for *_, n in rows)


def test_writers_adding_the_same_spans_store_each_once(db_url: str) -> None:
    store = _store_with_document(db_url)
    rng = random.Random(7)
    keys = [(s, e, rng.choice(["actor", "location"])) for s, e in workers.words()[:30]]
    start_at = time.time() + 4
    results = _run(workers.add_same_spans, [(db_url, "mona", keys, start_at)] * 4)
    assert [r["errors"] for r in results] == [[]] * 4
    assert sum(r["added"] for r in results) == len(keys)          # each span added exactly once
    assert sum(r["refused"] for r in results) == 3 * len(keys)    # the others: "already labeled"
    assert _duplicates(store) == 0
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SpanRow)).scalar_one() == len(keys)
    store.close()


def test_relabel_racing_delete_ends_in_one_winner_and_a_conflict(db_url: str) -> None:
    store = _store_with_document(db_url)
    service = AnnotationService(store, project_schema(store), annotator="mona")
    set_id = workers._set_of(service)[1]
    spans = [service.add_span(set_id, s, e, "actor") for s, e in workers.words()[:25]]
    ids, versions = [s.id for s in spans], [s.version for s in spans]
    start_at = time.time() + 4
    relabel, delete = _run(workers.relabel_or_delete,
                           [(db_url, "mona", ids, versions, "relabel", start_at),
                            (db_url, "mona", ids, versions, "delete",
                             start_at)])
    assert relabel["errors"] == [] and delete["errors"] == []      # no ValueError, no traceback
    # for each span exactly one of the two won; the other got a conflict
    assert relabel["done"] + delete["done"] == len(ids)
    assert relabel["conflicts"] + delete["conflicts"] == len(ids)
    with store.engine.connect() as conn:
        left = conn.execute(select(SpanRow.label, SpanRow.version)).all()
    assert len(left) == relabel["done"]
    assert all(row == ("location", 2) for row in left)
    store.close()


def test_a_stale_undo_does_not_overwrite_another_windows_change(db_url: str) -> None:
    """Two windows (two Store objects, as two processes have) of the same annotator."""
    first = _store_with_document(db_url)
    second = open_project(db_url)
    schema = project_schema(first)
    a = AnnotationService(first, schema, annotator="mona")
    b = AnnotationService(second, schema, annotator="mona")
    set_id = workers._set_of(a)[1]
    span = a.add_span(set_id, *workers.words()[3], "actor")
    _, relabeled = a.update_span(span.id or 0, label="location", expected_version=span.version)
    # window B relabels it to cue, having read the current version
    (current,) = b.load_set(set_id).spans
    b.update_span(current.id or 0, label="cue", expected_version=current.version)
    # window A undoes its relabel naming the version it left: refused, B's change stays
    with pytest.raises(ConflictError, match="was changed by mona since you read it"):
        a.update_span(span.id or 0, label="actor", expected_version=relabeled.version)
    with pytest.raises(ConflictError):
        a.delete_spans([span.id or 0], versions={span.id or 0: relabeled.version})
    (kept,) = b.load_set(set_id).spans
    assert (kept.label, kept.version) == ("cue", 3)
    # B deletes it; A's stale relabel names who
    b.delete_spans([kept.id or 0], versions={kept.id or 0: kept.version})
    with pytest.raises(ConflictError, match="was deleted by mona"):
        a.update_span(span.id or 0, label="actor", expected_version=kept.version)
    first.close()
    second.close()


def test_sixteen_processes_open_a_new_store_at_once(db_url: str, tmp_path: Path) -> None:
    start_at = time.time() + 6
    results = _run(workers.open_new_store, [(db_url, start_at)] * 16)
    assert [r.get("error") for r in results] == [None] * 16
    assert all(r["ok"] and r["revision"] and r["labels"] == 4 for r in results)
    store = open_project(db_url)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(LabelSchemaRow)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(EventRow)).scalar_one() == 1
    store.close()


def test_an_import_during_a_long_import_waits_its_turn(db_url: str, tmp_path: Path) -> None:
    from tests.cli._helpers import jsonl_line, small_record

    store = open_project(db_url)
    store.close()
    big = tmp_path / "big.jsonl"
    base = "خبر طويل 😀 " * 200
    big.write_text("".join(jsonl_line(small_record(f"big-{i:04d}", f"{base} {i}")) + "\n"
                           for i in range(3000)), encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text("خبر قصير\nقال الوزير إن موسكو مستعدة.\n", encoding="utf-8")
    start_at = time.time() + 4
    with SPAWN.Pool(2) as pool:
        first = pool.apply_async(workers.import_file, (db_url, str(big), "lina", start_at))
        second = pool.apply_async(workers.import_file, (db_url, str(small), "lina",
                                                        start_at + 0.3))
        big_run, small_run = first.get(timeout=120), second.get(timeout=120)
    assert (big_run["code"], big_run["err"]) == (0, "")
    assert "Traceback" not in small_run["err"]
    if small_run["code"] != 0:   # it waited the busy timeout out: one line, nothing written
        assert small_run["err"].startswith("annotator: ") and small_run["err"].count("\n") == 1
    store = open_project(db_url)
    with store.engine.connect() as conn:
        documents = conn.execute(select(func.count()).select_from(AnnotationSetRow)).scalar_one()
    assert documents == 0
    store.close()


# -- killed at any moment: nothing acknowledged is lost ------------------------------------------


def _fsync(on: bool) -> None:
    """The private test server runs without fsync; this test wants PostgreSQL's real durability
    path (a superuser setting, reloaded without a restart)."""
    from sqlalchemy import create_engine, text

    base = os.environ[PG_ENV]
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"ALTER SYSTEM SET fsync = {'on' if on else 'off'}"))
        conn.execute(text("SELECT pg_reload_conf()"))
    engine.dispose()


def test_killing_an_annotating_process_loses_nothing_acknowledged(db_url: str) -> None:
    postgres = db_url.startswith("postgresql")
    if postgres:
        _fsync(True)
    try:
        store = _store_with_document(db_url)
        rng = random.Random(11)
        acked: dict[int, tuple[int, int, str]] = {}
        env = dict(os.environ, PYTHONPATH=str(REPO))
        for round_ in range(4):
            proc = subprocess.Popen([sys.executable, "-m", "tests.concurrency.workers", db_url,
                                     "mona", str(round_)], stdout=subprocess.PIPE, text=True,
                                    cwd=REPO, env=env)
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "READY"
            deadline = time.time() + rng.uniform(0.3, 1.2)
            while time.time() < deadline:
                ready, _, _ = io_select.select([proc.stdout], [], [], 0.05)
                if not ready:
                    continue
                line = proc.stdout.readline()
                if line.startswith("ACK "):
                    _, span_id, start, end, label = line.split()
                    acked[int(span_id)] = (int(start), int(end), label)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            rest = proc.stdout.read()   # acknowledged before the kill landed
            for line in rest.splitlines():
                if line.startswith("ACK "):
                    _, span_id, start, end, label = line.split()
                    acked[int(span_id)] = (int(start), int(end), label)
        with store.engine.connect() as conn:
            stored = {row[0]: (row[1], row[2], row[3]) for row in conn.execute(
                select(SpanRow.id, SpanRow.start, SpanRow.end, SpanRow.label))}
        assert acked, "the worker acknowledged nothing"
        assert {i: acked[i] for i in acked} == {i: stored.get(i) for i in acked}
        assert _duplicates(store) == 0
        store.close()
    finally:
        if postgres:
            _fsync(False)
