"""Backups, restores and integrity checks of a store (``annotator db backup|restore|check``).

- **Backup** of a SQLite store: SQLite's online backup (a consistent copy while others write),
  written beside the target and renamed over it. Of a PostgreSQL store: a folder with a full
  native JSONL of every set (``store.jsonl``), the team (``team.jsonl``), every label schema
  version (``schemas.jsonl``), the rejected candidates and suggestions (``rejections.jsonl``), the
  journal (``journal.jsonl``) and a ``manifest.json`` with the counts.
- **Restore** into an empty store: a SQLite file into a SQLite store page by page (an exact
  copy); a backup folder (or a SQLite file into PostgreSQL) through the native formats, every
  set with its spans' provenance and sources, the team's roles, the schema versions, the
  rejections and the journal (whose rows keep their time, actor and content; their entity ids
  refer to the original store).
- **Check**: text hashes, offsets inside the text and on grapheme boundaries, labels, attributes
  and relation types in the schema, relation ends in the relation's set with the labels its type
  needs, and the journal consistent with the tables (no span the journal says is deleted, every
  set created by a journaled action). Returns the problems, one line each.

Backups and restores read or write every set: leads only.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import func, insert, select, text

from annotator.core.errors import UserError
from annotator.core.model import Role, SetKind
from annotator.core.roles import require_lead
from annotator.core.schema import parse_schema
from annotator.core.text import is_grapheme_boundary, sha256_text
from annotator.db.models import (
    AnnotationSetRow,
    AnnotatorRow,
    DocumentRow,
    EventRow,
    LabelSchemaRow,
    RejectionRow,
    RelationRow,
    SpanRow,
    SuggestionRejectionRow,
)
from annotator.db.store import Store
from annotator.exports.atomic import default_mode
from annotator.services.team import identity

FILES = ("manifest.json", "team.jsonl", "schemas.jsonl", "store.jsonl", "rejections.jsonl",
         "journal.jsonl")


@dataclass
class BackupReport:
    path: str
    kind: str                     # "sqlite" (a database file) or "folder"
    counts: dict[str, int] = field(default_factory=dict)


# -- backup ------------------------------------------------------------------------------------


def backup(store: Store, path: Path, *, actor: str) -> BackupReport:
    """Back the store up to ``path`` (see the module docstring); refuses to overwrite."""
    _require_lead(store, actor, "back the store up")
    path = Path(path)
    if path.exists():
        raise UserError(f"{path} exists already; give a new name (a backup never overwrites)")
    path.parent.mkdir(parents=True, exist_ok=True)
    if store.engine.dialect.name == "sqlite":
        return _backup_sqlite(store, path)
    return _backup_folder(store, path, actor=actor)


def _backup_sqlite(store: Store, path: Path) -> BackupReport:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        target = sqlite3.connect(tmp)
        raw = store.engine.raw_connection()
        try:
            raw.driver_connection.backup(target, pages=4096)   # type: ignore[union-attr]
        finally:
            raw.close()
        target.execute("PRAGMA journal_mode=DELETE")    # one self-contained file
        target.close()
        os.chmod(tmp, default_mode())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as copy:
        counts = {t: copy.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
                  for t in ("document", "annotation_set", "span", "relation", "event")}
    return BackupReport(str(path), "sqlite", counts)


def _backup_folder(store: Store, path: Path, *, actor: str) -> BackupReport:
    from annotator.db.engine import current_revision
    from annotator.services.exporting import export

    staging = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        (report,) = export(store, staging / "store.jsonl", fmt="jsonl", which="all", actor=actor)
        counts = {"documents": report.documents, "sets_lines": report.items,
                  "spans": report.spans, "relations": report.relations}
        with store.engine.connect() as conn:
            counts["team"] = _write_lines(staging / "team.jsonl", (
                {"name": n, "role": r} for n, r in conn.execute(
                    select(AnnotatorRow.name, AnnotatorRow.role).order_by(AnnotatorRow.id))))
            counts["schemas"] = _write_lines(staging / "schemas.jsonl", (
                {"name": n, "version": v, "sha256": s, "content": c,
                 "loaded_at": _iso(at)} for n, v, s, c, at in conn.execute(
                    select(LabelSchemaRow.name, LabelSchemaRow.version, LabelSchemaRow.sha256,
                           LabelSchemaRow.content, LabelSchemaRow.loaded_at)
                    .order_by(LabelSchemaRow.id))))
            counts["rejections"] = _write_lines(staging / "rejections.jsonl",
                                                _rejections(conn))
            counts["journal"] = _write_lines(staging / "journal.jsonl", (
                {"at": _iso(e.at), "actor": e.actor, "batch": e.batch, "action": e.action,
                 "entity": e.entity, "entity_id": e.entity_id, "document_id": e.document_id,
                 "set_id": e.set_id, "before": e.before, "after": e.after,
                 "db_user": e.db_user}
                for e in conn.execute(select(EventRow).order_by(EventRow.id))))
        manifest = {"format": "annotator backup 1", "store": store.url,
                    "revision": current_revision(store.engine),
                    "made_at": datetime.now().astimezone().isoformat(), "counts": counts,
                    "files": list(FILES)}
        (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False,
                                                          indent=2) + "\n", encoding="utf-8")
        os.chmod(staging, default_mode(folder=True))
        os.replace(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BackupReport(str(path), "folder", counts)


def _rejections(conn: Any) -> Iterator[dict[str, Any]]:
    for table, kind in ((RejectionRow, "candidate"), (SuggestionRejectionRow, "suggestion")):
        rows = conn.execute(
            select(DocumentRow.external_id, AnnotatorRow.name, AnnotationSetRow.kind, table)
            .join(AnnotationSetRow, AnnotationSetRow.id == table.set_id)
            .join(DocumentRow, DocumentRow.id == AnnotationSetRow.document_id)
            .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id)
            .order_by(table.id))
        for row in rows:
            item = {"what": kind, "doc_id": row[0], "owner": row[1], "kind": row[2],
                    "start": row.start, "end": row.end, "label": row.label}
            if kind == "candidate":
                item.update(decided_by=row.decided_by, at=_iso(row.decided_at))
            else:
                item.update(suggester=row.suggester, at=_iso(row.rejected_at))
            yield item


def _write_lines(path: Path, items: Any) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")
            count += 1
        handle.flush()
        os.fsync(handle.fileno())
    return count


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


# -- restore -----------------------------------------------------------------------------------


def restore(store: Store, path: Path, *, actor: str) -> BackupReport:
    """Restore the backup at ``path`` into ``store``, which must be empty (a new store)."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"{path}: no such backup")
    _require_empty(store)
    if path.is_file():
        _check_sqlite_backup(path)
        if store.engine.dialect.name == "sqlite":
            return _restore_sqlite(store, path)
        with tempfile.TemporaryDirectory(prefix="annotator-restore-") as tmp:
            source = Store.open(f"sqlite:///{path}")
            try:
                folder = Path(tmp) / "backup"
                _backup_folder(source, folder, actor="system")
            finally:
                source.close()
            return _restore_folder(store, folder)
    if not (path / "manifest.json").is_file():
        raise UserError(f"{path}: not a backup folder (no manifest.json)")
    return _restore_folder(store, path)


