"""Limits on failed attempts to prove who one is: web sign-ins, bearer tokens, calendar keys and
the metrics token (issue 13).

Failures are counted per client address, and per account where the credential names one (a
calendar key begins with its user's id; a bearer token names nobody until it is found). Past
either limit, an attempt is answered 429 with ``Retry-After`` *before* its credential is looked
at, so a guesser learns nothing more and costs the database nothing; a right credential from
that address waits too, which is why the limits are settings. Attempts with no credential at
all are not failures: a page or a probe that simply has none is not guessing.

The counting is the ``limits`` library's moving window, in memory by default
(``COUNCILFLOW_RATE_LIMIT_STORAGE`` can name a shared store, e.g. Redis, when several processes
serve). Its windows run on the wall clock, not the service clock: they measure how fast
someone is trying, which a clock moved for a demo must not stretch or freeze.

The client address is what uvicorn saw, or the ``X-Forwarded-For`` of a trusted proxy
(``COUNCILFLOW_TRUSTED_PROXIES``): behind a proxy not listed there, every client would share
the proxy's address and one guesser would lock everybody out.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import TypeVar

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from prometheus_client import Counter
from starlette.requests import Request

from workflow.errors import TooManyAttempts, Unauthenticated
from workflow.settings import Settings

log = logging.getLogger("councilflow.api")
T = TypeVar("T")
NAMESPACE = "councilflow-auth-failures"


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class Throttle:
    def __init__(self, settings: Settings, counter: Counter) -> None:
        self.limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
        self.per_address = parse(settings.auth_failures_per_address)
        self.per_account = parse(settings.auth_failures_per_account)
        self.counter = counter

    def _windows(self, address: str, account: str | None) -> list[tuple[RateLimitItem, str, str]]:
        windows: list[tuple[RateLimitItem, str, str]] = [(self.per_address, "address", address)]
        if account is not None:
            windows.append((self.per_account, "account", account))
        return windows

    def check(self, kind: str, address: str, account: str | None = None) -> None:
        """Refuse (429) if this address or account is past its limit of failures."""
        for limit, scope, key in self._windows(address, account):
            if not self.limiter.test(limit, NAMESPACE, scope, key):
                stats = self.limiter.get_window_stats(limit, NAMESPACE, scope, key)
                retry_after = max(1, math.ceil(stats.reset_time - time.time()))
                self.counter.labels(kind, "throttled").inc()
                log.warning(
                    "%s from %s refused unchecked: too many failures at this %s (%s); "
                    "retry after %ss",
                    kind,
                    address,
                    scope,
                    key,
                    retry_after,
                )
                raise TooManyAttempts(
                    f"too many failed attempts; try again in {retry_after} seconds",
                    retry_after=retry_after,
                )

    def failed(self, kind: str, address: str, account: str | None = None) -> None:
        for limit, scope, key in self._windows(address, account):
            self.limiter.hit(limit, NAMESPACE, scope, key)
        self.counter.labels(kind, "refused").inc()
        log.warning(
            "%s refused from %s%s", kind, address, f" for account {account}" if account else ""
        )

    def guard(
        self, request: Request, kind: str, attempt: Callable[[], T], account: str | None = None
    ) -> T:
        """Run ``attempt`` (which raises ``Unauthenticated`` on a wrong credential) under the
        limits: refused unchecked past them, counted when it fails."""
        address = client_address(request)
        self.check(kind, address, account)
        try:
            return attempt()
        except Unauthenticated:
            self.failed(kind, address, account)
            raise


def throttle_of(request: Request) -> Throttle:
    throttle: Throttle = request.app.state.throttle
    return throttle
