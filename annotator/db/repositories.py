"""Repositories: the only code that speaks SQL. They take and return core objects.

One module a concern, each re-exported here (the store and the services import them from here):
documents.py, annotators.py, sets.py (sets with their spans and relations; what their reads
return: set_records.py), schemas.py, stats.py, journal.py (reads of the event journal) and
bulk.py (changes of many rows at once). What they share is in repository_base.py and
bulk_insert.py (multi-row INSERTs); the reviewers' decisions are in decisions.py.
"""

from __future__ import annotations

from annotator.db.annotators import AnnotatorRepository
from annotator.db.bulk import BulkRepository, LabelCount
from annotator.db.documents import DocumentRepository, DocumentSummary, SetSummary
from annotator.db.journal import EventRecord, EventRepository
from annotator.db.schemas import SchemaRepository
from annotator.db.set_records import QueueRow, SetFilter, SetInfo, SpanRecord
from annotator.db.sets import SetRepository
from annotator.db.stats import StatsRepository, StoreStats

__all__ = [
    "AnnotatorRepository", "BulkRepository", "DocumentRepository", "DocumentSummary",
    "EventRecord", "EventRepository", "LabelCount", "QueueRow", "SchemaRepository", "SetFilter",
    "SetInfo", "SetRepository", "SetSummary", "SpanRecord", "StatsRepository", "StoreStats",
]
