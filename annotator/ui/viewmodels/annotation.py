"""The annotation view-model: the open document, its spans, the selection, and every user action.

Each action calls the annotation service (one committed transaction) and only then updates the
state the widgets show (DESIGN invariant 5); each is one undoable step, and undoing it gives
back exactly the stored state before it: the same rows with the same ids, and the set's status
(the first change of a set moves it from todo to in progress; undoing that change moves it back).
Only ``updated_at`` stamps and active time (time really spent) are not undone. No Qt here: the
widgets connect to the signals and convert Qt's UTF-16 positions to code points before calling in.

With a :class:`~annotator.services.suggesting.SuggestionService`, the open document also offers
suggestions (:class:`~annotator.ui.viewmodels.suggestions.SuggestionLayer`): Tab / Shift+Tab
move between them, Enter accepts the current one, ``x`` rejects it, Shift+Enter accepts every
one offered; each is one transaction and one undo step.

Another set of the open document (gold, the suggestions, and for reviewers every annotator's)
can be shown read only (:meth:`AnnotationViewModel.show_set`): every editing action then
refuses with a message until the user's own set is shown again; their own set and its undo
history are kept meanwhile. The words the view-model says are in the interface language
(:mod:`annotator.ui.viewmodels.words`); errors from the services stay English.

Its parts live in their own modules: edits of the selected span (``span_edits``), search and
label all hits (``search_actions``), the suggestions offered and their keys
(``suggestion_actions``), relations (``relation_actions``), other sets shown read only and the
open set read again after another writer's change (``other_sets``), the actions' error handling
(``actions``).
"""

from __future__ import annotations

import time
from typing import Any, Callable

from annotator.core.collector import cycle_collector_paused
from annotator.core.errors import UserError
from annotator.core.model import AnnotationSet, Document, Relation, SetStatus, Span
from annotator.core.schema import Schema
from annotator.core.search import SearchIndex
from annotator.core.snap import KnownNames
from annotator.services.annotate import AnnotationService, DeletedSpan
from annotator.services.suggesting import EMPTY, SuggestionService
from annotator.ui.viewmodels.actions import OneUpdate, edits, user_action
from annotator.ui.viewmodels.background import Background
from annotator.ui.viewmodels.history import History, Step
from annotator.ui.viewmodels.observable import Signal
from annotator.ui.viewmodels.other_sets import OtherSets, SetChoice
from annotator.ui.viewmodels.relation_actions import RelationActions
from annotator.ui.viewmodels.relation_table import RelationTable
from annotator.ui.viewmodels.search_actions import Hit, SearchActions
from annotator.ui.viewmodels.span_edits import SpanEdits
from annotator.ui.viewmodels.spans import SpanIndex
from annotator.ui.viewmodels.status_actions import StatusActions
from annotator.ui.viewmodels.suggestion_actions import SuggestionActions
from annotator.ui.viewmodels.suggestions import SuggestionLayer
from annotator.ui.viewmodels.timer import ActiveTimer
from annotator.ui.viewmodels.words import name_of, translate

#: what other modules import from here (the view-model's parts live in their own modules)
__all__ = ["AnnotationViewModel", "Hit", "SetChoice", "edits", "user_action"]


