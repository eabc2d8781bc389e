"""What every domain call needs: the session of the current unit of work, the clock and the
settings. Passed in, never global, so tests can move time and swap the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from workflow.clock import Clock
from workflow.settings import Settings


@dataclass
class Ctx:
    session: Session
    clock: Clock
    settings: Settings

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()
