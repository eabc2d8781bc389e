"""What callers send: the pinned bodies of SPEC §7, validated before anything is written.

These are domain types, used by the HTTP layer, the web pages, the CLI and the demo alike.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from workflow.models import AgreementKind, CaseKind, ContractType, Ground, ProcurementRegime, Role
from workflow.procurement.regimes import regime_contradiction
from workflow.text import LONG_TEXT, ONE_LINE

# Every text field ends in one of two checks (``workflow/text.py``): one line refuses every
# control character, long text keeps line breaks and tabs; either way a 422 at the schema.
Text = Annotated[str, Field(min_length=1, max_length=20_000), LONG_TEXT]
ShortText = Annotated[str, Field(min_length=1, max_length=500), ONE_LINE]
OptionalText = Annotated[str, Field(max_length=20_000), LONG_TEXT]
# Numbers are numbers: in lax mode pydantic would take ``true`` as user 1 and "6" as six months.
Months = Annotated[int, Field(strict=True, ge=1, le=240)]
UserId = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]  # the id columns' range
AgreementId = UserId
Pence = Annotated[int, Field(strict=True, ge=0, le=10**14)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    """Dates travel as ``YYYY-MM-DD`` (SPEC §7). Pydantic alone would also read a number as a
    Unix timestamp, so ``0`` would quietly become 1 January 1970; that is refused here."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("must be a date written YYYY-MM-DD")


# A date a council could mean: far enough either way for any contract, and inside what the
# rules of time can add months and working days to without leaving the calendar.
Day = Annotated[date, BeforeValidator(_iso_date), Field(ge=date(1900, 1, 1), le=date(2199, 12, 31))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UserIn(Strict):
    name: ShortText
    email: EmailStr
    roles: list[Role] = Field(min_length=1)
    directorate: ShortText | None = None


class TokenIn(Strict):
    """A personal access token to make (issue 10, part 4): its name, what it may do, and how
    many days it lives (at most ``COUNCILFLOW_TOKEN_MAX_DAYS``, checked by the domain)."""

    name: ShortText
    scope: Literal["read", "read_write"] = "read"
    expires_in_days: Annotated[int, Field(strict=True, ge=1, le=3660)] = 30


class CouncilIn(Strict):
    """``POST /api/v1/councils`` (SPEC §9)."""

    name: ShortText
    slug: Annotated[str, Field(min_length=2, max_length=60), ONE_LINE]


class ConstitutionIn(Strict):
    """``PUT /api/v1/council/settings``: what the council's constitution sets differently
    from the installation (``workflow.councils.constitution.CONSTITUTION`` names them)."""

    settings: dict[str, object]


class IdentityProviderIn(Strict):
    """A council's OpenID Provider (issue 10, part 3). The issuer must be HTTPS, except on
    this machine's loopback address (a test or development provider)."""

    name: ShortText
    issuer: Annotated[str, Field(min_length=8, max_length=500), ONE_LINE]
    client_id: ShortText
    client_secret: ShortText | None = None
    scopes: ShortText = "openid email profile"
    roles_claim: ShortText = "groups"
    role_mapping: dict[Annotated[str, Field(min_length=1, max_length=500)], Role] = Field(
        default_factory=dict
    )
    provisioning: Literal["pre_registered", "create"] = "pre_registered"
    create_role: Role | None = None
    end_session: StrictBool = True
    council_id: UserId | None = None

    @field_validator("issuer")
    @classmethod
    def _issuer_https(cls, value: str) -> str:
        parts = urlsplit(value)
        host = parts.hostname or ""
        loopback = host in {"127.0.0.1", "localhost", "::1"}
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
            raise ValueError("the issuer must be an https:// address")
        if parts.query or parts.fragment:
            raise ValueError("the issuer has no query or fragment")
        return value  # compared exactly with what the provider says (OIDC Discovery 4.3)

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: str) -> str:
        if "openid" not in value.split():
            raise ValueError("the scopes must include openid")
        return value

    @model_validator(mode="after")
    def _create_needs_a_role(self) -> IdentityProviderIn:
        if self.provisioning == "create" and self.create_role is None:
            raise ValueError("provisioning 'create' needs create_role")
        return self


