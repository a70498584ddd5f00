"""Importing text files: encodings, canonical text, titles, idempotence, all-or-nothing per file."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from annotator.core.errors import UserError
from annotator.core.text import canonicalize, sha256_text
from annotator.db.store import Store
from annotator.services.decoding import decode_bytes
from annotator.services.importing import import_paths
from tests.conftest import SEED_ARTICLE
from tests.services.helpers import snapshot

ARABIC = "قال الوزير: “سنتعاون”.\r\nوأضاف أن موسكو ستردّ 😀\r\n"


def _stored(store: Store) -> list[tuple[str, str, str, dict]]:
    with store.unit_of_work() as uow:
        docs = uow.documents.page(after=None, limit=1000)
    return [(d.external_id, d.title, d.text, dict(d.meta)) for d in docs]


def test_the_seed_article_is_stored_exactly(store: Store, seed_text: str) -> None:
    report = import_paths(store, [SEED_ARTICLE])
    assert (report.documents_added, report.errors) == (1, [])
    ((external_id, title, text, meta),) = _stored(store)
    assert external_id == "000_53e7616c08ffaf74"
    assert title == "فرنسا وروسيا تعلنان التعاون بشأن تنظيم الدولة"
    assert text == seed_text and len(text) == 2793
    assert meta == {"source_path": str(SEED_ARTICLE), "encoding": "utf-8", "canonicalization": []}
    with store.unit_of_work() as uow:
        assert uow.documents.by_sha(sha256_text(seed_text)) is not None


@pytest.mark.parametrize(("name", "data", "encoding", "steps"), [
    ("utf8.txt", ARABIC.encode("utf-8"), "utf-8", ["crlf-to-lf"]),
    ("bom.txt", codecs.BOM_UTF8 + ARABIC.encode("utf-8"), "utf-8-sig", ["crlf-to-lf"]),
    ("utf16le.txt", ARABIC.encode("utf-16"), "utf-16", ["crlf-to-lf"]),
    ("utf16be.txt", codecs.BOM_UTF16_BE + ARABIC.encode("utf-16-be"), "utf-16", ["crlf-to-lf"]),
    ("cp1256.txt", ARABIC.replace("😀", "").replace("“", "\"").replace("”", "\"").replace("ّ", "")
     .encode("cp1256"), "cp1256", ["crlf-to-lf"]),
    ("iso.txt", "قال الوزير إن موسكو ستتعاون مع باريس\nوأضاف أن ذلك قريب\n".encode("iso8859_6"),
     "iso8859-6", []),
])
def test_encodings_are_detected_reported_and_stored(store: Store, tmp_path: Path, name: str,
                                                    data: bytes, encoding: str,
                                                    steps: list[str]) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    report = import_paths(store, [path])
    assert [(f.encoding, f.error) for f in report.files] == [(encoding, None)]
    ((_, _, text, meta),) = _stored(store)
    expected = data.decode({"utf-8-sig": "utf-8-sig", "utf-16": "utf-16"}.get(encoding, encoding))
    assert text == expected.replace("\r\n", "\n")
    assert meta["encoding"] == encoding and meta["canonicalization"] == steps


def test_every_corpus_text_file_imports_exactly(store: Store, corpora: Path) -> None:
    files = [p for p in sorted(corpora.rglob("*.txt")) if p.parent.name != "ner"]  # ner: CoNLL
    assert len(files) == 9
    report = import_paths(store, files)
    assert report.errors == [] and report.documents_added == 9
    stored = {meta["source_path"]: text for _, _, text, meta in _stored(store)}
    for path in files:
        decoded = decode_bytes(path.read_bytes(), path=str(path))
        assert stored[str(path.resolve())] == canonicalize(decoded.text)[0], path.name
    encodings = {Path(f.path).name: f.encoding for f in report.files}
    assert encodings["chardet__ude_1.txt"] == "cp1256"


def test_importing_twice_adds_nothing(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("نص أول\nفقرة", encoding="utf-8")
    (tmp_path / "copy-of-a.txt").write_text("نص أول\nفقرة", encoding="utf-8")
    first = import_paths(store, [tmp_path])
    assert (first.documents_added, first.documents_existing) == (1, 1)
    before = snapshot(store)
    again = import_paths(store, [tmp_path])
    assert (again.documents_added, again.documents_existing) == (0, 2)
    assert snapshot(store) == before


def test_the_same_file_name_with_other_text_gets_its_own_id(store: Store, tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "news.txt").write_text("خبر أول", encoding="utf-8")
    (tmp_path / "y").mkdir()
    (tmp_path / "y" / "news.txt").write_text("خبر ثان", encoding="utf-8")
    import_paths(store, [tmp_path])
    ids = sorted(external_id for external_id, *_ in _stored(store))
    assert ids == ["news", f"news-{sha256_text('خبر ثان')[:8]}"]


def test_a_bad_file_changes_nothing_and_names_file_and_line(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes("سطر صحيح\n".encode("utf-8") + b"\xff\xfe\x00\x81 broken")
    before = snapshot(store)
    report = import_paths(store, [bad], encoding="utf-8")
    assert report.errors == [f"{bad}:2: cannot be decoded as utf-8 (byte 0xff at offset 16)"]
    assert snapshot(store) == before


def test_good_files_are_kept_when_one_file_is_bad(store: Store, tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("خبر جيد", encoding="utf-8")
    (tmp_path / "empty.txt").write_text(" \n\n", encoding="utf-8")
    report = import_paths(store, [tmp_path])
    assert report.errors == [f"{tmp_path / 'empty.txt'}: the file has no text"]
    assert [external_id for external_id, *_ in _stored(store)] == ["good"]


def test_annotator_gets_an_empty_set_per_document_once(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("خبر", encoding="utf-8")
    assert import_paths(store, [tmp_path], annotator="mona").sets_added == 1
    assert import_paths(store, [tmp_path], annotator="mona").sets_added == 0
    with store.unit_of_work() as uow:
        (doc,) = uow.documents.summaries()
    assert [(s.owner, str(s.kind), str(s.status), s.spans) for s in doc.sets] == \
        [("mona", "annotation", "todo", 0)]


@pytest.mark.parametrize("name", ["gold", "suggestions", " "])
def test_reserved_or_blank_annotator_names_are_refused(store: Store, name: str) -> None:
    with pytest.raises(UserError):
        import_paths(store, [SEED_ARTICLE], annotator=name)


def test_a_missing_path_is_a_user_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file or folder"):
        import_paths(store, [tmp_path / "nope.txt"])


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_recognized(store: Store, tmp_path: Path, encoding: str) -> None:
    text = "قال الوزير إن موسكو ستتعاون\nمع باريس"
    path = tmp_path / "nobom.txt"
    path.write_bytes(text.encode(encoding))
    report = import_paths(store, [path])
    assert [(f.encoding, f.error) for f in report.files] == [(encoding, None)]
    assert _stored(store)[0][2] == text


@pytest.mark.parametrize(("data", "message"), [
    (b"\x7fELF\x02\x01\x01\x00\x00\x00binary", "1: a NUL byte at offset 7: a binary file, not text"),
    ("سطر\nنص\x07".encode("utf-8"), "2: control character U+0007 in the utf-8 text"),
])
def test_binary_files_are_refused(store: Store, tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(data)
    before = snapshot(store)
    (error,) = import_paths(store, [path]).errors
    assert error.startswith(f"{path}:{message}")
    assert snapshot(store) == before
