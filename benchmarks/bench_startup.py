"""Start-up time against the bare way, side by side in the same run (issue 11, start-up).

Each figure is a fresh interpreter, started the way a user starts it, timed from spawn to exit;
app and bare alternate which goes first, and the figures are medians over ``--runs`` runs of
both the wall time and the CPU time (user + system) of the child. The machine is shared: the CPU
time moves less than the wall time under another process's load.

- ``docs``: ``annotator --db small.sqlite3 docs`` on the seed store, against
  ``python -c 'import sqlite3; ...'`` listing the same documents;
- ``version``: ``annotator --version`` against ``python -c pass``;
- ``window seed``: a shown window on the seed article store (what ``annotator gui`` shows a
  newcomer on first run), rendered to a PNG (``annotator gui --screenshot PNG``), against a bare
  QPlainTextEdit with the same text, shown and grabbed (the code of benchmarks/bench_window.py's
  ``cold()``, here with the CPU time too); ``run_gui seed`` is the same window from
  ``python -c '... run_gui(GuiOptions(..., screenshot=...))'`` (bench_window.py's ``cold()``,
  not through the CLI);
- ``window book``: the same on the 505k-character book's store with 20,000 spans
  (bench_gui.py's ``build_store``; skipped when ../shared/corpora is absent);
- ``paint seed``: ``annotator --db DB --user bench gui`` as a user runs it (the event loop, no
  screenshot), to the first paint of the article: the child writes the time and its CPU time
  (``time.process_time``) from an event filter on the article's viewport, installed by a
  wrapper around ``build_window`` (the wrapper imports nothing before the code does), then
  closes the window; against a bare QPlainTextEdit with the same text, shown, to its first
  paint. What comes after the first paint (the suggestions) is not in this figure; it is in
  ``window seed``, whose screenshot waits for them. (Its store is a copy of the seed store: the
  window creates the user's set.) ``paint book``: the same on a copy of the book's store.

Then the top entries of ``python -X importtime`` (cumulative) for ``docs`` and for the window,
and what ``docs`` and the window import that a plain run should not.

    python benchmarks/bench_startup.py [--runs 9] [--only docs,version,seed,book] [--top 15]
        [--before DIR]      (DIR: a checkout of the code before, measured in the same runs)

Children run without PYTHONDONTWRITEBYTECODE (a user's interpreter caches bytecode), after one
warm-up run each, in benchmarks/out (not in a checkout: ``python -m`` and ``-c`` put the current
folder first on the path, and ``--before`` must import the code it names).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import OUT, REPO, machine, median  # noqa: E402
from bench_gui import BOOK, USER, build_store  # noqa: E402

Command = list[str]


def _env(tmp: Path, code: Path = REPO) -> dict[str, str]:
    """The children's environment: ``code``'s annotator package first on the path."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp / "data"),
               XDG_CONFIG_HOME=str(tmp / "config"), ANNOTATOR_USER=USER,
               PYTHONPATH=os.pathsep.join(filter(None, [str(code), os.environ.get("PYTHONPATH")])))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("ANNOTATOR_DB", None)
    return env