def _require_empty(store: Store) -> None:
    with store.engine.connect() as conn:
        documents = conn.execute(select(func.count()).select_from(DocumentRow)).scalar_one()
        sets = conn.execute(select(func.count()).select_from(AnnotationSetRow)).scalar_one()
    if documents or sets:
        raise UserError(f"{store.url} has {documents} documents and {sets} sets: a backup is "
                        "restored into a new, empty store only (--db NEW)")


def _check_sqlite_backup(path: Path) -> None:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{path}: not an annotator backup ({exc})") from None


def _restore_sqlite(store: Store, path: Path) -> BackupReport:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    raw = store.engine.raw_connection()
    try:
        source.backup(raw.driver_connection)   # type: ignore[arg-type]
    finally:
        raw.close()
        source.close()
    store.engine.dispose()
    from annotator.db.engine import ensure_current

    ensure_current(store.engine)           # a backup of an older store is brought up to date
    with store.engine.connect() as conn:
        counts = {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
                  for t in ("document", "annotation_set", "span", "relation", "event")}
    return BackupReport(str(path), "sqlite", counts)


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise UserError(f"{path}:{number}: not valid JSON ({exc.msg})") from None


def _restore_folder(store: Store, folder: Path) -> BackupReport:
    from annotator.services.importing import import_paths

    for name in FILES:
        if not (folder / name).is_file():
            raise UserError(f"{folder}: the backup lacks {name}")
    counts: dict[str, int] = defaultdict(int)
    with store.unit_of_work(actor="system") as uow:
        connection = uow.connection
        present = {n for n, _ in uow.annotators.names()}
        for person in _lines(folder / "team.jsonl"):
            role = Role(person["role"])
            if person["name"] in present:
                uow.annotators.set_role(person["name"], role)
            else:
                uow.annotators.ensure(person["name"], role)
            counts["team"] += 1
        known = {sha for (sha,) in connection.execute(select(LabelSchemaRow.sha256))}
        for schema in _lines(folder / "schemas.jsonl"):
            if schema["sha256"] not in known:
                uow.schemas.add(name=schema["name"], version=schema["version"],
                                sha256=schema["sha256"], content=schema["content"])
            counts["schemas"] += 1
    report = import_paths(store, [folder / "store.jsonl"], actor="system", fmt="jsonl")
    if report.errors:
        raise UserError(f"{folder / 'store.jsonl'}: {report.errors[0]}")
    counts["documents"] = report.documents_added
    counts["spans"] = report.spans_added
    with store.unit_of_work(actor="system") as uow:
        connection = uow.connection
        sets = {(ext, owner, kind): set_id for set_id, ext, owner, kind in connection.execute(
            select(AnnotationSetRow.id, DocumentRow.external_id, AnnotatorRow.name,
                   AnnotationSetRow.kind)
            .join(DocumentRow, DocumentRow.id == AnnotationSetRow.document_id)
            .join(AnnotatorRow, AnnotatorRow.id == AnnotationSetRow.owner_id))}
        for item in _lines(folder / "rejections.jsonl"):
            set_id = sets.get((item["doc_id"], item["owner"], item["kind"]))
            if set_id is None:
                raise UserError(f"{folder / 'rejections.jsonl'}: no set of {item['owner']!r} "
                                f"for {item['doc_id']!r} in store.jsonl")
            at = datetime.fromisoformat(item["at"])
            if item["what"] == "candidate":
                connection.execute(insert(RejectionRow).values(
                    set_id=set_id, start=item["start"], end=item["end"], label=item["label"],
                    decided_by=item["decided_by"], decided_at=at))
            else:
                connection.execute(insert(SuggestionRejectionRow).values(
                    set_id=set_id, start=item["start"], end=item["end"], label=item["label"],
                    suggester=item.get("suggester"), rejected_at=at))
            counts["rejections"] += 1
        events = []
        for event in _lines(folder / "journal.jsonl"):
            event["at"] = datetime.fromisoformat(event["at"])
            event.pop("db_user", None)
            events.append(event)
            if len(events) >= 1000:
                connection.execute(insert(EventRow), events)
                counts["journal"] += len(events)
                events = []
        if events:
            connection.execute(insert(EventRow), events)
            counts["journal"] += len(events)
        uow.record("restore", "store", after={"from": str(folder), **counts})
    return BackupReport(str(folder), "folder", dict(counts))


