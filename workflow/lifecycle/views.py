"""What a given person may see of a case (SPEC §6), as plain mappings for the pages' templates
and older callers. The read models and the rules of redaction are ``workflow.lifecycle.read``;
these only dump them (``model_dump()``, so dates stay ``date`` and instants ``datetime``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.context import Ctx
from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.exempt import may_see_exempt
from workflow.lifecycle.read import (
    AUDIT_PUBLIC_KEYS,
    REDACTED,
    CaseScope,
    DeadlineOut,
    Redaction,
)
from workflow.lifecycle.read import (
    cabinet_record as cabinet_record_read,
)
from workflow.lifecycle.read import (
    decision_record as decision_record_read,
)
from workflow.models import Deadline, User

__all__ = [
    "AUDIT_PUBLIC_KEYS",
    "REDACTED",
    "audit_of",
    "cabinet_record",
    "case_view",
    "deadline_view",
    "decision_record",
    "may_see_exempt",
    "redaction_notice",
]


def redaction_notice(paragraph: int) -> dict[str, Any]:
    return Redaction.of(paragraph).model_dump()


def deadline_view(d: Deadline, today: date) -> dict[str, Any]:
    return DeadlineOut.of(d, today).model_dump()


def case_view(ctx: Ctx, bundle: CaseBundle, viewer: User) -> dict[str, Any]:
    return CaseScope(ctx, viewer).one(bundle).model_dump()


def audit_of(
    ctx: Ctx, bundle: CaseBundle, viewer: User, after_id: int = 0, limit: int = 50
) -> list[dict[str, Any]]:
    scope = CaseScope(ctx, viewer)
    return [e.model_dump() for e in scope.audit(bundle, after_id=after_id, limit=limit)]


def decision_record(
    ctx: Ctx, bundle: CaseBundle, viewer: User, sign_off_id: int | None = None
) -> dict[str, Any]:
    return decision_record_read(ctx, bundle, viewer, sign_off_id).model_dump()


def cabinet_record(ctx: Ctx, bundle: CaseBundle, viewer: User) -> dict[str, Any] | None:
    record = cabinet_record_read(ctx, bundle, viewer)
    return None if record is None else record.model_dump()
