"""`annotator import`: text files, folders, cp1256, native JSONL, and rejection of bad input.

A rejected file gives one line on stderr naming the file, the line and the field, exit 1, and leaves
the store exactly as it was (``docs``, ``stats`` and every table's row count are compared).
"""

from __future__ import annotations

import re

import json
import shutil
from typing import Any, Callable

import pytest

from tests.cli._helpers import (
    SEED_CHARS,
    SEED_ID,
    SEED_TITLE,
    gold_record,
    jsonl_line,
    ok,
    run,
    sha,
    small_record,
    snapshot,
    write_jsonl,
)
from tests.conftest import SEED_ARTICLE, SEEDS

REJECTED = "; 1 file rejected, nothing written from them"


def cells(row: str) -> list[str]:
    """The columns of a ``docs`` row: id, chars, sets, title (separated by two or more spaces)."""
    return re.split(r"\s{2,}", row.strip())


def docs_rows(capsys, db_url: str) -> list[str]:
    lines = ok(capsys, "--db", db_url, "docs").out.splitlines()
    assert lines[0].split() == ["id", "chars", "sets", "title"]
    return lines[1:]


# -- text files -------------------------------------------------------------------------------


def test_import_seed_article_summary(capsys, db_url):
    result = ok(capsys, "--db", db_url, "import", str(SEED_ARTICLE))
    assert result.out == (f"{SEED_ARTICLE}: added (utf-8)\n"
                          "imported 1 new document (0 already there), 0 sets, 0 spans from 1 file;"
                          " encodings: utf-8 x1\n")


def test_import_seeds_folder_then_docs_lists_the_seed_article(capsys, db_url):
    ok(capsys, "--db", db_url, "import", "-q", str(SEEDS))
    rows = docs_rows(capsys, db_url)
    seed_rows = [row for row in rows if row.startswith(SEED_ID + " ")]
    assert len(seed_rows) == 1
    assert seed_rows[0].split()[:2] == [SEED_ID, str(SEED_CHARS)]
    assert cells(seed_rows[0])[2] == "-"  # no set yet


def test_docs_shows_the_whole_arabic_title(capsys, db_url):
    """The title is printed intact (not truncated, not mangled) in the docs listing."""
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    (row,) = docs_rows(capsys, db_url)
    assert SEED_TITLE in row


def test_import_seeds_folder_imports_only_the_articles(capsys, db_url):
    """seeds/ holds the articles and also data files (schema.toml, gazetteer.lst); the README's
    `annotator import seeds/` must import the articles only."""
    articles = sorted(p.stem for p in SEEDS.glob("[0-9][0-9][0-9]_*.txt"))
    assert SEED_ID in articles
    ok(capsys, "--db", db_url, "import", "-q", str(SEEDS))
    assert sorted(row.split()[0] for row in docs_rows(capsys, db_url)) == articles


def test_import_twice_adds_nothing(capsys, db_url, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "a.txt")
    (folder / "b.txt").write_text("عنوان قصير\n\nنص المقال الثاني.\n", encoding="utf-8")
    first = ok(capsys, "--db", db_url, "import", str(folder))
    assert first.out.splitlines()[-1] == ("imported 2 new documents (0 already there), 0 sets, "
                                          "0 spans from 2 files; encodings: utf-8 x2")
    before = snapshot(capsys, db_url)
    second = ok(capsys, "--db", db_url, "import", str(folder))
    assert second.out == (f"{folder / 'a.txt'}: already there (utf-8)\n"
                          f"{folder / 'b.txt'}: already there (utf-8)\n"
                          "imported 0 new documents (2 already there), 0 sets, 0 spans from 2 files;"
                          " encodings: utf-8 x2\n")
    assert snapshot(capsys, db_url) == before


def test_same_text_under_another_name_is_the_same_document(capsys, db_url, tmp_path):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    copy = tmp_path / "copy.txt"
    copy.write_bytes(b"\xef\xbb\xbf" + SEED_ARTICLE.read_bytes().replace(b"\n", b"\r\n"))
    before = snapshot(capsys, db_url)
    result = ok(capsys, "--db", db_url, "import", str(copy))
    assert result.out == (f"{copy}: already there (utf-8-sig)\n"
                          "imported 0 new documents (1 already there), 0 sets, 0 spans from 1 file;"
                          " encodings: utf-8-sig x1\n")
    assert snapshot(capsys, db_url) == before


