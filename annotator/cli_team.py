"""The team commands of the CLI: team, assign, agreement, adjudicate (parsers and handlers)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable

EXAMPLES = {
    "team": """examples:
  annotator team list
  annotator --user lina team add mona                  lina (a lead) adds an annotator
  annotator --user lina team add rana --role reviewer
  annotator --user lina team role omar lead

Roles: annotator (annotates their own sets; blind: never sees another's set or gold), reviewer
(sees every set, adjudicates into gold), lead (also assigns work, manages the team, imports sets
owned by others). Whoever creates a store is its first lead. On the embedded SQLite store the
name comes from --user (or $ANNOTATOR_USER, or the login name) and is trusted as given.
""",
    "assign": """examples:
  annotator --user lina assign --to mona,omar,sara --per-doc 2 --seed 7
  annotator --user lina assign --to mona,omar --per-doc 2 --docs 'sn_*,title:موسكو'

Each chosen document gets --per-doc annotators (those who already have it count): the people of
--to with the fewest documents first, ties in a random order drawn from --seed, so the same
command on the same store assigns the same way. Creates their todo sets in one transaction.
--docs: external ids or shell patterns (sn_*), or title:WORDS, separated by commas.
""",
    "adjudicate": """examples:
  annotator --user rana adjudicate --auto-unanimous
  annotator --user rana adjudicate --auto-unanimous --min-agree 2 --docs 'sn_*'

Builds gold from the candidates (start, end, label) that every annotator of a document shares
(or, with --min-agree K, that at least K share and no competing candidate matches in number),
with the relations everyone agrees on; one transaction per document, journaled, with provenance.
The rest is left for review in the window (annotator gui --review).
""",
}


def add_commands(sub: Any) -> None:
    def command(name: str, help_text: str, epilog: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, epilog=epilog,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("team", "People of the store and their roles.", EXAMPLES["team"])
    actions = p.add_subparsers(dest="team_action", metavar="ACTION", required=True)
    actions.add_parser("list", help="everyone, with role and sets")
    q = actions.add_parser("add", help="add a person (leads; on PostgreSQL with a login)")
    q.add_argument("name")
    q.add_argument("--role", default="annotator", choices=["annotator", "reviewer", "lead"])
    q.add_argument("--password", action="store_true",
                   help="PostgreSQL: give their database login a password (asked for, or read "
                        "from standard input when it is not a terminal)")
    q = actions.add_parser("role", help="change a person's role (leads)")
    q.add_argument("name")
    q.add_argument("role", choices=["annotator", "reviewer", "lead"])

    p = command("assign", "Give documents to annotators (leads).", EXAMPLES["assign"])
    p.add_argument("--to", required=True, metavar="NAME1,NAME2", type=_names,
                   help="the people to assign documents to")
    p.add_argument("--per-doc", type=int, default=1, metavar="N",
                   help="annotators each document should have (default 1)")
    p.add_argument("--docs", metavar="QUERY", help="which documents (default: all)")
    p.add_argument("--seed", type=int, default=0, help="seed of the tie-breaking order")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary")

    from annotator.core.agreement_definitions import DEFINITIONS

    p = command("agreement", "Agreement between annotators (reviewers and leads).",
                "examples:\n"
                "  annotator --user rana agreement\n"
                "  annotator --user rana agreement --annotators mona,omar --labels actor,quote\n"
                "  annotator --user rana agreement --status done --ci --json > agreement.json\n"
                "  annotator --user rana agreement --against gold --out report.xlsx "
                "--plot heatmap.png\n\n" + DEFINITIONS)
    p.add_argument("--annotators", type=_names, metavar="A,B,...",
                   help="compare these annotators (default: everyone with a set)")
    p.add_argument("--labels", type=_names, metavar="L1,L2", help="only these labels")
    p.add_argument("--docs", metavar="QUERY", help="which documents (default: all)")
    p.add_argument("--status", choices=["any", "done"], default="any",
                   help="done: count only sets marked done")
    p.add_argument("--against", choices=["gold"], help="also each annotator against gold")
    p.add_argument("--ci", action="store_true",
                   help="95%% intervals by bootstrap over documents (1,000 resamples)")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap (default 0)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--out", type=Path, metavar="report.xlsx", help="write an Excel report")
    p.add_argument("--plot", type=Path, metavar="heatmap.png",
                   help="write a PNG: annotator x annotator heat map and per-label bars")
    p.add_argument("--metric", default="kappa_char",
                   choices=["kappa_char", "kappa_token", "span_f1_exact", "span_f1_overlap",
                            "relation_f1"],
                   help="the figure of the heat map (default kappa_char)")

    p = command("adjudicate", "Build gold from what annotators agree on (reviewers, leads).",
                EXAMPLES["adjudicate"])
    p.add_argument("--auto-unanimous", action="store_true", required=True,
                   help="accept the candidates every annotator shares")
    p.add_argument("--min-agree", type=int, metavar="K",
                   help="accept candidates at least K annotators share")
    p.add_argument("--docs", metavar="QUERY", help="which documents (default: all)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the summary")


def _names(value: str) -> list[str]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give one or more names, separated by commas")
    return names


def _common() -> tuple[Callable[[argparse.Namespace], str], Callable[[argparse.Namespace], Any]]:
    from annotator.cli import _actor, _open_store

    return _actor, _open_store


def cmd_team(args: argparse.Namespace) -> int:
    from annotator.services.team import TeamService

    actor, open_store = _common()
    team = TeamService(open_store(args), actor=actor(args))
    if args.team_action == "add":
        password = _read_password(args.name) if args.password else None
        member = team.add(args.name, args.role, password=password)
        print(f"added {member.name} ({member.role})")
        if member.login is not None:
            print(f"database login {member.name}: {member.login}")
    elif args.team_action == "role":
        before, after = team.set_role(args.name, args.role)
        print(f"{args.name}: {before} -> {after}" if before != after
              else f"{args.name} is already {after}")
    members = team.members() if args.team_action == "list" else []
    if members:
        width = max(len(m.name) for m in members)
        print(f"{'name':<{width}}  {'role':<9}  sets  done")
        for m in members:
            print(f"{m.name:<{width}}  {m.role.value:<9}  {m.sets:>4}  {m.done:>4}")
    elif args.team_action == "list":
        print("nobody yet: annotator team add NAME")
    return 0


def _read_password(name: str) -> str:
    """A password from the terminal (typed twice, not shown), or one line of standard input."""
    from annotator.core.errors import UserError

    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(f"password for {name}: ")
        if getpass.getpass("again: ") != first:
            raise UserError("the two passwords differ; nothing was changed")
        return first
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise UserError("--password: standard input holds no password")
    return line


def cmd_assign(args: argparse.Namespace) -> int:
    from annotator.services.assign import assign

    actor, open_store = _common()
    report = assign(open_store(args), actor=actor(args), people=args.to, per_doc=args.per_doc,
                    docs=args.docs, seed=args.seed)
    if not args.quiet:
        for external_id, name in report.assigned:
            print(f"{external_id}  {name}")
    people = ", ".join(f"{name} +{n}" for name, n in report.per_person.items())
    print(f"assigned {len(report.assigned)} sets over {report.documents} documents ({people}); "
          f"{report.complete} already had {args.per_doc} annotators"
          + (f"; {len(report.short)} could not get {args.per_doc} (too few people left)"
             if report.short else ""))
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from annotator.services.agreement import agreement

    actor, open_store = _common()
    report = agreement(open_store(args), actor=actor(args), annotators=args.annotators,
                       labels=args.labels, docs=args.docs, done_only=args.status == "done",
                       against_gold=args.against == "gold", ci=args.ci, seed=args.seed)
    data = report.to_json()
    if args.out is not None:
        from annotator.exports.agreement_report import save_agreement_xlsx

        save_agreement_xlsx(report, args.out)
    if args.plot is not None:
        from annotator.ui.charts import save_plot

        save_plot(report, args.plot, metric=args.metric)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print_agreement(data)
    for path in (args.out, args.plot):
        if path is not None:
            print(f"wrote {path}", file=sys.stderr if args.json else sys.stdout)
    if not data.get("documents"):
        print("annotator: no document has a set of every annotator compared; choose them with "
              "--annotators A,B (or assign work: annotator assign)", file=sys.stderr)
    return 0


FIGURES = (("span_f1_exact", "F1 exact"), ("span_f1_overlap", "F1 overlap"),
           ("kappa_char", "κ char"), ("kappa_token", "κ token"), ("relation_f1", "rel. F1"))
GROUP = (("fleiss_kappa_char", "Fleiss κ (char)"),
         ("alpha_nominal_char", "Krippendorff α (nominal, char)"),
         ("alpha_unitizing", "Krippendorff αu (unitizing)"))


def _figure(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    text = "-" if value is None else f"{value:.3f}"
    ci = obj.get(f"{key}_ci")
    if ci and ci[0] is not None:
        text += f" [{ci[0]:.3f}, {ci[1]:.3f}]"
    return text


def print_agreement(data: dict[str, Any]) -> None:
    print(f"documents:  {data['documents']}")
    print(f"annotators: {', '.join(data['annotators']) or '-'}")
    print(f"labels:     {', '.join(data['labels']) or '-'}")
    rows = [(f"{p['a']} - {p['b']}", [_figure(p, k) for k, _ in FIGURES]) for p in data["pairs"]]
    rows.append(("overall (mean of pairs)", [_figure(data["overall"], k) for k, _ in FIGURES]))
    for label, figures in data["per_label"].items():
        rows.append((f"  {label}", [_figure(figures, k) for k, _ in FIGURES]))
    first = max(len(r[0]) for r in rows + [("pair", [])])
    widths = [max(len(name), *(len(r[1][i]) for r in rows)) for i, (_, name) in enumerate(FIGURES)]
    print()
    print(f"{'pair':<{first}}  " + "  ".join(f"{name:>{w}}" for (_, name), w in
                                             zip(FIGURES, widths)))
    for name, values in rows:
        print(f"{name:<{first}}  " + "  ".join(f"{v:>{w}}" for v, w in zip(values, widths)))
    print()
    for key, name in GROUP:
        print(f"{name}: {_figure(data['overall'], key)}")
    for label, figures in data["per_label"].items():
        if figures.get("alpha_unitizing") is not None:
            print(f"  αu {label}: {_figure(figures, 'alpha_unitizing')}")
    if "against_gold" in data:
        print()
        print("against gold    precision  recall  F1")
        for row in data["against_gold"]:
            print(f"  {row['annotator']:<14}{_figure(row, 'precision'):>9}  "
                  f"{_figure(row, 'recall'):>6}  {_figure(row, 'f1')}")


def cmd_adjudicate(args: argparse.Namespace) -> int:
    from annotator.services.adjudicate import auto_adjudicate

    actor, open_store = _common()
    report = auto_adjudicate(open_store(args), actor=actor(args), docs=args.docs,
                             min_agree=args.min_agree)
    if not args.quiet:
        for row in report.documents:
            print(f"{row.external_id}: {row.accepted} accepted, {row.relations} relations, "
                  f"{row.left} left for review")
    print(f"gold: {report.accepted} spans and {report.relations} relations accepted in "
          f"{len(report.documents)} documents; {report.left} candidates left for review "
          "(annotator gui --review)")
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "team": cmd_team, "assign": cmd_assign, "agreement": cmd_agreement,
    "adjudicate": cmd_adjudicate,
}
