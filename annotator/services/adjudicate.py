"""Adjudication from the command line: build gold from what the annotators agree on.

One transaction per document (through :class:`~annotator.services.review.ReviewService`), so
an interrupted run keeps the documents it finished; the rest is left for review in the window.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.core.adjudication import State
from annotator.core.doc_query import DocQuery
from annotator.core.model import SetKind
from annotator.core.roles import require_review
from annotator.db.store import Store
from annotator.services.project import project_schema
from annotator.services.review import ReviewService
from annotator.services.team import identity


@dataclass(frozen=True, slots=True)
class DocumentResult:
    external_id: str
    accepted: int
    relations: int
    left: int           # open candidates after the run


@dataclass
class AdjudicateReport:
    documents: list[DocumentResult] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return sum(d.accepted for d in self.documents)

    @property
    def relations(self) -> int:
        return sum(d.relations for d in self.documents)

    @property
    def left(self) -> int:
        return sum(d.left for d in self.documents)


def auto_adjudicate(store: Store, *, actor: str, docs: str | None = None,
                    min_agree: int | None = None) -> AdjudicateReport:
    """Accept, in each chosen document with annotators' sets, the open candidates that every
    annotator (or at least ``min_agree``) shares; see ReviewService.accept_unanimous."""
    query = DocQuery.parse(docs)
    with store.unit_of_work(actor=actor, write=False) as uow:
        require_review(identity(uow, actor), "adjudicate")
        chosen = {i: ext for i, ext, title in uow.documents.index() if query.matches(ext, title)}
        document_ids = [i for i in uow.sets.documents_with_sets(SetKind.ANNOTATION) if i in chosen]
    service = ReviewService(store, project_schema(store), reviewer=actor)
    report = AdjudicateReport()
    for document_id in sorted(document_ids, key=lambda i: chosen[i]):
        opened = service.open(document_id)
        change = service.accept_unanimous(opened, opened.gold_state(), min_agree=min_agree)
        after = service.open(document_id)
        left = sum(1 for s in after.states() if s == State.OPEN)
        report.documents.append(DocumentResult(chosen[document_id], len(change.put),
                                               len(change.linked), left))
    return report
