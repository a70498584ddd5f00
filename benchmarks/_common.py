"""Helpers shared by the benchmarks: fresh-subprocess measurements, peak RSS, medians, profiles."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out"


def _proc_status_kb(field: str) -> int | None:
    """A ``kB`` field of /proc/self/status (Linux), or None where there is none."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_now_kb() -> int:
    """Current resident set size (kB) of this process, from /proc (Linux); 0 elsewhere."""
    return _proc_status_kb("VmRSS") or 0


def peak_rss_kb() -> int:
    """Peak resident set size of this process so far, in kB.

    On Linux this is VmHWM from /proc/self/status: the high-water mark of this process's own
    address space, which starts afresh at exec. ``getrusage(RUSAGE_SELF).ru_maxrss`` is *not* used
    there because the kernel carries the parent's peak into the child across fork+exec, so a
    worker started by a driver that once held 150 MB reports at least 150 MB (measured here: every
    worker reported exactly the driver's peak). Elsewhere, ru_maxrss (bytes on macOS).
    """
    found = _proc_status_kb("VmHWM")
    if found is not None:
        return found
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak


def warm(path: Path) -> None:
    """Read a file into the page cache without holding it (keeps the driver's RSS small)."""
    with path.open("rb") as fh:
        while fh.read(1 << 20):
            continue


def emit(result: dict[str, Any]) -> None:
    """A worker's last stdout line: its result as JSON."""
    result.setdefault("peak_rss_kb", peak_rss_kb())
    print("RESULT " + json.dumps(result), flush=True)


def run_worker(script: Path, args: list[str], *, timeout: float = 900) -> dict[str, Any]:
    """Run ``script --worker ...`` in a fresh interpreter; returns the JSON it emitted."""
    cmd = [sys.executable, str(script), *args]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"worker failed ({proc.returncode}): {' '.join(cmd)}")
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            result = json.loads(line[len("RESULT "):])
            result["wall_s"] = time.perf_counter() - started
            return result
    sys.stderr.write(proc.stdout + proc.stderr)
    raise SystemExit(f"worker printed no result: {' '.join(cmd)}")


def side_by_side_args(doc: str, argv: list[str] | None, *, spans: int | None = None,
                      extra: Sequence[tuple[str, str]] = ()) -> argparse.Namespace:
    """The command line of a side-by-side benchmark (its docstring ``doc`` as help): --steps,
    --runs, --spans when it has a default, ``extra`` switches (name, help), and the hidden
    --worker PATH and --bare its workers are started with (:func:`app_and_bare_run`)."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    if spans is not None:
        parser.add_argument("--spans", type=int, default=spans)
    for name, help_text in extra:
        parser.add_argument(name, action="store_true", help=help_text)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bare", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def app_and_bare_run(script: Path, db: Path, run: int, tag: str, args: list[str]
                     ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run ``run`` of a side-by-side benchmark: ``script``'s app worker and its bare worker
    (``--bare``), one after the other on fresh copies of the store ``db`` (the app first in odd
    runs, the bare way first in even ones); returns (app result, bare result)."""
    found: dict[bool, dict[str, Any]] = {}
    for bare in ((False, True) if run % 2 else (True, False)):
        scratch = OUT / f"{tag}-run-{run}-{'bare' if bare else 'app'}.sqlite3"
        fresh_copy(db, scratch)
        found[bare] = run_worker(script, ["--worker", str(scratch), *args]
                                 + (["--bare"] if bare else []))
    return found[False], found[True]


def ran_as_worker(args: argparse.Namespace, app: Callable[[Path, int], None],
                  bare: Callable[[Path, int], None]) -> bool:
    """In a worker process (the hidden --worker PATH that :func:`side_by_side_runs` starts):
    run the app's worker, or the bare way's with --bare, on that store; True when it did."""
    if args.worker is None:
        return False
    (bare if args.bare else app)(args.worker, args.steps)
    return True


def side_by_side_runs(script: Path, db: Path, tag: str, runs: int, args: list[str],
                      line: Callable[[int, dict[str, Any], dict[str, Any]], str]
                      ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``runs`` runs of :func:`app_and_bare_run`, each reported by the line ``line(run, app
    result, bare result)`` gives; returns (the app's results, the bare way's). The workers are
    Qt programs: they start on the offscreen platform unless one is set."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    apps: list[dict[str, Any]] = []
    bares: list[dict[str, Any]] = []
    for run in range(1, runs + 1):
        app, bare = app_and_bare_run(script, db, run, tag, args)
        apps.append(app)
        bares.append(bare)
        print(line(run, app, bare))
    return apps, bares


def side_by_side(name: str, key: str, apps: list[dict[str, Any]], bares: list[dict[str, Any]],
                 unit: str) -> str:
    """A line: the app's and the bare way's medians over the runs, their ratio, and the range of
    the runs' own ratios (each run's two workers ran one after the other: how far the host
    moved the figure from run to run)."""
    app_value = median([r[key] for r in apps])
    bare_value = median([r[key] for r in bares])
    paired = sorted(a[key] / b[key] for a, b in zip(apps, bares, strict=True))
    return (f"side by side, {name}: app {app_value:.3f} {unit}, bare {bare_value:.3f} {unit}, "
            f"{app_value / bare_value:.1f}x (runs {paired[0]:.1f}-{paired[-1]:.1f}x)")


def median(values: list[float]) -> float:
    return statistics.median(values)


def mb(kb: float) -> float:
    return kb / 1024


def machine() -> str:
    return (f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}")


def profile_call(func: Any, out: Path, *, top: int = 30) -> Any:
    """Run ``func()`` under cProfile; write the top functions by cumulative time to ``out``."""
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    result = prof.runcall(func)
    out.parent.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(str(out.with_suffix(".prof")))
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf)
    stats.sort_stats("cumulative").print_stats(top)
    buf.write("\n---- by internal time ----\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return result


def ensure_venv_note() -> None:
    try:
        import annotator  # noqa: F401
    except ImportError:
        raise SystemExit("the annotator package is not importable; run with the project's venv "
                         "(e.g. /tmp/venv/bin/python benchmarks/...)") from None


def fresh_copy(source: Path, target: Path) -> Path:
    """Copy a SQLite store to ``target`` for one run, removing the WAL and shared-memory files a
    previous run left beside it (an old -wal applied to a new copy corrupts it)."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.write_bytes(source.read_bytes())
    return target


def import_into_new_store(src: Path, db: Path, docs: int, spans: int,
                          profile: Path | None = None) -> tuple[float, int]:
    """Import ``src`` into a new SQLite store at ``db`` as the CLI would (its first user leads
    it), checking that ``docs`` documents and ``spans`` spans went in; returns (seconds, RSS in
    kB before the import)."""
    from annotator.db.store import Store
    from annotator.services.importing import import_paths
    from annotator.services.team import ensure_first_lead

    store = Store.open(f"sqlite:///{db}")
    ensure_first_lead(store, "bench")
    baseline = rss_now_kb()

    def work() -> Any:
        return import_paths(store, [src], actor="bench")

    t0 = time.perf_counter()
    report = profile_call(work, profile) if profile else work()
    seconds = time.perf_counter() - t0
    store.close()
    if report.errors or report.documents_added != docs or report.spans_added != spans:
        raise SystemExit(f"import went wrong: {report.documents_added} docs, "
                         f"{report.spans_added} spans, errors {report.errors[:3]}")
    return seconds, baseline
