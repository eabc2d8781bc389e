"""What the API answers: response models for the pinned bodies of SPEC §7.

Requests use the domain's own types (``workflow.schemas``). Answers are built by the domain
(``workflow.lifecycle.views`` decides what each person may see) and validated against these models,
so
the served OpenAPI schema describes exactly what goes on the wire, redacted shapes included.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from workflow.models import AgreementKind, CaseKind, DeadlineKind, ReminderStatus, Role, State

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """A keyset page: pass ``next_cursor`` back as ``cursor`` for the next one; null at the end."""

    items: list[T]
    next_cursor: str | None


# --- problems --------------------------------------------------------------------------


class FieldError(BaseModel):
    field: str
    message: str
    in_: str | None = Field(default=None, alias="in")


class GuardOut(BaseModel):
    name: str
    reason: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
    event: str | None = None
    state: str | None = None
    allowed_events: list[str] | None = None
    guards: list[GuardOut] | None = None


# --- users -----------------------------------------------------------------------------


class UserOut(BaseModel):
    id: int
    name: str
    email: str
    roles: list[Role]
    directorate: str | None


class UserCreated(UserOut):
    token: str = Field(description="The bearer token; shown this once and never again.")


# --- agreements --------------------------------------------------------------------------


class AgreementOut(BaseModel):
    id: int
    reference: str
    title: str
    kind: AgreementKind
    counterparty: str
    directorate: str
    annual_value_pence: int
    start_date: date
    end_date: date
    companies_house_number: str | None
    charity_number: str | None
    description: str | None = None
    extension_notice_months: int | None = None
    review_date: date | None = None
    sme: bool | None = None
    vcse: bool | None = None


class ImportRefusal(BaseModel):
    row: int = Field(description="Spreadsheet row number, the header being row 1")
    reference: str | None
    reason: str


class ImportResultOut(BaseModel):
    """Rows created, updated (same reference) and refused (each with its row and reason)."""

    created: int
    updated: int
    refused: list[ImportRefusal]
    rows: int
    agreement_ids: list[int]
    ignored_columns: list[str]


# --- cases -------------------------------------------------------------------------------


class OptionOut(BaseModel):
    label: str
    description: str
    rejected_reason: str | None


class ReportOut(BaseModel):
    summary: str | None
    options: list[OptionOut]
    recommended_option: str | None
    reasons: str | None
    financial_implications: str | None


class Redaction(BaseModel):
    """Stands in for exempt content the caller may not see (Schedule 12A paragraph)."""

    redacted: Literal[True]
    exempt_paragraph: int
    reason: str


class UrgencyOut(BaseModel):
    route: Literal["general_exception", "special_urgency"]
    reason: str | None
    notified_on: date | None
    agreed_by: str | None
    chair_told_id: int | None = None
    agreed_by_id: int | None = None
    agreed_on: date | None = None
    precedence_note: str | None = None
    reasons_published_on: date | None = None


class PrivateUrgencyOut(BaseModel):
    """SI 2012/2089 reg 5(6)-(7)."""

    reason: str | None
    agreed_by_id: int | None
    agreed_on: date | None
    precedence_note: str | None
    reasons_published_on: date | None


class ProposalOut(BaseModel):
    start_date: date | None
    initial_months: int | None
    max_months: int | None


class DeadlineOut(BaseModel):
    id: int
    case_id: int
    kind: DeadlineKind
    due_on: date
    agreement_id: int | None
    status: Literal["open", "done", "cancelled"]
    is_duty: bool
    overdue: bool


class ResolutionOut(BaseModel):
    text: str
    decided_on: date
    notice_published_on: date | None
    urgent_reason: str | None


class DelegationOut(BaseModel):
    delegate_id: int
    consultee_id: int | None
    max_months: int | None  # None where the viewer may not see an exempt case's figures
    latest_end_date: date
    months_used: int | None
    months_left: int | None
    resolution: ResolutionOut | None


class TermOut(BaseModel):
    start_date: date | None
    end_date: date | None


class CaseOut(BaseModel):
    id: int
    kind: CaseKind
    title: str
    directorate: str
    agreement_ids: list[int]
    meeting_date: date | None
    agenda_item: str | None
    key_decision: bool
    is_key_decision: bool
    value_pence: int | None
    forward_plan_published_on: date | None
    exempt_paragraph: int | None
    private_notice_published_on: date | None
    private_further_notice_published_on: date | None = None
    agenda_published_on: date | None = None
    late_item_reason: str | None = None
    private_urgency: PrivateUrgencyOut | None = None
    urgency: UrgencyOut | None
    proposal: ProposalOut
    report: ReportOut | Redaction | None
    state: State
    version: int
    author_id: int
    allowed_events: list[str]
    deadlines: list[DeadlineOut]
    delegation: DelegationOut | None
    term: TermOut | None
    created_at: AwareDatetime
    updated_at: AwareDatetime
    redacted: Redaction | None


class ConsultationOut(BaseModel):
    id: int
    case_id: int
    consultee_id: int
    consulted_on: date
    response: str
    conflicts_of_interest: str | None = None
    dispensation: str | None = None
    agreed: bool | None = None
    recorded_by_id: int
    recorded_at: AwareDatetime


class AuditEventOut(BaseModel):
    id: int
    case_id: int | None
    event: str
    from_state: str | None
    to_state: str | None
    actor_id: int | None
    at: AwareDatetime
    data: dict[str, Any]
    prev_hash: str
    hash: str


class DecisionMaker(BaseModel):
    id: int | None
    name: str


class DecisionTerm(BaseModel):
    months: int
    start_date: date
    end_date: date


class Authority(BaseModel):
    resolution: str
    decided_on: date
    meeting_date: date | None


class DecisionConsultee(BaseModel):
    consultee_id: int
    consultee_name: str | None
    consulted_on: date | None
    response: str | None
    conflicts_of_interest: str | None = None  # the consultee's (issue 12, fault 5)
    dispensation: str | None = None


OnDay = date  # DecisionRecordOut has a field named ``date``, which hides the type there


class CabinetRecordOut(BaseModel):
    """The reg 12 record of Cabinet's decision (SI 2012/2089)."""

    regulation: str
    outcome: str
    decision: str | None
    decided_on: date
    meeting_date: date | None
    adjourned_to: date | None
    reasons: str | None
    alternatives_rejected: list[OptionOut] | None
    conflicts_of_interest: str | None
    dispensation: str | None
    published_on: date | None
    publish_by: date
    urgent_reason: str | None
    urgent_agreed_by_id: int | None


