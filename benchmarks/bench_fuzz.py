"""Benchmark: fuzz every importer through the CLI, 10,000 cases, and count what went wrong.

Cases come from tests/fuzz/cases.py (the generator of the suite's Hypothesis fuzz tests): case
*k* is format ``FORMATS[k % 9]`` drawn from ``random.Random(seed * 1_000_003 + k)``, so a run is
reproducible case by case (``--only K`` reruns one and prints it). A worker process runs the
cases one after another in-process (``annotator.cli.main``) on its own store, with the checks of
tests/fuzz/harness.py after each: exit 0 or 1, no traceback, every error line naming the file,
the store unchanged on exit 1 (row counts of every table), no CR in a stored text. The driver
gives each case 10 s (``--timeout``): a case that takes longer is a hang; the worker is killed and a new one
(with a new store) takes the next case. A worker that dies is a crash.

    /work/main/.venv/bin/python benchmarks/bench_fuzz.py                      # 10,000 cases
    /work/main/.venv/bin/python benchmarks/bench_fuzz.py --cases 900 --seed 2
    /work/main/.venv/bin/python benchmarks/bench_fuzz.py --pg postgresql+psycopg://postgres@127.0.0.1:55432/postgres
    /work/main/.venv/bin/python benchmarks/bench_fuzz.py --only 4711         # one case, verbose
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

TIMEOUT = 10.0
READY_TIMEOUT = 120.0
PREFIX = "@@case "


def case_of(k: int, seed: int) -> Any:
    from tests.fuzz.cases import FORMATS, make_case

    return make_case(Random(seed * 1_000_003 + k), FORMATS[k % len(FORMATS)])


# -- the worker: runs cases as the driver names them ------------------------------------------


def worker(args: argparse.Namespace) -> None:
    os.environ.setdefault("ANNOTATOR_USER", "fuzzer")
    from tests.fuzz.cases import FORMATS, samples
    from tests.fuzz.harness import Harness

    root = Path(args.root)
    harness = Harness(args.db, root / "cases")
    for fmt in FORMATS:          # every format's modules loaded before the clock runs
        harness.run(samples()[fmt], keep=False)
    out = sys.__stdout__
    assert out is not None
    out.write(PREFIX + json.dumps({"ready": True}) + "\n")
    out.flush()
    for raw in sys.stdin:
        k = int(raw)
        case = case_of(k, args.seed)
        outcome, broken = harness.run(case, keep=False)
        out.write(PREFIX + json.dumps({"k": k, "format": case.format, "code": outcome.code,
                                       "seconds": outcome.seconds, "mutation": case.mutation,
                                       "args": list(case.args), "broken": broken}) + "\n")
        out.flush()
    harness.close()


# -- the driver ---------------------------------------------------------------------------------


@dataclass
class Worker:
    proc: subprocess.Popen[str]
    db: str
    buffer: str = ""


@dataclass
class Tally:
    cases: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    findings: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, result: dict[str, Any]) -> None:
        fmt = result["format"]
        self.cases[fmt] += 1
        (self.accepted if result["code"] == 0 else self.rejected)[fmt] += 1
        self.seconds[fmt].append(result["seconds"])
        for kind in {_kind(line) for line in result["broken"][1:]}:
            self.findings[kind].append(result)

    def count(self, kind: str) -> int:
        return len(self.findings.get(kind, []))


def _kind(line: str) -> str:
    if line.startswith(("traceback", "exit code", "a Traceback")):
        return "tracebacks"
    if "does not name the file" in line:
        return "error lines not naming the file"
    if "store changed" in line or "the summary says" in line:
        return "partial writes"
    if "CR in its text" in line:
        return "CR stored"
    return "other"


class Driver:
    def __init__(self, args: argparse.Namespace, root: Path) -> None:
        self.args = args
        self.root = root
        self.workers = 0
        self.pg_databases: list[str] = []

    def start(self) -> Worker:
        self.workers += 1
        folder = self.root / f"worker-{self.workers}"
        folder.mkdir()
        db = self.new_database(folder)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--db", db, "--root",
               str(folder), "--seed", str(self.args.seed)]
        env = dict(os.environ, XDG_DATA_HOME=str(folder / "xdg"), PYTHONPATH=str(REPO),
                   QT_QPA_PLATFORM="offscreen")
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, cwd=REPO, env=env,
                                start_new_session=True)
        worker = Worker(proc, db)
        if self.result(worker, READY_TIMEOUT) != {"ready": True}:   # imports, a new store: the
            self.stop(worker)                                       # clock starts after them
            raise SystemExit(f"a worker did not start: {' '.join(cmd)}")
        return worker

    def new_database(self, folder: Path) -> str:
        if not self.args.pg:
            return f"sqlite:///{folder / 'store.sqlite3'}"
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = f"fuzz_{uuid.uuid4().hex[:12]}"
        admin = create_engine(self.args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.pg_databases.append(name)
        return make_url(self.args.pg).set(database=name).render_as_string(hide_password=False)

    def drop_databases(self) -> None:
        if not self.pg_databases:
            return
        from sqlalchemy import create_engine, text

        admin = create_engine(self.args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.pg_databases:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    @staticmethod
    def stop(worker: Worker) -> None:
        try:
            os.killpg(worker.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        worker.proc.wait()

    def result(self, worker: Worker, timeout: float) -> dict[str, Any] | str:
        """The worker's next result, or "hang" (no result in time) or "crash" (it died)."""
        assert worker.proc.stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(worker.proc.stdout, selectors.EVENT_READ)
            while True:
                while "\n" in worker.buffer:
                    line, worker.buffer = worker.buffer.split("\n", 1)
                    if line.startswith(PREFIX):
                        return json.loads(line[len(PREFIX):])
                left = deadline - time.monotonic()
                if left <= 0:
                    return "hang"
                if not selector.select(left):
                    return "hang"
                chunk = os.read(worker.proc.stdout.fileno(), 1 << 16)
                if not chunk:
                    return "crash"
                worker.buffer += chunk.decode("utf-8", errors="replace")