# -- check -------------------------------------------------------------------------------------


def check(store: Store) -> list[str]:
    """Every integrity problem of the store, one line each (empty: all is well)."""
    problems: list[str] = []
    with store.unit_of_work(write=False) as uow:
        connection = uow.connection
        latest = uow.schemas.latest()
        schema = parse_schema(latest[1]) if latest else None
        texts: dict[int, str] = {}
        for doc_id, ext, body, sha in connection.execute(
                select(DocumentRow.id, DocumentRow.external_id, DocumentRow.text,
                       DocumentRow.sha256)):
            texts[doc_id] = body
            if sha256_text(body) != sha:
                problems.append(f"document {ext}: its text does not hash to its sha256 {sha}")
        set_doc = dict(connection.execute(select(AnnotationSetRow.id,
                                              AnnotationSetRow.document_id)).all())
        labels: dict[int, str] = {}
        for span_id, set_id, start, end, label, attributes in connection.execute(
                select(SpanRow.id, SpanRow.set_id, SpanRow.start, SpanRow.end, SpanRow.label,
                       SpanRow.attributes)):
            labels[span_id] = label
            body = texts.get(set_doc.get(set_id, -1))
            where = f"span {span_id} (set {set_id})"
            if body is None:
                problems.append(f"{where}: its set or document is missing")
                continue
            if not (0 <= start < end <= len(body)):
                problems.append(f"{where}: offsets {start}-{end} are outside the text "
                                f"(0-{len(body)})")
            elif not (is_grapheme_boundary(body, start) and is_grapheme_boundary(body, end)):
                problems.append(f"{where}: offsets {start}-{end} cut a character")
            if schema is not None:
                if not schema.has_label(label):
                    problems.append(f"{where}: label {label!r} is not in the schema")
                else:
                    problem = schema.check_attributes(label, attributes or {})
                    if problem:
                        problems.append(f"{where}: {problem}")
        for rel_id, set_id, kind, head, tail in connection.execute(
                select(RelationRow.id, RelationRow.set_id, RelationRow.type, RelationRow.head_id,
                       RelationRow.tail_id)):
            where = f"relation {rel_id} (set {set_id})"
            if head not in labels or tail not in labels:
                problems.append(f"{where}: an end span is missing")
            elif schema is not None and schema.has_relation(kind):
                rule = schema.relation(kind)
                if (labels[head], labels[tail]) != (rule.head, rule.tail):
                    problems.append(f"{where}: {kind} links a {labels[head]} to a "
                                    f"{labels[tail]}, not a {rule.head} to a {rule.tail}")
            elif schema is not None:
                problems.append(f"{where}: relation type {kind!r} is not in the schema")
        problems.extend(_journal_problems(connection, set(labels), set(set_doc)))
    return problems