def test_quiet_prints_only_the_summary(capsys, db_url):
    result = ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    assert result.out == ("imported 1 new document (0 already there), 0 sets, 0 spans from 1 file;"
                          " encodings: utf-8 x1\n")


def test_import_with_annotator_gives_an_empty_set(capsys, db_url):
    result = ok(capsys, "--db", db_url, "import", "-q", "--annotator", "mona", str(SEED_ARTICLE))
    assert result.out.startswith("imported 1 new document (0 already there), 1 set, 0 spans ")
    (row,) = docs_rows(capsys, db_url)
    assert cells(row)[2] == "mona todo 0 spans"
    # again: the set is there already
    again = ok(capsys, "--db", db_url, "import", "-q", "--annotator", "mona", str(SEED_ARTICLE))
    assert again.out.startswith("imported 0 new documents (1 already there), 0 sets, 0 spans ")


@pytest.mark.parametrize("name", ["gold", "suggestions"])
def test_reserved_annotator_name_is_a_user_error(capsys, db_url, name):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    before = snapshot(capsys, db_url)
    result = run(capsys, "--db", db_url, "import", "--annotator", name, str(SEED_ARTICLE))
    assert (result.code, result.out) == (1, "")
    assert result.err == (f"annotator: {name!r} is reserved for the {name} set; "
                          "choose another annotator name\n")
    assert snapshot(capsys, db_url) == before


@pytest.mark.corpora
def test_import_cp1256_file_says_cp1256(capsys, db_url, corpora):
    path = corpora / "encodings" / "chardet__ude_1.txt"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = ok(capsys, "--db", db_url, "import", str(path))
    assert result.out == (f"{path}: added (cp1256)\n"
                          "imported 1 new document (0 already there), 0 sets, 0 spans from 1 file;"
                          " encodings: cp1256 x1\n")
    (row,) = docs_rows(capsys, db_url)
    text = path.read_bytes().decode("cp1256").replace("\r\n", "\n").replace("\r", "\n")
    assert row.split()[:2] == ["chardet__ude_1", str(len(text))]


@pytest.mark.corpora
def test_import_with_explicit_encoding(capsys, db_url, corpora):
    path = corpora / "encodings" / "chardet__ude_1.txt"
    result = ok(capsys, "--db", db_url, "import", "--encoding", "windows-1256", str(path))
    assert result.out.splitlines()[0] == f"{path}: added (cp1256)"


def test_nonexistent_path_is_one_line_exit_1(capsys, db_url, tmp_path):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    before = snapshot(capsys, db_url)
    missing = tmp_path / "nope.txt"
    result = run(capsys, "--db", db_url, "import", str(SEED_ARTICLE), str(missing))
    assert result == type(result)(1, "", f"annotator: {missing}: no such file or folder\n")
    assert snapshot(capsys, db_url) == before


def test_unknown_encoding_is_one_line_exit_1(capsys, db_url):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    before = snapshot(capsys, db_url)
    result = run(capsys, "--db", db_url, "import", "--encoding", "klingon", str(SEED_ARTICLE))
    assert result.code == 1
    assert result.err == f"annotator: {SEED_ARTICLE}: unknown encoding 'klingon'\n"
    assert snapshot(capsys, db_url) == before


def test_text_file_undecodable_with_given_encoding(capsys, db_url, tmp_path, seed_text):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    before = snapshot(capsys, db_url)
    bad = tmp_path / "bad.txt"
    head = "عنوان\nسطر ثان\n".encode("utf-8")
    bad.write_bytes(head + b"\xff\xfe" + "بقية النص\n".encode("utf-8"))
    result = run(capsys, "--db", db_url, "import", "--encoding", "utf-8", str(bad))
    assert result.code == 1
    assert result.err == (f"annotator: {bad}:3: cannot be decoded as utf-8 "
                          f"(byte 0xff at offset {len(head)})\n")
    assert result.out == "imported 0 new documents (0 already there), 0 sets, 0 spans from 0 files" \
        + REJECTED + "\n"
    assert snapshot(capsys, db_url) == before


