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

from pydantic import BaseModel
from sqlmodel import col, select

from workflow.context import Ctx
from workflow.lifecycle.exempt import ENTITLED_ROLES, entitled_to_case
from workflow.models import Agreement, AgreementKind, Case, CaseAgreement, Delegation, User, pk


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
        covering = self.ctx.session.exec(
            select(CaseAgreement.agreement_id, Case.id, Case.author_id, Delegation)
            .join(Case, col(Case.id) == col(CaseAgreement.case_id))
            .outerjoin(Delegation, col(Delegation.case_id) == col(Case.id))
            .where(
                col(CaseAgreement.agreement_id).in_(ids),
                col(Case.exempt_paragraph).is_not(None),
            )
            .order_by(col(Delegation.id))
        ).all()
        latest: dict[int, Delegation | None] = {}
        for _, case_id, _, delegation in covering:
            # Ordered by delegation id: the last one read is the case's current delegation.
            latest[pk(case_id)] = delegation if delegation is not None else latest.get(case_id)
        return {
            agreement_id
            for agreement_id, case_id, author_id, _ in covering
            if not entitled_to_case(self.viewer, author_id, latest.get(pk(case_id)))
        }

    def read(self, agreements: list[Agreement]) -> list[AgreementOut]:
        agreements = [a for a in agreements if self.ctx.sees(a.council_id)]
        hidden = self.hidden_values(pk(a.id) for a in agreements)
        return [AgreementOut.of(a, a.id not in hidden) for a in agreements]

    def one(self, agreement: Agreement) -> AgreementOut:
        return self.read([agreement])[0]
