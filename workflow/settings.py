"""One settings object for the whole service, read from ``COUNCILFLOW_*`` variables.

Every number in the rules of time is here, because constitutions differ between councils.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_OFFSETS = [28, 14, 7, 1]

Channel = Literal["email", "webhook", "log"]
SHIPPED_SESSION_SECRET = "change-me-session-secret"
SHIPPED_WEBHOOK_SECRET = "change-me"
SHIPPED_AUDIT_KEY = "change-me-audit-key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COUNCILFLOW_", extra="ignore")

    database_url: str = "sqlite:///./councilflow.db"
    admin_token: str | None = None
    base_url: str = "http://127.0.0.1:8000"

    # Time for tests and demos (SPEC §7).
    now: datetime | None = None
    clock_travel: bool = False

    # Rules of time (SPEC §4).
    key_decision_threshold_pence: int = 50_000_000
    forward_plan_clear_days: int = 28
    private_notice_clear_days: int = 28
    general_exception_clear_days: int = 5
    agenda_clear_working_days: int = 5
    call_in_working_days: int = 5
    extension_notice_months: int = 3

    # Reminders (SPEC §5): offsets in days before a deadline, per deadline kind.
    reminder_offsets_days: list[int] = Field(default_factory=lambda: list(DEFAULT_OFFSETS))
    reminder_offsets_by_kind: dict[str, list[int]] = Field(default_factory=dict)
    reminder_hour: int = 9
    reminder_channels: list[Channel] = Field(default_factory=lambda: list[Channel](["log"]))

    # Delivery.
    dispatch_interval_seconds: float = 5.0
    dispatch_batch_size: int = 100
    dispatch_concurrency: int = 8  # deliveries one dispatcher has in flight at once
    claim_lease_seconds: int = 300
    max_attempts: int = 6
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    run_scheduler_in_serve: bool = True

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "councilflow@localhost"
    smtp_timeout_seconds: float = 10.0

    webhook_url: str | None = None
    webhook_secret: str = SHIPPED_WEBHOOK_SECRET
    webhook_timeout_seconds: float = 10.0

    # HTTP.
    static_dir: str | None = None  # built GOV.UK assets; defaults to api/static in a checkout
    max_body_bytes: int = 1_048_576
    session_secret: str = SHIPPED_SESSION_SECRET
    secure_cookies: bool = False

    # The audit trail's HMAC-SHA256 key (issue 8): held outside the database, so someone who
    # can write the tables cannot recompute the chains after editing a row.
    audit_key: str = SHIPPED_AUDIT_KEY

    def insecure_defaults(self) -> list[str]:
        """Secrets still at their shipped defaults: anyone who read this file could forge a
        session cookie, a calendar key or a webhook signature with them."""
        found = []
        if self.session_secret == SHIPPED_SESSION_SECRET:
            found.append("COUNCILFLOW_SESSION_SECRET")
        if "webhook" in self.reminder_channels and self.webhook_secret == SHIPPED_WEBHOOK_SECRET:
            found.append("COUNCILFLOW_WEBHOOK_SECRET")
        if self.audit_key == SHIPPED_AUDIT_KEY:
            found.append("COUNCILFLOW_AUDIT_KEY")
        return found

    def offsets_for(self, deadline_kind: str) -> list[int]:
        """Offsets for one deadline kind, falling back to the general list."""
        return self.reminder_offsets_by_kind.get(deadline_kind, self.reminder_offsets_days)


@lru_cache
def get_settings() -> Settings:
    return Settings()
