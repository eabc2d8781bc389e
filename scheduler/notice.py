"""What a reminder says, gathered once per batch and shared by every channel.

A notice carries only what may go to anyone on the recipient list: for a case whose report
has an exempt paragraph (Schedule 12A) that is the title, the state and the dates — never the
agreements' details or anything from the report — so no channel can leak exempt content
whatever it renders.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from scheduler.deliveries import delivered
from workflow.councils.constitution import effective
from workflow.lifecycle.parts import exempt_paragraph_of
from workflow.models import Agreement, Case, CaseAgreement, Council, Reminder, ReminderPurpose, pk
from workflow.settings import Settings
from workflow.text import one_line

# What each deadline asks of people, in the council's words.
DUTY_WORDS: dict[str, str] = {
    "forward_plan_notice": "publish the forward plan notice of this key decision",
    "private_meeting_notice": "publish the notice that this item will be taken in private",
    "agenda_publication": "publish the report with the Cabinet agenda",
    "call_in_end": "the call-in period closes",
    "sign_off_due": "sign off the extension under the delegation",
    "agreement_end": "the agreement ends",
    "extension_option_decision": "decide whether to take up the option to extend",
    "envelope_exhausted": "the delegated envelope runs out (re-procurement should be done)",
    "private_meeting_further_notice": (
        "publish the further notice that this item will be taken in private, with any "
        "representations and the response"
    ),
    "general_exception_notice": (
        "tell the scrutiny chair in writing and publish the general exception notice"
    ),
    "urgency_reasons_notice": "publish the notice of the reasons for the urgency",
    "private_urgency_reasons_notice": (
        "publish the notice of why the private meeting is urgent and cannot be deferred"
    ),
    "decision_record_publication": "publish the record of the decision",
    "exemption_review": "review whether the exempt information should still be withheld",
    "council_decision": "full Council decides the called-in decision scrutiny referred to it",
}
FACTS = frozenset({"call_in_end", "agreement_end", "envelope_exhausted"})
# Channels that send one request per recipient and so remember, durably, who has a reminder.
PER_RECIPIENT = frozenset({"notify"})


def long_date(d: date) -> str:
    """``Friday 18 August 2023``: how a date is written to a person."""
    return f"{d:%A} {d.day} {d:%B %Y}"


@dataclass(frozen=True)
class AgreementLine:
    reference: str
    title: str
    counterparty: str
    end_date: date


@dataclass(frozen=True)
class Notice:
    """One reminder, ready to render: the idempotency key is ``reminder_id``."""

    reminder_id: int
    case_id: int
    case_title: str
    case_state: str
    deadline_kind: str
    due_on: date
    purpose: str
    offset_days: int | None
    channel: str
    recipients: tuple[str, ...]
    link: str
    exempt_paragraph: int | None = None
    agreements: tuple[AgreementLine, ...] = field(default_factory=tuple)
    # The case's council's own addresses (issue 10), where its constitution sets them; the
    # channel's installation-wide ones otherwise.
    sender: str | None = None
    webhook_url: str | None = None
    # Addresses a per-recipient channel (GOV.UK Notify) has already reached on an earlier
    # attempt, read from ``reminder_deliveries`` with the claim (``scheduler.deliveries``).
    delivered: frozenset[str] = frozenset()

    @property
    def is_escalation(self) -> bool:
        return self.purpose == ReminderPurpose.escalation

    @property
    def what(self) -> str:
        return DUTY_WORDS.get(self.deadline_kind, self.deadline_kind.replace("_", " "))

    @property
    def headline(self) -> str:
        when = long_date(self.due_on)
        if self.is_escalation:
            return (
                f"Overdue: the deadline to {self.what} passed on {when} and it has not been done."
            )
        if self.deadline_kind in FACTS:
            return f"Reminder: {self.what} on {when}."
        return f"Reminder: {self.what} by {when}."

    @property
    def subject(self) -> str:
        """One line whatever the title holds: a title stored before control characters were
        refused may carry CR/LF, which would otherwise make building the header raise and
        every reminder of its case fail."""
        label = "Overdue" if self.is_escalation else "Reminder"
        return f"[CouncilFlow] {label}: {one_line(self.case_title)} — due {long_date(self.due_on)}"

    @property
    def exempt_note(self) -> str | None:
        if self.exempt_paragraph is None:
            return None
        return (
            f"This case contains exempt information (paragraph {self.exempt_paragraph} of "
            "Schedule 12A to the Local Government Act 1972); its details are on the case page."
        )

    def as_json(self) -> dict[str, Any]:
        """The webhook body and the log record: stable for a given reminder, so a repeat
        delivery is byte-for-byte the same apart from its timestamp header."""
        return {
            "type": "councilflow.escalation" if self.is_escalation else "councilflow.reminder",
            "reminder_id": self.reminder_id,
            "purpose": self.purpose,
            "offset_days": self.offset_days,
            "text": self.headline,
            "case": {
                "id": self.case_id,
                "title": self.case_title,
                "state": self.case_state,
                "url": self.link,
                "exempt_paragraph": self.exempt_paragraph,
            },
            "deadline": {"kind": self.deadline_kind, "due_on": self.due_on.isoformat()},
            "agreements": [
                {
                    "reference": a.reference,
                    "title": a.title,
                    "counterparty": a.counterparty,
                    "end_date": a.end_date.isoformat(),
                }
                for a in self.agreements
            ],
            "recipients": list(self.recipients),
        }


def case_link(settings: Settings, case_id: int) -> str:
    return f"{settings.base_url.rstrip('/')}/cases/{case_id}"


def build_notices(
    session: Session, reminders: Iterable[Reminder], settings: Settings
) -> dict[int, Notice]:
    """Notices for a batch of reminders, keyed by reminder id, in three queries in all (four
    when the batch has reminders for a per-recipient channel: who already has them)."""
    reminders = list(reminders)
    case_ids = sorted({r.case_id for r in reminders})
    cases = {c.id: c for c in session.exec(select(Case).where(col(Case.id).in_(case_ids))).all()}
    lines: dict[int, list[AgreementLine]] = {cid: [] for cid in case_ids}
    rows = session.exec(
        select(CaseAgreement.case_id, Agreement)
        .join(Agreement, col(Agreement.id) == col(CaseAgreement.agreement_id))
        .where(col(CaseAgreement.case_id).in_(case_ids))
        .order_by(col(Agreement.reference))
    ).all()
    for case_id, agreement in rows:
        lines[case_id].append(
            AgreementLine(
                agreement.reference, agreement.title, agreement.counterparty, agreement.end_date
            )
        )
    addresses = _addresses(session, {c.council_id for c in cases.values()}, settings)
    reached = delivered(session, [pk(r.id) for r in reminders if r.channel in PER_RECIPIENT])
    notices = {}
    for r in reminders:
        case = cases[r.case_id]
        exempt = exempt_paragraph_of(case)
        assert r.id is not None
        notices[r.id] = Notice(
            reminder_id=r.id,
            case_id=r.case_id,
            case_title=case.title,
            case_state=case.state,
            deadline_kind=r.deadline_kind,
            due_on=r.due_on,
            purpose=r.purpose,
            offset_days=r.offset_days,
            channel=r.channel,
            recipients=tuple(r.recipients),
            link=case_link(settings, r.case_id),
            exempt_paragraph=exempt,
            agreements=() if exempt is not None else tuple(lines[r.case_id]),
            sender=addresses[case.council_id].smtp_from,
            webhook_url=addresses[case.council_id].webhook_url,
            delivered=reached.get(r.id, frozenset()),
        )
    return notices


def _addresses(session: Session, council_ids: set[int], settings: Settings) -> dict[int, Settings]:
    """Each council's effective settings, for the addresses its reminders go from and to:
    one query a batch, whatever its length."""
    if not council_ids:
        return {}
    rows = session.exec(select(Council).where(col(Council.id).in_(council_ids))).all()
    return {pk(c.id): effective(settings, c.settings) for c in rows}
