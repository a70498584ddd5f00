"""Active annotation time: the time between actions, with pauses over a minute left out."""

from __future__ import annotations

PAUSE_LIMIT = 60.0


class ActiveTimer:
    def __init__(self, *, pause_limit: float = PAUSE_LIMIT) -> None:
        self.pause_limit = pause_limit
        self._last: float | None = None
        self._pending = 0.0

    def activity(self, now: float) -> None:
        """The user did something at ``now`` (seconds, any monotonic clock)."""
        if self._last is not None:
            gap = now - self._last
            if 0 < gap <= self.pause_limit:
                self._pending += gap
        self._last = now

    def take(self) -> float:
        """Seconds counted since the last take (to be written to the store)."""
        pending, self._pending = self._pending, 0.0
        return pending

    def give_back(self, seconds: float) -> None:
        """Seconds taken but not written (the store refused them): counted again next time."""
        self._pending += seconds

    def reset(self) -> None:
        self._last = None
        self._pending = 0.0
