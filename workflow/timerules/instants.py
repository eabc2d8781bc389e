"""Instants and London days: every rule counts Europe/London calendar days, and every
instant is aware UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LONDON: ZoneInfo = ZoneInfo("Europe/London")


def _require_aware(instant: datetime) -> None:
    """Naive instants are refused: guessing their zone is how reminders go out an hour off."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"instant must be timezone-aware, got naive {instant.isoformat()}")


def london_date(instant: datetime) -> date:
    """The Europe/London calendar date of an aware instant (every rule counts London days)."""
    _require_aware(instant)
    return instant.astimezone(LONDON).date()


def at_london_time(d: date, hour: int, minute: int = 0) -> datetime:
    """The UTC instant at which London's wall clock shows ``hour:minute`` on ``d``.

    The offset is taken for that very day, so 09:00 is 09:00 UTC in winter and 08:00 UTC in
    summer. For a wall time that does not exist (the spring-forward gap) the pre-change offset
    is used, which lands just after the gap; for one that occurs twice (autumn) the first.
    """
    local = datetime.combine(d, time(hour, minute), tzinfo=LONDON)
    return local.astimezone(UTC)
