"""Which recipients a reminder has already reached, for channels that send one request per
recipient (GOV.UK Notify): kept in ``reminder_deliveries``, never in a process's memory, so a
retry by this process, by another dispatcher or after a restart sends only to the rest.

Read once a batch, inside the claim's transaction (``delivered``), so each notice carries the
addresses that already have it. Written one row per request the service accepted, in a short
transaction of its own committed as soon as the service has answered (``DeliveryLedger``): it
cannot wait for the batch's outcome transaction, since a crash anywhere in the batch would
then forget every address the batch reached. The row is written whoever holds the claim by
then: that the service accepted the message is a fact, and the holder needs to know it.

So, by the dispatcher's rule that a crash between any two lines leaves every reminder either
sent or still due: a crash after the row commits and before the outcome is written leaves the
reminder due; it is re-claimed when the lease runs out and, every address being recorded,
marked sent without another request. What a crash can still do is in ``DeliveryLedger``.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from workflow.clock import Clock
from workflow.db import unit_of_work
from workflow.models import ReminderDelivery


def delivered(session: Session, reminder_ids: Iterable[int]) -> dict[int, frozenset[str]]:
    """The addresses each reminder has already reached: one query for the batch."""
    ids = sorted(set(reminder_ids))
    found: dict[int, set[str]] = {}
    if ids:
        rows = session.exec(
            select(ReminderDelivery.reminder_id, ReminderDelivery.address).where(
                col(ReminderDelivery.reminder_id).in_(ids)
            )
        ).all()
        for reminder_id, address in rows:
            found.setdefault(reminder_id, set()).add(address)
    return {rid: frozenset(found.get(rid, ())) for rid in ids}


class DeliveryLedger:
    """Writes down, durably and at once, each address the service accepted a reminder for.

    The window that is left: between the service accepting a request and this row's commit
    (a crash, a lost database connection, or a timeout after the service had in fact accepted
    the request and before its answer came back), nothing here knows the address has it, so
    the reminder's next attempt sends to that address again — one repeat per request in
    flight at the crash, never a whole list. The repeat carries the same ``reference``
    (``councilflow-reminder-<id>``), so in the service's own records it is recognisably the
    same reminder sent twice; GOV.UK Notify does not de-duplicate on it, so it cannot be
    prevented, only recognised.
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self.engine, self.clock = engine, clock

    def accepted(self, reminder_id: int, case_id: int, address: str, notification_id: str) -> None:
        """One row, committed now; a second row for the same address (two workers after a
        lost lease) is ignored, the first one standing."""
        values = {
            "reminder_id": reminder_id,
            "case_id": case_id,
            "address": address,
            "notification_id": notification_id,
            "accepted_at": self.clock.now(),
        }
        with unit_of_work(self.engine) as session:
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            session.execute(
                insert(ReminderDelivery)
                .values(**values)
                .on_conflict_do_nothing(index_elements=["reminder_id", "address"])
            )
