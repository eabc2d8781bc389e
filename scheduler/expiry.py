"""Automatic expiry: active cases whose term has ended are expired through the domain.

Going through ``workflow.lifecycle.events.fire`` (inside ``expire_due``) means the audit trail
records
the scheduler as the actor and the case's reminders are cancelled in the same transaction.
When several schedulers run, the conditional version update lets exactly one of them win each
case; the others' savepoints roll back with a conflict they skip.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from workflow.clock import Clock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.lifecycle.events import expire_due, implement_due, lapse_due
from workflow.models import User
from workflow.people.users import system_user
from workflow.settings import Settings

PAGE = 100


def scheduler_actor(
    engine: Engine, clock: Clock, settings: Settings, council_id: int | None = None
) -> User:
    """The system user, created in its own transaction so that two schedulers starting at
    once (each trying to create it) do not fail the expiry pass: the loser reads the winner's."""
    for _ in range(2):
        try:
            with unit_of_work(engine) as session:
                return system_user(Ctx(session, clock, settings, council_id))
        except IntegrityError:
            continue
    raise RuntimeError("could not create or read the scheduler's system user")


def expire_overdue(
    engine: Engine, clock: Clock, settings: Settings, council_id: int | None = None
) -> list[int]:
    """Expire every case due for expiry, a page per unit of work; answers the case ids.
    ``council_id``: that council's cases, under its settings and by its scheduler identity."""
    actor = scheduler_actor(engine, clock, settings, council_id)
    expired: list[int] = []
    while True:
        with unit_of_work(engine) as session:
            page = expire_due(Ctx(session, clock, settings, council_id), actor, limit=PAGE)
        expired += page
        # A short page means no more candidates; refused ones would come back every time.
        if len(page) < PAGE:
            break
    with unit_of_work(engine) as session:
        # Cabinet's own terms start once call-in is over (issue 12, fault 1)...
        implement_due(Ctx(session, clock, settings, council_id), actor, limit=10 * PAGE)
    with unit_of_work(engine) as session:
        # ...and envelopes whose time has passed unused end (issue 12, fault 3).
        expired += lapse_due(Ctx(session, clock, settings, council_id), actor, limit=10 * PAGE)
    return expired
