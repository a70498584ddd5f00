"""The ``annotator db`` command: migrate the store, print its revision, put it in team mode
(row-level security and logins on PostgreSQL), back it up, restore it, check its integrity."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.config import resolve_db_url
from annotator.core.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy import Engine


def add_db_command(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """``db``, made with the CLI's ``command(name, help)``."""
    p = command("db", "Database maintenance.")
    p.add_argument("action", choices=["upgrade", "current", "secure", "backup", "restore",
                                      "check"],
                   help="upgrade: migrate; current: print the revision; secure: team mode on "
                        "PostgreSQL (row-level security and logins); backup PATH; restore PATH "
                        "(into a new, empty store); check: integrity (exit 1 and a list when "
                        "anything is wrong)")
    p.add_argument("path", nargs="?", type=Path, help="backup and restore: the backup")


def cmd_db(args: argparse.Namespace) -> int:
    from annotator.db.engine import HEAD_REVISION, current_revision, make_engine, upgrade

    if args.action in ("backup", "restore", "check"):
        return _db_maintenance(args)
    from annotator.cli import _opened

    engine = make_engine(resolve_db_url(args.db))
    _opened.append(engine.dispose)
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


def _db_maintenance(args: argparse.Namespace) -> int:
    from annotator.services.maintenance import backup, check, restore

    if args.action in ("backup", "restore") and args.path is None:
        raise UserError(f"db {args.action} needs a PATH (the backup)")
    from annotator.cli import _actor, _open_store, _plural

    store = _open_store(args)
    if args.action == "check":
        problems = check(store)
        for problem in problems[:200]:
            print(problem)
        if len(problems) > 200:
            print(f"... and {len(problems) - 200} more")
        print(f"{store.url}: {_plural(len(problems), 'problem')}" if problems
              else f"{store.url}: all is well (texts, offsets, labels, relations, journal)")
        return 1 if problems else 0
    report = (backup if args.action == "backup" else restore)(store, args.path,
                                                              actor=_actor(args))
    counts = ", ".join(f"{n} {k}" for k, n in report.counts.items())
    verb = "backed up to" if args.action == "backup" else "restored from"
    print(f"{store.url}: {verb} {report.path} ({counts})")
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


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {"db": cmd_db}
