"""Start-up (issue 11): what a command imports and how the process entry handles the collector.

Timings live in benchmarks/bench_startup.py; these tests pin what can be pinned without a clock:
each runs the real entry (``python -m annotator``) in a fresh interpreter and reads, at exit,
which modules it imported and the collector's state.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import startup
from annotator.core.arabic import strip_marks
from annotator.core.suggest.words import _ALEFS, word_key
from tests.conftest import REPO, SEED_ARTICLE

#: what every command on a SQLite store leaves alone
NEVER_ON_SQLITE = ("PySide6", "sqlalchemy.dialects.postgresql", "psycopg", "openpyxl")

_REPORT = """
import atexit, gc, json, sys
def _report():
    sys.__stderr__.write("STARTUP " + json.dumps({
        "modules": sorted(sys.modules), "order": list(sys.modules), "gc_enabled": gc.isenabled(),
        "frozen": gc.get_freeze_count()}) + "\\n")
atexit.register(_report)
import runpy
sys.argv = ["annotator", *%r]
runpy.run_module("annotator", run_name="__main__", alter_sys=True)
"""


def run_entry(tmp_path: Path, *argv: str) -> dict[str, object]:
    """``python -m annotator ARGV`` in a fresh interpreter; what it imported and the collector's
    state at exit."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", _REPORT % (list(argv),)], env=env,
                          capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("STARTUP "))
    found: dict[str, object] = json.loads(line[len("STARTUP "):])
    found["stdout"] = done.stdout
    return found


def imported(found: dict[str, object], names: tuple[str, ...]) -> list[str]:
    modules = found["modules"]
    assert isinstance(modules, list)
    return [n for n in names if n in modules]


@pytest.fixture
def seeded(tmp_path: Path) -> Path:
    """A SQLite store at the head revision with the seed article (made by the CLI itself)."""
    db = tmp_path / "seeded.sqlite3"
    run_entry(tmp_path, "--db", str(db), "import", str(SEED_ARTICLE), "-q")
    return db


def test_docs_on_a_current_sqlite_store_imports_no_qt_alembic_postgresql_or_openpyxl(
        tmp_path: Path, seeded: Path) -> None:
    found = run_entry(tmp_path, "--db", str(seeded), "docs")
    assert SEED_ARTICLE.stem in str(found["stdout"])
    assert imported(found, (*NEVER_ON_SQLITE, "alembic", "annotator.services.importing",
                            "annotator.exports.jsonl")) == []
    assert "sqlalchemy.orm" in found["modules"]     # the check above looks at the real list


def test_a_command_closes_its_store_whatever_the_collector_does_at_exit(
        tmp_path: Path, seeded: Path) -> None:
    """Start-up's objects are frozen (no collection at exit): the store is closed explicitly,
    so SQLite checkpoints its WAL and removes it as the last connection ends."""
    for argv in (["docs"], ["stats"], ["db", "current"]):
        run_entry(tmp_path, "--db", str(seeded), *argv)
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(seeded.name)) \
            == [seeded.name], argv


def test_a_new_store_is_migrated_with_alembic_still_without_qt(tmp_path: Path) -> None:
    found = run_entry(tmp_path, "--db", str(tmp_path / "new.sqlite3"), "docs")
    assert "no documents yet" in str(found["stdout"])
    assert imported(found, ("alembic",)) == ["alembic"]
    # (alembic's own operations import every dialect it knows, PostgreSQL's among them)
    assert imported(found, ("PySide6", "psycopg", "openpyxl")) == []


def test_version_imports_neither_the_database_nor_qt(tmp_path: Path) -> None:
    found = run_entry(tmp_path, "--version")
    assert imported(found, ("sqlalchemy", "PySide6", "alembic", "annotator.db.store")) == []


def test_the_entry_freezes_start_up_and_leaves_the_collector_on(tmp_path: Path,
                                                                 seeded: Path) -> None:
    found = run_entry(tmp_path, "--db", str(seeded), "docs")
    assert found["gc_enabled"] is True
    # everything start-up made (SQLAlchemy's modules and mappers among it) is out of the passes
    assert isinstance(found["frozen"], int) and found["frozen"] > 50_000


def test_a_screenshot_run_freezes_once_the_window_is_shown(tmp_path: Path, seeded: Path) -> None:
    shot = tmp_path / "shot.png"
    found = run_entry(tmp_path, "--db", str(seeded), "--user", "mona", "gui",
                      "--screenshot", str(shot), "--size", "900x600")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert found["gc_enabled"] is True
    assert isinstance(found["frozen"], int) and found["frozen"] > 50_000
    # a store in use: no importer (the seeds go only into an empty store), no migration; an
    # annotation window: nothing of review mode
    assert imported(found, ("alembic", "annotator.services.importing", "openpyxl",
                            "sqlalchemy.dialects.postgresql", "annotator.ui.charts",
                            "annotator.services.review", "annotator.ui.review_panels",
                            "annotator.ui.viewmodels.review", "annotator.core.adjudication")) == []
    assert_layers_before_qt(found["order"])


