"""Team mode on PostgreSQL: each person's own database login, and row-level security that keeps
an annotator's connection to their own sets even with plain SQL (PostgreSQL only).

One store for the module, made as a realistic team would: a database owned by a role that is not
a superuser (it runs the migrations, creates the logins, installs the security), a lead, a
reviewer and two annotators (one with an Arabic name) added through the team service, the
security installed, then the work done on the owner's connection. Tests that write use
documents of their own or roll back, so their order does not matter.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from annotator.core.errors import UserError
from annotator.core.model import Role, SetKind, SetStatus
from annotator.core.roles import PermissionDenied
from annotator.core.schema import Schema
from annotator.db.engine import HEAD_REVISION
from annotator.db.security import GROUP, LoginState, SecureReport, secure
from annotator.db.store import Store
from annotator.services.agreement import agreement
from annotator.services.annotate import AnnotationService
from annotator.services.assign import assign
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from annotator.services.project import open_project, project_schema
from annotator.services.review import GoldState, ReviewService
from annotator.services.team import TeamService, ensure_first_lead
from tests.conftest import PG_ENV
from tests.services.helpers import line, span
from tests.ui.helpers import ACTOR, CUE, EMOJI_TEXT, FRANCE, MOSCOW, QUOTE

BASE = os.environ.get(PG_ENV)
pytestmark = pytest.mark.skipif(not BASE, reason=f"{PG_ENV} is not set")

# login roles are cluster-wide: names of this run only, dropped at the end
RUN = uuid.uuid4().hex[:6]
OWNER = f"owner_{RUN}"
LEAD, REVIEWER, A = f"lina_{RUN}", f"rana_{RUN}", f"mona_{RUN}"
B = f"سارة_{RUN}"                      # an Arabic login: 9 letters of two bytes, plus the run
LATE = f"zaid_{RUN}"                  # added by the lead on their own connection
LONG = "ع" * 32                         # 64 bytes of UTF-8: one more than a role name holds
PASSWORDED = f"huda_{RUN}"
FOREIGN = f"foreign_{RUN}"            # a role of the cluster that is not a team login
ROLES = (LEAD, REVIEWER, A, B, LATE, PASSWORDED, FOREIGN, OWNER)

TEXTS = {f"rls-{i}": f"{EMOJI_TEXT}\nملحق {i}" for i in range(1, 5)}  # same offsets, 4 documents


def as_user(url: str, name: str) -> str:
    return make_url(url).set(username=name).render_as_string(hide_password=False)


@dataclass
class Team:
    url: str                      # the owner's connection
    store: Store                  # ... open
    schema: Schema
    docs: dict[str, int]          # external id -> id
    sets: dict[str, int]          # a, b, gold, suggestions (all of rls-1)
    spans: dict[str, int]         # a_quote, b_actor, gold_cue, ...
    first_report: SecureReport

    def engine(self, name: str) -> Engine:
        return create_engine(as_user(self.url, name))


def _import(store: Store, folder: Path, actor: str, *names: str) -> None:
    paths = []
    for name in names:
        path = folder / f"{name}.txt"
        path.write_text(TEXTS[name], encoding="utf-8")
        paths.append(path)
    report = import_paths(store, paths, actor=actor)
    assert not report.errors, report.errors


def _ids(store: Store, query: str, **params: Any) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {str(k): int(v) for k, v in conn.execute(text(query), params)}


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    assert BASE is not None
    admin = create_engine(BASE, isolation_level="AUTOCOMMIT")
    database = f"annotator_rls_{RUN}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{OWNER}" LOGIN CREATEROLE'))
        conn.execute(text(f'CREATE ROLE "{FOREIGN}" LOGIN'))
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER "{OWNER}"'))
    url = as_user(make_url(BASE).set(database=database).render_as_string(hide_password=False),
                  OWNER)
    store = open_project(url)                      # the owner migrates
    try:
        assert ensure_first_lead(store, LEAD)      # creates the lead's login
        lead = TeamService(store, actor=LEAD)
        lead.add(REVIEWER, Role.REVIEWER)
        lead.add(A)
        lead.add(B)
        first_report = secure(store.engine, revision=HEAD_REVISION)
        # everything below runs on the owner's connection, under the (forced) policies
        folder = tmp_path_factory.mktemp("rls")
        _import(store, folder, LEAD, "rls-1", "rls-2", "rls-3")
        schema = project_schema(store)
        docs = _ids(store, "SELECT external_id, id FROM document")
        spans: dict[str, int] = {}
        for who, labels in ((A, [(CUE, "cue"), (ACTOR, "actor"), (QUOTE, "quote")]),
                            (B, [(CUE, "cue"), (ACTOR, "actor"), (FRANCE, "location"),
                                 (QUOTE, "quote")])):
            service = AnnotationService(store, schema, annotator=who)
            set_id = service.open_document(docs["rls-1"]).set.id or 0
            made = {label: service.add_span(set_id, s, e, label).id or 0
                    for (s, e), label in labels}
            service.add_relation(set_id, "said_by", made["quote"], made["actor"])
            spans.update({f"{'a' if who == A else 'b'}_{label}": i for label, i in made.items()})
        text_1 = TEXTS["rls-1"]
        jsonl = folder / "suggestions.jsonl"
        jsonl.write_text(line(text_1, doc_id="rls-1", annotator="suggestions", spans=[
            span(text_1, "موسكو", "location", "s1", occurrence=1)]) + "\n", encoding="utf-8")
        assert not import_paths(store, [jsonl], actor=LEAD).errors
        review = ReviewService(store, schema, reviewer=REVIEWER)
        opened = review.open(docs["rls-1"])
        review.accept(opened, (*CUE, "cue"), GoldState.of(opened.gold))
        opened = review.open(docs["rls-1"])
        review.reject(opened, (*FRANCE, "location"), opened.gold_state())
        sets = _ids(store, "SELECT CASE WHEN s.kind = 'annotation' THEN a.name ELSE s.kind END, "
                           "s.id FROM annotation_set s JOIN annotator a ON a.id = s.owner_id "
                           "WHERE s.document_id = :d", d=docs["rls-1"])
        sets = {"a": sets[A], "b": sets[B], "gold": sets["gold"],
                "suggestions": sets["suggestions"]}
        spans.update(_ids(store, "SELECT 'gold_' || label, id FROM span WHERE set_id = :g",
                          g=sets["gold"]))
        with store.engine.begin() as conn:         # rejected suggestions (no service yet)
            for key in ("a", "b"):
                conn.execute(text("INSERT INTO suggestion_rejection (set_id, start, \"end\", "
                                  "label, rejected_at) VALUES (:s, :b, :e, 'location', now())"),
                             {"s": sets[key], "b": MOSCOW[1][0], "e": MOSCOW[1][1]})
        yield Team(url, store, schema, docs, sets, spans, first_report)
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            for role in ROLES + (LONG,):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def _attempt(conn: Connection, statement: str, **params: Any) -> int | str:
    """Rows affected, or the SQLSTATE of the refusal (in a savepoint: the test goes on)."""
    try:
        with conn.begin_nested():
            return conn.execute(text(statement), params).rowcount
    except DBAPIError as exc:
        return str(getattr(exc.orig, "sqlstate", exc))


def _rows(conn: Connection, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute(text(statement), params)]


def _everything(team: Team) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that matters, as the owner sees it (all of them)."""
    with team.store.engine.connect() as conn:
        return {table: _rows(conn, f"SELECT * FROM {table} ORDER BY id") for table in (
            "annotation_set", "span", "relation", "review_rejection", "suggestion_rejection",
            "annotator", "document", "event", "label_schema")}


