"""One settings object for the whole service, read from ``COUNCILFLOW_*`` variables.

Every number in the rules of time is here, because constitutions differ between councils.
"""

from __future__ import annotations

import ipaddress
import math
from collections import Counter
from datetime import datetime
from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from workflow.timerules.closures import Closures, parse_closures
from workflow.timerules.days import DayRule

DEFAULT_OFFSETS = [28, 14, 7, 1]

Channel = Literal["email", "webhook", "log", "notify"]
SHIPPED_SESSION_SECRET = "change-me-session-secret"
SHIPPED_WEBHOOK_SECRET = "change-me"
SHIPPED_AUDIT_KEY = "change-me-audit-key"

# Each notice rule of SPEC §4 and the setting holding how many days it counts; whether they are
# calendar or working days is ``<rule>_in_working_days`` (``Settings.day_rule``).
DAY_RULES: dict[str, str] = {
    "forward_plan": "forward_plan_clear_days",
    "private_notice": "private_notice_clear_days",
    "private_further_notice": "private_further_notice_clear_days",
    "general_exception": "general_exception_clear_days",
    "agenda": "agenda_clear_working_days",
    "call_in": "call_in_working_days",
    "urgency_reasons_notice": "urgency_reasons_notice_working_days",
    "decision_record": "decision_record_working_days",
    "council_referral": "council_referral_working_days",
}

# An admin token shorter than this, or with less estimated entropy, is refused at start-up.
MIN_ADMIN_TOKEN_CHARS = 32
MIN_ADMIN_TOKEN_BITS = 80
MIN_ADMIN_TOKEN_DISTINCT = 8


def token_weakness(token: str) -> str | None:
    """Why a bearer token is too weak to guard the admin role, or None.

    Weak means shorter than 32 characters, fewer than 8 different characters, or under 80
    bits by the token's own character frequencies (Shannon entropy per character times
    length): that refuses ``aaaa…`` and ``passwordpassword…`` while 32 characters from
    ``secrets.token_urlsafe`` or ``openssl rand -hex 16`` pass (a random hex string of 32
    practically never has fewer than 8 different digits)."""
    if len(token) < MIN_ADMIN_TOKEN_CHARS:
        return f"it is {len(token)} characters long; use at least {MIN_ADMIN_TOKEN_CHARS}"
    counts = Counter(token)
    if len(counts) < MIN_ADMIN_TOKEN_DISTINCT:
        return f"it uses only {len(counts)} different characters; use a random token"
    per_char = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    if per_char * len(token) < MIN_ADMIN_TOKEN_BITS:
        return "it repeats too few characters to be hard to guess; use a random token"
    return None