def test_utf8_text_file_with_a_stray_byte_is_rejected_not_guessed_as_cp1256(capsys, db_url, tmp_path,
                                                                            seed_text):
    """A UTF-8 Arabic file with one bad byte is undecodable; reading it as cp1256 would store
    mojibake (every Arabic letter becomes two) and say it was fine."""
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    before = snapshot(capsys, db_url)
    bad = tmp_path / "stray.txt"
    head = "\n".join(seed_text.split("\n")[:3]).encode("utf-8") + b"\n"
    bad.write_bytes(head + b"\xff" + "بقية النص\n".encode("utf-8"))
    result = run(capsys, "--db", db_url, "import", str(bad))
    assert result.code == 1
    assert result.err.startswith(f"annotator: {bad}:4: ")
    assert f"0xff at offset {len(head)}" in result.err
    assert len(result.err.splitlines()) == 1
    assert snapshot(capsys, db_url) == before


# -- native JSONL -----------------------------------------------------------------------------


def test_jsonl_import_then_stats(capsys, db_url, tmp_path, seed_text):
    path = write_jsonl(tmp_path / "gold.jsonl", gold_record(seed_text))
    result = ok(capsys, "--db", db_url, "import", str(path))
    assert result.out == (f"{path}: 1 document added, 0 already there, 1 set, 4 spans (utf-8)\n"
                          "imported 1 new document (0 already there), 1 set, 4 spans from 1 file;"
                          " encodings: utf-8 x1\n")
    assert ok(capsys, "--db", db_url, "stats").out == (
        f"store:       {db_url}\n"
        f"documents:   1 ({SEED_CHARS} characters)\n"
        "annotators:  1\n"
        "sets:        1 gold done\n"
        "spans:       1 actor\n"
        "spans:       1 cue\n"
        "spans:       1 location\n"
        "spans:       1 quote\n"
        "relations:   1 cue\n"
        "relations:   1 said_by\n"
        "events:      5\n")  # label schema, first lead, document, the gold owner, set
    (row,) = docs_rows(capsys, db_url)
    assert row.split()[:2] == [SEED_ID, str(SEED_CHARS)]
    assert cells(row)[2] == "gold done 4 spans"


def test_jsonl_import_twice_adds_nothing(capsys, db_url, tmp_path, seed_text):
    mona = gold_record(seed_text, annotator="mona", status="in_progress")
    path = write_jsonl(tmp_path / "two.jsonl", gold_record(seed_text), mona)
    first = ok(capsys, "--db", db_url, "import", str(path))
    assert first.out.splitlines()[0] == (
        f"{path}: 1 document added, 0 already there, 2 sets, 8 spans (utf-8)")
    before = snapshot(capsys, db_url)
    second = ok(capsys, "--db", db_url, "import", str(path))
    assert second.out == (f"{path}: 0 documents added, 1 already there, 0 sets, 0 spans (utf-8)\n"
                          "imported 0 new documents (1 already there), 0 sets, 0 spans from 1 file;"
                          " encodings: utf-8 x1\n")
    assert snapshot(capsys, db_url) == before


def test_jsonl_adds_a_set_to_a_document_imported_as_text(capsys, db_url, tmp_path, seed_text):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    path = write_jsonl(tmp_path / "gold.jsonl", gold_record(seed_text, doc_id="another-name"))
    result = ok(capsys, "--db", db_url, "import", str(path))
    assert result.out.splitlines()[0] == (
        f"{path}: 0 documents added, 1 already there, 1 set, 4 spans (utf-8)")
    (row,) = docs_rows(capsys, db_url)
    assert row.startswith(SEED_ID + " ")
    assert cells(row)[2] == "gold done 4 spans"


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        target: Any = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


