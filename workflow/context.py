"""What every domain call needs: the session of the current unit of work, the clock, the
settings and the council the work is for. Passed in, never global, so tests can move time and
swap the database.

``council_id`` is the tenant (issue 10). A request sets it from the signed-in person
(``workflow.councils.enter``), with ``settings`` then that council's effective settings; every
read scope and the one change unit filter by it (``within``, ``sees``). ``None`` is system
work across councils — the command line, and the scheduler's passes before they pick a
council — which filters nothing and writes into the first council.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import true
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from workflow.clock import Clock
from workflow.models import FIRST_COUNCIL
from workflow.settings import Settings


@dataclass
class Ctx:
    session: Session
    clock: Clock
    settings: Settings
    council_id: int | None = None

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    @property
    def home(self) -> int:
        """The council new rows belong to."""
        return FIRST_COUNCIL if self.council_id is None else self.council_id

    def within(self, column: Any) -> ColumnElement[bool]:
        """The tenant filter for a query on a table with ``council_id``: one more condition
        in the same statement, never a query more."""
        return true() if self.council_id is None else column == self.council_id

    def sees(self, council_id: int) -> bool:
        """Whether a row already loaded (``session.get`` may answer from the identity map,
        with no query to filter) belongs to this work's council."""
        return self.council_id is None or council_id == self.council_id
