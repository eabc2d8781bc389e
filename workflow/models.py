"""The tables. Money is integer pence, dates are dates, instants are aware UTC.

Rows are plain records: the rules live in the machine, the guards and the service, never in
the models, so that every writer goes through the same checks.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, relationship
from sqlmodel import Field, Relationship, SQLModel

from workflow.dbtypes import UTCDateTime


class Role(StrEnum):
    officer = "officer"
    democratic_services = "democratic_services"
    executive = "executive"
    cabinet_member = "cabinet_member"
    scrutiny = "scrutiny"
    admin = "admin"
    viewer = "viewer"
    # Offices the 2012 Regulations name for urgency agreements (regs 5(6), 11(1)), held as
    # roles so a record says "a person with that office" by pointing at that person.
    scrutiny_chair = "scrutiny_chair"
    chairman = "chairman"
    vice_chairman = "vice_chairman"
    # Issue 10: may create councils (an installation's operator, not any council's officer).
    platform_operator = "platform_operator"


class AgreementKind(StrEnum):
    contract = "contract"
    sla = "sla"


class ProcurementRegime(StrEnum):
    """The law an agreement was procured under (SPEC §9): the Public Contracts Regulations 2015
    for procurements begun before 24 February 2025, the Procurement Act 2023 after."""

    pcr2015 = "pcr2015"
    pa2023 = "pa2023"


class ContractType(StrEnum):
    goods = "goods"
    services = "services"
    works = "works"


class Ground(StrEnum):
    """The lawful ground a proposal relies on to modify its agreements (SPEC §9; the law's
    own words and caps are in ``workflow/procurement/grounds.py``)."""

    provided_for = "provided_for"  # PCR reg 72(1)(a); PA Sch 8 para 1
    additional = "additional"  # PCR reg 72(1)(b); PA Sch 8 (additional goods, services, works)
    unforeseeable = "unforeseeable"  # PCR reg 72(1)(c); PA Sch 8 para 4
    not_substantial = "not_substantial"  # PCR reg 72(1)(e) and (8); PA s.74(1)(b), (3)
    below_threshold = "below_threshold"  # PCR reg 72(5); PA s.74(1)(c), (4)
    in_house = "in_house"  # PCR reg 12; PA Sch 2 para 2: exempt, no modification test
    # Grounds the law has that SPEC §9's list lacks:
    replacement_contractor = "replacement_contractor"  # PCR reg 72(1)(d); PA Sch 8 (restructuring)
    urgency = "urgency"  # PA Sch 8 para 2: urgency and the protection of life
    known_risk = "known_risk"  # PA Sch 8 para 5: the materialisation of a known risk


class CaseKind(StrEnum):
    extension = "extension"
    sla_refresh = "sla_refresh"


class State(StrEnum):
    drafted = "drafted"
    cabinet_consideration = "cabinet_consideration"
    delegated_approval = "delegated_approval"
    active = "active"
    expired = "expired"
    rejected = "rejected"
    withdrawn = "withdrawn"
    # Issue 12, fault 3: the delegate declined every further term, or the envelope's time passed.
    declined = "declined"
    lapsed = "lapsed"
    # Issue 12, fault 7: called in, awaiting the overview and scrutiny committee's outcome.
    called_in = "called_in"
    # Scrutiny referred the called-in decision to full Council (LGA 2000 s.9F(4)(b)): it
    # waits for Council's decision, which democratic services record.
    council_consideration = "council_consideration"


ENDED_STATES = frozenset(
    {State.expired, State.rejected, State.withdrawn, State.declined, State.lapsed}
)


class DeadlineKind(StrEnum):
    forward_plan_notice = "forward_plan_notice"
    private_meeting_notice = "private_meeting_notice"
    agenda_publication = "agenda_publication"
    call_in_end = "call_in_end"
    sign_off_due = "sign_off_due"
    agreement_end = "agreement_end"
    extension_option_decision = "extension_option_decision"
    envelope_exhausted = "envelope_exhausted"
    # SI 2012/2089: the further private notice (reg 5(4)), the urgency reasons notices
    # (regs 5(7), 10(3), 11(2)), the general exception notice (reg 10(1)) and the
    # publication of decision records (regs 12, 13).
    private_meeting_further_notice = "private_meeting_further_notice"
    general_exception_notice = "general_exception_notice"
    urgency_reasons_notice = "urgency_reasons_notice"
    private_urgency_reasons_notice = "private_urgency_reasons_notice"
    decision_record_publication = "decision_record_publication"
    # Procurement law (SPEC §9; ``workflow/procurement/notices.py``): the contract change
    # notice and its voluntary standstill (Procurement Act 2023 ss.75-76), the PCR 2015 reg
    # 72(3) modification notice, the s.77 publication of a modification and the s.80
    # termination notice.
    contract_change_notice = "contract_change_notice"
    standstill_end = "standstill_end"
    modification_notice = "modification_notice"
    modification_publication = "modification_publication"
    termination_notice = "termination_notice"
    # Schedule 12A para 10 ("if and so long as"): the review of an exempt Part B (issue 12).
    exemption_review = "exemption_review"
    # A called-in decision referred to full Council: the meeting the constitution gives it.
    council_decision = "council_decision"


class DeadlineStatus(StrEnum):
    open = "open"
    done = "done"
    cancelled = "cancelled"


class ReminderStatus(StrEnum):
    pending = "pending"
    claimed = "claimed"
    sent = "sent"
    failed = "failed"
    dead = "dead"
    cancelled = "cancelled"


class ReminderPurpose(StrEnum):
    reminder = "reminder"
    escalation = "escalation"


def _instant(nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


# The council an installation's data belonged to before councils existed (migration 0012), and
# the one a unit of work with no council of its own (the command line, tests) writes into.
FIRST_COUNCIL = 1
# The council of a request nobody has signed in to yet: no council has it, so every scope
# filters everything out and a write fails its foreign key (fail closed).
NO_COUNCIL = 0


def _council() -> Any:
    """The owning council (issue 10): every row of a table a query can reach without going
    through a case carries it, so a read scope filters on it and PostgreSQL's row-level
    security can check it."""
    return Field(default=FIRST_COUNCIL, foreign_key="councils.id", index=True)


class Council(SQLModel, table=True):
    """A tenant: one council's people, agreements, cases, deadlines, reminders, audit chains
    and constitution. ``settings`` holds only what its constitution says differently from
    the installation's ``COUNCILFLOW_*`` values (``workflow.councils.settings``), so a new
    council starts with the installation's defaults."""

    __tablename__ = "councils"

    id: int | None = Field(default=None, primary_key=True)
    name: str
    slug: str = Field(sa_column=Column(String(60), unique=True, nullable=False))
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _instant()