def drive(args: argparse.Namespace) -> dict[str, Any]:
    from tests.fuzz.cases import FORMATS

    tally = Tally()
    hangs: list[dict[str, Any]] = []
    crashes: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-fuzz-") as tmp:
        driver = Driver(args, Path(tmp))
        worker = driver.start()
        try:
            for k in range(args.start, args.start + args.cases):
                assert worker.proc.stdin is not None
                try:
                    worker.proc.stdin.write(f"{k}\n")
                    worker.proc.stdin.flush()
                    got = driver.result(worker, args.timeout)
                except BrokenPipeError:
                    got = "crash"
                if isinstance(got, dict):
                    tally.add(got)
                else:
                    case = case_of(k, args.seed)
                    (hangs if got == "hang" else crashes).append(
                        {"k": k, "format": case.format, "mutation": case.mutation,
                         "args": list(case.args)})
                    driver.stop(worker)
                    worker = driver.start()
                if args.progress and (k - args.start + 1) % 500 == 0:
                    print(f"  {k - args.start + 1:,} cases, {time.perf_counter() - started:.0f} s",
                          file=sys.stderr)
        finally:
            driver.stop(worker)
            driver.drop_databases()
    wall = time.perf_counter() - started
    per_format = {
        fmt: {"cases": tally.cases[fmt], "accepted": tally.accepted[fmt],
              "rejected": tally.rejected[fmt],
              "median_ms": round(1000 * statistics.median(tally.seconds[fmt]), 1)
              if tally.seconds[fmt] else None,
              "max_ms": round(1000 * max(tally.seconds[fmt]), 1) if tally.seconds[fmt] else None}
        for fmt in FORMATS}
    every = sorted(s for seconds in tally.seconds.values() for s in seconds)
    return {
        "cases": args.cases, "seed": args.seed, "backend": "postgresql" if args.pg else "sqlite",
        "wall_s": round(wall, 1), "workers_started": driver.workers, "timeout_s": args.timeout,
        "median_case_ms": round(1000 * statistics.median(every), 1) if every else None,
        "max_case_ms": round(1000 * every[-1], 1) if every else None,
        "tracebacks": tally.count("tracebacks"), "partial_writes": tally.count("partial writes"),
        "error_lines_not_naming_the_file": tally.count("error lines not naming the file"),
        "cr_stored": tally.count("CR stored"), "other": tally.count("other"),
        "hangs_over_10s": len(hangs), "crashes": len(crashes),
        "per_format": per_format,
        "findings": {kind: [{k: r[k] for k in ("k", "format", "mutation", "args")}
                            | {"why": r["broken"][1][:300]} for r in found[:10]]
                     for kind, found in tally.findings.items()},
        "hang_cases": hangs[:20], "crash_cases": crashes[:20],
    }


