"""The document queue: the annotator's documents with status and span counts, filterable."""

from __future__ import annotations

from typing import Any

from annotator.core.model import SetStatus
from annotator.core.search import normalize
from annotator.services.annotate import AnnotationService, QueueItem
from annotator.ui.viewmodels.observable import Signal


class DocumentList:
    """A list of documents with a status each: filtered by title or id (hamza, harakat and ta
    marbuta spellings ignored) and status, with the next one to work on. The annotator's queue
    and the reviewer's queue are both one."""

    #: the status type (a str enum) and the statuses that count as finished / left aside
    STATUS: Any = SetStatus
    FINISHED: frozenset[Any] = frozenset({SetStatus.DONE})
    LEFT: frozenset[Any] = frozenset({SetStatus.DONE, SetStatus.SKIPPED})

    def __init__(self) -> None:
        self.items: list[Any] = []
        self.text_filter = ""
        self.status_filter: Any = None
        self.changed = Signal()       # () the list or the filters changed
        self.item_changed = Signal()  # (document_id) one item's status or count changed

    def set_filter(self, text: str | None = None, status: Any = "keep") -> None:
        if text is not None:
            self.text_filter = text
        if status != "keep":
            self.status_filter = self.STATUS(status) if status else None
        self.changed.emit()

    def visible(self) -> list[Any]:
        """Items that pass the filters: the title or id contains the text (hamza, harakat and
        ta marbuta spellings ignored), and the status matches."""
        needle = normalize(self.text_filter.strip())
        return [item for item in self.items
                if (self.status_filter is None or item.status == self.status_filter)
                and (not needle or needle in normalize(item.title)
                     or needle in item.external_id.lower())]

    def progress(self) -> tuple[int, int]:
        """(finished, total) over every document."""
        return sum(1 for i in self.items if i.status in self.FINISHED), len(self.items)

    def first_open(self) -> int | None:
        """The first document not finished yet (else the first document), to open on start."""
        for item in self.items:
            if item.status not in self.FINISHED:
                return item.document_id
        return self.items[0].document_id if self.items else None

    def next_after(self, document_id: int) -> int | None:
        """The next document left to do, after ``document_id`` in list order (wrapping)."""
        ids = [i.document_id for i in self.items]
        start = ids.index(document_id) + 1 if document_id in ids else 0
        for item in self.items[start:] + self.items[:start]:
            if item.status not in self.LEFT and item.document_id != document_id:
                return item.document_id
        return None


class QueueViewModel(DocumentList):
    def __init__(self, service: AnnotationService) -> None:
        super().__init__()
        self.service = service
        self.items: list[QueueItem] = []

    def refresh(self) -> None:
        self.items = self.service.queue()
        self.changed.emit()

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