class User(SQLModel, table=True):
    __tablename__ = "users"
    # One person may work for two councils (a shared service): an email is unique per council.
    __table_args__ = (UniqueConstraint("council_id", "email", name="uq_users_council_email"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = _council()
    name: str
    email: str = Field(sa_column=Column(String(320), nullable=False))
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    directorate: str | None = None
    token_hash: str | None = Field(default=None, sa_column=Column(String(64), unique=True))
    is_system: bool = False
    # Deactivated people keep their history but can no longer sign in or be named.
    active: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=true())
    )
    # Bumped at sign-out: every session cookie carrying an older generation is dead.
    session_generation: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default="0")
    )
    created_at: datetime = _instant()

    def has_role(self, role: Role | str) -> bool:
        return str(role) in self.roles


class Agreement(SQLModel, table=True):
    __tablename__ = "agreements"
    __table_args__ = (
        Index("ix_agreements_kind_end", "kind", "end_date"),
        # A council numbers its own contracts: two councils may both have "SC-001".
        UniqueConstraint("council_id", "reference", name="uq_agreements_council_reference"),
    )

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = _council()
    reference: str = Field(sa_column=Column(String(100), nullable=False))
    title: str
    kind: str
    counterparty: str
    companies_house_number: str | None = None
    charity_number: str | None = None
    directorate: str = Field(index=True)
    annual_value_pence: int = Field(sa_column=Column(BigInteger, nullable=False))
    start_date: date
    end_date: date = Field(index=True)
    description: str | None = None
    # The contract's own notice for taking up an extension option, where it differs from
    # Settings.extension_notice_months (issue 12, fault 8).
    extension_notice_months: int | None = None
    review_date: date | None = None
    sme: bool | None = None
    vcse: bool | None = None
    # SPEC §9: the procurement facts the lawful-modification test reads. Null until known; an
    # agreement missing any of them may not be extended (``workflow/procurement``).
    procurement_regime: str | None = None
    procurement_started_on: date | None = None
    light_touch: bool | None = None
    contract_type: str | None = None
    award_value_pence: int | None = Field(default=None, sa_column=Column(BigInteger))
    award_max_months: int | None = None
    extension_options_months: int | None = None  # what the contract provides for; null if none
    created_at: datetime = _instant()
    updated_at: datetime = _instant()


