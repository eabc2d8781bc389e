"""Who may see exempt information (SPEC §6): the one rule every view and edit reads.

Entitlement is about the person and the case — the author, democratic services, the delegate,
the consultee, scrutiny and admins — and holds whether or not the case is exempt right now,
so content that was exempt when it was written stays hidden from everyone else.
"""

from __future__ import annotations

from datetime import date

from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.parts import Hidden, exempt_paragraph_of, hidden
from workflow.models import Delegation, Role, User

ENTITLED_ROLES = (Role.democratic_services, Role.scrutiny, Role.admin)


def entitled_to_case(viewer: User, author_id: int, delegation: Delegation | None) -> bool:
    """The rule itself, from the parts it reads, so a page of cases or agreements can ask it
    for many cases from rows loaded in one query (``workflow.register.read``)."""
    if viewer.id == author_id or any(viewer.has_role(r) for r in ENTITLED_ROLES):
        return True
    return delegation is not None and viewer.id in (
        delegation.delegate_id,
        *delegation.consultees(),
    )


def is_entitled(bundle: CaseBundle, viewer: User) -> bool:
    return entitled_to_case(viewer, bundle.case.author_id, bundle.delegation)


def may_see_exempt(bundle: CaseBundle, viewer: User) -> bool:
    """May see all the exempt information the case holds, whole report or Part B (lapsed or
    not: whether a fact is shown is ``hidden_from``'s answer; acting on the case, editing its
    draft included, stays with those who were entitled to what it held)."""
    return exempt_paragraph_of(bundle.case) is None or is_entitled(bundle, viewer)


def hidden_from(bundle: CaseBundle, viewer: User, today: date) -> Hidden:
    """What of the case ``viewer`` is not shown today (``workflow.lifecycle.parts.hidden``)."""
    return hidden(bundle.case, is_entitled(bundle, viewer), today)


# Who may see the people on a case (reminders' recipients, SPEC §6 and issue 14): those
# who work the case — its author, democratic services, admins, the delegate and the consultee.
# Everyone else sees a reminder without its recipients, except that a recipient sees themself.
PEOPLE_ROLES = (Role.democratic_services, Role.admin)


def sees_case_people(viewer: User, author_id: int, delegation: Delegation | None) -> bool:
    if viewer.id == author_id or any(viewer.has_role(r) for r in PEOPLE_ROLES):
        return True
    return delegation is not None and viewer.id in (
        delegation.delegate_id,
        *delegation.consultees(),
    )