def is_loopback(host: str) -> bool:
    """Only this machine can reach a service listening here."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


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
    # The constitution's call-in rules: how many members of the overview and scrutiny
    # committee must ask before a decision is called in (issue 12, fault 7). One keeps
    # SPEC §3's "scrutiny" firing call_in; many constitutions ask for three.
    call_in_members_needed: int = Field(default=1, ge=1)
    extension_notice_months: int = 3
    # SI 2012/2089 reg 5(4): the further private-meeting notice, clear (calendar) days before.
    private_further_notice_clear_days: int = 5
    # reg 10(1)(c): count the general exception's clear days as the agenda's are counted,
    # in working days (R v Swansea CC ex p Elitestone); False counts calendar days.
    general_exception_in_working_days: bool = True
    # regs 5(7), 10(3), 11(2): a reasons notice "as soon as reasonably practicable", taken
    # as this many working days after the agreement (or the general exception notice).
    urgency_reasons_notice_working_days: int = 1
    # regs 12 and 13: a decision record is published this many working days after the
    # decision; call-in counts from that publication.
    decision_record_working_days: int = 2
    # Issue 9 part 4: the council the published documents name, and the prefix of the Open
    # Contracting IDs (ocid) of its contracting processes — each publisher registers its own
    # ``ocds-`` prefix with the Open Contracting Partnership; this placeholder marks drafts.
    council_name: str = "The Council"
    ocds_prefix: str = "ocds-cflw00"
    # Policy, not law: whether a delegate's sign-off whose value reaches the key-decision
    # threshold is itself a key decision (its own 28-day notice and call-in). Sefton and
    # Oldham treat Cabinet's resolution as the key decision and the sign-off as carrying it
    # out, so the default is False (README, "What is policy").
    sign_off_above_threshold_is_key_decision: bool = False
    # Procurement Act 2023 s.76: the voluntary standstill after a contract change notice, in
    # working days beginning with the day of publication, and whether a sign-off inside it is
    # refused (True: the council keeps the standstill its notice announced) or allowed.
    # ``standstill_bank_holidays``: whose bank holidays are not working days (SPEC §4 says
    # England's; ["ENG", "SCT", "NIR"] counts every part of the UK — see README).
    standstill_working_days: int = Field(default=8, ge=8)
    standstill_guard: bool = True
    standstill_bank_holidays: list[str] = Field(default_factory=lambda: ["ENG"])
    # Where the constitution says so, such a sign-off (a key decision of the delegate's own) is
    # subject to call-in for ``call_in_working_days`` from the sign-off before it is
    # implemented (LGA 2000 s.9F(2) covers decisions "made by" the executive, officers
    # included; issue 12, fault 7). Off: the sign-off takes effect at once.
    officer_key_decisions_call_in: bool = False
    # A called-in decision scrutiny refers to full Council (LGA 2000 s.9F(4)(b)) is decided
    # at a Council meeting within this many working days of the referral (the constitution's
    # figure; many say 10).
    council_referral_working_days: int = Field(default=10, ge=1)
    # How each rule counts its days (issue 12, fault 8): True counts working days (weekends,
    # bank holidays and ``closure_days`` left out), False calendar days. The defaults are
    # SPEC §4's; a constitution that counts, say, its call-in in calendar days says so here.
    # (``general_exception_in_working_days`` above is the general exception's.)
    forward_plan_in_working_days: bool = False
    private_notice_in_working_days: bool = False
    private_further_notice_in_working_days: bool = False
    agenda_in_working_days: bool = True
    call_in_in_working_days: bool = True
    urgency_reasons_notice_in_working_days: bool = True
    decision_record_in_working_days: bool = True
    council_referral_in_working_days: bool = True
    # The council's closure days beyond bank holidays (issue 12, fault 8), never working days:
    # ``YYYY-MM-DD`` or ``YYYY-MM-DD..YYYY-MM-DD`` for one year, ``MM-DD`` or ``MM-DD..MM-DD``
    # for every year (e.g. ``["12-27..12-31"]``).
    closure_days: list[str] = Field(default_factory=list)

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

    # GOV.UK Notify (issue 9, part 5): an API key (``{name}-{service id}-{secret}``), the API's
    # address, and the id of the email template for each reminder purpose. The templates'
    # placeholders are listed in ``scheduler/channels/notify.py`` (``personalisation``).
    notify_api_key: str | None = None
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_reminder_template_id: str | None = None
    notify_escalation_template_id: str | None = None
    notify_timeout_seconds: float = 10.0

    # Retention (issue 9, part 6): the years a closed case's decision records and the
    # background papers behind them are kept, counted from the decision. The law sets at least
    # six and four (SI 2014/2095 reg 8; SI 2012/2089 regs 14 and 15); a council's own schedule
    # may keep them longer, never shorter.
    decision_record_retention_years: int = Field(default=6, ge=6)
    background_papers_retention_years: int = Field(default=4, ge=4)

    # Load (issue 14, item 1): requests in flight at once (each holds at most one worker
    # thread and one connection), and a connection pool with room for all of them plus the
    # in-process scheduler's deliveries and its own pass.
    worker_threads: int = Field(default=40, ge=1)
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=30, ge=0)
    db_pool_timeout_seconds: float = Field(default=3.0, gt=0)
    # SQLite takes one writer at a time: more requests writing at once only queue in its
    # busy handler, each holding a worker thread and a connection while it waits.
    sqlite_concurrent_writes: int = Field(default=1, ge=1)

    # Idempotency records are kept this long, then purged by the scheduler pass: a client
    # retries a lost answer within minutes, not days (issue 14, item 9).
    idempotency_retention_hours: int = Field(default=72, ge=1)

    # The public /decisions page (issue 9 part 4): decisions a page. Enough to scan, few
    # enough that a page stays light; the page reads only its own rows down the indexes of
    # migration 0018, so the cost of a page grows with this and with its number, never with
    # the length of the council's history.
    decisions_page_size: int = Field(default=50, ge=10, le=200)

    # HTTP.
    static_dir: str | None = None  # built GOV.UK assets; defaults to api/static in a checkout
    max_body_bytes: int = 1_048_576
    session_secret: str = SHIPPED_SESSION_SECRET
    # The session cookie's ``Secure`` flag. Unset: Secure unless the request came over plain
    # HTTP to a loopback address (``make run``); set it to force either way.
    secure_cookies: bool | None = None
    # The pages' pasted-token sign-in. Unset: on with no identity provider configured, off
    # once one is (``workflow.people.identity.token_sign_in_on``); set it to force either way.
    token_sign_in: bool | None = None
    # The longest a personal access token may live, in days (issue 10, part 4).
    token_max_days: int = Field(default=366, ge=1)
    # Strict-Transport-Security on answers over HTTPS (or every answer when ``base_url`` is
    # https); 0 sends none.
    hsts_max_age_seconds: int = 31_536_000
    # The proxies whose X-Forwarded-For and X-Forwarded-Proto ``councilflow serve`` believes
    # (uvicorn's ``forwarded_allow_ips``): the client address the rate limits count, and
    # whether a request came over HTTPS, are theirs to say and nobody else's.
    trusted_proxies: str = "127.0.0.1"
    api_docs: bool = True  # Swagger UI at /api/v1/docs, from assets served here

    # Failed sign-ins, bad bearer tokens and calendar keys (``limits`` notation). Past the
    # limit an attempt is answered 429 with Retry-After and not checked at all.
    auth_failures_per_address: str = "30 per 5 minutes"
    auth_failures_per_account: str = "10 per 5 minutes"
    rate_limit_storage: str = "memory://"  # one process; e.g. redis://… to share between them

    # Metrics: on the public port only with this bearer token (unset: /metrics is 404 there),
    # and/or on a listener of their own at metrics_host:metrics_port.
    metrics_token: str | None = None
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = None
    metrics_database_timeout_seconds: float = 2.0  # then the database figures are left out

    # The audit trail's HMAC-SHA256 key (issue 8): held outside the database, so someone who
    # can write the tables cannot recompute the chains after editing a row.
    audit_key: str = SHIPPED_AUDIT_KEY

    @field_validator("closure_days")
    @classmethod
    def _closures_parse(cls, value: list[str]) -> list[str]:
        parse_closures(value)  # a ValueError names the entry that is wrong
        return value

    @property
    def closures(self) -> Closures:
        """The council's closure days, which no working-day count includes."""
        return _closures(tuple(self.closure_days))

    def day_rule(self, rule: str) -> DayRule:
        """How ``rule`` (a key of ``DAY_RULES``) counts its days: how many, calendar or
        working, and the council's closures."""
        return DayRule(
            days=getattr(self, DAY_RULES[rule]),
            working=getattr(self, f"{rule}_in_working_days"),
            closed=self.closures,
        )

    @model_validator(mode="after")
    def _pool_fits_threads(self) -> Settings:
        """Every worker thread and the scheduler must be able to hold a connection at once,
        or requests queue for the pool and time out however idle the database is."""
        needed = self.worker_threads + self.dispatch_concurrency + 2
        if self.db_pool_size + self.db_max_overflow < needed:
            raise ValueError(
                f"COUNCILFLOW_DB_POOL_SIZE + COUNCILFLOW_DB_MAX_OVERFLOW "
                f"({self.db_pool_size} + {self.db_max_overflow}) must be at least "
                f"COUNCILFLOW_WORKER_THREADS + COUNCILFLOW_DISPATCH_CONCURRENCY + 2 ({needed})"
            )
        return self

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

    def refusals(self, host: str | None = None) -> list[str]:
        """Reasons not to start serving at all (issue 14, item 4): a weak admin token, and
        shipped secrets on an address other machines can reach (``host``; None when the
        listening address is not known, which checks only the token)."""
        found = []
        if self.admin_token is not None:
            weakness = token_weakness(self.admin_token)
            if weakness:
                found.append(f"COUNCILFLOW_ADMIN_TOKEN is weak: {weakness}")
        if host is not None and not is_loopback(host):
            found += [
                f"{name} is still the shipped default, and {host} is reachable from other "
                "machines: anyone could forge sessions or signatures with it"
                for name in self.insecure_defaults()
                # A shipped audit key is warned about, not refused (issue 8): the trail still
                # verifies, and an operator may rotate the key with a migration of its own.
                if name != "COUNCILFLOW_AUDIT_KEY"
            ]
        return found

    def notify_template_for(self, purpose: str) -> str | None:
        """The Notify template a reminder of this purpose (reminder, escalation) is sent with."""
        return {
            "reminder": self.notify_reminder_template_id,
            "escalation": self.notify_escalation_template_id,
        }.get(purpose)

    def offsets_for(self, deadline_kind: str) -> list[int]:
        """Offsets for one deadline kind, falling back to the general list."""
        return self.reminder_offsets_by_kind.get(deadline_kind, self.reminder_offsets_days)


@lru_cache(maxsize=32)
def _closures(entries: tuple[str, ...]) -> Closures:
    return parse_closures(entries)


@lru_cache
def get_settings() -> Settings:
    return Settings()