class Case(SQLModel, table=True):
    __tablename__ = "cases"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = _council()
    kind: str
    title: str
    directorate: str = Field(index=True)
    author_id: int = Field(foreign_key="users.id", index=True)
    state: str = Field(default=State.drafted, index=True)
    version: int = 1
    meeting_date: date | None = None
    agenda_item: str | None = None
    key_decision: bool = False
    forward_plan_published_on: date | None = None
    exempt_paragraph: int | None = None
    # Issue 12, fault 4: exemption by part of the report (``workflow.lifecycle.parts``). Each
    # Part B is ``{paragraph, heading, content, covers}``; null when the report has none.
    exempt_parts: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )
    # Schedule 12A para 10: who weighed the public interest, when, and why it favours the
    # exemption; and when the exemption is reviewed and when it lapses.
    public_interest_decided_by_id: int | None = Field(default=None, foreign_key="users.id")
    public_interest_decided_on: date | None = None
    public_interest_reasons: str | None = None
    exemption_review_on: date | None = None
    exemption_lapses_on: date | None = None
    private_notice_published_on: date | None = None
    urgency_route: str | None = None
    urgency_reason: str | None = None
    urgency_notified_on: date | None = None
    urgency_agreed_by: str | None = None
    # SI 2012/2089 reg 10(1)(a): the scrutiny chair told of a general exception; reg 11(1):
    # the office holder who agreed special urgency, on ``urgency_agreed_on``, and why the
    # offices before theirs could not act.
    urgency_chair_told_id: int | None = Field(default=None, foreign_key="users.id")
    urgency_agreed_by_id: int | None = Field(default=None, foreign_key="users.id")
    urgency_agreed_on: date | None = None
    urgency_precedence_note: str | None = None
    urgency_reasons_published_on: date | None = None  # regs 10(3), 11(2)
    # reg 5(4)-(5): the further private notice, for the meeting the case is now set for.
    private_further_notice_published_on: date | None = None
    # reg 5(6)-(7): a private meeting without the notices, on an office holder's agreement.
    private_urgency_reason: str | None = None
    private_urgency_agreed_by_id: int | None = Field(default=None, foreign_key="users.id")
    private_urgency_agreed_on: date | None = None
    private_urgency_precedence_note: str | None = None
    private_urgency_reasons_published_on: date | None = None
    # reg 7: the agenda for the meeting the case is now set for, and a late item's reason.
    agenda_published_on: date | None = None
    late_item_reason: str | None = None
    proposal_start_date: date | None = None
    proposal_initial_months: int | None = None
    proposal_max_months: int | None = None
    proposal_ground: str | None = None  # SPEC §9: the lawful ground (``Ground``)
    # The procurement notices published for this case's modifications and agreements, each
    # ``{kind, agreement_id, occasion, published_on, reference}`` (``workflow/procurement/
    # notices.py``); read with the case row, so no guard or re-plan needs another query.
    procurement_notices: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    entered_delegated_at: datetime | None = _instant(nullable=True)
    term_start: date | None = None
    term_end: date | None = None
    # In delegated approval, the last day the envelope can still be used: it lapses the day
    # after (``guards.envelope_lapses_after``). Kept by ``change.record`` so the scheduler's
    # ``lapse_due`` selects only the cases due, by this index (issue 12); null otherwise.
    lapses_after: date | None = Field(default=None, index=True)
    created_at: datetime = _instant()
    updated_at: datetime = _instant()


