"""The reviewer's queue: the documents to review with their annotators, review status and
agreement, worst agreement first. No Qt here."""

from __future__ import annotations

from annotator.core.model import SetStatus
from annotator.services.review import ReviewItem, ReviewService, ReviewStatus, review_status
from annotator.ui.viewmodels.queue import DocumentList


class ReviewQueueViewModel(DocumentList):
    """The documents to review: annotators, review status, agreement; worst agreement first."""

    STATUS = ReviewStatus
    FINISHED = frozenset({ReviewStatus.REVIEWED})
    LEFT = FINISHED

    def __init__(self, service: ReviewService) -> None:
        super().__init__(service)

    def update(self, document_id: int, *, status: SetStatus | None = None,
               spans: int | None = None) -> None:
        """Mirror the gold set's status change (the review view-model's ``status``)."""
        n = self.position(document_id)
        if n is None or status is None:
            return
        item = self.items[n]
        new = review_status(status)
        if new != item.status:
            self.put(n, ReviewItem(item.document_id, item.external_id, item.title, item.length,
                                   item.annotators, new, item.agreement))
