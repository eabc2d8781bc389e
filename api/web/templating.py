"""The Jinja environment the pages render with: our templates first, then the
``govuk-frontend-jinja`` macros under the ``govuk_frontend_jinja/`` prefix, so every component
is the Design System's own markup rather than a hand-written copy that drifts."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from api.web import labels
from workflow.timerules import LONDON, london_date

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


def _as_date(value: date | str | None) -> date | None:
    """Views carry ISO strings, models carry dates: the filters take either."""
    if value is None or value == "":
        return None
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def long_date(value: date | str | None) -> str:
    """GOV.UK style dates ("5 September 2024"): unambiguous to every reader."""
    day = _as_date(value)
    return "" if day is None else f"{day.day} {day:%B %Y}"


def day_name_date(value: date | str | None) -> str:
    """With the weekday, for deadlines, where the day of the week matters to people."""
    day = _as_date(value)
    return "" if day is None else f"{day:%A} {long_date(day)}"


def london_time(value: datetime | str | None) -> str:
    """Instants are stored in UTC but people read them in Europe/London."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = value.astimezone(LONDON)
    hour = local.strftime("%I:%M%p").lstrip("0").lower()
    return f"{long_date(london_date(value))} at {hour}"


def money(pence: int | None) -> str:
    """Whole pounds with thousands separators; pence only when there are some."""
    if pence is None:
        return ""
    pounds, rem = divmod(pence, 100)
    return f"£{pounds:,}" if rem == 0 else f"£{pounds:,}.{rem:02d}"


def build_environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(str(TEMPLATES_DIR)),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
        extensions=["jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        long_date=long_date,
        day_name_date=day_name_date,
        london_time=london_time,
        money=money,
        state_label=labels.state_label,
        event_label=labels.event_label,
        deadline_label=labels.deadline_label,
        role_label=labels.role_label,
    )
    env.globals.update(state_tag=labels.state_tag, labels=labels)
    return env


ENV = build_environment()


def render(name: str, context: dict[str, Any]) -> str:
    return ENV.get_template(name).render(**context)
