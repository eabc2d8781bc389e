"""What the API answers beyond the domain's read models: pages, problems, imports, the
machine, time.

Requests use the domain's own types (``workflow.schemas``). Cases, agreements, deadlines,
reminders, audit events, decision records and users are answered with the domain's own read
models (``workflow.lifecycle.read``, ``workflow.register.read``, ``workflow.deadlines.read``,
``workflow.people.read``), which decide what each person may see while they are built, so the
served OpenAPI schema describes exactly what goes on the wire, redacted shapes included.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from workflow.models import State

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


# --- agreements --------------------------------------------------------------------------


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


# --- reports to the council (SI 2012/2089 regs 18, 19) -----------------------------------


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
    when: str | None = Field(
        default=None,
        description="Where an event has several rows leading to different states, when this "
        "row applies (for example, the decision called in is the delegate's key decision).",
    )
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
