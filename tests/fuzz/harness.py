"""Run a fuzz case through the CLI in-process and say what went wrong, if anything.

What must hold for every case (issue 9): the exit code is 0 or 1; nothing escapes ``main`` and
stderr holds no "Traceback"; each error line starts with ``annotator: <the imported path>``;
when the exit is 1 the store did not change (row counts of every table); and what an import
accepted is canonical text (no CR, no NUL in any document).
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
import time
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from annotator.cli import NEW_STORE, main
from tests.fuzz.cases import Case, documents_jsonl

_SUMMARY = re.compile(r"^imported (?P<documents>\d+) new documents? .*?, (?P<sets>\d+) sets?, "
                      r"(?P<spans>\d+) spans? from (?P<files>\d+) files?", re.MULTILINE)
TABLES = ("document", "annotator", "annotation_set", "span", "relation", "event", "label_schema")


@dataclass(frozen=True)
class Outcome:
    code: int | None
    out: str
    err: str
    traceback: str | None
    seconds: float


def run_cli(argv: list[str]) -> Outcome:
    """``annotator ARGV`` in this process, its output captured."""
    out, err = io.StringIO(), io.StringIO()
    code: int | None = None
    caught = None
    start = time.perf_counter()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        except Exception:  # what the fuzz run is looking for: anything that escapes main
            caught = traceback.format_exc()
    errors = "".join(line for line in err.getvalue().splitlines(keepends=True)
                     if not line.startswith(f"annotator: {NEW_STORE}"))
    return Outcome(code, out.getvalue(), errors, caught, time.perf_counter() - start)


class Harness:
    """One store, many cases: each case in a folder of its own under ``root``."""

    def __init__(self, db_url: str, root: Path) -> None:
        self.db_url = db_url
        self.root = root
        self.numbers = itertools.count(1)
        self.engine = create_engine(db_url)
        first = root / "documents.jsonl"
        root.mkdir(parents=True, exist_ok=True)
        first.write_bytes(documents_jsonl())
        ready = run_cli(["--db", db_url, "import", "-q", str(first)])
        assert ready.code == 0, ready
        self.tables = [t for t in TABLES if t in set(inspect(self.engine).get_table_names())]

    def close(self) -> None:
        self.engine.dispose()

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t: conn.execute(text(f'SELECT COUNT(*) FROM "{t}"')).scalar_one()
                    for t in self.tables}

    def unclean_documents(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT COUNT(*) FROM document WHERE text LIKE :cr"),
                                {"cr": "%\r%"}).scalar_one()

    def partial_writes(self, case: Case, outcome: Outcome, before: dict[str, int]) -> list[str]:
        """Exit 1: the store did not change, or (a folder of files, some imported) it changed by
        exactly what the summary line says the good files added."""
        after = self.counts()
        changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
        summary = _SUMMARY.search(outcome.out)
        if summary is None or int(summary["files"]) == 0:
            return [f"exit {outcome.code} but the store changed: {changed}"] if changed else []
        found = []
        added = after["document"] - before["document"]
        if added != int(summary["documents"]):
            found.append(f"{added} documents written, the summary says {summary['documents']}")
        spans = after["span"] - before["span"]
        if "--replace" not in case.args and spans != int(summary["spans"]):
            found.append(f"{spans} spans written, the summary says {summary['spans']}")
        return found

    def run(self, case: Case, *, keep: bool = True) -> tuple[Outcome, list[str]]:
        """Run ``case``; the outcome and every rule it broke (empty: all is well). ``keep``:
        leave the case's files (else removed once checked)."""
        folder = self.root / f"case-{next(self.numbers):05d}"
        target = case.write(folder)
        before = self.counts()
        outcome = run_cli(["--db", self.db_url, *case.argv(folder)])
        broken = self.broken(case, outcome, target, before)
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
        return outcome, broken

    def broken(self, case: Case, outcome: Outcome, target: Path,
               before: dict[str, int]) -> list[str]:
        found: list[str] = []
        if outcome.traceback is not None:
            found.append(f"traceback:\n{outcome.traceback}")
        if outcome.code not in (0, 1):
            found.append(f"exit code {outcome.code}")
        if "Traceback" in outcome.err:
            found.append("a Traceback on stderr")
        prefix = f"annotator: {target}"
        for line in outcome.err.splitlines():
            if not line.startswith(prefix):
                found.append(f"an error line that does not name the file: {line[:300]!r}")
        if outcome.code != 0 and not found:
            found += self.partial_writes(case, outcome, before)
        if outcome.code == 0 and self.unclean_documents():
            found.append("a document with a CR in its text was stored")
        if found:
            found.insert(0, f"{case.format} case {case.mutation!r} args {case.args}:\n"
                            f"{outcome.err[:2000]}")
        return found
