"""The window's status bar and title: who is working (or whose set is shown read only), the
queue's progress and the open document's status, when the last change was saved. A mixin of
:class:`~annotator.ui.main_window.MainWindow`, whose labels it fills."""

from __future__ import annotations

import time

from annotator.ui.common import status_names, translate


class WindowStatus:
    """Filling the status bar and the title."""

    def _saved(self) -> None:
        """Every change says it is saved; the label shows the second, so it is written again
        only when the second changed (a reviewer's decisions come several a second)."""
        second = int(time.time())
        if second != self._saved_second:
            self._saved_second = second
            self._saved_at = time.strftime("%H:%M:%S", time.localtime(second))
            self._show_saved()

    def _show_saved(self) -> None:
        self.saved_label.setText(
            translate("MainWindow", "Saved {time}").format(time=self._saved_at)
            if self._saved_at else translate("MainWindow", "All saved"))

    def _show_who(self) -> None:
        """The title and the status bar say whose set is on screen."""
        viewing = self.vm.viewing
        who = translate("MainWindow", "Reviewer: {name}") if self.review \
            else translate("MainWindow", "Annotator: {name}")
        title = f"annotator — {self.user}"
        if self.review:
            title += " — " + translate("MainWindow", "Review")
        if viewing is not None:
            shown = viewing.describe()
            title += " — " + shown
            self.user_label.setText(translate("MainWindow", "Showing: {set}").format(set=shown))
            self.user_label.setStyleSheet("font-weight: bold; color: #8a5a00;")
            self.read_only_bar.setText(self.vm.read_only_message())
            self.read_only_bar.show()
        else:
            self.user_label.setText(who.format(name=self.user))
            self.user_label.setStyleSheet("")
            self.read_only_bar.hide()
        self.palette_bar.setEnabled(viewing is None)
        self.setWindowTitle(title)

    def _show_progress(self) -> None:
        done, total = self.queue.progress()
        if self.review:
            from annotator.services.review import review_status
            from annotator.ui.review_panels import review_status_names

            status = review_status_names()[review_status(self.vm.status)] \
                if self.vm.document else ""
            text = translate("MainWindow", "Reviewed: {done}/{total}").format(done=done,
                                                                            total=total)
        else:
            status = status_names().get(self.vm.status, "") if self.vm.document else ""
            text = translate("MainWindow", "Done: {done}/{total}").format(done=done, total=total)
        self.progress_label.setText(text + (f"  |  {status}" if status else ""))
