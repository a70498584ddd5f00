"""The command line itself: help, usage errors (exit 2), --version, --db / ANNOTATOR_DB, `db`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import __version__
from annotator.db.engine import HEAD_REVISION
from tests.cli._helpers import SEED_CHARS, SEED_ID, ok, run
from tests.conftest import SEED_ARTICLE

SUBCOMMANDS = ["import", "export", "docs", "stats", "db", "gui"]


@pytest.mark.parametrize("command", [[], *([name] for name in SUBCOMMANDS)],
                         ids=["annotator", *SUBCOMMANDS])
def test_help_exits_0_and_shows_an_example(capsys, command):
    result = run(capsys, *command, "--help")
    assert result.code == 0
    assert result.err == ""
    assert result.out.startswith(f"usage: annotator {' '.join(command)}".rstrip())
    assert "examples:\n  annotator " in result.out


def test_help_of_main_lists_every_subcommand(capsys):
    out = run(capsys, "--help").out
    for name in SUBCOMMANDS:
        assert f"\n    {name} " in out, name


def test_no_subcommand_opens_the_window(capsys, monkeypatch):
    import annotator.cli as cli

    seen = []
    monkeypatch.setitem(cli.HANDLERS, "gui", lambda args: seen.append(args) or 0)
    result = run(capsys, "--db", "x.sqlite3", "--user", "mona")
    assert (result.code, result.out, result.err) == (0, "", "")
    (args,) = seen
    assert (args.command, args.db, args.user, args.screenshot, args.size) == \
        ("gui", "x.sqlite3", "mona", None, (1400, 900))


def test_gui_size_must_be_width_x_height(capsys):
    result = run(capsys, "gui", "--size", "big")
    assert result.code == 2
    assert "expected WIDTHxHEIGHT, like 1400x900, not 'big'" in result.err


def test_version(capsys):
    result = run(capsys, "--version")
    assert (result.code, result.out, result.err) == (0, f"annotator {__version__}\n", "")


@pytest.mark.parametrize("argv, message", [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["docs", "--bogus"], "unrecognized arguments: --bogus"),
    (["import", "--bogus", "x.txt"], "unrecognized arguments: --bogus"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["export", "--format", "jsonl"], "the following arguments are required: --out"),
    (["export", "--out", "x.jsonl"], "the following arguments are required: --format"),
    (["export", "--format", "csv", "--out", "x.csv"], "invalid choice: 'csv'"),
    (["import"], "the following arguments are required: PATH"),
    (["db"], "the following arguments are required: action"),
    (["db", "downgrade"], "invalid choice: 'downgrade'"),
], ids=["unknown-option", "unknown-docs-option", "unknown-import-option", "unknown-command",
        "missing-out", "missing-format", "bad-format", "import-without-path", "db-without-action",
        "bad-db-action"])
def test_bad_usage_exits_2_with_usage_on_stderr(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    result = run(capsys, *argv)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("usage: annotator")
    last = result.err.rstrip("\n").splitlines()[-1]
    assert re.match(r"annotator( [a-z]+)?: error: ", last), last
    assert message in last
    assert "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a store


def test_python_dash_m_annotator_version():
    proc = subprocess.run([sys.executable, "-m", "annotator", "--version"], capture_output=True,
                          text=True, encoding="utf-8", timeout=60)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, f"annotator {__version__}\n", "")


def test_installed_console_script_help():
    script = Path(sys.executable).parent / ("annotator.exe" if os.name == "nt" else "annotator")
    assert script.is_file(), f"console script not installed at {script}"
    proc = subprocess.run([str(script), "--help"], capture_output=True, text=True, encoding="utf-8",
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("usage: annotator")
    assert "examples:\n  annotator import seeds/" in proc.stdout


# -- where the store is -----------------------------------------------------------------------


def test_db_as_bare_file_path_is_a_sqlite_store(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ok(capsys, "--db", "bare.sqlite3", "import", "-q", str(SEED_ARTICLE))
    assert (tmp_path / "bare.sqlite3").is_file()
    docs = ok(capsys, "--db", str(tmp_path / "bare.sqlite3"), "docs").out
    assert docs.splitlines()[1].split()[:2] == [SEED_ID, str(SEED_CHARS)]
    current = ok(capsys, "--db", "bare.sqlite3", "db", "current").out
    assert current == f"sqlite:///{tmp_path / 'bare.sqlite3'}: revision {HEAD_REVISION}\n"


def test_db_env_var_is_honoured(capsys, db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("ANNOTATOR_DB", db_url)
    imported = ok(capsys, "import", "-q", str(SEED_ARTICLE)).out
    assert imported.startswith("imported 1 new document")
    # the store named by the variable has it (asked for explicitly) ...
    docs = ok(capsys, "--db", db_url, "docs").out
    assert [line.split()[:2] for line in docs.splitlines()[1:]] == [[SEED_ID, str(SEED_CHARS)]]
    # ... the variable alone reaches it too, and the default store was never created
    assert ok(capsys, "docs").out == docs
    assert ok(capsys, "stats").out.splitlines()[0] == f"store:       {db_url}"
    assert not any(Path(os.environ["XDG_DATA_HOME"]).rglob("*.sqlite3"))


def test_db_option_wins_over_env_var(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "env.sqlite3"))
    ok(capsys, "--db", str(tmp_path / "opt.sqlite3"), "import", "-q", str(SEED_ARTICLE))
    assert ok(capsys, "--db", str(tmp_path / "opt.sqlite3"), "stats").out.splitlines()[1] == \
        f"documents:   1 ({SEED_CHARS} characters)"
    assert ok(capsys, "stats").out.splitlines()[1] == "documents:   0 (0 characters)"


def test_db_upgrade_then_current_prints_the_head_revision(capsys, db_url):
    upgraded = ok(capsys, "--db", db_url, "db", "upgrade").out
    assert upgraded == f"{db_url}: revision {HEAD_REVISION}\n"
    assert ok(capsys, "--db", db_url, "db", "current").out == upgraded
    # upgrading an up-to-date store is a no-op
    assert ok(capsys, "--db", db_url, "db", "upgrade").out == upgraded


def test_db_current_after_import(capsys, db_url):
    ok(capsys, "--db", db_url, "import", "-q", str(SEED_ARTICLE))
    assert ok(capsys, "--db", db_url, "db", "current").out == f"{db_url}: revision {HEAD_REVISION}\n"


def test_not_a_database_url_is_a_user_error(capsys):
    result = run(capsys, "--db", "nosuchdriver://x/y", "docs")
    assert result.code == 1
    assert result.out == ""
    assert len(result.err.splitlines()) == 1
    assert result.err.startswith("annotator: ")
    assert "Traceback" not in result.err


def test_empty_store_docs_and_stats(capsys, db_url):
    assert ok(capsys, "--db", db_url, "docs").out == "no documents yet: annotator import PATH\n"
    assert ok(capsys, "--db", db_url, "stats").out == (
        f"store:       {db_url}\n"
        "documents:   0 (0 characters)\n"
        "annotators:  1\n"   # whoever created the store: its first lead
        "events:      2\n")  # the label schema loaded from the seeds, and the first lead
