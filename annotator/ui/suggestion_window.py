"""Suggestions' part of the window: the suggestion keys handed to the view-model, and the
dialog of how annotators took each suggester's proposals. A mixin of
:class:`~annotator.ui.main_window.MainWindow`."""

from __future__ import annotations

from annotator.ui.viewmodels.keys import Command, CommandTable, carry_out

#: the suggestion keys, each an annotation view-model method
SUGGESTION_COMMANDS: CommandTable = {
    "suggestion": ("next_suggestion", True),
    "accept_suggestion": ("accept_suggestion", False),
    "reject_suggestion": ("reject_suggestion", False),
    "accept_all_suggestions": ("accept_all_suggestions", False),
}


class SuggestionWindow:
    """The window's suggestion actions."""

    @staticmethod
    def _suggestion_command(vm: object, command: Command) -> bool:
        return carry_out(vm, command, SUGGESTION_COMMANDS)

    def show_suggestion_stats(self) -> None:
        """How annotators took each suggester's proposals (reviewers and leads)."""
        from annotator.services.suggesting import suggestion_stats
        from annotator.ui.panels import SuggestionStatsDialog

        shown = self.report_dialog(suggestion_stats, SuggestionStatsDialog)  # type: ignore[attr-defined]
        if shown is not None:
            self.suggestion_dialog = shown
