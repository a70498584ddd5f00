"""The IDRISI tweets (code-point offsets, emoji before spans, a nested span) through a span
importer: mapped to doccano lines here, imported, then exported as doccano and Label Studio."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from annotator.db.store import Store
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from annotator.services.project import project_schema

IDRISI = "spans/idrisi_ar_cairo_bombing_2019_dev.jsonl"


def _u16(text: str, cp: int) -> int:
    """UTF-16 offset of a code-point offset, computed apart from the code under test."""
    return len(text[:cp].encode("utf-16-le")) // 2


def _tweets(corpora: Path) -> list[dict[str, Any]]:
    path = corpora / IDRISI
    if not path.is_file():
        pytest.skip(f"{IDRISI} is absent")
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def _mentions(tweet: dict[str, Any]) -> list[tuple[int, int, str, str]]:
    """The tweet's mentions once each (IDRISI lists one mention twice), in span order."""
    return sorted({(m["startIdx"], m["endIdx"], m["type"], m["text"])
                   for m in tweet["location_mentions"]})


def _as_doccano(tweet: dict[str, Any]) -> dict[str, Any]:
    """The mapping: a tweet as a doccano entities line (offsets in UTF-16 units)."""
    text = tweet["text"]
    return {"text": text, "doc_id": tweet["tweet_id"], "annotator": "idrisi",
            "entities": [{"id": i, "start_offset": _u16(text, s), "end_offset": _u16(text, e),
                          "label": label} for i, (s, e, label, _) in enumerate(_mentions(tweet))],
            "relations": []}


@pytest.fixture
def imported(store: Store, corpora: Path, tmp_path: Path) -> tuple[Store, list[dict[str, Any]]]:
    tweets = _tweets(corpora)
    path = tmp_path / "idrisi_doccano.jsonl"
    path.write_text("".join(json.dumps(_as_doccano(t), ensure_ascii=False) + "\n"
                            for t in tweets), encoding="utf-8")
    report = import_paths(store, [path], fmt="doccano", add_labels=True)
    assert report.errors == []
    assert (report.documents_added, report.sets_added) == (len(tweets), len(tweets))
    assert report.spans_added == sum(len(_mentions(t)) for t in tweets) == 65
    return store, tweets


def test_the_corpus_exercises_emoji_and_nesting(corpora: Path) -> None:
    tweets = _tweets(corpora)
    shifted = [(t["tweet_id"], s) for t in tweets for s, _, _, _ in _mentions(t)
               if _u16(t["text"], s) != s]
    nested = [(t["tweet_id"], a, b) for t in tweets for a in _mentions(t) for b in _mentions(t)
              if a != b and a[0] <= b[0] and b[1] <= a[1]]
    assert len(shifted) == 7 and len(nested) == 1
    assert all(t["text"][s:e] == word for t in tweets for s, e, _, word in _mentions(t))


def test_doccano_export_gives_back_the_utf16_offsets(imported: tuple[Store, list[Any]],
                                                     tmp_path: Path) -> None:
    store, tweets = imported
    out = tmp_path / "out.jsonl"
    (report,) = export(store, out, fmt="doccano")
    assert report.problems == []
    lines = {ln["doc_id"]: ln for ln in (json.loads(x) for x in
                                         out.read_text(encoding="utf-8").splitlines())}
    for tweet in tweets:
        text = tweet["text"]
        got = lines[tweet["tweet_id"]]
        assert got["text"] == text
        assert got["label"] == [[_u16(text, s), _u16(text, e), label]
                                for s, e, label, _ in _mentions(tweet)]
        units = text.encode("utf-16-le")
        assert [units[2 * s:2 * e].decode("utf-16-le") for s, e, _ in got["label"]] == \
            [word for _, _, _, word in _mentions(tweet)]


def test_label_studio_export_keeps_code_points_and_round_trips(
        imported: tuple[Store, list[Any]], other_store: Store, tmp_path: Path) -> None:
    store, tweets = imported
    out = tmp_path / "tasks.json"
    export(store, out, fmt="labelstudio")
    tasks = {t["data"]["doc_id"]: t for t in json.loads(out.read_text(encoding="utf-8"))}
    for tweet in tweets:
        (annotation,) = tasks[tweet["tweet_id"]]["annotations"]
        assert annotation["annotator"] == "idrisi"
        assert [(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0],
                 r["value"]["text"]) for r in annotation["result"]] == _mentions(tweet)
    config = (tmp_path / "tasks.config.xml").read_text(encoding="utf-8")
    schema = project_schema(store)
    for name in ("CITY", "CTRY", "HPOI", "NBHD", "PROV", "ST"):   # the store's colors
        assert f'<Label value="{name}" background="{schema.label(name).color}"/>' in config
    li_module = pytest.importorskip("label_studio_sdk.label_interface")
    li = li_module.LabelInterface(config)
    li.validate()
    assert all(li.validate_prediction(t["annotations"][0], return_errors=True) == []
               for t in tasks.values())
    report = import_paths(other_store, [out], fmt="labelstudio", add_labels=True)
    assert report.errors == [] and report.spans_added == 65
    export(store, tmp_path / "a.jsonl")
    export(other_store, tmp_path / "b.jsonl")
    assert (tmp_path / "b.jsonl").read_text(encoding="utf-8") == \
        (tmp_path / "a.jsonl").read_text(encoding="utf-8")
