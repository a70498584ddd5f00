"""Relations between the open set's spans: what a span is linked to, in words, and linking
(start with a key on the head, complete on the tail) and unlinking, each one transaction and one
undo step. A mixin of the annotation view-model
(:class:`~annotator.ui.viewmodels.annotation.AnnotationViewModel`), whose state it reads."""

from __future__ import annotations

from collections.abc import Mapping

from annotator.core.model import Relation, SetStatus
from annotator.ui.viewmodels.actions import edits
from annotator.ui.viewmodels.relation_table import RelationTable
from annotator.ui.viewmodels.words import name_of, short_text, translate


class RelationActions:
    """Reading and changing the relations of the open set."""

    @property
    def relations(self) -> RelationTable:
        """The open set's relations by id (a dict), looked up by span with ``touching``."""
        return self._relations

    @relations.setter
    def relations(self, relations: Mapping[int, Relation]) -> None:
        self._relations = relations if isinstance(relations, RelationTable) \
            else RelationTable(relations)

    def relations_of(self, span_id: int) -> list[Relation]:
        return self.relations.touching(span_id)

    def relation_lines(self, span_id: int) -> list[tuple[Relation, int, str]]:
        """The relations of a span as (relation, the other span's id, a line to show):
        from a quote "Said by: <actor>", from the actor "(Said by): <quote>" (the relation's
        name in the interface language)."""
        return [(relation, other_id, f"{name}: {short_text(text)}")
                for relation, other_id, name, text in self._relations_of(span_id)]

    def describe_relations(self, span_id: int, *, with_text: bool = True) -> list[str]:
        """The lines of :meth:`relation_lines`, or only the names (for a narrow column)."""
        if with_text:
            return [line for _, _, line in self.relation_lines(span_id)]
        return [name for _, _, name, _ in self._relations_of(span_id)]

    def _relations_of(self, span_id: int) -> list[tuple[Relation, int, str, str]]:
        found = []
        for relation in sorted(self.relations_of(span_id), key=lambda r: r.id or 0):
            outgoing = relation.head == span_id
            other_id = relation.tail if outgoing else relation.head
            other = self.span(other_id)
            kind = self.schema.relation(relation.type)
            # from the tail (the actor of a said_by) the name is in parentheses: "(Said by)"
            name = name_of(kind) if outgoing else f"({name_of(kind)})"
            found.append((relation, other_id, name, other.text if other else "?"))
        return found

    @edits
    def start_relation(self, name: str) -> None:
        span = self._need_selected()
        kind = self.schema.relation(name)
        if span.label != kind.head:
            self.message.emit(translate(
                "Annotation", "{relation} starts from a span labeled {label}; select one "
                "first").format(relation=name_of(kind), label=self._label_name(kind.head)))
            return
        self.pending_relation = name
        self.message.emit(translate("Annotation", "{relation}: click the {label} (Esc cancels)")
                          .format(relation=name_of(kind), label=self._label_name(kind.tail)))
        self.pending_changed.emit()

    @edits
    def complete_relation(self, tail_id: int) -> Relation | None:
        name, head = self.pending_relation, self.selected
        self.pending_relation = None
        self.pending_changed.emit()
        if name is None or head is None:
            return None
        status_before = self.status
        relation = self._run(lambda: self.service.add_relation(self._set(), name, head, tail_id))
        self._relation_added(relation)

        def undo(status: SetStatus | None) -> None:
            self.service.delete_relation(relation.id or 0, status=status)
            self._relation_deleted(relation)

        def redo() -> None:
            self._relation_added(self.service.restore_relation(relation))

        self._push(translate("Annotation", "link {relation}").format(
            relation=name_of(self.schema.relation(name))), redo=redo, undo=undo,
            status_before=status_before)
        return relation

    @edits
    def delete_relation(self, relation_id: int) -> None:
        status_before = self.status
        relation = self._run(lambda: self.service.delete_relation(relation_id))
        self._relation_deleted(relation)

        def undo(status: SetStatus | None) -> None:
            self._relation_added(self.service.restore_relation(relation, status=status))

        def redo() -> None:
            self.service.delete_relation(relation_id)
            self._relation_deleted(relation)

        self._push(translate("Annotation", "delete a relation"), redo=redo, undo=undo,
                   status_before=status_before)

    def _relation_added(self, relation: Relation) -> None:
        self.relations[relation.id or 0] = relation
        self._mark_in_progress()
        self.relations_changed.emit()
        self.saved.emit()

    def _relation_deleted(self, relation: Relation) -> None:
        self.relations.pop(relation.id or 0, None)
        self._mark_in_progress()
        self.relations_changed.emit()
        self.saved.emit()
