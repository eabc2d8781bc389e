"""A real OpenID Provider for the tests: npm ``oidc-provider`` run by Node on loopback with
``tests/web/oidc/provider.mjs``, and a small client that signs in at its own development
login pages over HTTP (the browser test clicks through the same pages in Chromium)."""

from __future__ import annotations

import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).resolve().parent / "oidc" / "provider.mjs"
CLIENT_ID = "councilflow"
CLIENT_SECRET = "councilflow-test-secret"
CALLBACK = "/sign-in/oidc/callback"
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Provider:
    issuer: str


@contextmanager
def running_provider(base_urls: list[str]) -> Iterator[Provider]:
    """The provider, with a client whose redirect and post-logout addresses are under each
    of ``base_urls``; stopped afterwards."""
    if not (ROOT / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("npm oidc-provider is not installed: run `npm ci`")
    port = free_port()
    options = {
        "port": port,
        "redirect_uris": [base + CALLBACK for base in base_urls],
        "post_logout_redirect_uris": [base + "/sign-in" for base in base_urls],
    }
    import json

    process = subprocess.Popen(
        ["node", str(CONFIG), json.dumps(options)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    ready = threading.Event()

    def watch() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("listening"):
                ready.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        if not ready.wait(20):
            pytest.fail("oidc-provider did not start")
        yield Provider(f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(10)


def log_in(authorize_url: str, login: str, stop_at: str) -> str:
    """At the provider's own login and consent pages, as ``login``: answers the address the
    provider finally sends the browser to (the first under ``stop_at``)."""
    with httpx.Client(timeout=10) as browser:
        url = authorize_url
        for _ in range(12):
            response = browser.get(url)
            while response.is_redirect:
                url = urljoin(url, response.headers["location"])
                if url.startswith(stop_at):
                    return url
                response = browser.get(url)
            action = FORM_ACTION.search(response.text)
            assert action, response.text
            target = urljoin(url, unescape(action.group(1)))
            if 'name="login"' in response.text:
                form = {"prompt": "login", "login": login, "password": "any"}
            else:
                form = {"prompt": "consent"}
            response = browser.post(target, data=form)
            assert response.is_redirect, response.text
            url = urljoin(target, response.headers["location"])
            if url.startswith(stop_at):
                return url
    raise AssertionError("the provider never sent the browser back")
