"""The command line: parse arguments, call a service, print, exit (0 ok, 1 user error, 2 usage)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence, TextIO

from annotator import __version__
from annotator.config import DB_ENV, resolve_db_url
from annotator.core.errors import UserError
from annotator.exports.base import NESTED_POLICIES, SCHEMES, TOKEN_POLICIES, ExportOptions, ImportContext
from annotator.exports.registry import FORMATS

if TYPE_CHECKING:
    from sqlalchemy import Engine

USER_ENV = "ANNOTATOR_USER"

EXAMPLES = {
    "main": """examples:
  annotator import seeds/                  import the seed articles into the default store
  annotator docs                           list documents and their annotation sets
  annotator --db postgresql+psycopg://me@db/news stats
""",
    "import": """examples:
  annotator import seeds/ articles/*.txt
  annotator import old_news.txt --encoding cp1256
  annotator import batch.txt --annotator mona     (also gives mona an empty set to annotate)
  annotator import export.jsonl                   (native JSONL with its sets, spans and relations)

Text files: UTF-8 (with or without BOM), UTF-16 with BOM, or cp1256 / ISO-8859-6 (detected;
the encoding used is printed and stored). Folders are read recursively (*.txt, *.jsonl).
Every file is validated before anything is written; a bad file changes nothing.
""",
    "export": """examples:
  annotator export --format jsonl --out all.jsonl
  annotator export --format jsonl --out gold.jsonl --set gold
  annotator export --format jsonl --out mona.jsonl --set mona
""",
    "docs": """examples:
  annotator docs
  annotator --db team.sqlite3 docs
""",
    "stats": """examples:
  annotator stats
""",
    "gui": """examples:
  annotator                                   open the window on the default store
  annotator --user mona gui
  annotator gui --screenshot shot.png --open 000_53e7616c08ffaf74 --size 1400x900
  annotator --user rana gui --review                 review mode: adjudicate into gold
  annotator --user rana gui --review --screenshot review.png --open 000_53e7616c08ffaf74
""",
    "db": """examples:
  annotator db upgrade            migrate the store to the newest schema
  annotator db current            print the store's URL and schema revision
  annotator --db postgresql+psycopg://admin@host/news db secure

Team mode (PostgreSQL): `annotator team add NAME` also creates a database login NAME (no
password unless --password; the connection needs CREATEROLE), a member of the group role
annotator_people. `db secure`, run by the owner of the store's tables (or a superuser), puts
every table under row-level security and creates the logins the team still lacks: on their own
connection (postgresql+psycopg://NAME@host/news) an annotator reads and writes only their own
sets (and reads the suggestions), even with plain SQL; reviewers read every set and write gold;
leads write everything; the journal records each change's database user. Run it again after an
upgrade that adds tables (db upgrade does so on a secured store). SQLite has no logins: it
trusts --user.
""",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="annotator", description="Annotate spans in Arabic news articles.",
        epilog=EXAMPLES["main"], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", metavar="URL",
                        help=f"SQLAlchemy database URL or SQLite file (default: ${DB_ENV} or the "
                             "SQLite file in the user data folder)")
    parser.add_argument("--user", metavar="NAME",
                        help=f"who makes the changes, for the journal (default: ${USER_ENV} or "
                             "the login name)")
    parser.add_argument("--version", action="version", version=f"annotator {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES[name],
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("import", "Import text files, folders or native JSONL.")
    p.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    p.add_argument("--annotator", metavar="NAME",
                   help="give NAME an empty annotation set for each imported document")
    p.add_argument("--encoding", metavar="ENC", help="decode with ENC instead of detecting")
    p.add_argument("--format", choices=["text", *FORMATS], metavar="FORMAT",
                   help=f"the files' format: text, {', '.join(FORMATS)} (default: by suffix; "
                        ".txt is text, .jsonl native JSONL)")
    p.add_argument("--add-labels", action="store_true",
                   help="add labels the schema does not have (a new schema version) instead of "
                        "refusing the file")
    p.add_argument("--replace", action="store_true",
                   help="replace a set the store already has for the same owner")
    p.add_argument("--scheme", choices=SCHEMES, help="token formats: tag scheme (default: detect)")
    p.add_argument("--nested", choices=NESTED_POLICIES, default="layers",
                   help="token formats: how the tag columns nest (default layers)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only errors and the summary")

    p = command("export", "Export documents and annotation sets.")
    p.add_argument("--format", required=True, choices=list(FORMATS), help="output format")
    p.add_argument("--out", required=True, type=Path, metavar="PATH",
                   help="file (or folder, for folder formats and --split) to write")
    p.add_argument("--set", default="all", metavar="gold|NAME|all",
                   help="which sets: gold, suggestions, one annotator's, or all (default)")
    p.add_argument("--labels", type=_labels, metavar="L1,L2",
                   help="export only these labels (and relations between them)")
    p.add_argument("--split", metavar="80/10/10",
                   help="split by document into train/dev/test folders/files under --out")
    p.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
    p.add_argument("--scheme", choices=SCHEMES, default="iob2",
                   help="token formats: tag scheme (default iob2)")
    p.add_argument("--tokens", choices=TOKEN_POLICIES, default="whole",
                   help="token formats: whole whitespace tokens (default) or clitic-segmented")
    p.add_argument("--nested", choices=NESTED_POLICIES, default="outer",
                   help="token formats: nested spans as outermost, innermost or one column per "
                        "depth (default outer)")
    p.add_argument("--predictions", action="store_true",
                   help="Label Studio: write the spans as predictions, not annotations")

    command("docs", "List documents: id, title, characters, sets and their status.")
    command("stats", "Counts of documents, sets, spans by label and relations by type.")

    p = command("gui", "Open the annotation window (the default command).")
    p.add_argument("--screenshot", type=Path, metavar="PATH",
                   help="render the window, save a PNG to PATH and exit (works offscreen)")
    p.add_argument("--open", metavar="DOC", dest="open_document",
                   help="document to open (its id from `annotator docs`)")
    p.add_argument("--size", type=_size, default=(1400, 900), metavar="WxH",
                   help="window size (default 1400x900)")
    p.add_argument("--review", action="store_true",
                   help="review mode (reviewers and leads): adjudicate the annotators' sets "
                        "into gold")

    p = command("db", "Database maintenance.")
    p.add_argument("action", choices=["upgrade", "current", "secure"],
                   help="upgrade: migrate; current: print the revision; secure: team mode on "
                        "PostgreSQL (row-level security and logins)")

    from annotator.cli_team import add_commands

    add_commands(sub)
    return parser


def _utf8_streams() -> None:
    """Arabic output must survive a console or a redirect whose encoding is not UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "gui"])
    try:
        return HANDLERS[args.command](args)
    except UserError as exc:
        print(f"annotator: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (annotator docs | head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # a file or folder that cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"annotator: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("annotator: interrupted", file=sys.stderr)
        return 130


def _actor(args: argparse.Namespace) -> str:
    """Who runs the command: --user, else $ANNOTATOR_USER, else the login name. On the embedded
    SQLite store the name is trusted as given (anyone can say --user)."""
    from annotator.services.team import check_person_name

    name = args.user or os.environ.get(USER_ENV)
    if not name:
        try:
            name = getpass.getuser()
        except (KeyError, OSError):
            name = "unknown"
    return check_person_name(str(name))


def _open_store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The store, migrated; the person running the command becomes the lead of a store that has
    none yet (its creator)."""
    from annotator.services.project import open_project
    from annotator.services.team import ensure_first_lead

    store = open_project(resolve_db_url(args.db))
    ensure_first_lead(store, _actor(args))
    return store


def cmd_import(args: argparse.Namespace) -> int:
    from annotator.services.importing import import_paths

    store = _open_store(args)
    show = ProgressBar(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    report = import_paths(store, args.paths, annotator=args.annotator, encoding=args.encoding,
                          actor=_actor(args), progress=show, fmt=args.format,
                          add_labels=args.add_labels, replace=args.replace,
                          context=ImportContext(scheme=args.scheme, nested=args.nested))
    if show:
        show.finish()
    for result in report.files:
        if result.error:
            print(f"annotator: {result.error}", file=sys.stderr)
        elif not args.quiet:
            what = "added" if result.documents_added else "already there"
            if result.format != "text":
                what = (f"{_plural(result.documents_added, 'document')} added, "
                        f"{result.documents_existing} already there, "
                        f"{_plural(result.sets_added, 'set')}, {_plural(result.spans_added, 'span')}")
            print(f"{result.path}: {what}" + (f" ({result.encoding})" if result.encoding else ""))
    encodings = Counter(r.encoding for r in report.files if not r.error and r.encoding)
    used = ", ".join(f"{name} x{count}" for name, count in sorted(encodings.items()))
    bad = len(report.errors)
    print(f"imported {_plural(report.documents_added, 'new document')} "
          f"({report.documents_existing} already there), {_plural(report.sets_added, 'set')}, "
          f"{_plural(report.spans_added, 'span')} from {_plural(len(report.files) - bad, 'file')}"
          + (f"; encodings: {used}" if used else "")
          + (f"; {_plural(bad, 'file')} rejected, nothing written from them" if bad else ""))
    return 1 if bad else 0


def cmd_export(args: argparse.Namespace) -> int:
    from annotator.exports.registry import get_format
    from annotator.services.exporting import Split, export

    split = Split.parse(args.split) if args.split else None
    options = ExportOptions(scheme=args.scheme, tokens=args.tokens, nested=args.nested,
                            predictions=args.predictions)
    reports = export(_open_store(args), args.out, fmt=args.format, which=args.set,
                     labels=args.labels, split=split, seed=args.seed, options=options,
                     actor=_actor(args))
    unit = get_format(args.format).unit
    for report in reports:
        items = "" if unit == "document" else f"{_plural(report.items, unit)}, "
        print(f"wrote {report.path}: {items}{_plural(report.documents, 'document')}, "
              f"{_plural(report.spans, 'span')}, {_plural(report.relations, 'relation')}")
        for kind, count in sorted(report.counts.items()):
            print(f"  note: {kind}: {count}")
        for problem in report.problems[:20]:
            print(f"    {problem}")
        if len(report.problems) > 20:
            print(f"    ... and {len(report.problems) - 20} more")
    return 0


def _labels(value: str) -> list[str]:
    labels = [part.strip() for part in value.split(",") if part.strip()]
    if not labels:
        raise argparse.ArgumentTypeError("give one or more labels, separated by commas")
    return labels


def cmd_docs(args: argparse.Namespace) -> int:
    store = _open_store(args)
    with store.unit_of_work() as uow:
        summaries = uow.documents.summaries()
    if not summaries:
        print("no documents yet: annotator import PATH")
        return 0
    rows = [(doc.external_id, str(doc.length),
             "; ".join(f"{s.owner} {s.status} {_plural(s.spans, 'span')}" for s in doc.sets) or "-",
             doc.title) for doc in summaries]
    widths = [max(len(row[i]) for row in rows + [("id", "chars", "sets", "")]) for i in range(3)]
    print(f"{'id':<{widths[0]}}  {'chars':>{widths[1]}}  {'sets':<{widths[2]}}  title")
    for external_id, length, sets, title in rows:
        print(f"{external_id:<{widths[0]}}  {length:>{widths[1]}}  {sets:<{widths[2]}}  {title}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    store = _open_store(args)
    with store.unit_of_work() as uow:
        stats = uow.stats.collect()
    print(f"store:       {store.url}")
    print(f"documents:   {stats.documents} ({stats.characters} characters)")
    print(f"annotators:  {stats.annotators}")
    for kind, status, count in stats.sets_by_kind_status:
        print(f"sets:        {count} {kind} {status}")
    for label, count in stats.spans_by_label:
        print(f"spans:       {count} {label}")
    for rtype, count in stats.relations_by_type:
        print(f"relations:   {count} {rtype}")
    print(f"events:      {stats.events}")
    return 0


def _size(value: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in value.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, like 1400x900, not {value!r}") \
            from None
    if not (200 <= width <= 10000 and 200 <= height <= 10000):
        raise argparse.ArgumentTypeError(f"size {value} is out of range (200..10000)")
    return width, height


def cmd_gui(args: argparse.Namespace) -> int:
    from annotator.ui.app import GuiOptions, run_gui

    return run_gui(GuiOptions(db_url=resolve_db_url(args.db),
                              user=args.user or os.environ.get(USER_ENV),
                              screenshot=args.screenshot, open_document=args.open_document,
                              size=args.size, review=args.review))


def cmd_db(args: argparse.Namespace) -> int:
    from annotator.db.engine import HEAD_REVISION, current_revision, make_engine, upgrade

    engine = make_engine(resolve_db_url(args.db))
    postgresql = engine.dialect.name == "postgresql"
    if args.action == "secure":
        if not postgresql:
            raise UserError("row-level security needs PostgreSQL; SQLite trusts --user")
        return _db_secure(engine, HEAD_REVISION)
    secured = False
    if postgresql and current_revision(engine) is not None:
        from annotator.db import security

        secured = security.is_secured(engine)
    renewed: tuple[str, ...] | None = None
    if args.action == "upgrade":
        before = current_revision(engine)
        upgrade(engine)
        if secured and current_revision(engine) != before:  # new tables, perhaps: cover them
            renewed = security.renew(engine)
    revision = current_revision(engine) or "none (a new store: annotator db upgrade creates it)"
    print(f"{engine.url.render_as_string(hide_password=True)}: revision {revision}")
    if secured:
        print("row-level security: on" + (f", renewed on {len(renewed)} tables"
                                           if renewed is not None else ""))
    return 0


def _db_secure(engine: Engine, revision: str) -> int:
    from annotator.db.security import GROUP, secure

    report = secure(engine, revision=revision)
    print(f"{engine.url.render_as_string(hide_password=True)}: row-level security on "
          f"{len(report.tables)} tables ({', '.join(report.tables)}); group role {GROUP}")
    for name, state in report.logins:
        print(f"login {name}: {state}")
    if not report.logins:
        print("nobody in the team yet: annotator team add NAME (creates their login)")
    return 0


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


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
    "import": cmd_import, "export": cmd_export, "docs": cmd_docs, "stats": cmd_stats, "db": cmd_db,
    "gui": cmd_gui,
}


def _team_handlers() -> None:
    from annotator.cli_team import HANDLERS as TEAM

    HANDLERS.update(TEAM)


_team_handlers()
