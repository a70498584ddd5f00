"""Files that are not what their name says, and span files of other shapes: HTML pages, PDF and
Word files, CoNLL in a .txt, IDRISI's span JSONL, doccano lines with code-point offsets, JSON that
breaks parsers."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from annotator.core.label_map import parse_map
from annotator.db.store import Store
from annotator.exports.base import ImportContext, SpanFields
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from tests.services.helpers import snapshot

DATA = Path(__file__).resolve().parents[1] / "data"
IDRISI = "spans/idrisi_ar_cairo_bombing_2019_dev.jsonl"
IDRISI_FIELDS = SpanFields(text="text", spans="location_mentions", start="startIdx",
                           end="endIdx", label="type", id="tweet_id")


def _records(store: Store, tmp_path: Path) -> list[dict]:
    out = tmp_path / "all.jsonl"
    export(store, out)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_an_html_page_gives_its_title_and_article_not_the_markup(store: Store,
                                                                 tmp_path: Path) -> None:
    report = import_paths(store, [DATA / "article.html"], annotator="mona")
    (result,) = report.files
    assert (result.error, result.format, result.sets_added) == (None, "html", 1)
    ((record),) = _records(store, tmp_path)
    assert record["title"] == "فرنسا وروسيا تبحثان التعاون في سوريا"
    lines = record["text"].split("\n")
    assert lines[0] == record["title"] and len(lines) == 4
    assert lines[1].startswith("قال وزير الدفاع الفرنسي جان إيف لودريان")
    for gone in ("<", "الرئيسية", "tracking", "جميع الحقوق", "الأكثر قراءة", "direction"):
        assert gone not in record["text"]
    assert record["meta"]["canonicalization"] == ["html-article"]


def test_an_html_page_saved_as_txt_is_recognized(store: Store, tmp_path: Path) -> None:
    page = tmp_path / "saved.txt"
    page.write_bytes((DATA / "article.html").read_bytes())
    (result,) = import_paths(store, [page]).files
    assert (result.format, result.detected, result.documents_added) == ("html", "html", 1)


@pytest.mark.parametrize(("name", "data", "message"), [
    ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
     "a PDF document, not text: convert it to a UTF-8 .txt file first (e.g. pdftotext -enc "
     "UTF-8 FILE.pdf FILE.txt)"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
     "a Word (.doc) or other old Office document, not text: convert it to a UTF-8 .txt file "
     "first (e.g. libreoffice --headless --convert-to txt:Text FILE.doc)"),
    ("article.docx", None,
     "a Word (.docx) document, not text: convert it to a UTF-8 .txt file first (e.g. "
     "libreoffice --headless --convert-to txt:Text FILE.docx)"),
])
def test_pdf_and_word_files_get_a_one_line_hint(store: Store, tmp_path: Path, name: str,
                                                data: bytes | None, message: str) -> None:
    path = tmp_path / name
    if data is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
    else:
        path.write_bytes(data)
    before = snapshot(store)
    assert import_paths(store, [path]).errors == [f"{path}: {message}"]
    assert snapshot(store) == before


def test_a_folder_of_conll_txt_files_is_imported_as_conll(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_bytes((DATA / "newsfane_excerpt.txt").read_bytes())
    (folder / "b.txt").write_text("خبر قصير عن موسكو.\n", encoding="utf-8")
    report = import_paths(store, [folder], label_map=parse_map("City=location"))
    by_name = {Path(f.path).name: f for f in report.files}
    assert (by_name["a.txt"].format, by_name["a.txt"].detected) == ("conll", "conll")
    assert by_name["a.txt"].spans_added == 2
    assert (by_name["b.txt"].format, by_name["b.txt"].detected) == ("text", None)


def test_explicit_text_format_keeps_a_conll_looking_file_as_an_article(store: Store) -> None:
    (result,) = import_paths(store, [DATA / "newsfane_excerpt.txt"], fmt="text").files
    assert (result.format, result.detected, result.documents_added) == ("text", None, 1)


def test_idrisi_spans_jsonl_through_the_generic_mapping(store: Store, corpora: Path,
                                                        tmp_path: Path) -> None:
    path = corpora / IDRISI
    tweets = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    report = import_paths(store, [path], fmt="spans-jsonl", add_labels=True,
                          context=ImportContext(span_fields=IDRISI_FIELDS))
    (result,) = report.files
    assert (result.error, result.documents_added, result.spans_added) == (None, 27, 65)
    assert result.notes == [f"{path}: 1 span listed twice on a line, kept once (line 1: NBHD "
                            "92-98 'المنيل')"]
    records = {r["doc_id"]: r for r in _records(store, tmp_path)}
    for tweet in tweets:
        record = records[tweet["tweet_id"]]
        assert record["annotator"] == "gold" and record["text"] == tweet["text"]
        assert record["meta"]["fields"]["info_class"] == tweet["info_class"]
        assert sorted((s["start"], s["end"], s["label"], s["text"]) for s in record["spans"]) == \
            sorted({(m["startIdx"], m["endIdx"], m["type"], m["text"])
                    for m in tweet["location_mentions"]})


def test_spans_jsonl_reports_every_bad_line(store: Store, tmp_path: Path) -> None:
    text = "😀 زار الوزير القاهرة"
    lines = [
        {"id": "ok", "body": text, "mentions": [{"s": 13, "e": 20, "t": "location"}]},
        {"id": "off", "body": text, "mentions": [{"s": 12, "e": 19, "t": "location",
                                                   "text": "القاهرة"}]},
        {"id": "no-text", "mentions": []},
        {"id": "bad-end", "body": text, "mentions": [{"s": 13, "e": "20", "t": "location"}]},
    ]
    path = tmp_path / "spans.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines),
                    encoding="utf-8")
    fields = SpanFields(text="body", spans="mentions", start="s", end="e", label="t")
    report = import_paths(store, [path], fmt="spans-jsonl", skip_bad=True,
                          context=ImportContext(span_fields=fields))
    (result,) = report.files
    assert result.problems == [
        f"{path}:2: mentions[0].text: is 'القاهرة' but the text at 12-19 is ' القاهر' "
        "(offsets are code points, end exclusive)",
        f"{path}:3: no 'body' field (the text; --text-field names it; the line has 'id', "
        "'mentions')",
        f"{path}:4: mentions[0].e: must be an integer offset, not '20'"]
    assert (result.documents_added, result.spans_added) == (1, 1)
    ((record),) = _records(store, tmp_path)
    assert record["spans"][0]["text"] == "القاهرة" and text[13:20] == "القاهرة"


def test_doccano_offsets_that_are_code_points_are_reported_not_shifted(store: Store,
                                                                      tmp_path: Path) -> None:
    text = "😀 زار الوزير القاهرة أمس"
    assert text[13:20] == "القاهرة"              # code points; UTF-16 would be 14-21
    path = tmp_path / "cp.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[13, 20, "location"]]},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    before = snapshot(store)
    assert import_paths(store, [path], fmt="doccano").errors == [
        f"{path}:1: label[0]: span 13-20 location: read as UTF-16 units it is ' القاهر', which "
        "starts on a space and ends inside a word, while read as code points it is 'القاهرة': "
        "the offsets look like code points, not UTF-16 units; nothing was shifted (fix the "
        "file, or import it with --format spans-jsonl, which reads code points)"]
    assert snapshot(store) == before


def test_doccano_code_points_after_two_emoji_start_inside_the_word_before(
        store: Store, tmp_path: Path) -> None:
    text = "😀😀 قال الوزير"
    assert text[7:13] == "الوزير"
    path = tmp_path / "cp.jsonl"
    path.write_text(json.dumps({"text": text, "label": [[7, 13, "actor"]]}, ensure_ascii=False)
                    + "\n", encoding="utf-8")
    (error,) = import_paths(store, [path], fmt="doccano").errors
    assert "read as UTF-16 units it is 'ل الوز', which starts inside a word and ends inside a " \
           "word, while read as code points it is 'الوزير'" in error


@pytest.mark.parametrize(("raw", "message"), [
    ('{"doc_id": "d", "text": "x", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "JSON nested too deep to read"),
    ('{"doc_id": "d", "text": "x", "meta": {"n": ' + "7" * 5000 + "}}",
     "not readable JSON: Exceeds the limit (4300 digits) for integer string conversion: value "
     "has 5000 digits"),
    ('{"doc_id": "d", "text": "a\\ud800b"}',
     "a lone surrogate escape (\\ud800-\\udfff not in a pair): not Unicode text"),
    ('{"doc_id": "d", "text": "a\\u0000b"}', "a NUL character (\\u0000): not allowed in text"),
], ids=["deep-nesting", "huge-integer", "lone-surrogate", "nul"])
def test_json_that_breaks_parsers_or_databases_is_one_line_per_bad_line(
        store: Store, tmp_path: Path, raw: str, message: str) -> None:
    good = json.dumps({"doc_id": "ok", "text": "نص 😀 سليم"}, ensure_ascii=False)
    path = tmp_path / "edge.jsonl"
    path.write_text(good + "\n" + raw + "\n" + raw + "\n", encoding="utf-8")
    before = snapshot(store)
    (result,) = import_paths(store, [path]).files
    assert result.problems == [f"{path}:2: {message}", f"{path}:3: {message}"]
    assert snapshot(store) == before
    (kept,) = import_paths(store, [path], skip_bad=True).files
    assert (kept.documents_added, kept.skipped) == (1, 2)