def timed(cmd: Command, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of ``cmd`` in a fresh process; for a
    command that writes ``PAINTED <epoch> <cpu>`` (the paint figures), from the spawn to that
    line, and the child's CPU time then."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    spawned = time.time()
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, check=True, capture_output=True, cwd=OUT, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    for line in done.stdout.splitlines():
        if line.startswith("PAINTED "):
            painted, cpu_then = line.split()[1:]
            return float(painted) - spawned, float(cpu_then)
    return wall, cpu


#: the first paint of the window's article: build_window wrapped (annotator.cli's gui handler
#: imports annotator.ui.app where the code imports it, under the collector hold)
PAINT_CODE = """
import sys, time, runpy
import annotator.cli as cli

def report(window, viewport, quit_app):
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                print("PAINTED", repr(time.time()), repr(time.process_time()), flush=True)
                QTimer.singleShot(0, quit_app)
            return False

    window._bench_first_paint = FirstPaint()
    viewport.installEventFilter(window._bench_first_paint)

def gui(args, _gui=cli.HANDLERS["gui"]):
    import annotator.ui.app as app
    build = app.build_window

    def build_window(*a, **k):
        window = build(*a, **k)
        report(window, window.article.viewport(), window.close)
        return window

    app.build_window = build_window
    return _gui(args)

cli.HANDLERS["gui"] = gui
sys.argv = ["annotator", *%r]
runpy.run_module("annotator", run_name="__main__", alter_sys=True)
"""


def paint_code(db: Path) -> str:
    return PAINT_CODE % (["--db", str(db), "--user", USER, "gui"],)


def bare_paint_code(db: Path) -> str:
    return ("import sqlite3, time; from PySide6.QtCore import QEvent, QObject, QTimer; "
            "from PySide6.QtWidgets import QApplication, QPlainTextEdit\n"
            "class F(QObject):\n"
            "    def eventFilter(self, watched, event):\n"
            "        if event.type() == QEvent.Type.Paint:\n"
            "            watched.removeEventFilter(self)\n"
            "            print('PAINTED', repr(time.time()), repr(time.process_time()), "
            "flush=True)\n"
            "            QTimer.singleShot(0, a.quit)\n"
            "        return False\n"
            "a = QApplication([]); w = QPlainTextEdit(); "
            f"w.setPlainText(sqlite3.connect(r'{db}').execute('SELECT text FROM document "
            "ORDER BY external_id LIMIT 1').fetchone()[0]); w.resize(1400, 900); f = F(); "
            "w.viewport().installEventFilter(f); w.show(); a.exec()")


def seed_store(tmp: Path) -> Path:
    """The store ``annotator gui`` makes on a first run: migrated, the schema, the seed article."""
    from annotator.services.project import open_project, seed_if_empty

    path = tmp / "seed.sqlite3"
    if not path.exists():
        store = open_project(f"sqlite:///{path}")
        seed_if_empty(store, actor=USER)
        store.close()
    return path


def window_code(db: Path, png: Path) -> str:
    return ("import sys; from pathlib import Path; from annotator.ui.app import GuiOptions, "
            f"run_gui; sys.exit(run_gui(GuiOptions(db_url='sqlite:///{db}', user='{USER}', "
            f"screenshot=Path(r'{png}'))))")


def bare_window_code(db: Path, png: Path) -> str:
    return ("import sqlite3; from PySide6.QtWidgets import QApplication, QPlainTextEdit; "
            "a = QApplication([]); w = QPlainTextEdit(); "
            f"w.setPlainText(sqlite3.connect(r'{db}').execute('SELECT text FROM document "
            "ORDER BY external_id LIMIT 1').fetchone()[0]); w.resize(1400, 900); w.show(); "
            f"a.processEvents(); w.grab().save(r'{png}')")


def cases(tmp: Path, only: set[str]) -> dict[str, tuple[Command, Command]]:
    py = sys.executable
    found: dict[str, tuple[Command, Command]] = {}
    seed = seed_store(tmp)
    painted = tmp / "paint.sqlite3"
    if not painted.exists():
        import shutil

        shutil.copyfile(seed, painted)
    if "docs" in only:
        found["docs"] = (
            [py, "-m", "annotator", "--db", str(seed), "docs"],
            [py, "-c", (f"import sqlite3; c = sqlite3.connect(r'{seed}'); "
                        "print(c.execute('SELECT external_id, length(text), title FROM document "
                        "ORDER BY external_id').fetchall())")])
    if "version" in only:
        found["version"] = ([py, "-m", "annotator", "--version"], [py, "-c", "pass"])
    if "seed" in only:
        found["window seed"] = (gui_command(seed, tmp / "app.png"),
                                [py, "-c", bare_window_code(seed, tmp / "bare.png")])
        found["run_gui seed"] = ([py, "-c", window_code(seed, tmp / "app.png")],
                                 [py, "-c", bare_window_code(seed, tmp / "bare.png")])
        found["paint seed"] = ([py, "-c", paint_code(painted)],
                               [py, "-c", bare_paint_code(painted)])
    if "book" in only and BOOK.is_file():
        book = build_store(20_000)
        found["window book"] = (gui_command(book, tmp / "app-book.png"),
                                [py, "-c", bare_window_code(book, tmp / "bare-book.png")])
        book_copy = tmp / "paint-book.sqlite3"
        if not book_copy.exists():
            import shutil

            shutil.copyfile(book, book_copy)
        found["paint book"] = ([py, "-c", paint_code(book_copy)],
                               [py, "-c", bare_paint_code(book_copy)])
    return found


def gui_command(db: Path, png: Path) -> Command:
    """``annotator --db DB --user bench gui --screenshot PNG``: the window the way a user
    starts it (the CLI entry, :func:`annotator.cli.run`)."""
    return [sys.executable, "-m", "annotator", "--db", str(db), "--user", USER, "gui",
            "--screenshot", str(png)]


def importtime(cmd: Command, env: dict[str, str], top: int) -> list[tuple[int, int, str]]:
    """The ``top`` imports by cumulative microseconds: (self, cumulative, name), and the total."""
    run = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], env=env, capture_output=True,
                         text=True, check=True, cwd=OUT)
    rows = []
    for line in run.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            own, cumulative, name = line[len("import time:"):].split("|")
            rows.append((int(own), int(cumulative), name.rstrip()))
    rows.sort(key=lambda r: -r[1])
    total = sum(r[0] for r in rows)
    return [(total, total, " (all imports, self times summed)"), *rows[:top]]


