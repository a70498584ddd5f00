"""The agreement use case: read the annotators' sets (and gold) and compute the figures.

Reviewers and leads only (agreement reads every annotator's set). The figures and their
definitions are in :mod:`annotator.core.agreement`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from annotator.core.doc_query import DocQuery
from annotator.core.model import AnnotationSet, SetKind, SetStatus
from annotator.core.roles import require_review
from annotator.db.repositories import SetFilter
from annotator.db.store import Store
from annotator.services.team import identity

if TYPE_CHECKING:
    from annotator.core.agreement import AgreementReport, DocumentSets

PAGE = 200


def load_document_sets(store: Store, *, actor: str, docs: str | None = None,
                       done_only: bool = False, with_gold: bool = False) -> list[DocumentSets]:
    """Each chosen document with two or more annotators' sets (only done sets with
    ``done_only``), and its gold set when ``with_gold``; by external id."""
    from annotator.core.agreement import DocumentSets

    query = DocQuery.parse(docs)
    with store.unit_of_work(actor=actor, write=False) as uow:
        require_review(identity(uow, actor), "compute agreement")
        index = {i: ext for i, ext, title in uow.documents.index() if query.matches(ext, title)}
        with_sets = [i for i in uow.sets.documents_with_sets(SetKind.ANNOTATION) if i in index]
        found: list[DocumentSets] = []
        for start in range(0, len(with_sets), PAGE):
            page = uow.documents.many(with_sets[start:start + PAGE])
            texts = {i: d.text for i, d in page.items()}
            sets: dict[int, dict[str, AnnotationSet]] = {i: {} for i in texts}
            gold: dict[int, AnnotationSet] = {}
            for aset in uow.sets.for_documents(texts, SetFilter()):
                if aset.kind == SetKind.ANNOTATION:
                    if not done_only or aset.status == SetStatus.DONE:
                        sets[aset.document_id][aset.owner] = aset
                elif aset.kind == SetKind.GOLD and with_gold:
                    gold[aset.document_id] = aset
            found.extend(DocumentSets(page[i].external_id, page[i].text, sets[i], gold.get(i))
                         for i in sorted(texts) if sets[i])
    return sorted(found, key=lambda d: d.doc_id)


def agreement(store: Store, *, actor: str, annotators: Sequence[str] | None = None,
              labels: Sequence[str] | None = None, docs: str | None = None,
              done_only: bool = False, against_gold: bool = False, ci: bool = False,
              seed: int = 0) -> AgreementReport:
    """The agreement figures over the chosen documents (see annotator.core.agreement)."""
    from annotator.core.agreement import compute_agreement

    found = load_document_sets(store, actor=actor, docs=docs, done_only=done_only,
                               with_gold=against_gold)
    return compute_agreement(found, annotators=annotators, labels=labels,
                             against_gold=against_gold, ci=ci, seed=seed)
