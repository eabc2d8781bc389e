"""Recording that a procurement notice was published (SPEC §9, ``POST /cases/{id}/notices``).

Recording it discharges its duty, as the forward plan's publication does: the notice is kept
on the case, the change is audited and the deadlines re-planned through ``change``, and a
contract change notice starts its voluntary standstill (Procurement Act 2023 s.76) from the
day recorded. Which notices a case owes is ``workflow.procurement.notices``'s one answer; a
notice the case does not owe, a day still to come, or a day before the event the notice
follows is refused and changes nothing. Each modification owes its own notices, so a
publication is recorded for one modification: the one the request names (``term_start``), or
the only one still owing it; asked for more, it is refused as ambiguous.
"""

from __future__ import annotations

from datetime import date

from workflow.context import Ctx
from workflow.deadlines.planning import facts_of
from workflow.deadlines.rules import procurement_now
from workflow.errors import FieldProblem, Forbidden, InvalidInput
from workflow.lifecycle import change
from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.change import open_case
from workflow.lifecycle.exempt import is_entitled
from workflow.models import Case, Role, User
from workflow.procurement import notices as law
from workflow.procurement.grounds import MODIFICATION_NOTICE
from workflow.procurement.read import ProcurementNoticeOut
from workflow.schemas import NoticeIn

# What each notice follows: it cannot have been published before that day.
_FOLLOWS = {
    MODIFICATION_NOTICE: "the modification it reports",
    law.MODIFICATION_PUBLICATION: "the modification it publishes",
    law.TERMINATION_NOTICE: "the day the contract ended",
}


def may_record(bundle: CaseBundle, actor: User) -> bool:
    """The author, an officer of the case's directorate, democratic services or an admin;
    and, on an exempt case, only someone entitled to its exempt information."""
    case = bundle.case
    officer_here = actor.has_role(Role.officer) and actor.directorate == case.directorate
    allowed = (
        actor.id == case.author_id
        or officer_here
        or actor.has_role(Role.democratic_services)
        or actor.has_role(Role.admin)
    )
    return allowed and (case.exempt_paragraph is None or is_entitled(bundle, actor))


def owed_now(ctx: Ctx, bundle: CaseBundle) -> list[law.NoticeDue]:
    """The notices ``bundle``'s case owes in its state, as its deadlines show them."""
    facts = facts_of(ctx, bundle, people={})
    return law.owed(procurement_now(facts, ctx.settings))


def notices_listed(ctx: Ctx, bundle: CaseBundle) -> list[ProcurementNoticeOut]:
    """The case answer's ``procurement_notices``: each notice owed or published, with the
    modification it belongs to, in the order of the modifications, then the agreements."""
    now = procurement_now(facts_of(ctx, bundle, people={}), ctx.settings)
    made = {m.term_start: m for m in now.modifications}
    listed = [
        ProcurementNoticeOut.of(d, made.get(d.modification) if d.modification else None)
        for d in law.owed(now)
        if d.kind in law.RECORDED_KINDS
    ]
    return sorted(listed, key=lambda n: (n.term_start or date.max, n.kind, n.agreement_id))


def _refusal(
    ctx: Ctx, bundle: CaseBundle, data: NoticeIn
) -> tuple[list[law.NoticeDue], FieldProblem | None]:
    case = bundle.case
    if data.published_on > ctx.today():
        return [], FieldProblem(
            "published_on", "a notice is recorded once published, not on a day still to come"
        )
    ids = {a.id for a in bundle.agreements}
    if data.agreement_id is not None and data.agreement_id not in ids:
        return [], FieldProblem(
            "agreement_id", f"agreement {data.agreement_id} is not one of this case's agreements"
        )
    if data.term_start is not None and data.kind == law.TERMINATION_NOTICE:
        return [], FieldProblem(
            "term_start", "a termination notice follows the agreement's end, not a modification"
        )
    due = [
        d
        for d in owed_now(ctx, bundle)
        if d.kind == data.kind and data.agreement_id in (None, d.agreement_id)
    ]
    if not due:
        whose = "this case" if data.agreement_id is None else f"agreement {data.agreement_id}"
        return [], FieldProblem(
            "kind", f"no {data.kind} is due for {whose} while it is {case.state}"
        )
    due, problem = _of_one_modification(data, due)
    if problem is not None:
        return [], problem
    if data.agreement_id is None and any(d.published_on is None for d in due):
        # "For every agreement" means those still owing it: an agreement whose notice is
        # already recorded keeps its day and reference (re-dating a contract change notice
        # would move its standstill). A correction names its agreement, or all are published.
        due = [d for d in due if d.published_on is None]
    follows = _first_day(data.kind, due)
    if follows is not None and data.published_on < follows:
        return [], FieldProblem(
            "published_on",
            f"a {data.kind} follows {_FOLLOWS[data.kind]}, on {follows:%d/%m/%Y}",
        )
    return due, None


