"""The annotation view-model: the open document, its spans, the selection, and every user action.

Each action calls the annotation service (one committed transaction) and only then updates the
state the widgets show (DESIGN invariant 5); each is one undoable step. No Qt here: the widgets
connect to the signals and convert Qt's UTF-16 positions to code points before calling in.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from annotator.core.edges import move_edge
from annotator.core.errors import UserError
from annotator.core.model import Document, Relation, SetStatus, Span
from annotator.core.schema import Schema
from annotator.core.search import SearchIndex
from annotator.core.snap import KnownNames
from annotator.services.annotate import AnnotationService, DeletedSpan
from annotator.ui.viewmodels.history import History, Step
from annotator.ui.viewmodels.observable import Signal
from annotator.ui.viewmodels.spans import SpanIndex
from annotator.ui.viewmodels.timer import ActiveTimer


F = TypeVar("F", bound=Callable[..., Any])


def user_action(method: F) -> F:
    """A user action: a UserError becomes a message on the status bar, never a crash."""

    @functools.wraps(method)
    def wrapper(self: AnnotationViewModel, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except UserError as exc:
            self.message.emit(str(exc))
            return None

    return wrapper  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    text: str


class AnnotationViewModel:
    def __init__(self, service: AnnotationService, schema: Schema, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.service = service
        self.schema = schema
        self.clock = clock
        self.document: Document | None = None
        self.set_id: int | None = None
        self.status = SetStatus.TODO
        self.spans = SpanIndex()
        self.relations: dict[int, Relation] = {}
        self.selected: int | None = None
        self.pending_relation: str | None = None
        self.hits: list[Hit] = []
        self.hit_index = -1
        self.history = History()
        self.timer = ActiveTimer()
        self._known: KnownNames | None = None
        self._search: SearchIndex | None = None
        # signals
        self.document_opened = Signal()          # ()
        self.spans_changed = Signal()            # (list of (start, end) code-point ranges to redraw)
        self.selection_changed = Signal()        # (span id or None)
        self.relations_changed = Signal()        # ()
        self.pending_changed = Signal()          # () a relation was started, completed or cancelled
        self.status_changed = Signal()           # (SetStatus)
        self.hits_changed = Signal()             # ()
        self.message = Signal()                  # (str)
        self.saved = Signal()                    # () after each committed change

    # -- opening ---------------------------------------------------------------------------

    @user_action
    def open(self, document_id: int) -> None:
        self.flush_time()
        opened = self.service.open_document(document_id)
        self.document = opened.document
        self.set_id = opened.set.id
        self.status = opened.set.status
        self.spans = SpanIndex(opened.set.spans)
        self.relations = {r.id or 0: r for r in opened.set.relations}
        self.selected = None
        self.pending_relation = None
        self.hits, self.hit_index = [], -1
        self._search = None
        self.history.clear()
        self.timer.reset()
        self.document_opened.emit()

    @property
    def text(self) -> str:
        return self.document.text if self.document else ""

    def known_names(self) -> KnownNames:
        if self._known is None:
            self._known = self.service.known_names()
        return self._known

    # -- queries ---------------------------------------------------------------------------

    def span(self, span_id: int | None) -> Span | None:
        return self.spans.get(span_id) if span_id is not None else None

    def spans_at(self, offset: int) -> list[Span]:
        return self.spans.at(offset)

    def relations_of(self, span_id: int) -> list[Relation]:
        return [r for r in self.relations.values() if span_id in (r.head, r.tail)]

    def describe_at(self, offset: int) -> str:
        """Every label at ``offset`` (for the hover tooltip), outermost first."""
        parts = []
        for span in self.spans_at(offset):
            label = self.schema.label(span.label)
            parts.append(f"{label.ar} {label.en}: {span.text}")
        return "\n".join(parts)

    # -- labeling --------------------------------------------------------------------------

    @user_action
    def label_selection(self, start: int, end: int, label: str) -> Span | None:
        """Snap a raw selection for ``label`` and add it; None (with a message) when nothing is left."""
        document = self._need_document()
        snapped = self.service.snap_selection(document, start, end, label)
        if snapped is None:
            self.message.emit("empty selection: only spaces or punctuation / تحديد فارغ")
            return None
        for existing in self.spans.at(snapped.start):
            if (existing.start, existing.end, existing.label) == (snapped.start, snapped.end, label):
                self.select(existing.id)
                self.message.emit(f"already labeled {label}")
                return existing
        span = self._run(lambda: self.service.add_span(self._set(), snapped.start, snapped.end, label))
        self._apply_added([span])
        self._remember(span)
        self.select(span.id)
        added_id = span.id or 0
        holder: dict[str, DeletedSpan] = {}

        def undo() -> None:
            holder["deleted"] = self.service.delete_span(added_id)
            self._apply_deleted([holder["deleted"]])

        def redo() -> None:
            restored = self.service.restore_span(holder["deleted"])
            self._apply_restored([holder["deleted"]], [restored])

        self.history.push(Step(f"label {label}", redo=redo, undo=undo))
        return span

    @user_action
    def press_label(self, label: str, selection: tuple[int, int] | None) -> None:
        """A label key or palette click: label the selection, or relabel the selected span."""
        if selection is not None and selection[0] != selection[1]:
            self.label_selection(selection[0], selection[1], label)
        elif self.selected is not None:
            self.relabel_selected(label)
        else:
            self.message.emit("select words first, or click a span / حدد كلمات أولا")

    @user_action
    def relabel_selected(self, label: str) -> None:
        span = self._need_selected()
        if span.label == label:
            return
        self._update(span, f"relabel {span.label} -> {label}", label=label)

    @user_action
    def resize_selected(self, *, edge: str, grow: bool, by_word: bool) -> None:
        span = self._need_selected()
        moved = move_edge(self.text, span.start, span.end, edge=edge, grow=grow, by_word=by_word)
        if moved is None:
            self.message.emit("the span cannot move that way")
            return
        self._update(span, f"move {edge}", start=moved[0], end=moved[1])

    @user_action
    def set_attribute(self, name: str, value: str) -> None:
        span = self._need_selected()
        attributes = dict(span.attributes)
        if attributes.get(name) == value:
            attributes.pop(name)
        else:
            attributes[name] = value
        self._update(span, f"{name} = {value}", attributes=attributes)

    @user_action
    def set_note(self, note: str) -> None:
        span = self._need_selected()
        if span.note != note:
            self._update(span, "note", note=note)

    @user_action
    def delete_selected(self) -> None:
        span = self._need_selected()
        self.delete_spans([span.id or 0])

    @user_action
    def delete_spans(self, ids: list[int]) -> None:
        deleted = self._run(lambda: self.service.delete_spans(ids))
        self._apply_deleted(deleted)
        holder = {"deleted": deleted}

        def undo() -> None:
            restored = self.service.restore_spans(holder["deleted"])
            self._apply_restored(holder["deleted"], restored)

        def redo() -> None:
            holder["deleted"] = self.service.delete_spans([d.span.id or 0 for d in holder["deleted"]])
            self._apply_deleted(holder["deleted"])

        self.history.push(Step("delete", redo=redo, undo=undo))

    # -- selection and relations -------------------------------------------------------------

    def select(self, span_id: int | None) -> None:
        if span_id is not None and span_id not in self.spans:
            span_id = None
        if span_id != self.selected:
            self.selected = span_id
            self.selection_changed.emit(span_id)

    @user_action
    def click(self, offset: int) -> None:
        """A click on the text: completes a pending relation, else selects the innermost span."""
        here = self.spans_at(offset)
        if self.pending_relation is not None:
            kind = self.schema.relation(self.pending_relation)
            targets = [s for s in here if s.label == kind.tail]
            if not targets:
                self.message.emit(f"click a {kind.tail} span to complete {kind.name} (Esc cancels)")
                return
            self.complete_relation(targets[-1].id or 0)
            return
        self.select(here[-1].id if here else None)

    @user_action
    def start_relation(self, name: str) -> None:
        span = self._need_selected()
        kind = self.schema.relation(name)
        if span.label != kind.head:
            self.message.emit(f"{kind.name} starts from a {kind.head} span; select one first")
            return
        self.pending_relation = name
        self.message.emit(f"{kind.ar} {kind.en}: click the {kind.tail} (Esc cancels)")
        self.pending_changed.emit()

    @user_action
    def complete_relation(self, tail_id: int) -> Relation | None:
        name, head = self.pending_relation, self.selected
        self.pending_relation = None
        self.pending_changed.emit()
        if name is None or head is None:
            return None
        relation = self._run(lambda: self.service.add_relation(self._set(), name, head, tail_id))
        self.relations[relation.id or 0] = relation
        self.relations_changed.emit()
        self.saved.emit()
        holder = {"relation": relation}

        def undo() -> None:
            self.service.delete_relation(holder["relation"].id or 0)
            self.relations.pop(holder["relation"].id or 0, None)
            self.relations_changed.emit()

        def redo() -> None:
            holder["relation"] = self.service.restore_relation(holder["relation"])
            self.relations[holder["relation"].id or 0] = holder["relation"]
            self.relations_changed.emit()

        self.history.push(Step(f"relation {name}", redo=redo, undo=undo))
        return relation

    @user_action
    def delete_relation(self, relation_id: int) -> None:
        relation = self._run(lambda: self.service.delete_relation(relation_id))
        self.relations.pop(relation_id, None)
        self.relations_changed.emit()
        self.saved.emit()

        def undo() -> None:
            restored = self.service.restore_relation(relation)
            self.relations[restored.id or 0] = restored
            self.relations_changed.emit()

        def redo() -> None:
            self.service.delete_relation(relation_id)
            self.relations.pop(relation_id, None)
            self.relations_changed.emit()

        self.history.push(Step("delete relation", redo=redo, undo=undo))

    def cancel(self) -> None:
        if self.pending_relation is not None:
            self.pending_relation = None
            self.message.emit("relation cancelled")
            self.pending_changed.emit()
        elif self.hits:
            self.clear_search()
        else:
            self.select(None)

    # -- undo / redo --------------------------------------------------------------------------

    @user_action
    def undo(self) -> None:
        step = self._run(self.history.undo)
        self.message.emit(f"undone: {step.description}" if step else "nothing to undo")
        if step:
            self.saved.emit()

    @user_action
    def redo(self) -> None:
        step = self._run(self.history.redo)
        self.message.emit(f"redone: {step.description}" if step else "nothing to redo")
        if step:
            self.saved.emit()

    # -- search --------------------------------------------------------------------------------

    def search(self, query: str) -> list[Hit]:
        old = [(h.start, h.end) for h in self.hits]
        if self._search is None:
            self._search = SearchIndex(self.text)
        found = self._search.find(query) if query.strip() else []
        self.hits = [Hit(s, e, self.text[s:e]) for s, e in found]
        self.hit_index = 0 if self.hits else -1
        self.hits_changed.emit()
        self.spans_changed.emit(old + [(h.start, h.end) for h in self.hits])
        return self.hits

    def next_hit(self, step: int = 1) -> Hit | None:
        if not self.hits:
            return None
        self.hit_index = (self.hit_index + step) % len(self.hits)
        self.hits_changed.emit()
        return self.hits[self.hit_index]

    def clear_search(self) -> None:
        old = [(h.start, h.end) for h in self.hits]
        self.hits, self.hit_index = [], -1
        self.hits_changed.emit()
        self.spans_changed.emit(old)

    @user_action
    def label_all_hits(self, label: str) -> list[Span]:
        """Label every search hit (snapped for ``label``) that is not labeled so yet: one step."""
        document = self._need_document()
        wanted: list[tuple[int, int, str]] = []
        seen: set[tuple[int, int]] = set()
        for hit in self.hits:
            snapped = self.service.snap_selection(document, hit.start, hit.end, label)
            if snapped is None or (snapped.start, snapped.end) in seen:
                continue
            if any((s.start, s.end, s.label) == (snapped.start, snapped.end, label)
                   for s in self.spans.at(snapped.start)):
                continue
            seen.add((snapped.start, snapped.end))
            wanted.append((snapped.start, snapped.end, label))
        if not wanted:
            self.message.emit("every hit is already labeled")
            return []
        added = self._run(lambda: self.service.add_spans(self._set(), wanted))
        self._apply_added(added)
        holder: dict[str, list[DeletedSpan]] = {}

        def undo() -> None:
            holder["deleted"] = self.service.delete_spans([s.id or 0 for s in added])
            self._apply_deleted(holder["deleted"])

        def redo() -> None:
            restored = self.service.restore_spans(holder["deleted"])
            self._apply_restored(holder["deleted"], restored)

        self.history.push(Step(f"label {len(added)} hits {label}", redo=redo, undo=undo))
        self.message.emit(f"labeled {len(added)} hits as {label}")
        return added

    # -- document status and time ----------------------------------------------------------------

    @user_action
    def mark_done(self) -> None:
        before = self.status
        self.flush_time()
        self._run(lambda: self.service.set_status(self._set(), SetStatus.DONE))
        self.status = SetStatus.DONE
        self.status_changed.emit(self.status)
        self.saved.emit()

        def undo() -> None:
            self.service.set_status(self._set(), before)
            self.status = before
            self.status_changed.emit(self.status)

        def redo() -> None:
            self.service.set_status(self._set(), SetStatus.DONE)
            self.status = SetStatus.DONE
            self.status_changed.emit(self.status)

        self.history.push(Step("mark done", redo=redo, undo=undo))

    def activity(self) -> None:
        self.timer.activity(self.clock())

    def flush_time(self) -> float:
        """Write the active seconds counted so far to the store; returns them."""
        seconds = self.timer.take()
        if seconds > 0 and self.set_id is not None:
            self.service.add_active_seconds(self.set_id, seconds)
        return seconds

    # -- internals ------------------------------------------------------------------------------

    def _run(self, action: Callable[[], Any]) -> Any:
        self.activity()
        return action()

    def _set(self) -> int:
        if self.set_id is None:
            raise UserError("no document is open")
        return self.set_id

    def _need_document(self) -> Document:
        if self.document is None:
            raise UserError("no document is open")
        return self.document

    def _need_selected(self) -> Span:
        span = self.span(self.selected)
        if span is None:
            raise UserError("select a span first / اختر مقطعا أولا")
        return span

    def _remember(self, span: Span) -> None:
        if self._known is not None and self.schema.label(span.label).strips_clitics:
            self._known = KnownNames(self._known | KnownNames.of([span.text]))

    def _mark_in_progress(self) -> None:
        if self.status == SetStatus.TODO:
            self.status = SetStatus.IN_PROGRESS
            self.status_changed.emit(self.status)

    def _update(self, span: Span, description: str, **changes: object) -> None:
        before, after = self._run(lambda: self.service.update_span(span.id or 0, **changes))
        self._replace(before, after)
        undo_changes = {k: getattr(before, k) for k in changes}

        def undo() -> None:
            old, new = self.service.update_span(span.id or 0, **undo_changes)
            self._replace(old, new)

        def redo() -> None:
            old, new = self.service.update_span(span.id or 0, **changes)
            self._replace(old, new)

        self.history.push(Step(description, redo=redo, undo=undo))

    def _replace(self, before: Span, after: Span) -> None:
        self.spans.remove(before.id or 0)
        self.spans.add(after)
        self._changed([(before.start, before.end), (after.start, after.end)])
        self.selection_changed.emit(self.selected)

    def _apply_added(self, spans: list[Span]) -> None:
        for span in spans:
            self.spans.add(span)
        self._changed([(s.start, s.end) for s in spans])

    def _apply_deleted(self, deleted: list[DeletedSpan]) -> None:
        for item in deleted:
            self.spans.remove(item.span.id or 0)
            for relation in item.relations:
                self.relations.pop(relation.id or 0, None)
        if self.selected is not None and self.selected not in self.spans:
            self.select(None)
        self._changed([(d.span.start, d.span.end) for d in deleted])
        self.relations_changed.emit()

    def _apply_restored(self, deleted: list[DeletedSpan], restored: list[Span]) -> None:
        for span in restored:
            self.spans.add(span)
        for item in deleted:
            for relation in item.relations:
                self.relations[relation.id or 0] = relation
        self._changed([(s.start, s.end) for s in restored])
        self.relations_changed.emit()

    def _changed(self, ranges: list[tuple[int, int]]) -> None:
        self._mark_in_progress()
        self.spans_changed.emit(ranges)
        self.saved.emit()
