"""Review mode's part of the window: the decision keys handed to the review view-model, the
document's agreement figures after it shows, and the project's agreement dialog. A mixin of
:class:`~annotator.ui.main_window.MainWindow`."""

from __future__ import annotations

from annotator.ui.viewmodels.keys import Command, CommandTable, carry_out

#: the decision keys, each a review view-model method
REVIEW_COMMANDS: CommandTable = {
    "next": ("next_disagreement", True),
    "accept": ("accept_current", False),
    "accept_to_fix": ("accept_to_fix", False),
    "reject": ("reject_current", False),
    "version": ("take_version", True),
    "unanimous": ("accept_unanimous", False),
}


class ReviewWindow:
    """The window's review actions."""

    @staticmethod
    def _review_command(vm: object, command: Command) -> bool:
        return carry_out(vm, command, REVIEW_COMMANDS)

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