# -- db secure and the logins ------------------------------------------------------------------


def test_db_secure_made_the_logins_and_running_it_again_changes_nothing(team: Team) -> None:
    assert team.first_report.tables == (
        "annotation_set", "annotator", "document", "event", "label_schema", "relation",
        "review_rejection", "span", "suggestion_rejection")
    assert dict(team.first_report.logins) == {LEAD: LoginState.EXISTING, REVIEWER: "already exists",
                                              A: "already exists", B: "already exists"}
    with team.store.engine.connect() as conn:
        members = _rows(conn, "SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolcreaterole, "
                              "r.rolbypassrls FROM pg_roles r JOIN pg_auth_members m "
                              "ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid "
                              "WHERE g.rolname = :g AND r.rolname = ANY(:n) ORDER BY 1",
                        g=GROUP, n=[LEAD, REVIEWER, A, B])
        policies = _rows(conn, "SELECT tablename, policyname, cmd, qual, with_check "
                               "FROM pg_policies WHERE tablename = ANY(:t) ORDER BY 1, 2",
                         t=list(team.first_report.tables))
        first_lead = conn.execute(text("SELECT after FROM event WHERE action = 'role' "
                                       "ORDER BY id LIMIT 1")).scalar_one()
    assert members == sorted((name, True, False, False, False) for name in (LEAD, REVIEWER, A, B))
    assert first_lead == {"name": LEAD, "role": "lead", "why": "first lead of the store",
                          "login": "created"}
    assert len(policies) == 9 * 4
    again = secure(team.store.engine, revision=HEAD_REVISION)
    assert set(again.tables) >= set(team.first_report.tables)   # (+ the new-table test's)
    assert set(again.logins) >= set(team.first_report.logins)
    with team.store.engine.connect() as conn:
        assert _rows(conn, "SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies "
                           "WHERE tablename = ANY(:t) ORDER BY 1, 2",
                     t=list(team.first_report.tables)) == policies
        forced = _rows(conn, "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class "
                             "WHERE relname = ANY(:t) ORDER BY 1", t=list(team.first_report.tables))
    assert forced == [(t, True, t != "annotator") for t in team.first_report.tables]


