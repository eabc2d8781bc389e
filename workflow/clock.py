"""The one clock the service reads.

Tests and demos need to move time (SPEC §7): ``COUNCILFLOW_NOW`` starts the clock at an
instant and from there it runs on; travelling only goes forward so that no reminder or
audit event is ever stamped before one already written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from workflow.timerules import london_date


def _real_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    def __init__(
        self, start: datetime | None = None, real_now: Callable[[], datetime] = _real_now
    ) -> None:
        self._real_now = real_now
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        if start is not None:
            self._offset = _aware(start) - real_now()

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        return self._real_now() + self._offset

    def today(self) -> date:
        """Today in Europe/London, the day every rule of time is counted in."""
        return london_date(self.now())

    def travel_to(self, instant: datetime) -> datetime:
        """Move the clock forward to ``instant``; refusing to go back keeps history ordered."""
        target = _aware(instant)
        with self._lock:
            current = self.now()
            if target < current:
                raise ValueError(
                    f"the clock only moves forward: {target.isoformat()} is before "
                    f"{current.isoformat()}"
                )
            self._offset = target - self._real_now()
        return target


class FrozenClock(Clock):
    """A clock that stands still until moved: for tests that assert exact instants."""

    def __init__(self, start: datetime) -> None:
        self._instant = _aware(start)
        super().__init__(real_now=lambda: self._instant)

    def travel_to(self, instant: datetime) -> datetime:
        target = _aware(instant)
        if target < self._instant:
            raise ValueError("the clock only moves forward")
        self._instant = target
        return target

    def advance(self, delta: timedelta) -> datetime:
        return self.travel_to(self._instant + delta)


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("instants must carry a timezone offset")
    return instant.astimezone(UTC)
