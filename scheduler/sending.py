"""Sending one claimed batch, a few deliveries at a time.

Deliveries overlap (a small thread pool) so that one slow or timing-out receiver does not
hold up a whole batch past its lease; every delivery first checks that enough of the lease is
left, because past it another worker may already have re-claimed the reminder.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from scheduler.channels import Channel, DeliveryError
from scheduler.notice import Notice
from workflow.clock import Clock

log = logging.getLogger("councilflow.scheduler")

SENT, FAILED, REFUSED, UNSENT = "sent", "failed", "refused", "unsent"


@dataclass
class Results:
    sent: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)
    refused: set[int] = field(default_factory=set)  # of ``failed``: no retry can succeed
    unsent: list[int] = field(default_factory=list)


def deliver(
    notice: Notice, channels: Mapping[str, Channel], clock: Clock, cutoff: datetime
) -> tuple[str, str]:
    """One delivery: answers (outcome, error)."""
    if clock.now() >= cutoff:
        return UNSENT, ""
    channel = channels.get(notice.channel)
    try:
        if channel is None:
            raise DeliveryError(f"there is no channel '{notice.channel}'")
        channel.send(notice)
    except DeliveryError as exc:
        return (REFUSED if exc.permanent else FAILED), str(exc)
    except Exception as exc:  # a bug in a channel must not lose the reminder
        log.exception("reminder %s: the %s channel raised", notice.reminder_id, notice.channel)
        return FAILED, f"{type(exc).__name__}: {exc}"
    return SENT, ""


def send_all(
    notices: Sequence[Notice],
    channels: Mapping[str, Channel],
    clock: Clock,
    cutoff: datetime,
    pool: ThreadPoolExecutor | None,
) -> Results:
    """Deliver every notice (in order when there is no pool) and gather the outcomes."""
    if pool is None:
        outcomes = [deliver(n, channels, clock, cutoff) for n in notices]
    else:
        futures = [pool.submit(deliver, n, channels, clock, cutoff) for n in notices]
        outcomes = [f.result() for f in futures]
    results = Results()
    for notice, (outcome, error) in zip(notices, outcomes, strict=True):
        rid = notice.reminder_id
        if outcome == SENT:
            results.sent.append(rid)
        elif outcome in (FAILED, REFUSED):
            results.failed[rid] = error
            if outcome == REFUSED:
                results.refused.add(rid)
        else:
            results.unsent.append(rid)
    return results