#: what a run should not import: docs on SQLite, and a plain (annotation mode) window
UNWANTED = {
    "docs": ("PySide6", "alembic", "sqlalchemy.dialects.postgresql", "openpyxl", "psycopg",
             "annotator.exports.excel", "annotator.services.importing"),
    "window": ("alembic", "sqlalchemy.dialects.postgresql", "openpyxl", "psycopg",
               "annotator.ui.charts", "annotator.services.review", "annotator.ui.review_panels",
               "annotator.services.importing", "annotator.exports.excel"),
}


def imported(cmd: Command, env: dict[str, str], names: tuple[str, ...]) -> list[str]:
    code = ("import atexit, sys\n"
            "def report():\n"
            f"    hit = sorted(n for n in {names!r} if n in sys.modules)\n"
            "    sys.__stderr__.write('IMPORTED ' + ','.join(hit) + '\\n')\n"
            "atexit.register(report)\n")
    if cmd[1] == "-m":
        code += f"import runpy; sys.argv = {['annotator', *cmd[3:]]!r}\n" \
                "runpy.run_module('annotator', run_name='__main__', alter_sys=True)\n"
    else:
        code += cmd[2] + "\n"
    run = subprocess.run([cmd[0], "-c", code], env=env, capture_output=True, text=True, cwd=OUT,
                         check=False)
    for line in run.stderr.splitlines():
        if line.startswith("IMPORTED "):
            return [n for n in line[len("IMPORTED "):].split(",") if n]
    raise SystemExit(f"no import report from {cmd}: {run.stderr[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--only", default="docs,version,seed,book")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--before", type=Path, metavar="DIR",
                        help="a copy of the code before (git archive COMMIT | tar -x -C DIR): its "
                             "figures in the same runs, and its import profile")
    args = parser.parse_args(argv)
    tmp = OUT / "startup"
    tmp.mkdir(parents=True, exist_ok=True)
    envs = {"app": _env(tmp), "bare": _env(tmp)}
    if args.before:
        envs["before"] = _env(tmp, args.before.resolve())
    found = cases(tmp, set(args.only.split(",")))
    print(f"bench_startup: {args.runs} runs each, medians; {machine()}; "
          f"load average {os.getloadavg()[0]:.2f}")
    kinds = list(envs)

    def command(name: str, kind: str) -> Command:
        return found[name][1] if kind == "bare" else found[name][0]

    for name in found:  # warm-up: bytecode caches, page cache
        for kind in kinds:
            timed(command(name, kind), envs[kind])
    figures: dict[str, dict[str, list[tuple[float, float]]]] = {
        name: {kind: [] for kind in kinds} for name in found}
    for run in range(args.runs):
        order = kinds[run % len(kinds):] + kinds[:run % len(kinds)]
        for name in found:
            for kind in order:
                figures[name][kind].append(timed(command(name, kind), envs[kind]))
    head = "".join(f"{k + ' wall':>13}{k + ' cpu':>12}" for k in kinds)
    print(f"{'figure':<14}{head}{'app/bare wall':>15}{'app/bare cpu':>14}"
          + (f"{'app/before cpu':>16}" if "before" in kinds else "") + "  app wall min-max")
    for name, got in figures.items():
        walls = {k: median([w for w, _ in got[k]]) for k in kinds}
        cpus = {k: median([c for _, c in got[k]]) for k in kinds}
        cells = "".join(f"{walls[k]:>12.3f}s{cpus[k]:>11.3f}s" for k in kinds)
        lo, hi = min(w for w, _ in got["app"]), max(w for w, _ in got["app"])
        print(f"{name:<14}{cells}{walls['app'] / walls['bare']:>14.1f}x"
              f"{cpus['app'] / cpus['bare']:>13.1f}x"
              + (f"{cpus['app'] / cpus['before']:>15.2f}x" if "before" in kinds else "")
              + f"  {lo:.3f}-{hi:.3f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    shown: list[tuple[str, str, str]] = []
    if "docs" in found:
        shown.append(("docs", "docs", "docs"))
    if "window seed" in found:
        shown.append(("window seed", "window seed", "window"))
    for kind in [k for k in kinds if k != "bare"]:
        for title, name, unwanted in shown:
            print(f"\nimporttime, {title} ({kind}): top {args.top} by cumulative ms (self ms)")
            for own, cumulative, module in importtime(command(name, kind), envs[kind], args.top):
                print(f"  {cumulative / 1000:8.1f} {own / 1000:8.1f}  {module}")
            hits = imported(command(name, kind), envs[kind], UNWANTED[unwanted])
            print(f"  imported of {', '.join(UNWANTED[unwanted])}: {', '.join(hits) or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
