"""The decision notice of a Cabinet decision and the record of an officer's delegated
decision, as documents: the records themselves are ``workflow.lifecycle.read``'s
(``cabinet_record``, ``decision_record``), redacted there for the viewer; this adds only what
a published document names beside them (the case, its meeting, its agreements through the
register's scope) and never derives a fact of the decision again.

- Decision notice: SI 2012/2089 reg 12 — after a meeting at which an executive decision was
  made, "a written statement" of it: (2)(a) the decision and its date, (b) the reasons,
  (c) the alternative options considered and rejected at the meeting, (d) any conflict of
  interest declared by a member of the decision-making body, and (e) a note of any
  dispensation the head of paid service granted.
- Officer record: reg 13 of the same Regulations for an executive decision an officer makes
  under a delegation from Cabinet (every sign-off in CouncilFlow is one). The Openness of
  Local Government Bodies Regulations 2014 reg 7 asks for the same particulars of an
  officer's decision delegated by the council or a committee (non-executive), which
  CouncilFlow does not make; and reg 7(4) is satisfied wherever another statutory record
  holds the date, decision and reasons, as the reg 13 record does. The record names its
  regulation (``DecisionRecordOut.regulation``).
- Both are open to inspection by the public at the council's offices and on its website
  (SI 2012/2089 reg 14), exempt information excepted (reg 20): ``workflow.documents.public``.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from workflow.context import Ctx
from workflow.errors import NotFound
from workflow.lifecycle.bundle import CaseBundle
from workflow.lifecycle.read import CabinetRecordOut, DecisionRecordOut, Redaction, cabinet_record
from workflow.lifecycle.read import decision_record as decision_record_read
from workflow.models import CaseKind, User, pk
from workflow.register.read import AgreementOut, AgreementScope


class CaseHeading(BaseModel):
    """What every document names about its case: public facts (title, kind, meeting,
    agreements with their values as the register's scope shows them) and the redaction
    notice when the viewer may not see the exempt content."""

    case_id: int
    title: str
    kind: CaseKind
    directorate: str
    meeting_date: date | None
    agenda_item: str | None
    exempt_paragraph: int | None
    agreements: list[AgreementOut]
    redacted: Redaction | None


class DecisionNotice(BaseModel):
    council: str
    case: CaseHeading
    record: CabinetRecordOut


class OfficerRecord(BaseModel):
    council: str
    case: CaseHeading
    record: DecisionRecordOut


def case_heading(
    ctx: Ctx, bundle: CaseBundle, viewer: User, redacted: Redaction | None
) -> CaseHeading:
    case = bundle.case
    return CaseHeading(
        case_id=pk(case.id),
        title=case.title,
        kind=CaseKind(case.kind),
        directorate=case.directorate,
        meeting_date=case.meeting_date,
        agenda_item=case.agenda_item,
        exempt_paragraph=case.exempt_paragraph,
        agreements=AgreementScope(ctx, viewer).read(bundle.agreements),
        redacted=redacted,
    )


def decision_notice(ctx: Ctx, bundle: CaseBundle, viewer: User) -> DecisionNotice:
    """The reg 12 decision notice of Cabinet's latest decision on the case."""
    record = cabinet_record(ctx, bundle, viewer)
    if record is None:
        raise NotFound(f"case {bundle.case.id} has no Cabinet decision yet")
    # The record leaves the decision null exactly when the viewer may not see exempt content.
    paragraph = bundle.case.exempt_paragraph
    redacted = Redaction.of(paragraph) if record.decision is None and paragraph else None
    return DecisionNotice(
        council=ctx.settings.council_name,
        case=case_heading(ctx, bundle, viewer, redacted),
        record=record,
    )


def officer_record(
    ctx: Ctx, bundle: CaseBundle, viewer: User, sign_off_id: int | None = None
) -> OfficerRecord:
    """The reg 13 record of one sign-off (the latest unless ``sign_off_id`` names another)."""
    record = decision_record_read(ctx, bundle, viewer, sign_off_id)
    return OfficerRecord(
        council=ctx.settings.council_name,
        case=case_heading(ctx, bundle, viewer, record.redacted),
        record=record,
    )
