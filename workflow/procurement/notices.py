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
  for on award (s.75(2)), unless it is a novation on corporate restructuring (Sch 8 para 9);
  modifications that "could reasonably have been made together" are taken as one (s.75(4)-
  (5)), so a case's whole modification (``case_months``) is tested as one. Not for a light
  touch contract (s.75(6)(b)). Whether a modification needs it is the ground's verdict
  (``verdict.assess``), which tests the value change.
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


def modification_months(
    case: Case, approval: Resolution | None, delegation: Delegation | None
) -> int | None:
    """The months the case's modification adds: the envelope Cabinet approved (its own months
    and the delegate's) once it has, else the proposal's (None while it proposes none). The
    case answer's ``procurement`` and the notices read this one rule."""
    if approval is not None and (delegation is not None or approval.cabinet_months):
        return (delegation.max_months if delegation else 0) + (approval.cabinet_months or 0)
    return case.proposal_max_months


def case_months(case: Case, approval: Resolution | None, delegation: Delegation | None) -> int:
    """The months of the case's whole modification, tested as one (s.75(4)-(5))."""
    return modification_months(case, approval, delegation) or 0


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
class CaseNow:
    """What the notices depend on: the case, its agreements, where it stands."""

    case: Case
    agreements: list[Agreement]
    next_term_start: date | None  # the term a pending modification brings, if any
    last_sign_off: SignOff | None
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
    out = []
    for agreement_id, kinds in now.needs().items():
        if CONTRACT_CHANGE_NOTICE not in kinds:
            continue
        on = published_on(case, CONTRACT_CHANGE_NOTICE, agreement_id, start)
        out.append(NoticeDue(CONTRACT_CHANGE_NOTICE, agreement_id, start, latest, on))
        if on is not None:
            end = timerules.standstill_end(on, s.standstill_working_days, regions)
            out.append(NoticeDue(STANDSTILL_END, agreement_id, start, end))
    return out


def after_modification(now: CaseNow) -> list[NoticeDue]:
    """The notices that follow the last modification made (the last sign-off)."""
    case, signed = now.case, now.last_sign_off
    if signed is None:
        return []
    start, out = signed.term_start, []
    last_day = {
        MODIFICATION_NOTICE: signed.signed_on + timedelta(days=PCR_NOTICE_DAYS),
        MODIFICATION_PUBLICATION: signed.signed_on + timedelta(days=PUBLICATION_DAYS - 1),
    }
    for agreement_id, kinds in now.needs().items():
        for kind, last in last_day.items():
            if kind in kinds:
                on = published_on(case, kind, agreement_id, start)
                out.append(NoticeDue(kind, agreement_id, start, last, on))
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
