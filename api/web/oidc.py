"""Signing in through a council's OpenID Provider, and signing out there too (issue 10,
part 3). The protocol is Authlib's (``api/web/oidc_client.py``); who gets in with which
roles is decided in ``workflow.people.identity``. The session afterwards is the very one the
token sign-in opens (``WebSession.sign_in``): same cookie, generation and CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from api.headers import allow_form_target
from api.web.oidc_client import Clients, arrive, depart, endpoint, sign_out_url
from api.web.pages import Page, WebRoute, error_page, page_work, safe_next
from workflow.models import IdentityProvider, pk
from workflow.people.identity import (
    SignInRefused,
    Vouched,
    begin_sign_in,
    for_sign_in,
    get_provider,
    person_for,
    take_state,
)

router = APIRouter(route_class=WebRoute)
CALLBACK = "/sign-in/oidc/callback"
SIGN_IN_AGAIN = ("/sign-in", "Go to the sign-in page")
STATE_KEY = "oidc_state"  # binds the state to the browser that set off


def clients_of(request: Request) -> Clients:
    state = request.app.state
    if getattr(state, "oidc_clients", None) is None:
        state.oidc_clients = Clients()
    clients: Clients = state.oidc_clients
    return clients


def callback_uri(page: Page) -> str:
    return page.ctx.settings.base_url.rstrip("/") + CALLBACK


def _refused(request: Request, exc: SignInRefused) -> Response:
    return error_page(request, exc.status, exc.title, exc.detail, back=SIGN_IN_AGAIN)


@router.post("/sign-in/oidc/{provider_id}")
def set_off(request: Request, provider_id: int) -> Response:
    """Off to the provider, with a state, a nonce and a PKCE challenge."""
    with page_work(request, require_user=False) as page:
        provider = get_provider(for_sign_in(page.ctx), provider_id)
        try:
            departure = depart(clients_of(request), provider, callback_uri(page))
        except SignInRefused as exc:
            return _refused(request, exc)
        begin_sign_in(
            page.ctx,
            provider,
            state=departure.state,
            nonce=departure.nonce,
            code_verifier=departure.code_verifier,
            next=safe_next(str(page.form.get("next", "/"))),
        )
        page.session.data[STATE_KEY] = departure.state
        page.session.modified = True
        return RedirectResponse(departure.url, status_code=303)


@router.get(CALLBACK)
def come_back(request: Request) -> Response:
    """The provider's answer: the state taken (once), the code exchanged, the ID token
    checked, the person found and their roles brought in step, then the session."""
    query = request.query_params
    with page_work(request, require_user=False, write=True) as page:
        try:
            begun = take_state(for_sign_in(page.ctx), query.get("state", ""))
            if page.session.data.get(STATE_KEY) != query.get("state"):
                raise SignInRefused(
                    "Your sign-in could not be completed",
                    "This sign-in was started in another browser or window. "
                    "Go back to the sign-in page and start again.",
                    400,
                )
            provider = page.ctx.session.get(IdentityProvider, begun.provider_id)
            assert provider is not None  # the row's foreign key
            if "error" in query:
                raise SignInRefused(
                    "You were not signed in",
                    f"{provider.name} did not sign you in ({query.get('error')}). "
                    "Go back to the sign-in page and try again.",
                    400,
                )
            claims, id_token = arrive(
                clients_of(request),
                provider,
                redirect_uri=callback_uri(page),
                code=query.get("code", ""),
                code_verifier=begun.code_verifier,
                nonce=begun.nonce,
                response_issuer=query.get("iss"),
            )
            user = person_for(page.ctx, provider, Vouched(claims))
        except SignInRefused as exc:
            # The state stays used (the unit of work commits): a refused answer cannot be
            # replayed either.
            page.session.data.pop(STATE_KEY, None)
            page.session.modified = True
            return _refused(request, exc)
        page.session.sign_in(user)
        ending = endpoint(clients_of(request), provider, "end_session_endpoint")
        if provider.end_session and ending:
            page.session.came_through(pk(provider.id), id_token, ending)
        return page.redirect(begun.next, flash=f"You are signed in as {user.name}.")


def allow_providers(page: Page, providers: list[IdentityProvider]) -> None:
    """The sign-in page's forms lead to each provider's authorization endpoint."""
    for provider in providers:
        found = endpoint(clients_of(page.request), provider, "authorization_endpoint")
        allow_form_target(page.request, found or provider.issuer)


def provider_sign_out(page: Page) -> str | None:
    """Where sign-out goes next when the session came through a provider: its end-session
    endpoint (RP-initiated logout), or None to stay here."""
    provider_id = page.session.provider_id
    id_token = page.session.data.get("idt")
    if provider_id is None or not isinstance(id_token, str):
        return None
    provider = page.ctx.session.get(IdentityProvider, provider_id)
    if provider is None:
        return None
    after = page.ctx.settings.base_url.rstrip("/") + "/sign-in"
    return sign_out_url(clients_of(page.request), provider, id_token, after)