class AgreementProcurementIn(Strict):
    """SPEC §9: an agreement's procurement facts, null until known (an agreement missing them
    is flagged and may not be extended). The body of ``PATCH /agreements/{id}``, where only
    the fields sent change and null clears one."""

    procurement_regime: ProcurementRegime | None = None
    procurement_started_on: Day | None = None
    light_touch: StrictBool | None = None
    contract_type: ContractType | None = None
    award_value_pence: Annotated[int, Field(strict=True, ge=1, le=10**14)] | None = None
    award_max_months: Months | None = None
    extension_options_months: Months | None = None  # what the contract provides; null: none

    @model_validator(mode="after")
    def _regime_of_its_start(self) -> Self:
        """The Procurement Act 2023 (Commencement No. 3 and Transitional and Saving Provisions)
        Regulations 2024: a procurement begun before 24 February 2025 stays under the 2015
        Regulations; one begun since is under the Act. A regime that contradicts the date
        recorded is refused."""
        problem = regime_contradiction(self.procurement_started_on, self.procurement_regime)
        if problem is not None:
            raise ValueError(problem)
        return self


class AgreementIn(AgreementProcurementIn):
    reference: Annotated[str, Field(min_length=1, max_length=100), ONE_LINE]
    title: ShortText
    kind: AgreementKind
    counterparty: ShortText
    directorate: ShortText
    annual_value_pence: Pence
    start_date: Day
    end_date: Day
    companies_house_number: Annotated[str, Field(max_length=20), ONE_LINE] | None = None
    charity_number: Annotated[str, Field(max_length=20), ONE_LINE] | None = None
    description: OptionalText | None = None
    # The contract's own extension notice period, if not the council's default (fault 8).
    extension_notice_months: Annotated[int, Field(strict=True, ge=0, le=24)] | None = None

    @model_validator(mode="after")
    def _ends_after_start(self) -> AgreementIn:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class OptionIn(Strict):
    label: ShortText
    description: Text
    rejected_reason: OptionalText | None = None


class ReportIn(Strict):
    summary: OptionalText | None = None
    options: list[OptionIn] = Field(default_factory=list, max_length=20)
    recommended_option: Annotated[str, Field(max_length=500), ONE_LINE] | None = None
    reasons: OptionalText | None = None
    financial_implications: OptionalText | None = None


ExemptItem = Literal[
    "summary",
    "options",
    "recommended_option",
    "reasons",
    "financial_implications",
    "figures",
    "resolution",
    "urgency_reason",
    "sign_off",
]
Paragraph = Annotated[int, Field(strict=True, ge=1, le=7)]  # Schedule 12A Part 1, paras 1-7


class ExemptPartIn(Strict):
    """One Part B of the report (issue 12, fault 4; ``workflow.lifecycle.parts``): its
    Schedule 12A paragraph, its own exempt content, and which facts of Part A it takes in
    (``covers``; none by default, so the options, the value, the resolution and the urgency
    reasons stay public unless named)."""

    paragraph: Paragraph
    heading: ShortText
    content: Text | None = None
    covers: list[ExemptItem] = Field(default_factory=list, max_length=9)

    @field_validator("covers")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("names each item once")
        return value


class PublicInterestIn(Strict):
    """Schedule 12A para 10: the public interest in maintaining the exemption outweighs the
    public interest in disclosing the information: who decided it, when, and why."""

    decided_by_id: UserId
    decided_on: Day
    reasons: Text


class ProposalIn(Strict):
    start_date: Day
    initial_months: Months
    max_months: Months
    # SPEC §9: the lawful ground the council relies on to modify the agreements.
    ground: Ground | None = None

    @model_validator(mode="after")
    def _initial_within_max(self) -> ProposalIn:
        if self.initial_months > self.max_months:
            raise ValueError("initial_months must not exceed max_months")
        return self


class UrgencyIn(Strict):
    """A key decision's urgency route (SI 2012/2089 regs 10 and 11).

    General exception: ``notified_on`` (the notice published) and ``chair_told_id`` (the
    chair of the overview and scrutiny committee told in writing, reg 10(1)(a)). Special
    urgency: ``agreed_by_id`` (the person holding the office whose agreement counts, reg
    11(1)), ``agreed_on``, and ``precedence_note`` when that is the chairman or vice-chairman
    (why the offices before theirs could not act). ``agreed_by`` is the name as given, kept
    for the record; it is not the agreement.
    """

    route: Literal["general_exception", "special_urgency"]
    reason: Text
    notified_on: Day | None = None
    agreed_by: ShortText | None = None
    chair_told_id: UserId | None = None
    agreed_by_id: UserId | None = None
    agreed_on: Day | None = None
    precedence_note: Text | None = None


class PrivateUrgencyIn(Strict):
    """SI 2012/2089 reg 5(6): a private meeting without the notices of reg 5, on the
    agreement of the scrutiny chair (failing whom the chairman, then the vice-chairman) that
    the meeting is urgent and cannot reasonably be deferred."""

    reason: Text
    agreed_by_id: UserId
    agreed_on: Day
    precedence_note: Text | None = None


