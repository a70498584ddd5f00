"""The suggestions of the open document in the window: moving between them, accepting and
rejecting them, each one transaction and one undo step. A mixin of the annotation view-model
(:class:`~annotator.ui.viewmodels.annotation.AnnotationViewModel`), whose state it reads."""

from __future__ import annotations

from typing import Callable

from annotator.core.errors import UserError
from annotator.core.model import SetStatus
from annotator.core.suggest import Suggestion
from annotator.services.annotate import Change
from annotator.services.suggesting import EMPTY, Proposals
from annotator.ui.viewmodels.actions import edits
from annotator.ui.viewmodels.relation_table import KeyedLinks
from annotator.ui.viewmodels.spans import SpanKeys
from annotator.ui.viewmodels.words import name_of, short_text, translate


class SuggestionActions:
    """Offering the open document's suggestions (at once, or handed back by a background),
    and Tab / Shift+Tab, Enter, x and Shift+Enter on them."""

    def offer_suggestions(self) -> None:
        """Compute the open document's suggestions with this view-model's suggester (given
        after the document was opened: a window's first paint does not wait for them) and
        offer them."""
        if self.suggester is not None and self.document is not None:
            self._offer(self.suggester.prepare(self.document, self.set_id), announce=True)

    def drop_pending_suggestions(self) -> None:
        """Suggestions still being computed are dropped when they come (the window closes)."""
        self._offers_for = None
        self.computing_suggestions = False

    def _offer(self, prepared: Proposals | Callable[[], Proposals], *, announce: bool) -> None:
        """Offer the suggestions :meth:`SuggestionService.prepare` gave: at once when they
        are read from the store or there is no background; else none until the background
        hands them back (dropped if another document was opened meanwhile). ``announce``:
        the document is already shown and its suggestions are drawn when they are offered."""
        token = self._offers_for = object()
        if isinstance(prepared, Proposals) or self.background is None:
            proposals = prepared if isinstance(prepared, Proposals) else prepared()
            self._offers_ready(token, proposals, announce=announce)
            return
        self.offers.reset(EMPTY, ())
        self.computing_suggestions = True
        self.background.run(prepared, lambda found: self._offers_ready(token, found),
                            failed=lambda error: self._offers_failed(token, error))

    def _offers_failed(self, token: object, error: BaseException) -> None:
        if token is self._offers_for:
            self.computing_suggestions = False
            self.message.emit(translate("Annotation", "Suggestions failed: {error}")
                              .format(error=error))

    def _offers_ready(self, token: object, proposals: Proposals, *,
                      announce: bool = True) -> None:
        if token is not self._offers_for:
            return   # for a document no longer open
        self.computing_suggestions = False
        own = self._stash[0] if self._stash is not None else self.spans   # not a set viewed
        # the keys of one's own spans hide the suggestions they already are (none to hide:
        # a book's 20,000 keys are not gathered)
        self.offers.reset(proposals, {(s.start, s.end, s.label) for s in own.all()}
                          if proposals.spans else ())
        if announce and proposals.spans:
            self.suggestions_changed.emit([(s.start, s.end) for s in proposals.spans])

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
            if self.suggester is None:
                self.message.emit(translate("Annotation", "Suggestions are off in this mode"))
            elif self.computing_suggestions:
                self.message.emit(translate("Annotation", "The suggestions are being computed"))
            else:
                self.message.emit(translate("Annotation", "No suggestion left"))
            return None
        self.message.emit(self.describe_suggestion(index))
        return self.offers.spans[index]

    def describe_suggestion(self, index: int) -> str:
        """One line for the status bar: label, text, suggester and confidence, relations."""
        s = self.offers.spans[index]
        label = self.schema.label(s.label)
        offers = self.offers
        where = f"{offers.rank(index)}/{offers.count}" if offers.is_offered(index) else "-"
        text = short_text(self.text[s.start:s.end], 40)
        head = translate("Annotation", "Suggestion {number}: {label} «{text}»").format(
            number=where, label=name_of(label), text=text)
        parts = [head + f" ({s.suggester} {s.confidence:.2f})"]
        for kind, other, outgoing in self.offers.partners(index):
            rel = self.schema.relation(kind)
            o = self.offers.spans[other]
            name = name_of(rel) if outgoing else f"({name_of(rel)})"
            parts.append(f"{name}: «{short_text(self.text[o.start:o.end], 30)}»")
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
        """The set's spans by key and its links by keys are looked up as the service asks
        about the suggestions taken and their partners, not copied whole for each Enter."""
        assert self.suggester is not None
        have = SpanKeys(self.spans)
        return self.suggester.accept(self._set(), self.offers.proposals, indexes, have=have,
                                     links=KeyedLinks(have, self.relations),
                                     touching=self.offers.relations_of)

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