def show(result: dict[str, Any]) -> None:
    print(f"{result['cases']:,} fuzz cases ({result['backend']}, seed {result['seed']}) in "
          f"{result['wall_s']} s; median case {result['median_case_ms']} ms, slowest "
          f"{result['max_case_ms']} ms")
    print(f"tracebacks: {result['tracebacks']}, partial writes: {result['partial_writes']}, "
          f"hangs over {result['timeout_s']:g} s: {result['hangs_over_10s']}, crashes: {result['crashes']}, "
          f"error lines not naming the file: {result['error_lines_not_naming_the_file']}, "
          f"CR stored: {result['cr_stored']}, other: {result['other']}")
    print(f"{'format':<12} {'cases':>6} {'accepted':>9} {'rejected':>9} {'median ms':>10} "
          f"{'max ms':>8}")
    for fmt, row in result["per_format"].items():
        print(f"{fmt:<12} {row['cases']:>6} {row['accepted']:>9} {row['rejected']:>9} "
              f"{row['median_ms']!s:>10} {row['max_ms']!s:>8}")
    for kind, found in result["findings"].items():
        print(f"-- {kind}:")
        for item in found:
            print(f"   case {item['k']} {item['format']} {item['mutation']!r} {item['args']}: "
                  f"{item['why']}")
    for name in ("hang", "crash"):
        for item in result[f"{name}_cases"]:
            print(f"-- {name}: case {item['k']} {item['format']} {item['mutation']!r}")


def only(args: argparse.Namespace) -> None:
    """One case, in this process, its files kept and everything printed."""
    os.environ.setdefault("ANNOTATOR_USER", "fuzzer")
    from tests.fuzz.harness import Harness

    root = Path(tempfile.mkdtemp(prefix="bench-fuzz-one-"))
    os.environ["XDG_DATA_HOME"] = str(root / "xdg")
    harness = Harness(args.pg or f"sqlite:///{root / 'store.sqlite3'}", root / "cases")
    case = case_of(args.only, args.seed)
    outcome, broken = harness.run(case)
    print(f"case {args.only}: {case.format} {case.mutation!r} {case.args} (files in {root})")
    print(f"exit {outcome.code} in {outcome.seconds:.2f} s\n--- stdout\n{outcome.out}--- stderr\n"
          f"{outcome.err}" + (f"--- traceback\n{outcome.traceback}" if outcome.traceback else ""))
    print("\n".join(broken) if broken else "all rules hold")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--start", type=int, default=0, help="first case number")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=TIMEOUT,
                        help=f"seconds a case may take before it counts as a hang ({TIMEOUT:g})")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server URL: each worker gets a "
                                                    "new database there (default: SQLite)")
    parser.add_argument("--only", type=int, metavar="K", help="run case K alone and print it")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the result as JSON")
    parser.add_argument("--progress", action="store_true", help="a line every 500 cases")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    if args.only is not None:
        only(args)
        return
    result = drive(args)
    show(result)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    bad = sum(result[k] for k in ("tracebacks", "partial_writes", "hangs_over_10s", "crashes",
                                  "error_lines_not_naming_the_file", "cr_stored", "other"))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
