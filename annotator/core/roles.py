"""Who may do what: the rules every service applies (DESIGN section 4, invariant 4).

- **annotator**: reads and writes only their own annotation sets (blind annotation: never another
  annotator's set, never gold); reads the suggestions.
- **reviewer**: reads every set; writes gold (adjudication).
- **lead**: everything a reviewer does, plus assigning work, managing the team (adding people,
  changing roles) and importing sets owned by others.
- **system**: internal jobs (seeding, suggestions, tests) and the reserved owners.

On the embedded SQLite store the name comes from ``--user`` and is trusted; PostgreSQL team mode
adds database roles on top of these rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.core.errors import UserError
from annotator.core.model import Role, SetKind

SYSTEM_ACTOR = "system"
REVIEWERS = frozenset({Role.REVIEWER, Role.LEAD, Role.SYSTEM})
LEADS = frozenset({Role.LEAD, Role.SYSTEM})


class PermissionDenied(UserError):
    """A user asked for something their role does not allow."""


@dataclass(frozen=True, slots=True)
class Identity:
    """A person (or the system) acting on the store, with their role."""

    name: str
    role: Role

    @property
    def reviews(self) -> bool:
        return self.role in REVIEWERS

    @property
    def leads(self) -> bool:
        return self.role in LEADS

    def describe(self) -> str:
        return f"{self.name!r} ({self.role.value})"


SYSTEM = Identity(SYSTEM_ACTOR, Role.SYSTEM)


def may_read(who: Identity, *, owner: str, kind: SetKind) -> bool:
    """Blind annotation: an annotator reads their own sets and the suggestions, nothing else."""
    if who.reviews:
        return True
    if kind == SetKind.ANNOTATION:
        return owner == who.name
    return kind == SetKind.SUGGESTIONS


def may_annotate(who: Identity, *, owner: str, kind: SetKind) -> bool:
    """Edit a set span by span (the window, adjudication): one's own set, or gold for reviewers."""
    if kind == SetKind.ANNOTATION:
        return owner == who.name
    if kind == SetKind.GOLD:
        return who.reviews
    return who.role == Role.SYSTEM


def may_import(who: Identity, *, owner: str, kind: SetKind) -> bool:
    """Write a whole set from a file: one's own; gold for reviewers; anyone's for leads."""
    if who.leads:
        return True
    if kind == SetKind.GOLD:
        return who.reviews
    return kind == SetKind.ANNOTATION and owner == who.name


def require_read(who: Identity, *, owner: str, kind: SetKind) -> None:
    if not may_read(who, owner=owner, kind=kind):
        what = "gold" if kind == SetKind.GOLD else f"{owner!r}'s set"
        raise PermissionDenied(f"{who.describe()} cannot read {what}: annotation is blind; "
                               "reviewers and leads see every set")


def require_annotate(who: Identity, *, owner: str, kind: SetKind) -> None:
    if may_annotate(who, owner=owner, kind=kind):
        return
    if kind == SetKind.GOLD:
        raise PermissionDenied(f"{who.describe()} cannot write gold: only reviewers and leads "
                               "adjudicate")
    what = "the suggestions" if kind == SetKind.SUGGESTIONS else f"{owner!r}'s set"
    raise PermissionDenied(f"{who.describe()} cannot change {what}; everyone changes only "
                           "their own sets")


def require_import(who: Identity, *, owner: str, kind: SetKind) -> None:
    if may_import(who, owner=owner, kind=kind):
        return
    if kind == SetKind.GOLD:
        raise PermissionDenied(f"{who.describe()} cannot import gold: only reviewers and leads "
                               "write gold")
    raise PermissionDenied(f"{who.describe()} cannot import a set owned by {owner!r}: only leads "
                           "import sets owned by others")


def require_review(who: Identity, action: str = "adjudicate") -> None:
    if not who.reviews:
        raise PermissionDenied(f"{who.describe()} cannot {action}: only reviewers and leads can "
                               "(a lead runs: annotator team role NAME reviewer)")


def require_lead(who: Identity, action: str) -> None:
    if not who.leads:
        raise PermissionDenied(f"{who.describe()} cannot {action}: only leads can")
