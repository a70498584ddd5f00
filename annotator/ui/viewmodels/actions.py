"""What every user action of a view-model shares: a refusal (UserError) becomes a message on
the status bar, never a crash; a change made while someone else changed the same span shows
their version (ConflictError: the set is read again); an editing action is refused while another
person's set is shown read only."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Callable, TypeVar

from annotator.core.errors import ConflictError, UserError
from annotator.ui.viewmodels.observable import Signal
from annotator.ui.viewmodels.words import translate

F = TypeVar("F", bound=Callable[..., Any])


def user_action(method: F) -> F:
    """A user action: a UserError becomes a message on the status bar, never a crash."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except ConflictError as exc:
            # someone else changed what this action was about: show their version, never
            # overwrite it (the undo history of one's own actions stays)
            self.message.emit(translate("Annotation", "{error} — reloaded").format(error=exc))
            self.refresh()
            return None
        except UserError as exc:
            self.message.emit(str(exc))
            return None

    return wrapper  # type: ignore[return-value]


def edits(method: F) -> F:
    """A user action that changes the shown set: refused (with a message) while another
    person's set is shown read only."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.viewing is not None:
            raise UserError(self.read_only_message())
        with self._one_update():
            return method(self, *args, **kwargs)

    return user_action(wrapper)  # type: ignore[return-value]


class OneUpdate:
    """An editing action is announced as one update: views may gather what it changes while
    the view-model is ``updating`` and show it once it has ``settled`` (the article draws each
    paragraph once, however many of the action's changes touch it)."""

    settled: Signal   # () an action and everything it changed are announced
    _busy: int        # actions under way (one may run another)

    @property
    def updating(self) -> bool:
        return self._busy > 0

    @contextmanager
    def _one_update(self) -> Iterator[None]:
        self._busy += 1
        try:
            yield
        finally:
            if self._busy == 1:
                self._settling()
            self._busy -= 1
            if not self._busy:
                self.settled.emit()

    def _settling(self) -> None:
        """What is left to announce as the action ends, while the views still gather."""
