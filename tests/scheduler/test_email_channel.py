"""Email reminders through a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import date

import reminder_rows
from receivers import free_port, smtp_server
from reminder_rows import Work
from sqlalchemy.engine import Engine

from scheduler.tick import run_tick
from workflow.clock import FrozenClock
from workflow.models import Reminder
from workflow.settings import Settings

RECIPIENTS = ["author@council.example.gov.uk", "clerk@council.example.gov.uk"]


def _smtp(settings: Settings, port: int) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_from": "reminders@council.example.gov.uk",
            "base_url": "https://councilflow.example.gov.uk",
        }
    )


def _email_reminder(work: Work, **case: object) -> tuple[int, int]:
    with work() as ctx:
        c = reminder_rows.case(ctx.session, ctx.now(), **case)  # type: ignore[arg-type]
        d = reminder_rows.deadline(
            ctx.session, ctx.now(), c, kind="agenda_publication", due_on=date(2024, 8, 29)
        )
        r = reminder_rows.reminder(
            ctx.session, ctx.now(), d, fire_at=ctx.now(), channel="email", recipients=RECIPIENTS
        )
        assert c.id is not None and r.id is not None
        return c.id, r.id


def test_email_has_plain_and_html_bodies_link_and_idempotency_headers(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    case_id, rid = _email_reminder(work, title="Day Opportunities contracts: extension")
    with smtp_server() as (sink, port):
        result = run_tick(engine, clock, _smtp(settings, port))
    assert result["sent"] == 1
    [(mail_from, rcpt_tos, msg)] = sink.messages
    assert mail_from == "reminders@council.example.gov.uk"
    assert sorted(rcpt_tos) == RECIPIENTS
    assert msg["X-CouncilFlow-Reminder-Id"] == str(rid)
    assert msg["Message-ID"] == f"<reminder-{rid}@council.example.gov.uk>"
    assert "Day Opportunities contracts: extension" in msg["Subject"]
    plain = msg.get_body(preferencelist=("plain",))
    html = msg.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    link = f"https://councilflow.example.gov.uk/cases/{case_id}"
    for body in (plain.get_content(), html.get_content()):
        assert "publish the report with the Cabinet agenda" in body
        assert "Thursday 29 August 2024" in body
        assert link in body
        assert "Provider" in body  # the agreements, named with their counterparty
    assert f'href="{link}"' in html.get_content()


def test_an_escalation_says_the_deadline_passed_undone(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        c = reminder_rows.case(ctx.session, ctx.now())
        d = reminder_rows.deadline(ctx.session, ctx.now(), c, due_on=date(2024, 6, 28))
        reminder_rows.reminder(
            ctx.session, ctx.now(), d, fire_at=ctx.now(), channel="email", purpose="escalation"
        )
    with smtp_server() as (sink, port):
        assert run_tick(engine, clock, _smtp(settings, port))["sent"] == 1
    [(_, _, msg)] = sink.messages
    assert msg["Subject"].startswith("[CouncilFlow] Overdue")
    text = msg.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    assert "passed on Friday 28 June 2024 and it has not been done" in text


def test_an_exempt_case_says_only_title_state_and_dates(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    _email_reminder(work, title="SLA with Miocare Group CIC", exempt_paragraph=3)
    with smtp_server() as (sink, port):
        assert run_tick(engine, clock, _smtp(settings, port))["sent"] == 1
    [(_, _, msg)] = sink.messages
    for part in ("plain", "html"):
        body = msg.get_body(preferencelist=(part,)).get_content()  # type: ignore[union-attr]
        assert "SLA with Miocare Group CIC" in body and "Thursday 29 August 2024" in body
        assert "paragraph 3 of Schedule 12A" in body
        assert "Provider" not in body and "REF-" not in body


def test_no_recipients_is_a_failure_not_silence(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    with work() as ctx:
        c = reminder_rows.case(ctx.session, ctx.now())
        d = reminder_rows.deadline(ctx.session, ctx.now(), c, recipients=[])
        rid = reminder_rows.reminder(
            ctx.session, ctx.now(), d, fire_at=ctx.now(), channel="email"
        ).id
    with smtp_server() as (sink, port):
        result = run_tick(engine, clock, _smtp(settings, port))
    assert (result["sent"], result["failed"]) == (0, 1) and sink.messages == []
    with work() as ctx:
        row = ctx.session.get(Reminder, rid)
        assert row is not None and row.status == "failed"
        assert "no recipients" in (row.last_error or "")


def test_an_unreachable_smtp_server_is_a_failure(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    _, rid = _email_reminder(work)
    result = run_tick(engine, clock, _smtp(settings, free_port()))
    assert result["failed"] == 1
    with work() as ctx:
        row = ctx.session.get(Reminder, rid)
        assert row is not None and row.status == "failed"
        assert "SMTP delivery failed" in (row.last_error or "")


def test_a_title_stored_with_line_breaks_still_goes_out_on_one_subject_line(
    engine: Engine, clock: FrozenClock, settings: Settings, work: Work
) -> None:
    """A title stored before control characters were refused (written straight to the table
    here, as the old API stored it), with the reminder already planned: it still goes out,
    its Subject on one line, and the line break cannot add a header of its own."""
    title = "Day Opportunities\r\nBcc: someone@elsewhere.example\u2028extension\x0b"
    _, rid = _email_reminder(work, title=title)
    with smtp_server() as (sink, port):
        result = run_tick(engine, clock, _smtp(settings, port))
    assert (result["sent"], result["failed"]) == (1, 0)
    [(_, rcpt_tos, msg)] = sink.messages
    assert sorted(rcpt_tos) == RECIPIENTS
    assert msg["Bcc"] is None
    subject = str(msg["Subject"])
    assert subject.startswith("[CouncilFlow] Reminder: Day Opportunities")
    assert "Bcc: someone@elsewhere.example extension" in subject
    assert not any(c in subject for c in "\r\n\x0b\u2028")
    with work() as ctx:
        row = ctx.session.get(Reminder, rid)
        assert row is not None and row.status == "sent"
