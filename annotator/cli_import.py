"""The import commands: ``annotator import`` (files, folders, native JSONL, corpus formats; or
``--undo BATCH``) and ``annotator history`` (every import as a batch), with the progress bar."""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from annotator.core.errors import UserError
from annotator.exports.base import NESTED_POLICIES, SCHEMES, ImportContext, SpanFields
from annotator.exports.registry import IMPORTABLE


def add_import_commands(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """``import`` and ``history``, made with the CLI's ``command(name, help)``."""
    p = command("import", "Import text files, HTML pages, folders, native JSONL or a corpus "
                          "format; or undo an import.")
    p.add_argument("paths", nargs="*", metavar="PATH", type=Path)
    p.add_argument("--annotator", metavar="NAME",
                   help="give NAME an empty annotation set for each imported document")
    p.add_argument("--encoding", metavar="ENC", help="decode with ENC instead of detecting")
    formats = ["text", "html", *IMPORTABLE]
    p.add_argument("--format", choices=formats, metavar="FORMAT",
                   help=f"the files' format: {', '.join(formats)} (default: by suffix; .txt is "
                        "text, or CoNLL when it plainly is, .html HTML, .jsonl native JSONL)")
    p.add_argument("--map", metavar="TAG=LABEL,...|FILE", dest="label_map",
                   help="map the corpus's tags onto the project's labels (PERS=actor,LOC=location,"
                        " or a file of TAG=LABEL lines); spans of tags not mapped are dropped "
                        "and counted")
    p.add_argument("--add-labels", action="store_true",
                   help="add labels the schema does not have (a new schema version) instead of "
                        "refusing the file")
    p.add_argument("--replace", action="store_true",
                   help="replace a set the store already has for the same owner")
    p.add_argument("--skip-bad", action="store_true",
                   help="import the good lines of a file with bad ones, and list what was left out")
    p.add_argument("--report", type=Path, metavar="FILE",
                   help="write every bad line (file:line: why) to FILE")
    p.add_argument("--strip-marks", action="store_true",
                   help="remove invisible bidi marks (LRM, RLM, ALM, embeddings, isolates) before "
                        "the text is stored; offsets move along")
    p.add_argument("--doc-size", type=_positive, metavar="N",
                   help="CoNLL: cut the corpus into documents of N sentences")
    p.add_argument("--scheme", choices=SCHEMES, help="token formats: tag scheme (default: detect)")
    p.add_argument("--nested", choices=NESTED_POLICIES, default="layers",
                   help="token formats: how the tag columns nest (default layers)")
    spans = p.add_argument_group("spans-jsonl: where each line keeps its text and spans")
    spans.add_argument("--text-field", default="text", metavar="NAME",
                       help="the text (default text; a.b for nested objects)")
    spans.add_argument("--spans-field", default="spans", metavar="NAME",
                       help="the list of spans (default spans)")
    spans.add_argument("--start", default="start", metavar="NAME",
                       help="a span's start, a code point offset (default start)")
    spans.add_argument("--end", default="end", metavar="NAME",
                       help="a span's end, exclusive (default end)")
    spans.add_argument("--label", default="label", metavar="NAME",
                       help="a span's label (default label)")
    spans.add_argument("--id-field", metavar="NAME",
                       help="the document id (default id or doc_id, else FILE-LINE)")
    p.add_argument("--undo", metavar="BATCH",
                   help="remove what the import BATCH added (annotator history lists batches)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors and the summary")
    p.set_defaults(usage_error=p.error)

    command("history", "Every import as a batch: id, when, who, files, what it added.")


def _cli() -> Any:
    """The CLI module's helpers (store, person, words), imported when a command runs."""
    from annotator import cli

    return cli


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.services.importing import ImportInterrupted, import_paths

    if args.undo:
        if args.paths:
            raise UserError("--undo takes a batch id, not files")
        return _undo(args)
    if not args.paths:
        args.usage_error("the following arguments are required: PATH (or --undo BATCH)")
    store = _cli()._open_store(args)
    show = ProgressBar(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    fields = SpanFields(text=args.text_field, spans=args.spans_field, start=args.start,
                        end=args.end, label=args.label, id=args.id_field)
    try:
        report = import_paths(
            store, args.paths, annotator=args.annotator, encoding=args.encoding,
            actor=_cli()._actor(args), progress=show, fmt=args.format, add_labels=args.add_labels,
            replace=args.replace, skip_bad=args.skip_bad, strip_marks=args.strip_marks,
            label_map=_label_map(args.label_map), doc_size=args.doc_size,
            context=ImportContext(scheme=args.scheme, nested=args.nested, span_fields=fields))
    except ImportInterrupted as stop:
        if show:
            show.finish()
        done = stop.report
        print(f"annotator: interrupted; committed before it: "
              f"{_cli()._plural(done.documents_added, 'new document')}, {_cli()._plural(done.sets_added, 'set')}"
              f", {_cli()._plural(done.spans_added, 'span')} from {_cli()._plural(len(done.files), 'file')}"
              + (f" (batch {done.batch[:12]}: annotator import --undo {done.batch[:12]} removes "
                 "them)" if done.added_anything else "") + "; the other files were not imported",
              file=sys.stderr)
        return 130
    if show:
        show.finish()
    _print_import(report, args)
    if args.report:
        args.report.write_text("".join(p + "\n" for p in report.problems), encoding="utf-8")
    bad = len(report.errors)
    return 1 if bad else 0


def _print_import(report, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    from annotator.services.importing import describe_marks, problem_lines

    for result in report.files:
        if result.error:
            for line in problem_lines(result.problems, source=result.path):
                print(f"annotator: {_cli().one_line(line)}", file=sys.stderr)
            print(f"annotator: {_cli().one_line(result.error)}", file=sys.stderr)
            continue
        if not args.quiet:
            what = "added" if result.documents_added else "already there"
            if result.format not in ("text", "html"):
                what = (f"{_cli()._plural(result.documents_added, 'document')} added, "
                        f"{result.documents_existing} already there, "
                        f"{_cli()._plural(result.sets_added, 'set')}, {_cli()._plural(result.spans_added, 'span')}")
            found = {"conll": "CoNLL detected (token and tag columns): ",
                     "html": "an HTML page: its article, "}.get(result.detected or "", "")
            if result.format == "html" and not result.detected:
                found = "its article, "
            print(f"{result.path}: {found}{what}"
                  + (f" ({result.encoding})" if result.encoding else ""))
        notes = list(result.notes)
        marks = describe_marks(result)
        if marks:
            notes.append(f"{result.path}: {marks}")
        if result.mapped or result.dropped:
            notes.append(_map_note(result))
        if not args.quiet:
            for note in notes:
                print(f"  note: {note}")
        if result.skipped:
            print(f"  skipped {_cli()._plural(result.skipped, 'bad line')} (--skip-bad):")
            for line in problem_lines(result.problems, source=result.path):
                print(f"    {_cli().one_line(line)}")
    encodings = Counter(r.encoding for r in report.files if not r.error and r.encoding)
    used = ", ".join(f"{name} x{count}" for name, count in sorted(encodings.items()))
    bad = len(report.errors)
    skipped = sum(r.skipped for r in report.files if not r.error)
    print(f"imported {_cli()._plural(report.documents_added, 'new document')} "
          f"({report.documents_existing} already there), {_cli()._plural(report.sets_added, 'set')}, "
          f"{_cli()._plural(report.spans_added, 'span')} from {_cli()._plural(len(report.files) - bad, 'file')}"
          + (f"; encodings: {used}" if used else "")
          + (f"; {_cli()._plural(skipped, 'bad line')} skipped" if skipped else "")
          + (f"; {_cli()._plural(bad, 'file')} rejected, nothing written from them" if bad else ""))


def _map_note(result) -> str:  # type: ignore[no-untyped-def]
    from annotator.core.label_map import name_list

    parts = []
    if result.mapped:
        parts.append(f"{sum(result.mapped.values()):,} spans relabeled by --map")
    if result.dropped:
        tags = [t for t, _ in result.dropped.most_common()]
        parts.append(f"{sum(result.dropped.values()):,} spans of "
                     f"{_cli()._plural(len(tags), 'tag')} not mapped dropped: "
                     f"{name_list(tags, counts=result.dropped)}")
    if result.merged:
        parts.append(f"{result.merged:,} spans merged (the same span after mapping)")
    return f"{result.path}: " + "; ".join(parts)


def _label_map(value: str | None):  # type: ignore[no-untyped-def]
    if value is None:
        return None
    from annotator.core.label_map import parse_map

    path = Path(value)
    if "=" not in value or path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError(f"--map {value}: neither TAG=LABEL pairs nor a file") from None
        except UnicodeDecodeError:
            raise UserError(f"--map {value}: not a UTF-8 text file") from None
        return parse_map(text, source=str(path))
    return parse_map(value)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, not {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, not {number}")
    return number


def _undo(args: argparse.Namespace) -> int:
    from annotator.services.history import undo_import

    report = undo_import(_cli()._open_store(args), args.undo, actor=_cli()._actor(args))
    parts = [f"{_cli()._plural(report.documents, 'document')}", f"{_cli()._plural(report.sets, 'set')}",
             f"{_cli()._plural(report.spans, 'span')}"]
    line = f"undid import {report.batch[:12]}: removed " + ", ".join(parts)
    if report.spans_restored:
        line += f"; put back {_cli()._plural(report.spans_restored, 'span')} it had replaced"
    if report.labels_removed:
        line += f"; removed the labels it added: {', '.join(report.labels_removed)}"
    if report.labels_kept:
        line += f"; kept the labels {', '.join(report.labels_kept)} (spans use them)"
    if report.already_gone:
        line += f"; {report.already_gone} of its documents or sets were already removed"
    print(line)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    from annotator.services.history import import_batches

    batches = import_batches(_cli()._open_store(args))
    if not batches:
        print("no imports yet: annotator import PATH")
        return 0
    for b in batches:
        files = ", ".join(Path(f).name for f in b.files[:3])
        if len(b.files) > 3:
            files += f" and {len(b.files) - 3} more"
        state = f"  undone {b.undone_at:%Y-%m-%d %H:%M} by {b.undone_by}" if b.undone_at else ""
        labels = f", labels added: {', '.join(b.labels)}" if b.labels else ""
        print(f"{b.batch[:12]}  {b.at:%Y-%m-%d %H:%M}  {b.actor}  "
              f"{_cli()._plural(len(b.files), 'file')} ({files}): {_cli()._plural(b.documents, 'document')}, "
              f"{_cli()._plural(b.sets, 'set')}, {_cli()._plural(b.spans, 'span')}{labels}{state}")
    return 0


class ProgressBar:
    """A one-line progress bar on a terminal, redrawn at most ten times a second."""

    def __init__(self, stream: TextIO, *, width: int = 30, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.width = width
        self.clock = clock
        self._last = float("-inf")
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        filled = self.width * done // max(total, 1)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} files")
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "import": cmd_import, "history": cmd_history}
