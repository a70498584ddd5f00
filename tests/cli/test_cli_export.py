"""`annotator export --format jsonl`: set selection, documents without sets, and the round trip."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli._helpers import (
    SEED_CHARS,
    SEED_ID,
    gold_record,
    ok,
    run,
    small_record,
    snapshot,
    write_jsonl,
)
from tests.conftest import SEED_ARTICLE

OTHER_TEXT = "خبر آخر 🙂\n\nقال المتحدث إن الاجتماع في عمان."


def _fill(capsys, db_url: str, tmp_path: Path, seed_text: str) -> str:
    """The seed article with a gold set, mona's and ali's sets, plus a document with no set at all;
    returns the import summary."""
    mona = gold_record(seed_text, annotator="mona", status="in_progress")
    del mona["relations"][1]
    mona["spans"][3]["attributes"] = {"kind": "indirect"}
    mona["spans"][1]["note"] = "ملاحظة"
    ali = gold_record(seed_text, annotator="ali", status="todo", spans=[], relations=[])
    path = write_jsonl(tmp_path / "fill.jsonl", gold_record(seed_text), mona, ali,
                       small_record("zz-other", OTHER_TEXT, meta={"source": "test"}))
    return ok(capsys, "--db", db_url, "import", "-q", str(path)).out


def _records(path: Path) -> list[dict]:
    raw = path.read_text(encoding="utf-8")
    assert raw.endswith("\n")
    return [json.loads(line) for line in raw.splitlines()]


def test_export_all_then_import_into_an_empty_store_round_trips(capsys, db_url, other_store,
                                                                tmp_path, seed_text):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))  # a text import: meta, no set
    _fill(capsys, db_url, tmp_path, seed_text)
    first = tmp_path / "first.jsonl"
    result = ok(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(first))
    assert result.out == f"wrote {first}: 4 lines, 2 documents, 8 spans, 3 relations\n"

    other_url = other_store.url
    imported = ok(capsys, "--db", other_url, "import", "-q", str(first))
    assert imported.out == ("imported 2 new documents (0 already there), 3 sets, 8 spans from 1 file;"
                            " encodings: utf-8 x1\n")
    second = tmp_path / "second.jsonl"
    ok(capsys, "--db", other_url, "export", "--format", "jsonl", "--out", str(second))
    assert second.read_bytes() == first.read_bytes()
    assert ok(capsys, "--db", other_url, "docs").out == ok(capsys, "--db", db_url, "docs").out


def test_fill_summary(capsys, db_url, tmp_path, seed_text):
    assert _fill(capsys, db_url, tmp_path, seed_text) == (
        "imported 2 new documents (0 already there), 3 sets, 8 spans from 1 file; "
        "encodings: utf-8 x1\n")


def test_export_all_is_ordered_and_complete(capsys, db_url, tmp_path, seed_text):
    _fill(capsys, db_url, tmp_path, seed_text)
    out = tmp_path / "all.jsonl"
    result = ok(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(out),
                "--set", "all")
    assert result.out == f"wrote {out}: 4 lines, 2 documents, 8 spans, 3 relations\n"
    records = _records(out)
    # document by id, then annotators' sets by name, then gold, then suggestions
    assert [(r["doc_id"], r["annotator"], r["status"]) for r in records] == [
        (SEED_ID, "ali", "todo"), (SEED_ID, "mona", "in_progress"), (SEED_ID, "gold", "done"),
        ("zz-other", None, None)]
    ali, mona, gold, other = records
    assert (ali["spans"], ali["relations"]) == ([], [])
    assert gold == gold_record(seed_text)
    assert [len(mona["spans"]), mona["relations"]] == [4, [{"type": "cue", "head": "s4",
                                                            "tail": "s2"}]]
    assert mona["spans"][1]["note"] == "ملاحظة"
    assert mona["spans"][3]["attributes"] == {"kind": "indirect"}
    for record in (gold, mona):
        for span in record["spans"]:
            assert record["text"][span["start"]:span["end"]] == span["text"]
    assert other == {"doc_id": "zz-other", "title": "خبر آخر 🙂", "text": OTHER_TEXT,
                     "sha256": other["sha256"], "annotator": None, "status": None, "spans": [],
                     "relations": [], "meta": {"source": "test"}}


def test_export_all_writes_a_document_without_sets_with_null_annotator(capsys, db_url, tmp_path):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    out = tmp_path / "all.jsonl"
    result = ok(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(out),
                "--set", "all")
    assert result.out == f"wrote {out}: 1 line, 1 document, 0 spans, 0 relations\n"
    raw = out.read_text(encoding="utf-8")
    assert raw.count("\n") == 1
    assert '"annotator": null' in raw
    (record,) = _records(out)
    assert (record["doc_id"], record["annotator"], record["status"]) == (SEED_ID, None, None)
    assert (record["spans"], record["relations"]) == ([], [])
    assert len(record["text"]) == SEED_CHARS
    assert record["text"] == SEED_ARTICLE.read_text(encoding="utf-8")


def test_export_gold_only(capsys, db_url, tmp_path, seed_text):
    _fill(capsys, db_url, tmp_path, seed_text)
    out = tmp_path / "gold.jsonl"
    result = ok(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(out),
                "--set", "gold")
    assert result.out == f"wrote {out}: 1 line, 1 document, 4 spans, 2 relations\n"
    assert _records(out) == [gold_record(seed_text)]


def test_export_one_annotator(capsys, db_url, tmp_path, seed_text):
    _fill(capsys, db_url, tmp_path, seed_text)
    out = tmp_path / "mona.jsonl"
    result = ok(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(out),
                "--set", "mona")
    assert result.out == f"wrote {out}: 1 line, 1 document, 4 spans, 1 relation\n"
    assert [(r["doc_id"], r["annotator"]) for r in _records(out)] == [(SEED_ID, "mona")]


def test_export_unknown_annotator_is_a_user_error(capsys, db_url, tmp_path, seed_text):
    _fill(capsys, db_url, tmp_path, seed_text)
    before = snapshot(capsys, db_url)
    out = tmp_path / "nobody.jsonl"
    result = run(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(out),
                 "--set", "nobody")
    assert result.code == 1
    assert result.out == ""
    assert result.err == ("annotator: --set nobody: no annotator of that name "
                          "(annotators: ali, gold, lina, mona)\n")
    assert not out.exists()
    assert list(tmp_path.glob("nobody*")) == []
    assert snapshot(capsys, db_url) == before


def test_export_does_not_replace_a_file_on_error(capsys, db_url, tmp_path):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    out = tmp_path / "keep.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    result = run(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(out),
                 "--set", "nobody")
    assert result.code == 1
    assert out.read_text(encoding="utf-8") == "precious\n"


def test_export_creates_missing_folders(capsys, db_url, tmp_path):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    out = tmp_path / "new" / "dir" / "x.jsonl"
    result = ok(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(out))
    assert result.out == f"wrote {out}: 1 line, 1 document, 0 spans, 0 relations\n"
    assert len(_records(out)) == 1


@pytest.mark.parametrize("where", ["parent-is-a-file", "out-is-a-folder"])
def test_export_to_an_unwritable_place_is_one_line_exit_1(capsys, db_url, tmp_path, where):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    if where == "parent-is-a-file":
        (tmp_path / "afile").write_text("x", encoding="utf-8")
        out = tmp_path / "afile" / "x.jsonl"
    else:
        out = tmp_path / "afolder"
        out.mkdir()
    files_before = sorted(tmp_path.rglob("*"))
    result = run(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(out))
    assert result.code == 1
    assert result.out == ""
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith("annotator: ")
    assert str(out) in result.err or str(out.parent) in result.err
    assert sorted(tmp_path.rglob("*")) == files_before  # no temporary file left behind


@pytest.mark.parametrize("which", ["gold", "suggestions"])
def test_export_reserved_set_of_an_empty_store_writes_an_empty_file(capsys, db_url, tmp_path, which):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    out = tmp_path / f"{which}.jsonl"
    result = ok(capsys, "--db", db_url, "export", "--format", "jsonl", "--out", str(out),
                "--set", which)
    assert result.out == f"wrote {out}: 0 lines, 0 documents, 0 spans, 0 relations\n"
    assert out.read_bytes() == b""


def test_export_spacy_writes_shards_of_the_size_asked(capsys, db_url, tmp_path, seed_text):
    """`--shard-docs 1`: one Doc a shard (the seed article's gold, mona's and ali's sets, and the
    other document, which has no set), every shard a DocBin spaCy reads; 0 is refused."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    _fill(capsys, db_url, tmp_path, seed_text)
    out = tmp_path / "corpus"
    ok(capsys, "--db", db_url, "export", "--format", "spacy", "--set", "all", "--shard-docs", "1",
       "--out", str(out))
    shards = sorted(p.name for p in out.iterdir())
    assert shards == [f"shard-{i:05d}.spacy" for i in range(1, len(shards) + 1)]
    docs = [doc for name in shards
            for doc in DocBin().from_disk(out / name).get_docs(spacy.blank("ar").vocab)]
    assert len(shards) == 4 and len(docs) == 4
    assert sorted(len(doc.spans["sc"]) for doc in docs) == [0, 0, 4, 4]   # 8 spans in all
    bad = run(capsys, "--db", db_url, "export", "--format", "spacy", "--shard-docs", "0",
              "--out", str(tmp_path / "none"))
    assert bad.code == 1 and "at least one Doc a shard" in bad.err
    assert not (tmp_path / "none").exists()
