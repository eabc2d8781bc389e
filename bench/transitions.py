"""Transitions over HTTP beside ``pgbench -b tpcb-like``, at 1, 8 and 32 clients.

A clerk (democratic services) fires ``defer`` on random cases before Cabinet:
``POST /api/v1/cases/{id}/events/defer`` with a reason and a new meeting date, a self-loop of
the machine that still checks the guard, bumps the version, writes the audit event and
re-plans the agenda deadline and its reminders. No ``If-Match``: the client asserts nothing,
so every answer but 200 is the service's own doing. The server is a real ``councilflow serve
--workers N --no-scheduler`` on a scratch PostgreSQL database seeded by ``bench.population``.

At each number of clients, pgbench runs first for the same time on the same server (its own
scratch database), then CouncilFlow; the ratio is CouncilFlow's transitions per second over
pgbench's transactions per second.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bench import load, pgbench, population, profiling, report, seed, served
from workflow.settings import Settings

DB = "councilflow_bench_transitions"
REASON = "Cabinet takes the exempt item first; this comes back later on the agenda."


def defer(cases: list[tuple[int, date]]) -> load.Request:
    """Later on the same agenda (Oldham's own deferral): a self-loop whose meeting checks
    (SI 2012/2089, rerun only for a new day) all still hold, so every defer is a 200 and the
    benchmark measures the transition, not a refusal."""

    async def request(client: httpx.AsyncClient, rng: random.Random) -> int:
        case_id, meeting = rng.choice(cases)
        answer = await client.post(
            f"/api/v1/cases/{case_id}/events/defer",
            json={"reason": REASON, "meeting_date": meeting.isoformat()},
        )
        return answer.status_code

    return request


def before_cabinet(engine: Engine) -> list[tuple[int, date]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT id, meeting_date FROM cases WHERE state = 'cabinet_consideration' "
                "ORDER BY id"
            )
        )
        return [(int(i), m) for i, m in rows]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench transitions", description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "COUNCILFLOW_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server to create the scratch databases on",
    )
    parser.add_argument("--database", default=DB, help="scratch database name")
    parser.add_argument("--clients", default="1,8,32", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=20.0, help="per point, per side")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--cases", type=int, default=10_000, help="a tenth are before Cabinet")
    parser.add_argument("--agreements", type=int, default=30_000)
    parser.add_argument("--pgbench-scale", type=int, default=10)
    parser.add_argument(
        "--profile", type=Path, help="write a pyinstrument profile of defers here (.html, .txt)"
    )
    parser.add_argument("--profile-requests", type=int, default=300)
    parser.add_argument("--results", type=Path, default=report.RESULTS)
    parser.add_argument("--no-record", action="store_true", help="leave RESULTS.md alone")
    return parser


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = _parser().parse_args(argv)
    logs = Path(tempfile.mkdtemp(prefix="councilflow-bench-transitions-"))
    engine, url = seed.scratch_database(args.database_url, args.database)
    bench_pg = pgbench.PgBench(args.database_url, f"{args.database}_pgbench", args.pgbench_scale)
    points: list[dict[str, Any]] = []
    out: dict[str, Any] = {"logs": str(logs), "points": points}
    try:
        threshold = Settings().key_decision_threshold_pence
        people = population.fill(engine, args.cases, args.agreements, threshold)
        case_ids = before_cabinet(engine)
        out["machine"] = report.machine(engine)
        bench_pg.initialise()
        headers = {"Authorization": f"Bearer {people.tokens['clerk']}"}
        with served.serving(url, population.NOW, args.workers, logs / "serve.log") as base:

            def make() -> httpx.AsyncClient:
                return httpx.AsyncClient(base_url=base, headers=headers, timeout=120)

            warm = min(3.0, args.seconds / 4)
            asyncio.run(load.drive(make, defer(case_ids), 1, warm))
            for clients in (int(c) for c in args.clients.split(",")):
                tps = bench_pg.run(clients, args.seconds)
                seen = asyncio.run(load.drive(make, defer(case_ids), clients, args.seconds))
                point = {"clients": clients, **seen.summary(), "pgbench_tps": round(tps, 1)}
                point["ratio_percent"] = round(100 * seen.per_second / tps, 1) if tps else None
                points.append(point)
                print(json.dumps(point), flush=True)
        if args.profile:
            out["profile"] = [str(p) for p in _profile(args, url, people, case_ids)]
        out["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    finally:
        engine.dispose()
        seed.drop_database(args.database_url, args.database)
        bench_pg.drop()
    out["cases"], out["before_cabinet"] = args.cases, len(case_ids)
    print(render_table(points))
    if not args.no_record:
        report.record("transitions", _section(args, out), args.results)
    return out


def _profile(
    args: argparse.Namespace, url: str, people: population.People, case_ids: list[tuple[int, date]]
) -> list[Path]:
    settings = Settings(
        database_url=url,
        now=population.NOW,
        reminder_channels=["log"],
        session_secret=served.SESSION_SECRET,
    )
    headers = {"Authorization": f"Bearer {people.tokens['clerk']}"}

    async def body(make: load.MakeClient, _: None) -> None:
        def with_headers() -> httpx.AsyncClient:
            client = make()
            client.headers.update(headers)
            return client

        await load.drive(with_headers, defer(case_ids), 1, 600, args.profile_requests)

    return asyncio.run(profiling.profile(settings, body, args.profile))


def render_table(points: list[dict[str, Any]]) -> str:
    rows = [
        (
            p["clients"],
            p["per_second"],
            p["p50_ms"],
            p["p99_ms"],
            report.other_answers(p["statuses"]),
            p["pgbench_tps"],
            f"{p['ratio_percent']}%",
            p["client_cpu_share"],
        )
        for p in points
    ]
    header = (
        "clients",
        "transitions/s",
        "p50 ms",
        "p99 ms",
        "answers other than 200",
        "pgbench tpcb-like TPS",
        "ratio",
        "load generator CPU",
    )
    return report.table(header, rows, right=(0, 1, 2, 3, 5, 6, 7))


def goal_rows(points: list[dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    at = {p["clients"]: p for p in points}
    eight, many = at.get(8), at.get(32)
    rows: list[tuple[str, str, bool | None]] = []
    if eight is None:
        return [("transitions at 8 clients", "not measured", None)]
    rows.append(
        (
            "at 8 clients, at least 25% of pgbench tpcb-like",
            f"{eight['ratio_percent']}%",
            eight["ratio_percent"] is not None and eight["ratio_percent"] >= 25,
        )
    )
    p99 = eight["p99_ms"]
    rows.append(("at 8 clients, p99 ≤ 50 ms", f"{p99} ms", p99 is not None and p99 <= 50))
    if many is not None:
        rows.append(
            (
                "at 32 clients, no fewer transitions/s than at 8",
                f"{many['per_second']} vs {eight['per_second']}",
                many["per_second"] >= eight["per_second"],
            )
        )
    return rows


def _section(args: argparse.Namespace, out: dict[str, Any]) -> str:
    m = out["machine"]
    profile = (
        f"\n\nProfile of {args.profile_requests} defers, one at a time, in-process "
        f"(`bench/profiling.py`): `{args.profile}.html` and `.txt`."
        if out.get("profile")
        else ""
    )
    return f"""## Transitions over HTTP beside pgbench

    python -m bench transitions --seconds {args.seconds:g} --clients {args.clients} \\
        --workers {args.workers} --cases {args.cases} --agreements {args.agreements}

{render_table(out["points"])}

{report.goals(goal_rows(out["points"]))}

Method: a real `councilflow serve --workers {args.workers} --no-scheduler` on a scratch
PostgreSQL database seeded by `bench/population.py` ({args.cases:,} cases,
{out["before_cabinet"]:,} of them before Cabinet, {args.agreements:,} agreements). Each client is
a clerk (democratic services) firing `defer` on a random case before Cabinet, back to back for
{args.seconds:g} s, later on the same agenda and with no `If-Match`; transitions/s counts the 200s;
p50/p99 are over every answer. At each point `pgbench -b tpcb-like -c N -j min(N, nproc)`
runs first for the same time against its own scratch database on the same server (scale
{args.pgbench_scale}). "Load generator CPU" is the share of one core the clients' asyncio loop
used (it runs on the same machine). Before the series, {min(3.0, args.seconds / 4):g} s of defers
at one client warm the workers up.

{report.machine_line(m, out["load_average_at_end"])} {report.SHARED}{profile}
"""