class CaseIn(Strict):
    kind: CaseKind
    title: ShortText
    directorate: ShortText
    agreement_ids: list[AgreementId] = Field(min_length=1, max_length=500)
    meeting_date: Day | None = None
    agenda_item: Annotated[str, Field(max_length=50), ONE_LINE] | None = None
    key_decision: StrictBool = False
    forward_plan_published_on: Day | None = None
    exempt_paragraph: Annotated[int, Field(strict=True, ge=1, le=7)] | None = None
    exempt_parts: list[ExemptPartIn] | None = Field(default=None, max_length=10)
    public_interest: PublicInterestIn | None = None
    exemption_review_on: Day | None = None
    exemption_lapses_on: Day | None = None
    private_notice_published_on: Day | None = None
    private_further_notice_published_on: Day | None = None
    urgency: UrgencyIn | None = None
    private_urgency: PrivateUrgencyIn | None = None
    late_item_reason: Text | None = None
    proposal: ProposalIn
    report: ReportIn = Field(default_factory=ReportIn)


class CasePatch(Strict):
    """Any subset of a draft's fields; ``None`` clears an optional one."""

    title: ShortText | None = None
    directorate: ShortText | None = None
    agreement_ids: list[AgreementId] | None = Field(default=None, min_length=1, max_length=500)
    meeting_date: Day | None = None
    agenda_item: Annotated[str, Field(max_length=50), ONE_LINE] | None = None
    key_decision: StrictBool | None = None
    forward_plan_published_on: Day | None = None
    exempt_paragraph: Annotated[int, Field(strict=True, ge=1, le=7)] | None = None
    exempt_parts: list[ExemptPartIn] | None = Field(default=None, max_length=10)
    public_interest: PublicInterestIn | None = None
    exemption_review_on: Day | None = None
    exemption_lapses_on: Day | None = None
    private_notice_published_on: Day | None = None
    private_further_notice_published_on: Day | None = None
    urgency: UrgencyIn | None = None
    private_urgency: PrivateUrgencyIn | None = None
    late_item_reason: Text | None = None
    proposal: ProposalIn | None = None
    report: ReportIn | None = None


# Event payloads (SPEC §7).


class SubmitIn(Strict):
    pass


class DeferIn(Strict):
    reason: Text
    meeting_date: Day
    # For a meeting whose agenda has already gone out: the chair's reason (SI 2012/2089 reg 7).
    late_item_reason: Text | None = None


class ReferBackIn(Strict):
    reason: Text