# -- an annotator's own connection, plain SQL -------------------------------------------------


def test_an_annotator_reads_only_their_own_sets_and_the_suggestions(team: Team) -> None:
    doc = team.docs["rls-1"]
    engine = team.engine(A)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == A
            sets = _rows(conn, "SELECT s.id, a.name, s.kind FROM annotation_set s "
                               "JOIN annotator a ON a.id = s.owner_id WHERE s.document_id = :d "
                               "ORDER BY s.id", d=doc)
            spans = _rows(conn, "SELECT s.set_id, s.start, s.\"end\", s.label FROM span s "
                                "JOIN annotation_set t ON t.id = s.set_id "
                                "WHERE t.document_id = :d ORDER BY 1, 2, 4", d=doc)
            relations = _rows(conn, "SELECT r.set_id, r.type FROM relation r JOIN annotation_set "
                                    "t ON t.id = r.set_id WHERE t.document_id = :d ORDER BY r.id",
                              d=doc)
            every_set = _rows(conn, "SELECT a.name, s.kind FROM annotation_set s "
                                    "JOIN annotator a ON a.id = s.owner_id")
            every_span_set = {r[0] for r in _rows(conn, "SELECT DISTINCT set_id FROM span")}
            mine = {r[0] for r in _rows(conn, "SELECT id FROM annotation_set")}
            events = _rows(conn, "SELECT set_id, db_user FROM event")
            rejections = _rows(conn, "SELECT set_id FROM review_rejection")
            hidden = _rows(conn, "SELECT set_id, label FROM suggestion_rejection")
            documents = conn.execute(text("SELECT count(*) FROM document")).scalar()
            people = conn.execute(text("SELECT count(*) FROM annotator")).scalar()
    finally:
        engine.dispose()
    a, sug = team.sets["a"], team.sets["suggestions"]
    assert sets == [(a, A, "annotation"), (sug, "suggestions", "suggestions")]
    assert spans == [(a, *CUE, "cue"), (a, *ACTOR, "actor"), (a, *QUOTE, "quote"),
                     (sug, *MOSCOW[1], "location")]
    assert TEXTS["rls-1"][MOSCOW[1][0]:MOSCOW[1][1]] == "موسكو"
    assert relations == [(a, "said_by")]
    assert {kind for name, kind in every_set if name != A} == {"suggestions"}
    assert every_span_set <= mine
    assert rejections == []                          # gold's: the reviewer's
    assert hidden == [(a, "location")]
    assert events and all(set_id in mine or user == A for set_id, user in events)
    everything = _everything(team)
    # the team reads every document and everyone of the team; the rest of the work stays hidden
    assert (documents, people) == (len(everything["document"]), len(everything["annotator"]))
    assert len(everything["span"]) > len(spans) and len(everything["event"]) > len(events)


