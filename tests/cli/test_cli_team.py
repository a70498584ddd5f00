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


def _three_annotators(capsys, db_url, tmp_path, seed_text):  # type: ignore[no-untyped-def]
    _team(capsys, db_url)
    record = gold_record(seed_text)
    lines = [dict(record, annotator="mona", status="done"),
             dict(record, annotator="omar", status="done", spans=record["spans"][1:]),
             dict(record, annotator="sara", status="in_progress", relations=[],
                  spans=[dict(s, label="actor") if s["label"] == "location" else s
                         for s in record["spans"]])]
    ok(capsys, "--db", db_url, "--user", "lina", "import", "-q",
       str(write_jsonl(tmp_path / "three.jsonl", *lines)))


def test_agreement_json_figures_report_and_plot(capsys, db_url, tmp_path,
                                                seed_text):  # type: ignore[no-untyped-def]
    _three_annotators(capsys, db_url, tmp_path, seed_text)
    refused = run(capsys, "--db", db_url, "--user", "mona", "agreement")
    assert refused.code == 1 and "only reviewers and leads" in refused.err
    result = ok(capsys, "--db", db_url, "--user", "rana", "agreement", "--json")
    data = json.loads(result.out)
    assert set(data) == {"documents", "annotators", "labels", "pairs", "per_label", "overall"}
    assert (data["documents"], data["annotators"]) == (1, ["mona", "omar", "sara"])
    pairs = {(p["a"], p["b"]): p for p in data["pairs"]}
    # mona 4 spans, omar her 3 without the location: 2*3/(4+3); relations: omar keeps both
    assert pairs[("mona", "omar")]["span_f1_exact"] == round(6 / 7, 4)
    assert pairs[("mona", "omar")]["relation_f1"] == 1.0
    # sara calls the location an actor: 3 of 4 shared with mona; no relations
    assert pairs[("mona", "sara")]["span_f1_exact"] == 0.75
    assert pairs[("mona", "sara")]["relation_f1"] == 0.0
    assert set(data["overall"]) == {"span_f1_exact", "span_f1_overlap", "kappa_char",
                                    "kappa_token", "relation_f1", "fleiss_kappa_char",
                                    "alpha_nominal_char", "alpha_unitizing"}
    # only done sets: sara's is in progress, so the annotators compared are mona and omar
    done = json.loads(ok(capsys, "--db", db_url, "--user", "rana", "agreement", "--json",
                         "--status", "done").out)
    assert done["documents"] == 1 and done["annotators"] == ["mona", "omar"]
    empty = run(capsys, "--db", db_url, "--user", "rana", "agreement", "--status", "done",
                "--annotators", "mona,sara")
    assert (empty.code, empty.out) == (1, "")
    assert empty.err == "annotator: annotator 'sara' has no set in any of these documents\n"
    ci = json.loads(ok(capsys, "--db", db_url, "--user", "rana", "agreement", "--json", "--ci",
                       "--seed", "3").out)
    assert ci["pairs"][0]["span_f1_exact_ci"] == [ci["pairs"][0]["span_f1_exact"]] * 2
    report, plot = tmp_path / "report.xlsx", tmp_path / "heat.png"
    result = ok(capsys, "--db", db_url, "--user", "rana", "agreement", "--out", str(report),
                "--plot", str(plot), "--metric", "span_f1_exact")
    assert result.out.splitlines()[0] == "documents:  1"
    assert f"wrote {report}" in result.out and f"wrote {plot}" in result.out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    import openpyxl
    assert openpyxl.load_workbook(report).sheetnames == ["Agreement"]


def test_agreement_help_prints_the_definitions(capsys):  # type: ignore[no-untyped-def]
    result = run(capsys, "agreement", "--help")
    assert result.code == 0
    for name in ("span_f1_exact", "span_f1_overlap", "kappa_char", "kappa_token",
                 "fleiss_kappa_char", "alpha_nominal_char", "alpha_unitizing", "relation_f1",
                 "against gold", "95% percentile intervals"):
        assert name in result.out
