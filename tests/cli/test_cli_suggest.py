"""annotator suggest: writing the suggestions sets (exact output, idempotent, --docs, --only),
who may run it, usage errors, the export of the suggestions set, and --stats (text and JSON)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli._helpers import ok, run

TEXT = "😀 قال وزير الخارجية الروسي: «لن نتراجع عن هذا القرار أبدا». وزار الوفد موسكو أمس.\n"


def _store(capsys, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "doc-1.txt"
    path.write_text(TEXT, encoding="utf-8")
    ok(capsys, "--db", db_url, "--user", "lina", "import", "-q", str(path))
    ok(capsys, "--db", db_url, "--user", "lina", "team", "add", "mona")
    ok(capsys, "--db", db_url, "--user", "lina", "team", "add", "rana", "--role", "reviewer")


def test_suggest_writes_each_document_once(capsys, db_url, tmp_path):  # type: ignore[no-untyped-def]
    _store(capsys, db_url, tmp_path)
    assert ok(capsys, "--db", db_url, "--user", "lina", "suggest").out == (
        "doc-1: 4 spans, 2 relations (cues 1, places 1, quotes 1, speakers 1)\n"
        "suggestions: 4 spans and 2 relations in 1 document; 1 written, 0 unchanged\n")
    assert ok(capsys, "--db", db_url, "--user", "rana", "suggest", "-q").out == (
        "suggestions: 4 spans and 2 relations in 1 document; 0 written, 1 unchanged\n")
    assert ok(capsys, "--db", db_url, "--user", "lina", "suggest", "--docs", "doc-*",
              "--only", "quotes,places").out == (
        "doc-1: 2 spans, 0 relations (places 1, quotes 1)\n"
        "suggestions: 2 spans and 0 relations in 1 document; 1 written, 0 unchanged\n")
    assert ok(capsys, "--db", db_url, "suggest", "--docs", "title:غير").out == (
        "suggestions: 0 spans and 0 relations in 0 documents; 0 written, 0 unchanged\n")
    out = tmp_path / "suggestions.jsonl"
    ok(capsys, "--db", db_url, "export", "--format", "jsonl", "--set", "suggestions",
       "--out", str(out))
    (record,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert record["annotator"] == "suggestions"
    assert [(s["start"], s["end"], s["text"], s["origin"], s["source"])
            for s in record["spans"]] == [
        (29, 57, "لن نتراجع عن هذا القرار أبدا", "suggested",
         {"suggester": "quotes", "confidence": 0.9}),
        (71, 76, "موسكو", "suggested", {"suggester": "places", "confidence": 0.85})]
    assert ok(capsys, "--db", db_url, "docs").out.splitlines()[1].split()[2:5] == [
        "suggestions", "done", "2"]


def test_suggest_refuses_annotators_and_bad_arguments(capsys, db_url, tmp_path):  # type: ignore[no-untyped-def]
    _store(capsys, db_url, tmp_path)
    cases = [
        (["--user", "mona", "suggest"],
         "annotator: 'mona' (annotator) cannot write the suggestions (annotator suggest): only "
         "reviewers and leads can (a lead runs: annotator team role NAME reviewer)\n"),
        (["suggest", "--only", "quotes,names"],
         "annotator: --only: unknown suggester 'names'; one of quotes, cues, speakers, places, "
         "propagate\n"),
        (["suggest", "--json"], "annotator: --json goes with --stats\n"),
        (["suggest", "--stats", "--only", "quotes"],
         "annotator: --only chooses suggesters to run; --stats runs none\n"),
        (["--user", "mona", "suggest", "--stats"],
         "annotator: 'mona' (annotator) cannot see how the suggestions fare: only reviewers and "
         "leads can (a lead runs: annotator team role NAME reviewer)\n"),
    ]
    for argv, message in cases:
        result = run(capsys, "--db", db_url, *argv)
        assert (result.code, result.out, result.err) == (1, "", message)
    assert "suggestions" not in ok(capsys, "--db", db_url, "docs").out


def test_suggest_stats_text_and_json(capsys, db_url, tmp_path):  # type: ignore[no-untyped-def]
    from annotator.services.annotate import AnnotationService
    from annotator.services.project import open_project, project_schema
    from annotator.services.suggesting import SuggestionService

    _store(capsys, db_url, tmp_path)
    assert ok(capsys, "--db", db_url, "suggest", "--stats").out == (
        "0 annotation sets of 0 documents\nno suggestion has been accepted or rejected yet\n")
    ok(capsys, "--db", db_url, "suggest", "-q")
    store = open_project(db_url)
    try:
        mona = AnnotationService(store, project_schema(store), annotator="mona")
        opened = mona.open_document(1)
        set_id = opened.set.id or 0
        service = SuggestionService(mona)
        shown = service.proposals(opened.document, set_id)
        service.accept(set_id, shown, [0, 2], have={}, links=set())    # the cue, the quote
        service.reject(set_id, shown.spans[3])                         # Moscow
        mona.set_status(set_id, "done")                                # the speaker: ignored
    finally:
        store.close()
    assert ok(capsys, "--db", db_url, "--user", "rana", "suggest", "--stats").out == (
        "1 annotation set of 1 document\n"
        "suggester  accepted  fixed  rejected  ignored   taken\n"
        "quotes            1      0         0        0  100.0%\n"
        "cues              1      0         0        0  100.0%\n"
        "speakers          0      0         0        1    0.0%\n"
        "places            0      0         1        0    0.0%\n"
        "all               2      0         1        1   50.0%\n")
    data = json.loads(ok(capsys, "--db", db_url, "suggest", "--stats", "--json").out)
    assert data["all"] == {"suggester": "all", "accepted": 2, "fixed": 0, "rejected": 1,
                           "ignored": 1, "total": 4, "acceptance": 0.5}
    assert [r["suggester"] for r in data["suggesters"]] == ["quotes", "cues", "speakers",
                                                            "places"]