def test_an_annotator_cannot_change_anothers_spans_gold_roles_or_the_journal(team: Team) -> None:
    before = _everything(team)
    b, gold, a = team.sets["b"], team.sets["gold"], team.sets["a"]
    owners = _ids(team.store, "SELECT name, id FROM annotator")
    new_span = ("INSERT INTO span (set_id, start, \"end\", label, attributes, note, origin, "
                "created_at, updated_at) VALUES (:s, 104, 109, 'location', '{}', '', 'manual', "
                "now(), now())")
    engine = team.engine(A)
    try:
        with engine.connect() as conn, conn.begin():
            outcome = {
                "update B's spans": _attempt(conn, "UPDATE span SET label = 'quote' "
                                                   "WHERE set_id = :s", s=b),
                "update gold": _attempt(conn, "UPDATE span SET note = 'x' WHERE set_id = :s",
                                        s=gold),
                "delete B's and gold": _attempt(conn, "DELETE FROM span WHERE set_id IN (:b, :g)",
                                                b=b, g=gold),
                "delete B's relations": _attempt(conn, "DELETE FROM relation WHERE set_id = :s",
                                                 s=b),
                "B's set done": _attempt(conn, "UPDATE annotation_set SET status = 'done' "
                                               "WHERE id = :s", s=b),
                "insert into B's": _attempt(conn, new_span, s=b),
                "insert into gold": _attempt(conn, new_span, s=gold),
                "move own span to B": _attempt(conn, "UPDATE span SET set_id = :b WHERE id = :i",
                                               b=b, i=team.spans["a_actor"]),
                "create gold": _attempt(conn, "INSERT INTO annotation_set (document_id, owner_id, "
                                              "kind, status, active_seconds, updated_at) VALUES "
                                              "(:d, :o, 'gold', 'todo', 0, now())",
                                        d=team.docs["rls-2"], o=owners["gold"]),
                "create B's set": _attempt(conn, "INSERT INTO annotation_set (document_id, "
                                                 "owner_id, kind, status, active_seconds, "
                                                 "updated_at) VALUES (:d, :o, 'annotation', "
                                                 "'todo', 0, now())",
                                           d=team.docs["rls-2"], o=owners[B]),
                "make self lead": _attempt(conn, "UPDATE annotator SET role = 'lead' "
                                                 "WHERE name = :n", n=A),
                "add a person": _attempt(conn, "INSERT INTO annotator (name, role) "
                                               "VALUES ('intruder', 'lead')"),
                "reject in gold": _attempt(conn, "INSERT INTO review_rejection (set_id, start, "
                                                 "\"end\", label, decided_by, decided_at) VALUES "
                                                 "(:s, 104, 109, 'location', :n, now())",
                                           s=gold, n=A),
                "hide in B's": _attempt(conn, "INSERT INTO suggestion_rejection (set_id, start, "
                                              "\"end\", label, rejected_at) VALUES "
                                              "(:s, 1, 2, 'actor', now())", s=b),
                "journal as the lead": _attempt(conn, "INSERT INTO event (at, actor, batch, "
                                                      "action, entity, set_id, db_user) VALUES "
                                                      "(now(), :n, 'x', 'add', 'span', :s, :n)",
                                                n=LEAD, s=a),
                "journal about B's": _attempt(conn, "INSERT INTO event (at, actor, batch, action, "
                                                    "entity, set_id) VALUES (now(), :n, 'x', "
                                                    "'add', 'span', :s)", n=A, s=b),
                "journal as someone": _attempt(conn, "INSERT INTO event (at, actor, batch, "
                                                     "action, entity) VALUES (now(), :n, 'x', "
                                                     "'add', 'span')", n=LEAD),
                "edit the journal": _attempt(conn, "UPDATE event SET actor = 'nobody'"),
                "erase the journal": _attempt(conn, "DELETE FROM event"),
                "truncate": _attempt(conn, "TRUNCATE span"),
                "switch off": _attempt(conn, "ALTER TABLE span DISABLE ROW LEVEL SECURITY"),
                "edit a document": _attempt(conn, "UPDATE document SET title = 'x'"),
                "read B's spans": len(_rows(conn, "SELECT id FROM span WHERE set_id = :s", s=b)),
            }
            conn.execute(text(f'SET LOCAL ROLE "{GROUP}"'))   # the group itself is nobody
            outcome["as the group"] = conn.execute(text("SELECT count(*) FROM span")).scalar()
            conn.rollback()
    finally:
        engine.dispose()
    refused = "42501"   # insufficient privilege: a policy's WITH CHECK, or no grant
    assert outcome == {
        "update B's spans": 0, "update gold": 0, "delete B's and gold": 0,
        "delete B's relations": 0, "B's set done": 0, "insert into B's": refused,
        "insert into gold": refused, "move own span to B": refused, "create gold": refused,
        "create B's set": refused, "make self lead": 0, "add a person": refused,
        "reject in gold": refused, "hide in B's": refused, "journal as the lead": refused,
        "journal about B's": refused, "journal as someone": refused, "edit the journal": refused, "erase the journal": refused,
        "truncate": refused, "switch off": refused, "edit a document": 0, "read B's spans": 0,
        "as the group": 0}
    assert _everything(team) == before


