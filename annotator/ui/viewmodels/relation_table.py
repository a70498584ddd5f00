"""The relations of the open set by id, and by the spans they link: what a span is linked to is
looked up, not found by a pass over every relation (a gold set of a long document holds
thousands of said_by links, and the details panel, the versions page and each decision ask
about a few spans at every step)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from typing import Any, Self

from annotator.core.model import Relation

Key = tuple[int, int, str]   # a span's (start, end, label)


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


class KeyedLinks(AbstractSet[tuple[str, Key, Key]]):
    """A set's relations as (type, head key, tail key), looked up when asked in the spans' ids
    by key (``ids``) and the relations by span: a decision or an accepted suggestion asks about
    the few links of what it adds, and building every link's keys cost a pass over the whole
    set each time. Iterating (rare) builds them all."""

    def __init__(self, ids: Mapping[Key, int], relations: Mapping[int, Relation]) -> None:
        self.ids = ids
        self.relations = relations if isinstance(relations, RelationTable) \
            else RelationTable(relations)

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 3:
            return False
        kind, head, tail = item
        head_id, tail_id = self.ids.get(head), self.ids.get(tail)
        return head_id is not None and tail_id is not None and any(
            r.type == kind and r.head == head_id and r.tail == tail_id
            for r in self.relations.touching(head_id))

    def _all(self) -> set[tuple[str, Key, Key]]:
        keys = {span_id: key for key, span_id in self.ids.items()}
        return {(r.type, keys[r.head], keys[r.tail]) for r in self.relations.values()
                if r.head in keys and r.tail in keys}

    def __iter__(self) -> Iterator[tuple[str, Key, Key]]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
