"""The relations of the open set by id, and by the spans they link: what a span is linked to is
looked up, not found by a pass over every relation (a gold set of a long document holds
thousands of said_by links, and the details panel, the versions page and each decision ask
about a few spans at every step)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Self

from annotator.core.model import Relation


class RelationTable(dict[int, Relation]):
    """A dict of relations by id that keeps, for each span id, the ids of the relations with
    that span at either end. Every way a dict changes keeps the index."""

    def __init__(self, relations: Mapping[int, Relation] | Iterable[tuple[int, Relation]] = (),
                 ) -> None:
        super().__init__()
        self._by_span: dict[int, dict[int, None]] = {}   # span id -> relation ids, in order
        self.update(relations)

    def touching(self, span_id: int) -> list[Relation]:
        """The relations with span ``span_id`` as their head or their tail, once each (in the
        order they were linked; callers sort what they show)."""
        found = self._by_span.get(span_id)
        return [self[i] for i in found] if found else []

    def _link(self, relation_id: int, relation: Relation) -> None:
        for end in (relation.head, relation.tail):
            self._by_span.setdefault(end, {})[relation_id] = None

    def _unlink(self, relation_id: int, relation: Relation) -> None:
        for end in (relation.head, relation.tail):
            ids = self._by_span.get(end)
            if ids is not None:
                ids.pop(relation_id, None)
                if not ids:
                    del self._by_span[end]

    def __setitem__(self, relation_id: int, relation: Relation) -> None:
        old = super().get(relation_id)
        if old is not None:
            self._unlink(relation_id, old)
        super().__setitem__(relation_id, relation)
        self._link(relation_id, relation)

    def __delitem__(self, relation_id: int) -> None:
        self._unlink(relation_id, self[relation_id])
        super().__delitem__(relation_id)

    _MISSING: Any = object()

    def pop(self, relation_id: int, default: Any = _MISSING) -> Any:  # type: ignore[override]
        if relation_id in self:
            relation = super().pop(relation_id)
            self._unlink(relation_id, relation)
            return relation
        if default is self._MISSING:
            raise KeyError(relation_id)
        return default

    def popitem(self) -> tuple[int, Relation]:
        relation_id, relation = super().popitem()
        self._unlink(relation_id, relation)
        return relation_id, relation

    def clear(self) -> None:
        super().clear()
        self._by_span.clear()

    def update(self, other: Any = (), /) -> None:  # type: ignore[override]
        """As a dict's, from a mapping or pairs (ids are ints: never keyword arguments)."""
        pairs = other.items() if isinstance(other, Mapping) else other
        for relation_id, relation in pairs:
            self[relation_id] = relation

    def setdefault(self, relation_id: int, default: Relation) -> Relation:  # type: ignore[override]
        if relation_id not in self:
            self[relation_id] = default
        return self[relation_id]

    def __ior__(self, other: Any) -> Self:  # type: ignore[override]
        self.update(other)
        return self

    def copy(self) -> RelationTable:
        return RelationTable(self)
