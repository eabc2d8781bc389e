"""GOV.UK Notify through the real client (``notifications-python-client``) to a loopback
receiver that checks its signed tokens and answers as Notify does: per-recipient sends, and
every class of the API's errors through retry and the dead letters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
import reminder_rows
from receivers import (
    ESCALATION_TEMPLATE,
    NOTIFY_SERVICE_ID,
    REMINDER_TEMPLATE,
    NotifySend,
    free_port,
    notify_error,
    notify_receiver,
    notifying_to,
)
from reminder_rows import Work
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from scheduler.channels import build_channels, close_all
from scheduler.channels.notify import NotifyChannel
from scheduler.deliveries import DeliveryLedger
from scheduler.notice import Notice
from scheduler.tick import run_tick
from workflow.clock import FrozenClock
from workflow.db import make_engine, unit_of_work
from workflow.models import ReminderDelivery
from workflow.reminders.retry import retry_reminder
from workflow.settings import Settings

PEOPLE = [
    "clerk@council.example.gov.uk",
    "head.of.service@council.example.gov.uk",
    "monitoring.officer@council.example.gov.uk",
]


def _reminder(work: Work, purpose: str = "reminder", recipients: list[str] = PEOPLE) -> int:
    with work() as ctx:
        c = reminder_rows.case(ctx.session, ctx.now(), title="Day Opportunities: extension")
        d = reminder_rows.deadline(ctx.session, ctx.now(), c, due_on=date(2024, 8, 29))
        r = reminder_rows.reminder(
            ctx.session,
            ctx.now(),
            d,
            fire_at=ctx.now(),
            channel="notify",
            purpose=purpose,
            recipients=recipients,
        )
        assert r.id is not None
        return r.id


def test_one_send_per_recipient_with_the_template_and_the_case_deadline_and_date(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _reminder(work)
    with notify_receiver() as notify:
        result = run_tick(engine, clock, notifying_to(settings, notify))
    assert result["sent"] == 1 and notify.refused == []
    assert sorted(notify.addresses()) == sorted(PEOPLE)
    for send in notify.sends:
        assert send.template_id == REMINDER_TEMPLATE
        assert send.reference == f"councilflow-reminder-{rid}"
        fields = send.personalisation
        assert fields["case_title"] == "Day Opportunities: extension"
        assert fields["deadline"] == "publish the report with the Cabinet agenda"
        assert fields["due_date"] == "Thursday 29 August 2024"
        assert fields["link"].endswith(f"/cases/{fields['case_reference']}")
        assert fields["agreements"][0].startswith("REF-")
    assert reminder_rows.read(work, rid).status == "sent"


def test_an_escalation_uses_the_escalation_template(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    _reminder(work, purpose="escalation", recipients=PEOPLE[:1])
    with notify_receiver() as notify:
        assert run_tick(engine, clock, notifying_to(settings, notify))["sent"] == 1
    [send] = notify.sends
    assert send.template_id == ESCALATION_TEMPLATE
    assert send.personalisation["headline"].startswith("Overdue:")


def test_a_wrong_key_is_refused_403_and_the_reminder_is_dead_without_retries(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _reminder(work)
    wrong = f"councilflow_test-{NOTIFY_SERVICE_ID}-00000000-0000-4000-8000-000000000000"
    with notify_receiver() as notify:
        result = run_tick(engine, clock, notifying_to(settings, notify, api_key=wrong))
    assert (result["dead"], result["failed"], result["sent"]) == (1, 0, 0)
    assert notify.sends == []
    assert notify.refused == [(403, "Invalid token: API key not found")] * len(PEOPLE)
    row = reminder_rows.read(work, rid)
    assert (row.status, row.attempts) == ("dead", 1)
    assert "GOV.UK Notify answered 403 AuthError: Invalid token: API key not found" in (
        row.last_error or ""
    )


def test_another_services_key_is_refused(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _reminder(work, recipients=PEOPLE[:1])
    other = "other-11111111-2222-4333-8444-555555555555-3d844edf-8d35-48ac-975b-e847b4f122b0"
    with notify_receiver() as notify:
        assert run_tick(engine, clock, notifying_to(settings, notify, api_key=other))["dead"] == 1
    assert notify.refused == [(403, "Invalid token: service not found")]
    assert reminder_rows.read(work, rid).status == "dead"


def test_a_key_that_is_not_a_notify_key_is_dead_at_once(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _reminder(work)
    with notify_receiver() as notify:
        assert run_tick(engine, clock, notifying_to(settings, notify, api_key="short"))["dead"] == 1
    assert "is not a GOV.UK Notify API key" in (reminder_rows.read(work, rid).last_error or "")


def test_a_team_only_key_refuses_outsiders_400_the_rest_get_it_and_a_retry_sends_only_to_them(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _reminder(work)
    with work() as ctx:
        admin = reminder_rows.user(ctx.session, ctx.now(), ["admin"])
    with notify_receiver(team=frozenset(PEOPLE[:2])) as notify:
        s = notifying_to(settings, notify)
        assert run_tick(engine, clock, s)["dead"] == 1
        row = reminder_rows.read(work, rid)
        assert (row.status, row.attempts) == ("dead", 1)
        assert (
            "400 BadRequestError: Cannot send to this recipient using a team-only API key "
            f"(to {PEOPLE[2]})"
        ) in (row.last_error or "")
        assert sorted(notify.addresses()) == sorted(PEOPLE[:2])

        notify.team = None  # a live key now: the admin retries the dead letter
        with work() as ctx:
            retry_reminder(ctx, rid, actor=admin)
        # Another process's pass (its own channels, nothing in memory) sends the retry.
        with restarted(engine) as other:
            assert run_tick(other, clock, s, "restarted")["sent"] == 1
    assert sorted(notify.addresses()) == sorted(PEOPLE)  # nobody had it twice
    assert reminder_rows.read(work, rid).status == "sent"


def test_an_unknown_template_is_a_400_and_dead(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _reminder(work, recipients=PEOPLE[:1])
    with notify_receiver(templates=frozenset()) as notify:
        assert run_tick(engine, clock, notifying_to(settings, notify))["dead"] == 1
    assert "400 BadRequestError: Template not found" in (
        reminder_rows.read(work, rid).last_error or ""
    )


def test_rate_limits_server_errors_and_lost_connections_retry_with_backoff_then_dead_letter(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    settings = settings.model_copy(
        update={"max_attempts": 4, "backoff_base_seconds": 60, "backoff_max_seconds": 3600}
    )
    rid = _reminder(work, recipients=PEOPLE[:1])
    answers = iter(
        [
            notify_error(
                429,
                "RateLimitError",
                "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds",
            ),
            notify_error(500, "Exception", "Internal server error"),
            notify_error(503, "Exception", "Service unavailable"),
        ]
    )

    def answer(send: NotifySend) -> tuple[int, dict[str, Any]] | None:
        return next(answers)

    expected = [
        "GOV.UK Notify answered 429 RateLimitError: Exceeded rate limit",
        "GOV.UK Notify answered 500 Exception: Internal server error",
        "could not reach GOV.UK Notify",
    ]
    with notify_receiver(answer=answer) as notify:
        s = notifying_to(settings, notify)
        unreachable = s.model_copy(update={"notify_base_url": f"http://127.0.0.1:{free_port()}"})
        for attempt, words in enumerate(expected, start=1):
            tick_settings = unreachable if attempt == 3 else s
            assert run_tick(engine, clock, tick_settings)["failed"] == 1
            row = reminder_rows.read(work, rid)
            assert (row.status, row.attempts) == ("failed", attempt)
            assert words in (row.last_error or "")
            assert row.fire_at > clock.now()  # the backoff: not before its time
            assert run_tick(engine, clock, s)["claimed"] == 0
            clock.travel_to(row.fire_at)
        result = run_tick(engine, clock, s)
        assert (result["failed"], result["dead"]) == (0, 1)
    row = reminder_rows.read(work, rid)
    assert (row.status, row.attempts) == ("dead", 4)
    assert "GOV.UK Notify answered 503" in (row.last_error or "")
    assert notify.sends == []


# --- who already has it: remembered in the database, not in a process ----------------------


class Crash(BaseException):
    """The process dying where it is raised: not an ``Exception``, so no channel or dispatcher
    handler catches it and nothing after it runs (no outcome is written)."""


@contextmanager
def restarted(engine: Engine) -> Iterator[Engine]:
    """A new process's view of the same database: its own engine and pool, its own channels
    (``run_tick`` builds them), nothing shared in memory with the one before."""
    fresh = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        yield fresh
    finally:
        fresh.dispose()


def _deliveries(engine: Engine, rid: int) -> list[tuple[str, str]]:
    with unit_of_work(engine, write=False) as session:
        rows = session.exec(
            select(ReminderDelivery)
            .where(ReminderDelivery.reminder_id == rid)
            .order_by(col(ReminderDelivery.id))
        ).all()
        return [(r.address, r.notification_id) for r in rows]


def _fails_for(counts: dict[str, int]) -> Callable[[NotifySend], tuple[int, dict[str, Any]] | None]:
    """Notify answering 500 to each address the given number of times, then accepting."""

    def answer(send: NotifySend) -> tuple[int, dict[str, Any]] | None:
        if counts.get(send.email_address, 0) > 0:
            counts[send.email_address] -= 1
            return notify_error(500, "Exception", "Internal server error")
        return None

    return answer


def test_a_new_process_retrying_after_a_500_sends_only_to_the_recipient_notify_had_not_accepted(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _reminder(work, recipients=PEOPLE[:2])
    with notify_receiver(answer=_fails_for({PEOPLE[1]: 1})) as notify:
        s = notifying_to(settings, notify)
        assert run_tick(engine, clock, s, "first")["failed"] == 1
        [accepted] = notify.sends
        assert _deliveries(engine, rid) == [(PEOPLE[0], accepted.notification_id)]
        row = reminder_rows.read(work, rid)
        assert (row.status, row.attempts) == ("failed", 1)

        clock.travel_to(row.fire_at)
        with restarted(engine) as other:
            result = run_tick(other, clock, s, "restarted")
        assert (result["claimed"], result["sent"]) == (1, 1)
    assert notify.addresses() == PEOPLE[:2]  # each exactly once: recipient 2 only on the retry
    assert notify.refused == [(500, "Internal server error")]
    assert _deliveries(engine, rid) == [(p.email_address, p.notification_id) for p in notify.sends]
    assert reminder_rows.read(work, rid).status == "sent"


def test_after_a_crash_once_notify_had_accepted_everyone_the_retry_sends_nothing_and_is_sent(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    """The process dies after the last acceptance was written and before the outcome was: the
    reminder is still due (claimed, its lease running), never lost, and never sent twice."""
    rid = _reminder(work)
    with notify_receiver() as notify:
        s = notifying_to(settings, notify)
        channels = build_channels(s, clock, engine)
        notify_channel = channels["notify"]

        class DiesAfterSending:
            name = "notify"

            def send(self, notice: Notice) -> None:
                notify_channel.send(notice)
                raise Crash

            def close(self) -> None:
                notify_channel.close()

        with pytest.raises(Crash):
            run_tick(engine, clock, s, "dies", channels={"notify": DiesAfterSending()})
        close_all(channels)
        row = reminder_rows.read(work, rid)
        assert (row.status, row.claimed_by) == ("claimed", "dies")
        assert notify.addresses() == PEOPLE

        clock.advance(timedelta(seconds=s.claim_lease_seconds + 1))
        with restarted(engine) as other:
            result = run_tick(other, clock, s, "restarted")
        assert (result["claimed"], result["sent"]) == (1, 1)
    assert notify.addresses() == PEOPLE  # no second request to anyone
    row = reminder_rows.read(work, rid)
    assert (row.status, row.claimed_by) == ("sent", "restarted")


def test_a_crash_before_an_acceptance_is_written_repeats_that_one_address_with_its_reference(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    """The window ``DeliveryLedger`` owns to: Notify accepted the second address, the process
    died before the row was committed. The retry repeats that address alone, under the same
    ``reference``, and no other."""
    rid = _reminder(work)

    class DiesBeforeWriting(DeliveryLedger):
        def accepted(self, reminder_id: int, case_id: int, address: str, nid: str) -> None:
            if address == PEOPLE[1]:
                raise Crash
            super().accepted(reminder_id, case_id, address, nid)

    with notify_receiver() as notify:
        s = notifying_to(settings, notify)
        dying = NotifyChannel(s, DiesBeforeWriting(engine, clock))
        try:
            with pytest.raises(Crash):
                run_tick(engine, clock, s, "dies", channels={"notify": dying})
        finally:
            dying.close()
        assert notify.addresses() == PEOPLE[:2]
        assert [a for a, _ in _deliveries(engine, rid)] == PEOPLE[:1]

        clock.advance(timedelta(seconds=s.claim_lease_seconds + 1))
        with restarted(engine) as other:
            assert run_tick(other, clock, s, "restarted")["sent"] == 1
    assert notify.addresses() == [PEOPLE[0], PEOPLE[1], PEOPLE[1], PEOPLE[2]]
    assert {send.reference for send in notify.sends} == {f"councilflow-reminder-{rid}"}


def test_a_recipient_refused_to_the_end_dead_letters_it_and_a_retry_skips_who_had_it(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    settings = settings.model_copy(update={"max_attempts": 2})
    rid = _reminder(work)
    with work() as ctx:
        admin = reminder_rows.user(ctx.session, ctx.now(), ["admin"])
    with notify_receiver(answer=_fails_for({PEOPLE[1]: 2})) as notify:
        s = notifying_to(settings, notify)
        assert run_tick(engine, clock, s, "first")["failed"] == 1
        clock.travel_to(reminder_rows.read(work, rid).fire_at)
        with restarted(engine) as other:
            assert run_tick(other, clock, s, "second")["dead"] == 1
        row = reminder_rows.read(work, rid)
        assert (row.status, row.attempts) == ("dead", 2)
        assert f"GOV.UK Notify answered 500 Exception: Internal server error (to {PEOPLE[1]})" in (
            row.last_error or ""
        )
        assert notify.addresses() == PEOPLE[:1]  # the first, once; never past the failure

        with work() as ctx:
            retry_reminder(ctx, rid, actor=admin)
        with restarted(engine) as other:
            assert run_tick(other, clock, s, "third")["sent"] == 1
    assert notify.addresses() == PEOPLE  # each exactly once across three processes
    assert notify.refused == [(500, "Internal server error")] * 2
    assert [a for a, _ in _deliveries(engine, rid)] == PEOPLE
