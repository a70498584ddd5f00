"""Removing documents (``annotator docs rm DOC...``): every document named, with its sets, in one
transaction, journaled; or none of them.

A document some set has spans on is removed only with ``force``: annotations are work, and the
error says how much of it there is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from annotator.core.errors import UserError
from annotator.core.label_map import name_list
from annotator.db.store import Store


@dataclass(frozen=True, slots=True)
class RemovedDocuments:
    documents: tuple[str, ...]
    sets: int
    spans: int
    batch: str


def remove_documents(store: Store, external_ids: Sequence[str], *, actor: str = "system",
                     force: bool = False) -> RemovedDocuments:
    """Remove the documents ``external_ids`` (ids as ``annotator docs`` lists them)."""
    wanted = list(dict.fromkeys(external_ids))
    if not wanted:
        raise UserError("name one or more documents (annotator docs lists their ids)")
    with store.unit_of_work(actor=actor) as uow:
        found = uow.bulk.documents_by_external_id(wanted)
        missing = [d for d in wanted if d not in found]
        if missing:
            raise UserError(f"no document {name_list(missing)} in the store (annotator docs lists "
                            "the ids); nothing was removed")
        contents = uow.bulk.set_contents(found.values())
        annotated = {ext: sum(spans for *_, spans, _ in contents.get(i, []))
                     for ext, i in found.items()}
        annotated = {ext: n for ext, n in annotated.items() if n}
        if annotated and not force:
            shown = [f"{ext} ({n:,} span{'s' if n != 1 else ''})" for ext, n in annotated.items()]
            raise UserError(f"{name_list(shown)} {'have' if len(shown) > 1 else 'has'} "
                            "annotations; --force removes them with the document; nothing was "
                            "removed")
        titles = uow.bulk.existing_documents(found.values())
        for ext, doc_id in found.items():
            uow.record("delete", "document", entity_id=doc_id, document_id=doc_id,
                       before={"external_id": ext, "title": titles[doc_id][1],
                               "sets": [{"owner": o, "kind": k, "status": s, "spans": n,
                                         "relations": r}
                                        for o, k, s, n, r in contents.get(doc_id, [])]})
        uow.bulk.delete_documents(found.values())
        batch = uow.batch
    return RemovedDocuments(documents=tuple(wanted),
                            sets=sum(len(contents.get(i, [])) for i in found.values()),
                            spans=sum(n for _, _, _, n, _ in
                                      (c for i in found.values() for c in contents.get(i, []))),
                            batch=batch)
