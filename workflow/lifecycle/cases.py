"""Creating, amending and listing cases. A case changes only while drafted here; after that
only events move it (``workflow.lifecycle.events``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, select

from workflow import audit
from workflow.context import Ctx
from workflow.deadlines import planning
from workflow.errors import (
    FieldProblem,
    Forbidden,
    InvalidInput,
    TransitionRefused,
)
from workflow.lifecycle import change
from workflow.lifecycle.bundle import CaseBundle, load
from workflow.lifecycle.change import open_case
from workflow.lifecycle.events import guard_context
from workflow.lifecycle.exempt import may_see_exempt
from workflow.lifecycle.machine import AUTHOR_OR_DIRECTORATE_OFFICER
from workflow.lifecycle.parts import exempt_paragraph_of, stored_parts
from workflow.models import (
    Agreement,
    Case,
    CaseAgreement,
    Report,
    ReportOption,
    State,
    User,
    pk,
)
from workflow.paging import check_limit, decode_cursor, page
from workflow.people.permissions import may_draft
from workflow.schemas import (
    CaseIn,
    CasePatch,
    PrivateUrgencyIn,
    PublicInterestIn,
    ReportIn,
    UrgencyIn,
)


def create_case(ctx: Ctx, data: CaseIn, actor: User) -> Case:
    if not may_draft(actor):
        raise Forbidden("only an officer may draft a case")
    agreements = _agreements(ctx, data.agreement_ids)
    _check_people(ctx, data.urgency, data.private_urgency, data.public_interest)
    now = ctx.now()
    case = Case(
        council_id=ctx.home,
        kind=data.kind,
        title=data.title,
        directorate=data.directorate,
        author_id=pk(actor.id),
        state=State.drafted,
        version=1,
        created_at=now,
        updated_at=now,
    )
    _apply_scalars(
        case,
        data.model_dump(
            exclude={
                "agreement_ids",
                "report",
                "urgency",
                "private_urgency",
                "proposal",
                "exempt_parts",
                "public_interest",
                "kind",
                "title",
                "directorate",
            }
        ),
    )
    _apply_urgency(case, data.urgency)
    _apply_private_urgency(case, data.private_urgency)
    _apply_exemption(case, data.exempt_parts, data.public_interest)
    _apply_proposal(case, data.proposal.model_dump())
    ctx.session.add(case)
    ctx.session.flush()
    _link_agreements(ctx, case, agreements)
    _write_report(ctx, case, data.report)
    audit.append(
        ctx,
        event="create",
        at=now,
        actor_id=actor.id,
        case_id=case.id,
        from_state=None,
        to_state=State.drafted,
        data={"case": data.model_dump(mode="json")},
        exempt_paragraph=exempt_paragraph_of(case),
    )
    planning.sync(ctx, load(ctx, case))
    ctx.session.flush()
    return case


def patch_case(
    ctx: Ctx, case_id: int, data: CasePatch, actor: User, expected_version: int | None = None
) -> Case:
    bundle = open_case(ctx, case_id, expected_version)
    case = bundle.case
    if case.state != State.drafted:
        raise TransitionRefused("patch", case.state, [])
    if not may_edit_draft(ctx, bundle, actor):
        raise Forbidden(
            f"a draft may be changed by {AUTHOR_OR_DIRECTORATE_OFFICER.description}; an exempt "
            "draft only by those of them who may see its exempt information"
        )
    was_exempt = exempt_paragraph_of(case)
    changes = data.model_dump(mode="json", exclude_unset=True)
    if not changes:
        raise InvalidInput("nothing to change", [FieldProblem("body", "no fields given")])
    fields = set(data.model_fields_set)
    scalars = {
        k: getattr(data, k)
        for k in fields - {"agreement_ids", "report", "urgency", "private_urgency", "proposal"}
        if k not in ("exempt_parts", "public_interest")
    }
    # Every check before the first write, so a refused patch changes nothing even for a
    # caller that catches the error and carries on in the same transaction.
    _check_scalars(scalars)
    _check_people(ctx, data.urgency, data.private_urgency, data.public_interest)
    agreements = _checked_agreements(ctx, data, fields)
    _apply(ctx, case, data, fields, scalars, agreements)
    if agreements is not None or "report" in fields:
        ctx.session.flush()
        bundle = load(ctx, case)  # the links and the report were written anew
    change.record(
        ctx,
        bundle,
        event="patch",
        actor=actor,
        from_state=case.state,
        data={"changes": changes},
        exempt_paragraph=was_exempt or exempt_paragraph_of(case),
    )
    return case


def _checked_agreements(ctx: Ctx, data: CasePatch, fields: set[str]) -> list[Agreement] | None:
    """The agreements a patch links, checked before anything is written (None: unchanged)."""
    if "proposal" in fields and data.proposal is None:
        raise InvalidInput("a case needs a proposal", [FieldProblem("proposal", "required")])
    if "agreement_ids" not in fields:
        return None
    if data.agreement_ids is None:
        raise InvalidInput(
            "a case covers at least one agreement", [FieldProblem("agreement_ids", "required")]
        )
    return _agreements(ctx, data.agreement_ids)


def _apply(
    ctx: Ctx,
    case: Case,
    data: CasePatch,
    fields: set[str],
    scalars: dict[str, Any],
    agreements: list[Agreement] | None,
) -> None:
    """Write a checked patch onto the draft: its fields, links and report."""
    _apply_scalars(case, scalars)
    if "urgency" in fields:
        _apply_urgency(case, data.urgency)
    if "private_urgency" in fields:
        _apply_private_urgency(case, data.private_urgency)
    if "exempt_parts" in fields:
        case.exempt_parts = stored_parts(data.exempt_parts)
    if "public_interest" in fields:
        _apply_public_interest(case, data.public_interest)
    if data.proposal is not None:
        _apply_proposal(case, data.proposal.model_dump())
    if agreements is not None:
        for link in ctx.session.exec(
            select(CaseAgreement).where(CaseAgreement.case_id == case.id)
        ).all():
            ctx.session.delete(link)
        ctx.session.flush()
        _link_agreements(ctx, case, agreements)
    if "report" in fields:
        _write_report(ctx, case, data.report or ReportIn())


def may_edit_draft(ctx: Ctx, bundle: CaseBundle, actor: User) -> bool:
    """The author or an officer of the directorate may change a draft; but a draft carrying
    exempt information only if they may see it, or an edit could overwrite or un-redact what
    they were never shown."""
    return (
        bundle.case.state == State.drafted
        and AUTHOR_OR_DIRECTORATE_OFFICER.check(guard_context(ctx, bundle, actor))
        and may_see_exempt(bundle, actor)
    )


def list_cases(
    ctx: Ctx,
    *,
    state: str | None = None,
    kind: str | None = None,
    directorate: str | None = None,
    author_id: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Case], str | None]:
    limit = check_limit(limit)
    query = select(Case).where(
        col(Case.id) > decode_cursor(cursor), ctx.within(col(Case.council_id))
    )
    if state is not None:
        query = query.where(Case.state == state)
    if kind is not None:
        query = query.where(Case.kind == kind)
    if directorate is not None:
        query = query.where(Case.directorate == directorate)
    if author_id is not None:
        query = query.where(Case.author_id == author_id)
    rows = ctx.session.exec(query.order_by(col(Case.id)).limit(limit + 1)).all()
    return page(rows, limit, lambda c: c.id)


def _agreements(ctx: Ctx, ids: list[int]) -> list[Agreement]:
    unique = list(dict.fromkeys(ids))
    found = {
        a.id: a
        for a in ctx.session.exec(
            select(Agreement).where(
                col(Agreement.id).in_(unique), ctx.within(col(Agreement.council_id))
            )
        ).all()
    }
    missing = [i for i in unique if i not in found]
    if missing:
        raise InvalidInput(
            f"no such agreement: {', '.join(map(str, missing))}",
            [FieldProblem("agreement_ids", f"agreement {i} does not exist") for i in missing],
        )
    return [found[i] for i in unique]


def _check_people(
    ctx: Ctx,
    urgency: UrgencyIn | None,
    private_urgency: PrivateUrgencyIn | None,
    public_interest: PublicInterestIn | None = None,
) -> None:
    """The office holders an urgency names, and whoever weighed the public interest, are
    users, so the record points at a person."""
    named = {
        "public_interest.decided_by_id": public_interest.decided_by_id if public_interest else None,
        "urgency.chair_told_id": urgency.chair_told_id if urgency else None,
        "urgency.agreed_by_id": urgency.agreed_by_id if urgency else None,
        "private_urgency.agreed_by_id": private_urgency.agreed_by_id if private_urgency else None,
    }
    problems = [
        FieldProblem(where, f"user {uid} does not exist")
        for where, uid in named.items()
        if uid is not None and not _known(ctx, uid)
    ]
    if problems:
        raise InvalidInput("an urgency names a user who does not exist", problems)


def _known(ctx: Ctx, user_id: int) -> bool:
    user = ctx.session.get(User, user_id)
    return user is not None and ctx.sees(user.council_id)


def _link_agreements(ctx: Ctx, case: Case, agreements: list[Agreement]) -> None:
    for agreement in agreements:
        ctx.session.add(CaseAgreement(case_id=case.id, agreement_id=agreement.id))  # type: ignore[arg-type]
    ctx.session.flush()


_SCALARS = {
    "title",
    "directorate",
    "meeting_date",
    "agenda_item",
    "key_decision",
    "forward_plan_published_on",
    "exempt_paragraph",
    "private_notice_published_on",
    "private_further_notice_published_on",
    "late_item_reason",
    "exemption_review_on",
    "exemption_lapses_on",
}


def _check_scalars(values: dict[str, Any]) -> None:
    for name in ("title", "directorate", "key_decision"):
        if name in values and values[name] is None:
            raise InvalidInput(f"{name} cannot be cleared", [FieldProblem(name, "required")])


def _apply_scalars(case: Case, values: dict[str, Any]) -> None:
    _check_scalars(values)
    for name, value in values.items():
        if name in _SCALARS:
            setattr(case, name, value)


def _apply_urgency(case: Case, urgency: UrgencyIn | None) -> None:
    case.urgency_route = urgency.route if urgency else None
    case.urgency_reason = urgency.reason if urgency else None
    case.urgency_notified_on = urgency.notified_on if urgency else None
    case.urgency_agreed_by = urgency.agreed_by if urgency else None
    case.urgency_chair_told_id = urgency.chair_told_id if urgency else None
    case.urgency_agreed_by_id = urgency.agreed_by_id if urgency else None
    case.urgency_agreed_on = urgency.agreed_on if urgency else None
    case.urgency_precedence_note = urgency.precedence_note if urgency else None


def _apply_private_urgency(case: Case, urgency: PrivateUrgencyIn | None) -> None:
    """SI 2012/2089 reg 5(6): who agreed that the private meeting is urgent, and when."""
    case.private_urgency_reason = urgency.reason if urgency else None
    case.private_urgency_agreed_by_id = urgency.agreed_by_id if urgency else None
    case.private_urgency_agreed_on = urgency.agreed_on if urgency else None
    case.private_urgency_precedence_note = urgency.precedence_note if urgency else None


def _apply_exemption(
    case: Case, parts: list[Any] | None, public_interest: PublicInterestIn | None
) -> None:
    """Part B of the report and the public-interest test (``workflow.lifecycle.parts``)."""
    case.exempt_parts = stored_parts(parts)
    _apply_public_interest(case, public_interest)


def _apply_public_interest(case: Case, test: PublicInterestIn | None) -> None:
    """Schedule 12A para 10: who weighed the public interest, when, and why."""
    case.public_interest_decided_by_id = test.decided_by_id if test else None
    case.public_interest_decided_on = test.decided_on if test else None
    case.public_interest_reasons = test.reasons if test else None


def _apply_proposal(case: Case, proposal: dict[str, Any]) -> None:
    start = proposal["start_date"]
    case.proposal_start_date = start if isinstance(start, date) else date.fromisoformat(start)
    case.proposal_initial_months = proposal["initial_months"]
    case.proposal_max_months = proposal["max_months"]
    case.proposal_ground = proposal.get("ground")


def _write_report(ctx: Ctx, case: Case, data: ReportIn) -> None:
    session = ctx.session
    report = session.exec(select(Report).where(Report.case_id == case.id)).first()
    if report is None:
        report = Report(case_id=case.id)  # type: ignore[arg-type]
    report.summary = data.summary
    report.recommended_option = data.recommended_option
    report.reasons = data.reasons
    report.financial_implications = data.financial_implications
    session.add(report)
    session.flush()
    for old in session.exec(select(ReportOption).where(ReportOption.report_id == report.id)).all():
        session.delete(old)
    session.flush()
    for position, option in enumerate(data.options):
        session.add(
            ReportOption(
                report_id=report.id,  # type: ignore[arg-type]
                position=position,
                label=option.label,
                description=option.description,
                rejected_reason=option.rejected_reason,
            )
        )
    session.flush()
