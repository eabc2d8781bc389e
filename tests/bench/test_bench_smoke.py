"""Each benchmark runs end to end at a tiny size: a real ``councilflow serve``, pgbench, the
seed, the load, the profile and the results section. Nothing here measures speed (that is
the benchmarks' own job, never a test's); it proves ``make bench`` still works after a change.

PostgreSQL only (the seed is ``generate_series``, the comparison is pgbench): without
COUNCILFLOW_TEST_DATABASE_URL they are skipped — CI always sets it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import reads, transitions

PG_URL = os.environ.get("COUNCILFLOW_TEST_DATABASE_URL")

pytestmark = pytest.mark.xdist_group("bench-smoke")


@pytest.fixture
def base_url() -> str:
    if not PG_URL:
        pytest.skip("needs PostgreSQL: set COUNCILFLOW_TEST_DATABASE_URL (CI always does)")
    return PG_URL


def _scratch(name: str) -> str:
    return f"councilflow_smoke_{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def test_transitions_runs_beside_pgbench_and_profiles(base_url: str, tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text(
        "# Results\n\n<!-- bench:transitions -->\nold figures\n<!-- /bench:transitions -->\n"
    )
    out = transitions.main(
        [
            "--database-url", base_url, "--database", _scratch("transitions"),
            "--seconds", "1", "--clients", "1,2", "--workers", "1",
            "--cases", "200", "--agreements", "400", "--pgbench-scale", "1",
            "--profile", str(tmp_path / "profile"), "--profile-requests", "3",
            "--results", str(results),
        ]
    )  # fmt: skip
    assert [p["clients"] for p in out["points"]] == [1, 2]
    for point in out["points"]:
        assert point["ok"] > 0 and point["pgbench_tps"] > 0, point
        assert set(point["statuses"]) <= {"200", "409"}, point
    assert out["before_cabinet"] == 20
    written = results.read_text()
    assert "old figures" not in written and written.count("<!-- bench:transitions -->") == 1
    assert "| 2 |" in written and "pgbench tpcb-like TPS" in written
    profile = (tmp_path / "profile.txt").read_text()
    assert "bench/transitions.py" in profile and "workflow/" in profile  # through to the domain
    assert (tmp_path / "profile.html").stat().st_size > 0


def test_reads_runs_every_route(base_url: str, tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    out = reads.main(
        [
            "--database-url", base_url, "--database", _scratch("reads"),
            "--cases", "200", "--agreements", "400", "--workers", "1",
            "--seconds", "0.5", "--requests", "3", "--results", str(results),
        ]
    )  # fmt: skip
    seen = {(r["route"], r["viewer"]) for r in out["routes"]}
    assert len(seen) == 9
    for row in out["routes"]:
        assert row["requests"] >= 1 and row["statuses"] == {"200": row["requests"]}, row
        assert row["bytes"] > 0
    assert "## Reads at 200 cases and 400 agreements" in results.read_text()
