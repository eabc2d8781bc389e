"""The first-run page (issue 10, part 5): the link ``councilflow serve`` prints on an empty
database opens a form for the first admin's name and email; sending it makes them, signs
them in with the same session cookie the token sign-in gives, and shows their access token
once. A used, expired or unknown link, or one opened once somebody exists, is a clear page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from api.web import forms
from api.web.forms import Errors
from api.web.pages import Page, WebRoute, error_page, page_work
from workflow.errors import DomainError, Unauthenticated
from workflow.lifecycle.decision import invalid_input
from workflow.models import Role
from workflow.people.first_run import make_first_admin, usable_link
from workflow.schemas import UserIn

router = APIRouter(route_class=WebRoute)

FIELD_IDS = {"name": "name", "email": "email"}
LABELS = {"name": "Full name", "email": "Email address"}


def _dead(request: Request, exc: Unauthenticated) -> Response:
    return error_page(
        request,
        410,
        "This sign-in link no longer works",
        forms.sentence(exc.detail) + ".",
        back=("/sign-in", "Go to the sign-in page"),
    )


def _form(page: Page, values: dict[str, str], errors: Errors, status_code: int) -> Response:
    context: dict[str, Any] = {
        "values": values,
        "errors": errors.summary(),
        "error_of": errors.message,
        "action": page.request.url.path,
    }
    return page.render("first_run.html", context, status_code=status_code)


@router.get("/first-run/{token}")
def first_run_form(request: Request, token: str) -> Response:
    with page_work(request, require_user=False, write=False) as page:
        try:
            usable_link(page.ctx, token)
        except Unauthenticated as exc:
            return _dead(request, exc)
        return _form(page, {"name": "", "email": ""}, Errors(), 200)


@router.post("/first-run/{token}")
def first_run_admin(request: Request, token: str) -> Response:
    with page_work(request, require_user=False) as page:
        values = {key: forms.text(page.form, key) or "" for key in FIELD_IDS}
        errors = Errors()
        try:
            data = _user_in(values)
            user, user_token = make_first_admin(page.ctx, token, data)
        except Unauthenticated as exc:
            return _dead(request, exc)
        except DomainError as exc:
            forms.absorb(exc, errors, FIELD_IDS, LABELS)
            return _form(page, values, errors, 400)
        page.session.sign_in(user)
        context = {"created": user, "token": user_token, "user": user}
        return page.render("first_run_done.html", context, status_code=201)


def _user_in(values: dict[str, str]) -> UserIn:
    body = {"name": values["name"] or None, "email": values["email"] or None}
    try:
        return UserIn.model_validate({**body, "roles": [Role.admin]})
    except ValidationError as exc:
        raise invalid_input(exc, "the first admin's details are not valid") from exc
