"""``python -m bench [reminders|sqlite] [options]``: run the benchmarks and print each report
as JSON. Without a name both run: reminder delivery on PostgreSQL, then the SQLite
deployment under concurrent readers and writers. ``python -m bench NAME --help`` for options.
"""

from __future__ import annotations

import json
import sys

from bench import reminders, sqlite_concurrency

BENCHES = {"reminders": reminders.main, "sqlite": sqlite_concurrency.main}

args = sys.argv[1:]
if args and args[0] in BENCHES:
    print(json.dumps(BENCHES[args[0]](args[1:]), indent=2))
else:
    for bench in BENCHES.values():
        print(json.dumps(bench(args), indent=2), flush=True)
