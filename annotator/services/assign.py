"""Assigning work: each chosen document gets a number of annotators, balanced and reproducible.

    report = assign(store, actor="lina", people=["mona", "omar", "sara"], per_doc=2, seed=7)

For each document (in external-id order) that has fewer than ``per_doc`` annotators (anyone who
already has an annotation set of it counts), the missing ones are the people who do not have it
yet, fewest documents first (their sets among the chosen documents, this run's included); ties go
by a seeded random order, drawn anew for each document, so the same seed on the same store gives
the same assignment. Every set is created ``todo`` in one transaction, journaled as ``assign``.
Only leads assign work.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from annotator.core.doc_query import DocQuery
from annotator.core.errors import UserError
from annotator.core.model import SetKind
from annotator.core.roles import require_lead
from annotator.db.store import Store
from annotator.services.team import identity


@dataclass
class AssignReport:
    documents: int = 0                                   # documents chosen
    assigned: list[tuple[str, str]] = field(default_factory=list)   # (external id, person)
    complete: int = 0                                    # chosen documents that had enough
    short: list[str] = field(default_factory=list)       # documents that could not get enough
    per_person: dict[str, int] = field(default_factory=dict)         # new sets per person


def assign(store: Store, *, actor: str, people: Sequence[str], per_doc: int,
           docs: str | None = None, seed: int = 0) -> AssignReport:
    names = list(dict.fromkeys(p.strip() for p in people if p.strip()))
    if not names:
        raise UserError("--to needs one or more names")
    if per_doc < 1:
        raise UserError("--per-doc must be 1 or more")
    if per_doc > len(names):
        raise UserError(f"--per-doc {per_doc} needs at least {per_doc} people in --to, not "
                        f"{len(names)}")
    query = DocQuery.parse(docs)
    rng = random.Random(seed)
    report = AssignReport(per_person={n: 0 for n in names})
    try:
        with store.unit_of_work(actor=actor) as uow:
            require_lead(identity(uow, actor), "assign work")
            unknown = [n for n in names if uow.annotators.role_of(n) in (None, "system")]
            if unknown:
                raise UserError(f"not in the team: {', '.join(unknown[:5])} (annotator team add "
                                "NAME)")
            chosen = [(i, ext) for i, ext, title in uow.documents.index()
                      if query.matches(ext, title)]
            if not chosen:
                raise UserError(f"--docs {docs!r} chooses no document" if docs else
                                "the store has no document")
            report.documents = len(chosen)
            owners: dict[int, set[str]] = {i: set() for i, _ in chosen}
            for header in uow.sets.headers([i for i, _ in chosen]):
                if header.kind == SetKind.ANNOTATION:
                    owners[header.document_id].add(header.owner)
            load = Counter({n: 0 for n in names})
            for have in owners.values():
                load.update(n for n in have if n in load)
            for document_id, external_id in chosen:
                have = owners[document_id]
                need = per_doc - len(have)
                order = {n: rng.random() for n in names}
                if need <= 0:
                    report.complete += 1
                    continue
                free = sorted((n for n in names if n not in have),
                              key=lambda n: (load[n], order[n]))
                if len(free) < need:
                    report.short.append(external_id)
                for name in free[:need]:
                    owner_id = uow.annotators.ensure(name)
                    set_id = uow.sets.create(document_id, owner_id, SetKind.ANNOTATION)
                    uow.record("assign", "annotation_set", entity_id=set_id,
                               document_id=document_id, set_id=set_id,
                               after={"owner": name, "kind": "annotation", "status": "todo",
                                      "seed": seed})
                    load[name] += 1
                    report.per_person[name] += 1
                    report.assigned.append((external_id, name))
    except IntegrityError:
        raise UserError("another assignment or annotator created sets of these documents at the "
                        "same time; nothing was assigned, run the command again") from None
    return report
