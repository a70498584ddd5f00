"""Suggestions' part of the window: the suggestion keys handed to the view-model, and the
dialog of how annotators took each suggester's proposals. A mixin of
:class:`~annotator.ui.main_window.MainWindow`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.ui.viewmodels.keys import Command

if TYPE_CHECKING:
    from annotator.ui.viewmodels.annotation import AnnotationViewModel


class SuggestionWindow:
    """The window's suggestion actions."""

    @staticmethod
    def _suggestion_command(vm: AnnotationViewModel, command: Command) -> bool:
        if command.name == "suggestion":
            vm.next_suggestion(int(command.args[0]))  # type: ignore[call-overload]
        elif command.name == "accept_suggestion":
            vm.accept_suggestion()
        elif command.name == "reject_suggestion":
            vm.reject_suggestion()
        elif command.name == "accept_all_suggestions":
            vm.accept_all_suggestions()
        else:
            return False
        return True

    def show_suggestion_stats(self) -> None:
        """How annotators took each suggester's proposals (reviewers and leads)."""
        from annotator.services.suggesting import suggestion_stats
        from annotator.ui.panels import SuggestionStatsDialog

        shown = self.report_dialog(suggestion_stats, SuggestionStatsDialog)  # type: ignore[attr-defined]
        if shown is not None:
            self.suggestion_dialog = shown
