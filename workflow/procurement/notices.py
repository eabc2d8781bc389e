"""Which procurement notices a case owes, when, and whether each has been published (SPEC §9).

Recording a notice's publication (``POST /cases/{id}/notices``) discharges its duty, as the
forward plan's does; the deadlines (``workflow/deadlines/rules.py``) and the sign-off guard
(``contract_change_notice_published`` in ``workflow/lifecycle/guards.py``) both ask this module,
so a duty is never shown done while the guard still refuses.

The law, as read on legislation.gov.uk (the quotations are the Act's own words):

- **Procurement Act 2023 s.75 (contract change notice).** "Before modifying a public contract
  ... a contracting authority must publish a contract change notice" (s.75(1)). Not where the
  modification changes the estimated value by 10 per cent or less (goods or services) or 15
  per cent or less (works), or the term by 10 per cent or less of the maximum term provided
  for on award (s.75(2)), unless it is a novation on corporate restructuring (Sch 8 para 9).
  Modifications that "could reasonably have been made together" are taken as one (s.75(4)-
  (5)), so a case's whole extension (the proposal's ``max_months``, every sign-off under it)
  is tested as one modification. The section does not apply to a light touch contract
  (s.75(6)(b)) nor, among others, to defence and security contracts and private utilities.
- **s.76 (voluntary standstill).** A council may hold the modification back for a standstill
  of at least eight working days beginning with the day the notice is published
  (``timerules.standstill_end``). The Act does not oblige it; a council that announces one
  in its notice keeps it, and the modification so made has the protection the Act gives it
  against being set aside. Hence a guard by default, a setting (``standstill_guard``) for a
  council that decides otherwise.
- **s.77 (publication of modifications).** Within 90 days beginning with the day a contract
  is modified, a copy of the modified contract (or of the modification) is published where
  the contract's estimated value is more than £5 million. Read here as owed where a contract
  change notice was (it follows a modification the Act asks to be announced).
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
from workflow.models import Agreement, Case, Ground, ProcurementRegime, SignOff, State
from workflow.settings import Settings

CONTRACT_CHANGE_NOTICE = "contract_change_notice"
STANDSTILL_END = "standstill_end"
MODIFICATION_NOTICE = "modification_notice"
MODIFICATION_PUBLICATION = "modification_publication"
TERMINATION_NOTICE = "termination_notice"

# The notices a council records as published; the standstill's end follows from the first.
RECORDED_KINDS = (
    CONTRACT_CHANGE_NOTICE,
    MODIFICATION_NOTICE,
    MODIFICATION_PUBLICATION,
    TERMINATION_NOTICE,
)

VALUE_CAP_PERCENT = {"goods": 10, "services": 10, "works": 15}  # s.75(2)(a)
TERM_CAP_PERCENT = 10  # s.75(2)(b)
PUBLICATION_ABOVE_PENCE = 5_000_000 * 100  # s.77: more than £5 million
PUBLICATION_DAYS = 90  # s.77: within 90 days beginning with the day of the modification
TERMINATION_DAYS = 30  # s.80: within 30 days beginning with the day the contract ends
PCR_NOTICE_DAYS = 30  # PCR 2015 regs 72(3) and 51(2): within 30 days after the modification
PCR_NOTICE_GROUNDS = frozenset({Ground.additional, Ground.unforeseeable})


@dataclass(frozen=True)
class NoticeDue:
    """One notice (or the standstill's end) a case owes for one agreement.

    ``occasion`` names what it is about: the first day of the term the modification brings
    (so a later modification owes notices of its own), or the day the agreement ends.
    ``last_day`` is the law's own day; ``published_on`` the recorded publication, if any.
    """

    kind: str
    agreement_id: int
    occasion: date
    last_day: date
    published_on: date | None = None

    def done(self, today: date) -> bool:
        if self.kind == STANDSTILL_END:
            return today > self.last_day
        return self.published_on is not None and self.published_on <= today


# --- The law's tests, one agreement at a time ---------------------------------------------


def _percent(part: int, whole: int | None) -> float | None:
    return None if not whole else 100 * part / whole


def term_change_percent(agreement: Agreement, months: int) -> float | None:
    """The term change as a percentage of the maximum term on award (s.75(2)(b))."""
    return _percent(months, agreement.award_max_months)


def value_change_percent(agreement: Agreement, months: int) -> float | None:
    """The value ``months`` more of the agreement adds, as a percentage of its value on award
    (s.75(2)(a)); the annual value is the rate the council pays now."""
    return _percent(agreement.annual_value_pence * months // 12, agreement.award_value_pence)


def _under_the_act(agreement: Agreement, ground: str | None) -> bool:
    return agreement.procurement_regime == ProcurementRegime.pa2023 and ground != Ground.in_house


def contract_change_notice_needed(agreement: Agreement, ground: str | None, months: int) -> bool:
    """Whether s.75 asks for a contract change notice before this modification."""
    if not _under_the_act(agreement, ground) or agreement.light_touch:
        return False  # s.75(6)(b): not for a light touch contract
    if ground == Ground.replacement_contractor:
        return True  # s.75(2), last words: a novation on restructuring is always announced
    term = term_change_percent(agreement, months)
    value = value_change_percent(agreement, months)
    cap = VALUE_CAP_PERCENT.get(agreement.contract_type or "", 10)
    within = (term is not None and term <= TERM_CAP_PERCENT) or (value is not None and value <= cap)
    return not within


def modification_published_needed(agreement: Agreement, ground: str | None, months: int) -> bool:
    """Whether s.77 asks for the modified contract to be published: a notified modification
    of a contract whose estimated value, modified, is more than £5 million."""
    if not contract_change_notice_needed(agreement, ground, months):
        return False
    value = (agreement.award_value_pence or 0) + agreement.annual_value_pence * months // 12
    return value > PUBLICATION_ABOVE_PENCE


def modification_notice_needed(agreement: Agreement, ground: str | None) -> bool:
    """PCR 2015 reg 72(3): grounds (1)(b) and (1)(c) are followed by a modification notice."""
    return agreement.procurement_regime == ProcurementRegime.pcr2015 and (
        ground in PCR_NOTICE_GROUNDS
    )


def termination_notice_needed(agreement: Agreement, ground: str | None) -> bool:
    """s.80: every public contract under the Act, light touch ones included."""
    return _under_the_act(agreement, ground)


# --- Recorded publications ------------------------------------------------------------------


def recorded(case: Case) -> list[dict[str, Any]]:
    return list(case.procurement_notices or [])


def published_on(case: Case, kind: str, agreement_id: int, occasion: date) -> date | None:
    for entry in recorded(case):
        if (
            entry["kind"] == kind
            and entry["agreement_id"] == agreement_id
            and entry["occasion"] == occasion.isoformat()
        ):
            return date.fromisoformat(entry["published_on"])
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
class CaseNow:
    """What the notices depend on: the case, its agreements, where it stands."""

    case: Case
    agreements: list[Agreement]
    next_term_start: date | None  # the term a pending modification brings, if any
    last_sign_off: SignOff | None
    months_left: int  # what is left of the envelope for further terms
    settings: Settings


def _months(case: Case) -> int:
    """The case's whole extension, taken as one modification (s.75(4)-(5))."""
    return case.proposal_max_months or case.proposal_initial_months or 0


def before_modification(now: CaseNow) -> list[NoticeDue]:
    """The contract change notices of the modification the delegate is about to make, and
    the end of each one's standstill once it is published."""
    case, start, s = now.case, now.next_term_start, now.settings
    if start is None:
        return []
    regions = s.standstill_bank_holidays
    # The sign-off is due the day before the term starts; the notice goes out early enough
    # for its standstill to end before that day.
    latest = timerules.latest_publication_for(
        start - timedelta(days=1), s.standstill_working_days, regions
    )
    out, months = [], _months(case)
    for a in now.agreements:
        if a.id is None or not contract_change_notice_needed(a, case.proposal_ground, months):
            continue
        on = published_on(case, CONTRACT_CHANGE_NOTICE, a.id, start)
        out.append(NoticeDue(CONTRACT_CHANGE_NOTICE, a.id, start, latest, on))
        if on is not None:
            end = timerules.standstill_end(on, s.standstill_working_days, regions)
            out.append(NoticeDue(STANDSTILL_END, a.id, start, end))
    return out


def after_modification(now: CaseNow) -> list[NoticeDue]:
    """The notices that follow the last modification made (the last sign-off)."""
    case, signed = now.case, now.last_sign_off
    if signed is None:
        return []
    ground, start, out = case.proposal_ground, signed.term_start, []
    for a in now.agreements:
        if a.id is None:
            continue
        if modification_notice_needed(a, ground):
            last = signed.signed_on + timedelta(days=PCR_NOTICE_DAYS)
            on = published_on(case, MODIFICATION_NOTICE, a.id, start)
            out.append(NoticeDue(MODIFICATION_NOTICE, a.id, start, last, on))
        if modification_published_needed(a, ground, _months(case)):
            last = signed.signed_on + timedelta(days=PUBLICATION_DAYS - 1)
            on = published_on(case, MODIFICATION_PUBLICATION, a.id, start)
            out.append(NoticeDue(MODIFICATION_PUBLICATION, a.id, start, last, on))
    return out


def on_ending(now: CaseNow) -> list[NoticeDue]:
    """The termination notices of agreements that end with no further term to come."""
    case, out = now.case, []
    for a in now.agreements:
        if a.id is None or not termination_notice_needed(a, case.proposal_ground):
            continue
        last = a.end_date + timedelta(days=TERMINATION_DAYS - 1)
        on = published_on(case, TERMINATION_NOTICE, a.id, a.end_date)
        out.append(NoticeDue(TERMINATION_NOTICE, a.id, a.end_date, last, on))
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
    return []


# --- The sign-off's guard -----------------------------------------------------------------


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
