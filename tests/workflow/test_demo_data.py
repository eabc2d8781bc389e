"""Issue 12, fault 9: the demo attaches invented figures only to fictional providers, and says
which of its facts come from the seeds and which are made up."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from councilflow.cli import app
from workflow import demo

REAL_SEFTON_PROVIDERS = ("Autism Initiatives", "Crossroads Care", "Making Space")


def test_invented_values_belong_to_fictional_providers() -> None:
    assert len(demo.SEFTON_PROVIDERS) == 13
    assert all("Fictional" in p for p in demo.SEFTON_PROVIDERS)
    assert not set(REAL_SEFTON_PROVIDERS) & set(demo.SEFTON_PROVIDERS)


def test_the_demo_says_where_its_facts_come_from(tmp_path: Path) -> None:
    env = {
        "COUNCILFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "COUNCILFLOW_NOW": "2024-07-01T08:00:00Z",
    }
    result = CliRunner().invoke(app, ["demo"], env=env)
    assert result.exit_code == 0, result.output
    assert "[seed] Sefton: thirteen Day Opportunities contracts" in result.output
    assert "[made up] Sefton: the providers' names (fictional) and their annual values" in (
        result.output
    )
    assert "[made up] Oldham: the SLA's annual value" in result.output
