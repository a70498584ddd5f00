"""What an import reports: each file's result (counts, bad lines, notes, invisible marks, the label
map's counts), the report of the whole call, and the lines that show them to the user
(the import itself: annotator/services/importing.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from annotator.core.marks import describe_counts

#: how many bad lines messages show before "and N more"
SHOWN_PROBLEMS = 20

Progress = Callable[[int, int], None]


@dataclass
class FileResult:
    path: str
    format: str
    encoding: str | None = None
    documents_added: int = 0
    documents_existing: int = 0
    sets_added: int = 0
    sets_existing: int = 0
    spans_added: int = 0
    error: str | None = None
    problems: list[str] = field(default_factory=list)   # every bad line: "file:line: why"
    skipped: int = 0                                     # bad lines/records left out (skip_bad)
    notes: list[str] = field(default_factory=list)
    detected: str | None = None     # what a .txt turned out to be: "conll" or "html"
    marks: Counter[str] = field(default_factory=Counter)   # invisible marks found (or removed)
    marks_removed: bool = False
    mapped: Counter[str] = field(default_factory=Counter)  # tag -> spans relabeled by the map
    dropped: Counter[str] = field(default_factory=Counter)  # tag -> spans the map dropped
    merged: int = 0


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)
    batch: str = ""

    @property
    def errors(self) -> list[str]:
        return [f.error for f in self.files if f.error]

    @property
    def documents_added(self) -> int:
        return sum(f.documents_added for f in self.files)

    @property
    def documents_existing(self) -> int:
        return sum(f.documents_existing for f in self.files)

    @property
    def sets_added(self) -> int:
        return sum(f.sets_added for f in self.files)

    @property
    def spans_added(self) -> int:
        return sum(f.spans_added for f in self.files)

    @property
    def problems(self) -> list[str]:
        return [p for f in self.files for p in f.problems]

    @property
    def added_anything(self) -> bool:
        return bool(self.documents_added or self.sets_added or self.spans_added)


class ImportInterrupted(Exception):
    """Ctrl-C during an import: ``report`` holds what was committed before it."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("interrupted")
        self.report = report


def problem_lines(problems: Sequence[str], limit: int = SHOWN_PROBLEMS, *,
                  source: str | None = None) -> list[str]:
    """The first ``limit`` problems and a count of the others (naming ``source``, the file, when
    given: every line printed for a file starts with it)."""
    shown = list(problems[:limit])
    if len(problems) > limit:
        more = f"... and {len(problems) - limit:,} more"
        shown.append(f"{source}: {more}" if source else more)
    return shown


def describe_marks(result: FileResult) -> str | None:
    """``'24 invisible marks (RLM 24) removed'`` / ``'...: --strip-marks removes them'``."""
    if not result.marks:
        return None
    what = describe_counts(result.marks)
    return f"{what} removed" if result.marks_removed else \
        f"{what} in the text (--strip-marks removes them)"
