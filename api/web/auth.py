"""Signing in with a user's token, and signing out.

The token is the same bearer token the API takes, checked by the same domain call
(``workflow.people.users.authenticate``); the page keeps only a signed session cookie afterwards.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from api.throttle import throttle_of
from api.web.pages import WebRoute, page_work
from workflow.errors import TooManyAttempts, Unauthenticated
from workflow.people.users import authenticate, end_sessions

router = APIRouter(route_class=WebRoute)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never let a link send someone signing in elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/") -> Response:
    with page_work(request, require_user=False) as page:
        return page.render("sign_in.html", {"next": safe_next(next), "errors": []})


@router.post("/sign-in")
def sign_in(request: Request) -> Response:
    with page_work(request, require_user=False) as page:
        token = str(page.form.get("token", "")).strip()
        target = safe_next(str(page.form.get("next", "/")))
        try:
            if token:
                user = throttle_of(request).guard(
                    request, "web sign-in", lambda: authenticate(page.ctx, token)
                )
            else:
                user = authenticate(page.ctx, token)
        except TooManyAttempts as exc:
            minutes = max(1, -(-exc.retry_after // 60))
            wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
            message = f"Too many access tokens were not recognised. Wait {wait} and try again"
            response = page.render(
                "sign_in.html",
                {"next": target, "errors": [{"text": message, "href": "#token"}]},
                status_code=429,
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except Unauthenticated:
            message = (
                "Enter your access token" if not token else "That access token is not recognised"
            )
            return page.render(
                "sign_in.html",
                {"next": target, "errors": [{"text": message, "href": "#token"}]},
                status_code=400,
            )
        page.session.sign_in(user)
        return page.redirect(target, flash=f"You are signed in as {user.name}.")


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    with page_work(request, require_user=False) as page:
        if page.user is not None:
            end_sessions(page.ctx, page.user)  # a copy of the cookie dies with this one
        page.session.sign_out()
        return page.redirect("/sign-in", flash="You have signed out.")
