"""The command line of issue 8: corpus imports with bad lines, maps and marks, history and undo,
docs rm, labels, the first-run and interruption messages, and what --help offers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli._helpers import NEW_STORE_NOTICE, ok, run, snapshot
from tests.conftest import SEED_ARTICLE

DATA = Path(__file__).resolve().parents[1] / "data"
ANER = DATA / "anercorp_excerpt.txt"
MAP = "PERS=actor,ORG=actor,LOC=location"


def _many_bad_lines(path: Path, bad: int) -> Path:
    lines = ["-DOCSTART- -X- O O", ""]
    for n in range(bad):
        lines += [f"كلمة{n} O", f"خطأ{n} PERS"]          # every second line: a tag with no prefix
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_bad_line_is_reported_first_20_and_a_count_and_all_with_report(
        capsys, db_url, tmp_path):
    path = _many_bad_lines(tmp_path / "many.conll", 23)
    report = tmp_path / "bad-lines.txt"
    before = snapshot(capsys, db_url)
    result = run(capsys, "--db", db_url, "import", str(path), "--report", str(report))
    assert result.code == 1
    err = result.err.splitlines()
    assert err[:20] == [f"annotator: {path}:{4 + 2 * n}: tag 'PERS' is not O nor PREFIX-LABEL "
                        "(like B-LOC)" for n in range(20)]
    assert err[20:] == [f"annotator: {path}: ... and 3 more",
                        f"annotator: {path}: 23 bad lines; nothing imported from this file "
                        "(--skip-bad imports the good part)"]
    assert report.read_text(encoding="utf-8").splitlines() == [
        f"{path}:{4 + 2 * n}: tag 'PERS' is not O nor PREFIX-LABEL (like B-LOC)"
        for n in range(23)]
    assert snapshot(capsys, db_url) == before


def test_skip_bad_imports_anercorp_and_prints_exactly_the_skipped_lines(capsys, db_url):
    result = ok(capsys, "--db", db_url, "import", str(ANER), "--map", MAP, "--skip-bad")
    assert result.out.splitlines() == [
        f"{ANER}: CoNLL detected (token and tag columns): 1 document added, 0 already there, "
        "1 set, 3 spans",
        f"  note: {ANER}: 5 invisible marks (RLM 5) in the text (--strip-marks removes them)",
        f"  note: {ANER}: 3 spans relabeled by --map",
        "  skipped 3 bad lines (--skip-bad):",
        f"    {ANER}:13: column 2: tag 'حسب' is not O nor PREFIX-LABEL (like B-LOC) (3 columns: "
        "is 'بهاء حسب' one token with a space in it?)",
        f"    {ANER}:16: tag '\\u200f' is not O nor PREFIX-LABEL (like B-LOC)",
        f"    {ANER}:20: an empty token: the line is only the tag 'O'",
        "imported 1 new document (0 already there), 1 set, 3 spans from 1 file; 3 bad lines "
        "skipped"]


def test_a_map_file_and_strip_marks_on_the_command_line(capsys, db_url):
    result = ok(capsys, "--db", db_url, "import", str(DATA / "newsfane_excerpt.txt"),
                "--map", str(DATA / "newsfane.map"), "--strip-marks")
    lines = result.out.splitlines()
    assert lines[1] == f"  note: {DATA / 'newsfane_excerpt.txt'}: 28 invisible marks (RLM 28) " \
                       "removed"
    assert lines[2] == (f"  note: {DATA / 'newsfane_excerpt.txt'}: 6 spans relabeled by --map; "
                        "2 spans of 2 tags not mapped dropped: Ministry (1), Nationality (1)")


def test_history_then_undo_then_history_again(capsys, db_url, tmp_path):
    ok(capsys, "--db", db_url, "--user", "lina", "import", "-q", str(SEED_ARTICLE))
    (row,) = ok(capsys, "--db", db_url, "history").out.splitlines()
    assert re.fullmatch(r"[0-9a-f]{12}  \d{4}-\d\d-\d\d \d\d:\d\d  lina  1 file "
                        r"\(000_53e7616c08ffaf74\.txt\): 1 document, 0 sets, 0 spans", row)
    batch = row[:8]
    undone = ok(capsys, "--db", db_url, "import", "--undo", batch)
    assert undone.out == f"undid import {row[:12]}: removed 1 document, 0 sets, 0 spans\n"
    assert ok(capsys, "--db", db_url, "history").out.startswith(row + "  undone ")
    again = run(capsys, "--db", db_url, "import", "--undo", batch)
    assert again.code == 1 and "was already undone on" in again.err
    assert ok(capsys, "--db", db_url, "docs").out == "no documents yet: annotator import PATH\n"


def test_docs_rm_and_labels_commands(capsys, db_url):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    missing = run(capsys, "--db", db_url, "docs", "rm", "nope")
    assert (missing.code, missing.err) == (1, "annotator: no document nope in the store "
                                              "(annotator docs lists the ids); nothing was "
                                              "removed\n")
    assert ok(capsys, "--db", db_url, "docs", "rm", SEED_ARTICLE.stem).out == (
        f"removed 1 document ({SEED_ARTICLE.stem}) with 0 sets and 0 spans\n")
    assert ok(capsys, "--db", db_url, "labels", "hide", "cue").out == "cue is hidden (schema v2)\n"
    assert ok(capsys, "--db", db_url, "labels", "rename", "location", "place").out == (
        "renamed location to place (schema v3); 0 spans relabeled\n")
    listing = ok(capsys, "--db", db_url, "labels").out.splitlines()
    assert listing[0] == "schema news-quotes v3"
    assert [x.split()[0] for x in listing[1:]] == ["quote", "actor", "place", "cue"]
    assert listing[4].endswith("hidden")
    refused = run(capsys, "--db", db_url, "labels", "remove", "quote")
    assert refused.code == 1 and "relation type(s) said_by, cue" in refused.err
    assert run(capsys, "--db", db_url, "labels", "rename", "x").err == \
        "annotator: usage: annotator labels rename OLD NEW\n"


def test_import_help_lists_only_formats_that_import(capsys):
    text = run(capsys, "import", "--help").out
    listed = re.search(r"--format FORMAT\s+the files' format: ([^(]*)\(", text, re.DOTALL)
    assert listed is not None
    names = [n.strip() for n in " ".join(listed.group(1).split()).split(",")]
    assert names == ["text", "html", "jsonl", "excel", "conll", "brat", "labelstudio", "doccano",
                     "spans-jsonl"]
    assert "hf" not in names and "spacy" not in names
    bad = run(capsys, "import", "--format", "spacy", "x.spacy")
    assert bad.code == 2 and "invalid choice: 'spacy'" in bad.err


def test_a_db_path_that_does_not_exist_says_a_new_store_was_created(capsys, tmp_path):
    path = tmp_path / "typo.sqlite3"
    first = run(capsys, "--db", str(path), "docs")
    assert first.notice == f"{NEW_STORE_NOTICE}{path}\n"
    assert run(capsys, "--db", str(path), "docs").notice == ""


def test_ctrl_c_after_a_commit_says_what_was_committed(capsys, db_url, tmp_path, monkeypatch):
    from annotator.services import importing

    (tmp_path / "a.jsonl").write_text('{"doc_id": "a", "text": "نص أول"}\n', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"doc_id": "b", "text": "نص ثان"}\n', encoding="utf-8")
    real = importing._Importer.records_file

    def interrupted(self, path, fmt):  # type: ignore[no-untyped-def]
        if path.name == "b.jsonl":
            raise KeyboardInterrupt
        return real(self, path, fmt)

    monkeypatch.setattr(importing._Importer, "records_file", interrupted)
    result = run(capsys, "--db", db_url, "import", str(tmp_path))
    assert result.code == 130
    assert re.fullmatch(r"annotator: interrupted; committed before it: 1 new document, 0 sets, "
                        r"0 spans from 1 file \(batch ([0-9a-f]{12}): annotator import --undo "
                        r"\1 removes them\); the other files were not imported\n", result.err)
    monkeypatch.undo()
    docs = ok(capsys, "--db", db_url, "docs").out.splitlines()
    assert [d.split()[0] for d in docs[1:]] == ["a"]


def test_spans_jsonl_fields_on_the_command_line(capsys, db_url, corpora):
    path = corpora / "spans" / "idrisi_ar_cairo_bombing_2019_dev.jsonl"
    if not path.is_file():
        pytest.skip("IDRISI file absent")
    result = ok(capsys, "--db", db_url, "import", str(path), "--format", "spans-jsonl",
                "--spans-field", "location_mentions", "--start", "startIdx", "--end", "endIdx",
                "--label", "type", "--id-field", "tweet_id",
                "--map", "HPOI=location,NBHD=location,ST=location,CITY=location,PROV=location,"
                         "CTRY=location")
    assert result.out.splitlines()[0] == f"{path}: 27 documents added, 0 already there, " \
                                         "27 sets, 65 spans"



HINT = ("a file of texts with their spans imports with --format spans-jsonl and the names of its "
        "fields (--text-field, --spans-field, --start, --end, --label: annotator import --help)")
NOT_NATIVE = "doc_id: missing: not a line of annotator's native JSONL"


def test_json_lines_of_another_shape_are_told_how_to_import_and_nothing_is_written(
        capsys, db_url, tmp_path):
    tweets = tmp_path / "tweets.jsonl"
    lines = [{"tweet_id": str(n), "text": f"انفجار في المنيل {n}",
              "mentions": [{"startIdx": 10, "endIdx": 16, "type": "NBHD"}]} for n in range(3)]
    tweets.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines),
                      encoding="utf-8")
    before = snapshot(capsys, db_url)
    for skip in ([], ["--skip-bad"]):
        result = run(capsys, "--db", db_url, "import", str(tweets), *skip)
        assert result.code == 1
        assert result.err.splitlines() == [
            f"annotator: {tweets}:{n}: {NOT_NATIVE} (the line's keys: tweet_id, text, mentions)"
            for n in (1, 2, 3)] + [f"annotator: {tweets}: 3 bad lines, none of them native "
                                   f"JSONL; {HINT}"]
    # one line: its own message, with the way to import it
    tweets.write_text(json.dumps(lines[0], ensure_ascii=False) + "\n", encoding="utf-8")
    result = run(capsys, "--db", db_url, "import", str(tweets))
    assert result.err == (f"annotator: {tweets}:1: {NOT_NATIVE} (the line's keys: tweet_id, "
                          f"text, mentions); {HINT}\n")
    # a native file with one line lacking its doc_id among good ones: the usual refusal
    native = tmp_path / "native.jsonl"
    native.write_text(json.dumps({"doc_id": "a", "text": "نص"}) + "\n"
                      + json.dumps({"text": "نص آخر"}) + "\n", encoding="utf-8")
    result = run(capsys, "--db", db_url, "import", str(native))
    assert result.err == (f"annotator: {native}:2: {NOT_NATIVE} (the line's keys: text)\n")
    assert snapshot(capsys, db_url) == before


def test_the_idrisi_file_as_native_jsonl_is_told_to_use_spans_jsonl(capsys, db_url, corpora):
    path = corpora / "spans" / "idrisi_ar_cairo_bombing_2019_dev.jsonl"
    if not path.is_file():
        pytest.skip("IDRISI file absent")
    before = snapshot(capsys, db_url)
    result = run(capsys, "--db", db_url, "import", str(path))
    assert result.code == 1
    err = result.err.splitlines()
    keys = "tweet_id, user_id, text, created_at, info_class, location_mentions"
    assert err[:20] == [f"annotator: {path}:{n}: {NOT_NATIVE} (the line's keys: {keys})"
                        for n in range(1, 21)]
    assert err[20:] == [f"annotator: {path}: ... and 7 more",
                        f"annotator: {path}: 27 bad lines, none of them native JSONL; {HINT}"]
    assert snapshot(capsys, db_url) == before

def test_undo_with_files_is_refused(capsys, db_url):
    result = run(capsys, "--db", db_url, "import", "x.txt", "--undo", "abcd")
    assert (result.code, result.err) == (1, "annotator: --undo takes a batch id, not files\n")