class DecisionRecordOut(BaseModel):
    """The officer decision record of one sign-off (SI 2012/2089 reg 13)."""

    case_id: int
    title: str
    date: date
    decision_maker: DecisionMaker | None
    decision: str
    term: DecisionTerm
    authority: Authority | None
    reasons: str | None
    alternatives_rejected: list[OptionOut] | None
    consultee: DecisionConsultee | None
    conflicts_of_interest: str | None
    exempt_paragraph: int | None
    redacted: Redaction | None
    regulation: str = "SI 2012/2089 reg 13"
    dispensation: str | None = None
    published_on: OnDay | None = None
    publish_by: OnDay | None = None
    cabinet_record: CabinetRecordOut | None = None
    officer_alternatives_rejected: str | None = None
    sign_off_id: int | None = None
    sign_off_ids: list[int] = []  # every sign-off's record: ?sign_off_id=


class CouncilReportItem(BaseModel):
    case_id: int
    title: str
    outcome: str
    decided_on: date
    meeting_date: date | None
    route: str | None
    reason: str | None
    forward_plan_published_on: date | None
    notified_on: date | None
    chair_told: str | None
    agreed_by: str | None
    agreed_by_office: str | None
    agreed_on: date | None
    reasons_published_on: date | None
    exempt_paragraph: int | None


class CouncilReportOut(BaseModel):
    """A report the executive owes the council (SI 2012/2089 reg 18 or reg 19)."""

    model_config = ConfigDict(populate_by_name=True)

    regulation: str
    from_: date = Field(alias="from")
    to: date
    items: list[CouncilReportItem]


# --- deadlines and reminders ----------------------------------------------------------------


class ReminderOut(BaseModel):
    id: int
    case_id: int
    deadline_kind: DeadlineKind
    due_on: date
    fire_at: AwareDatetime
    channel: str
    recipients: list[str]
    status: ReminderStatus
    purpose: str
    attempts: int
    last_error: str | None
    sent_at: AwareDatetime | None


# --- the machine, time, health ------------------------------------------------------------


class GuardDescription(BaseModel):
    name: str
    description: str


class EventDescription(BaseModel):
    event: str
    sources: list[State]
    dest: State
    who: str
    description: str
    guards: list[GuardDescription]


class TransitionDescription(BaseModel):
    """One arrow of the machine: ``event`` moves a case from ``source`` to ``dest``."""

    event: str
    source: State
    dest: State


class GuardUse(BaseModel):
    """One guard on one event; a guard on two events is listed twice."""

    name: str
    description: str
    event: str


class WorkflowOut(BaseModel):
    states: list[State]
    initial: State
    end_states: list[State]
    transitions: list[TransitionDescription] = Field(
        description="One entry per event and source state."
    )
    guards: list[GuardUse] = Field(description="One entry per guard and the event it guards.")
    events: list[EventDescription]
    mermaid: str = Field(description="A Mermaid stateDiagram-v2 of the machine.")


def _iso_instant(value: object) -> object:
    """An instant is ISO 8601 text with its offset; a bare number is not one."""
    if isinstance(value, datetime | str):
        return value
    raise ValueError("must be an ISO 8601 instant with its offset")


def _in_range(value: datetime) -> datetime:
    """Within the years the domain's dates may take (``workflow.schemas.Day``), so moving to
    it can neither overflow converting to UTC nor leave the rules of time a calendar to use."""
    if not 1900 <= value.year <= 2199:
        raise ValueError("must be between the years 1900 and 2199")
    return value


class ClockIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    now: Annotated[AwareDatetime, BeforeValidator(_iso_instant), AfterValidator(_in_range)]


class ClockOut(BaseModel):
    now: AwareDatetime
    today: date


class TickOut(BaseModel):
    """What one scheduler pass did (its own report, passed through)."""

    model_config = ConfigDict(extra="allow")


class HealthOut(BaseModel):
    status: Literal["ok"]
    database: Literal["ok"] | None = None
    now: datetime