class AnnotationViewModel(SpanEdits, SearchActions, SuggestionActions, RelationActions,
                          StatusActions, OtherSets, OneUpdate):
    # a review window's view-model (ReviewViewModel) says True
    reviewing = False

    def __init__(self, service: AnnotationService, schema: Schema, *,
                 clock: Callable[[], float] = time.monotonic,
                 suggestions: SuggestionService | None = None,
                 create_sets: bool = True,
                 background: Background | None = None) -> None:
        """``create_sets=False``: opening a document writes nothing (a screenshot); the user's
        set is then created by their first change. ``background`` computes a document's
        suggestions off the GUI thread and hands them back on it (the window's
        :class:`annotator.ui.background.Background`): a book's take seconds, and the document
        shows and takes actions meanwhile; None: they are computed when it opens."""
        self.service = service
        self.create_sets = create_sets
        self.suggester = suggestions
        self.background = background
        self._offers_for: object = None   # the open whose suggestions are being computed
        self.computing_suggestions = False   # in the background, for the open document
        self.offers = SuggestionLayer()
        self.schema = schema
        self.clock = clock
        self.document: Document | None = None
        self.set_id: int | None = None
        self.status = SetStatus.TODO
        self.spans = SpanIndex()
        self.relations = RelationTable()   # (by id, and by the spans they link)
        self.selected: int | None = None
        self.pending_relation: str | None = None
        self.hits: list[Hit] = []
        self.hit_index = -1
        self._hit_starts: list[int] = []
        self._hit_longest = 0
        self.history = History()
        # the set shown read only instead of the user's own (None: their own, editable)
        self.viewing: SetChoice | None = None
        self._stash: tuple[SpanIndex, dict[int, Relation], int | None] | None = None
        self._own: dict[int, int] = {}   # span id -> its version after this window's last change
        self._watcher: Any = None        # annotator.db.watch.ChangeWatcher, made on first poll
        self.timer = ActiveTimer()
        self._known: KnownNames | None = None
        self._search: SearchIndex | None = None
        # signals
        self.document_opened = Signal()          # ()
        self.spans_changed = Signal()            # (list of (start, end) code-point ranges to redraw)
        self.span_rows_changed = Signal()        # (removed spans, added spans): for lists
        self.selection_changed = Signal()        # (span id or None)
        self.relations_changed = Signal()        # ()
        self.pending_changed = Signal()          # () a relation was started, completed or cancelled
        self.status_changed = Signal()           # (SetStatus)
        self.hits_changed = Signal()             # ()
        self.message = Signal()                  # (str)
        self.saved = Signal()                    # () after each committed change
        self.suggestions_changed = Signal()      # (list of (start, end) ranges to redraw)
        self.suggestion_changed = Signal()       # (index of the current suggestion or None)
        self.set_shown = Signal()                # () another set (or one's own again) is shown
        self.settled = Signal()                  # () an editing action is all announced
        self._busy = 0
        # what snapping needs is read when the window is built, not at the first selection
        service.prepare_snapping()

    # -- opening ---------------------------------------------------------------------------

    @user_action
    def open(self, document_id: int) -> None:
        """Open a document (creating this annotator's set if needed); the open one stays as is."""
        if self.document is not None and self.document.id == document_id:
            return
        self.flush_time()
        with cycle_collector_paused():   # a book's 20,000 spans: no full collections meanwhile
            opened = self.service.open_document(document_id, create=self.create_sets)
            if self.suggester is not None and self.document is not None \
                    and self.viewing is None:
                self.suggester.learn(self.text, self.spans.all())   # names of the one left
            prepared = self.suggester.prepare(opened.document, opened.set.id) \
                if self.suggester is not None else EMPTY
            self._show(opened.document, opened.set, SpanIndex(opened.set.spans))
            self._offer(prepared, announce=False)   # drawn with the document
            if self._watcher is None:   # others' changes count from the first open on
                self._watcher = self.service.watcher()
            self.document_opened.emit()

    def _show(self, document: Document, aset: AnnotationSet, spans: SpanIndex) -> None:
        """Make ``aset`` of ``document`` the one shown, with a fresh selection, search, undo
        history and timer (the annotation and the review view-models open documents so)."""
        self.document = document
        self.set_id = aset.id
        self.status = aset.status
        self.spans = spans
        self.relations = {r.id or 0: r for r in aset.relations}
        self.selected = None
        self.pending_relation = None
        self.viewing, self._stash = None, None
        self.hits, self.hit_index = [], -1
        self._search = None
        self.history.clear()
        self._own = {}
        self.timer.reset()

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

    def describe_at(self, offset: int) -> str:
        """Every label at ``offset`` (for the hover tooltip), outermost first."""
        parts = []
        for span in self.spans_at(offset):
            parts.append(f"{name_of(self.schema.label(span.label))}: {span.text}")
        return "\n".join(parts)

    # -- labeling --------------------------------------------------------------------------

    @edits
    def label_selection(self, start: int, end: int, label: str) -> Span | None:
        """Snap a raw selection for ``label`` and add it; None (with a message) when nothing is left."""
        document = self._need_document()
        snapped = self.service.snap_selection(document, start, end, label)
        if snapped is None:
            self.message.emit(translate("Annotation",
                                        "Empty selection: only spaces or punctuation"))
            return None
        for existing in self.spans.at(snapped.start):
            if (existing.start, existing.end, existing.label) == (snapped.start, snapped.end, label):
                self.select_span(existing.id)
                self.message.emit(translate("Annotation", "Already labeled {label}").format(
                    label=self._label_name(label)))
                return existing
        status_before = self.status
        span = self._run(lambda: self.service.add_span(self._set(), snapped.start, snapped.end, label))
        self._apply_added([span], select=True)
        self._remember(span)
        added_id = span.id or 0
        holder: dict[str, DeletedSpan] = {}

        def undo(status: SetStatus | None) -> None:
            holder["deleted"] = self.service.delete_spans(
                [added_id], status=status, versions=self._own_versions([added_id]))[0]
            self._apply_deleted([holder["deleted"]])

        def redo() -> None:
            restored = self.service.restore_span(holder["deleted"])
            self._apply_restored([holder["deleted"]], [restored])
            self.select_span(restored.id)

        self._push(translate("Annotation", "label {label}").format(label=self._label_name(label)),
                   redo=redo, undo=undo, status_before=status_before)
        return span

    @edits
    def press_label(self, label: str, selection: tuple[int, int] | None) -> None:
        """A label key or palette click: label the selection, or relabel the selected span."""
        if selection is not None and selection[0] != selection[1]:
            self.label_selection(selection[0], selection[1], label)
        elif self.selected is not None:
            self.relabel_selected(label)
        else:
            self.message.emit(translate("Annotation", "Select words first, or click a span"))

    @edits
    def delete_selected(self) -> None:
        span = self._need_selected()
        self.delete_spans([span.id or 0])

    @edits
    def delete_spans(self, ids: list[int]) -> None:
        status_before = self.status
        deleted = self._run(lambda: self.service.delete_spans(ids, versions={
            i: s.version for i in ids if (s := self.spans.get(i)) is not None}))
        self._apply_deleted(deleted)
        holder = {"deleted": deleted}

        def undo(status: SetStatus | None) -> None:
            restored = self.service.restore_spans(holder["deleted"], status=status)
            self._apply_restored(holder["deleted"], restored)

        def redo() -> None:
            again = [d.span.id or 0 for d in holder["deleted"]]
            holder["deleted"] = self.service.delete_spans(again,
                                                          versions=self._own_versions(again))
            self._apply_deleted(holder["deleted"])

        self._push(translate("Annotation", "delete"), redo=redo, undo=undo,
                   status_before=status_before)

    # -- selection and relations -------------------------------------------------------------

    def select_span(self, span_id: int | None) -> None:
        if span_id is not None and span_id not in self.spans:
            span_id = None
        if span_id != self.selected:
            self.selected = span_id
            self.selection_changed.emit(span_id)

    @user_action
    def click(self, offset: int) -> None:
        """A click on the text: completes a pending relation, else selects the innermost span."""
        self.activity()
        here = self.spans_at(offset)
        if self.pending_relation is not None:
            kind = self.schema.relation(self.pending_relation)
            targets = [s for s in here if s.label == kind.tail]
            if not targets:
                self.message.emit(translate(
                    "Annotation", "Click a span labeled {label} to complete {relation} (Esc "
                    "cancels)").format(label=self._label_name(kind.tail),
                                       relation=name_of(kind)))
                return
            self.complete_relation(targets[-1].id or 0)
            return
        self.select_span(here[-1].id if here else None)

    @user_action
    def pick(self, span_id: int | None) -> None:
        """A span chosen in a list: completes a pending relation with it, else selects it."""
        self.activity()
        if self.pending_relation is None:
            self.select_span(span_id)
            return
        kind = self.schema.relation(self.pending_relation)
        span = self.span(span_id)
        if span is None or span.label != kind.tail:
            self.message.emit(translate(
                "Annotation", "Choose a span labeled {label} to complete {relation} (Esc "
                "cancels)").format(label=self._label_name(kind.tail), relation=name_of(kind)))
            return
        self.complete_relation(span.id or 0)

    def cancel(self) -> None:
        if self.pending_relation is not None:
            self.pending_relation = None
            self.message.emit(translate("Annotation", "Relation cancelled"))
            self.pending_changed.emit()
        elif self.hits:
            self.clear_search()
        else:
            self.select_span(None)

    # -- undo / redo --------------------------------------------------------------------------

    @edits
    def undo(self) -> None:
        step = self._run(self.history.undo)
        self.message.emit(translate("Annotation", "Undone: {step}").format(step=step.description)
                          if step else translate("Annotation", "Nothing to undo"))
        if step:
            self.saved.emit()

    @edits
    def redo(self) -> None:
        step = self._run(self.history.redo)
        self.message.emit(translate("Annotation", "Redone: {step}").format(step=step.description)
                          if step else translate("Annotation", "Nothing to redo"))
        if step:
            self.saved.emit()

    # -- internals ------------------------------------------------------------------------------

    def _run(self, action: Callable[[], Any]) -> Any:
        self.activity()
        return action()

    def _set(self) -> int:
        """The user's set of the open document, created (todo, journaled) by the first change
        of a document opened without creating it."""
        if self.set_id is None:
            document = self._need_document()
            self.set_id = self.service.change(None, document_id=document.id).set_id
        return self.set_id

    def _need_document(self) -> Document:
        if self.document is None:
            raise UserError(translate("Annotation", "No document is open"))
        return self.document

    def _need_selected(self) -> Span:
        span = self.span(self.selected)
        if span is None:
            raise UserError(translate("Annotation", "Select a span first"))
        return span

    def _label_name(self, label: str) -> str:
        return name_of(self.schema.label(label)) if self.schema.has_label(label) else label

    def _remember(self, span: Span) -> None:
        if self._known is not None and self.schema.label(span.label).strips_clitics:
            self._known.remember([span.text])   # in place (the service's names, shared)

    def _push(self, description: str, *, redo: Callable[[], None],
              undo: Callable[[SetStatus | None], None], status_before: SetStatus) -> None:
        """Record a change of the set's annotations that has just been done.

        If it moved the set from todo to in progress, its undo moves the set back in the same
        transaction (``undo`` gets the status to put back, else None), so that an undo gives back
        exactly the stored state before the change; its redo moves it forward again by itself
        (the service does so on every change of a todo set).
        """
        status_after = self.status
        restore = status_before if status_before != status_after else None

        def undo_step() -> None:
            undo(restore)
            if restore is not None:
                self._set_status(restore)

        self.history.push(Step(description, redo=redo, undo=undo_step))

    def _own_versions(self, ids: list[int]) -> dict[int, int]:
        """The versions this window's own last changes left the spans at: an undo or redo
        names them, so that it is refused when someone else changed a span since (even after
        the window refreshed and shows their change)."""
        found = {}
        for span_id in ids:
            span = self.spans.get(span_id)
            found[span_id] = self._own.get(span_id, span.version if span is not None else 1)
        return found

    def _replace(self, before: Span, after: Span) -> None:
        self._own[after.id or 0] = after.version
        self.spans.remove(before.id or 0)
        self.spans.add(after)
        self.span_rows_changed.emit([before], [after])
        self._changed([(before.start, before.end), (after.start, after.end)])
        self.selection_changed.emit(self.selected)

    def _apply_added(self, spans: list[Span], *, select: bool = False) -> None:
        """Show spans just added; ``select``: select the (one) new span, which the article
        then draws selected at once (not drawn, then drawn again as selected)."""
        for span in spans:
            self.spans.add(span)
            self._own[span.id or 0] = span.version
        if select:
            self.selected = spans[0].id
        self.span_rows_changed.emit([], list(spans))
        self._changed([(s.start, s.end) for s in spans])
        if select:
            self.selection_changed.emit(self.selected)

    def _apply_deleted(self, deleted: list[DeletedSpan]) -> None:
        for item in deleted:
            self.spans.remove(item.span.id or 0)
            self._own.pop(item.span.id or 0, None)
            for relation in item.relations:
                self.relations.pop(relation.id or 0, None)
        self.span_rows_changed.emit([d.span for d in deleted], [])
        if self.selected is not None and self.selected not in self.spans:
            self.select_span(None)
        self._changed([(d.span.start, d.span.end) for d in deleted])
        if any(d.relations for d in deleted):
            self.relations_changed.emit()

    def _apply_restored(self, deleted: list[DeletedSpan], restored: list[Span]) -> None:
        for span in restored:
            self.spans.add(span)
            self._own[span.id or 0] = span.version
        for item in deleted:
            for relation in item.relations:
                self.relations[relation.id or 0] = relation
        self.span_rows_changed.emit([], list(restored))
        self._changed([(s.start, s.end) for s in restored])
        if any(d.relations for d in deleted):
            self.relations_changed.emit()

    def _changed(self, ranges: list[tuple[int, int]]) -> None:
        self._mark_in_progress()
        if self.offers.spans:
            self.offers.refresh(ranges, lambda start, end: {
                (s.start, s.end, s.label) for s in self.spans.overlapping(start, end)})
        self.spans_changed.emit(ranges)
        self.saved.emit()
