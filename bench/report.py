"""The machine a run was on, markdown tables, and a run's section of ``bench/RESULTS.md``.

Each benchmark owns one section between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``
and replaces it when it runs again, so the file always holds the latest figures of each.
"""

from __future__ import annotations

import os
import platform
import re
import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

RESULTS = Path(__file__).parent / "RESULTS.md"
SHARED = (
    "The machine is shared: seven other engineers were building and testing on the same two "
    "CPUs while this ran, so read the figures as this run's, not the service's limits; the "
    "load generator, the server's workers and PostgreSQL all run on the same cores."
)


def machine(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        postgres = str(conn.execute(text("SHOW server_version")).scalar_one())
    memory_kib = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        memory_kib = int(found.group(1)) if found else 0
    return {
        "date": datetime.now(UTC).strftime("%d %b %Y %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gib": round(memory_kib / 1024 / 1024, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "postgresql": postgres,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def machine_line(m: dict[str, Any], load_at_end: Sequence[float]) -> str:
    return (
        f"Machine: {m['nproc']} CPUs, {m['memory_gib']} GiB memory, {m['platform']}, "
        f"Python {m['python']}, PostgreSQL {m['postgresql']} on the same host. Load average "
        f"{m['load_average'][0]} at the start, {load_at_end[0]} at the end. Run {m['date']}."
    )


def table(header: Sequence[str], rows: Sequence[Sequence[Any]], right: Sequence[int]) -> str:
    """A markdown table; columns whose index is in ``right`` are right-aligned."""
    lines = ["| " + " | ".join(header) + " |"]
    lines.append(
        "| " + " | ".join("---:" if i in right else "---" for i in range(len(header))) + " |"
    )
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def refill(markdown: str, width: int = 100) -> str:
    """Prose paragraphs re-wrapped to ``width``; code blocks, tables and headings as they are."""
    blocks = []
    for block in markdown.strip("\n").split("\n\n"):
        if block.startswith(("    ", "|", "#")):
            blocks.append(block)
        else:
            blocks.append(textwrap.fill(" ".join(block.split()), width, break_on_hyphens=False))
    return "\n\n".join(blocks) + "\n"


def goals(rows: Sequence[tuple[str, str, bool | None]]) -> str:
    """Issue 8's goals beside this run's figures: (goal, this run, met)."""
    marks = {True: "met", False: "**not met**", None: "n/a"}
    return table(("goal (issue 8)", "this run", ""), [(g, f, marks[m]) for g, f, m in rows], ())


def other_answers(statuses: dict[str, int]) -> str:
    """The answers that were not 200, as ``409: 3, 0: 1`` (0: no HTTP answer at all)."""
    return ", ".join(f"{s}: {n}" for s, n in statuses.items() if s != "200") or "none"


def record(name: str, body: str, results: Path = RESULTS) -> None:
    """Put ``body`` in ``name``'s section of the results file, replacing the previous one."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    section = f"{start}\n{refill(body).rstrip()}\n{end}\n"
    current = results.read_text() if results.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: section, current)
    else:
        updated = current.rstrip() + "\n\n" + section if current else section
    results.write_text(updated)
