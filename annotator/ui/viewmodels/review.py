"""Review mode: the gold set of a document built from candidates (the reviewer's queue is in
review_queue.py).

:class:`ReviewViewModel` is the annotation view-model working on the document's gold set (so
labeling, boundary keys, relations, search and undo work as in annotation), plus the candidates
merged from the annotators' sets and the decisions: accept, reject, take annotator N's version of
the region, accept every unanimous candidate, mark reviewed. Each decision is one transaction
(:meth:`~annotator.services.annotate.AnnotationService.change`) and one undo step; its undo is
the exact inverse change. No Qt here.
"""

from __future__ import annotations

import functools
import time
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import replace
from types import MappingProxyType
from typing import Any, TypeVar

from annotator.core.adjudication import Candidate, Key, Region, Review, State
from annotator.core.collector import cycle_collector_paused
from annotator.core.errors import UserError
from annotator.core.model import SetKind, SetStatus, Span
from annotator.core.schema import Schema
from annotator.services.annotate import Change
from annotator.services.review import GoldState, ReviewDocument, ReviewService
from annotator.ui.viewmodels.annotation import AnnotationViewModel, edits, user_action
from annotator.ui.viewmodels.observable import Signal
from annotator.ui.viewmodels.relation_table import KeyedLinks
from annotator.ui.viewmodels.review_queue import ReviewQueueViewModel
from annotator.ui.viewmodels.spans import Reach, SpanIndex
from annotator.ui.viewmodels.words import short_text, translate

__all__ = ["KeyedSpanIndex", "Mark", "ReviewQueueViewModel", "ReviewViewModel", "decision"]

# (start, end, label, agreement, current): an open candidate as the highlighter draws it.
Mark = tuple[int, int, str, str, bool]
F = TypeVar("F", bound=Callable[..., Any])


def decision(method: F) -> F:
    """A review decision and the move after it: shown as one update (OneUpdate)."""

    @functools.wraps(method)
    def wrapper(self: ReviewViewModel, *args: Any, **kwargs: Any) -> Any:
        with self._one_update():
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class KeyedSpanIndex(SpanIndex):
    """A span index that also finds a span's id by its (start, end, label)."""

    def __init__(self, spans: list[Span] | tuple[Span, ...] = ()) -> None:
        self.ids: dict[Key, int] = {}
        super().__init__(spans)
        self.ids = {(s.start, s.end, s.label): s.id or 0 for s in self.all()}

    def add(self, span: Span) -> None:
        super().add(span)
        self.ids[(span.start, span.end, span.label)] = span.id or 0

    def remove(self, span_id: int) -> Span | None:
        span = super().remove(span_id)
        if span is not None:
            self.ids.pop((span.start, span.end, span.label), None)
        return span