def test_an_annotators_own_writes_pass_and_the_journal_names_their_login(team: Team) -> None:
    a = team.sets["a"]
    engine = team.engine(A)
    try:
        with engine.connect() as conn, conn.begin():
            added = conn.execute(text(
                "INSERT INTO span (set_id, start, \"end\", label, attributes, note, origin, "
                "created_at, updated_at) VALUES (:s, :b, :e, 'location', '{}', '', 'manual', "
                "now(), now()) RETURNING id"), {"s": a, "b": MOSCOW[1][0], "e": MOSCOW[1][1]}
            ).scalar_one()
            moved = conn.execute(text("UPDATE span SET note = 'ok' WHERE id = :i"),
                                 {"i": added}).rowcount
            users = conn.execute(text(
                "INSERT INTO event (at, actor, batch, action, entity, entity_id, set_id) VALUES "
                "(now(), :n, 'x', 'add', 'span', :i, :s), "
                "(now(), :n, 'x', 'note', 'span', :i, NULL) RETURNING db_user"),
                {"i": added, "s": a, "n": A}).scalars().all()
            status = conn.execute(text("UPDATE annotation_set SET status = 'done' WHERE id = :s"),
                                  {"s": a}).rowcount
            conn.rollback()
    finally:
        engine.dispose()
    assert (moved, users, status) == (1, [A, A], 1)


# -- the services on a person's own connection ---------------------------------------------


def test_the_services_work_on_an_annotators_own_connection(team: Team, tmp_path: Path) -> None:
    doc = team.docs["rls-2"]
    since = max(_ids(team.store, "SELECT 'max', coalesce(max(id), 0) FROM event").values())
    store = Store.open(as_user(team.url, A))          # at the head revision: nothing to migrate
    try:
        schema = project_schema(store)
        service = AnnotationService(store, schema, annotator=A)
        opened = service.open_document(doc)
        set_id = opened.set.id or 0
        service.add_span(set_id, *CUE, "cue")
        quote = service.add_span(set_id, *QUOTE, "quote")
        actor = service.add_span(set_id, *ACTOR, "actor")
        service.add_relation(set_id, "said_by", quote.id or 0, actor.id or 0)
        service.update_span(actor.id or 0, start=ACTOR[0] - 1)      # with its و
        service.update_span(actor.id or 0, start=ACTOR[0])          # and back
        gone = service.delete_span(actor.id or 0)                     # with its relation
        service.restore_span(gone)                                    # undo: same ids
        assert service.set_status(set_id, SetStatus.DONE) == (SetStatus.IN_PROGRESS,
                                                              SetStatus.DONE)
        queue = {item.external_id: (item.status, item.spans) for item in service.queue()}
        out = tmp_path / "mine.jsonl"
        export(store, out, fmt="jsonl", which=A, actor=A)
    finally:
        store.close()
    assert queue["rls-2"] == (SetStatus.DONE, 3)
    records = [json.loads(row) for row in out.read_text(encoding="utf-8").splitlines()]
    assert {r["annotator"] for r in records} == {A}   # (the lead's test may assign A more)
    records = [r for r in records if r["doc_id"] in ("rls-1", "rls-2")]
    assert [(r["doc_id"], r["status"]) for r in records] == [("rls-1", "in_progress"),
                                                            ("rls-2", "done")]
    text_2 = TEXTS["rls-2"]
    assert [(s["start"], s["end"], s["label"], s["text"]) for s in records[1]["spans"]] == [
        (*CUE, "cue", text_2[CUE[0]:CUE[1]]), (*ACTOR, "actor", "الرئيس الروسي"),
        (*QUOTE, "quote", "التعاون مع فرنسا ضروري جدا")]
    assert text_2.index("📰") < CUE[0]                 # an emoji before every span
    ids = {s["id"]: (s["start"], s["label"]) for s in records[1]["spans"]}
    assert [(ids[r["head"]], r["type"], ids[r["tail"]]) for r in records[1]["relations"]] == [
        ((QUOTE[0], "quote"), "said_by", (ACTOR[0], "actor"))]
    with team.store.engine.connect() as conn:
        journal = _rows(conn, "SELECT action, entity, actor, db_user FROM event WHERE id > :i "
                              "ORDER BY id", i=since)
    assert [row[:2] for row in journal] == [
        ("create", "annotation_set"), ("add", "span"), ("status", "annotation_set"),
        ("add", "span"), ("add", "span"), ("add", "relation"), ("update", "span"),
        ("update", "span"), ("delete", "relation"), ("delete", "span"), ("restore", "span"),
        ("restore", "relation"), ("status", "annotation_set")]
    assert {row[2:] for row in journal} == {(A, A)}


