"""The suggest command of the CLI: write the suggestions sets, or show how the suggesters fare."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

EXAMPLES = """examples:
  annotator --user lina suggest                          every document, every suggester
  annotator --user lina suggest --docs 'sn_*' --only quotes,cues,speakers
  annotator --user rana suggest --stats                  how annotators took each suggester's
  annotator --user rana suggest --stats --json           proposals (reviewers and leads)

Writes the reserved `suggestions` set of each chosen document (one transaction per document,
journaled; a document whose suggestions did not change is not written); the annotators' and
gold sets are never touched. Suggesters: quotes, cues, speakers, places, propagate (the names
labeled in the project's annotation and gold sets, found again). Reviewers and leads run it;
annotators see suggestions in the window (computed when a document opens, from their own work).
--docs: external ids or shell patterns (sn_*), or title:WORDS, separated by commas.
--stats: per suggester, proposals accepted as they were, accepted then fixed, rejected (x), and
ignored (in the stored suggestions of a set marked done, neither accepted nor rejected).
"""


def add_commands(sub: Any) -> None:
    p = sub.add_parser("suggest", help="Write the suggestions sets (reviewers, leads).",
                       description="Write the suggestions sets (reviewers, leads).",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", metavar="QUERY", help="which documents (default: all)")
    p.add_argument("--only", metavar="S1,S2",
                   help="run only these suggesters: quotes, cues, speakers, places, propagate")
    p.add_argument("--stats", action="store_true",
                   help="write nothing; print how each suggester's proposals were taken")
    p.add_argument("--json", action="store_true", help="with --stats: print JSON")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary")


def cmd_suggest(args: argparse.Namespace) -> int:
    from annotator.cli import _actor, _open_store, _plural
    from annotator.core.errors import UserError

    if args.stats:
        if args.only:
            raise UserError("--only chooses suggesters to run; --stats runs none")
        return _stats(args, _open_store(args), _actor(args))
    if args.json:
        raise UserError("--json goes with --stats")
    from annotator.services.suggesting import suggest_documents

    report = suggest_documents(_open_store(args), actor=_actor(args), docs=args.docs,
                               only=args.only)
    if not args.quiet:
        for row in report.documents:
            parts = ", ".join(f"{name} {n}" for name, n in row.by_suggester.items()) or "none"
            print(f"{row.external_id}: {_plural(row.spans, 'span')}, "
                  f"{_plural(row.relations, 'relation')} ({parts})"
                  + ("" if row.written else ", unchanged"))
    print(f"suggestions: {_plural(report.spans, 'span')} and "
          f"{_plural(report.relations, 'relation')} in {_plural(len(report.documents), 'document')}"
          f"; {report.written} written, {len(report.documents) - report.written} unchanged")
    return 0


def _stats(args: argparse.Namespace, store: Any, actor: str) -> int:
    from annotator.cli import _plural
    from annotator.services.suggesting import suggestion_stats

    stats = suggestion_stats(store, actor=actor, docs=args.docs)
    if args.json:
        print(json.dumps(stats.to_json(), ensure_ascii=False, indent=2))
        return 0
    print(f"{_plural(stats.sets, 'annotation set')} of {_plural(stats.documents, 'document')}")
    if not stats.rows:
        print("no suggestion has been accepted or rejected yet")
        return 0
    header = ("suggester", "accepted", "fixed", "rejected", "ignored", "taken")
    rows = [(r.suggester, str(r.accepted), str(r.fixed), str(r.rejected), str(r.ignored),
             "-" if r.acceptance is None else f"{r.acceptance:.1%}")
            for r in [*stats.rows, stats.total]]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                        for i, (cell, w) in enumerate(zip(row, widths))))
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"suggest": cmd_suggest}
