"""The open set's status and the time spent on it: marking the document done (one undo step),
the first change moving it from todo to in progress, and the active seconds counted and written
to the store. A mixin of the annotation view-model
(:class:`~annotator.ui.viewmodels.annotation.AnnotationViewModel`), whose state it reads."""

from __future__ import annotations

from annotator.core.errors import UserError
from annotator.core.model import SetStatus
from annotator.ui.viewmodels.actions import edits
from annotator.ui.viewmodels.history import Step
from annotator.ui.viewmodels.words import translate


class StatusActions:
    """The set's status and its active time."""

    @edits
    def mark_done(self) -> None:
        set_id, before = self._set(), self.status
        self.activity()
        self.flush_time()   # the time up to now goes with the document, before it is done
        if before == SetStatus.DONE:
            return
        self._run(lambda: self.service.set_status(set_id, SetStatus.DONE))
        self._set_status(SetStatus.DONE)
        self.saved.emit()

        def undo() -> None:
            self.service.set_status(set_id, before)
            self._set_status(before)

        def redo() -> None:
            self.service.set_status(set_id, SetStatus.DONE)
            self._set_status(SetStatus.DONE)

        self.history.push(Step(translate("Annotation", "mark done"), redo=redo, undo=undo))

    def activity(self) -> None:
        self.timer.activity(self.clock())

    def flush_time(self) -> float:
        """Write the active seconds counted so far to the store; returns them (0 on an error,
        which is shown as a message and the seconds are kept for the next flush)."""
        seconds = self.timer.take()
        if seconds > 0 and self.set_id is not None:
            try:
                self.service.add_active_seconds(self.set_id, seconds)
            except UserError as exc:
                self.timer.give_back(seconds)
                self.message.emit(str(exc))
                return 0.0
        return seconds

    def _mark_in_progress(self) -> None:
        """Mirror the service: the first change of a set's annotations moves todo to in progress."""
        if self.status == SetStatus.TODO:
            self._set_status(SetStatus.IN_PROGRESS)

    def _set_status(self, status: SetStatus) -> None:
        if status != self.status:
            self.status = status
            self.status_changed.emit(status)
