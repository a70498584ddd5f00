"""The team commands: team, assign, adjudicate, and the roles they enforce (--user trusted)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli._helpers import SEED_ID, gold_record, ok, run, write_jsonl
from tests.conftest import SEED_ARTICLE


def _team(capsys, db_url: str) -> None:  # type: ignore[no-untyped-def]
    ok(capsys, "--db", db_url, "--user", "lina", "import", "-q", str(SEED_ARTICLE))
    for name in ("mona", "omar", "sara"):
        ok(capsys, "--db", db_url, "--user", "lina", "team", "add", name)
    ok(capsys, "--db", db_url, "--user", "lina", "team", "add", "rana", "--role", "reviewer")


def test_team_list_add_and_role(capsys, db_url):  # type: ignore[no-untyped-def]
    _team(capsys, db_url)
    assert ok(capsys, "--db", db_url, "team", "list").out == (
        "name  role       sets  done\n"
        "lina  lead          0     0\n"
        "mona  annotator     0     0\n"
        "omar  annotator     0     0\n"
        "rana  reviewer      0     0\n"
        "sara  annotator     0     0\n")
    assert ok(capsys, "--db", db_url, "--user", "lina", "team", "role", "omar",
              "reviewer").out == "omar: annotator -> reviewer\n"
    refused = run(capsys, "--db", db_url, "--user", "mona", "team", "role", "mona", "lead")
    assert refused.code == 1 and refused.out == ""
    assert refused.err == ("annotator: 'mona' (annotator) cannot change roles: only leads can\n")
    bad = run(capsys, "--db", db_url, "--user", "gold", "team", "list")
    assert bad.code == 1 and "reserved name" in bad.err


def test_assign_then_docs_shows_who_has_what(capsys, db_url, tmp_path):  # type: ignore[no-untyped-def]
    _team(capsys, db_url)
    for i in range(3):
        path = tmp_path / f"n{i}.txt"
        path.write_text(f"خبر {i}\nقال الوزير 📰 إن موسكو {i}.\n", encoding="utf-8")
        ok(capsys, "--db", db_url, "--user", "lina", "import", "-q", str(path))
    result = ok(capsys, "--db", db_url, "--user", "lina", "assign", "--to", "mona,omar,sara",
                "--per-doc", "2", "--docs", "n*", "--seed", "3")
    lines = result.out.splitlines()
    assert len(lines) == 7 and all(line.split()[0] in ("n0", "n1", "n2") for line in lines[:6])
    assert lines[-1] == ("assigned 6 sets over 3 documents (mona +2, omar +2, sara +2); "
                         "0 already had 2 annotators")
    same = ok(capsys, "--db", db_url, "--user", "lina", "assign", "--to", "mona,omar,sara",
              "--per-doc", "2", "--docs", "n*", "--seed", "3")
    assert same.out == ("assigned 0 sets over 3 documents (mona +0, omar +0, sara +0); "
                        "3 already had 2 annotators\n")
    docs = ok(capsys, "--db", db_url, "docs").out
    for line in docs.splitlines()[1:]:
        if line.startswith("n"):
            assert line.count("todo") == 2
    refused = run(capsys, "--db", db_url, "--user", "rana", "assign", "--to", "mona",
                  "--per-doc", "1")
    assert refused.code == 1 and "only leads can" in refused.err


def test_adjudicate_auto_unanimous(capsys, db_url, tmp_path, seed_text):  # type: ignore[no-untyped-def]
    _team(capsys, db_url)
    record = gold_record(seed_text)
    lines = []
    for name in ("mona", "omar"):
        one = dict(record, annotator=name, status="done")
        if name == "omar":   # omar has no location
            one["spans"] = record["spans"][1:]
        lines.append(one)
    path = write_jsonl(tmp_path / "two.jsonl", *lines)
    ok(capsys, "--db", db_url, "--user", "lina", "import", "-q", str(path))
    refused = run(capsys, "--db", db_url, "--user", "mona", "adjudicate", "--auto-unanimous")
    assert refused.code == 1 and "only reviewers and leads" in refused.err
    result = ok(capsys, "--db", db_url, "--user", "rana", "adjudicate", "--auto-unanimous")
    assert result.out == (f"{SEED_ID}: 3 accepted, 2 relations, 1 left for review\n"
                          "gold: 3 spans and 2 relations accepted in 1 documents; 1 candidates "
                          "left for review (annotator gui --review)\n")
    out = tmp_path / "gold.jsonl"
    ok(capsys, "--db", db_url, "--user", "rana", "export", "--format", "jsonl", "--out", str(out),
       "--set", "gold")
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [(s["label"], s["provenance"]) for s in exported["spans"]] == [
        (label, {"decided_by": "rana", "how": "accepted", "from": ["mona", "omar"]})
        for label in ("cue", "actor", "quote")]
    assert exported["spans"][2]["attributes"] == {"kind": "direct"}
    assert exported["status"] == "in_progress"


def test_an_annotator_cannot_import_or_export_others_sets(capsys, db_url, tmp_path,
                                                          seed_text):  # type: ignore[no-untyped-def]
    _team(capsys, db_url)
    path = write_jsonl(tmp_path / "omar.jsonl", dict(gold_record(seed_text), annotator="omar"))
    result = run(capsys, "--db", db_url, "--user", "mona", "import", str(path))
    assert result.code == 1
    assert "'mona' (annotator) cannot import a set owned by 'omar'" in result.err
    ok(capsys, "--db", db_url, "--user", "omar", "import", "-q", str(path))  # his own: fine
    result = run(capsys, "--db", db_url, "--user", "mona", "export", "--format", "jsonl",
                 "--out", str(tmp_path / "x.jsonl"), "--set", "omar")
    assert result.code == 1 and "cannot read 'omar''s set" in result.err
    assert not (tmp_path / "x.jsonl").exists()
    assert Path(path).exists()
