"""The label palette is one row whatever the schema: the labels in use first, the rest behind
"More…", a searchable picker (type to filter, Enter applies), hidden labels not offered, and
the label keys working for labels the row does not show."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.core.schema import load_schema, with_labels
from annotator.services.annotate import AnnotationService
from annotator.services.labels import hide_label
from annotator.services.project import extend_schema, open_project, project_schema
from annotator.settings import Settings
from annotator.ui.app import GuiOptions, build_window
from annotator.ui.palette import LabelPalette
from tests.ui.helpers import ACTOR, EMOJI_ID, EMOJI_TEXT, FRANCE, import_documents

SCHEMA = Path(__file__).resolve().parents[2] / "seeds" / "schema.toml"
EXTRA = [f"ENT_{n:02d}" for n in range(66)]          # with the four of the seed schema: 70


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    """A store with the seeds, the emoji article and 70 labels."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    store = open_project(url)
    import_documents(store, tmp_path)
    extend_schema(store, EXTRA, actor="mona")
    store.close()
    yield url


def spans_before(url: str, labels: list[str], where: tuple[int, int]) -> None:
    """Spans of ``labels`` on one range of the emoji article, in mona's set (made before the
    window opens it)."""
    store = open_project(url)
    service = AnnotationService(store, project_schema(store), annotator="mona")
    document_id = next(i.document_id for i in service.queue() if i.external_id == EMOJI_ID)
    set_id = service.open_document(document_id).set.id
    service.add_spans(set_id, [(*where, label) for label in labels])
    store.close()


def window_on(qtbot: QtBot, url: str, size: tuple[int, int] = (1400, 900)) -> Any:
    window = build_window(GuiOptions(db_url=url, open_document=EMOJI_ID),
                          Settings(suggest_on_open=False), "mona")
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def one_row(palette: LabelPalette) -> None:
    boxes = [palette.buttons[name].geometry() for name in palette.shown()]
    boxes.append(palette.more.geometry())
    assert len({box.top() for box in boxes}) == 1
    assert all(palette.rect().contains(box) for box in boxes)
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    assert palette.height() == palette.sizeHint().height() <= boxes[0].height() + 8


def test_seventy_labels_at_1400x900_stay_one_row(qtbot: QtBot, url: str) -> None:
    window = window_on(qtbot, url)
    palette = window.palette_bar
    one_row(palette)
    shown, overflow = palette.shown(), palette.overflow()
    assert len(shown) + len(overflow) == 70 and len(shown) >= 8 and overflow
    assert shown == palette.order[:len(shown)]                  # in order, none skipped
    assert shown[:4] == ["quote", "actor", "location", "cue"]   # nothing in use: schema order
    assert palette.more.isVisible()
    assert palette.more.text() == f"More… ({len(overflow)})"
    # every button's text is whole (the row never squeezes a button)
    assert all(palette.buttons[n].width() == palette.buttons[n].sizeHint().width() for n in shown)


def test_labels_in_use_come_first_and_follow_changes(qtbot: QtBot, url: str) -> None:
    spans_before(url, ["ENT_60", "ENT_65"], ACTOR)
    window = window_on(qtbot, url)
    palette = window.palette_bar
    assert palette.shown()[:3] == ["ENT_60", "ENT_65", "quote"]
    window.vm.select_span(window.vm.spans.all()[0].id)
    window.vm.delete_selected()                                  # ENT_60 no longer in use
    assert palette.shown()[:2] == ["ENT_65", "quote"]
    window.vm.undo()
    assert palette.shown()[:3] == ["ENT_60", "ENT_65", "quote"]
    one_row(palette)


def test_the_picker_filters_as_one_types_and_enter_applies(qtbot: QtBot, url: str) -> None:
    window = window_on(qtbot, url)
    window.article.select_range(*FRANCE)
    picker = window.palette_bar.open_picker()
    qtbot.waitExposed(picker)
    assert picker.visible_labels() == window.palette_bar.order     # every offered label
    assert picker.search.hasFocus()
    qtbot.keyClicks(picker.search, "ent_4")
    assert picker.visible_labels() == [f"ENT_4{n}" for n in range(10)]
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)                  # the second one
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert not picker.isVisible()
    (span,) = window.vm.spans.all()
    assert (span.start, span.end, span.label, span.text) == (*FRANCE, "ENT_41", "فرنسا")
    assert EMOJI_TEXT[span.start:span.end] == span.text
    assert window.palette_bar.shown()[0] == "ENT_41"              # now in use: first


def test_the_picker_finds_arabic_names_ignoring_hamza_and_harakat(qtbot: QtBot, url: str) -> None:
    window = window_on(qtbot, url)
    picker = window.palette_bar.open_picker()
    # typed as an Arabic keyboard sends it
    for ch in "إقتباس":
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(picker.search,
                                   QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))
    assert picker.visible_labels() == ["quote"]
    picker.search.setText("zzz")
    assert picker.visible_labels() == []
    qtbot.keyClick(picker.search, Qt.Key.Key_Return)             # nothing to apply
    assert picker.isVisible() and window.vm.spans.all() == []
    qtbot.keyClick(picker, Qt.Key.Key_Escape)
    assert not picker.isVisible()


def test_keys_work_for_a_label_the_row_does_not_show(qtbot: QtBot, url: str) -> None:
    spans_before(url, EXTRA[:30], ACTOR)                        # 30 labels in use: first
    window = window_on(qtbot, url)
    palette = window.palette_bar
    assert "cue" in palette.overflow()
    window.article.select_range(*FRANCE)
    window.article.setFocus()
    qtbot.keyClick(window.article, Qt.Key.Key_C)
    assert [(s.start, s.end) for s in window.vm.spans.all() if s.label == "cue"] == [FRANCE]


def test_hidden_labels_are_not_offered(qtbot: QtBot, url: str) -> None:
    store = open_project(url)
    hide_label(store, "ENT_03", actor="mona")
    store.close()
    window = window_on(qtbot, url)
    palette = window.palette_bar
    assert "ENT_03" not in palette.order and "ENT_03" not in palette.buttons
    assert len(palette.order) == 69
    picker = palette.open_picker()
    assert "ENT_03" not in picker.visible_labels()
    bar = window.search_bar
    assert bar.label.findData("ENT_03") == -1 and bar.label.findData("ENT_04") >= 0


def test_right_to_left_the_row_starts_at_the_right(qtbot: QtBot) -> None:
    palette = LabelPalette(with_labels(load_schema(SCHEMA), EXTRA))
    palette.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    qtbot.addWidget(palette)
    palette.resize(600, palette.sizeHint().height())
    palette.show()
    qtbot.waitExposed(palette)
    one_row(palette)
    first = palette.buttons["quote"].geometry()
    assert palette.width() - 10 <= first.right() <= palette.width()
    assert palette.more.geometry().left() < first.left()            # More… at the row's end
    palette.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    assert palette.buttons["quote"].geometry().left() <= 10
