"""Fixtures for the web pages.

Two ways in: ``web`` is the real app (``api.app.create_app``) behind a ``TestClient``, on the
shared ``engine`` fixture (SQLite, and PostgreSQL when configured), for quick checks of what a
page says and does. ``live`` serves the real app with uvicorn on 127.0.0.1 against a temporary
SQLite file, for Chromium to drive (``browser``). The end-to-end journeys run on SQLite only:
the pages hold no SQL of their own that could differ between databases, and the non-browser
tests cover both.

Chromium is Debian's, at ``/usr/bin/chromium``, never a downloaded one. Without it the browser
tests skip, unless ``COUNCILFLOW_REQUIRE_BROWSER=1`` (CI), when they fail.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from webcase import Live, Seeded, WebClient, seed

from api.app import create_app
from workflow.clock import FrozenClock
from workflow.db import make_engine
from workflow.schema import create_all
from workflow.settings import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START = datetime(2024, 7, 1, 8, 0, tzinfo=UTC)
STATIC = Path(__file__).resolve().parents[2] / "api" / "static" / "govuk"


def web_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "reminder_channels": ["log"],
        "run_scheduler_in_serve": False,
        "session_secret": secrets.token_urlsafe(32),
        # TestClient speaks plain HTTP to "testserver", not a loopback address, where the
        # cookie would be Secure and never sent back (test_web_session checks that default).
        "secure_cookies": False,
        **overrides,
    }
    return Settings(**values)


# --- TestClient -----------------------------------------------------------------------------


@pytest.fixture
def web_clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def web_app_parts(engine: Engine, web_clock: FrozenClock, database_url: str) -> Any:
    settings = web_settings(database_url)
    return create_app(settings=settings, clock=web_clock, engine=engine), settings


@pytest.fixture
def seeded(web_app_parts: Any, engine: Engine, web_clock: FrozenClock) -> Seeded:
    _app, settings = web_app_parts
    return seed(engine, web_clock, settings)


@pytest.fixture
def web(web_app_parts: Any, seeded: Seeded) -> Iterator[WebClient]:
    app, _settings = web_app_parts
    with TestClient(app) as client:
        yield WebClient(client, seeded)


# --- a live server and a real browser ------------------------------------------------------


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    if not (STATIC / "councilflow.css").is_file():
        pytest.fail("the GOV.UK assets are not built: run `make assets` first")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{tmp_path / 'web.db'}"
    engine = make_engine(database_url)
    create_all(engine)
    clock = FrozenClock(START)
    settings = web_settings(database_url, base_url=url)
    seeded = seed(engine, clock, settings)
    app = create_app(settings=settings, clock=clock, engine=engine)
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the web server did not start")
        time.sleep(0.02)
    try:
        yield Live(url, clock, settings, seeded)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    required = os.environ.get("COUNCILFLOW_REQUIRE_BROWSER") == "1"
    if not os.path.exists(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
        if required:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
