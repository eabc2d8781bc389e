"""``python -m bench [reminders|transitions|reads|sqlite] [options]``: one benchmark with its
options (``--help`` after its name), or all of them with their defaults. Each prints JSON lines
as it goes and its report at the end; transitions, reads and sqlite also write their section of
``bench/RESULTS.md``. ``sqlite`` is the SQLite deployment under concurrent readers and writers."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

from bench import reads, reminders, sqlite_concurrency, transitions

BENCHMARKS: dict[str, Callable[[list[str] | None], dict[str, Any]]] = {
    "reminders": reminders.main,
    "transitions": transitions.main,
    "reads": reads.main,
    "sqlite": sqlite_concurrency.main,
}


def run(argv: list[str]) -> None:
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        return
    if argv and argv[0] in BENCHMARKS:
        print(json.dumps(BENCHMARKS[argv[0]](argv[1:]), indent=2))
        return
    if argv:
        sys.exit(f"unknown benchmark {argv[0]!r}: choose from {', '.join(BENCHMARKS)}")
    for name, main in BENCHMARKS.items():
        print(f"== {name}", flush=True)
        print(json.dumps(main([]), indent=2), flush=True)


run(sys.argv[1:])
