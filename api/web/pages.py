"""What every page handler shares: the unit of work, the signed-in user, CSRF, rendering.

Handlers are plain (sync) functions run in the thread pool, because the domain is sync
SQLAlchemy. ``WebRoute`` does the async parts once for all of them: it reads the posted form,
checks its CSRF token before any handler runs, turns "not signed in" into a redirect and a
domain "not found"/"forbidden" into a page, and writes the session cookie back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from api.deps import READ_METHODS
from api.headers import allow_form_target, csp_nonce
from api.problems import database_problem
from api.web import session as web_session
from api.web.templating import render
from workflow.context import Ctx
from workflow.councils.councils import enter_as, leave, person_of_session
from workflow.db import unit_of_work
from workflow.errors import DomainError, Forbidden, NotFound
from workflow.models import NO_COUNCIL, User
from workflow.settings import Settings

SERVICE_NAME = "CouncilFlow"
# GOV.UK's wording for the pages that answer a database failure.
PAGE_TITLES = {
    503: "Sorry, the service is unavailable",
    422: "Sorry, that could not be saved",
}
log = logging.getLogger("councilflow.web")


class SignInRequired(Exception):
    """Raised by ``signed_in`` when nobody is; ``WebRoute`` answers with a redirect."""


@dataclass
class Page:
    """One request's view of the world: its unit of work, who is asking, their session."""

    request: Request
    ctx: Ctx
    user: User | None
    session: web_session.WebSession
    form: FormData = field(default_factory=FormData)

    @property
    def me(self) -> User:
        assert self.user is not None
        return self.user

    def render(self, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
        return HTMLResponse(render(template, self.template_context(context)), status_code)

    def template_context(self, context: dict[str, Any]) -> dict[str, Any]:
        return {
            "service_name": SERVICE_NAME,
            "user": self.user,
            "csrf_token": self.session.csrf_token,
            "flash": self.session.pop_flash(),
            "path": self.request.url.path,
            "today": self.ctx.today(),
            "cspNonce": csp_nonce(self.request),
            **context,
        }

    def redirect(self, url: str, flash: str | None = None) -> Response:
        """Post/redirect/get: a refresh never posts twice; the flash says what happened."""
        if flash:
            self.session.flash(flash)
        return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never let a link send someone signing in elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _session_of(request: Request) -> web_session.WebSession:
    existing = getattr(request.state, "web_session", None)
    if existing is None:
        existing = web_session.load(request, settings_of(request))
        request.state.web_session = existing
    return existing


@contextmanager
def page_work(
    request: Request, *, require_user: bool = True, write: bool | None = None
) -> Iterator[Page]:
    """One unit of work for one page: it commits when the block ends, before the response
    leaves, and rolls back if anything in it raises."""
    state = request.app.state
    session = _session_of(request)
    writes = request.method not in READ_METHODS if write is None else write
    with unit_of_work(state.engine, write=writes, tenant=True) as db:
        ctx = Ctx(db, state.clock, state.settings, NO_COUNCIL)
        user = None
        if session.user_id is not None:
            found = person_of_session(ctx, session.user_id)
            if found is not None and session.matches(found):
                user = enter_as(ctx, found)  # the page works within the person's council
            else:
                leave(ctx)
        if user is None and require_user:
            raise SignInRequired
        form = getattr(request.state, "form", None) or FormData()
        yield Page(request=request, ctx=ctx, user=user, session=session, form=form)


def signed_in(request: Request) -> Any:
    return page_work(request, require_user=True)


def attempt(page: Page, action: Callable[[], Any]) -> DomainError | None:
    """Run a domain write in a savepoint: if the domain refuses, nothing of it is kept and
    the same unit of work goes on to render the form again with the reasons."""
    try:
        with page.ctx.session.begin_nested():
            action()
    except DomainError as exc:
        return exc
    return None


def error_page(
    request: Request, status: int, title: str, detail: str, back: tuple[str, str] | None = None
) -> Response:
    html = render(
        "error.html",
        {
            "service_name": SERVICE_NAME,
            "user": None,
            "csrf_token": "",
            "flash": None,
            "path": request.url.path,
            "title": title,
            "detail": detail,
            "cspNonce": csp_nonce(request),
            "back_href": back[0] if back else None,
            "back_text": back[1] if back else None,
        },
    )
    return HTMLResponse(html, status)


class WebRoute(APIRoute):
    """The route class of the web router (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            session = _session_of(request)
            if session.end_session_endpoint:  # the sign-out button leads there
                allow_form_target(request, session.end_session_endpoint)
            if request.method == "POST":
                form = await request.form()
                request.state.form = form
                if not session.csrf_ok(form.get("csrf_token")):
                    response = error_page(
                        request,
                        400,
                        "Your form could not be sent",
                        "The page you sent it from was too old, or you signed out in the "
                        "meantime. Go back, reload the page and try again.",
                    )
                    session.csrf_token  # noqa: B018 - make sure a fresh session has one
                    web_session.save(response, session, request, settings_of(request))
                    return response
            try:
                response = await original(request)
            except SignInRequired:
                target = request.url.path
                if request.url.query:
                    target += "?" + request.url.query
                if request.method != "GET":
                    target = "/"
                response = RedirectResponse(f"/sign-in?next={quote(target, safe='')}", 303)
            except NotFound as exc:
                response = error_page(request, 404, "Page not found", exc.detail)
            except Forbidden as exc:
                response = error_page(request, 403, "You cannot do that", exc.detail)
            except SQLAlchemyError as exc:
                # The database down, busy or refusing a value: the GOV.UK error page, not
                # the API's JSON problem (issue 14, item 8).
                found = database_problem(exc)
                if found is None:
                    raise
                log.warning("database refused %s %s: %s", request.method, request.url.path, exc)
                title = PAGE_TITLES.get(found.status, "Sorry, there is a problem")
                detail = found.detail[0].upper() + found.detail[1:]
                response = error_page(request, found.status, title, detail)
                response.headers.update(found.headers or {})
            web_session.save(response, session, request, settings_of(request))
            return response

        return handler
