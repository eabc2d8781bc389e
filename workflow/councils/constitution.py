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
    return {k: getattr(valid, k) for k in overrides}
