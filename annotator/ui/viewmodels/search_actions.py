"""Search in the open document and labeling every hit: a mixin of the annotation view-model
(:class:`~annotator.ui.viewmodels.annotation.AnnotationViewModel`), whose state it reads."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from annotator.core.collector import cycle_collector_paused
from annotator.core.model import SetStatus, Span
from annotator.core.search import SearchIndex
from annotator.services.annotate import DeletedSpan
from annotator.ui.viewmodels.actions import edits
from annotator.ui.viewmodels.words import translate


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    text: str


class SearchActions:
    """Search (hamza, harakat and ى/ي, ة/ه spellings ignored), hits, label all hits."""

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
