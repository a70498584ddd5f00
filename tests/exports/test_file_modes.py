"""Exports are ordinary files: readable by the team as the umask allows, not private to the writer
(temporary files made with mkstemp are 0600 until given the umask's mode)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from annotator.core.errors import UserError
from annotator.db.store import Store
from annotator.services.exporting import export
from annotator.services.importing import import_paths
from tests.conftest import SEED_ARTICLE


@pytest.fixture
def umask_022():  # type: ignore[no-untyped-def]
    old = os.umask(0o022)
    yield
    os.umask(old)


@pytest.mark.parametrize(("fmt", "name"), [("jsonl", "out.jsonl"), ("excel", "out.xlsx"),
                                           ("conll", "out.conll"), ("hf", "out.jsonl"),
                                           ("spacy", "out.spacy"), ("brat", "out"),
                                           ("labelstudio", "out.json"), ("doccano", "out.jsonl")])
def test_exported_files_get_the_umask_mode(store: Store, tmp_path: Path, umask_022: None,
                                           fmt: str, name: str) -> None:
    assert import_paths(store, [SEED_ARTICLE], annotator="mona").errors == []
    out = tmp_path / name
    export(store, out, fmt=fmt)
    paths = [out] + (sorted(out.rglob("*")) if out.is_dir() else [])
    for path in paths:
        expected = 0o755 if path.is_dir() else 0o644
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_a_folder_as_the_output_file_is_a_user_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="is a folder; give a file name"):
        export(store, tmp_path, fmt="jsonl")


def test_a_missing_suffix_is_added(store: Store, tmp_path: Path) -> None:
    (report,) = export(store, tmp_path / "review", fmt="excel")
    assert report.path == str(tmp_path / "review.xlsx") and (tmp_path / "review.xlsx").is_file()
