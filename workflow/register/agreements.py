"""The agreements register: contracts and SLAs, each with one counterparty."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlmodel import col, select

from workflow import audit
from workflow.context import Ctx
from workflow.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from workflow.lifecycle import change
from workflow.lifecycle.change import open_case
from workflow.lifecycle.parts import exempt_paragraph_of
from workflow.models import (
    ENDED_STATES,
    Agreement,
    Case,
    CaseAgreement,
    ProcurementRegime,
    Role,
    State,
    User,
)
from workflow.paging import check_limit, decode_cursor, page
from workflow.procurement.regimes import regime_contradiction
from workflow.schemas import AgreementIn, AgreementProcurementIn

MAY_REGISTER = (Role.officer, Role.democratic_services, Role.admin)

# SPEC §9: an agreement's procurement facts, changed only when given (``update_procurement``).
PROCUREMENT_FIELDS = frozenset(AgreementProcurementIn.model_fields)

# What a case's deadlines read from its agreements (SPEC §5): the end date is the
# ``agreement_end`` deadline, and the annual value decides a key decision and so whether a
# forward-plan notice is due. A change to either re-plans every case still running on it.
PLANNING_FIELDS = ("end_date", "annual_value_pence")

# From Cabinet's approval on, an agreement's end date is the case's: sign-off sets it to the
# signed-off term's end, and ``expire`` fires from it. Only the case may move it.
END_DATE_HELD_BY = frozenset({State.delegated_approval, State.active})


# Who may change any directorate's agreement; an officer changes only their own directorate's.
MAY_CHANGE_ANY = (Role.democratic_services, Role.admin)


def may_register(actor: User) -> bool:
    return any(actor.has_role(r) for r in MAY_REGISTER)


def change_refused(actor: User, agreement: Agreement, directorate: str) -> str | None:
    """Why ``actor`` may not change ``agreement`` (leaving it in ``directorate``), or ``None``
    when they may.

    An agreement's end date and value plan the deadlines of every case covering it and decide
    whether its renewal is a key decision (SPEC §4, §5), so only the directorate that holds it
    changes it, as only its officers may change its cases' drafts
    (``workflow.lifecycle.machine``); democratic services and admins keep the whole register.
    An officer may neither change another directorate's agreement nor hand one of theirs to
    another directorate.
    """
    if any(actor.has_role(r) for r in MAY_CHANGE_ANY):
        return None
    if not actor.has_role(Role.officer):
        return "only officers, democratic services and admins may change agreements"
    if actor.directorate is None:
        return (
            f"agreement {agreement.reference!r} belongs to {agreement.directorate}; an officer "
            "with no directorate may not change it"
        )
    if agreement.directorate != actor.directorate:
        return (
            f"agreement {agreement.reference!r} belongs to {agreement.directorate}, and only its "
            f"officers, democratic services or an admin may change it (you are in "
            f"{actor.directorate})"
        )
    if directorate != actor.directorate:
        return (
            f"agreement {agreement.reference!r} may not be moved from {actor.directorate} to "
            f"{directorate} by an officer; ask democratic services or an admin"
        )
    return None


def create_agreement(ctx: Ctx, data: AgreementIn, actor: User) -> Agreement:
    if not may_register(actor):
        raise Forbidden("only officers, democratic services and admins may register agreements")
    if by_reference(ctx, data.reference) is not None:
        raise Conflict(f"an agreement with reference {data.reference!r} already exists")
    now = ctx.now()
    agreement = Agreement(**data.model_dump(), council_id=ctx.home, created_at=now, updated_at=now)
    ctx.session.add(agreement)
    ctx.session.flush()
    audit.append(
        ctx,
        event="agreement_created",
        at=now,
        actor_id=actor.id,
        data={"agreement_id": agreement.id, "reference": agreement.reference},
    )
    return agreement


def by_reference(ctx: Ctx, reference: str) -> Agreement | None:
    """The agreement with this reference in the work's council (references are the council's
    own numbering, unique per council)."""
    query = select(Agreement).where(
        Agreement.reference == reference, Agreement.council_id == ctx.home
    )
    return ctx.session.exec(query).first()


def upsert_agreement(ctx: Ctx, data: AgreementIn) -> tuple[Agreement, bool]:
    """Create, or update the agreement with the same reference; answers (row, created)."""
    now = ctx.now()
    row = by_reference(ctx, data.reference)
    created = row is None
    if row is None:
        row = Agreement(**data.model_dump(), council_id=ctx.home, created_at=now, updated_at=now)
    else:
        for name, value in data.model_dump().items():
            # The procurement facts are set only when given: a register without those
            # columns (or an older client) leaves what was recorded alone.
            if name in PROCUREMENT_FIELDS and name not in data.model_fields_set:
                continue
            setattr(row, name, value)
        row.updated_at = now
    ctx.session.add(row)
    return row, created


def update_procurement(
    ctx: Ctx, agreement_id: int, data: AgreementProcurementIn, actor: User
) -> Agreement:
    """Record an agreement's procurement facts (SPEC §9) where the register import had no
    column for them: only the fields sent change, and null clears one. The directorate that
    holds the agreement changes it, as for any other change (``change_refused``); the regime
    must agree with the date the procurement began, as stored after the change."""
    agreement = get_agreement(ctx, agreement_id)
    refused = change_refused(actor, agreement, agreement.directorate)
    if refused is not None:
        raise Forbidden(refused)
    sent = {name: getattr(data, name) for name in data.model_fields_set}
    started = sent.get("procurement_started_on", agreement.procurement_started_on)
    regime = sent.get("procurement_regime", agreement.procurement_regime)
    clash = regime_contradiction(started, None if regime is None else ProcurementRegime(regime))
    if clash is not None:
        raise InvalidInput(clash, [FieldProblem("procurement_regime", clash)])
    changed = {
        name: {"from": _plain(getattr(agreement, name)), "to": _plain(value)}
        for name, value in sent.items()
        if getattr(agreement, name) != value
    }
    for name, value in sent.items():
        setattr(agreement, name, value)
    now = ctx.now()
    agreement.updated_at = now
    ctx.session.add(agreement)
    ctx.session.flush()
    if changed:
        audit.append(
            ctx,
            event="agreement_procurement_updated",
            at=now,
            actor_id=actor.id,
            data={"agreement_id": agreement.id, "reference": agreement.reference, **changed},
        )
    return agreement


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def planning_facts(agreement: Agreement) -> dict[str, Any]:
    """The fields of ``agreement`` that case deadlines depend on, to compare before and after."""
    return {name: getattr(agreement, name) for name in PLANNING_FIELDS}


def covering_cases(ctx: Ctx, agreement_ids: list[int]) -> dict[int, list[Case]]:
    """Agreement id -> the cases covering it that have not ended (expired, rejected and
    withdrawn cases plan nothing), each list in case id order."""
    ended = [s.value for s in ENDED_STATES]
    found: dict[int, list[Case]] = defaultdict(list)
    for offset in range(0, len(agreement_ids), 500):
        chunk = agreement_ids[offset : offset + 500]
        rows = ctx.session.exec(
            select(CaseAgreement.agreement_id, Case)
            .join(Case, col(Case.id) == col(CaseAgreement.case_id))
            .where(col(CaseAgreement.agreement_id).in_(chunk))
            .where(col(Case.state).not_in(ended))
            .order_by(col(Case.id))
        ).all()
        for agreement_id, case in rows:
            found[agreement_id].append(case)
    return dict(found)


def end_date_held(cases: list[Case]) -> str | None:
    """Why the register may not move this agreement's end date, or ``None`` when it may.

    Once Cabinet has approved a case the end date belongs to the case (its sign-off sets it,
    and expiry fires from it), so a register that says otherwise would contradict the
    signed-off term; the change has to go through the case (``extend``, a new sign-off).
    """
    for case in cases:
        if State(case.state) not in END_DATE_HELD_BY:
            continue
        if case.term_end is not None:
            return (
                f"covered by case {case.id}, whose signed-off term ends "
                f"{case.term_end:%d/%m/%Y}; change it through the case"
            )
        return (
            f"covered by case {case.id}, approved by Cabinet and awaiting sign-off, which "
            "sets the end date; change it through the case"
        )
    return None


def replan_covering(
    ctx: Ctx,
    changes: dict[int, dict[str, Any]],
    covering: dict[int, list[Case]],
    actor: User,
    source: str,
) -> list[int]:
    """Re-plan the deadlines and reminders of every case covering a changed agreement (SPEC
    §5: deadlines follow every change to the dates they depend on); answers the case ids.

    ``changes`` is agreement id -> {field: {"from": old, "to": new}} for the planning fields
    that changed, already flushed. Each case is changed like any other change to it
    (``workflow.lifecycle.change``): under its row lock, so a transition on it waits and then
    plans from the new dates, and the case's own audit trail says what moved and why.
    """
    per_case: dict[int, tuple[Case, list[dict[str, Any]]]] = {}
    for agreement_id, changed in changes.items():
        agreement = ctx.session.get(Agreement, agreement_id)
        assert agreement is not None
        entry = {"agreement_id": agreement_id, "reference": agreement.reference, **changed}
        for case in covering.get(agreement_id, []):
            assert case.id is not None
            per_case.setdefault(case.id, (case, []))[1].append(entry)
    for case_id in sorted(per_case):
        _, entries = per_case[case_id]
        bundle = open_case(ctx, case_id)  # in id order, so two re-plans never deadlock
        case = bundle.case
        change.record(
            ctx,
            bundle,
            event="agreements_updated",
            actor=actor,
            from_state=case.state,
            data={"source": source, "agreements": entries},
            exempt_paragraph=exempt_paragraph_of(case),
        )
    ctx.session.flush()
    return sorted(per_case)


def get_agreement(ctx: Ctx, agreement_id: int) -> Agreement:
    agreement = ctx.session.get(Agreement, agreement_id)
    if agreement is None or not ctx.sees(agreement.council_id):
        raise NotFound(f"agreement {agreement_id} does not exist")
    return agreement


def list_agreements(
    ctx: Ctx,
    *,
    kind: str | None = None,
    directorate: str | None = None,
    end_from: date | None = None,
    end_to: date | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> tuple[list[Agreement], str | None]:
    limit = check_limit(limit)
    query = select(Agreement).where(
        col(Agreement.id) > decode_cursor(cursor), ctx.within(col(Agreement.council_id))
    )
    if kind is not None:
        query = query.where(Agreement.kind == kind)
    if directorate is not None:
        query = query.where(Agreement.directorate == directorate)
    if end_from is not None:
        query = query.where(col(Agreement.end_date) >= end_from)
    if end_to is not None:
        query = query.where(col(Agreement.end_date) <= end_to)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            col(Agreement.title).ilike(like)
            | col(Agreement.counterparty).ilike(like)
            | col(Agreement.reference).ilike(like)
        )
    rows = ctx.session.exec(query.order_by(col(Agreement.id)).limit(limit + 1)).all()
    return page(rows, limit, lambda a: a.id)
