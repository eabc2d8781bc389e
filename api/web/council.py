"""The signed-in person's council and its constitution settings (issue 10): everyone in the
council reads what each setting is and whether it is the council's own or the installation's
default; an admin changes them, through the same ``set_constitution`` the API uses, so a bad
value is refused with the same reasons and nothing is kept."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from api.web import forms
from api.web.forms import Errors
from api.web.pages import Page, WebRoute, attempt, settings_of, signed_in
from workflow.councils.constitution import CONSTITUTION, effective
from workflow.councils.councils import get_council, set_constitution
from workflow.errors import DomainError, FieldProblem, Forbidden, InvalidInput
from workflow.models import Council, Role

router = APIRouter(route_class=WebRoute)

PATH = "/council/settings"
FIELD_IDS = {name: name for name in CONSTITUTION}
LABELS = {name: name.replace("_", " ").capitalize() for name in CONSTITUTION}
# Settings written as JSON in the form: a mapping has no plainer way to be typed in.
MAPPINGS = {"reminder_offsets_by_kind"}
# Settings that are lists, typed in as words separated by commas.
LISTS = {"reminder_offsets_days", "reminder_channels"}


def shown(value: Any) -> str:
    """A setting as the form shows it and reads it back."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read(name: str, raw: str, errors: Errors) -> Any:
    """One field as the value ``checked`` validates; the typing itself may be refused here."""
    if name in MAPPINGS:
        try:
            return json.loads(raw)
        except ValueError:
            errors.add(name, f'{LABELS[name]}: enter a mapping such as {{"key": [7, 1]}}')
            return None
    if name in LISTS:
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def _by_setting(refused: DomainError) -> DomainError:
    """A problem with one item of a list or mapping (``reminder_offsets_days.0``) shown
    against the setting's own field."""
    if isinstance(refused, InvalidInput):
        refused.problems = [
            FieldProblem(p.field.split(".")[0], p.message) for p in refused.problems
        ]
    return refused


def _render(
    page: Page, council: Council, values: dict[str, str], errors: Errors, status: int = 200
) -> Response:
    installation = settings_of(page.request)
    now = effective(installation, council.settings)
    rows = [
        {
            "name": name,
            "label": LABELS[name],
            "value": shown(getattr(now, name)),
            "default": shown(getattr(installation, name)),
            "own": name in council.settings,
        }
        for name in CONSTITUTION
    ]
    return page.render(
        "council_settings.html",
        {
            "council": council,
            "rows": rows,
            "v": values,
            "may_change": page.me.has_role(Role.admin),
            "errors": errors.summary(),
            "error_of": errors.message,
        },
        status,
    )


@router.get(PATH)
def council_settings(request: Request) -> Response:
    with signed_in(request) as page:
        council = get_council(page.ctx, page.me.council_id)
        return _render(page, council, {n: shown(v) for n, v in council.settings.items()}, Errors())


@router.post(PATH)
def change_council_settings(request: Request) -> Response:
    with signed_in(request) as page:
        if not page.me.has_role(Role.admin):
            raise Forbidden("changing the council's constitution settings needs the admin role")
        council = get_council(page.ctx, page.me.council_id)
        errors = Errors()
        values = {name: forms.text(page.form, name) or "" for name in CONSTITUTION}
        overrides = {n: _read(n, raw, errors) for n, raw in values.items() if raw}
        if not errors:
            page.ctx.settings = settings_of(request)  # validated against the installation's
            refused = attempt(page, lambda: set_constitution(page.ctx, council, overrides))
            if refused is None:
                return page.redirect(PATH, flash="The constitution settings were saved.")
            forms.absorb(_by_setting(refused), errors, FIELD_IDS, LABELS)
            page.ctx.session.refresh(council)
        return _render(page, council, values, errors, 400)
