"""RelationTable: a dict of relations by id whose index by span (``touching``) stays exact
whatever way the dict is changed; the view-model's relations are one, however they are set."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.core.model import Relation
from annotator.ui.viewmodels.relation_table import RelationTable


def _touching(table: dict[int, Relation], span_id: int) -> list[Relation]:
    """What ``touching`` must say: a pass over every relation."""
    return [r for r in table.values() if span_id in (r.head, r.tail)]


def _check(table: RelationTable, spans: range = range(8)) -> None:
    for span_id in spans:
        order = (lambda r: (r.id, r.head, r.tail))
        assert sorted(table.touching(span_id), key=order) == \
            sorted(_touching(table, span_id), key=order), span_id


def test_each_way_of_changing_the_dict_keeps_the_index() -> None:
    said = {1: Relation("said_by", 10, 20, 1), 2: Relation("said_by", 11, 20, 2)}
    table = RelationTable(said)
    assert table == said and isinstance(table, dict)
    assert table.touching(20) == [said[1], said[2]]
    assert table.touching(10) == [said[1]] and table.touching(99) == []
    table[1] = Relation("said_by", 12, 21, 1)            # the same id, other ends
    assert table.touching(10) == [] and table.touching(12) == [table[1]]
    assert table.touching(20) == [said[2]]
    assert table.pop(2) == said[2] and table.touching(20) == [] and table.touching(11) == []
    assert table.pop(2, None) is None
    with pytest.raises(KeyError):
        table.pop(2)
    table[3] = Relation("said_by", 13, 13, 3)            # a span linked to itself: once
    assert table.touching(13) == [table[3]]
    del table[3]
    assert table.touching(13) == []
    with pytest.raises(KeyError):
        del table[3]
    table.update({4: Relation("said_by", 14, 21, 4)})
    assert [r.id for r in table.touching(21)] == [1, 4]
    assert table.setdefault(4, Relation("said_by", 0, 0, 4)).head == 14
    assert table.setdefault(5, Relation("said_by", 15, 21, 5)).head == 15
    copy = table.copy()
    assert isinstance(copy, RelationTable) and copy.touching(21) == table.touching(21)
    table |= {6: Relation("said_by", 16, 22, 6)}
    assert [r.id for r in table.touching(22)] == [6] and copy.touching(22) == []
    relation_id, _ = table.popitem()
    assert relation_id == 6 and table.touching(22) == []
    table.clear()
    assert table == {} and table.touching(21) == [] and table._by_span == {}


operations = st.lists(st.tuples(st.sampled_from(["set", "pop", "del", "update", "clear"]),
                                st.integers(1, 6), st.integers(0, 7), st.integers(0, 7)),
                      max_size=40)


@settings(max_examples=150, derandomize=True)
@given(operations)
def test_the_index_says_what_a_pass_over_every_relation_says(steps: list[tuple[str, int, int,
                                                                                 int]]) -> None:
    table, plain = RelationTable(), {}
    for kind, relation_id, head, tail in steps:
        relation = Relation("said_by", head, tail, relation_id)
        if kind == "set":
            table[relation_id] = plain[relation_id] = relation
        elif kind == "pop":
            assert table.pop(relation_id, None) == plain.pop(relation_id, None)
        elif kind == "del" and relation_id in plain:
            del table[relation_id], plain[relation_id]
        elif kind == "update":
            other = Relation("said_by", tail, head, relation_id + 6)
            table.update({relation_id: relation, relation_id + 6: other})
            plain.update({relation_id: relation, relation_id + 6: other})
        elif kind == "clear":
            table.clear()
            plain.clear()
        assert table == plain
        _check(table)


def test_the_view_models_relations_are_a_table_however_they_are_set() -> None:
    from annotator.ui.viewmodels.annotation import AnnotationViewModel

    vm = AnnotationViewModel.__new__(AnnotationViewModel)   # the property alone
    vm.relations = {7: Relation("said_by", 1, 2, 7)}
    assert isinstance(vm.relations, RelationTable)
    assert vm.relations.touching(2) == [Relation("said_by", 1, 2, 7)]
    kept = vm.relations
    vm.relations = kept                                     # a table is kept as it is
    assert vm.relations is kept
