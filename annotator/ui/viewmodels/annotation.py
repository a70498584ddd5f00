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
"""

from __future__ import annotations

import functools
import time
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from annotator.core.edges import move_edge
from annotator.core.errors import ConflictError, UserError
from annotator.core.model import AnnotationSet, Document, Relation, SetKind, SetStatus, Span
from annotator.core.schema import Schema
from annotator.core.search import SearchIndex
from annotator.core.collector import cycle_collector_paused
from annotator.core.snap import KnownNames
from annotator.core.suggest import Suggestion
from annotator.services.annotate import AnnotationService, Change, DeletedSpan, SetHeader
from annotator.services.suggesting import EMPTY, Key, SuggestionService
from annotator.ui.viewmodels.history import History, Step
from annotator.ui.viewmodels.observable import Signal
from annotator.ui.viewmodels.spans import SpanIndex
from annotator.ui.viewmodels.suggestions import SuggestionLayer
from annotator.ui.viewmodels.timer import ActiveTimer
from annotator.ui.viewmodels.words import name_of, translate

F = TypeVar("F", bound=Callable[..., Any])


def user_action(method: F) -> F:
    """A user action: a UserError becomes a message on the status bar, never a crash."""

    @functools.wraps(method)
    def wrapper(self: AnnotationViewModel, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except ConflictError as exc:
            # someone else changed what this action was about: show their version, never
            # overwrite it (the undo history of one's own actions stays)
            self.message.emit(translate("Annotation", "{error} — reloaded").format(error=exc))
            self.refresh()
            return None
        except UserError as exc:
            self.message.emit(str(exc))
            return None

    return wrapper  # type: ignore[return-value]


def edits(method: F) -> F:
    """A user action that changes the shown set: refused (with a message) while another
    person's set is shown read only."""

    @functools.wraps(method)
    def wrapper(self: AnnotationViewModel, *args: Any, **kwargs: Any) -> Any:
        if self.viewing is not None:
            raise UserError(self.read_only_message())
        return method(self, *args, **kwargs)

    return user_action(wrapper)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class SetChoice:
    """A set the window can show: the user's own (editable; ``set_id`` None while it does not
    exist yet), or another one they may read (read only)."""

    set_id: int | None
    owner: str
    kind: SetKind
    status: SetStatus
    editable: bool

    def describe(self) -> str:
        """The chooser's line: whose set, what kind, its state."""
        if self.editable:
            return translate("Annotation", "My set ({owner})").format(owner=self.owner) \
                if self.kind == SetKind.ANNOTATION \
                else translate("Annotation", "Gold (editable)")
        if self.kind == SetKind.GOLD:
            return translate("Annotation", "Gold (read only)")
        if self.kind == SetKind.SUGGESTIONS:
            return translate("Annotation", "Suggestions (read only)")
        return translate("Annotation", "{owner}'s set (read only)").format(owner=self.owner)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    text: str


