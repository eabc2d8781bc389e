"""A council's constitution settings: what it says differently from the installation.

Constitutions differ between councils (the key-decision threshold, how notices and call-in are
counted, when reminders go out and by which channels), so each council stores the values it
overrides and the rules of time, deadlines and reminders read the council's *effective*
settings: the installation's ``COUNCILFLOW_*`` values with the council's on top. A new council
stores none, so it starts with the installation's defaults and follows them until it decides
otherwise. Secrets, pools and delivery mechanics stay the installation's.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from workflow.errors import FieldProblem, InvalidInput
from workflow.settings import Settings

# The settings a council's constitution may set for itself.
CONSTITUTION = (
    "key_decision_threshold_pence",
    "forward_plan_clear_days",
    "private_notice_clear_days",
    "general_exception_clear_days",
    "agenda_clear_working_days",
    "call_in_working_days",
    "call_in_members_needed",
    "extension_notice_months",
    "private_further_notice_clear_days",
    "general_exception_in_working_days",
    "urgency_reasons_notice_working_days",
    "decision_record_working_days",
    "sign_off_above_threshold_is_key_decision",
    "reminder_offsets_days",
    "reminder_offsets_by_kind",
    "reminder_hour",
    "reminder_channels",
    "smtp_from",
    "webhook_url",
)


# The largest number each setting may hold (days, unless named otherwise): a constitution
# sets weeks and months, and the rules of time must never be asked to add a thousand years.
DAYS = 3650
LIMITS = {
    "key_decision_threshold_pence": 10**14,
    "reminder_hour": 23,
    "call_in_members_needed": 100,
    "extension_notice_months": 120,
}


def effective(base: Settings, overrides: dict[str, Any]) -> Settings:
    """The installation's settings with a council's own on top (``base`` itself if none)."""
    mine = {k: v for k, v in overrides.items() if k in CONSTITUTION}
    if not mine:
        return base
    return base.model_copy(update=checked(base, mine))


def checked(base: Settings, overrides: dict[str, Any]) -> dict[str, Any]:
    """``overrides`` validated as ``Settings`` would validate them, or a 422 naming each."""
    unknown = sorted(set(overrides) - set(CONSTITUTION))
    if unknown:
        raise InvalidInput(
            "these are not constitution settings a council may set",
            [FieldProblem(name, "not a constitution setting") for name in unknown],
        )
    try:
        valid = Settings.model_validate({**base.model_dump(), **overrides})
    except ValidationError as exc:
        raise InvalidInput(
            "a constitution setting is not valid",
            [FieldProblem(".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()],
        ) from exc
    values = {k: getattr(valid, k) for k in overrides}
    wild = [
        FieldProblem(name, f"must be between 0 and {LIMITS.get(name, DAYS)}")
        for name, value in values.items()
        if any(n < 0 or n > LIMITS.get(name, DAYS) for n in _numbers(value))
    ]
    if wild:
        raise InvalidInput("a constitution setting is out of range", wild)
    return values


def _numbers(value: Any) -> list[int]:
    """The whole numbers a setting holds, however nested (offsets by kind are lists in a
    mapping); booleans are not numbers here."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, dict):
        return [n for v in value.values() for n in _numbers(v)]
    if isinstance(value, list | tuple):
        return [n for v in value for n in _numbers(v)]
    return []
