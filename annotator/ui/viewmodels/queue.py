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

    def __init__(self, service: Any) -> None:
        self.service = service        # its queue() gives the items
        self._items: list[Any] = []
        self._position: dict[int, int] = {}
        self._finished = 0
        self.text_filter = ""
        self.status_filter: Any = None
        self.changed = Signal()       # () the list or the filters changed
        self.item_changed = Signal()  # (document_id) one item's status or count changed

    @property
    def items(self) -> list[Any]:
        """Every document, in list order (assign a new list; change one with
        :meth:`replace_item`: each action of a 10,000-document queue then costs no scan)."""
        return self._items

    @items.setter
    def items(self, items: list[Any]) -> None:
        self._items = list(items)
        self._position = {item.document_id: n for n, item in enumerate(self._items)}
        self._finished = sum(1 for item in self._items if item.status in self.FINISHED)

    def position(self, document_id: int) -> int | None:
        """Where the document is in :attr:`items`, or None."""
        return self._position.get(document_id)

    def item(self, document_id: int) -> Any | None:
        n = self._position.get(document_id)
        return None if n is None else self._items[n]

    def refresh(self) -> None:
        self.items = self.service.queue()
        self.changed.emit()

    def replace_item(self, n: int, item: Any) -> None:
        old = self._items[n]
        self._finished += (item.status in self.FINISHED) - (old.status in self.FINISHED)
        self._items[n] = item

    def put(self, n: int, item: Any) -> None:
        """Replace item ``n`` and tell the lists: the whole list when the status filter may now
        keep the document out or let it in, else only its row."""
        old = self._items[n]
        self.replace_item(n, item)
        if self.status_filter is not None and item.status != old.status:
            self.changed.emit()
        else:
            self.item_changed.emit(item.document_id)

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
        return self._finished, len(self._items)

    def first_open(self) -> int | None:
        """The first document not finished yet (else the first document), to open on start."""
        for item in self.items:
            if item.status not in self.FINISHED:
                return item.document_id
        return self.items[0].document_id if self.items else None

    def next_after(self, document_id: int) -> int | None:
        """The next document left to do, after ``document_id`` in list order (wrapping)."""
        at = self.position(document_id)
        start = at + 1 if at is not None else 0
        for item in self.items[start:] + self.items[:start]:
            if item.status not in self.LEFT and item.document_id != document_id:
                return item.document_id
        return None


class QueueViewModel(DocumentList):
    def __init__(self, service: AnnotationService) -> None:
        super().__init__(service)

    def update(self, document_id: int, *, status: SetStatus | None = None,
               spans: int | None = None) -> None:
        """Mirror a change the annotation view-model has just committed (no re-query)."""
        n = self.position(document_id)
        if n is None:
            return
        item = self.items[n]
        new = QueueItem(
            document_id=item.document_id, external_id=item.external_id, title=item.title,
            length=item.length, status=status if status is not None else item.status,
            spans=spans if spans is not None else item.spans)
        if new != item:
            self.put(n, new)
