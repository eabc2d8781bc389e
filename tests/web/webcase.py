"""Shared by the web tests: the people and agreements of the two seed cases, and a small
client that signs in and posts forms the way a browser does (with the page's CSRF token)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine

from workflow import demo
from workflow.clock import Clock, FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.lifecycle.cases import create_case
from workflow.people.users import ensure_admin
from workflow.settings import Settings

ADMIN_TOKEN = "cf_web_tests_admin_token"
OLDHAM_SUMMARY_WORDS = "Approve a refreshed SLA for services delivered through Oldham Care"


@dataclass
class Seeded:
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    sefton_agreement_ids: list[int] = field(default_factory=list)
    oldham_case_id: int = 0


def seed(engine: Engine, clock: Clock, settings: Settings) -> Seeded:
    """The Sefton and Oldham people and agreements, and the Oldham case as a draft. The Sefton
    case is not made here: the journey drafts it through the pages."""
    out = Seeded()
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        admin = ensure_admin(ctx, ADMIN_TOKEN)
        loaded = demo.Demo()
        demo.load_people(ctx, admin, demo.SEFTON_PEOPLE + demo.OLDHAM_PEOPLE, loaded)
        out.tokens = dict(loaded.tokens) | {"admin": ADMIN_TOKEN}
        out.user_ids = {k: u.id for k, u in loaded.users.items() if u.id is not None}
        out.names = {k: u.name for k, u in loaded.users.items()}
        agreements = demo.sefton_agreements(ctx, loaded.users["officer"])
        out.sefton_agreement_ids = [a.id for a in agreements if a.id is not None]
        author = loaded.users["oldham_officer"]
        miocare = demo.oldham_agreement(ctx, author)
        assert miocare.id is not None
        # The whole report exempt (``exempt_paragraph``), the model these pages' redaction
        # tests are about; the demo's Part B only is tested on the case page on its own.
        data = demo.oldham_case_in([miocare.id]).model_copy(
            update={"exempt_paragraph": 3, "exempt_parts": None}
        )
        oldham = create_case(ctx, data, author)
        assert oldham.id is not None
        out.oldham_case_id = oldham.id
    return out


@dataclass
class Live:
    """The app served for a browser: its address, and the clock the test moves."""

    url: str
    clock: FrozenClock
    settings: Settings
    seeded: Seeded

    def travel(self, instant: datetime) -> None:
        self.clock.travel_to(instant)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class WebClient:
    """A ``TestClient`` that keeps the session cookie and the page's CSRF token."""

    def __init__(self, client: TestClient, seeded: Seeded) -> None:
        self.client = client
        self.seeded = seeded
        self.csrf = ""

    def get(self, url: str, **kwargs: Any) -> Response:
        response = self.client.get(url, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Response:
        body = {"csrf_token": self.csrf, **(data or {})}
        response = self.client.post(url, data=body, **kwargs)
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def sign_in(self, who: str) -> Response:
        self.client.cookies.clear()
        self.get("/sign-in")
        response = self.post("/sign-in", {"token": self.seeded.tokens[who], "next": "/"})
        assert response.status_code == 200, response.text
        return response


def date_fields(name: str, value: date) -> dict[str, str]:
    return {
        f"{name}-day": str(value.day),
        f"{name}-month": str(value.month),
        f"{name}-year": str(value.year),
    }


class _FormReader(HTMLParser):
    """What a browser would send for the POST form with this ``action``: text inputs, hidden
    inputs, checked boxes and radios, textareas and selected options."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.done = False
        self.textarea: str | None = None
        self.select: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("action") == self.action and not self.done:
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), ""
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.lstrip("\n")))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form" and self.in_form:
            self.in_form, self.done = False, True


def form_fields(html: str, action: str) -> dict[str, list[str]]:
    """The fields as httpx wants a form with repeated names: each name to its values."""
    reader = _FormReader(action)
    reader.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in reader.fields:
        out.setdefault(name, []).append(value)
    return out
