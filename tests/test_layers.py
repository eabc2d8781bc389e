"""The layers keep to their jobs: the domain imports neither FastAPI nor APScheduler, and the
scheduler does not reach into the HTTP layer. Read from the source, so a lazy import inside a
function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "workflow": {"fastapi", "starlette", "apscheduler", "api", "scheduler", "uvicorn"},
    "scheduler": {"fastapi", "starlette", "api"},
}
# ``api/`` starts the scheduler and hands its pass to the admin route, in one module only.
API_MAY_IMPORT_SCHEDULER = {"api/app.py"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_nothing_it_must_not(layer: str) -> None:
    files = sorted((ROOT / layer).rglob("*.py"))
    assert files, f"no source found for {layer}"
    offences = {
        str(f.relative_to(ROOT)): sorted(imported_modules(f) & FORBIDDEN[layer]) for f in files
    }
    assert {f: m for f, m in offences.items() if m} == {}


def test_the_checker_sees_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from fastapi import FastAPI\n    return FastAPI\n")
    assert "fastapi" in imported_modules(bad)


def test_api_imports_the_scheduler_only_to_start_it() -> None:
    offences = sorted(
        str(f.relative_to(ROOT))
        for f in (ROOT / "api").rglob("*.py")
        if "scheduler" in imported_modules(f)
        and str(f.relative_to(ROOT)) not in API_MAY_IMPORT_SCHEDULER
    )
    assert offences == []
