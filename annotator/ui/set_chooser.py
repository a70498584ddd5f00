"""The set chooser: which set of the open document the window shows.

The user's own set (editable) comes first; then the sets they may read, read only: gold and the
suggestions, and for reviewers and leads every annotator's set (blind annotation: an annotator
sees no one else's). The list is read again each time it opens, so that a set someone created
meanwhile shows. Choosing another set asks the view-model to show it; it refuses every edit
until the user's own set is chosen again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QWidget

from annotator.ui.common import translate
from annotator.ui.viewmodels.annotation import AnnotationViewModel, SetChoice


class SetCombo(QComboBox):
    """A combo box that asks for its items again just before it opens."""

    def __init__(self, chooser: SetChooser) -> None:
        super().__init__()
        self.chooser = chooser

    def showPopup(self) -> None:  # noqa: N802
        self.chooser.reload()
        super().showPopup()


class SetChooser(QWidget):
    """A list over the span list: "My set (mona)", "Gold (read only)", "omar's set (read
    only)" ... (the items say what they are: no caption takes the narrow dock's width)."""

    def __init__(self, vm: AnnotationViewModel) -> None:
        super().__init__()
        self.vm = vm
        self.choices: list[SetChoice] = []
        self.combo = SetCombo(self)
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(8)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(self.combo, 1)
        self.combo.activated.connect(self._chosen)
        vm.document_opened.connect(self.reload)
        vm.set_shown.connect(self._show_current)
        self.retranslate()

    def reload(self) -> None:
        """Read the list of sets again (one query) and show which one is on screen."""
        self.choices = self.vm.set_choices()
        self.combo.blockSignals(True)
        self.combo.clear()
        for choice in self.choices:
            self.combo.addItem(choice.describe())
            if not choice.editable:
                self.combo.setItemData(self.combo.count() - 1,
                                       translate("SetChooser", "Read only"),
                                       Qt.ItemDataRole.ToolTipRole)
        self.combo.blockSignals(False)
        self._show_current()

    def _show_current(self) -> None:
        shown = self.vm.viewing
        for row, choice in enumerate(self.choices):
            if (shown is None and choice.editable) or \
                    (shown is not None and choice.set_id == shown.set_id):
                self.combo.setCurrentIndex(row)
                return

    def _chosen(self, row: int) -> None:
        if 0 <= row < len(self.choices):
            self.vm.show_set(self.choices[row])

    def retranslate(self) -> None:
        self.combo.setToolTip(translate(
            "SetChooser", "Show another set of this document (read only): gold, the "
            "suggestions, and for reviewers every annotator's"))
        if self.choices:
            self.reload()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