def _of_one_modification(
    data: NoticeIn, due: list[law.NoticeDue]
) -> tuple[list[law.NoticeDue], FieldProblem | None]:
    """The notices of the one modification ``data`` is for: the one it names
    (``term_start``), or else the only one whose notice is still unpublished (a correction of
    a published one names it). Each modification owes its own notices, so a publication
    never discharges another modification's duty; asked for more than one, it is refused."""
    by_modification: dict[date | None, list[law.NoticeDue]] = {}
    for d in due:
        by_modification.setdefault(d.modification, []).append(d)
    if data.term_start is not None:
        if data.term_start in by_modification:
            return by_modification[data.term_start], None
        return [], FieldProblem(
            "term_start",
            f"no {data.kind} is owed for a modification whose term starts "
            f"{data.term_start:%d/%m/%Y}; owed: {_listing(by_modification)}",
        )
    if len(by_modification) == 1:
        return due, None
    open_ones = {
        m: ds for m, ds in by_modification.items() if any(d.published_on is None for d in ds)
    }
    if len(open_ones) == 1:
        return next(iter(open_ones.values())), None
    among = open_ones or by_modification
    return [], FieldProblem(
        "term_start",
        f"{len(among)} modifications owe a {data.kind}: {_listing(among)}; say which with "
        "term_start, the first day of the term the modification brought",
    )


def _listing(by_modification: dict[date | None, list[law.NoticeDue]]) -> str:
    """Each modification's notice, for a refusal: its term's first day, the day it was made
    and the notice's last day."""
    parts = []
    for start, ds in sorted(by_modification.items(), key=lambda kv: kv[0] or date.min):
        first = ds[0]
        made = f", made {first.follows:%d/%m/%Y}" if first.follows else ""
        state = "published" if all(d.published_on for d in ds) else "unpublished"
        term = "" if start is None else f"the term from {start:%d/%m/%Y}"
        parts.append(f"{term}{made} ({state}, by {first.last_day:%d/%m/%Y})")
    return "; ".join(parts)


def _first_day(kind: str, due: list[law.NoticeDue]) -> date | None:
    if kind == law.TERMINATION_NOTICE:
        return min(d.occasion for d in due)
    follows = [d.follows for d in due if d.follows is not None]
    return max(follows) if follows else None


def _term_start(due: list[law.NoticeDue]) -> str | None:
    """The modification the recorded notices are for (one, ``_of_one_modification``)."""
    starts = {d.modification for d in due}
    start = starts.pop() if len(starts) == 1 else None
    return None if start is None else start.isoformat()


def record_procurement_notice(
    ctx: Ctx, case_id: int, data: NoticeIn, actor: User, expected_version: int | None = None
) -> Case:
    """Record ``data`` as published for every agreement that owes it (or the one named), for
    the one modification it is for (``NoticeIn.term_start``, needed only when more than one
    owes it)."""
    bundle = open_case(ctx, case_id, expected_version)
    case = bundle.case
    if not may_record(bundle, actor):
        raise Forbidden(
            "procurement notices are recorded by the case's author, an officer of its "
            "directorate, democratic services or an admin"
        )
    due, problem = _refusal(ctx, bundle, data)
    if problem is not None:
        raise InvalidInput("the notice cannot be recorded", [problem])
    for d in due:
        case.procurement_notices = law.with_publication(case, d, data.published_on, data.reference)
    change.record(
        ctx,
        bundle,
        event="notice",
        actor=actor,
        from_state=case.state,
        data={
            "notice": data.model_dump(mode="json"),
            "agreement_ids": sorted(d.agreement_id for d in due),
            "term_start": _term_start(due),
        },
        exempt_paragraph=case.exempt_paragraph,
    )
    return case
