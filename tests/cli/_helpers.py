"""Helpers for the CLI tests: run ``annotator.cli.main`` in-process, build native JSONL, snapshot a store."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from annotator.cli import NEW_STORE, main
from tests.conftest import SEED_ARTICLE

SEED_ID = SEED_ARTICLE.stem  # "000_53e7616c08ffaf74"
SEED_TITLE = "فرنسا وروسيا تعلنان التعاون بشأن تنظيم الدولة"
SEED_CHARS = 2793
TABLES = ("document", "annotator", "annotation_set", "span", "relation", "event", "label_schema")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    notice: str = ""     # "annotator: no store there yet, created a new one: PATH", kept apart


NEW_STORE_NOTICE = f"annotator: {NEW_STORE} "


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    """``annotator ARGV`` in-process; argparse exits (--help, usage errors) become a return code.

    The notice that a new store was created (each test starts on a new one) is taken out of
    ``err`` into ``notice``; tests of that notice read it there."""
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    lines = captured.err.splitlines(keepends=True)
    notice = "".join(ln for ln in lines if ln.startswith(NEW_STORE_NOTICE))
    err = "".join(ln for ln in lines if not ln.startswith(NEW_STORE_NOTICE))
    return Run(code, captured.out, err, notice)


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    result = run(capsys, *argv)
    assert (result.code, result.err) == (0, ""), result
    return result


def sha(text_: str) -> str:
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


def gold_record(seed_text: str, **changes: Any) -> dict[str, Any]:
    """A valid native JSONL record of the seed article: a gold set, 4 spans, 2 relations."""
    t = seed_text
    assert (t[233:236], t[237:244], t[107:112]) == ("قال", "لودريان", "موسكو")
    record: dict[str, Any] = {
        "doc_id": SEED_ID, "title": SEED_TITLE, "text": t, "sha256": sha(t),
        "annotator": "gold", "status": "done",
        "spans": [
            {"id": "s1", "start": 107, "end": 112, "label": "location", "text": t[107:112],
             "attributes": {}},
            {"id": "s2", "start": 233, "end": 236, "label": "cue", "text": t[233:236],
             "attributes": {}},
            {"id": "s3", "start": 237, "end": 244, "label": "actor", "text": t[237:244],
             "attributes": {}},
            {"id": "s4", "start": 294, "end": 378, "label": "quote", "text": t[294:378],
             "attributes": {"kind": "direct"}},
        ],
        "relations": [{"type": "cue", "head": "s4", "tail": "s2"},
                      {"type": "said_by", "head": "s4", "tail": "s3"}],
        "meta": {},
    }
    record.update(changes)
    return record


def small_record(doc_id: str, text_: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"doc_id": doc_id, "title": text_.split("\n")[0], "text": text_,
                              "sha256": sha(text_), "annotator": None, "status": None,
                              "spans": [], "relations": [], "meta": {}}
    record.update(changes)
    return record


def jsonl_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def write_jsonl(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(jsonl_line(r) + "\n" for r in records), encoding="utf-8")
    return path


def row_counts(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            return {name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
                    for name in TABLES if name in present}
    finally:
        engine.dispose()


def snapshot(capsys: pytest.CaptureFixture[str], db_url: str) -> tuple[str, str, dict[str, int]]:
    """What must not change after a rejected import: `docs`, `stats` and every table's row count."""
    docs = ok(capsys, "--db", db_url, "docs").out
    stats = ok(capsys, "--db", db_url, "stats").out
    return docs, stats, row_counts(db_url)