def test_the_services_refuse_anothers_set_on_an_annotators_connection(team: Team,
                                                                      tmp_path: Path) -> None:
    before = _everything(team)
    b, gold = team.sets["b"], team.sets["gold"]
    store = Store.open(as_user(team.url, A))
    try:
        schema = project_schema(store)
        mine = AnnotationService(store, schema, annotator=A)
        for attempt in (lambda: mine.load_set(b), lambda: mine.add_span(b, *FRANCE, "location"),
                        lambda: mine.set_status(gold, "done"),
                        lambda: mine.delete_span(team.spans["b_actor"]),
                        lambda: mine.update_span(team.spans["gold_cue"], note="x")):
            with pytest.raises(UserError) as caught:
                attempt()
            assert "\n" not in str(caught.value)
            assert "does not exist" in str(caught.value)   # the database shows A nothing else
        # saying --user B does not make the connection B's
        posing = AnnotationService(store, schema, annotator=B)
        with pytest.raises(PermissionDenied) as refused:
            posing.open_document(team.docs["rls-2"])
        with pytest.raises(PermissionDenied, match="only reviewers and leads"):
            ReviewService(store, schema, reviewer=A).open(team.docs["rls-1"])
        with pytest.raises(PermissionDenied, match="annotation is blind"):
            export(store, tmp_path / "b.jsonl", fmt="jsonl", which=B, actor=A)
        with pytest.raises(PermissionDenied, match="only leads can"):
            TeamService(store, actor=A).set_role(A, Role.LEAD)
        with pytest.raises(PermissionDenied) as lead_pose:       # A says they are the lead
            TeamService(store, actor=LEAD).set_role(A, Role.LEAD)
    finally:
        store.close()
    assert str(refused.value) == (
        f"the database refused {A!r}: new row violates row-level security policy for table "
        "\"annotation_set\" (team mode: a person acts under their login's name and writes only "
        "their own sets; reviewers write gold, leads everything)")
    assert str(lead_pose.value).startswith(
        f"the database refused {A!r}: new row violates row-level security policy for table "
        "\"event\"")
    assert _everything(team) == before


def test_a_person_connection_never_migrates_the_store(team: Team) -> None:
    with team.store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0004_versions_suggestions'"))
    try:
        with pytest.raises(UserError) as caught:
            Store.open(as_user(team.url, A))
    finally:
        with team.store.engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": HEAD_REVISION})
    url = make_url(as_user(team.url, A)).render_as_string(hide_password=True)
    assert str(caught.value) == (
        f"the store {url} is at revision 0004_versions_suggestions and this program needs "
        f"{HEAD_REVISION}, but {A!r} may not change its schema: its owner runs annotator --db URL "
        "db upgrade")
    with team.store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM information_schema.columns WHERE "
                                 "table_name = 'event' AND column_name = 'db_user'")).scalar() == 1


# -- the reviewer and the lead on their own connections ---------------------------------------


