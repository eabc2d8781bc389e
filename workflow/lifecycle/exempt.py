"""Who may see exempt information (SPEC §6): the one rule every view and edit reads.

Entitlement is about the person and the case — the author, democratic services, the delegate,
the consultee, scrutiny and admins — and holds whether or not the case is exempt right now,
so content that was exempt when it was written stays hidden from everyone else.
"""

from __future__ import annotations

from workflow.lifecycle.bundle import CaseBundle
from workflow.models import Role, User

ENTITLED_ROLES = (Role.democratic_services, Role.scrutiny, Role.admin)


def is_entitled(bundle: CaseBundle, viewer: User) -> bool:
    if viewer.id == bundle.case.author_id or any(viewer.has_role(r) for r in ENTITLED_ROLES):
        return True
    delegation = bundle.delegation
    return delegation is not None and viewer.id in (
        delegation.delegate_id,
        delegation.consultee_id,
    )


def may_see_exempt(bundle: CaseBundle, viewer: User) -> bool:
    return bundle.case.exempt_paragraph is None or is_entitled(bundle, viewer)
