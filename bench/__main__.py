"""``python -m bench``: run the reminder delivery benchmark and print its report as JSON."""

from __future__ import annotations

import json

from bench.reminders import main

print(json.dumps(main(), indent=2))
