"""Which procurement notices a case owes, when, and whether each has been published (SPEC §9).

Recording a notice's publication (``POST /cases/{id}/notices``) discharges its duty, as the
forward plan's does; the deadlines (``workflow/deadlines/rules.py``) and the guard of
``sign_off`` and ``implement`` (``contract_change_notice_published`` in
``workflow/lifecycle/guards.py``) both ask this module, through one ``case_now``, so a duty is
never shown done while the guard still refuses. A modification is the delegate's sign-off, or
a term Cabinet approved itself (issue 12), made when ``implement`` starts it; each owes its own
notices (``modifications_made``), named by the first day of the term it brings.

The law, as read on legislation.gov.uk (the quotations are the Act's own words):

- **Procurement Act 2023 s.75 (contract change notice).** "Before modifying a public contract
  ... a contracting authority must publish a contract change notice" (s.75(1)). Not if "(a)
  the modification increases or decreases the estimated value of the contract by" 10 per
  cent or less (goods or services) or 15 per cent or less (works), "or (b) the modification
  increases or decreases the term of the contract by 10 per cent or less of the maximum term
  provided for on award", unless it is a permitted modification under Sch 8 para 9
  (novation or assignment on corporate restructuring) (s.75(2)); either exception is enough
  (``verdict._notices``). A modification within s.75(2) that "could reasonably have been
  made together with an earlier modification" is treated as one with it (s.75(4)-(5)): a
  case's whole modification (``case_months``: Cabinet's own months and the delegate's) is
  tested as one; whether another case's modification could have been made with it is the
  council's judgement (docs/procurement.md). Not for a light touch contract (s.75(6)(b)).
- **s.76 (voluntary standstill).** A council may hold the modification back for a standstill
  of at least eight working days beginning with the day the notice is published
  (``timerules.standstill_end``). The Act does not oblige it; a council that announces one
  in its notice keeps it, and the modification so made has the protection the Act gives it
  against being set aside. Hence a guard by default, a setting (``standstill_guard``) for a
  council that decides otherwise.
- **s.77 (publication of modifications).** Within 90 days beginning with the day a contract
  is modified, a copy of the modified contract (or of the modification) is published where
  the contract's estimated value is more than £5 million (the verdict's
  ``publish_modification``).
- **s.80 (contract termination notice).** Within 30 days beginning with the day a public
  contract ends — terminated or simply run out with no further term.
- **PCR 2015 reg 72(3).** A contract modified on ground (1)(b) (additional works, services or
  supplies) or (1)(c) (unforeseeable circumstances) is followed by a notice in the Find a
  Tender service, sent as contract award notices are (reg 51: within 30 days).

Contracts under the 2015 Regulations owe none of the Act's notices, and the Act's none of
reg 72's (the Act's transitional provisions keep a procurement begun before 24 February 2025
under the Regulations); ``in_house`` contracts are exempt from both (PCR reg 12; PA Sch 2
para 2). Without an agreement's award facts no exemption can be shown, so its notice is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from workflow import timerules
from workflow.models import (
    Agreement,
    Case,
    Delegation,
    Ground,
    ProcurementRegime,
    Resolution,
    SignOff,
    State,
    pk,
)
from workflow.procurement.grounds import CONTRACT_CHANGE_NOTICE, MODIFICATION_NOTICE
from workflow.procurement.verdict import Verdict, assess
from workflow.settings import Settings

STANDSTILL_END = "standstill_end"
MODIFICATION_PUBLICATION = "modification_publication"
TERMINATION_NOTICE = "termination_notice"

# The notices a council records as published; the standstill's end follows from the first.
RECORDED_KINDS = (
    CONTRACT_CHANGE_NOTICE,
    MODIFICATION_NOTICE,
    MODIFICATION_PUBLICATION,
    TERMINATION_NOTICE,
)

PUBLICATION_DAYS = 90  # s.77: within 90 days beginning with the day of the modification
TERMINATION_DAYS = 30  # s.80: within 30 days beginning with the day the contract ends
PCR_NOTICE_DAYS = 30  # PCR 2015 regs 72(3) and 51(2): within 30 days after the modification


@dataclass(frozen=True)
class NoticeDue:
    """One notice (or the standstill's end) a case owes for one agreement.

    ``occasion`` names what it is about: the first day of the term the modification brings
    (each modification owes notices of its own, and a later one never discharges or hides an
    earlier one's), or the day the agreement ends. ``last_day`` is the law's own day;
    ``published_on`` the recorded publication, if any.
    """

    kind: str
    agreement_id: int
    occasion: date
    last_day: date
    published_on: date | None = None
    follows: date | None = None  # the day of the modification it reports, if it follows one
    reference: str | None = None  # the recorded publication's reference

    def done(self, today: date) -> bool:
        if self.kind == STANDSTILL_END:
            return today > self.last_day
        return self.published_on is not None and self.published_on <= today

    @property
    def modification(self) -> date | None:
        """The modification the notice belongs to, by the first day of the term it brings;
        None for a termination notice, which is the agreement's end's, not a modification's.
        The identity of its deadline (``deadlines.rules.PlannedDeadline.key``) and of the
        duty a recorded publication discharges."""
        return None if self.kind == TERMINATION_NOTICE else self.occasion


# --- Which notices each agreement needs --------------------------------------------------
#
# Whether a modification needs a contract change notice, a reg 72(3) modification notice or
# the s.77 publication is the ground's verdict (``verdict.assess``, the one the case answers'
# ``procurement`` and the ``lawful_modification`` guard read), so the deadlines, the guard
# and the answer never disagree. Only s.80, which no modification decides, is tested here.


def needed(v: Verdict) -> frozenset[str]:
    """The notices ``v``'s modification needs, of the kinds this module plans."""
    kinds = {k for k in v.notices if k in (CONTRACT_CHANGE_NOTICE, MODIFICATION_NOTICE)}
    if v.publish_modification:
        kinds.add(MODIFICATION_PUBLICATION)
    return frozenset(kinds)


def termination_notice_needed(agreement: Agreement, ground: str | None) -> bool:
    """s.80: every public contract under the Act, light touch ones included; not a contract
    the Act exempts (``in_house``, Sch 2 para 2), nor one under the 2015 Regulations."""
    return agreement.procurement_regime == ProcurementRegime.pa2023 and ground != Ground.in_house


def delegation_of(approval: Resolution | None, delegation: Delegation | None) -> Delegation | None:
    """``delegation`` if ``approval`` made it, else None. A case's latest delegation may be an
    earlier decision's: Cabinet, reconsidering a decision scrutiny referred back, may approve
    a term of its own and delegate nothing, and the envelope is then the new decision's."""
    if approval is None or delegation is None or delegation.resolution_id != approval.id:
        return None
    return delegation


def modification_months(
    case: Case, approval: Resolution | None, delegation: Delegation | None
) -> int | None:
    """The months the case's modification adds: the envelope Cabinet approved (its own months
    and those it delegated by that same decision) once it has, else the proposal's (None
    while it proposes none). The case answer's ``procurement`` and the notices read this one
    rule."""
    delegation = delegation_of(approval, delegation)
    if approval is not None and (delegation is not None or approval.cabinet_months):
        return (delegation.max_months if delegation else 0) + (approval.cabinet_months or 0)
    return case.proposal_max_months


def case_months(case: Case, approval: Resolution | None, delegation: Delegation | None) -> int:
    """The months of the case's whole modification, tested as one (s.75(4)-(5))."""
    return modification_months(case, approval, delegation) or 0


# --- Recorded publications ------------------------------------------------------------------


def recorded(case: Case) -> list[dict[str, Any]]:
    return list(case.procurement_notices or [])


def publication(case: Case, kind: str, agreement_id: int, occasion: date) -> dict[str, Any]:
    """The recorded publication of one notice, or an empty mapping."""
    for entry in recorded(case):
        if (
            entry["kind"] == kind
            and entry["agreement_id"] == agreement_id
            and entry["occasion"] == occasion.isoformat()
        ):
            return entry
    return {}


def _due(
    case: Case,
    kind: str,
    agreement_id: int,
    occasion: date,
    last_day: date,
    follows: date | None = None,
) -> NoticeDue:
    """A notice owed, with its publication if one is recorded."""
    entry = publication(case, kind, agreement_id, occasion)
    on = entry.get("published_on")
    return NoticeDue(
        kind,
        agreement_id,
        occasion,
        last_day,
        None if on is None else date.fromisoformat(on),
        follows,
        entry.get("reference"),
    )


def reference_of(case: Case, due: NoticeDue) -> str | None:
    """The reference recorded with ``due``'s publication (a Find a Tender notice id), if any:
    what the case page shows beside the day it was published."""
    key = (due.kind, due.agreement_id, due.occasion.isoformat())
    for entry in recorded(case):
        if (entry["kind"], entry["agreement_id"], entry["occasion"]) == key:
            reference = entry.get("reference")
            return str(reference) if reference else None
    return None


def with_publication(
    case: Case, due: NoticeDue, on: date, reference: str | None
) -> list[dict[str, Any]]:
    """The case's recorded notices with ``due`` published on ``on`` (a correction replaces
    the earlier record of the same notice). A new list, so the JSON column is written."""
    key = (due.kind, due.agreement_id, due.occasion.isoformat())
    kept = [e for e in recorded(case) if (e["kind"], e["agreement_id"], e["occasion"]) != key]
    entry = {
        "kind": due.kind,
        "agreement_id": due.agreement_id,
        "occasion": due.occasion.isoformat(),
        "published_on": on.isoformat(),
        "reference": reference,
    }
    return [*kept, entry]


# --- What a case owes now -----------------------------------------------------------------


@dataclass(frozen=True)
class Modification:
    """A modification made: the first day of the term it brought (the ``occasion`` its
    notices are about, and so its identity), the day it was made, from which they count,
    and who made it (``cabinet``: Cabinet's own term; ``delegate``: a sign-off)."""

    term_start: date
    made_on: date
    by: str


def modifications_made(
    case: Case, approval: Resolution | None, sign_offs: list[SignOff]
) -> list[Modification]:
    """Every modification the case has made, first first: Cabinet's own term once it has
    started (issue 12), then each of the delegate's sign-offs (made the day it was signed),
    leaving out one scrutiny (or full Council on scrutiny's referral) referred back, which
    "is void and counts for nothing". Each owes
    its own notices until they are recorded (PCR 2015 reg 72(3), PA 2023 s.77): a later
    modification is another duty, never the discharge of an earlier one's.

    Cabinet's decision is implemented only once call-in is over and takes effect when its
    term starts, so that modification is made on the term's first day
    (``case.proposal_start_date``: a first term starts there, ``timerules.next_term_start``).
    Two modifications are never of the same term; if the records ever said so, the later
    one is kept."""
    made: dict[date, Modification] = {}
    start = case.proposal_start_date
    if approval is not None and approval.cabinet_months and case.term_end is not None and start:
        made[start] = Modification(start, start, "cabinet")
    for s in sign_offs:
        if not s.referred_back:  # by scrutiny, or by full Council on its referral
            made[s.term_start] = Modification(s.term_start, s.signed_on, "delegate")
    return sorted(made.values(), key=lambda m: m.term_start)


@dataclass(frozen=True)
class CaseNow:
    """What the notices depend on: the case, its agreements, where it stands. Built by
    ``case_now`` alone, for the guard and for the deadlines alike."""

    case: Case
    agreements: list[Agreement]
    approval_id: int | None  # the approving resolution that carries the term being made
    next_term_start: date | None  # the term a pending modification brings, if any
    modifications: list[Modification]  # every modification made, first first
    months_left: int  # what is left of the envelope for further terms
    settings: Settings
    months: int  # the case's whole modification (``case_months``)
    earlier: dict[int, int]  # months other cases have added to each agreement
    today: date

    def needs(self) -> dict[int, frozenset[str]]:
        """Each agreement's notices, from the ground's verdict on the whole modification."""
        case = self.case
        ground = Ground(case.proposal_ground) if case.proposal_ground else None
        return {
            pk(a.id): needed(
                assess(a, ground, self.months, self.earlier.get(pk(a.id), 0), self.today)
            )
            for a in self.agreements
            if a.id is not None
        }


def case_now(
    case: Case,
    agreements: list[Agreement],
    approval: Resolution | None,
    delegation: Delegation | None,
    *,
    sign_offs: list[SignOff],
    months_used: int,
    earlier: dict[int, int],
    settings: Settings,
    today: date,
) -> CaseNow:
    """The one way to build a ``CaseNow``: from ``approval``, the latest approving
    resolution (the decision that carries the term being made, Cabinet's own or the one it
    delegated), the delegation that decision made, and the case's sign-offs (oldest first).
    The sign-off and implement guard (``lifecycle.guards.contract_change_notice_published``)
    and the deadlines (``deadlines.rules.procurement_now``) both call it, so they cannot read
    different decisions. A modification is pending in delegated approval only: its term
    starts where a first term does, or the day after the current one ends."""
    delegation = delegation_of(approval, delegation)
    pending = State(case.state) == State.delegated_approval
    return CaseNow(
        case=case,
        agreements=agreements,
        approval_id=approval.id if approval is not None else None,
        next_term_start=timerules.next_term_start(case.term_end, case.proposal_start_date)
        if pending
        else None,
        modifications=modifications_made(case, approval, sign_offs),
        months_left=delegation.months_left(months_used) if delegation else 0,
        settings=settings,
        months=case_months(case, approval, delegation),
        earlier=earlier,
        today=today,
    )


def before_modification(now: CaseNow) -> list[NoticeDue]:
    """The contract change notices of the modification about to be made (the delegate's
    sign-off, or Cabinet's own term, which ``implement`` starts), and the end of each one's
    standstill once it is published."""
    case, start, s = now.case, now.next_term_start, now.settings
    if start is None:
        return []
    regions = s.standstill_bank_holidays
    # The modification takes effect when its term starts (a sign-off is due the day before);
    # the notice goes out early enough for its standstill to end before that day.
    latest = timerules.latest_publication_for(
        start - timedelta(days=1), s.standstill_working_days, regions
    )
    out = []
    for agreement_id, kinds in now.needs().items():
        if CONTRACT_CHANGE_NOTICE not in kinds:
            continue
        notice = _due(case, CONTRACT_CHANGE_NOTICE, agreement_id, start, latest)
        out.append(notice)
        if notice.published_on is not None:
            on = notice.published_on
            end = timerules.standstill_end(on, s.standstill_working_days, regions)
            out.append(NoticeDue(STANDSTILL_END, agreement_id, start, end))
    return out


def after_modification(now: CaseNow) -> list[NoticeDue]:
    """The notices that follow each modification made (Cabinet's own term once it has
    started, and each sign-off), each modification's its own: PCR 2015 reg 72(3) within 30
    days of it, PA 2023 s.77 within 90 days beginning with its day."""
    case, needs, out = now.case, now.needs(), []
    for made in now.modifications:
        last_day = {
            MODIFICATION_NOTICE: made.made_on + timedelta(days=PCR_NOTICE_DAYS),
            MODIFICATION_PUBLICATION: made.made_on + timedelta(days=PUBLICATION_DAYS - 1),
        }
        for agreement_id, kinds in needs.items():
            for kind, last in last_day.items():
                if kind in kinds:
                    out.append(_due(case, kind, agreement_id, made.term_start, last, made.made_on))
    return out


def on_ending(now: CaseNow) -> list[NoticeDue]:
    """The termination notices of agreements that end with no further term to come."""
    case, out = now.case, []
    for a in now.agreements:
        if a.id is None or not termination_notice_needed(a, case.proposal_ground):
            continue
        last = a.end_date + timedelta(days=TERMINATION_DAYS - 1)
        out.append(_due(case, TERMINATION_NOTICE, a.id, a.end_date, last))
    return out


def owed(now: CaseNow) -> list[NoticeDue]:
    """Every procurement notice the case owes in its state (published ones included)."""
    state = State(now.case.state)
    if state == State.delegated_approval:
        return after_modification(now) + before_modification(now)
    if state == State.active:
        ending = on_ending(now) if now.months_left <= 0 else []
        return after_modification(now) + ending
    if state == State.expired:
        return after_modification(now) + on_ending(now)
    # A modification already made owes its notices whatever happens next: while a later
    # decision is called in, before full Council, reconsidered by Cabinet, or after the case
    # ended without a further term (``after_modification`` is empty before any was made).
    return after_modification(now)


# --- The guard of sign_off and implement -------------------------------------------------


def _fmt(d: date) -> str:
    return d.strftime("%d/%m/%Y")


def before_modification_refusal(now: CaseNow, today: date) -> str | None:
    """Why the modification may not be made today: a contract change notice not yet published
    (s.75(1)), or, where the council keeps it, its standstill still running (s.76)."""
    refs = {a.id: a.reference for a in now.agreements}
    unpublished, waiting = [], []
    for due in before_modification(now):
        ref = refs.get(due.agreement_id, str(due.agreement_id))
        if due.kind == CONTRACT_CHANGE_NOTICE and not due.done(today):
            unpublished.append(ref)
        elif due.kind == STANDSTILL_END and now.settings.standstill_guard and not due.done(today):
            waiting.append((ref, due.last_day))
    reasons = []
    if unpublished:
        reasons.append(
            "no contract change notice has been published for "
            f"{', '.join(unpublished)} (Procurement Act 2023 s.75(1): before modifying)"
        )
    if waiting:
        last = max(day for _, day in waiting)
        reasons.append(
            f"the voluntary standstill of the contract change notice for "
            f"{', '.join(ref for ref, _ in waiting)} runs until {_fmt(last)} (s.76); the "
            f"modification may be made from {_fmt(last + timedelta(days=1))}"
        )
    return "; ".join(reasons) or None
