"""The command line: parse arguments, call a service, print, exit (0 ok, 1 user error, 2 usage)."""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from annotator import __version__, startup
from annotator.cli_db import HANDLERS as DB_HANDLERS
from annotator.cli_db import add_db_command
from annotator.cli_import import HANDLERS as IMPORT_HANDLERS
from annotator.cli_import import add_import_commands
from annotator.config import DB_ENV, resolve_db_url, sqlite_file
from annotator.core.errors import UserError
from annotator.exports.base import (
    NESTED_POLICIES,
    SCHEMES,
    TOKEN_POLICIES,
    ExportOptions,
)
from annotator.exports.registry import EXPORTABLE

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
  annotator import page.html                      (the article's title and main text)
  annotator import ANERCorp.txt --format conll --map PERS=actor,ORG=actor,LOC=location \
      --skip-bad --doc-size 50                    (a corpus with its own tags and bad lines)
  annotator import newsfane.conll --map tags.map --strip-marks
  annotator import dev.jsonl --format spans-jsonl --text-field text \
      --spans-field location_mentions --start startIdx --end endIdx --label type \
      --id-field tweet_id --map CITY=location,COUNTRY=location
  annotator history                               (every import, with its batch id)
  annotator import --undo 3f2a9c1b                (remove what that import added)

Text files: UTF-8 (with or without BOM), UTF-16 with BOM, or cp1256 / ISO-8859-6 (detected;
the encoding used is printed and stored). A .txt that is plainly CoNLL (token and tag columns)
is imported as CoNLL, and says so; HTML pages give their article; PDF and Word files are
refused with a hint to convert them. Folders are read recursively (*.txt, *.jsonl, *.html).
Every file is validated before anything is written; a bad file changes nothing and every bad
line is reported (the first 20 and a count; all of them with --report FILE). --skip-bad imports
the good part and lists what it left out. A map file has one TAG=LABEL per line (# comments).
""",
    "export": """examples:
  annotator export --format jsonl --out all.jsonl
  annotator export --format jsonl --out gold.jsonl --set gold
  annotator export --format jsonl --out mona.jsonl --set mona
""",
    "docs": """examples:
  annotator docs
  annotator --db team.sqlite3 docs
  annotator docs rm 000_53e7616c08ffaf74 other-doc      (remove documents and their sets)
  annotator docs rm draft-01 --force                    (even if sets have spans on it)
""",
    "history": """examples:
  annotator history                 every import: batch, when, who, files, what it added
  annotator import --undo 3f2a9c1b  remove what an import added (nothing annotated on it since)
""",
    "labels": """examples:
  annotator labels                          the labels, their keys and how many spans use them
  annotator labels rename location place    (the stored spans are relabeled too)
  annotator labels hide MISC                (not offered any more; existing spans keep it)
  annotator labels show MISC
  annotator labels remove MISC              (refused while spans use it)
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
  annotator db backup ~/backups/news-2026-11-30.sqlite3    a consistent copy, while others work
  annotator --db new.sqlite3 db restore ~/backups/news-2026-11-30.sqlite3
  annotator db check                                        integrity: exit 1 and a list if not

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

    add_import_commands(command)

    p = command("export", "Export documents and annotation sets.")
    p.add_argument("--format", required=True, choices=list(EXPORTABLE), help="output format")
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
    p.add_argument("--shard-docs", type=int, default=250, metavar="N",
                   help="spaCy: Docs per .spacy shard in the output folder (default 250; "
                        "memory grows with it)")

    p = command("docs", "List documents: id, title, characters, sets and their status; or "
                        "remove documents (docs rm DOC...).")
    p.add_argument("action", nargs="?", choices=["list", "rm"], default="list",
                   help="list (default) or rm")
    p.add_argument("ids", nargs="*", metavar="DOC", help="rm: the ids of the documents to remove")
    p.add_argument("--force", action="store_true",
                   help="rm: remove documents even when their sets have spans")


    p = command("labels", "List the project's labels with their use; rename, hide, show or "
                          "remove one.")
    p.add_argument("action", nargs="?", choices=["list", "rename", "hide", "show", "remove"],
                   default="list")
    p.add_argument("names", nargs="*", metavar="LABEL",
                   help="rename OLD NEW; hide/show/remove NAME")
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

    add_db_command(command)

    from annotator.cli_team import add_commands

    add_commands(sub)
    from annotator.cli_suggest import add_commands as add_suggest

    add_suggest(sub)
    return parser


def _utf8_streams() -> None:
    """Arabic output must survive a console or a redirect whose encoding is not UTF-8."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(encoding="utf-8")


def run() -> int:
    """The process entry (the ``annotator`` script, ``python -m annotator``): :func:`main` with
    the collector held during start-up (:mod:`annotator.startup`)."""
    startup.hold()
    try:
        return main()
    finally:
        startup.release()


def main(argv: Sequence[str] | None = None) -> int:
    _utf8_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv if argv is not None else sys.argv[1:]), "gui"])
    try:
        return HANDLERS[args.command](args)
    except UserError as exc:
        print(f"annotator: {one_line(str(exc))}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader went away (annotator docs | head): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:  # a file or folder that cannot be read or written
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"annotator: {one_line(where + str(exc.strerror or exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("annotator: interrupted", file=sys.stderr)
        return 130
    finally:
        _close_opened()


#: how to close what this command opened (stores, engines): closed when it ends, so that their
#: connections end cleanly (SQLite checkpoints its WAL) whatever the collector does at exit
_opened: list[Callable[[], None]] = []


def _close_opened() -> None:
    while _opened:
        _opened.pop()()


#: control characters (tab aside) and the other characters that break a line on a terminal
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def one_line(message: str) -> str:
    """``message`` as one printable line: line breaks, other control characters (a terminal's
    escape sequences among them) and lone surrogates written as Python escapes (``\\n``)."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], message)


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

    url = resolve_db_url(args.db)
    path = sqlite_file(url)
    new = path is not None and not path.exists()
    store = open_project(url)
    _opened.append(store.close)
    if new:
        print(f"annotator: {NEW_STORE} {path}", file=sys.stderr)
    ensure_first_lead(store, _actor(args))
    startup.release()   # start-up is over: the command's own work collects as usual
    return store


#: what the CLI says when it creates a store (a --db path that did not exist)
NEW_STORE = "no store there yet, created a new one:"


def cmd_labels(args: argparse.Namespace) -> int:
    from annotator.services import labels as service

    store = _open_store(args)
    actor = _actor(args)
    wanted = {"list": 0, "rename": 2, "hide": 1, "show": 1, "remove": 1}[args.action]
    if len(args.names) != wanted:
        usage = {"list": "labels", "rename": "labels rename OLD NEW"}.get(
            args.action, f"labels {args.action} NAME")
        raise UserError(f"usage: annotator {usage}")
    if args.action == "list":
        schema, uses = service.label_uses(store)
        print(f"schema {schema.name} v{schema.version}")
        for use in uses:
            label = use.label
            keys = ",".join(label.keys) if label and label.keys else "-"
            state = "not in the schema" if label is None else ("hidden" if label.hidden else "")
            print(f"{use.name:<16} {keys:<6} {_plural(use.spans, 'span'):>12}  "
                  f"{_plural(use.documents, 'document'):>14}  {state}".rstrip())
        return 0
    if args.action == "rename":
        change = service.rename_label(store, *args.names, actor=actor)
        print(f"renamed {args.names[0]} to {args.names[1]} (schema v{change.schema.version}); "
              f"{_plural(change.spans, 'span')} relabeled")
    elif args.action in ("hide", "show"):
        change = service.hide_label(store, args.names[0], hidden=args.action == "hide",
                                    actor=actor)
        print(f"{args.names[0]} is {'hidden' if args.action == 'hide' else 'shown'} "
              f"(schema v{change.schema.version})")
    else:
        change = service.remove_label(store, args.names[0], actor=actor)
        print(f"removed {args.names[0]} (schema v{change.schema.version})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from annotator.exports.registry import get_format
    from annotator.services.exporting import Split, export

    split = Split.parse(args.split) if args.split else None
    options = ExportOptions(scheme=args.scheme, tokens=args.tokens, nested=args.nested,
                            predictions=args.predictions, shard_docs=args.shard_docs)
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
    if args.action == "rm":
        from annotator.services.documents import remove_documents

        removed = remove_documents(_open_store(args), args.ids, actor=_actor(args),
                                   force=args.force)
        print(f"removed {_plural(len(removed.documents), 'document')} "
              f"({', '.join(removed.documents[:5])}{' ...' if len(removed.documents) > 5 else ''})"
              f" with {_plural(removed.sets, 'set')} and {_plural(removed.spans, 'span')}")
        return 0
    if args.ids:
        raise UserError("docs lists every document; to remove some: annotator docs rm DOC...")
    store = _open_store(args)
    with store.unit_of_work(write=False) as uow:
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
    with store.unit_of_work(write=False) as uow:
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


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "export": cmd_export, "docs": cmd_docs, "stats": cmd_stats, "gui": cmd_gui,
    "labels": cmd_labels, **IMPORT_HANDLERS, **DB_HANDLERS,
}


def _team_handlers() -> None:
    from annotator.cli_team import HANDLERS as TEAM

    HANDLERS.update(TEAM)
    from annotator.cli_suggest import HANDLERS as SUGGEST

    HANDLERS.update(SUGGEST)


_team_handlers()
