"""GOV.UK Notify through the real client (``notifications-python-client``) to a loopback
receiver that checks its signed tokens and answers as Notify does: per-recipient sends, and
every class of the API's errors through retry and the dead letters."""

from __future__ import annotations

from datetime import date
from typing import Any

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

from scheduler.channels import build_channels, close_all
from scheduler.tick import run_tick
from workflow.clock import FrozenClock
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
        channels = build_channels(s, clock)  # one dispatcher's channels, kept between passes
        try:
            assert run_tick(engine, clock, s, channels=channels)["dead"] == 1
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
            assert run_tick(engine, clock, s, channels=channels)["sent"] == 1
        finally:
            close_all(channels)
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


def test_a_retry_after_a_failure_half_way_sends_only_to_those_still_without_it(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    rid = _reminder(work)
    failures = {PEOPLE[1]: 1}

    def answer(send: NotifySend) -> tuple[int, dict[str, Any]] | None:
        if failures.get(send.email_address):
            failures[send.email_address] -= 1
            return notify_error(500, "Exception", "Internal server error")
        return None

    with notify_receiver(answer=answer) as notify:
        s = notifying_to(settings, notify)
        channels = build_channels(s, clock)
        try:
            assert run_tick(engine, clock, s, channels=channels)["failed"] == 1
            assert notify.addresses() == PEOPLE[:1]  # stopped at the failure
            clock.travel_to(reminder_rows.read(work, rid).fire_at)
            assert run_tick(engine, clock, s, channels=channels)["sent"] == 1
        finally:
            close_all(channels)
    assert notify.addresses() == PEOPLE  # each exactly once, in order
