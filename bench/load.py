"""Clients that send requests back to back for a fixed time, and what they saw.

One asyncio loop drives every client (an ``httpx.AsyncClient`` each, so each keeps its own
connection, as separate people would), which costs the machine less than a thread per client.
The loop's own CPU time is reported beside the figures: on a small machine the load
generator competes with the server for the same cores.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

Request = Callable[[httpx.AsyncClient, random.Random], Awaitable[int]]
MakeClient = Callable[[], httpx.AsyncClient]


@dataclass
class Outcome:
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, every request
    statuses: Counter[int] = field(default_factory=Counter)  # 0: no HTTP answer
    client_cpu_seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile_ms(self, p: float) -> float | None:
        return percentile_ms(self.latencies, p)

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.latencies),
            "ok": self.ok,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "seconds": round(self.seconds, 2),
            "per_second": round(self.per_second, 1),
            "p50_ms": self.percentile_ms(50),
            "p99_ms": self.percentile_ms(99),
            "client_cpu_share": round(self.client_cpu_seconds / self.seconds, 2)
            if self.seconds
            else None,
        }


def percentile_ms(values: list[float], p: float) -> float | None:
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return round(ordered[int(rank) - 1] * 1000, 1)


async def _client(
    make: MakeClient,
    request: Request,
    seed: int,
    until: float,
    budget: list[int],
    out: Outcome,
) -> None:
    rng = random.Random(seed)
    async with make() as client:
        while time.monotonic() < until and budget[0] != 0:
            budget[0] -= 1
            started = time.perf_counter()
            try:
                status = await request(client, rng)
            except httpx.TransportError:
                status = 0
            out.latencies.append(time.perf_counter() - started)
            out.statuses[status] += 1


async def drive(
    make: MakeClient,
    request: Request,
    clients: int,
    seconds: float,
    max_requests: int = -1,
    seed: int = 8,
) -> Outcome:
    """``clients`` clients, each sending ``request`` back to back, for ``seconds`` or until
    ``max_requests`` have been sent between them (-1: no limit)."""
    out = Outcome(seconds=0.0)
    budget = [max_requests]
    cpu, started = time.process_time(), time.monotonic()
    until = started + seconds
    await asyncio.gather(
        *(_client(make, request, seed * 1000 + i, until, budget, out) for i in range(clients))
    )
    out.seconds = time.monotonic() - started
    out.client_cpu_seconds = time.process_time() - cpu
    return out
