"""Small helpers shared by the service tests."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from annotator.core.text import sha256_text
from annotator.db.models import (
    AnnotationSetRow,
    AnnotatorRow,
    DocumentRow,
    EventRow,
    RelationRow,
    SpanRow,
)
from annotator.db.store import Store

ROWS = (DocumentRow, AnnotatorRow, AnnotationSetRow, SpanRow, RelationRow, EventRow)


def snapshot(store: Store) -> dict[str, int]:
    """Row counts of every table: equal before and after means the store did not change."""
    with store.engine.connect() as conn:
        return {row.__tablename__: conn.execute(select(func.count()).select_from(row)).scalar_one()
                for row in ROWS}


def line(text: str, *, doc_id: str = "d1", annotator: str | None = "mona", status: str = "done",
         spans: list[dict[str, Any]] | None = None, relations: list[dict[str, Any]] | None = None,
         **overrides: Any) -> str:
    record: dict[str, Any] = {"doc_id": doc_id, "title": text.split("\n")[0], "text": text,
                              "sha256": sha256_text(text), "annotator": annotator,
                              "status": status, "spans": spans or [],
                              "relations": relations or [], "meta": {}}
    record.update(overrides)
    return json.dumps(record, ensure_ascii=False)


def span(text: str, word: str, label: str, key: str, *, occurrence: int = 0,
         **extra: Any) -> dict[str, Any]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(word, start + 1)
    item = {"id": key, "start": start, "end": start + len(word), "label": label, "text": word,
            "attributes": {}}
    item.update(extra)
    return item
