"""The ways a reminder goes out: email (SMTP), a signed webhook, GOV.UK Notify, and the log.

Each channel turns a ``Notice`` into one delivery and raises ``DeliveryError`` when it cannot
be sure the delivery happened, so the dispatcher retries rather than marking it sent. The
reminder id travels with every delivery as its idempotency key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from sqlalchemy.engine import Engine

from scheduler.notice import Notice
from workflow.clock import Clock
from workflow.settings import Settings


class DeliveryError(Exception):
    """The delivery did not (certainly) happen; the message says why, for ``last_error``.

    ``permanent`` says that sending it again cannot succeed (the service refused the request
    itself: a bad request, a revoked or team-only key), so the reminder goes straight to the
    dead letters for a person to look at instead of spending its retries.
    """

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    name: str

    def send(self, notice: Notice) -> None: ...

    def close(self) -> None: ...


def build_channels(settings: Settings, clock: Clock, engine: Engine) -> Mapping[str, Channel]:
    """One instance of every channel, built from the settings; close them when done.
    ``engine``: where a per-recipient channel writes down whom it has reached."""
    from scheduler.channels.email import EmailChannel
    from scheduler.channels.log import LogChannel
    from scheduler.channels.notify import NotifyChannel
    from scheduler.channels.webhook import WebhookChannel
    from scheduler.deliveries import DeliveryLedger

    return {
        "email": EmailChannel(settings, clock),
        "webhook": WebhookChannel(settings, clock),
        "notify": NotifyChannel(settings, DeliveryLedger(engine, clock)),
        "log": LogChannel(),
    }


def close_all(channels: Mapping[str, Channel]) -> None:
    for channel in channels.values():
        channel.close()
