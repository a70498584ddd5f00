"""The label palette flows onto more rows: every label stays visible, right to left."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from annotator.core.schema import load_schema, with_labels
from annotator.ui.panels import LabelPalette

SCHEMA = Path(__file__).resolve().parents[2] / "seeds" / "schema.toml"
WOJOOD = ["PERS", "NORP", "OCC", "ORG", "GPE", "LOC", "FAC", "EVENT", "DATE", "TIME", "CARDINAL",
          "ORDINAL", "PERCENT", "QUANTITY", "UNIT", "MONEY", "CURR", "WEBSITE", "LANGUAGE", "LAW",
          "PRODUCT"]


def test_every_label_button_is_visible_and_none_overlap(qtbot: QtBot, qapp: QApplication) -> None:
    palette = LabelPalette(with_labels(load_schema(SCHEMA), WOJOOD))
    palette.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    qtbot.addWidget(palette)
    palette.resize(600, palette.layout().heightForWidth(600))
    palette.show()
    qtbot.waitExposed(palette)
    boxes = [b.geometry() for b in palette.buttons.values()]
    assert len(boxes) == 25
    assert all(palette.rect().contains(box) for box in boxes)
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    first = palette.buttons["quote"].geometry()
    assert first.right() >= palette.width() - 10  # the first label starts at the right edge
    assert len({box.top() for box in boxes}) >= 3  # it wrapped
    assert palette.buttons["quote"].text() == "اقتباس Quote (q / 1)"
    assert palette.buttons["PERS"].text() == "PERS"
