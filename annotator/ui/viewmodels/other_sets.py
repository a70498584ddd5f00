"""Other sets of the open document shown read only (gold, the suggestions, and for reviewers
every annotator's), and the open set read again when another window or process changed it. A
mixin of the annotation view-model
(:class:`~annotator.ui.viewmodels.annotation.AnnotationViewModel`), whose state it reads."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.core.errors import UserError
from annotator.core.model import AnnotationSet, SetKind, SetStatus, Span
from annotator.services.annotate import SetHeader
from annotator.ui.viewmodels.actions import user_action
from annotator.ui.viewmodels.spans import SpanIndex
from annotator.ui.viewmodels.words import translate


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


class OtherSets:
    """Which sets the user may see, showing one read only, and reading the open set again."""

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
