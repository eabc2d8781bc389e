"""Scheduler test fixtures.

``postgres_only`` tests that take the parametrised ``engine`` run only on its PostgreSQL
instance: their SQLite instance is deselected (not skipped), since what they prove —
``SKIP LOCKED``, several processes — does not exist on SQLite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_sqlite = callspec is not None and callspec.params.get("engine") == "sqlite"
        if (
            HERE in Path(str(item.path)).parents
            and item.get_closest_marker("postgres_only")
            and on_sqlite
        ):
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
