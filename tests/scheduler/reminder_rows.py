"""Rows for scheduler tests (imported as ``reminder_rows``: pytest puts this directory on
``sys.path``), written directly: the planning of deadlines and reminders is the
domain's and is tested there (and end to end in ``test_planned_reminders``); here the tests
need exact reminders in exact states."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, datetime
from itertools import count

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.models import (
    Agreement,
    Case,
    CaseAgreement,
    Deadline,
    Reminder,
    ReminderPurpose,
    ReminderStatus,
    User,
    pk,
)

_n = count(1)


def user(session: Session, now: datetime, roles: list[str], email: str | None = None) -> User:
    n = next(_n)
    row = User(
        name=f"Person {n}",
        email=email or f"person{n}@council.example.gov.uk",
        roles=roles,
        directorate="Adult Social Care",
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def case(
    session: Session,
    now: datetime,
    *,
    title: str = "Day Opportunities contracts: extension",
    state: str = "drafted",
    exempt_paragraph: int | None = None,
    term_end: date | None = None,
    agreement_end: date = date(2024, 9, 30),
    author: User | None = None,
) -> Case:
    n = next(_n)
    author = author or user(session, now, ["officer"])
    row = Case(
        kind="extension",
        title=title,
        directorate="Adult Social Care",
        author_id=pk(author.id),
        state=state,
        exempt_paragraph=exempt_paragraph,
        term_start=date(2024, 10, 1) if term_end else None,
        term_end=term_end,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    agreement = Agreement(
        reference=f"REF-{n:05d}",
        title=f"Day Opportunities — provider {n}",
        kind="contract",
        counterparty=f"Provider {n} Ltd",
        directorate="Adult Social Care",
        annual_value_pence=18_000_000,
        start_date=date(2019, 10, 1),
        end_date=term_end or agreement_end,
        created_at=now,
        updated_at=now,
    )
    session.add(agreement)
    session.flush()
    session.add(CaseAgreement(case_id=pk(row.id), agreement_id=pk(agreement.id)))
    session.flush()
    return row


def deadline(
    session: Session,
    now: datetime,
    case_row: Case,
    *,
    kind: str = "agenda_publication",
    due_on: date = date(2024, 8, 29),
    is_duty: bool = True,
    recipients: list[str] | None = None,
) -> Deadline:
    row = Deadline(
        case_id=pk(case_row.id),
        kind=kind,
        due_on=due_on,
        is_duty=is_duty,
        recipients=recipients if recipients is not None else ["clerk@council.example.gov.uk"],
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def reminder(
    session: Session,
    now: datetime,
    deadline_row: Deadline,
    *,
    fire_at: datetime,
    channel: str = "log",
    purpose: str = ReminderPurpose.reminder,
    offset_days: int | None = 7,
    status: str = ReminderStatus.pending,
    recipients: list[str] | None = None,
) -> Reminder:
    row = Reminder(
        deadline_id=pk(deadline_row.id),
        case_id=deadline_row.case_id,
        deadline_kind=deadline_row.kind,
        due_on=deadline_row.due_on,
        purpose=purpose,
        offset_days=offset_days if purpose == ReminderPurpose.reminder else None,
        fire_at=fire_at,
        channel=channel,
        recipients=recipients if recipients is not None else list(deadline_row.recipients),
        status=status,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def due_reminder(session: Session, now: datetime, **kwargs: object) -> Reminder:
    """A case, its one open deadline and one reminder due now."""
    channel = str(kwargs.pop("channel", "log"))
    c = case(session, now, **kwargs)  # type: ignore[arg-type]
    d = deadline(session, now, c)
    return reminder(session, now, d, fire_at=now, channel=channel)


Work = Callable[[], AbstractContextManager[Ctx]]


def read(work: Work, reminder_id: int | None) -> Reminder:
    """The reminder as committed now."""
    with work() as ctx:
        row = ctx.session.get(Reminder, reminder_id)
        assert row is not None
        return row


def many_due(engine: Engine, now: datetime, n: int, channel: str = "webhook") -> list[int]:
    """``n`` due reminders, each for its own open deadline (so none coalesces with another),
    spread over a few cases; multi-row inserts, a few seconds for thousands. Answers the ids."""
    with unit_of_work(engine) as session:
        author = user(session, now, ["officer"])
        cases = [pk(case(session, now, author=author).id) for _ in range(max(1, n // 100))]
        common = {"is_duty": True, "status": "open", "created_at": now, "updated_at": now}
        deadline_ids = session.execute(
            insert(Deadline).returning(col(Deadline.id), sort_by_parameter_order=True),
            [
                {
                    "case_id": cases[i % len(cases)],
                    "kind": "agenda_publication",
                    "due_on": date(2024, 8, 29),
                    "recipients": ["clerk@council.example.gov.uk"],
                    **common,
                }
                for i in range(n)
            ],
        ).scalars()
        rows = [
            {
                "deadline_id": d,
                "case_id": cases[i % len(cases)],
                "deadline_kind": "agenda_publication",
                "due_on": date(2024, 8, 29),
                "purpose": "reminder",
                "offset_days": 7,
                "fire_at": now,
                "channel": channel,
                "recipients": ["clerk@council.example.gov.uk"],
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
            for i, d in enumerate(list(deadline_ids))
        ]
        return list(
            session.execute(
                insert(Reminder).returning(col(Reminder.id), sort_by_parameter_order=True), rows
            ).scalars()
        )
