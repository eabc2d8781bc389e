"""Reads at scale: list pages, one case, the dashboard and the calendar feed, p50 and p99.

A scratch PostgreSQL database is seeded by ``bench.population`` (by default 100,000 cases
over 1,000,000 agreements) and served by a real ``councilflow serve --workers N
--no-scheduler``. Each route is read by one client, one request after another, for a fixed
time or number of requests, after one request to warm up: the figures are what one person
waits, not what the server does under load.

The API routes are read by a clerk (democratic services, who sees every case, as an officer
of the council's list would). The dashboard and the calendar are read twice: by an officer
(the author of one case in two hundred, a few hundred at full size) and by the clerk, whose
calendar and dashboard follow every case in the council.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench import load, population, profiling, report, seed, served
from workflow.settings import Settings

DB = "councilflow_bench_reads"
COOKIE = "councilflow_session"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Route:
    name: str
    viewer: str
    request: Callable[[], load.Request]  # a fresh request each run (pages keep a cursor)
    sizes: list[int]


def _get(path_of: Callable[[random.Random], str], sizes: list[int]) -> load.Request:
    async def request(client: httpx.AsyncClient, rng: random.Random) -> int:
        answer = await client.get(path_of(rng))
        sizes.append(len(answer.content))
        return answer.status_code

    return request


def _pages(path: str, sizes: list[int]) -> load.Request:
    """Page after page by ``next_cursor``, from the first page after the first; back to the
    second page at the end of the list."""
    cursor: list[str | None] = [None]

    async def request(client: httpx.AsyncClient, rng: random.Random) -> int:
        if cursor[0] is None:
            first = await client.get(path)
            cursor[0] = first.json()["next_cursor"]
        answer = await client.get(path, params={"cursor": cursor[0]})
        sizes.append(len(answer.content))
        if answer.status_code == 200:
            cursor[0] = answer.json()["next_cursor"]
        return answer.status_code

    return request


def routes(cases: int) -> list[Route]:
    out = []

    def add(name: str, viewer: str, make: Callable[[list[int]], load.Request]) -> None:
        sizes: list[int] = []
        out.append(Route(name, viewer, lambda: make(sizes), sizes))

    add("GET /api/v1/cases?limit=50", "clerk", lambda s: _get(lambda r: CASES, s))
    add("GET /api/v1/cases?limit=50&cursor=…", "clerk", lambda s: _pages(CASES, s))
    add("GET /api/v1/agreements?limit=50", "clerk", lambda s: _get(lambda r: AGREEMENTS, s))
    add("GET /api/v1/agreements?limit=50&cursor=…", "clerk", lambda s: _pages(AGREEMENTS, s))
    add(
        "GET /api/v1/cases/{id}",
        "clerk",
        lambda s: _get(lambda r: f"/api/v1/cases/{r.randint(1, cases)}", s),
    )
    for viewer in ("officer", "clerk"):
        add("GET / (dashboard)", viewer, lambda s: _get(lambda r: "/", s))
        add("GET /api/v1/calendar.ics", viewer, lambda s: _get(lambda r: CALENDAR, s))
    return out


CASES = "/api/v1/cases?limit=50"
AGREEMENTS = "/api/v1/agreements?limit=50"
CALENDAR = "/api/v1/calendar.ics"


async def session_cookie(make: load.MakeClient, token: str) -> str:
    """Sign in through the form, as a person would, and keep the session cookie."""
    async with make() as client:
        form = await client.get("/sign-in")
        found = CSRF.search(form.text)
        csrf = found.group(1) if found else ""
        await client.post("/sign-in", data={"csrf_token": csrf, "token": token, "next": "/"})
        cookie = client.cookies.get(COOKIE)
    if not cookie:
        raise RuntimeError("signing in gave no session cookie")
    return cookie


def client_for(make: load.MakeClient, token: str, cookie: str, route: Route) -> load.MakeClient:
    def made() -> httpx.AsyncClient:
        client = make()
        if route.name.startswith("GET / "):
            client.cookies.set(COOKIE, cookie)
        else:
            client.headers["Authorization"] = f"Bearer {token}"
        return client

    return made


async def measure(
    make: load.MakeClient,
    people: population.People,
    all_routes: list[Route],
    seconds: float,
    requests: int,
) -> list[dict[str, Any]]:
    cookies = {v: await session_cookie(make, people.tokens[v]) for v in ("officer", "clerk")}
    rows = []
    for route in all_routes:
        made = client_for(make, people.tokens[route.viewer], cookies[route.viewer], route)
        request = route.request()
        await load.drive(made, request, 1, seconds, 1)  # warm up (and a first page read)
        route.sizes.clear()
        seen = await load.drive(made, request, 1, seconds, requests)
        row = {"route": route.name, "viewer": route.viewer, **seen.summary()}
        row["bytes"] = max(route.sizes, default=0)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench reads", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "COUNCILFLOW_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server to create the scratch database on",
    )
    parser.add_argument("--database", default=DB, help="scratch database name")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--agreements", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--seconds", type=float, default=10.0, help="at most, per route")
    parser.add_argument("--requests", type=int, default=200, help="at most, per route")
    parser.add_argument(
        "--profile", type=Path, help="write pyinstrument profiles per route here (.html, .txt)"
    )
    parser.add_argument("--profile-requests", type=int, default=20, help="per route, at most")
    parser.add_argument("--results", type=Path, default=report.RESULTS)
    parser.add_argument("--no-record", action="store_true", help="leave RESULTS.md alone")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = _parser().parse_args(argv)
    logs = Path(tempfile.mkdtemp(prefix="councilflow-bench-reads-"))
    engine, url = seed.scratch_database(args.database_url, args.database)
    out: dict[str, Any] = {"logs": str(logs)}
    try:
        threshold = Settings().key_decision_threshold_pence
        started = time.monotonic()
        people = population.fill(engine, args.cases, args.agreements, threshold)
        out["seed_seconds"] = round(time.monotonic() - started, 1)
        out["machine"] = report.machine(engine)
        with served.serving(url, population.NOW, args.workers, logs / "serve.log") as base:

            def make() -> httpx.AsyncClient:
                return httpx.AsyncClient(base_url=base, timeout=600)

            out["routes"] = asyncio.run(
                measure(make, people, routes(args.cases), args.seconds, args.requests)
            )
        if args.profile:
            out["profile"] = _profile(args, url, people)
        out["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        engine.dispose()
        seed.drop_database(args.database_url, args.database)
    print(render_table(out["routes"]))
    if not args.no_record:
        report.record("reads", _section(args, out), args.results)
    return out


def _slug(route: Route) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{route.name}-{route.viewer}".lower()).strip("-")


def _profile(args: argparse.Namespace, url: str, people: population.People) -> list[str]:
    settings = Settings(
        database_url=url,
        now=population.NOW,
        reminder_channels=["log"],
        session_secret=served.SESSION_SECRET,
    )
    written: list[str] = []
    for route in routes(args.cases):

        async def sign_in(make: load.MakeClient, route: Route = route) -> str:
            return await session_cookie(make, people.tokens[route.viewer])

        async def body(make: load.MakeClient, cookie: str, route: Route = route) -> None:
            made = client_for(make, people.tokens[route.viewer], cookie, route)
            await load.drive(made, route.request(), 1, 30, args.profile_requests)

        target = args.profile.parent / f"{args.profile.name}-{_slug(route)}"
        paths = asyncio.run(profiling.profile(settings, body, target, prepare=sign_in))
        written += [str(p) for p in paths]
    return written


def render_table(rows: list[dict[str, Any]]) -> str:
    return report.table(
        ("route", "viewer", "requests", "p50 ms", "p99 ms", "answers other than 200", "bytes"),
        [
            (
                r["route"],
                r["viewer"],
                r["requests"],
                r["p50_ms"],
                r["p99_ms"],
                report.other_answers(r["statuses"]),
                r["bytes"],
            )
            for r in rows
        ],
        right=(2, 3, 4, 6),
    )


# Issue 8's goals for reads at 100,000 cases, as p50 in milliseconds.
GOALS_MS = {
    ("GET /api/v1/cases?limit=50", "clerk"): 15.0,
    ("GET / (dashboard)", "officer"): 30.0,
    ("GET / (dashboard)", "clerk"): 30.0,
}


def goal_rows(rows: list[dict[str, Any]], cases: int) -> list[tuple[str, str, bool | None]]:
    out: list[tuple[str, str, bool | None]] = []
    for r in rows:
        goal = GOALS_MS.get((r["route"], r["viewer"]))
        if goal is None:
            continue
        p50 = r["p50_ms"]
        out.append(
            (
                f"`{r['route']}` ({r['viewer']}) at 100,000 cases, p50 ≤ {goal:g} ms",
                f"{p50} ms at {cases:,} cases",
                p50 is not None and p50 <= goal,
            )
        )
    return out


def _section(args: argparse.Namespace, out: dict[str, Any]) -> str:
    profile = (
        f"\n\nProfiles ({args.profile_requests} requests per route at most, in-process, "
        f"`bench/profiling.py`): `{args.profile}-*.html` and `.txt`."
        if out.get("profile")
        else ""
    )
    return f"""## Reads at {args.cases:,} cases and {args.agreements:,} agreements

    python -m bench reads --cases {args.cases} --agreements {args.agreements} \\
        --workers {args.workers} --seconds {args.seconds:g} --requests {args.requests}

{render_table(out["routes"])}

{report.goals(goal_rows(out["routes"], args.cases))}

Method: a scratch PostgreSQL database seeded with SQL by `bench/population.py` in
{out["seed_seconds"]:g} s (cases in the states of a register that has run for years, each with its
report, options, one or two agreements, resolutions, delegations, sign-offs, open deadlines
and pending reminders), served by a real `councilflow serve --workers {args.workers}
--no-scheduler`. One client reads each route one request after another, for at most
{args.seconds:g} s or {args.requests} requests, after one request to warm up; "next pages"
follow `next_cursor` from the second page on; one case is a random id. The API is read with the
clerk's bearer token; the dashboard with a session cookie from signing in through the form.
The officer is the author of one case in two hundred; the clerk (democratic services) follows
every case, so the clerk's calendar carries every open deadline in the council.

{report.machine_line(out["machine"], out["load_average_at_end"])} {report.SHARED}{profile}
"""