def _journal_problems(connection: Any, spans: set[int], sets: set[int]) -> list[str]:
    found: list[str] = []
    last: dict[int, str] = {}
    for entity_id, action in connection.execute(
            select(EventRow.entity_id, EventRow.action)
            .where(EventRow.entity == "span", EventRow.entity_id.is_not(None))
            .order_by(EventRow.id)):
        last[entity_id] = action
    for span_id in sorted(spans):
        if last.get(span_id) == "delete":
            found.append(f"span {span_id}: the journal says it was deleted, but it is there")
    created = {set_id for (set_id,) in connection.execute(
        select(EventRow.set_id).where(EventRow.set_id.is_not(None),
                                      EventRow.action.in_(("create", "assign", "import",
                                                           "suggest", "restore"))))}
    restored = connection.execute(select(func.count()).select_from(EventRow).where(
        EventRow.entity == "store", EventRow.action == "restore")).scalar_one()
    if not restored:    # a restored store's journal speaks of the original store's ids
        for set_id in sorted(sets - created):
            found.append(f"set {set_id}: no journaled action created it")
    return found


def _require_lead(store: Store, actor: str, action: str) -> None:
    with store.unit_of_work(actor=actor, write=False) as uow:
        require_lead(identity(uow, actor), action)


__all__ = ["BackupReport", "backup", "check", "restore", "SetKind"]
