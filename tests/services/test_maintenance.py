"""Backups, restores and integrity checks (annotator db backup | restore | check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from annotator.core.errors import UserError
from annotator.core.model import Role
from annotator.db.models import DocumentRow, EventRow, SpanRow
from annotator.db.store import Store
from annotator.services.annotate import AnnotationService
from annotator.services.exporting import export
from annotator.services.maintenance import backup, check, restore
from annotator.services.project import open_project, project_schema
from annotator.services.review import ReviewService
from annotator.services.team import TeamService, ensure_first_lead
from tests.cli._helpers import run
from tests.ui.helpers import ACTOR, CUE, EMOJI_ID, QUOTE, import_documents


def _fill(store: Store, tmp_path: Path) -> None:
    """Two documents, two annotators with relations, gold with provenance, a rejection."""
    ids = import_documents(store, tmp_path)
    ensure_first_lead(store, "lina")
    team = TeamService(store, actor="lina")
    team.add("rana", Role.REVIEWER)
    schema = project_schema(store)
    for name in ("mona", "omar"):
        team.add(name)
        service = AnnotationService(store, schema, annotator=name)
        set_id = service.open_document(ids[EMOJI_ID]).set.id
        assert set_id is not None
        cue = service.add_span(set_id, *CUE, "cue")
        actor = service.add_span(set_id, *ACTOR, "actor")
        quote = service.add_span(set_id, *QUOTE, "quote",
                                 attributes={"kind": "direct" if name == "mona" else "partial"})
        service.add_relation(set_id, "said_by", quote.id or 0, actor.id or 0)
        if name == "mona":
            service.add_relation(set_id, "cue", quote.id or 0, cue.id or 0)
    review = ReviewService(store, schema, reviewer="rana")
    opened = review.open(ids[EMOJI_ID])
    review.accept_unanimous(opened, opened.gold_state())
    opened = review.open(ids[EMOJI_ID])
    review.reject(opened, (QUOTE[0], QUOTE[1], "quote"), opened.gold_state())


def _everything(store: Store, tmp_path: Path, name: str) -> str:
    out = tmp_path / f"{name}.jsonl"
    export(store, out, fmt="jsonl", which="all", actor="lina")
    return out.read_text(encoding="utf-8")


def test_backup_and_restore_give_back_every_set(store: Store, tmp_path: Path,
                                                other_store: Store) -> None:
    _fill(store, tmp_path)
    before = _everything(store, tmp_path, "before")
    assert '"provenance"' in before
    target = tmp_path / ("backup.sqlite3" if store.engine.dialect.name == "sqlite"
                         else "backup")
    report = backup(store, target, actor="lina")
    assert report.kind == ("sqlite" if target.suffix else "folder")
    with pytest.raises(UserError, match="exists already"):
        backup(store, target, actor="lina")
    with pytest.raises(UserError, match="only leads"):
        backup(store, tmp_path / "other", actor="mona")
    if report.kind == "folder":
        manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["counts"]["rejections"] == 1 and manifest["counts"]["team"] >= 4
    restored = restore(other_store, target, actor="lina")
    assert restored.counts
    ensure_first_lead(other_store, "lina")
    assert _everything(other_store, tmp_path, "after") == before
    assert check(other_store) == []
    with other_store.engine.connect() as conn:
        roles = dict(conn.execute(text("SELECT name, role FROM annotator")).all())
        journal = conn.execute(select(EventRow.action)).scalars().all()
        rejected = conn.execute(text("SELECT label FROM review_rejection")).scalars().all()
    assert roles["rana"] == "reviewer" and roles["lina"] == "lead"
    assert rejected == ["quote"]
    assert journal.count("add") >= 6     # the annotators' spans, journaled in the original
    with pytest.raises(UserError, match="new, empty store only"):
        restore(other_store, target, actor="lina")


def test_check_names_every_problem(store: Store, tmp_path: Path) -> None:
    _fill(store, tmp_path)
    assert check(store) == []
    with store.engine.begin() as conn:
        conn.execute(update(DocumentRow).where(DocumentRow.external_id == EMOJI_ID)
                     .values(sha256="0" * 64))
        first = conn.execute(select(SpanRow.id).order_by(SpanRow.id)).scalars().first()
        conn.execute(update(SpanRow).where(SpanRow.id == first).values(end=100_000))
        conn.execute(text("INSERT INTO event (at, actor, batch, action, entity, entity_id) "
                          "VALUES (CURRENT_TIMESTAMP, 'x', 'b', 'delete', 'span', :i)"),
                     {"i": first + 1})
    problems = check(store)
    assert problems == [
        f"document {EMOJI_ID}: its text does not hash to its sha256 {'0' * 64}",
        f"span {first} (set 1): offsets {CUE[0]}-100000 are outside the text (0-"
        f"{len(_text(store))})",
        f"span {first + 1}: the journal says it was deleted, but it is there",
    ]


def _text(store: Store) -> str:
    with store.engine.connect() as conn:
        return conn.execute(select(DocumentRow.text).where(DocumentRow.external_id == EMOJI_ID)
                            ).scalar_one()


def test_db_check_backup_restore_from_the_command_line(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_project(url)
    _fill(store, tmp_path)
    store.close()
    result = run(capsys, "--db", url, "--user", "lina", "db", "check")
    assert (result.code, result.out) == (0, f"{url}: all is well (texts, offsets, labels, "
                                            "relations, journal)\n")
    copy = tmp_path / "copy.sqlite3"
    result = run(capsys, "--db", url, "--user", "lina", "db", "backup", str(copy))
    assert result.code == 0 and result.out.startswith(f"{url}: backed up to {copy} (")
    new = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    result = run(capsys, "--db", new, "--user", "lina", "db", "restore", str(copy))
    assert result.code == 0 and f"restored from {copy}" in result.out
    assert run(capsys, "--db", new, "--user", "lina", "db", "check").code == 0
    with open_project(url).engine.begin() as conn:
        conn.execute(update(SpanRow).values(label="nonsense"))
    bad = run(capsys, "--db", url, "--user", "lina", "db", "check")
    assert bad.code == 1 and "label 'nonsense' is not in the schema" in bad.out
    assert bad.out.splitlines()[-1].endswith("problems")
    missing = run(capsys, "--db", url, "--user", "lina", "db", "backup")
    assert missing.code == 1 and missing.err == "annotator: db backup needs a PATH (the backup)\n"