def assert_layers_before_qt(order: object) -> None:
    """The store, SQLAlchemy and the services were imported before PySide6 (outside its import
    hook, which reads the source of every module imported after it)."""
    from annotator.ui.app import LAYERS

    assert isinstance(order, list)
    qt = order.index("PySide6")
    for name in ("sqlalchemy", "sqlalchemy.orm", "annotator.db.store", *LAYERS):
        assert order.index(name) < qt, name
    assert order.index("annotator.ui.main_window") > qt


def test_run_gui_in_a_fresh_interpreter_holds_its_start_up_too(tmp_path: Path,
                                                                seeded: Path) -> None:
    """benchmarks/bench_window.py's cold(): run_gui called directly, not through the CLI."""
    shot = tmp_path / "direct.png"
    code = ("import atexit, gc, json, sys\n"
            "atexit.register(lambda: sys.__stderr__.write("
            "f'GC {gc.isenabled()} {gc.get_freeze_count()}\\n'"
            "f'ORDER {json.dumps(list(sys.modules))}\\n'))\n"
            "from annotator.ui.app import GuiOptions, run_gui\n"
            f"sys.exit(run_gui(GuiOptions(db_url='sqlite:///{seeded}', user='mona', "
            f"screenshot=__import__('pathlib').Path(r'{shot}'), size=(900, 600))))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    enabled, frozen = next(x for x in done.stderr.splitlines() if x.startswith("GC ")).split()[1:]
    assert enabled == "True" and int(frozen) > 50_000
    assert shot.is_file()
    order = next(x for x in done.stderr.splitlines() if x.startswith("ORDER "))
    assert_layers_before_qt(json.loads(order[len("ORDER "):]))


def test_app_module_imports_neither_qt_nor_the_store_nor_the_window(tmp_path: Path) -> None:
    """Importing annotator.ui.app is cheap: run_gui loads the rest under its collector hold,
    the store's layers before Qt."""
    code = ("import sys, annotator.ui.app\n"
            "print(sorted(m for m in ('sqlalchemy', 'annotator.db.store', 'PySide6', "
            "'annotator.ui.main_window', 'annotator.services.annotate') if m in sys.modules))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(REPO), os.environ.get("PYTHONPATH")])), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=tmp_path, timeout=60, check=True)
    assert done.stdout.strip() == "[]"


def test_release_without_hold_changes_nothing() -> None:
    frozen = gc.get_freeze_count()
    assert not startup.held()
    startup.release()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_hold_then_release_freezes_and_enables_once() -> None:
    assert gc.isenabled()
    try:
        startup.hold()
        assert not gc.isenabled() and startup.held()
        startup.release()
        assert gc.isenabled() and not startup.held()
        assert gc.get_freeze_count() > 0
        gc.unfreeze()
        startup.release()           # a second release: nothing
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        gc.enable()


def test_hold_leaves_a_collector_someone_else_turned_off_alone() -> None:
    gc.disable()
    try:
        startup.hold()
        assert not startup.held()
        startup.release()
        assert not gc.isenabled() and gc.get_freeze_count() == 0
    finally:
        gc.enable()


def _slow_key(word: str) -> str:
    return strip_marks(word).translate(_ALEFS)


@pytest.mark.parametrize("word", [
    "الدولة", "وزير", "لودريان", "أعلن", "إيف", "آخر", "ٱلله", "مُحَمَّد", "قـــال", "😀قال",
    "فرنسا😀", "", "كتاب\u200c", "abc", "ﻻ", "ی", "\u06f1\u06f2",
])
def test_word_key_fast_path_agrees_with_marks_stripped(word: str) -> None:
    assert word_key(word) == _slow_key(word)


def test_word_key_agrees_for_every_character_of_the_arabic_blocks() -> None:
    chars = [chr(c) for c in (*range(0x0600, 0x0700), *range(0x0750, 0x0780),
                              *range(0x08A0, 0x0900), *range(0xFB50, 0xFDFF),
                              *range(0xFE70, 0xFEFF))] + ["😀"]
    for ch in chars:
        for word in (ch, "قال" + ch, ch + "ب"):
            assert word_key(word) == _slow_key(word), (hex(ord(ch)), word)