class CaseAgreement(SQLModel, table=True):
    __tablename__ = "case_agreements"

    case_id: int = Field(foreign_key="cases.id", primary_key=True)
    agreement_id: int = Field(foreign_key="agreements.id", primary_key=True, index=True)


class Report(SQLModel, table=True):
    __tablename__ = "reports"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", unique=True)
    summary: str | None = None
    recommended_option: str | None = None
    reasons: str | None = None
    financial_implications: str | None = None


class ReportOption(SQLModel, table=True):
    __tablename__ = "report_options"

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="reports.id", index=True)
    position: int
    label: str
    description: str
    rejected_reason: str | None = None


class Resolution(SQLModel, table=True):
    __tablename__ = "resolutions"
    # The public /decisions page reads a page in this order (newest notice first, then case
    # and row) rather than sorting every published notice (``documents.public``; 0018).
    __table_args__ = (
        Index("ix_resolutions_notice_published_on", "notice_published_on", "case_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    outcome: str
    text: str
    decided_on: date
    notice_published_on: date | None = None
    urgent_reason: str | None = None
    # Call-in exemption for urgency needs the scrutiny chair's recorded agreement.
    urgent_agreed_by_id: int | None = Field(default=None, foreign_key="users.id")
    meeting_date: date | None = None
    adjourned_to: date | None = None  # the meeting continued on this day and decided then
    # SI 2012/2089 reg 12(2): reasons, alternatives rejected, conflicts and dispensations.
    reasons: str | None = None
    conflicts_of_interest: str | None = None
    dispensation: str | None = None
    # Issue 12, fault 1: the months of a first term Cabinet approved itself, which start when
    # call-in is over; any delegation covers only the months beyond them.
    cabinet_months: int | None = None
    # Issue 12, fault 7: what scrutiny made of a call-in ("called_in" while it waits), and
    # whether this decision reconsiders one scrutiny referred back (it cannot be called in).
    call_in_outcome: str | None = None
    reconsidered: bool | None = None
    # The day scrutiny referred it to full Council, from which Council's meeting is due.
    council_referred_on: date | None = None
    recorded_by_id: int = Field(foreign_key="users.id")
    recorded_at: datetime = _instant()


class CallInRequest(SQLModel, table=True):
    """One scrutiny member's request to call a decision in (issue 12, fault 7): the decision is
    called in when the number of members the constitution asks for have asked."""

    __tablename__ = "call_in_requests"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    resolution_id: int = Field(foreign_key="resolutions.id")
    # Set when the decision asked about is a delegate's key decision (``SignOff.id``), not
    # Cabinet's resolution (issue 12: officer key decisions called in).
    sign_off_id: int | None = None
    member_id: int = Field(foreign_key="users.id")
    reason: str
    requested_at: datetime = _instant()


class Delegation(SQLModel, table=True):
    __tablename__ = "delegations"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    resolution_id: int = Field(foreign_key="resolutions.id")
    delegate_id: int = Field(foreign_key="users.id", index=True)
    max_months: int
    latest_end_date: date
    # "with the agreement of" the consultee rather than "in consultation with" (fault 8).
    consultee_must_agree: bool | None = None
    created_at: datetime = _instant()
    # Every consultee Cabinet named, in its order (issue 12, fault 8): a decision may be taken
    # "in consultation with the Cabinet Member and the Director of Finance". Joined into the
    # very statement that reads the delegation, so reading delegations costs what it did and
    # the same whoever is named; a ``select`` of delegations therefore ends ``.unique()``
    # (SQLAlchemy refuses, loudly, one that does not).
    # (Spelled out as SQLAlchemy's ``relationship`` under ``Mapped``: with postponed
    # annotations SQLModel sees only the string and would map a single row.)
    named: Mapped[list[DelegationConsultee]] = Relationship(
        sa_relationship=relationship(
            "DelegationConsultee",
            lazy="joined",
            order_by="DelegationConsultee.position",
            cascade="all, delete-orphan",
        )
    )

    def consultees(self) -> list[int]:
        """Every consultee the delegate must consult, in the order Cabinet named them."""
        return [n.user_id for n in self.named]

    def months_left(self, months_used: int) -> int:
        """What is left of the envelope once ``months_used`` have been signed off."""
        return max(0, self.max_months - months_used)


class DelegationConsultee(SQLModel, table=True):
    """One consultee a delegation names, at its place in Cabinet's list (issue 12, fault 8).

    A table rather than a JSON list on the delegation, so "the cases I am to be consulted on"
    is one indexed query (``user_id``) on every database. ``case_id`` repeats the delegation's
    so that query, the retention purge and PostgreSQL's row-level security reach the case
    directly, as every other table of a case does."""

    __tablename__ = "delegation_consultees"

    # Set from ``Delegation.named`` when the delegation is flushed.
    delegation_id: int | None = Field(default=None, foreign_key="delegations.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True)
    position: int  # 0 for the first Cabinet named
    case_id: int = Field(foreign_key="cases.id", index=True)


class Consultation(SQLModel, table=True):
    __tablename__ = "consultations"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    delegation_id: int = Field(foreign_key="delegations.id")
    consultee_id: int = Field(foreign_key="users.id")
    consulted_on: date
    response: str
    # Issue 12, fault 5: the consultee's declared interests and any dispensation
    # (SI 2012/2089 reg 13(2)(e) records them for the decision the consultee was consulted on).
    conflicts_of_interest: str | None = None
    dispensation: str | None = None
    agreed: bool | None = None  # whether the consultee agreed (for "with the agreement of")
    recorded_by_id: int = Field(foreign_key="users.id")
    recorded_at: datetime = _instant()


class SignOff(SQLModel, table=True):
    __tablename__ = "sign_offs"
    # As ``Resolution``'s: the public page's order over published reg 13 records (0018).
    __table_args__ = (
        Index("ix_sign_offs_record_published_on", "record_published_on", "case_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    delegation_id: int = Field(foreign_key="delegations.id")
    signer_id: int = Field(foreign_key="users.id")
    months: int
    term_start: date
    term_end: date
    reasons: str
    conflicts_of_interest: str
    dispensation: str | None = None  # SI 2012/2089 reg 13(2)(e)
    # The officer's own alternatives considered and rejected (reg 13(2)(c)), not Cabinet's.
    alternatives_rejected: str | None = None
    record_published_on: date | None = None  # when the reg 13 record was published
    signed_on: date
    signed_at: datetime = _instant()
    # A delegate's key decision the constitution makes subject to call-in (issue 12,
    # ``Settings.officer_key_decisions_call_in``): the term starts only when call-in is over
    # (``implemented_on``), or at once on scrutiny's "no further action" or full Council's
    # decision; referred back to the delegate (by scrutiny or by Council) it is void and
    # counts for nothing.
    call_in_ends_on: date | None = None
    # called_in, no_further_action, referred_back, referred_to_council, council_decided,
    # council_referred_back
    call_in_outcome: str | None = None
    implemented_on: date | None = None

    @property
    def referred_back(self) -> bool:
        """Scrutiny, or full Council on scrutiny's referral, sent it back to the delegate to
        reconsider (LGA 2000 s.9F(4)(a)): it is void, and what replaces it is not called in."""
        return self.call_in_outcome in REFERRED_BACK

    @property
    def awaits_call_in(self) -> bool:
        """Signed off, subject to call-in, and neither implemented nor referred back yet."""
        return (
            self.call_in_ends_on is not None
            and self.implemented_on is None
            and not self.referred_back
        )


# The outcomes of a call-in that send a decision back to whoever made it to reconsider.
REFERRED_BACK = frozenset({"referred_back", "council_referred_back"})


def awaiting_call_in(sign_offs: list[SignOff]) -> SignOff | None:
    """The delegate's key decision awaiting call-in: the latest sign-off, if it is one
    (``SignOff.awaits_call_in``)."""
    last = sign_offs[-1] if sign_offs else None
    return last if last is not None and last.awaits_call_in else None


class Deadline(SQLModel, table=True):
    __tablename__ = "deadlines"
    __table_args__ = (Index("ix_deadlines_status_due", "status", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = _council()
    case_id: int = Field(foreign_key="cases.id", index=True)
    agreement_id: int | None = Field(default=None, foreign_key="agreements.id")
    kind: str
    # The modification a procurement notice's duty belongs to, by the first day of the term
    # it brings (``deadlines.rules.PlannedDeadline.occasion``); part of the deadline's key.
    occasion: date | None = None
    due_on: date = Field(index=True)
    is_duty: bool
    status: str = DeadlineStatus.open
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _instant()
    updated_at: datetime = _instant()


class Reminder(SQLModel, table=True):
    __tablename__ = "reminders"
    __table_args__ = (
        Index("ix_reminders_status_fire_at", "status", "fire_at"),
        Index("ix_reminders_status_claimed_until", "status", "claimed_until"),
    )

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = _council()
    deadline_id: int = Field(foreign_key="deadlines.id", index=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    deadline_kind: str
    due_on: date
    purpose: str = ReminderPurpose.reminder
    offset_days: int | None = None
    fire_at: datetime = _instant()
    channel: str
    recipients: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = ReminderStatus.pending
    attempts: int = 0
    claimed_by: str | None = None
    claimed_until: datetime | None = _instant(nullable=True)
    sent_at: datetime | None = _instant(nullable=True)
    last_error: str | None = None
    created_at: datetime = _instant()
    updated_at: datetime = _instant()


class ReminderDelivery(SQLModel, table=True):
    """One recipient a per-recipient channel (GOV.UK Notify) has handed a reminder to, with
    the service's own id for that message: written the moment the service accepts it, so a
    retry — in this process, another one, or after a restart — sends only to the rest.

    ``case_id`` is the reminder's, so that a retention purge removes these with the case's
    other rows and the row-level wall sees them through their case."""

    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint("reminder_id", "address", name="uq_reminder_deliveries_reminder_address"),
    )

    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="reminders.id")
    case_id: int = Field(foreign_key="cases.id", index=True)
    address: str
    notification_id: str
    accepted_at: datetime = _instant()


class AuditEvent(SQLModel, table=True):
    """One link of a per-case chain (``chain`` is ``case:<id>``, or a named chain for events
    with no case). ``seq`` counts 1, 2, 3… within the chain, so a removed row shows as a gap
    and appending needs only the chain's own last row, never a lock all cases share."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("chain", "seq", name="uq_audit_events_chain_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = _council()
    chain: str = Field(sa_column=Column(String(40), nullable=False))
    seq: int
    case_id: int | None = Field(default=None, index=True)
    event: str
    from_state: str | None = None
    to_state: str | None = None
    actor_id: int | None = None
    at: datetime = _instant()
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str
    hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))


class AuditCheckpoint(SQLModel, table=True):
    """One link of the global chain of checkpoints the scheduler appends: the heads of every
    case chain that grew since the checkpoint before, keyed together with that one's hash.
    ``id`` is the checkpoint's number (1, 2, 3…); two schedulers racing for the same number
    collide on the primary key, so the global chain cannot fork."""

    __tablename__ = "audit_checkpoints"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    # Each council's checkpoints are a chain of their own (``prev_hash`` is the council's
    # previous one); ``id`` stays one number across councils, so two schedulers still race on
    # the primary key.
    council_id: int = _council()
    at: datetime = _instant()
    last_event_id: int  # high-water mark: the next checkpoint looks only at events after it
    heads: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    prev_hash: str
    hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))


class IdempotencyRecord(SQLModel, table=True):
    """The first answer to a POST carrying an ``Idempotency-Key``, replayed for repeats."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id")
    key: str = Field(sa_column=Column(String(200), nullable=False))
    method: str
    path: str
    request_hash: str
    status_code: int
    response_body: str
    response_headers: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = _instant(index=True)


class IdentityProvider(SQLModel, table=True):
    """A council's OpenID Provider (issue 10, part 3): whom CouncilFlow trusts to say who is
    signing in, and how that provider's groups or roles claim becomes CouncilFlow roles.

    The council's own (issue 10): the people it signs in are that council's."""

    __tablename__ = "identity_providers"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = _council()
    name: str  # shown as "Sign in with <name>"
    issuer: str = Field(sa_column=Column(String(500), unique=True, nullable=False))
    client_id: str
    client_secret: str | None = None  # None: a public client, PKCE alone
    scopes: str = "openid email profile"
    roles_claim: str = "groups"
    role_mapping: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    provisioning: str = "pre_registered"  # or "create"
    create_role: str | None = None  # the role of a person "create" lets in with no mapped role
    end_session: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=true())
    )
    created_at: datetime = _instant()


class OidcSignIn(SQLModel, table=True):
    """One sign-in begun at a provider: the state sent there (as a hash), the nonce and the
    PKCE verifier kept here. A state is good once and for ``STATE_MINUTES``: the callback
    marks it used, so a replayed or stale callback is refused by name."""

    __tablename__ = "oidc_sign_ins"

    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    provider_id: int = Field(foreign_key="identity_providers.id")
    nonce: str
    code_verifier: str
    next: str = "/"
    created_at: datetime = _instant(index=True)
    used_at: datetime | None = _instant(nullable=True)


class PersonalAccessToken(SQLModel, table=True):
    """A token a person makes for the API (issue 10, part 4): named, read or read-write,
    always with an expiry, revocable by its owner or an admin. Stored as a SHA-256 hash, as
    the users' own tokens are; ``last_used_at`` is written at most once a minute."""

    __tablename__ = "personal_access_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    name: str
    scope: str  # "read" or "read_write"
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = _instant()
    expires_at: datetime = _instant()
    last_used_at: datetime | None = _instant(nullable=True)
    revoked_at: datetime | None = _instant(nullable=True)
    revoked_by_id: int | None = Field(default=None, foreign_key="users.id")


class FirstRunLink(SQLModel, table=True):
    """The one sign-in link ``councilflow serve`` prints on an empty database (issue 10,
    part 5): good once, for 15 minutes, stored as a hash."""

    __tablename__ = "first_run_links"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    created_at: datetime = _instant()
    expires_at: datetime = _instant()
    used_at: datetime | None = _instant(nullable=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")


def pk(value: int | None) -> int:
    """A stored row's id (never None once flushed), typed as the int it is."""
    if value is None:
        raise ValueError("row has not been flushed, so it has no id yet")
    return value
