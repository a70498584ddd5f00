"""The project's labels: list with use, rename (spans relabeled in the same transaction), hide
(still valid, not offered), remove (refused while spans use it); and the pure helpers behind
imports: tag maps, bidi marks, format sniffing, the schema's TOML writer."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.config import resolve_db_url, schema_path, sqlite_file
from annotator.core.errors import UserError, ValidationError
from annotator.core.label_map import MapResult, apply_map, check_targets, parse_map
from annotator.core.marks import count_marks, strip_marks
from annotator.core.schema import load_schema
from annotator.core.schema_edit import dump_toml, rename_label, set_hidden
from annotator.core.sniff import binary_kind, looks_like_conll, looks_like_html
from annotator.db.store import Store
from annotator.services.documents import remove_documents
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from annotator.services.labels import hide_label, label_uses, remove_label
from annotator.services.labels import rename_label as rename
from annotator.services.project import project_schema
from tests.services.helpers import line, span

TEXT = "😀 قال الوزير إن موسكو مستعدة"


@pytest.fixture
def annotated(store: Store, tmp_path: Path) -> Store:
    path = tmp_path / "d.jsonl"
    path.write_text(line(TEXT, doc_id="d", spans=[span(TEXT, "موسكو", "location", "m"),
                                                  span(TEXT, "الوزير", "actor", "a")]) + "\n"
                    + line(TEXT + " جدا", doc_id="e", spans=[span(TEXT, "موسكو", "location", "m")])
                    + "\n", encoding="utf-8")
    assert import_paths(store, [path]).errors == []
    return store


def test_labels_are_listed_in_schema_order_with_their_use(annotated: Store) -> None:
    schema, uses = label_uses(annotated)
    assert [(u.name, u.spans, u.sets, u.documents) for u in uses] == [
        ("quote", 0, 0, 0), ("actor", 1, 1, 1), ("location", 2, 2, 2), ("cue", 0, 0, 0)]
    assert schema.version == 1


def test_rename_relabels_the_stored_spans_in_the_same_transaction(annotated: Store,
                                                                  tmp_path: Path) -> None:
    change = rename(annotated, "location", "place", actor="lina")
    assert (change.spans, change.schema.version) == (2, 2)
    schema = project_schema(annotated)
    assert [lb.name for lb in schema.labels] == ["quote", "actor", "place", "cue"]
    assert schema.label("place").keys == ("l", "3") and schema.label("place").strips_clitics
    out = tmp_path / "x.jsonl"
    export(annotated, out)
    assert "location" not in out.read_text(encoding="utf-8")
    assert out.read_text(encoding="utf-8").count('"label": "place"') == 2
    with pytest.raises(UserError, match="the schema already has a label 'actor'"):
        rename(annotated, "place", "actor")
    with pytest.raises(UserError, match="no label 'nope' in the schema"):
        rename(annotated, "nope", "x")


def test_rename_follows_relation_ends_and_attributes() -> None:
    schema = load_schema(schema_path())
    renamed = rename_label(schema, "quote", "citation")
    assert renamed.relation("said_by").head == "citation"
    assert [a.label for a in renamed.attributes] == ["citation"]


def test_a_hidden_label_stays_valid_but_is_not_offered(annotated: Store, tmp_path: Path) -> None:
    hide_label(annotated, "location")
    schema = project_schema(annotated)
    assert schema.label("location").hidden
    assert [lb.name for lb in schema.offered_labels] == ["quote", "actor", "cue"]
    assert schema.label_for_key("l") is None and schema.label_for_key("a").name == "actor"
    path = tmp_path / "more.jsonl"
    path.write_text(line("نص في بيروت", doc_id="f", spans=[
        span("نص في بيروت", "بيروت", "location", "b")]) + "\n", encoding="utf-8")
    assert import_paths(annotated, [path]).errors == []      # existing data stays valid
    with pytest.raises(UserError, match="already hidden"):
        hide_label(annotated, "location")
    hide_label(annotated, "location", hidden=False)
    assert not project_schema(annotated).label("location").hidden


def test_remove_is_refused_while_spans_use_the_label(annotated: Store, tmp_path: Path) -> None:
    path = tmp_path / "ner.jsonl"
    path.write_text(line("نص في بيروت", doc_id="g", spans=[
        span("نص في بيروت", "بيروت", "GPE", "b")]) + "\n", encoding="utf-8")
    import_paths(annotated, [path], add_labels=True)
    with pytest.raises(UserError, match=r"label 'GPE' is used by 1 span in 1 set \(1 document\); "
                                        "it cannot be removed while spans use it"):
        remove_label(annotated, "GPE")
    with pytest.raises(UserError, match="an end of the relation type"):
        remove_label(annotated, "actor")
    hide_label(annotated, "cue")
    remove_documents(annotated, ["g"], force=True)       # no span uses GPE any more
    change = remove_label(annotated, "GPE")
    assert not change.schema.has_label("GPE")
    assert change.schema.label("cue").hidden             # the other edits are kept
    assert [u.name for u in label_uses(annotated)[1]] == ["quote", "actor", "location", "cue"]


def test_removing_an_unused_label_also_drops_its_attributes() -> None:
    from annotator.core.schema_edit import remove_labels

    schema = load_schema(schema_path())
    schema = rename_label(schema, "cue", "verb")
    with pytest.raises(ValidationError, match="relation type"):
        remove_labels(schema, ["quote"])
    assert not remove_labels(schema, ["location"]).has_label("location")


# -- pure helpers ---------------------------------------------------------------------------------


def test_a_tag_map_relabels_drops_merges_and_keeps_relations_consistent() -> None:
    mapping = parse_map("PERS=actor, ORG=actor,MISC=")
    record = {"text": "x" * 20, "spans": [
        {"id": "a", "start": 0, "end": 3, "label": "PERS"},
        {"id": "b", "start": 0, "end": 3, "label": "ORG"},     # the same span once mapped
        {"id": "c", "start": 5, "end": 9, "label": "MISC"},
        {"id": "d", "start": 10, "end": 12, "label": "DATE"},
        {"id": "e", "start": 13, "end": 15, "label": "cue"},   # a project label: kept
    ], "relations": [{"type": "x", "head": "b", "tail": "e"}, {"type": "x", "head": "c",
                                                                 "tail": "e"}]}
    result = MapResult()
    mapped = apply_map(record, mapping, frozenset({"actor", "cue"}), result)
    assert [(s["id"], s["label"]) for s in mapped["spans"]] == [("a", "actor"), ("e", "cue")]
    assert mapped["relations"] == [{"type": "x", "head": "a", "tail": "e"}]
    assert (dict(result.mapped), dict(result.dropped), result.merged,
            result.relations_dropped) == ({"PERS": 1, "ORG": 1}, {"MISC": 1, "DATE": 1}, 1, 1)


@pytest.mark.parametrize(("spec", "source", "message"), [
    ("PERS:actor", "--map", "--map: expected TAG=LABEL (like PERS=actor), not 'PERS:actor'"),
    ("PERS=actor,PERS=location", "--map", "--map: PERS is mapped twice (actor and location)"),
    ("# nothing\n", "m.map", "m.map: no TAG=LABEL pair"),
    ("A=actor\nB location\n", "m.map", "m.map:2: expected TAG=LABEL (like PERS=actor), not "
                                       "'B location'"),
])
def test_a_bad_map_names_where(spec: str, source: str, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_map(spec, source=source)
    assert str(error.value) == message


def test_map_targets_must_be_project_labels_and_messages_list_a_handful() -> None:
    mapping = parse_map(",".join(f"T{i}=label{i}" for i in range(9)))
    with pytest.raises(ValidationError) as error:
        check_targets(mapping, ["quote", "actor"])
    assert str(error.value) == ("--map: label0, label1, label2, label3, label4 and 4 more: not a "
                                "label of the project (its labels: quote, actor); map onto "
                                "those, or import with --add-labels without --map")


def test_stripping_marks_moves_offsets_after_an_emoji() -> None:
    text = "😀 \u200fقال \u200f\u200eالوزير\u200f في \u202bموسكو\u202c"
    stripped = strip_marks(text)
    assert stripped.text == "😀 قال الوزير في موسكو" and stripped.removed == 6
    start, end = text.index("الوزير"), text.index("الوزير") + 6
    assert stripped.text[stripped.new_offset(start):stripped.new_offset(end)] == "الوزير"
    s, e = text.index("\u202b"), text.index("\u202c") + 1      # a span of marks and a word
    assert stripped.text[stripped.new_offset(s):stripped.new_offset(e)] == "موسكو"
    assert count_marks(text) == {"RLM": 3, "LRM": 1, "RLE": 1, "PDF": 1}
    assert count_marks("\u200d\u200c") == {}                    # joiners are not bidi marks


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.sampled_from(["ق", "ا", "ل", " ", "😀", "\u200f", "\u200e", "\u2067"]),
                max_size=30), st.data())
def test_stripped_offsets_keep_every_visible_character_of_a_span(chars: list[str],
                                                                 data: st.DataObject) -> None:
    text = "".join(chars)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    stripped = strip_marks(text)
    cut = stripped.text[stripped.new_offset(start):stripped.new_offset(end)]
    assert cut == "".join(c for c in text[start:end] if c not in "\u200f\u200e\u2067")


@pytest.mark.parametrize(("text", "conll"), [
    ("-DOCSTART- -X- O O\n\nقال O\n", True),
    ("قال O\nوزير B-PERS\nالدفاع I-PERS\n", True),
    ("فلسطين I-ORG B-GPE\nفي O\nغزة B-GPE\n", True),
    ("قال\tO\nالوزير\tO\n", False),                   # two lines only: too little to tell
    ("قال الوزير إن موسكو\nمستعدة للتعاون O\nخبر\n", False),
    ("عنوان الخبر\n\nقال الوزير اليوم إن بلاده مستعدة للتعاون مع جميع الأطراف O B-X\n", False),
])
def test_conll_is_recognized_and_prose_is_not(text: str, conll: bool) -> None:
    assert looks_like_conll(text) is conll


def test_html_and_office_files_are_recognized() -> None:
    assert looks_like_html("<!-- saved -->\n<!DOCTYPE html><html><body><p>نص</p></body></html>")
    assert looks_like_html("<div class='x'><p>نص</p></div>")
    assert not looks_like_html("قال الوزير <نص> في موسكو")
    assert binary_kind(b"PK\x03\x04....xl/workbook.xml") == "an Excel workbook"
    assert binary_kind(b"PK\x03\x04....other") == "a zip archive"
    assert binary_kind("نص".encode()) is None


def test_postgres_urls_get_the_psycopg_driver_and_sqlite_files_are_found() -> None:
    assert resolve_db_url("postgres://me:pw@db:5432/news") == \
        "postgresql+psycopg://me:pw@db:5432/news"
    assert resolve_db_url("postgresql://me@db/news") == "postgresql+psycopg://me@db/news"
    assert resolve_db_url("postgresql+psycopg://me@db/news") == "postgresql+psycopg://me@db/news"
    assert sqlite_file("sqlite:////tmp/a.sqlite3") == Path("/tmp/a.sqlite3")
    assert sqlite_file("sqlite:///:memory:") is None and sqlite_file("postgresql://x/y") is None


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.dictionaries(st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,8}", fullmatch=True),
                       st.one_of(st.text(max_size=12), st.integers(-10**6, 10**6), st.booleans(),
                                 st.lists(st.text(max_size=5), max_size=3)), max_size=5))
def test_the_schema_toml_writer_round_trips(values: dict) -> None:
    data = {"name": "n", "version": 1, **values,
            "labels": [dict(values, name="a"), {"name": "b", "hidden": True}]}
    assert tomllib.loads(dump_toml(data)) == data


def test_every_schema_edit_is_a_schema_that_loads_again() -> None:
    schema = load_schema(schema_path())
    edited = set_hidden(rename_label(schema, "cue", "verb"), "verb", True)
    assert edited.version == 3
    assert [lb.name for lb in edited.labels] == ["quote", "actor", "location", "verb"]
    assert edited.attributes == schema.attributes
    assert edited.label("verb").hidden and edited.label("verb").keys == ("c", "4")
