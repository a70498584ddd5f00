"""Review mode's part of the window: the decision keys handed to the review view-model, the
document's agreement figures after it shows, and the project's agreement dialog. A mixin of
:class:`~annotator.ui.main_window.MainWindow`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.ui.viewmodels.keys import Command

if TYPE_CHECKING:
    from annotator.ui.viewmodels.review import ReviewViewModel


class ReviewWindow:
    """The window's review actions."""

    @staticmethod
    def _review_command(vm: ReviewViewModel, command: Command) -> bool:
        if command.name == "next":
            vm.next_disagreement(int(command.args[0]))  # type: ignore[call-overload]
        elif command.name == "accept":
            vm.accept_current()
        elif command.name == "reject":
            vm.reject_current()
        elif command.name == "version":
            vm.take_version(int(command.args[0]))  # type: ignore[call-overload]
        elif command.name == "unanimous":
            vm.accept_unanimous()
        else:
            return False
        return True

    def _load_figures(self) -> None:
        if self.review and self.agreement_bar is not None:
            self.vm.load_figures()  # type: ignore[attr-defined]
            self.agreement_bar.refresh()

    def show_agreement(self) -> None:
        """The project's agreement over every document (reviewers and leads)."""
        from annotator.services.agreement import agreement
        from annotator.ui.review_panels import AgreementDialog

        shown = self.report_dialog(agreement, AgreementDialog)
        if shown is not None:
            self.agreement_dialog = shown
