"""Two windows on one set (two Store objects, as two processes have), on SQLite and PostgreSQL:
a window notices the other's changes and refreshes, keeping its selection and its own undo
history; a stale action is refused, named, and the document read again (no Qt needed)."""

from __future__ import annotations

from pathlib import Path

from annotator.services.annotate import AnnotationService
from annotator.services.project import open_project, project_schema
from annotator.ui.viewmodels.annotation import AnnotationViewModel
from tests.ui.helpers import ACTOR, EMOJI_ID, FRANCE, MOSCOW, import_documents


def _windows(db_url: str, tmp_path: Path) -> tuple[AnnotationViewModel, AnnotationViewModel]:
    first = open_project(db_url)
    doc = import_documents(first, tmp_path)[EMOJI_ID]
    second = open_project(db_url)
    schema = project_schema(first)
    a = AnnotationViewModel(AnnotationService(first, schema, annotator="mona"), schema)
    b = AnnotationViewModel(AnnotationService(second, schema, annotator="mona"), schema)
    a.open(doc)
    b.open(doc)
    return a, b


def _keys(vm: AnnotationViewModel) -> list[tuple[int, int, str]]:
    return [(s.start, s.end, s.label) for s in vm.spans.all()]


def test_a_window_refreshes_with_another_windows_changes(db_url: str, tmp_path: Path) -> None:
    a, b = _windows(db_url, tmp_path)
    assert a.poll_external() is False                 # the first poll starts watching
    mine = a.label_selection(*ACTOR, "actor")
    assert mine is not None and a.selected == mine.id
    assert a.poll_external() is False                 # its own change is no news
    theirs = b.label_selection(*FRANCE, "location")
    assert theirs is not None
    assert a.poll_external() is True                  # b's change shows in a
    assert _keys(a) == [(*ACTOR, "actor"), (*FRANCE, "location")]
    assert a.selected == mine.id                      # the selection stays
    assert a.poll_external() is False
    # b relabels a's span: a shows it, and a's undo of its own add is refused, not overwriting
    assert b.refresh() is True                        # b reads a's span
    b.select_span(mine.id)
    b.relabel_selected("location")
    assert a.poll_external() is True
    assert (*ACTOR, "location") in _keys(a)
    messages: list[str] = []
    a.message.connect(messages.append)
    a.undo()
    assert "was changed by mona since you read it" in messages[-1]
    assert "reloaded" in messages[-1]
    assert (*ACTOR, "location") in _keys(a)           # b's change stands
    assert a.history.can_undo                         # a's history is kept


def test_a_stale_relabel_is_refused_and_the_document_read_again(db_url: str,
                                                                tmp_path: Path) -> None:
    a, b = _windows(db_url, tmp_path)
    span = a.label_selection(*MOSCOW[1], "location")
    assert span is not None
    b.refresh()
    b.select_span(span.id)
    b.delete_selected()                               # a does not know yet
    messages: list[str] = []
    a.message.connect(messages.append)
    a.select_span(span.id)
    a.relabel_selected("actor")
    assert messages[-1].startswith(f"span {span.id} was deleted by mona since you read it")
    assert _keys(a) == [] and a.selected is None      # reloaded: the span is gone
