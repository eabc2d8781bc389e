"""Retention: background papers go four years after the decision, decision records six, only
for closed cases, audited, with a dry run; the audit trail still verifies after a purge.

The clock is moved to the last minute a period still runs (23:59 in London on its last day)
and to the first minute after it, so the London day, not the UTC one, is what counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from casework import (
    APPROVED_AT,
    CONSULTED_AT,
    SIGNED_AT,
    Work,
    approve_payload,
    consult,
    london,
    make_people,
    new_case,
    sign_off_payload,
    to_cabinet,
)
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import delete, func
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel, col, select
from typer.testing import CliRunner

from councilflow.cli import app
from workflow import audit
from workflow.clock import FrozenClock
from workflow.councils.councils import create_council, enter
from workflow.lifecycle.events import expire_due, fire
from workflow.models import (
    Agreement,
    AuditEvent,
    Case,
    Consultation,
    Deadline,
    Delegation,
    Reminder,
    ReminderDelivery,
    Report,
    ReportOption,
    Resolution,
    SignOff,
    User,
)
from workflow.retention import plan_purge, purge
from workflow.retention.plan import CASE_TABLES
from workflow.schemas import CouncilIn
from workflow.settings import Settings, get_settings
from workflow.timerules import kept_through

# The signed-off case: Cabinet decided on Thu 5 Sep 2024, the delegate signed off on Mon 16
# Sep 2024 (its last decision); the consultation of Tue 10 Sep 2024 is its background paper.
LAST_DECISION = date(2024, 9, 16)
PAPERS_LAST_DAY = date(2028, 9, 15)
RECORDS_LAST_DAY = date(2030, 9, 15)
TABLES: tuple[type[SQLModel], ...] = (
    Case,
    Report,
    ReportOption,
    *CASE_TABLES,
    Agreement,
    AuditEvent,
)


def at_last_minute(d: date) -> object:
    return london(d.year, d.month, d.day, 23, 59)


def at_first_minute(d: date) -> object:
    return london(d.year, d.month, d.day, 0, 0)


def counts(work: Work) -> dict[str, int]:
    with work() as ctx:
        return {
            str(t.__tablename__): int(ctx.session.exec(select(func.count()).select_from(t)).one())
            for t in TABLES
        }


def rows_of(work: Work, case_id: int) -> dict[str, int]:
    with work() as ctx:
        found = {}
        for t in (
            Resolution,
            Delegation,
            Consultation,
            SignOff,
            Deadline,
            Reminder,
            ReminderDelivery,
            Report,
        ):
            case_col = t.case_id  # type: ignore[attr-defined]
            n = ctx.session.exec(select(func.count()).where(case_col == case_id)).one()
            found[str(t.__tablename__)] = int(n)
        found["audit_events"] = int(
            ctx.session.exec(
                select(func.count()).where(col(AuditEvent.chain) == f"case:{case_id}")
            ).one()
        )
        found["cases"] = 1 if ctx.session.get(Case, case_id) else 0
        return found


@pytest.fixture
def world(work: Work, clock: FrozenClock) -> Iterator[dict[str, int]]:
    """A signed-off case that has since expired, a draft withdrawn on Mon 1 Jul 2024 (no
    decision: it counts from that day), and a case still waiting for its sign-off (not
    closed, so nothing of it ever goes), with a checkpoint over all their chains."""
    with work() as ctx:
        people = make_people(ctx)
        withdrawn = new_case(ctx, people)
        fire(ctx, withdrawn, "withdraw", people["officer"], {"reason": "Re-procured instead."})
        signed = new_case(ctx, people)
        waiting = new_case(ctx, people)
    to_cabinet(work, people, signed)
    to_cabinet(work, people, waiting)
    clock.travel_to(APPROVED_AT)
    with work() as ctx:
        for case_id in (signed, waiting):
            fire(ctx, case_id, "approve", people["clerk"], approve_payload(people))
    clock.travel_to(CONSULTED_AT)
    with work() as ctx:
        consult(ctx, people, signed)
    clock.travel_to(SIGNED_AT)
    with work() as ctx:
        fire(ctx, signed, "sign_off", people["executive"], sign_off_payload(6))
    clock.travel_to(london(2026, 1, 5, 9))
    with work() as ctx:
        assert signed in expire_due(ctx, people["system"])
        audit.checkpoint(ctx)
    yield {"signed": signed, "withdrawn": withdrawn, "waiting": waiting}


def due(work: Work) -> dict[int, str]:
    with work() as ctx:
        plan = plan_purge(ctx)
    return {d.case_id: "whole" if d.whole_case else "papers" for d in plan.due}


def verifies(work: Work) -> bool:
    with work() as ctx:
        result = audit.verify(ctx)
    assert result.ok, result.problem
    return True


def test_the_periods_end_the_day_before_the_anniversary_even_from_29_february() -> None:
    assert kept_through(LAST_DECISION, 4) == PAPERS_LAST_DAY
    assert kept_through(LAST_DECISION, 6) == RECORDS_LAST_DAY
    assert kept_through(date(2024, 2, 29), 6) == date(2030, 2, 28)
    assert kept_through(date(2024, 3, 1), 6) == date(2030, 2, 28)
    assert kept_through(date(2024, 2, 29), 4) == date(2028, 2, 28)  # 29 Feb 2028 is day 1 of yr 5
    assert kept_through(date(2023, 3, 1), 1) == date(2024, 2, 29)


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)), st.integers(1, 10))
def test_a_period_of_n_years_is_never_shorter_than_n_years(d: date, years: int) -> None:
    last = kept_through(d, years)
    try:
        anniversary = d.replace(year=d.year + years)
    except ValueError:  # 29 Feb in a common year: the period runs to the end of February
        anniversary = date(d.year + years, 3, 1)
    assert last + timedelta(days=1) == anniversary
    assert 365 * years - 1 <= (last - d).days < 366 * years
    assert kept_through(d + timedelta(days=1), years) >= last


def test_the_law_s_periods_are_a_floor() -> None:
    with pytest.raises(ValidationError):
        Settings(decision_record_retention_years=5)
    with pytest.raises(ValidationError):
        Settings(background_papers_retention_years=3)
    assert Settings(decision_record_retention_years=10).decision_record_retention_years == 10


def test_background_papers_go_after_four_years_and_nothing_else_does(
    world: dict[str, int], work: Work, clock: FrozenClock
) -> None:
    signed = world["signed"]
    clock.travel_to(at_last_minute(PAPERS_LAST_DAY))
    assert due(work) == {}
    with work() as ctx:
        assert purge(ctx).empty
    before = rows_of(work, signed)
    assert before["consultations"] == 1

    # 00:00 on Sat 16 Sep 2028 in London is still the 15th in UTC: the London day counts.
    clock.travel_to(at_first_minute(PAPERS_LAST_DAY + timedelta(days=1)))
    assert clock.now().date() == PAPERS_LAST_DAY
    assert due(work) == {signed: "papers"}
    with work() as ctx:
        plan = purge(ctx)
    assert plan.consultations and not plan.whole_cases
    after = rows_of(work, signed)
    assert after == {**before, "consultations": 0}  # the decision records all stay
    with work() as ctx:
        [event] = ctx.session.exec(
            select(AuditEvent).where(AuditEvent.event == "retention_purge")
        ).all()
        assert event.chain == "council" and event.data["chains_removed"] == []
        assert event.data["cases"][0]["consultations"] == list(plan.consultations)
        assert ctx.session.get(User, event.actor_id).is_system  # type: ignore[union-attr]
    assert due(work) == {}  # nothing twice
    assert verifies(work)


def test_decision_records_go_after_six_years_with_the_chain_and_the_trail_still_verifies(
    world: dict[str, int], work: Work, clock: FrozenClock, engine: Engine
) -> None:
    signed, withdrawn, waiting = world["signed"], world["withdrawn"], world["waiting"]
    # The withdrawn draft's six years began with Mon 1 Jul 2024, the day it was withdrawn.
    clock.travel_to(at_last_minute(date(2030, 6, 30)))
    assert due(work) == {signed: "papers"}
    clock.travel_to(at_first_minute(date(2030, 7, 1)))
    assert due(work) == {signed: "papers", withdrawn: "whole"}

    clock.travel_to(at_last_minute(RECORDS_LAST_DAY))
    assert due(work) == {signed: "papers", withdrawn: "whole"}
    clock.travel_to(at_first_minute(RECORDS_LAST_DAY + timedelta(days=1)))
    assert due(work) == {signed: "whole", withdrawn: "whole"}
    with work() as ctx:  # GOV.UK Notify had reached someone with one of its reminders
        reminder = ctx.session.exec(select(Reminder).where(Reminder.case_id == signed)).first()
        assert reminder is not None and reminder.id is not None
        ctx.session.add(
            ReminderDelivery(
                reminder_id=reminder.id,
                case_id=signed,
                address="clerk@council.example.gov.uk",
                notification_id="740e5834-3a29-46b4-9a6f-16142fde533a",
                accepted_at=ctx.now(),
            )
        )
    assert rows_of(work, signed)["reminder_deliveries"] == 1
    agreements_before = counts(work)["agreements"]
    with work() as ctx:
        plan = purge(ctx)
    assert sorted(plan.whole_cases) == sorted([signed, withdrawn])
    for case_id in (signed, withdrawn):
        assert set(rows_of(work, case_id).values()) == {0}
    assert counts(work)["agreements"] == agreements_before  # the register's, not the case's
    assert rows_of(work, waiting)["resolutions"] == 1  # not closed: kept whatever its age
    with work() as ctx:
        assert ctx.session.get(Case, waiting) is not None
    # The checkpoint named the removed chains' heads; the purge event vouches for them.
    assert verifies(work)
    with work() as ctx:
        audit.checkpoint(ctx)
    assert verifies(work)

    # Removing a chain without a purge event is still caught.
    with engine.begin() as conn:
        conn.execute(delete(AuditEvent).where(col(AuditEvent.chain) == f"case:{waiting}"))
    with work() as ctx:
        broken = audit.verify(ctx)
    assert not broken.ok and "missing (removed)" in (broken.problem or "")


def test_a_dry_run_lists_what_would_go_and_changes_nothing(
    world: dict[str, int], work: Work, clock: FrozenClock
) -> None:
    clock.travel_to(at_first_minute(RECORDS_LAST_DAY + timedelta(days=1)))
    before = counts(work)
    with work() as ctx:
        plan = purge(ctx, dry_run=True)
    assert sorted(plan.whole_cases) == sorted([world["signed"], world["withdrawn"]])
    assert counts(work) == before
    [line] = [ln for ln in plan.lines() if f"case {world['signed']} " in ln]
    assert "decision records kept through 2030-09-15: remove the case" in line
    assert "1 consultations" in line and "1 sign_offs" in line


def test_the_command_dry_runs_then_purges_and_audit_verify_still_passes(
    world: dict[str, int], work: Work, cli_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COUNCILFLOW_NOW", "2028-09-15T23:00:00+00:00")  # 00:00 16 Sep, London
    get_settings.cache_clear()
    before = counts(work)
    runner = CliRunner()
    dry = runner.invoke(app, ["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"case {world['signed']} (expired, decided 2024-09-16)" in dry.output
    assert "would remove 0 case(s)" in dry.output and "and 1 background paper(s)" in dry.output
    assert counts(work) == before

    done = runner.invoke(app, ["retention", "purge"])
    assert done.exit_code == 0, done.output
    assert "removed 0 case(s)" in done.output
    assert counts(work)["consultations"] == before["consultations"] - 1
    assert counts(work)["audit_events"] == before["audit_events"] + 1

    monkeypatch.setenv("COUNCILFLOW_NOW", "2030-09-16T00:00:00+01:00")
    get_settings.cache_clear()
    gone = runner.invoke(app, ["retention", "purge"])
    assert "removed 2 case(s)" in gone.output, gone.output
    check = runner.invoke(app, ["audit", "verify"])
    assert check.exit_code == 0, check.output


def test_a_council_purges_only_its_own_records(
    world: dict[str, int], work: Work, clock: FrozenClock
) -> None:
    """Issue 10: each council keeps and purges its own. Another council, its periods over
    too, finds nothing of the first council's to remove; the command purges council by
    council, each purge recorded in its own council's chain."""
    clock.travel_to(at_first_minute(RECORDS_LAST_DAY + timedelta(days=1)))
    with work() as ctx:
        other, _, _ = create_council(ctx, CouncilIn(name="Other", slug="other"), None)
    with work() as ctx:
        assert purge(enter(ctx, other)).empty
    assert due(work) == {world["signed"]: "whole", world["withdrawn"]: "whole"}
    with work() as ctx:
        plan = purge(ctx)  # the first council's, as the command line works by default
    assert sorted(plan.whole_cases) == sorted([world["signed"], world["withdrawn"]])
    with work() as ctx:
        [event] = ctx.session.exec(
            select(AuditEvent).where(col(AuditEvent.event) == "retention_purge")
        ).all()
        assert event.chain == "council"  # the first council's chain, not the other's
    assert verifies(work)