class AnnotationViewModel:
    def __init__(self, service: AnnotationService, schema: Schema, *,
                 clock: Callable[[], float] = time.monotonic,
                 suggestions: SuggestionService | None = None,
                 create_sets: bool = True) -> None:
        """``create_sets=False``: opening a document writes nothing (a screenshot); the user's
        set is then created by their first change."""
        self.service = service
        self.create_sets = create_sets
        self.suggester = suggestions
        self.offers = SuggestionLayer()
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
        self._hit_starts: list[int] = []
        self._hit_longest = 0
        self.history = History()
        #: the set shown read only instead of the user's own (None: their own, editable)
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
            proposals = self.suggester.proposals(opened.document, opened.set.id) \
                if self.suggester is not None else EMPTY
            self._show(opened.document, opened.set, SpanIndex(opened.set.spans))
            self.offers.reset(proposals, self._keys())
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

    def relations_of(self, span_id: int) -> list[Relation]:
        return [r for r in self.relations.values() if span_id in (r.head, r.tail)]

    def relation_lines(self, span_id: int) -> list[tuple[Relation, int, str]]:
        """The relations of a span as (relation, the other span's id, a line to show):
        from a quote "Said by: <actor>", from the actor "(Said by): <quote>" (the relation's
        name in the interface language)."""
        return [(relation, other_id, f"{name}: {_short(text)}")
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

    # -- search --------------------------------------------------------------------------------

    def search(self, query: str) -> list[Hit]:
        """Every hit of ``query`` (hamza, harakat, ى/ي and ة/ه spellings ignored); the first is current."""
        self.activity()
        old = [(h.start, h.end) for h in self.hits]
        if self._search is None:
            self._search = SearchIndex(self.text)
        found = self._search.find(query) if query.strip() else []
        self.hits = [Hit(s, e, self.text[s:e]) for s, e in found]
        self._hit_starts = [h.start for h in self.hits]
        self._hit_longest = max((h.end - h.start for h in self.hits), default=0)
        self.hit_index = 0 if self.hits else -1
        self.hits_changed.emit()
        self.spans_changed.emit(old + [(h.start, h.end) for h in self.hits])
        return self.hits

    def next_hit(self, step: int = 1) -> Hit | None:
        if not self.hits:
            return None
        self.activity()
        self.hit_index = (self.hit_index + step) % len(self.hits)
        self.hits_changed.emit()
        return self.hits[self.hit_index]

    def hits_between(self, start: int, end: int) -> list[tuple[int, int, bool]]:
        """The search hits sharing a character with [start, end), as (start, end, current):
        bisected, so that highlighting a block does not go through every hit of a book."""
        if not self.hits:
            return []
        lo = bisect_left(self._hit_starts, start - self._hit_longest)
        hi = bisect_left(self._hit_starts, end)
        return [(h.start, h.end, i == self.hit_index) for i, h in
                enumerate(self.hits[lo:hi], start=lo) if h.end > start]

    def clear_search(self) -> None:
        old = [(h.start, h.end) for h in self.hits]
        self.hits, self.hit_index = [], -1
        self._hit_starts, self._hit_longest = [], 0
        self.hits_changed.emit()
        self.spans_changed.emit(old)

    @edits
    def label_all_hits(self, label: str) -> list[Span]:
        """Label every search hit (snapped for ``label``) that is not labeled so yet: one step."""
        with cycle_collector_paused():   # thousands of spans made at once
            return self._label_all_hits(label)

    def _label_all_hits(self, label: str) -> list[Span]:
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
            self.message.emit(translate("Annotation", "Every hit is already labeled"))
            return []
        status_before = self.status
        added = self._run(lambda: self.service.add_spans(self._set(), wanted))
        self._apply_added(added)
        holder: dict[str, list[DeletedSpan]] = {}

        def undo(status: SetStatus | None) -> None:
            ids = [s.id or 0 for s in added]
            holder["deleted"] = self.service.delete_spans(ids, status=status,
                                                          versions=self._own_versions(ids))
            self._apply_deleted(holder["deleted"])

        def redo() -> None:
            restored = self.service.restore_spans(holder["deleted"])
            self._apply_restored(holder["deleted"], restored)

        name = self._label_name(label)
        self._push(translate("Annotation", "label hits as {label} ({count})").format(
            label=name, count=len(added)), redo=redo, undo=undo, status_before=status_before)
        self.message.emit(translate("Annotation", "Hits labeled as {label}: {count}").format(
            label=name, count=len(added)))
        return added

    # -- suggestions ---------------------------------------------------------------------------

    def suggestion_marks(self, start: int, end: int) -> list[tuple[int, int, str, str]]:
        """The offered suggestions in [start, end), for the highlighter."""
        return self.offers.marks(start, end) if self.viewing is None else []

    @edits
    def next_suggestion(self, step: int = 1) -> Suggestion | None:
        """Tab / Shift+Tab: the next (previous) offered suggestion becomes current, cycling;
        None (with a message) when none is left."""
        self.activity()
        index = self.offers.step(step)
        self._set_current_suggestion(index)
        if index is None:
            self.message.emit(translate("Annotation", "No suggestion left")
                              if self.suggester is not None
                              else translate("Annotation", "Suggestions are off in this mode"))
            return None
        self.message.emit(self.describe_suggestion(index))
        return self.offers.spans[index]

    def describe_suggestion(self, index: int) -> str:
        """One line for the status bar: label, text, suggester and confidence, relations."""
        s = self.offers.spans[index]
        label = self.schema.label(s.label)
        offered = self.offers.offered()
        where = f"{offered.index(index) + 1}/{len(offered)}" if index in offered else "-"
        text = _short(self.text[s.start:s.end], 40)
        head = translate("Annotation", "Suggestion {number}: {label} «{text}»").format(
            number=where, label=name_of(label), text=text)
        parts = [head + f" ({s.suggester} {s.confidence:.2f})"]
        for kind, other, outgoing in self.offers.partners(index):
            rel = self.schema.relation(kind)
            o = self.offers.spans[other]
            name = name_of(rel) if outgoing else f"({name_of(rel)})"
            parts.append(f"{name}: «{_short(self.text[o.start:o.end], 30)}»")
        parts.append(translate("Annotation", "Enter accepts, x rejects, Shift+Enter accepts all"))
        return " — ".join(parts)

    @edits
    def accept_suggestion(self) -> None:
        """Enter: copy the current suggestion into the set (with its relations to spans the set
        has), then go to the next one."""
        index, s = self._need_suggestion()
        self._suggestion_step(translate("Annotation", "accept a suggested {label}").format(
            label=self._label_name(s.label)), lambda: self._accept([index]))
        self.next_suggestion()

    @edits
    def reject_suggestion(self) -> None:
        """x: reject the current suggestion (hidden for this annotator, remembered)."""
        _, s = self._need_suggestion()
        assert self.suggester is not None
        self._suggestion_step(translate("Annotation", "reject a suggested {label}").format(
                              label=self._label_name(s.label)),
                              lambda: self.suggester.reject(self._set(), s))  # type: ignore[union-attr]
        self.next_suggestion()

    @edits
    def accept_all_suggestions(self) -> None:
        """Shift+Enter: accept every offered suggestion of the document in one step."""
        offered = self.offers.offered()
        if self.suggester is None or not offered:
            self.message.emit(translate("Annotation", "No suggestion to accept"))
            return
        self._suggestion_step(translate("Annotation", "accept every suggestion ({count})")
                              .format(count=len(offered)), lambda: self._accept(offered))
        self._set_current_suggestion(None)
        self.message.emit(translate("Annotation", "Suggestions accepted: {count} (Ctrl+Z undoes)")
                          .format(count=len(offered)))

    def _accept(self, indexes: list[int]) -> Change:
        assert self.suggester is not None
        have = self._keys()
        keys = {span_id: key for key, span_id in have.items()}
        links = {(r.type, keys[r.head], keys[r.tail]) for r in self.relations.values()
                 if r.head in keys and r.tail in keys}
        return self.suggester.accept(self._set(), self.offers.proposals, indexes, have=have,
                                     links=links)

    def _need_suggestion(self) -> tuple[int, Suggestion]:
        index = self.offers.current
        if self.suggester is None or index is None or not self.offers.is_offered(index):
            raise UserError(translate("Annotation",
                                      "No suggestion chosen: Tab goes to the next suggestion"))
        return index, self.offers.spans[index]

    def _set_current_suggestion(self, index: int | None) -> None:
        old = self.offers.current
        self.offers.current = index
        self.suggestions_changed.emit(self.offers.ranges_of(old, index))
        self.suggestion_changed.emit(index)

    def _keys(self) -> dict[Key, int]:
        return {(s.start, s.end, s.label): s.id or 0 for s in self.spans.all()}

    def _suggestion_step(self, description: str, do: Callable[[], Change]) -> None:
        """Run a change of the set (accepting or rejecting suggestions) and record its undo:
        the exact inverse change, in one transaction."""
        status_before = self.status
        change = self._run(do)
        if change.empty:
            self.message.emit(translate("Annotation", "Nothing to change"))
            return
        self._show_change(change)
        holder = {"done": change}

        def undo(status: SetStatus | None) -> None:
            holder["undone"] = self.service.change(
                change.set_id, **self.service.inverse_of(holder["done"]), status=status)
            self._show_change(holder["undone"])

        def redo() -> None:
            holder["done"] = self.service.change(
                change.set_id, **self.service.inverse_of(holder["undone"]))
            self._show_change(holder["done"])

        self._push(description, redo=redo, undo=undo, status_before=status_before)

    def _show_change(self, change: Change) -> None:
        """Mirror a committed :class:`Change` of the set: spans, relations, rejections."""
        for removed in change.removed:
            self.spans.remove(removed.span.id or 0)
            for relation in removed.relations:
                self.relations.pop(relation.id or 0, None)
        for span in change.put:
            self.spans.add(span)
        for relation in change.unlinked:
            self.relations.pop(relation.id or 0, None)
        for relation in change.linked:
            self.relations[relation.id or 0] = relation
        self.offers.rejected.difference_update(r.key for r in change.undismissed)
        self.offers.rejected.update(r.key for r in change.dismissed)
        self.span_rows_changed.emit([d.span for d in change.removed], list(change.put))
        if self.selected is not None and self.selected not in self.spans:
            self.select_span(None)
        ranges = [(d.span.start, d.span.end) for d in change.removed]
        ranges += [(s.start, s.end) for s in change.put]
        ranges += [(r.start, r.end) for r in (*change.dismissed, *change.undismissed)]
        if change.removed or change.linked or change.unlinked:
            self.relations_changed.emit()
        self._changed(ranges)

    # -- document status and time ----------------------------------------------------------------

    @edits
    def mark_done(self) -> None:
        set_id, before = self._set(), self.status
        self.activity()
        self.flush_time()   # the time up to now goes with the document, before it is done
        if before == SetStatus.DONE:
            return
        self._run(lambda: self.service.set_status(set_id, SetStatus.DONE))
        self._set_status(SetStatus.DONE)
        self.saved.emit()

        def undo() -> None:
            self.service.set_status(set_id, before)
            self._set_status(before)

        def redo() -> None:
            self.service.set_status(set_id, SetStatus.DONE)
            self._set_status(SetStatus.DONE)

        self.history.push(Step(translate("Annotation", "mark done"), redo=redo, undo=undo))

    def activity(self) -> None:
        self.timer.activity(self.clock())

    def flush_time(self) -> float:
        """Write the active seconds counted so far to the store; returns them (0 on an error,
        which is shown as a message and the seconds are kept for the next flush)."""
        seconds = self.timer.take()
        if seconds > 0 and self.set_id is not None:
            try:
                self.service.add_active_seconds(self.set_id, seconds)
            except UserError as exc:
                self.timer.give_back(seconds)
                self.message.emit(str(exc))
                return 0.0
        return seconds

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

    def _attribute_step(self, label: str, name: str, value: str | None) -> str:
        """An undo step's words for setting attribute ``name`` of a ``label`` span."""
        from annotator.ui.viewmodels.words import value_name

        found = [a for a in self.schema.attributes_of(label) if a.name == name]
        if not found:
            return f"{name} = {value}"
        attribute = found[0]
        shown = value_name(attribute.values, attribute.values_ar, value) if value else "—"
        return f"{name_of(attribute)} = {shown}"

    def _remember(self, span: Span) -> None:
        if self._known is not None and self.schema.label(span.label).strips_clitics:
            self._known.remember([span.text])   # in place (the service's names, shared)

    def _mark_in_progress(self) -> None:
        """Mirror the service: the first change of a set's annotations moves todo to in progress."""
        if self.status == SetStatus.TODO:
            self._set_status(SetStatus.IN_PROGRESS)

    def _set_status(self, status: SetStatus) -> None:
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)

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

    def _own_versions(self, ids: list[int]) -> dict[int, int]:
        """The versions this window's own last changes left the spans at: an undo or redo
        names them, so that it is refused when someone else changed a span since (even after
        the window refreshed and shows their change)."""
        found = {}
        for span_id in ids:
            span = self.spans.get(span_id)
            found[span_id] = self._own.get(span_id, span.version if span is not None else 1)
        return found

    # -- other sets, read only ----------------------------------------------------------------

    def own_kind(self) -> SetKind:
        """The kind of set this window edits (gold in review mode)."""
        return SetKind.ANNOTATION

    def _own_owner(self) -> str:
        return self.service.annotator

    def set_choices(self) -> list[SetChoice]:
        """The sets of the open document the user may see: their own first (editable, even
        before it exists), then the others they may read (read only)."""
        if self.document is None or self.document.id is None:
            return []
        try:
            headers = self.service.readable_sets(self.document.id)
        except UserError as exc:
            self.message.emit(str(exc))
            headers = []
        own = SetChoice(self.set_id, self._own_owner(), self.own_kind(), self.status, True)
        others = [SetChoice(h.set_id, h.owner, h.kind, h.status, False) for h in headers
                  if not self._is_own(h)]
        return [own, *others]

    def _is_own(self, header: SetHeader) -> bool:
        return header.set_id == self.set_id or (
            header.kind == self.own_kind() and header.owner == self._own_owner())

    def read_only_message(self) -> str:
        shown = self.viewing
        assert shown is not None
        return translate("Annotation", "Read only: {set} is shown. Choose your own set to "
                         "edit (View → Show set).").format(set=shown.describe())

    @user_action
    def show_set(self, choice: SetChoice | None) -> None:
        """Show ``choice`` read only in place of the user's own set (which is kept, with its
        undo history); None or an editable choice: the user's own set again."""
        self._need_document()
        if choice is None or choice.editable or choice.set_id is None \
                or choice.set_id == self.set_id:
            self._show_own()
            return
        contents = self.service.load_set(choice.set_id)   # refused if not the user's to read
        if self._stash is None:
            self._stash = (self.spans, self.relations, self.selected)
        self.viewing = choice
        self._show_contents(contents)
        self.message.emit(self.read_only_message())

    def _show_own(self) -> None:
        if self._stash is None:
            return
        self.spans, self.relations, self.selected = self._stash
        self._stash, self.viewing = None, None
        self.pending_relation = None
        self.set_shown.emit()
        self.refresh()   # whatever changed in the user's set meanwhile (another window)

    def _show_contents(self, contents: AnnotationSet) -> None:
        self.spans = self._index(contents.spans)
        self.relations = {r.id or 0: r for r in contents.relations}
        self.selected = None
        self.pending_relation = None
        self.set_shown.emit()

    def _index(self, spans: tuple[Span, ...] | list[Span]) -> SpanIndex:
        return SpanIndex(spans)

    # -- other writers ----------------------------------------------------------------------

    def poll_external(self) -> bool:
        """Refresh when another window or process changed the open set (the window calls this
        every second); returns whether it did."""
        shown = self.viewing.set_id if self.viewing is not None else self.set_id
        if self.document is None or shown is None:
            return False
        if self._watcher is None:
            self._watcher = self.service.watcher()
            return False
        if shown in self._watcher.changed_sets():
            return self.refresh()
        return False

    def refresh(self) -> bool:
        """Read the open set again after someone else changed it: their spans, relations and
        status show; the selection (if its span is still there), the search and the undo
        history of this window's own actions stay. Returns whether anything changed. While
        another set is shown read only, that set is read again."""
        if self.viewing is not None and self.viewing.set_id is not None:
            self._show_contents(self.service.load_set(self.viewing.set_id))
            return True
        if self.document is None or self.set_id is None:
            return False
        fresh = self.service.load_set(self.set_id)
        old = {s.id: s for s in self.spans.all()}
        new = {s.id: s for s in fresh.spans}
        removed = [s for i, s in old.items()
                   if i not in new or new[i] != s or new[i].version != s.version]
        added = [s for i, s in new.items()
                 if i not in old or old[i] != s or old[i].version != s.version]
        relations = {r.id or 0: r for r in fresh.relations}
        if not removed and not added and relations == self.relations \
                and fresh.status == self.status:
            return False
        for span in removed:
            self.spans.remove(span.id or 0)
        for span in added:
            self.spans.add(span)
        self.relations = relations
        self.span_rows_changed.emit(removed, added)
        if self.selected is not None and self.selected not in self.spans:
            self.select_span(None)
        self.relations_changed.emit()
        self.spans_changed.emit([(s.start, s.end) for s in removed + added])
        self._set_status(fresh.status)
        return True

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
