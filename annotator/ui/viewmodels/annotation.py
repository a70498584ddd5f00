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
"""

from __future__ import annotations

import functools
import time
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from annotator.core.edges import move_edge
from annotator.core.errors import ConflictError, UserError
from annotator.core.model import Document, Relation, SetStatus, Span
from annotator.core.schema import Schema
from annotator.core.search import SearchIndex
from annotator.core.snap import KnownNames
from annotator.core.suggest import Suggestion
from annotator.services.annotate import AnnotationService, Change, DeletedSpan
from annotator.services.suggesting import EMPTY, Key, SuggestionService
from annotator.ui.viewmodels.history import History, Step
from annotator.ui.viewmodels.observable import Signal
from annotator.ui.viewmodels.spans import SpanIndex
from annotator.ui.viewmodels.suggestions import SuggestionLayer
from annotator.ui.viewmodels.timer import ActiveTimer

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
            self.message.emit(f"{exc} — reloaded / أعيد التحميل")
            self.refresh()
            return None
        except UserError as exc:
            self.message.emit(str(exc))
            return None

    return wrapper  # type: ignore[return-value]


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
                 suggestions: SuggestionService | None = None) -> None:
        self.service = service
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
        # what snapping needs is read when the window is built, not at the first selection
        service.prepare_snapping()

    # -- opening ---------------------------------------------------------------------------

    @user_action
    def open(self, document_id: int) -> None:
        """Open a document (creating this annotator's set if needed); the open one stays as is."""
        if self.document is not None and self.document.id == document_id:
            return
        self.flush_time()
        opened = self.service.open_document(document_id)
        if self.suggester is not None and self.document is not None:
            self.suggester.learn(self.text, self.spans.all())   # names of the one left
        proposals = self.suggester.proposals(opened.document, opened.set.id) \
            if self.suggester is not None else EMPTY
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
        self._own = {}
        self.timer.reset()
        self.offers.reset(proposals, self._keys())
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

    def relation_lines(self, span_id: int) -> list[tuple[Relation, int, str]]:
        """The relations of a span as (relation, the other span's id, a line to show):
        from a quote "قائل Said by: <actor>", from the actor "(قائل Said by): <quote>"."""
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
            # from the tail (the actor of a said_by) the name is in parentheses: "(قائل Said by)"
            name = f"{kind.ar} {kind.en}" if outgoing else f"({kind.ar} {kind.en})"
            found.append((relation, other_id, name, other.text if other else "?"))
        return found

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
                self.select_span(existing.id)
                self.message.emit(f"already labeled {label}")
                return existing
        status_before = self.status
        span = self._run(lambda: self.service.add_span(self._set(), snapped.start, snapped.end, label))
        self._apply_added([span])
        self._remember(span)
        self.select_span(span.id)
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

        self._push(f"label {label}", redo=redo, undo=undo, status_before=status_before)
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
        """An attribute key (d, i, p): set the value, or clear it when the span has it already."""
        span = self._need_selected()
        attributes = dict(span.attributes)
        if attributes.get(name) == value:
            attributes.pop(name)
        else:
            attributes[name] = value
        self._update(span, f"{name} = {value}", attributes=attributes)

    @user_action
    def choose_attribute(self, name: str, value: str | None) -> None:
        """An attribute chosen in a list: ``value``, or None to clear it."""
        span = self._need_selected()
        attributes = dict(span.attributes)
        if value is None:
            attributes.pop(name, None)
        else:
            attributes[name] = value
        if attributes != dict(span.attributes):
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

        self._push("delete", redo=redo, undo=undo, status_before=status_before)

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
                self.message.emit(f"click a {kind.tail} span to complete {kind.name} (Esc cancels)")
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
            self.message.emit(f"choose a {kind.tail} span to complete {kind.name} (Esc cancels)")
            return
        self.complete_relation(span.id or 0)

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
        status_before = self.status
        relation = self._run(lambda: self.service.add_relation(self._set(), name, head, tail_id))
        self._relation_added(relation)

        def undo(status: SetStatus | None) -> None:
            self.service.delete_relation(relation.id or 0, status=status)
            self._relation_deleted(relation)

        def redo() -> None:
            self._relation_added(self.service.restore_relation(relation))

        self._push(f"relation {name}", redo=redo, undo=undo, status_before=status_before)
        return relation

    @user_action
    def delete_relation(self, relation_id: int) -> None:
        status_before = self.status
        relation = self._run(lambda: self.service.delete_relation(relation_id))
        self._relation_deleted(relation)

        def undo(status: SetStatus | None) -> None:
            self._relation_added(self.service.restore_relation(relation, status=status))

        def redo() -> None:
            self.service.delete_relation(relation_id)
            self._relation_deleted(relation)

        self._push("delete relation", redo=redo, undo=undo, status_before=status_before)

    def cancel(self) -> None:
        if self.pending_relation is not None:
            self.pending_relation = None
            self.message.emit("relation cancelled")
            self.pending_changed.emit()
        elif self.hits:
            self.clear_search()
        else:
            self.select_span(None)

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

        self._push(f"label {len(added)} hits {label}", redo=redo, undo=undo,
                   status_before=status_before)
        self.message.emit(f"labeled {len(added)} hits as {label}")
        return added

    # -- suggestions ---------------------------------------------------------------------------

    def suggestion_marks(self, start: int, end: int) -> list[tuple[int, int, str, str]]:
        """The offered suggestions in [start, end), for the highlighter."""
        return self.offers.marks(start, end)

    @user_action
    def next_suggestion(self, step: int = 1) -> Suggestion | None:
        """Tab / Shift+Tab: the next (previous) offered suggestion becomes current, cycling;
        None (with a message) when none is left."""
        self.activity()
        index = self.offers.step(step)
        self._set_current_suggestion(index)
        if index is None:
            self.message.emit("no suggestion left / لا اقتراحات" if self.suggester is not None
                              else "suggestions are off in this mode")
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
        head = f"اقتراح suggestion {where}: {label.ar} {label.en} «{text}» "
        parts = [head + f"({s.suggester} {s.confidence:.2f})"]
        for kind, other, outgoing in self.offers.partners(index):
            rel = self.schema.relation(kind)
            o = self.offers.spans[other]
            name = f"{rel.ar} {rel.en}" if outgoing else f"({rel.ar} {rel.en})"
            parts.append(f"{name}: «{_short(self.text[o.start:o.end], 30)}»")
        parts.append("Enter accepts, x rejects, Shift+Enter accepts all")
        return " — ".join(parts)

    @user_action
    def accept_suggestion(self) -> None:
        """Enter: copy the current suggestion into the set (with its relations to spans the set
        has), then go to the next one."""
        index, s = self._need_suggestion()
        self._suggestion_step(f"accept suggested {s.label}", lambda: self._accept([index]))
        self.next_suggestion()

    @user_action
    def reject_suggestion(self) -> None:
        """x: reject the current suggestion (hidden for this annotator, remembered)."""
        _, s = self._need_suggestion()
        assert self.suggester is not None
        self._suggestion_step(f"reject suggested {s.label}",
                              lambda: self.suggester.reject(self._set(), s))  # type: ignore[union-attr]
        self.next_suggestion()

    @user_action
    def accept_all_suggestions(self) -> None:
        """Shift+Enter: accept every offered suggestion of the document in one step."""
        offered = self.offers.offered()
        if self.suggester is None or not offered:
            self.message.emit("no suggestion to accept")
            return
        self._suggestion_step(f"accept {len(offered)} suggestions", lambda: self._accept(offered))
        self._set_current_suggestion(None)
        self.message.emit(f"accepted {len(offered)} suggestions (Ctrl+Z undoes)")

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
            raise UserError("no suggestion chosen: Tab goes to the next suggestion")
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
            self.message.emit("nothing to change")
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

    @user_action
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

        self.history.push(Step("mark done", redo=redo, undo=undo))

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

    # -- other writers ----------------------------------------------------------------------

    def poll_external(self) -> bool:
        """Refresh when another window or process changed the open set (the window calls this
        every second); returns whether it did."""
        if self.document is None or self.set_id is None:
            return False
        if self._watcher is None:
            self._watcher = self.service.watcher()
            return False
        if self.set_id in self._watcher.changed_sets():
            return self.refresh()
        return False

    def refresh(self) -> bool:
        """Read the open set again after someone else changed it: their spans, relations and
        status show; the selection (if its span is still there), the search and the undo
        history of this window's own actions stay. Returns whether anything changed."""
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

    def _apply_added(self, spans: list[Span]) -> None:
        for span in spans:
            self.spans.add(span)
            self._own[span.id or 0] = span.version
        self.span_rows_changed.emit([], list(spans))
        self._changed([(s.start, s.end) for s in spans])

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
