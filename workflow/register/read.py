"""The agreements register as a person may see it: the read model and its scope.

One rule for the agreement's figure (issue 13): an agreement covered by a case whose report is
exempt (Schedule 12A) shows no annual value to a person not entitled to that case's exempt
information (``workflow.lifecycle.exempt.entitled_to_case``), because the case's hidden value
is the annual value times the months. Every answer that carries an agreement — the API, the
register page, the case page — reads it through ``AgreementScope``, so it is hidden everywhere
or shown everywhere. Public agreements show their value to everyone. (Reminder bodies,
``scheduler.notice``, carry no agreement figures at all, and none of an exempt case's agreement
details; the calendar feed carries titles and dates only, and only to the case's own people.)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel
from sqlmodel import col, or_, select

from workflow.context import Ctx
from workflow.db import unique_rows
from workflow.lifecycle.exempt import ENTITLED_ROLES, entitled_to_case
from workflow.lifecycle.parts import hidden
from workflow.models import (
    Agreement,
    AgreementKind,
    Case,
    CaseAgreement,
    ContractType,
    Delegation,
    ProcurementRegime,
    User,
    pk,
)
from workflow.procurement import facts

E = TypeVar("E", bound=StrEnum)


def _maybe(kind: type[E], value: str | None) -> E | None:
    return None if value is None else kind(value)


class AgreementOut(BaseModel):
    id: int
    reference: str
    title: str
    kind: AgreementKind
    counterparty: str
    directorate: str
    annual_value_pence: int | None  # null where an exempt case covering it hides it
    start_date: date
    end_date: date
    companies_house_number: str | None
    charity_number: str | None
    description: str | None = None
    extension_notice_months: int | None = None
    review_date: date | None = None
    sme: bool | None = None
    vcse: bool | None = None
    # SPEC §9: the procurement facts, and which of them are still unknown (the agreement may
    # not be extended until ``procurement_missing`` is empty).
    procurement_regime: ProcurementRegime | None = None
    procurement_started_on: date | None = None
    light_touch: bool | None = None
    contract_type: ContractType | None = None
    award_value_pence: int | None = None  # null also where an exempt case hides the figures
    award_max_months: int | None = None
    extension_options_months: int | None = None
    procurement_missing: list[str] = []

    @classmethod
    def of(cls, a: Agreement, value_shown: bool) -> AgreementOut:
        return cls(
            id=pk(a.id),
            reference=a.reference,
            title=a.title,
            kind=AgreementKind(a.kind),
            counterparty=a.counterparty,
            directorate=a.directorate,
            annual_value_pence=a.annual_value_pence if value_shown else None,
            start_date=a.start_date,
            end_date=a.end_date,
            companies_house_number=a.companies_house_number,
            charity_number=a.charity_number,
            description=a.description,
            extension_notice_months=a.extension_notice_months,
            review_date=a.review_date,
            sme=a.sme,
            vcse=a.vcse,
            procurement_regime=_maybe(ProcurementRegime, a.procurement_regime),
            procurement_started_on=a.procurement_started_on,
            light_touch=a.light_touch,
            contract_type=_maybe(ContractType, a.contract_type),
            award_value_pence=a.award_value_pence if value_shown else None,
            award_max_months=a.award_max_months,
            extension_options_months=a.extension_options_months,
            procurement_missing=facts.missing(a),
        )


class AgreementScope:
    """What ``viewer`` may see of agreements, decided for a page at once: one query for the
    exempt cases covering the page's agreements, with their delegations."""

    def __init__(self, ctx: Ctx, viewer: User) -> None:
        self.ctx = ctx
        self.viewer = viewer

    def hidden_values(self, agreement_ids: Iterable[int]) -> set[int]:
        """The agreements whose annual value this viewer may not see."""
        ids = list(set(agreement_ids))
        if not ids or any(self.viewer.has_role(r) for r in ENTITLED_ROLES):
            return set()
        covering = unique_rows(
            self.ctx.session.exec(
                select(CaseAgreement.agreement_id, Case, Delegation)
                .join(Case, col(Case.id) == col(CaseAgreement.case_id))
                .outerjoin(Delegation, col(Delegation.case_id) == col(Case.id))
                .where(
                    col(CaseAgreement.agreement_id).in_(ids),
                    or_(
                        col(Case.exempt_paragraph).is_not(None), col(Case.exempt_parts).is_not(None)
                    ),
                )
                .order_by(col(Delegation.id))
            )
        )
        latest: dict[int, Delegation | None] = {}
        for _, case, delegation in covering:
            # Ordered by delegation id: the last one read is the case's current delegation.
            case_id = pk(case.id)
            latest[case_id] = delegation if delegation is not None else latest.get(case_id)
        today = self.ctx.today()
        return {
            agreement_id
            for agreement_id, case, _ in covering
            if not hidden(
                case, entitled_to_case(self.viewer, case.author_id, latest.get(pk(case.id))), today
            ).shows("figures")
        }

    def read(self, agreements: list[Agreement]) -> list[AgreementOut]:
        agreements = [a for a in agreements if self.ctx.sees(a.council_id)]
        hidden = self.hidden_values(pk(a.id) for a in agreements)
        return [AgreementOut.of(a, a.id not in hidden) for a in agreements]

    def one(self, agreement: Agreement) -> AgreementOut:
        return self.read([agreement])[0]