# (id, change to the valid record on line 2, field, message); {n} = number of characters
BAD_RECORDS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    ("span-outside-text", _set(["spans", 3, "end"], 2794), "spans[3]",
     "span 294-2794 is outside the text (2793 characters)"),
    ("span-end-before-start", _set(["spans", 0, "end"], 100), "spans[0]",
     "span 107-100 must have 0 <= start < end"),
    ("span-text-mismatch", _set(["spans", 2, "text"], "لودريا"), "spans[2].text",
     "is 'لودريا' but the text at 237-244 is 'لودريان'"),
    ("unknown-relation-type", _set(["relations", 1, "type"], "speaker"), "relations[1].type",
     "unknown relation type 'speaker' (the schema has said_by, cue)"),
    ("relation-to-missing-span", _set(["relations", 0, "tail"], "s9"), "relations[0].tail",
     "refers to a missing span 's9'"),
    ("sha256-mismatch", _set(["sha256"], "0" * 64), "sha256",
     "does not match the text (the text hashes to {sha})"),
    ("bad-attribute-type", _set(["spans", 0, "attributes"], []), "spans[0].attributes",
     "must be an object"),
    ("bad-status", _set(["status"], "finished"), "status",
     "must be one of ['todo', 'in_progress', 'done', 'skipped'], not 'finished'"),
]


@pytest.mark.parametrize("change, field, message", [case[1:] for case in BAD_RECORDS],
                         ids=[case[0] for case in BAD_RECORDS])
def test_jsonl_validation_error_names_file_line_field_and_changes_nothing(
        capsys, db_url, tmp_path, seed_text, change, field, message):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    before = snapshot(capsys, db_url)
    bad = gold_record(seed_text, annotator="mona")
    change(bad)
    # line 1 is valid and would add a document: the file is all-or-nothing
    other = small_record("other", "خبر آخر\n\nنص قصير.")
    path = write_jsonl(tmp_path / "bad.jsonl", other, bad)
    result = run(capsys, "--db", db_url, "import", str(path))
    assert result.code == 1
    expected = message.format(sha=sha(seed_text))
    assert result.err == f"annotator: {path}:2: {field}: {expected}\n"
    assert result.out == ("imported 0 new documents (0 already there), 0 sets, 0 spans from 0 files"
                          + REJECTED + "\n")
    assert snapshot(capsys, db_url) == before


def test_jsonl_not_json(capsys, db_url, tmp_path, seed_text):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    before = snapshot(capsys, db_url)
    path = tmp_path / "broken.jsonl"
    path.write_text(jsonl_line(gold_record(seed_text)) + "\n\n{\"doc_id\": \n", encoding="utf-8")
    result = run(capsys, "--db", db_url, "import", str(path))
    assert result.code == 1
    assert result.err.startswith(f"annotator: {path}:3: not valid JSON (")
    assert len(result.err.splitlines()) == 1
    assert snapshot(capsys, db_url) == before


@pytest.mark.parametrize("valid_first_line", [True, False], ids=["after-a-valid-line", "alone"])
def test_jsonl_with_undecodable_bytes_is_rejected(capsys, db_url, tmp_path, seed_text,
                                                  valid_first_line):
    """JSON text is UTF-8 (RFC 8259): a stray byte must be reported where it is, not decoded as
    cp1256 (which turns every line into mojibake, then fails elsewhere -- or is stored)."""
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    before = snapshot(capsys, db_url)
    path = tmp_path / "bytes.jsonl"
    line1 = (jsonl_line(gold_record(seed_text)) if valid_first_line else "").encode("utf-8") + b"\n"
    # no sha256, no span text: nothing else in the record can catch the corruption
    other = small_record("other", "خبر آخر\n\nنص قصير.")
    del other["sha256"]
    line2 = jsonl_line(other).encode("utf-8").replace("خبر آخر".encode("utf-8"),
                                                     "خبر".encode("utf-8") + b"\xff", 1)
    path.write_bytes(line1 + line2 + b"\n")
    result = run(capsys, "--db", db_url, "import", str(path))
    assert result.code == 1
    assert result.err.startswith(f"annotator: {path}:2: ")
    assert "0xff" in result.err
    assert len(result.err.splitlines()) == 1
    assert snapshot(capsys, db_url) == before


