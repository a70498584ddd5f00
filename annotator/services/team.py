"""The team: people, their roles, and who leads a store.

    team = TeamService(store, actor="lina")      # lina is a lead
    team.add("mona")                             # an annotator
    team.set_role("omar", Role.REVIEWER)

Only leads add people and change roles; a store always keeps at least one lead. The person who
creates a store (the first to open it with a name) is its first lead: :func:`ensure_first_lead`.

On PostgreSQL each person also gets a database login of their name (team mode,
:mod:`annotator.db.security`), created with them when the connection may create roles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from annotator.core.errors import UserError
from annotator.core.model import PERSON_ROLES, RESERVED_OWNERS, Role, SetKind
from annotator.core.roles import SYSTEM, SYSTEM_ACTOR, Identity, require_lead
from annotator.db.store import Store, UnitOfWork

NAME_LIMIT = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    role: Role
    sets: int        # annotation sets (assigned or opened)
    done: int        # of which done
    login: str | None = None   # PostgreSQL: what became of their database login; SQLite: None


def check_person_name(name: str) -> str:
    """A usable person name: not empty, not reserved, no control characters, at most 100."""
    if not isinstance(name, str) or not name.strip():
        raise UserError("a person needs a name")
    name = name.strip()
    if name in RESERVED_OWNERS or name == SYSTEM_ACTOR:
        raise UserError(f"{name!r} is a reserved name (gold, suggestions, system)")
    if _CONTROL.search(name) or "," in name:
        raise UserError(f"{name!r}: a name cannot hold control characters or commas")
    if len(name) > NAME_LIMIT:
        raise UserError(f"a name has at most {NAME_LIMIT} characters")
    return name


def parse_role(value: str) -> Role:
    try:
        role = Role(value)
    except ValueError:
        role = None
    if role not in PERSON_ROLES:
        names = ", ".join(r.value for r in PERSON_ROLES)
        raise UserError(f"unknown role {value!r}; one of: {names}")
    assert role is not None
    return role


def identity(uow: UnitOfWork, name: str) -> Identity:
    """``name`` with the role the store gives them (annotator if not in the store yet)."""
    if name == SYSTEM_ACTOR:
        return SYSTEM
    return Identity(name, uow.annotators.role_of(name) or Role.ANNOTATOR)


def ensure_first_lead(store: Store, actor: str) -> bool:
    """Make ``actor`` the store's lead if it has none yet (a new store, or one made before roles
    existed); returns True when it did. ``system`` never becomes a lead."""
    if actor == SYSTEM_ACTOR or actor in RESERVED_OWNERS:
        return False
    with store.unit_of_work(actor=actor, write=False) as uow:   # the usual case: a lead exists
        if uow.annotators.count_with_role(Role.LEAD):
            return False
    with store.unit_of_work(actor=actor) as uow:
        uow.lock("annotator.team")
        if uow.annotators.count_with_role(Role.LEAD):
            return False
        before = uow.annotators.role_of(actor)
        if before is None:
            uow.annotators.ensure(actor, Role.LEAD)
        else:
            uow.annotators.set_role(actor, Role.LEAD)
        login = database_login(uow, actor)
        uow.record("role", "annotator", before=None if before is None else {"role": str(before)},
                   after={"name": actor, "role": "lead", "why": "first lead of the store",
                          **_login_note(login)})
    return True


# -- team mode on PostgreSQL: a database login per person ---------------------------------------


def database_login(uow: UnitOfWork, name: str, *, password: str | None = None) -> str | None:
    """On PostgreSQL, what became of the person's database login: created if missing and the
    connection may create roles (:func:`annotator.db.security.ensure_login`), or why not (a
    ``password`` asked for makes that an error); None on SQLite."""
    if uow.connection.dialect.name != "postgresql":
        if password is not None:
            raise UserError("a password is for a database login, and only PostgreSQL has them "
                            "(SQLite trusts --user)")
        return None
    from annotator.db.security import ensure_login

    try:
        return str(ensure_login(uow.connection, name, password=password))
    except UserError as exc:
        if password is not None:
            raise
        return f"not created: {exc}"


def _login_note(login: str | None) -> dict[str, str]:
    return {} if login is None else {"login": login}


class TeamService:
    def __init__(self, store: Store, *, actor: str) -> None:
        self.store = store
        self.actor = actor

    def members(self) -> list[Member]:
        """Every person of the store (not gold, suggestions or system), by name."""
        with self.store.unit_of_work(actor=self.actor, write=False) as uow:
            people = [(n, Role(r)) for n, r in uow.annotators.names() if r != Role.SYSTEM]
            counts = uow.sets.counts_by_owner(SetKind.ANNOTATION)
        return [Member(name, role, counts.get(name, (0, 0))[0], counts.get(name, (0, 0))[1])
                for name, role in people]

    def add(self, name: str, role: Role | str = Role.ANNOTATOR, *,
            password: str | None = None) -> Member:
        """Add a person (leads only); on PostgreSQL with their database login (``password``:
        its password, none by default)."""
        name = check_person_name(name)
        role = parse_role(str(role))
        with self.store.unit_of_work(actor=self.actor) as uow:
            require_lead(identity(uow, self.actor), "add people")
            if uow.annotators.role_of(name) is not None:
                raise UserError(f"{name!r} is already in the team (annotator team role {name} "
                                "ROLE changes the role)")
            uow.annotators.ensure(name, role)
            login = database_login(uow, name, password=password)
            uow.record("add", "annotator", after={"name": name, "role": str(role),
                                                  **_login_note(login)})
        return Member(name, role, 0, 0, login)

    def set_role(self, name: str, role: Role | str) -> tuple[Role, Role]:
        """Change a person's role (leads only); the last lead cannot stop being one."""
        role = parse_role(str(role))
        with self.store.unit_of_work(actor=self.actor) as uow:
            require_lead(identity(uow, self.actor), "change roles")
            uow.lock("annotator.team")
            before = uow.annotators.role_of(name)
            if before is None or before == Role.SYSTEM:
                raise UserError(f"{name!r} is not in the team (annotator team add {name})")
            if before == role:
                return before, role
            if before == Role.LEAD and uow.annotators.count_with_role(Role.LEAD) == 1:
                raise UserError(f"{name!r} is the store's only lead; make someone else lead first")
            uow.annotators.set_role(name, role)
            # the database reads the role from this table: only the login may be missing
            login = database_login(uow, name)
            uow.record("role", "annotator", before={"name": name, "role": str(before)},
                       after={"name": name, "role": str(role), **_login_note(login)})
        return before, role


