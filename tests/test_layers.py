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


def imported_modules(path: Path, depth: int = 1) -> set[str]:
    """The modules a file imports, to ``depth`` dotted parts (``workflow.lifecycle`` at 2);
    ``from workflow import audit`` counts as ``workflow.audit``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {".".join(alias.name.split(".")[:depth]) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            found |= {".".join(n.split(".")[:depth]) for n in [node.module, *names]}
    return found


# Inside the domain, the concepts everything else builds on import none of those built on
# them: the rules of time are pure (no database, no other concept); audit, people and the
# reminders' domain half know nothing of the case lifecycle, deadlines or the register.
CORE = {
    "workflow.lifecycle",
    "workflow.deadlines",
    "workflow.register",
    "workflow.retention",
    "workflow.documents",
    "workflow.demo",
}
CONCEPT_FORBIDDEN = {
    "workflow/timerules": {"sqlalchemy", "sqlmodel", "workflow.models", "workflow.context"}
    | CORE
    | {"workflow.audit", "workflow.people", "workflow.reminders"},
    "workflow/audit": CORE | {"workflow.people", "workflow.reminders"},
    "workflow/people": CORE | {"workflow.reminders"},
    "workflow/reminders": CORE,
    # Retention reads what ended cases left behind from the tables themselves, and removes it
    # through the audit trail; nothing of the live lifecycle, deadlines or register.
    "workflow/retention": CORE - {"workflow.retention"},
    # The published documents read the lifecycle and the register; nothing reads them back.
    "workflow/lifecycle": {"workflow.documents"},
    "workflow/register": {"workflow.documents"},
    "workflow/deadlines": {"workflow.documents"},
    # Procurement law reads agreements and proposals; the lifecycle and register read it.
    "workflow/procurement": CORE | {"workflow.audit", "workflow.people", "workflow.reminders"},
}


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


@pytest.mark.parametrize("concept", sorted(CONCEPT_FORBIDDEN))
def test_a_concept_imports_none_built_on_it(concept: str) -> None:
    files = sorted((ROOT / concept).rglob("*.py"))
    assert files, f"no source found for {concept}"
    offences = {
        str(f.relative_to(ROOT)): sorted(imported_modules(f, 2) & CONCEPT_FORBIDDEN[concept])
        for f in files
    }
    assert {f: m for f, m in offences.items() if m} == {}


def test_the_checker_sees_a_concept_imported_from_its_package(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from workflow import lifecycle\nfrom workflow.deadlines import planning\n")
    assert {"workflow.lifecycle", "workflow.deadlines"} <= imported_modules(bad, 2)