class ReviewViewModel(AnnotationViewModel):
    reviewing = True

    def __init__(self, review: ReviewService, schema: Schema, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(review.gold, schema, clock=clock)
        self.review_service = review
        self.opened: ReviewDocument | None = None
        self.review: Review | None = None
        self.states: list[State] = []
        self.rejected: set[Key] = set()
        self.current: int | None = None
        self.figures: dict[str, Any] | None = None
        self._open_disagreements = 0      # kept up to date with ``states`` (counts())
        self._open = 0
        self.candidates_changed = Signal()   # (list of (start, end) ranges to redraw)
        self._levels: dict[int, str] = {}    # agreement by who has a candidate (bit mask)
        self._reach = Reach([])
        self._redraw: list[tuple[int, int]] = []
        self.current_changed = Signal()      # (candidate index or None)
        self.spans_changed.connect(self._gold_changed)

    # -- opening ---------------------------------------------------------------------------

    @user_action
    def open(self, document_id: int) -> None:
        """Open a document for review (reopening reads it again); writes nothing."""
        with cycle_collector_paused():   # every annotator's spans and their candidates
            self._open_for_review(document_id)

    def _open_for_review(self, document_id: int) -> None:
        self.flush_time()
        opened = self.review_service.open(document_id)
        self.opened = opened
        self.review = opened.review
        self._show(opened.document, opened.gold, KeyedSpanIndex(opened.gold.spans))
        self.rejected = set(opened.rejected)
        self.states = opened.states()
        review = opened.review
        self._levels = {mask: level.value for mask, level in review.agreement_of.items()}
        self._reach = Reach(review.keys)
        self._open = self.states.count(State.OPEN)
        self._open_disagreements = review.unanimous.count(False) \
            if self._open == len(self.states) else \
            sum(1 for state, unanimous in zip(self.states, review.unanimous)
                if state == State.OPEN and not unanimous)
        self.current = None
        self.figures = None
        self.document_opened.emit()
        self.next_disagreement()

    def refresh(self) -> bool:
        """Another reviewer changed this gold set: their spans and rejections show, the
        candidates' states follow (the undo history of this window's own decisions stays)."""
        if self.opened is None:
            return False
        changed = super().refresh()
        if self.set_id is not None and self.viewing is None:
            rejected = self.review_service.rejections(self.set_id)
            if rejected != self.rejected:
                ranges = [(k[0], k[1]) for k in rejected ^ self.rejected]
                self.rejected = set(rejected)
                self.spans_changed.emit(ranges)
                changed = True
        return changed

    def load_figures(self) -> dict[str, Any] | None:
        """The document's agreement figures (computed on first use: on a long book they take a
        moment, so the window asks for them after it has shown the document)."""
        if self.figures is None and self.opened is not None:
            with cycle_collector_paused():
                self.figures = self.review_service.figures(self.opened)
        return self.figures

    # -- reading ---------------------------------------------------------------------------

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        return self.review.candidates if self.review is not None else ()

    @property
    def annotators(self) -> tuple[str, ...]:
        return self.review.annotators if self.review is not None else ()

    def candidate(self, index: int | None) -> Candidate | None:
        if index is None or not 0 <= index < len(self.candidates):
            return None
        return self.candidates[index]

    def is_disagreement(self, index: int) -> bool:
        review = self.review
        return review is not None and self.states[index] == State.OPEN \
            and not review.unanimous[index]

    def counts(self) -> dict[str, int]:
        """Open disagreements, open unanimous candidates, and decided candidates."""
        return {"disagreements": self._open_disagreements,
                "unanimous": self._open - self._open_disagreements,
                "decided": len(self.states) - self._open, "candidates": len(self.states)}

    def marks(self, start: int, end: int) -> list[Mark]:
        """The open candidates sharing a character with [start, end), for the highlighter (none
        while another set is shown)."""
        if self.viewing is not None or self.review is None:
            return []
        keys, masks, levels = self.review.keys, self.review.masks, self._levels
        near = start - self._reach.short   # no short candidate starting before this reaches
        lo = bisect_left(keys, (near,))
        hi = bisect_left(keys, (end,))
        states, current, is_open = self.states, self.current, State.OPEN
        found = []
        far = self._reach.long_before(start, near)
        for i in (range(lo, hi) if not far else (*far, *range(lo, hi))):
            s, e, label = keys[i]
            if e > start and (states[i] == is_open or i == current):
                found.append((s, e, label, levels[masks[i]], i == current))
        return found

    def region(self) -> Region | None:
        """The current candidate's region (None while another set is shown)."""
        if self.viewing is not None:
            return None
        candidate = self.candidate(self.current)
        return self.review.regions[candidate.region] if candidate and self.review else None

    def versions(self) -> list[tuple[int, str, list[Span], list[str]]]:
        """For the current candidate's region: (number, annotator, spans, relation lines) of each
        annotator (numbered 1..N as the keys that take a version), then gold as number 0."""
        region = self.region()
        if region is None or self.review is None:
            return []
        found = []
        for number, name in enumerate(self.review.annotators, start=1):
            version = self.review.version(name, self.candidates[self.current or 0].region)
            lines = [f"{kind}: «{self._key_text(head)}» → «{self._key_text(tail)}»"
                     for kind, head, tail in version.relations]
            found.append((number, name, list(version.spans), lines))
        gold = [s for s in self.spans.overlapping(region.start, region.end)]
        lines = []
        linked = {r.id: r for s in gold for r in self.relations.touching(s.id or 0)}
        for relation in linked.values():
            head, tail = self.span(relation.head), self.span(relation.tail)
            if head and tail:
                lines.append(f"{relation.type}: «{head.text}» → «{tail.text}»")
        found.append((0, translate("Review", "gold"), gold, sorted(lines)))
        return found

    def _key_text(self, key: Key) -> str:
        return short_text(self.text[key[0]:key[1]], 40)

    def gold_state(self) -> GoldState:
        """The gold set as shown, for a decision. Nothing is copied: a decision's cost must not
        grow with the gold set. The span ids by key are the index's own, and the rejected
        keys the view-model's own set (both read during the decision, changed only after it).
        The relations by their ends' keys are looked up when asked (:class:`KeyedLinks`), and
        the spans near a range come from the index."""
        spans = self.spans
        ids = MappingProxyType(spans.ids if isinstance(spans, KeyedSpanIndex) else {})

        def overlapping(start: int, end: int) -> list[Key]:
            return [s.sort_key for s in spans.overlapping(start, end)]

        return GoldState(ids, KeyedLinks(ids, self.relations), self.rejected, self.set_id,
                         overlapping)

    # -- navigation ------------------------------------------------------------------------

    @edits
    def next_disagreement(self, step: int = 1) -> Candidate | None:
        """Move to the next (step 1) or previous (-1) open disagreement, cycling; None (with a
        message) when none is left."""
        self.activity()
        n = len(self.candidates)
        if n == 0:
            self._set_current(None)
            return None
        here = self.current if self.current is not None else (-1 if step > 0 else n)
        for k in range(1, n + 1):
            i = (here + step * k) % n
            if self.is_disagreement(i):
                self._set_current(i)
                return self.candidates[i]
        counts = self.counts()
        self.message.emit(translate("Review", "No disagreement left; unanimous candidates: "
                                    "{count} (u accepts them)").format(count=counts["unanimous"])
                          if counts["unanimous"] else
                          translate("Review", "Every candidate is decided (Ctrl+Enter marks the "
                                    "document reviewed)"))
        return None

    def go_to(self, index: int | None) -> None:
        self._set_current(index if self.candidate(index) is not None else None)

    def _set_current(self, index: int | None) -> None:
        old = self.candidate(self.current)
        self.current = index
        new = self.candidate(index)
        self._candidates_changed([(c.start, c.end) for c in (old, new) if c is not None])
        self.current_changed.emit(index)

    # -- decisions -------------------------------------------------------------------------

    @edits
    @decision
    def accept_current(self) -> None:
        """Enter: the current candidate into gold; on to the next disagreement (as x and 1-9
        move on, and as Enter on a suggestion: nothing newly selected)."""
        candidate = self._need_current()
        if not self._decided(candidate):
            self._accept(candidate)
        self.next_disagreement()

    @edits
    @decision
    def accept_to_fix(self) -> None:
        """Shift+Enter: the current candidate into gold, selected, staying on it: the boundary,
        label, attribute and relation keys (and Delete) act on the gold span at once, beside
        the versions they are fixed from; Tab moves on. A candidate already in gold is
        selected."""
        candidate = self._need_current()
        key = candidate.key
        if key in self.spans.ids:  # type: ignore[attr-defined]
            self.select_span(self.spans.ids[key])  # type: ignore[attr-defined]
        elif not self._decided(candidate):
            self._accept(candidate, select=True)

    def _decided(self, candidate: Candidate) -> bool:
        """True, with a message, when the current candidate is decided already: in gold, or
        superseded by another version of its region in gold (its fix after Shift+Enter, another
        reviewer's decision): Enter does not put it back beside gold's version (Tab stops only
        at open candidates). A rejected one is accepted, as before: the reviewer overrides."""
        if candidate.key in self.spans.ids:  # type: ignore[attr-defined]
            self.message.emit(translate("Review", "Already in gold"))
            return True
        if self.current is not None and self.states[self.current] == State.SUPERSEDED:
            self.message.emit(translate("Review", "Decided already: gold has its region's "
                                        "version"))
            return True
        return False

    def _accept(self, candidate: Candidate, *, select: bool = False) -> None:
        key = candidate.key
        self._decide(translate("Review", "accept {label}").format(
            label=self._label_name(candidate.label)),
                     lambda: self.review_service.accept(self._opened(), key, self.gold_state()),
                     select=key if select else None)

    @edits
    @decision
    def reject_current(self) -> None:
        candidate = self._need_current()
        self._decide(translate("Review", "reject {label}").format(
            label=self._label_name(candidate.label)), lambda: self.review_service.reject(
            self._opened(), candidate.key, self.gold_state()))
        self.next_disagreement()

    @edits
    @decision
    def take_version(self, number: int) -> None:
        """Key 1-9: the current region becomes annotator ``number``'s version of it."""
        candidate = self._need_current()
        if not 1 <= number <= len(self.annotators):
            self.message.emit(translate("Review", "Annotators: {count} (keys 1-{count})")
                              .format(count=len(self.annotators)))
            return
        name = self.annotators[number - 1]
        self._decide(translate("Review", "take {name}'s version").format(name=name),
                     lambda: self.review_service.take_version(
                         self._opened(), name, candidate.region, self.gold_state()))
        self.next_disagreement()

    @edits
    @decision
    def accept_unanimous(self) -> None:
        keys = self.review_service.unanimous_keys(self._opened(), self.gold_state())
        if not keys:
            self.message.emit(translate("Review", "No open unanimous candidate"))
            return
        self._decide(translate("Review", "accept the unanimous candidates ({count})").format(
            count=len(keys)), lambda: self.review_service.accept_unanimous(
            self._opened(), self.gold_state()))
        if self.current is None or self.states[self.current] != State.OPEN:
            self.next_disagreement()
        self.message.emit(translate("Review", "Unanimous candidates accepted: {count}")
                          .format(count=len(keys)))

    # -- internals -------------------------------------------------------------------------

    def _opened(self) -> ReviewDocument:
        if self.opened is None:
            raise UserError(translate("Annotation", "No document is open"))
        return self.opened

    def _need_current(self) -> Candidate:
        candidate = self.candidate(self.current)
        if candidate is None:
            raise UserError(translate("Review",
                                      "No candidate chosen: Tab goes to the next disagreement"))
        return candidate

    def own_kind(self) -> SetKind:
        return SetKind.GOLD

    def _own_owner(self) -> str:
        from annotator.core.model import GOLD

        return GOLD

    def _index(self, spans: tuple[Span, ...] | list[Span]) -> SpanIndex:
        return KeyedSpanIndex(spans)

    def _set(self) -> int:
        """The gold set, created (todo) with the first change of a document without one."""
        if self.set_id is None:
            document = self._need_document()
            self.set_id = self.service.change(None, document_id=document.id).set_id
        return self.set_id

    def _decide(self, description: str, do: Callable[[], Change], *,
                select: Key | None = None) -> None:
        """One decision: one transaction, shown, one undo step; ``select``: the gold span of
        that key is selected as it is shown (the article draws it once, selected)."""
        status_before = self.status
        change = self._run(do)
        if change.empty:
            self.message.emit(translate("Annotation", "Nothing to change"))
            return
        self._apply_change(change, select=select)
        holder: dict[str, Change] = {"done": change}

        def undo(status: SetStatus | None) -> None:
            undone = self.service.change(change.set_id, **self._inverse(holder["done"]),
                                         status=status)
            holder["undone"] = undone
            self._apply_change(undone)

        def redo() -> None:
            again = self.service.change(change.set_id, **self._inverse(holder["undone"]))
            holder["done"] = again
            self._apply_change(again)

        self._push(description, redo=redo, undo=undo, status_before=status_before)

    def _inverse(self, change: Change) -> dict[str, Any]:
        """What undoes ``change``, naming its spans at the versions this window's own last
        changes left them: a fix made after the decision and undone since moved them on (the
        decision's undo was refused as if someone else had changed them); a change by someone
        else is still refused."""
        inverse = self.service.inverse_of(change)
        inverse["delete"] = [replace(s, version=self._own.get(s.id or 0, s.version))
                             for s in inverse["delete"]]
        return inverse

    def _apply_change(self, change: Change, *, select: Key | None = None) -> None:
        self.set_id = change.set_id
        selected = self.selected
        for removed in change.removed:
            self.spans.remove(removed.span.id or 0)
            self._own.pop(removed.span.id or 0, None)
            for relation in removed.relations:
                self.relations.pop(relation.id or 0, None)
        for span in change.put:
            self.spans.add(span)
            self._own[span.id or 0] = span.version
        if select is not None and select in self.spans.ids:  # type: ignore[attr-defined]
            self.selected = self.spans.ids[select]  # type: ignore[attr-defined]
        for relation in change.unlinked:
            self.relations.pop(relation.id or 0, None)
        for relation in change.linked:
            self.relations[relation.id or 0] = relation
        self.rejected.difference_update(change.unrejected)
        self.rejected.update(change.rejected)
        self.span_rows_changed.emit([d.span for d in change.removed], list(change.put))
        if self.selected is not None and self.selected not in self.spans:
            self.select_span(None)
        ranges = [(d.span.start, d.span.end) for d in change.removed]
        ranges += [(s.start, s.end) for s in change.put]
        ranges += [(k[0], k[1]) for k in (*change.rejected, *change.unrejected)]
        if change.linked or change.unlinked or any(d.relations for d in change.removed):
            self.relations_changed.emit()   # (the span list redraws a column of every row)
        self._changed(ranges)
        if self.selected != selected and self.selected is not None:
            self.selection_changed.emit(self.selected)

    def _gold_changed(self, ranges: list[tuple[int, int]]) -> None:
        """Gold changed in ``ranges``: the states of the candidates of the regions there."""
        if self.review is None or not ranges:
            return
        review = self.review
        touched: set[int] = set()
        for start, end in ranges:
            touched.update(review.regions_overlapping(start, end))
        redraw = []
        keys, unanimous, firsts = review.keys, review.unanimous, review.region_firsts
        for region in sorted(touched):
            last = firsts[region + 1] if region + 1 < len(firsts) else len(keys)
            for i in range(firsts[region], last):
                start, end, label = key = keys[i]
                near = [(s.start, s.end, s.label) for s in self.spans.overlapping(start, end)]
                new = State.ACCEPTED if key in near else State.REJECTED \
                    if key in self.rejected else State.SUPERSEDED if any(
                        n_label == label or (n_start, n_end) == (start, end)
                        for n_start, n_end, n_label in near) else State.OPEN
                old = self.states[i]
                if new != old:
                    was_open, is_open = old == State.OPEN, new == State.OPEN
                    self._open += is_open - was_open
                    if not unanimous[i]:
                        self._open_disagreements += is_open - was_open
                    self.states[i] = new
            redraw.append((review.region_starts[region], review.region_ends[region]))
        self._candidates_changed(redraw)

    def _candidates_changed(self, ranges: list[tuple[int, int]]) -> None:
        if self._busy:
            self._redraw += ranges
        else:
            self.candidates_changed.emit(ranges)

    def _settling(self) -> None:
        """A decision and the move after it: the candidates to redraw announced once, while
        the views still gather (they draw each paragraph once when it has settled)."""
        ranges, self._redraw = self._redraw, []
        if ranges:
            self.candidates_changed.emit(sorted(set(ranges)))