def test_bad_file_among_good_ones(capsys, db_url, tmp_path, seed_text):
    folder = tmp_path / "batch"
    folder.mkdir()
    shutil.copy(SEED_ARTICLE, folder / "a_seed.txt")
    bad = gold_record(seed_text)
    bad["spans"][0]["label"] = "person"
    write_jsonl(folder / "b_bad.jsonl", small_record("from-bad", "لن يدخل\n\nهذا النص."), bad)
    write_jsonl(folder / "c_good.jsonl", gold_record(seed_text),
                small_record("other", "خبر آخر\n\nنص قصير."))
    result = run(capsys, "--db", db_url, "import", "-q", str(folder))
    assert result.code == 1
    assert result.err == (f"annotator: {folder / 'b_bad.jsonl'}: a label the project does not have: person (1 span, first on line 2); --map person=LABEL maps it onto the project's labels (quote, actor, location, cue), --add-labels adds it\n")
    assert result.out == ("imported 2 new documents (1 already there), 1 set, 4 spans from 2 files;"
                          " encodings: utf-8 x2" + REJECTED + "\n")
    rows = docs_rows(capsys, db_url)
    assert [row.split()[0] for row in rows] == ["a_seed", "other"]
    assert cells(rows[0])[2] == "gold done 4 spans"
    assert cells(rows[1])[2] == "-"


def test_two_texts_for_one_doc_id_in_a_file(capsys, db_url, tmp_path, seed_text):
    path = write_jsonl(tmp_path / "clash.jsonl", gold_record(seed_text),
                       small_record(SEED_ID, "نص مختلف"))
    result = run(capsys, "--db", db_url, "import", str(path))
    assert result.code == 1
    assert result.err == (f"annotator: {path}:2: text: doc_id '{SEED_ID}' has another text on "
                          "line 1\n")
    assert ok(capsys, "--db", db_url, "docs").out == "no documents yet: annotator import PATH\n"


def test_conflicting_set_in_the_store_is_rejected(capsys, db_url, tmp_path, seed_text):
    ok(capsys, "--db", db_url, "import", "-q",
       str(write_jsonl(tmp_path / "v1.jsonl", gold_record(seed_text))))
    before = snapshot(capsys, db_url)
    changed = gold_record(seed_text)
    del changed["spans"][0]
    path = write_jsonl(tmp_path / "v2.jsonl", changed)
    result = run(capsys, "--db", db_url, "import", str(path))
    assert result.code == 1
    assert result.err == (f"annotator: {path}:1: annotator: the store already has a different set "
                          f"of 'gold' for '{SEED_ID}' (--replace replaces it); nothing from this "
                          "file was imported\n")
    assert snapshot(capsys, db_url) == before


def test_arabic_title_is_printed_intact(capsys, db_url, tmp_path, seed_text):
    short = "فرنسا وروسيا"  # fits any column width: nothing to truncate
    path = write_jsonl(tmp_path / "t.jsonl", small_record("ar", seed_text, title=short))
    ok(capsys, "--db", db_url, "import", "-q", str(path))
    (row,) = docs_rows(capsys, db_url)
    assert row.split()[:2] == ["ar", str(SEED_CHARS)]
    assert cells(row)[3] == short
    assert "\\u" not in row and "?" not in row
    assert json.loads(jsonl_line({"t": short}))["t"] == short


def test_arabic_output_survives_a_non_utf8_stdout(capsys, db_url, monkeypatch):
    """`annotator docs > list.txt` on Windows writes through cp1252: no traceback, and the Arabic
    is written as UTF-8 rather than lost."""
    import io
    import sys

    from annotator.cli import main

    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp1252", newline="\n")
    monkeypatch.setattr(sys, "stdout", stream)
    code = main(["--db", db_url, "docs"])
    sys.stdout.flush()
    assert code == 0
    row = raw.getvalue().decode("utf-8").splitlines()[1]
    assert row.split()[:2] == [SEED_ID, str(SEED_CHARS)]
    assert "فرنسا وروسيا تعلنان" in row