def test_a_reviewer_reads_every_set_and_writes_only_gold(team: Team) -> None:
    doc = team.docs["rls-1"]
    store = Store.open(as_user(team.url, REVIEWER))
    try:
        schema = project_schema(store)
        review = ReviewService(store, schema, reviewer=REVIEWER)
        opened = review.open(doc)
        assert sorted(opened.sets) == sorted([A, B])
        review.accept(opened, (*ACTOR, "actor"), opened.gold_state())
        opened = review.open(doc)
        review.reject(opened, (*QUOTE, "quote"), opened.gold_state())
        review.mark_reviewed(review.open(doc))
        figures = agreement(store, actor=REVIEWER, docs="rls-1")
        gold = AnnotationService(store, schema, annotator=REVIEWER, kind=SetKind.GOLD)
        created = gold.open_document(team.docs["rls-3"]).set     # a gold set of their making
        gold.add_span(created.id or 0, *MOSCOW[1], "location")
        with store.engine.connect() as conn, conn.begin():
            seen = conn.execute(text("SELECT count(*) FROM span")).scalar()
            changed = _attempt(conn, "UPDATE span SET note = 'x' WHERE set_id = :s",
                               s=team.sets["a"])
            made = _attempt(conn, "INSERT INTO annotation_set (document_id, owner_id, kind, "
                                  "status, active_seconds, updated_at) SELECT :d, id, "
                                  "'annotation', 'todo', 0, now() FROM annotator WHERE name = :n",
                            d=team.docs["rls-3"], n=B)
            conn.rollback()
    finally:
        store.close()
    with team.store.engine.connect() as conn:
        gold = _rows(conn, "SELECT start, \"end\", label FROM span WHERE set_id = :g "
                           "ORDER BY start", g=team.sets["gold"])
        rejected = _rows(conn, "SELECT start, \"end\", label, decided_by FROM review_rejection "
                               "ORDER BY start")
        status = conn.execute(text("SELECT status FROM annotation_set WHERE id = :g"),
                              {"g": team.sets["gold"]}).scalar()
        everything = conn.execute(text("SELECT count(*) FROM span")).scalar()
        users = _rows(conn, "SELECT DISTINCT db_user FROM event WHERE actor = :r", r=REVIEWER)
        new_gold = _rows(conn, "SELECT a.name, s.kind, p.start, p.\"end\", p.label, p.provenance "
                           "FROM annotation_set s JOIN annotator a ON a.id = s.owner_id JOIN span p "
                           "ON p.set_id = s.id WHERE s.id = :s", s=created.id)
    assert gold == [(*CUE, "cue"), (*ACTOR, "actor")]
    assert new_gold == [("gold", "gold", *MOSCOW[1], "location",
                     {"decided_by": REVIEWER, "how": "added", "from": []})]
    assert rejected == [(*QUOTE, "quote", REVIEWER), (*FRANCE, "location", REVIEWER)]
    assert status == "done" and seen == everything
    assert (changed, made) == (0, "42501")
    assert users == [(OWNER,), (REVIEWER,)]      # the setup ran on the owner's connection
    assert figures.to_json()["documents"] == 1


def test_a_lead_assigns_imports_and_adds_people_on_their_own_connection(team: Team,
                                                                        tmp_path: Path) -> None:
    store = Store.open(as_user(team.url, LEAD))
    try:
        path = tmp_path / "rls-4.txt"
        path.write_text(TEXTS["rls-4"], encoding="utf-8")
        report = import_paths(store, [path], actor=LEAD)
        jsonl = tmp_path / "b.jsonl"
        jsonl.write_text(line(TEXTS["rls-3"], doc_id="rls-3", annotator=B, status="done",
                              spans=[span(TEXTS["rls-3"], "فرنسا", "location", "s1")]) + "\n",
                         encoding="utf-8")
        imported = import_paths(store, [jsonl], actor=LEAD)
        assigned = assign(store, actor=LEAD, people=[A], per_doc=1, docs="rls-4")
        member = TeamService(store, actor=LEAD).add(LATE)
    finally:
        store.close()
    assert (report.errors, report.documents_added) == ([], 1)
    assert (imported.errors, imported.sets_added, imported.spans_added) == ([], 1, 1)
    assert assigned.assigned == [("rls-4", A)]
    # the lead's login may not create roles: the person is in the team, without a login yet
    assert member.login == str(LoginState.NOT_ALLOWED)
    with team.store.engine.connect() as conn:
        b_spans = _rows(conn, "SELECT s.start, s.\"end\", s.label FROM span s JOIN annotation_set "
                              "t ON t.id = s.set_id JOIN document d ON d.id = t.document_id "
                              "JOIN annotator a ON a.id = t.owner_id "
                              "WHERE d.external_id = 'rls-3' AND a.name = :b", b=B)
        late = _rows(conn, "SELECT role FROM annotator WHERE name = :n", n=LATE)
        has_login = conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :n"),
                                 {"n": LATE}).scalar()
    assert b_spans == [(*FRANCE, "location")] and late == [("annotator",)] and has_login == 0
    a_store = Store.open(as_user(team.url, A))
    try:
        queue = AnnotationService(a_store, team.schema, annotator=A).queue()
    finally:
        a_store.close()
    assert {item.external_id for item in queue} >= {"rls-1", "rls-4"}
    # the administrator's db secure gives the late member their login
    logins = dict(secure(team.store.engine, revision=HEAD_REVISION).logins)
    assert logins[LATE] == "created"


