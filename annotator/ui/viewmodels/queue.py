"""The document queue: the annotator's documents with status and span counts, filterable."""

from __future__ import annotations

from annotator.core.model import SetStatus
from annotator.core.search import normalize
from annotator.services.annotate import AnnotationService, QueueItem
from annotator.ui.viewmodels.observable import Signal


class QueueViewModel:
    def __init__(self, service: AnnotationService) -> None:
        self.service = service
        self.items: list[QueueItem] = []
        self.text_filter = ""
        self.status_filter: SetStatus | None = None
        self.changed = Signal()       # () the list or the filters changed
        self.item_changed = Signal()  # (document_id) one item's status or span count changed

    def refresh(self) -> None:
        self.items = self.service.queue()
        self.changed.emit()

    def set_filter(self, text: str | None = None, status: SetStatus | None | str = "keep") -> None:
        if text is not None:
            self.text_filter = text
        if status != "keep":
            self.status_filter = SetStatus(status) if status else None
        self.changed.emit()

    def visible(self) -> list[QueueItem]:
        """Items that pass the filters: the title or id contains the text (hamza, harakat and
        ta marbuta spellings ignored), and the status matches."""
        needle = normalize(self.text_filter.strip())
        return [item for item in self.items
                if (self.status_filter is None or item.status == self.status_filter)
                and (not needle or needle in normalize(item.title) or needle in item.external_id.lower())]

    def progress(self) -> tuple[int, int]:
        """(done, total) over every document."""
        return sum(1 for i in self.items if i.status == SetStatus.DONE), len(self.items)

    def first_open(self) -> int | None:
        """The first document not done yet (else the first document), to open on start."""
        for item in self.items:
            if item.status != SetStatus.DONE:
                return item.document_id
        return self.items[0].document_id if self.items else None

    def next_after(self, document_id: int) -> int | None:
        """The next document that is not done, after ``document_id`` in queue order (wrapping)."""
        ids = [i.document_id for i in self.items]
        start = ids.index(document_id) + 1 if document_id in ids else 0
        for item in self.items[start:] + self.items[:start]:
            if item.status not in (SetStatus.DONE, SetStatus.SKIPPED) and item.document_id != document_id:
                return item.document_id
        return None

    def update(self, document_id: int, *, status: SetStatus | None = None,
               spans: int | None = None) -> None:
        """Mirror a change the annotation view-model has just committed (no re-query)."""
        for n, item in enumerate(self.items):
            if item.document_id == document_id:
                self.items[n] = QueueItem(
                    document_id=item.document_id, external_id=item.external_id, title=item.title,
                    length=item.length, status=status if status is not None else item.status,
                    spans=spans if spans is not None else item.spans)
                if self.items[n] == item:
                    return
                if self.status_filter is not None and self.items[n].status != item.status:
                    self.changed.emit()  # it may enter or leave the filtered list
                else:
                    self.item_changed.emit(document_id)
                return
