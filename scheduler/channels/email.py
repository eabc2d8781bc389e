"""Email over SMTP: a plain and an HTML body saying what is due, for which case, when.

``Message-ID`` is derived from the reminder id and ``X-CouncilFlow-Reminder-Id`` carries it,
so a repeat after a crash is recognisably the same message. A reminder with nobody to send
to is a failure (it ends visible in the dead letters), never a silent success.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from scheduler.channels import DeliveryError
from scheduler.notice import Notice, long_date
from workflow.clock import Clock
from workflow.settings import Settings

REMINDER_ID_HEADER = "X-CouncilFlow-Reminder-Id"
log = logging.getLogger("councilflow.scheduler")


def plain_body(notice: Notice) -> str:
    lines = [
        notice.headline,
        "",
        f"Case {notice.case_id}: {notice.case_title}",
        f"State: {notice.case_state.replace('_', ' ')}",
        f"Due: {long_date(notice.due_on)}",
    ]
    if notice.exempt_note:
        lines += ["", notice.exempt_note]
    if notice.agreements:
        lines += ["", "Agreements:"]
        lines += [
            f"- {a.reference}: {a.title} ({a.counterparty}), ends {long_date(a.end_date)}"
            for a in notice.agreements
        ]
    lines += ["", f"Open the case: {notice.link}", "", f"Reminder {notice.reminder_id}"]
    return "\n".join(lines) + "\n"


def html_body(notice: Notice) -> str:
    rows = [
        ("Case", f"{notice.case_id}: {notice.case_title}"),
        ("State", notice.case_state.replace("_", " ")),
        ("Due", long_date(notice.due_on)),
    ]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    parts = [f"<p><strong>{escape(notice.headline)}</strong></p>", f"<table>{table}</table>"]
    if notice.exempt_note:
        parts.append(f"<p>{escape(notice.exempt_note)}</p>")
    if notice.agreements:
        items = "".join(
            f"<li>{escape(a.reference)}: {escape(a.title)} ({escape(a.counterparty)}), "
            f"ends {escape(long_date(a.end_date))}</li>"
            for a in notice.agreements
        )
        parts.append(f"<h2>Agreements</h2><ul>{items}</ul>")
    link = escape(notice.link, quote=True)
    parts.append(f'<p><a href="{link}">Open case {notice.case_id} in CouncilFlow</a></p>')
    body = "".join(parts)
    return f'<!DOCTYPE html><html lang="en"><body>{body}</body></html>\n'


def sender_of(notice: Notice, settings: Settings) -> str:
    """The council's own sending address (issue 10), or the installation's."""
    return notice.sender or settings.smtp_from


def message_for(notice: Notice, settings: Settings, clock: Clock) -> EmailMessage:
    sender = sender_of(notice, settings)
    domain = sender.rpartition("@")[2] or "councilflow"
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(notice.recipients)
    msg["Subject"] = notice.subject
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = f"<reminder-{notice.reminder_id}@{domain}>"
    msg[REMINDER_ID_HEADER] = str(notice.reminder_id)
    msg.set_content(plain_body(notice))
    msg.add_alternative(html_body(notice), subtype="html")
    return msg


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_ssl:
            return smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                timeout=s.smtp_timeout_seconds,
                context=ssl.create_default_context(),
            )
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_seconds)
        if s.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, notice: Notice) -> None:
        if not notice.recipients:
            raise DeliveryError("no recipients: nobody holds the roles this deadline is for")
        msg = message_for(notice, self.settings, self.clock)
        try:
            with self._connect() as smtp:
                if self.settings.smtp_username:
                    smtp.login(self.settings.smtp_username, self.settings.smtp_password or "")
                refused = smtp.send_message(
                    msg,
                    from_addr=sender_of(notice, self.settings),
                    to_addrs=list(notice.recipients),
                )
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP delivery failed: {type(exc).__name__}: {exc}") from exc
        if refused:
            # Some accepted, some refused: retrying would repeat it to those who have it.
            # Say so in the log; the reminder counts as sent to the ones who accepted it.
            log.warning("reminder %s: SMTP refused %s", notice.reminder_id, sorted(refused))

    def close(self) -> None:
        return None