# -- names, passwords, a table a later migration adds -----------------------------------------


def test_login_names_passwords_and_roles_that_are_not_the_teams(team: Team) -> None:
    lead = TeamService(team.store, actor=LEAD)
    before = _everything(team)
    with pytest.raises(UserError, match="at most 63 bytes of UTF-8"):
        lead.add(LONG, password="s3cret")
    assert _everything(team) == before               # a refused login adds nobody
    long = lead.add(LONG)
    assert long.login == (f"not created: cannot create the database login for {LONG!r}: a "
                          f"database login has at most 63 bytes of UTF-8, {LONG!r} has 64")
    foreign = lead.add(FOREIGN)
    assert foreign.login == (f"not created: the database cluster already has a role {FOREIGN!r} "
                             "that is not a team login; choose another name, or make it one: "
                             f"GRANT {GROUP} TO that role")
    assert lead.add(PASSWORDED, password="كلمة سر").login == "created"
    assert BASE is not None
    admin = create_engine(BASE)                        # pg_authid: superusers only
    try:
        with admin.connect() as conn:
            stored = conn.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = :n"),
                                  {"n": PASSWORDED}).scalar()
    finally:
        admin.dispose()
    with team.store.engine.connect() as conn:
        events = _rows(conn, "SELECT after FROM event WHERE action = 'add' AND entity = 'annotator' "
                             "AND after->>'name' = :n", n=PASSWORDED)
    assert stored.startswith("SCRAM-SHA-256$4096:")   # hashed by the client
    assert events == [({"name": PASSWORDED, "role": "annotator", "login": "created"},)]
    engine = team.engine(B)                            # an Arabic login connects
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == B
    finally:
        engine.dispose()


def test_db_secure_covers_a_table_a_later_migration_adds(team: Team) -> None:
    with team.store.engine.begin() as conn:            # what a migration would do
        conn.execute(text("CREATE TABLE set_note (id serial PRIMARY KEY, set_id integer NOT NULL "
                          "REFERENCES annotation_set (id) ON DELETE CASCADE, body text NOT NULL)"))
        conn.execute(text("CREATE TABLE glossary (id serial PRIMARY KEY, term text NOT NULL)"))
        conn.execute(text("INSERT INTO set_note (set_id, body) VALUES (:a, 'mine'), "
                          "(:b, 'theirs'), (:g, 'gold')"),
                     {"a": team.sets["a"], "b": team.sets["b"], "g": team.sets["gold"]})
        conn.execute(text("INSERT INTO glossary (term) VALUES ('موسكو')"))
    engine = team.engine(A)
    try:
        with engine.connect() as conn:
            assert _attempt(conn, "SELECT * FROM set_note") == "42501"  # no grant yet
        report = secure(team.store.engine, revision=HEAD_REVISION)
        with engine.connect() as conn, conn.begin():
            notes = _rows(conn, "SELECT body FROM set_note ORDER BY id")
            terms = _rows(conn, "SELECT term FROM glossary")
            own = _attempt(conn, "INSERT INTO set_note (set_id, body) VALUES (:s, 'more')",
                           s=team.sets["a"])
            theirs = _attempt(conn, "INSERT INTO set_note (set_id, body) VALUES (:s, 'x')",
                              s=team.sets["b"])
            term = _attempt(conn, "INSERT INTO glossary (term) VALUES ('x')")
            conn.rollback()
    finally:
        engine.dispose()
    assert {"set_note", "glossary"} <= set(report.tables)
    assert notes == [("mine",)] and terms == [("موسكو",)]
    assert (own, theirs, term) == (1, "42501", "42501")
