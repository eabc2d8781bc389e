"""The tokens page (issue 10, part 4): make a personal access token for the API (shown once,
on the answer to the form), see one's tokens with their expiry and last use, and revoke them.

The rules (the longest expiry, who may revoke) are ``workflow.people.tokens``'s; the page only
turns the form into a ``TokenIn`` and the domain's refusals into the GOV.UK error summary.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from api.params import Id
from api.web import forms
from api.web.forms import Errors
from api.web.pages import Page, WebRoute, signed_in
from workflow.errors import DomainError
from workflow.lifecycle.decision import invalid_input
from workflow.people.tokens import TokenCreated, create_token, list_tokens, revoke_token
from workflow.schemas import TokenIn

router = APIRouter(route_class=WebRoute)

FIELD_IDS = {"name": "name", "scope": "scope", "expires_in_days": "expires_in_days"}
LABELS = {"name": "Name", "scope": "What it may do", "expires_in_days": "Expires in (days)"}


def _render(
    page: Page,
    values: dict[str, str],
    errors: Errors,
    created: TokenCreated | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "tokens": list_tokens(page.ctx, page.me),
        "values": values,
        "errors": errors.summary(),
        "error_of": errors.message,
        "created": created,
        "max_days": page.ctx.settings.token_max_days,
        "now": page.ctx.now(),
    }
    return page.render("tokens.html", context, status_code=status_code)


@router.get("/tokens")
def tokens_page(request: Request) -> Response:
    with signed_in(request) as page:
        return _render(page, {"scope": "read", "expires_in_days": "30"}, Errors())


@router.post("/tokens")
def make_token(request: Request) -> Response:
    with signed_in(request) as page:
        values = {key: forms.text(page.form, key) or "" for key in FIELD_IDS}
        errors = Errors()
        days = forms.number_from(values["expires_in_days"], "expires_in_days", "Expiry", errors)
        body = {
            "name": values["name"] or None,
            "scope": values["scope"] or None,
            "expires_in_days": days,
        }
        if errors:
            return _render(page, values, errors, status_code=400)
        try:
            created = create_token(page.ctx, page.me, _token_in(body))
        except DomainError as exc:
            forms.absorb(exc, errors, FIELD_IDS, LABELS)
            return _render(page, values, errors, status_code=400)
        return _render(page, {"scope": "read", "expires_in_days": "30"}, errors, created, 201)


def _token_in(body: dict[str, Any]) -> TokenIn:
    try:
        return TokenIn.model_validate(body)
    except ValidationError as exc:
        raise invalid_input(exc, "the token's details are not valid") from exc


@router.post("/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: Id) -> Response:
    with signed_in(request) as page:
        row = revoke_token(page.ctx, token_id, page.me)
        return page.redirect("/tokens", flash=f"The token {row.name} was revoked.")