class ApproveIn(Strict):
    """Cabinet's resolution. ``cabinet_months``: a first term Cabinet approves itself (Sefton's
    initial six months), starting when call-in is over; ``delegate_id``: whom Cabinet
    delegated the months beyond it to, or none at all (Oldham). ``max_months`` is the whole
    envelope of the decision, Cabinet's own months included (issue 12, fault 1)."""

    resolution: Text
    decided_on: Day
    notice_published_on: Day
    cabinet_months: Months | None = None  # before delegate_id, which is checked against it
    delegate_id: UserId | None = Field(default=None, validate_default=True)
    consultee_id: UserId | None = None
    # More consultees (issue 12, fault 8); ``consultee_id``, when given, is the first of them.
    consultee_ids: list[UserId] = Field(default_factory=list, max_length=20)
    # "with the agreement of" the consultees, not only "in consultation with" (fault 8).
    consultee_must_agree: StrictBool = False
    max_months: Months | None = None
    urgent_reason: Text | None = None
    urgent_agreed_by_id: UserId | None = None  # the scrutiny chair who agreed the urgency
    adjourned_to: Day | None = None  # the meeting was adjourned to this day and decided then
    # SI 2012/2089 reg 12(2): the report's reasons and rejected options unless given here.
    reasons: Text | None = None
    conflicts_of_interest: OptionalText = "None declared"
    dispensation: Text | None = None

    @field_validator("delegate_id", mode="after")
    @classmethod
    def _a_term_or_a_delegate(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is None and info.data.get("cabinet_months") is None:
            raise ValueError(
                "name a delegate, or approve a term of Cabinet's own (cabinet_months) for a "
                "decision with no delegation"
            )
        return value

    @model_validator(mode="after")
    def _consultee_with_delegate(self) -> ApproveIn:
        if self.delegate_id is None and self.named_consultees():
            raise ValueError("a consultee is named only with a delegate (delegate_id)")
        if self.cabinet_months and self.max_months and self.cabinet_months > self.max_months:
            raise ValueError("cabinet_months must not exceed max_months")
        return self

    def named_consultees(self) -> list[int]:
        """``consultee_id`` and ``consultee_ids`` together, each once, in the order named."""
        named = ([] if self.consultee_id is None else [self.consultee_id]) + self.consultee_ids
        return list(dict.fromkeys(named))


class RejectIn(Strict):
    resolution: Text
    decided_on: Day
    adjourned_to: Day | None = None
    reasons: Text | None = None
    conflicts_of_interest: OptionalText = "None declared"
    dispensation: Text | None = None


class CallInIn(Strict):
    reason: Text


class SignOffIn(Strict):
    months: Months
    reasons: Text
    conflicts_of_interest: OptionalText = "None declared"
    dispensation: Text | None = None
    # The officer's own alternatives considered and rejected (SI 2012/2089 reg 13(2)(c)).
    alternatives_rejected: Text | None = None


class DeclineIn(Strict):
    """The delegate's decision not to approve a (further) term, with the reasons for the
    record (SI 2012/2089 reg 13: a decision not to act is a decision too)."""

    reasons: Text


class LapseIn(Strict):
    pass


class ImplementIn(Strict):
    pass


class ScrutinyOutcomeIn(Strict):
    """The scrutiny committee's outcome on a called-in decision: when it met and why."""

    met_on: Day
    reasons: Text


class CouncilDecisionIn(Strict):
    """Full Council's decision on a called-in decision scrutiny referred to it: when it met,
    what it resolved and why (its view, when it refers the decision back to Cabinet)."""

    met_on: Day
    resolution: Text
    reasons: Text


class ExtendIn(Strict):
    months: Months
    reasons: Text


class ExpireIn(Strict):
    pass


class WithdrawIn(Strict):
    reason: Text


EVENT_PAYLOADS: dict[str, type[Strict]] = {
    "submit": SubmitIn,
    "defer": DeferIn,
    "refer_back": ReferBackIn,
    "approve": ApproveIn,
    "reject": RejectIn,
    "call_in": CallInIn,
    "sign_off": SignOffIn,
    "extend": ExtendIn,
    "expire": ExpireIn,
    "withdraw": WithdrawIn,
    "decline": DeclineIn,
    "decline_further": DeclineIn,
    "lapse": LapseIn,
    "implement": ImplementIn,
    "no_further_action": ScrutinyOutcomeIn,
    "refer_back_to_decision_maker": ScrutinyOutcomeIn,
    "refer_to_council": ScrutinyOutcomeIn,
    "council_decides": CouncilDecisionIn,
    "council_refers_back": CouncilDecisionIn,
}


class ConsultationIn(Strict):
    consultee_id: UserId
    consulted_on: Day
    response: Text
    # The consultee's declared interests and any dispensation (issue 12, fault 5).
    conflicts_of_interest: OptionalText = "None declared"
    dispensation: Text | None = None
    agreed: StrictBool | None = None  # the consultee agreed (needed "with the agreement of")


MeetingNoticeKind = Literal[
    "agenda",
    "private_further_notice",
    "urgency_reasons",
    "private_urgency_reasons",
    "decision_record",
]


ProcurementNoticeKind = Literal[
    "contract_change_notice",
    "modification_notice",
    "modification_publication",
    "termination_notice",
]


class NoticeIn(Strict):
    """A notice recorded on a case, the body SPEC §9 pins: ``{kind, published_on,
    reference}``. The meeting procedure's kinds are ``MeetingNoticeIn``'s; the procurement
    kinds are the Procurement Act 2023's contract change notice (s.75), publication of a
    modification (s.77) and termination notice (s.80), and the PCR 2015 reg 72(3)
    modification notice. ``agreement_id`` names the contract a procurement notice is about;
    without it the notice is recorded for every agreement of the case that owes it.
    ``term_start`` names the modification a notice following one is for, by the first day
    of the term it brought (the case answer's ``procurement_notices`` list each notice's);
    needed only when more than one modification owes that notice, since each owes its own."""

    kind: MeetingNoticeKind | ProcurementNoticeKind
    published_on: Day
    reference: Annotated[str, Field(max_length=500), ONE_LINE] | None = None
    agreement_id: AgreementId | None = None
    term_start: Day | None = None


class MeetingNoticeIn(Strict):
    """A notice of the executive meeting procedure, recorded by democratic services with the
    body SPEC §9 pins for notices: ``{kind, published_on, reference}``.

    ``agenda``: the agenda of the meeting the case is set for (SI 2012/2089 reg 7);
    ``private_further_notice``: reg 5(4)-(5); ``urgency_reasons``: regs 10(3) and 11(2);
    ``private_urgency_reasons``: reg 5(7); ``decision_record``: the reg 13 record of the
    latest sign-off.
    """

    kind: MeetingNoticeKind
    published_on: Day
    reference: Annotated[str, Field(max_length=500), ONE_LINE] | None = None
