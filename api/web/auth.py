"""Signing in with a user's token, and signing out.

The token is the same bearer token the API takes, checked by the same domain call
(``workflow.people.users.authenticate``); the page keeps only a signed session cookie afterwards.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.throttle import throttle_of
from api.web.oidc import allow_providers, provider_sign_out
from api.web.pages import Page, WebRoute, error_page, page_work, safe_next
from workflow.errors import TooManyAttempts, Unauthenticated
from workflow.people.identity import for_sign_in, list_providers, token_sign_in_on
from workflow.people.users import authenticate, end_sessions

__all__ = ["router", "safe_next"]

router = APIRouter(route_class=WebRoute)


def _sign_in_page(
    page: Page, target: str, errors: list[dict[str, str]], status_code: int = 200
) -> Response:
    """A "Sign in with <provider>" button per identity provider, and the access-token form
    while the token sign-in is on (``workflow.people.identity.token_sign_in_on``)."""
    providers = list_providers(for_sign_in(page.ctx))
    allow_providers(page, providers)
    context = {
        "next": target,
        "errors": errors,
        "providers": providers,
        "token_sign_in": token_sign_in_on(page.ctx),
    }
    return page.render("sign_in.html", context, status_code=status_code)


@router.get("/sign-in")
def sign_in_form(request: Request, next: str = "/") -> Response:
    with page_work(request, require_user=False) as page:
        return _sign_in_page(page, safe_next(next), [])


@router.post("/sign-in")
def sign_in(request: Request) -> Response:
    with page_work(request, require_user=False) as page:
        token = str(page.form.get("token", "")).strip()
        target = safe_next(str(page.form.get("next", "/")))
        if not token_sign_in_on(for_sign_in(page.ctx)):
            return error_page(
                request,
                403,
                "Sign in with your council's account",
                "Access tokens do not sign in to these pages here: go back to the sign-in "
                "page and choose your council's sign-in.",
                back=("/sign-in", "Go to the sign-in page"),
            )
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
            response = _sign_in_page(
                page, target, [{"text": message, "href": "#token"}], status_code=429
            )
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        except Unauthenticated:
            message = (
                "Enter your access token" if not token else "That access token is not recognised"
            )
            return _sign_in_page(page, target, [{"text": message, "href": "#token"}], 400)
        page.session.sign_in(user)
        return page.redirect(target, flash=f"You are signed in as {user.name}.")


@router.post("/sign-out")
def sign_out(request: Request) -> Response:
    with page_work(request, require_user=False) as page:
        # Signed in through a provider: sign out there too (RP-initiated logout), which
        # comes back to the sign-in page.
        elsewhere = provider_sign_out(page) if page.user is not None else None
        if page.user is not None:
            end_sessions(page.ctx, page.user)  # a copy of the cookie dies with this one
        page.session.sign_out()
        if elsewhere is not None:
            page.session.flash("You have signed out.")
            return RedirectResponse(elsewhere, status_code=303)
        return page.redirect("/sign-in", flash="You have signed out.")
