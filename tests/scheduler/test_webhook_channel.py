"""Signed webhooks to a real HTTP receiver on loopback that checks the signature."""

from __future__ import annotations

import reminder_rows
from receivers import delivering_to, webhook_receiver
from reminder_rows import Work
from sqlalchemy.engine import Engine

from scheduler.channels.webhook import sign
from scheduler.tick import run_tick
from workflow.clock import FrozenClock
from workflow.councils.councils import create_council, set_constitution
from workflow.models import Case, Deadline, Reminder, pk
from workflow.schemas import CouncilIn
from workflow.settings import Settings


def test_the_receiver_verifies_signature_timestamp_and_key(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        r = reminder_rows.due_reminder(ctx.session, ctx.now(), channel="webhook")
        rid, case_id = r.id, r.case_id
    with webhook_receiver(now=clock.now, tolerance_seconds=0) as receiver:
        result = run_tick(engine, clock, delivering_to(settings, receiver))
    assert result["sent"] == 1 and receiver.rejected == []
    [delivery] = receiver.deliveries
    assert delivery.key == str(rid)
    assert delivery.timestamp == int(clock.now().timestamp())
    body = delivery.body
    assert body["type"] == "councilflow.reminder" and body["reminder_id"] == rid
    assert body["case"]["id"] == case_id and body["case"]["url"].endswith(f"/cases/{case_id}")
    assert body["deadline"] == {"kind": "agenda_publication", "due_on": "2024-08-29"}
    assert body["agreements"][0]["counterparty"].startswith("Provider")


def test_a_wrong_secret_is_refused_and_the_reminder_retries(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        rid = reminder_rows.due_reminder(ctx.session, ctx.now(), channel="webhook").id
    with webhook_receiver(now=clock.now) as receiver:
        result = run_tick(engine, clock, delivering_to(settings, receiver, secret="not-the-secret"))
    assert result["failed"] == 1 and receiver.rejected == ["bad signature"]
    with work() as ctx:
        row = ctx.session.get(Reminder, rid)
        assert row is not None and row.status == "failed"
        assert "webhook answered 401" in (row.last_error or "")


def test_no_webhook_url_is_a_failure(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        reminder_rows.due_reminder(ctx.session, ctx.now(), channel="webhook")
    assert run_tick(engine, clock, settings.model_copy(update={"webhook_url": None}))["failed"] == 1


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    # Known answer, from `printf '1719820800.{"a":1}' | openssl dgst -sha256 -hmac key`, so a
    # receiver in any language can be checked against it.
    assert sign("key", "1719820800", b'{"a":1}') == (
        "sha256=b4c724aff0584e2e6d3dbf07f1c3c47d3a488722324343a689761b8baeba7f46"
    )


def test_a_councils_reminders_go_to_its_own_receiver(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    """Issue 10: a council whose constitution names its own webhook gets its reminders there;
    the others' go to the installation's."""
    with webhook_receiver(now=clock.now) as installation, webhook_receiver(now=clock.now) as own:
        with work() as ctx:
            council, _, _ = create_council(ctx, CouncilIn(name="Other", slug="other"), None)
            set_constitution(ctx, council, {"webhook_url": own.url})
            first = reminder_rows.due_reminder(ctx.session, ctx.now(), channel="webhook")
            theirs = reminder_rows.due_reminder(ctx.session, ctx.now(), channel="webhook")
            case = ctx.session.get(Case, theirs.case_id)
            deadline = ctx.session.get(Deadline, theirs.deadline_id)
            assert case is not None and deadline is not None
            for row in (case, deadline, theirs):
                row.council_id = pk(council.id)
                ctx.session.add(row)
            ids = (first.id, theirs.id)
        result = run_tick(engine, clock, delivering_to(settings, installation))
    assert result["sent"] == 2
    assert installation.keys() == [str(ids[0])] and own.keys() == [str(ids[1])]
