"""Deadlines and reminders as a person may see them: read models and their scope.

Two rules, each decided here once for every list:
- A reminder's ``recipients`` are the case's people: shown only to those who may see them
  (``workflow.lifecycle.exempt.sees_case_people``: the author, democratic services, admins, the
  delegate and the consultee). Anyone else gets the reminder with ``recipients`` null, except
  that a recipient sees their own address (issue 14, item 9).
- The ``envelope_exhausted`` deadline (and its reminders) falls on the delegation's latest end
  date, which counts back to an exempt case's redacted ``max_months``: left out for a person
  not entitled to that case's exempt information (issue 14, 2c), as the case view leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import AwareDatetime, BaseModel
from sqlmodel import col, select

from workflow.context import Ctx
from workflow.db import unique_rows
from workflow.lifecycle.exempt import entitled_to_case, sees_case_people
from workflow.lifecycle.parts import hidden
from workflow.lifecycle.read import DeadlineOut
from workflow.models import (
    Case,
    Deadline,
    DeadlineKind,
    Delegation,
    Reminder,
    ReminderStatus,
    User,
    pk,
)


class ReminderOut(BaseModel):
    id: int
    case_id: int
    deadline_kind: DeadlineKind
    due_on: date
    fire_at: AwareDatetime
    channel: str
    recipients: list[str] | None  # null for a person who may not see the case's people
    status: ReminderStatus
    purpose: str
    attempts: int
    last_error: str | None
    sent_at: AwareDatetime | None

    @classmethod
    def of(cls, r: Reminder, recipients: list[str] | None) -> ReminderOut:
        return cls(
            id=pk(r.id),
            case_id=r.case_id,
            deadline_kind=DeadlineKind(r.deadline_kind),
            due_on=r.due_on,
            fire_at=r.fire_at,
            channel=r.channel,
            recipients=recipients,
            status=ReminderStatus(r.status),
            purpose=r.purpose,
            attempts=r.attempts,
            last_error=r.last_error,
            sent_at=r.sent_at,
        )


@dataclass(frozen=True)
class CaseSight:
    """What the viewer may see of one case's people and exempt figures."""

    people: bool
    exempt: bool


class DutyScope:
    """What ``viewer`` may see of deadlines and reminders, decided for a page at once: one
    query for the page's cases with their delegations."""

    def __init__(self, ctx: Ctx, viewer: User) -> None:
        self.ctx = ctx
        self.viewer = viewer

    def sight(self, case_ids: set[int]) -> dict[int, CaseSight]:
        if not case_ids:
            return {}
        rows = unique_rows(
            self.ctx.session.exec(
                select(Case, Delegation)
                .outerjoin(Delegation, col(Delegation.case_id) == col(Case.id))
                .where(col(Case.id).in_(case_ids), self.ctx.within(col(Case.council_id)))
                .order_by(col(Delegation.id))
            )
        )
        facts: dict[int, Case] = {}
        latest: dict[int, Delegation] = {}
        for case, delegation in rows:
            facts[pk(case.id)] = case
            if delegation is not None:
                latest[pk(case.id)] = delegation  # ordered by id: the last is the current one
        out = {}
        today = self.ctx.today()
        for case_id, case in facts.items():
            current = latest.get(case_id)
            entitled = entitled_to_case(self.viewer, case.author_id, current)
            out[case_id] = CaseSight(
                people=sees_case_people(self.viewer, case.author_id, current),
                # The envelope's figures: hidden by the whole report's exemption or a Part B.
                exempt=hidden(case, entitled, today).shows("figures"),
            )
        return out

    @staticmethod
    def _shown(kind: str, sight: CaseSight | None) -> bool:
        return sight is None or sight.exempt or kind != DeadlineKind.envelope_exhausted

    def deadlines(self, rows: list[Deadline]) -> list[DeadlineOut]:
        rows = [d for d in rows if self.ctx.sees(d.council_id)]  # another council's: nothing
        sight = self.sight({d.case_id for d in rows})
        today = self.ctx.today()
        return [DeadlineOut.of(d, today) for d in rows if self._shown(d.kind, sight.get(d.case_id))]

    def reminders(self, rows: list[Reminder]) -> list[ReminderOut]:
        rows = [r for r in rows if self.ctx.sees(r.council_id)]
        sight = self.sight({r.case_id for r in rows})
        return [
            ReminderOut.of(r, self._recipients(r, sight.get(r.case_id)))
            for r in rows
            if self._shown(r.deadline_kind, sight.get(r.case_id))
        ]

    def reminder(self, row: Reminder) -> ReminderOut:
        sight = self.sight({row.case_id}).get(row.case_id)
        return ReminderOut.of(row, self._recipients(row, sight))

    def _recipients(self, r: Reminder, sight: CaseSight | None) -> list[str] | None:
        if sight is not None and sight.people:
            return list(r.recipients)
        own = [a for a in r.recipients if a.lower() == self.viewer.email.lower()]
        return own or None
