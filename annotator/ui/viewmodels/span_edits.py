"""Changes to the selected span: relabel it, move an edge, set or clear an attribute, write its
note; each one transaction (refused if someone changed the span since it was read) and one undo
step that gives back every field. A mixin of the annotation view-model
(:class:`~annotator.ui.viewmodels.annotation.AnnotationViewModel`), whose state it reads."""

from __future__ import annotations

from typing import Any

from annotator.core.edges import move_edge
from annotator.core.model import SetStatus, Span
from annotator.ui.viewmodels.actions import edits
from annotator.ui.viewmodels.words import name_of, translate


class SpanEdits:
    """Edits of one span, in place."""

    @edits
    def relabel_selected(self, label: str) -> None:
        span = self._need_selected()
        if span.label == label:
            return
        self._update(span, translate("Annotation", "relabel {old} → {new}").format(
            old=self._label_name(span.label), new=self._label_name(label)), label=label)

    @edits
    def resize_selected(self, *, edge: str, grow: bool, by_word: bool) -> None:
        span = self._need_selected()
        moved = move_edge(self.text, span.start, span.end, edge=edge, grow=grow, by_word=by_word)
        if moved is None:
            self.message.emit(translate("Annotation", "The span cannot move that way"))
            return
        self._update(span, translate("Annotation", "move the start") if edge == "start"
                     else translate("Annotation", "move the end"), start=moved[0], end=moved[1])

    @edits
    def set_attribute(self, name: str, value: str) -> None:
        """An attribute key (d, i, p): set the value, or clear it when the span has it already."""
        span = self._need_selected()
        attributes = dict(span.attributes)
        if attributes.get(name) == value:
            attributes.pop(name)
        else:
            attributes[name] = value
        self._update(span, self._attribute_step(span.label, name, value), attributes=attributes)

    @edits
    def choose_attribute(self, name: str, value: str | None) -> None:
        """An attribute chosen in a list: ``value``, or None to clear it."""
        span = self._need_selected()
        attributes = dict(span.attributes)
        if value is None:
            attributes.pop(name, None)
        else:
            attributes[name] = value
        if attributes != dict(span.attributes):
            self._update(span, self._attribute_step(span.label, name, value),
                         attributes=attributes)

    @edits
    def set_note(self, note: str) -> None:
        span = self._need_selected()
        if span.note != note:
            self._update(span, translate("Annotation", "note"), note=note)

    def _update(self, span: Span, description: str, **changes: object) -> None:
        status_before = self.status
        before, after = self._run(lambda: self.service.update_span(
            span.id or 0, expected_version=span.version, **changes))
        if before == after and before.version == after.version:
            return
        self._replace(before, after)

        def state(s: Span) -> dict[str, Any]:
            # every field, so that undoing a relabel gives back the attributes it dropped (and
            # undoing an edit of a gold span its provenance)
            return {"start": s.start, "end": s.end, "label": s.label,
                    "attributes": dict(s.attributes), "note": s.note,
                    "provenance": s.provenance}

        span_id = span.id or 0

        def undo(status: SetStatus | None) -> None:
            self._replace(*self.service.update_span(
                span_id, status=status, expected_version=self._own_versions([span_id])[span_id],
                **state(before)))

        def redo() -> None:
            self._replace(*self.service.update_span(
                span_id, expected_version=self._own_versions([span_id])[span_id],
                **state(after)))

        self._push(description, redo=redo, undo=undo, status_before=status_before)

    def _attribute_step(self, label: str, name: str, value: str | None) -> str:
        """An undo step's words for setting attribute ``name`` of a ``label`` span."""
        from annotator.ui.viewmodels.words import value_name

        found = [a for a in self.schema.attributes_of(label) if a.name == name]
        if not found:
            return f"{name} = {value}"
        attribute = found[0]
        shown = value_name(attribute.values, attribute.values_ar, value) if value else "—"
        return f"{name_of(attribute)} = {shown}"
