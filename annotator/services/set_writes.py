"""The annotation service's writes inside one unit of work: the set's first change (todo ->
in progress), checks of spans and relations, and adding, deleting, restoring, rejecting,
dismissing, unlinking, relinking and relating, each journaled. A mixin of
:class:`~annotator.services.annotate.AnnotationService`, whose schema, person and names it uses;
every public method there opens the unit of work these run in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.exc import IntegrityError

from annotator.core.errors import ConflictError, UserError
from annotator.core.model import (
    Decision,
    Origin,
    Provenance,
    Relation,
    SetKind,
    SetStatus,
    Span,
    stored_span,
)
from annotator.core.text import is_grapheme_boundary
from annotator.db.models import utcnow
from annotator.db.repositories import SetInfo, SpanRecord
from annotator.db.store import UnitOfWork
from annotator.services.annotation_changes import (
    DeletedSpan,
    NewRelation,
    NewSpan,
    RejectedSuggestion,
    relation_state,
    set_state,
    span_of_record,
    span_state,
)


class SetWrites:
    """Writes of spans and relations into a set, for :class:`AnnotationService`."""

    def _began(self, uow: UnitOfWork, info: SetInfo, status: SetStatus | None = None) -> None:
        """A change of the set's annotations: todo -> in_progress (journaled), else touch it.

        ``status`` (an undo putting back the state before a first change) sets that status
        instead, in the same transaction as the change it goes with.
        """
        target = status if status is not None else (
            SetStatus.IN_PROGRESS if info.status == SetStatus.TODO else info.status)
        if target != info.status:
            uow.sets.set_status(info.id, target)
            uow.record("status", "annotation_set", entity_id=info.id,
                       document_id=info.document_id, set_id=info.id,
                       before=set_state(info.status, info.active_seconds),
                       after=set_state(target, info.active_seconds))
        else:
            uow.sets.touch(info.id)

    def _check_label(self, label: str) -> None:
        if not isinstance(label, str) or not self.schema.has_label(label):
            names = ", ".join(lb.name for lb in self.schema.labels)
            raise UserError(f"unknown label {label!r}; the schema has: {names}")

    def _check_span(self, text: str, start: int, end: int, label: str,
                    attributes: Mapping[str, Any], note: str) -> None:
        for name, value in (("start", start), ("end", end)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise UserError(f"span {name} must be a whole number, not {value!r}")
        if start >= end:
            raise UserError(f"span {start}-{end} is empty or ends before it starts")
        if start < 0 or end > len(text):
            raise UserError(f"span {start}-{end} is outside the text (0-{len(text)})")
        for offset in (start, end):
            if not is_grapheme_boundary(text, offset):
                raise UserError(f"span {start}-{end} cuts a character at offset {offset} (a "
                                "letter from its harakat, or an emoji sequence)")
        self._check_label(label)
        if not isinstance(attributes, Mapping):
            raise UserError(f"attributes must be a mapping, not {attributes!r}")
        problem = self.schema.check_attributes(label, attributes)
        if problem is not None:
            raise UserError(problem)
        if not isinstance(note, str):
            raise UserError(f"a note must be text, not {note!r}")

    @staticmethod
    def _check_duplicate(uow: UnitOfWork, set_id: int, start: int, end: int, label: str, *,
                         exclude: int | None = None) -> None:
        existing = uow.sets.find_span(set_id, start, end, label, exclude=exclude)
        if existing is not None:
            raise UserError(f"span {start}-{end} is already a {label} (span {existing})")

    def _add(self, uow: UnitOfWork, info: SetInfo, text: str, items: Sequence[NewSpan], *,
             began: bool = True) -> list[Span]:
        drafts: list[Span] = []
        seen: set[tuple[int, int, str]] = set()
        # one span (a user's action): the unique key decides in the insert below (no read
        # before the write); many: which exist is read first, to name them in the refusal
        existing = uow.sets.existing_keys(info.id, [i.key for i in items]) \
            if len(items) > 1 else {}
        for item in items:
            start, end, label = item.start, item.end, item.label
            self._check_span(text, start, end, label, item.attributes, item.note)
            try:
                origin = Origin(item.origin)
            except ValueError:
                names = ", ".join(o.value for o in Origin)
                raise UserError(f"unknown origin {item.origin!r}; one of: {names}") from None
            provenance = item.provenance
            if info.kind == SetKind.GOLD:
                origin = Origin.ADJUDICATED
                provenance = provenance or Provenance(self.annotator, Decision.ADDED)
            if (start, end, label) in seen:
                raise UserError(f"span {start}-{end} {label} is given twice")
            seen.add((start, end, label))
            if (start, end, label) in existing:
                raise UserError(f"span {start}-{end} is already a {label} "
                                f"(span {existing[(start, end, label)]})")
            drafts.append(Span(start=start, end=end, label=label, text=text[start:end],
                               attributes=dict(item.attributes), note=item.note, origin=origin,
                               provenance=provenance, source=item.source))
        now = utcnow()
        try:
            ids = uow.sets.add_spans(info.id, drafts, by=self.annotator, now=now)
        except IntegrityError:   # another writer added one of them just now: the database decides
            raise UserError("already labeled: " + ", ".join(
                f"span {d.start}-{d.end} is already a {d.label}" for d in drafts[:3])
                + (" …" if len(drafts) > 3 else "")) from None
        created = now.isoformat()
        added: list[Span] = []
        for draft, span_id in zip(drafts, ids):   # the rows as written (no need to read them)
            # the journal's state of each (what span_state gives for the row), built directly:
            # label all hits journals a thousand at once
            state: dict[str, Any] = {
                "start": draft.start, "end": draft.end, "label": draft.label,
                "text": draft.text, "attributes": dict(draft.attributes), "note": draft.note,
                "origin": str(draft.origin), "created_at": created}
            if draft.provenance is not None:
                state["provenance"] = draft.provenance.to_json()
            if draft.source is not None:
                state["source"] = dict(draft.source)
            uow.record("add", "span", entity_id=span_id, document_id=info.document_id,
                       set_id=info.id, after=state)
            # the draft was checked: the stored span is it with its id (no second __init__)
            added.append(stored_span(text, draft.start, draft.end, draft.label, span_id,
                                     draft.attributes, draft.note, draft.origin,
                                     draft.provenance, draft.source, 1))
        if began:
            self._began(uow, info)
        return added

    def _delete(self, uow: UnitOfWork, owned: Mapping[int, tuple[SetInfo, str]],
                ids: Sequence[int], *, records: Sequence[SpanRecord] | None = None,
                versions: Mapping[int, int] | None = None) -> list[DeletedSpan]:
        """Delete spans of the ``owned`` sets with their relations (journaled); with
        ``versions``, only if each is still at the version given (else a ConflictError)."""
        if not ids:
            return []
        if records is None:
            records = self._records(uow, ids, versions=versions)
        for record in records:
            if versions is not None and record.id in versions \
                    and versions[record.id] != record.version:
                raise self._conflict(uow, record.id, record)
        for record in records:
            if record.set_id not in owned:
                raise UserError(f"span {record.id} is not in set {next(iter(owned))}")
        relations = uow.sets.relations_of_spans(ids)
        taken: set[int] = set()
        result: list[DeletedSpan] = []
        for record in records:
            info, text = owned[record.set_id]
            mine = tuple(rel for _, rel in relations if rel.id not in taken
                         and record.id in (rel.head, rel.tail))
            taken.update(rel.id for rel in mine if rel.id is not None)
            result.append(DeletedSpan(span_of_record(record, text), record.set_id, mine,
                                      record.created_at, record.updated_at))
        uow.sets.delete_relations([rel.id for _, rel in relations if rel.id is not None])
        if uow.sets.delete_spans(ids, {r.id: r.version for r in records}) < len(ids):
            gone = {r.id for r in uow.sets.span_records(ids)}
            raise self._conflict(uow, next(i for i in ids if i in gone), None)
        for deleted, record in zip(result, records):
            info, text = owned[record.set_id]
            for rel in deleted.relations:
                uow.record("delete", "relation", entity_id=rel.id,
                           document_id=info.document_id, set_id=info.id,
                           before=relation_state(rel))
            uow.record("delete", "span", entity_id=record.id, document_id=info.document_id,
                       set_id=info.id, before=span_state(record, text))
        return result

    def _restore(self, uow: UnitOfWork, owned: Mapping[int, tuple[SetInfo, str]],
                 deleted: Sequence[DeletedSpan]) -> list[Span]:
        """Put back deleted spans of the ``owned`` sets, then their relations (journaled)."""
        if not deleted:
            return []
        for d in deleted:
            if d.set_id not in owned:
                raise UserError(f"span {d.span.id} was not in set {next(iter(owned))}")
        ids = [d.span.id for d in deleted]
        if any(i is None for i in ids) or len(set(ids)) != len(ids):
            raise UserError("only deleted spans with their ids can be restored, each once")
        taken = uow.sets.span_records([i for i in ids if i is not None])
        if taken:
            raise UserError(f"span {taken[0].id} exists already (restored twice, or its id "
                            "was reused); it was not restored")
        records = []
        for d in deleted:
            info, text = owned[d.set_id]
            s = d.span
            if s.end > len(text) or text[s.start:s.end] != s.text:
                raise UserError(f"span {s.id} ({s.start}-{s.end}) does not match the text of "
                                f"document {info.document_id}")
            assert s.id is not None
            records.append(SpanRecord(
                id=s.id, set_id=d.set_id, start=s.start, end=s.end, label=s.label,
                attributes=dict(s.attributes), note=s.note, origin=str(s.origin),
                created_at=d.created_at or utcnow(), updated_at=d.updated_at or utcnow(),
                provenance=s.provenance,
                source=dict(s.source) if s.source is not None else None,
                version=s.version + 1, updated_by=self.annotator))
        relations = [(d.set_id, rel) for d in deleted for rel in d.relations]
        self._check_restorable_relations(uow, relations, restored={
            s_id: d.set_id for s_id, d in zip(ids, deleted) if s_id is not None})
        for record in records:
            other = uow.sets.find_span(record.set_id, record.start, record.end, record.label)
            if other is not None:
                by = uow.sets.last_change_by("span", other)
                raise ConflictError(f"{record.label} {record.start}-{record.end} was labeled "
                                    f"again{f' by {by}' if by else ''} meanwhile (span {other}); "
                                    "nothing was changed")
        try:
            uow.sets.restore_span_records(records)
            for set_id in owned:
                uow.sets.restore_relations(set_id, [r for sid, r in relations if sid == set_id])
        except IntegrityError as exc:
            raise ConflictError(f"cannot restore the spans: another writer changed the set "
                                f"meanwhile ({' '.join(str(exc.orig).split())[:120]})") from exc
        for record in records:
            info, text = owned[record.set_id]
            uow.record("restore", "span", entity_id=record.id, document_id=info.document_id,
                       set_id=info.id, after=span_state(record, text))
        for set_id, rel in relations:
            info, _ = owned[set_id]
            uow.record("restore", "relation", entity_id=rel.id, document_id=info.document_id,
                       set_id=set_id, after=relation_state(rel))
        return [replace(d.span, version=d.span.version + 1) for d in deleted]

    def _reject(self, uow: UnitOfWork, info: SetInfo, text: str,
                keys: Sequence[tuple[int, int, str]], rejecting: bool
                ) -> list[tuple[int, int, str]]:
        """Record (or take back) rejected candidates of gold set ``info`` (journaled)."""
        for start, end, label in keys:
            if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end
                    <= len(text)):
                raise UserError(f"candidate {start}-{end} is outside the text")
            detail = {"start": start, "end": end, "label": label, "text": text[start:end]}
            if rejecting:
                try:  # the unique constraint decides (two reviewers at once)
                    uow.review.add_rejection(info.id, start, end, label, decided_by=self.annotator)
                except IntegrityError:
                    raise UserError(f"candidate {start}-{end} {label} is already rejected") \
                        from None
                uow.record("reject", "candidate", document_id=info.document_id, set_id=info.id,
                           after={**detail, "decided_by": self.annotator})
            else:
                if not uow.review.delete_rejection(info.id, start, end, label):
                    raise UserError(f"candidate {start}-{end} {label} is not rejected")
                uow.record("unreject", "candidate", document_id=info.document_id,
                           set_id=info.id, before=detail)
        return list(keys)

    def _dismiss(self, uow: UnitOfWork, info: SetInfo, text: str,
                 items: Sequence[RejectedSuggestion], rejecting: bool
                 ) -> list[RejectedSuggestion]:
        """Record (or take back) suggestions rejected by the owner of set ``info``
        (journaled: ``reject`` / ``unreject`` of a ``suggestion``)."""
        for item in items:
            start, end, label = item.start, item.end, item.label
            if isinstance(start, bool) or isinstance(end, bool) or not (
                    isinstance(start, int) and isinstance(end, int)
                    and 0 <= start < end <= len(text)):
                raise UserError(f"suggestion {start}-{end} is outside the text")
            detail = {"start": start, "end": end, "label": label, "text": text[start:end],
                      "suggester": item.suggester}
            if rejecting:
                try:  # the unique constraint decides (the same person in two windows)
                    uow.suggestions.add_suggestion_rejection(info.id, start, end, label,
                                                      suggester=item.suggester)
                except IntegrityError:
                    raise UserError(f"suggestion {start}-{end} {label} is already rejected") \
                        from None
                uow.record("reject", "suggestion", document_id=info.document_id,
                           set_id=info.id, after=detail)
            else:
                if not uow.suggestions.delete_suggestion_rejection(info.id, start, end, label):
                    raise UserError(f"suggestion {start}-{end} {label} is not rejected")
                uow.record("unreject", "suggestion", document_id=info.document_id,
                           set_id=info.id, before=detail)
        return list(items)

    def _unlink(self, uow: UnitOfWork, info: SetInfo, relation_ids: Sequence[int]
                ) -> list[Relation]:
        """Delete relations of set ``info`` (journaled); returns them."""
        found: list[Relation] = []
        for relation_id in dict.fromkeys(relation_ids):
            hit = uow.sets.relation(relation_id)
            if hit is None:
                by = uow.sets.last_change_by("relation", relation_id)
                raise ConflictError(f"relation {relation_id} was removed"
                                    f"{f' by {by}' if by else ''} (already deleted?); nothing "
                                    "was changed")
            if hit[0] != info.id:
                raise UserError(f"relation {relation_id} is not in set {info.id}")
            found.append(hit[1])
        uow.sets.delete_relations([r.id for r in found if r.id is not None])
        for relation in found:
            uow.record("delete", "relation", entity_id=relation.id,
                       document_id=info.document_id, set_id=info.id,
                       before=relation_state(relation))
        return found

    def _relink(self, uow: UnitOfWork, info: SetInfo, relations: Sequence[Relation]
                ) -> list[Relation]:
        """Put back deleted relations of set ``info`` with their ids (journaled)."""
        if not relations:
            return []
        if any(r.id is None for r in relations):
            raise UserError("only a deleted relation with its id can be restored")
        self._check_restorable_relations(uow, [(info.id, r) for r in relations], restored={})
        try:
            uow.sets.restore_relations(info.id, relations)
        except IntegrityError as exc:
            raise UserError(f"cannot restore the relations: {exc.orig}") from exc
        for relation in relations:
            uow.record("restore", "relation", entity_id=relation.id,
                       document_id=info.document_id, set_id=info.id,
                       after=relation_state(relation))
        return list(relations)

    def _relate(self, uow: UnitOfWork, info: SetInfo, items: Sequence[NewRelation],
                added: Sequence[Span]) -> list[Relation]:
        """Add relations to set ``info``; ends are span ids or keys of the ``added`` spans."""
        if not items:
            return []
        by_key = {(s.start, s.end, s.label): s for s in added}
        ids = [ref for item in items for ref in (item.head, item.tail) if isinstance(ref, int)]
        stored = {r.id: r for r in uow.sets.span_records(ids)}
        drafts: list[Relation] = []
        seen: set[tuple[str, int, int]] = set()
        for item in items:
            if not self.schema.has_relation(item.type):
                names = ", ".join(r.name for r in self.schema.relations)
                raise UserError(f"unknown relation type {item.type!r}; the schema has: {names}")
            rule = self.schema.relation(item.type)
            ends: list[tuple[int, int, str]] = []   # (id, set id, label)
            for ref in (item.head, item.tail):
                if isinstance(ref, int):
                    record = stored.get(ref)
                    if record is None:
                        raise UserError(f"span {ref} does not exist")
                    ends.append((record.id, record.set_id, record.label))
                else:
                    span = by_key.get(tuple(ref))  # type: ignore[arg-type]
                    if span is None or span.id is None:
                        raise UserError(f"span {ref} is not among the spans added")
                    ends.append((span.id, info.id, span.label))
            (head, head_set, head_label), (tail, tail_set, tail_label) = ends
            if head == tail:
                raise UserError(f"a {item.type} relation needs two different spans, not span "
                                f"{head} twice")
            if head_set != tail_set or head_set != info.id:
                raise UserError(
                    f"a relation links spans of one set: span {head} is in set {head_set}, "
                    f"span {tail} in set {tail_set}, the relation would be in set {info.id}")
            for end_name, span_id, label, wanted in (("head", head, head_label, rule.head),
                                                     ("tail", tail, tail_label, rule.tail)):
                if label != wanted:
                    raise UserError(f"the {end_name} of a {item.type} relation must be a {wanted} "
                                    f"span; span {span_id} is a {label}")
            existing = uow.sets.find_relation(info.id, item.type, head, tail)
            if existing is not None or (item.type, head, tail) in seen:
                raise UserError(f"span {head} is already linked to span {tail} by {item.type}"
                                + (f" (relation {existing})" if existing is not None else ""))
            seen.add((item.type, head, tail))
            drafts.append(Relation(item.type, head, tail))
        ids_added = uow.sets.add_relations(info.id, drafts)
        result = [replace(r, id=i) for r, i in zip(drafts, ids_added)]
        for relation in result:
            uow.record("add", "relation", entity_id=relation.id, document_id=info.document_id,
                       set_id=info.id, after=relation_state(relation))
        return result

    def _check_relabel(self, uow: UnitOfWork, record: SpanRecord, label: str) -> None:
        for _, rel in uow.sets.relations_of_spans([record.id]):
            if not self.schema.has_relation(rel.type):
                continue
            rule = self.schema.relation(rel.type)
            for end, span_id, wanted in (("head", rel.head, rule.head),
                                         ("tail", rel.tail, rule.tail)):
                if span_id == record.id and wanted != label:
                    raise UserError(
                        f"span {record.id} is the {end} of {rel.type} relation {rel.id}, which "
                        f"needs a {wanted} there; remove the relation before making it a {label}")

    @staticmethod
    def _check_restorable_relations(uow: UnitOfWork, relations: Sequence[tuple[int, Relation]], *,
                                    restored: Mapping[int, int]) -> None:
        """Each relation has an id not in use, and both its spans (existing or being restored)
        in its set."""
        ids = [rel.id for _, rel in relations]
        if any(i is None for i in ids) or len(set(ids)) != len(ids):
            raise UserError("only deleted relations with their ids can be restored, each once")
        span_ids = sorted({s for _, rel in relations for s in (rel.head, rel.tail)}
                          - set(restored))
        where = {r.id: r.set_id for r in uow.sets.span_records(span_ids)}
        where.update(restored)
        for set_id, rel in relations:
            if rel.id is not None and uow.sets.relation(rel.id) is not None:
                raise UserError(f"relation {rel.id} exists already; it was not restored")
            for span_id in (rel.head, rel.tail):
                if where.get(span_id) != set_id:
                    raise UserError(f"cannot restore {rel.type} relation {rel.id}: span {span_id} "
                                    f"is not in set {set_id} (restore it first)")
