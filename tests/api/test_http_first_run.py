"""The first run as a new user meets it (issue 10, part 5): ``councilflow serve`` on a fresh
SQLite file prints a first-admin link to stdout, once; opened over HTTP it makes the admin
and signs them in; it is refused the second time, and after its 15 minutes (the server
restarted with ``COUNCILFLOW_NOW`` 16 minutes on); with somebody in the database nothing is
printed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from test_http_serve import free_port

LINK = re.compile(r"http://127\.0\.0\.1:\d+/first-run/[A-Za-z0-9_-]+")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
START = "2024-07-01T09:00:00+01:00"
LATER = "2024-07-01T09:16:00+01:00"


@dataclass
class Served:
    base: str
    link: str | None


@contextmanager
def serving(database: Path, now: str) -> Iterator[Served]:
    port = free_port()
    env = {
        **os.environ,
        "COUNCILFLOW_DATABASE_URL": f"sqlite:///{database}",
        "COUNCILFLOW_NOW": now,
        "COUNCILFLOW_RUN_SCHEDULER_IN_SERVE": "false",
    }
    env.pop("COUNCILFLOW_ADMIN_TOKEN", None)
    command = [sys.executable, "-m", "councilflow.cli", "serve", "--port", str(port)]
    log = (database.parent / f"serve-{port}.log").open("w")
    server = subprocess.Popen(
        command, env=env, cwd=database.parent, stdout=subprocess.PIPE, stderr=log, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, (database.parent / log.name).read_text()
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        # The banner is printed before the server listens: all of it is in the pipe by now.
        os.set_blocking(server.stdout.fileno(), False)  # type: ignore[union-attr]
        printed = server.stdout.read() or ""  # type: ignore[union-attr]
        links = LINK.findall(printed)
        assert len(links) <= 1, printed
        yield Served(base, links[0] if links else None)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        log.close()


def _open(client: httpx.Client, link: str) -> httpx.Response:
    return client.get(link)


def _make_admin(client: httpx.Client, link: str, csrf: str, email: str) -> httpx.Response:
    body = {"csrf_token": csrf, "name": "Alex Admin", "email": email}
    return client.post(link, data=body)


def test_a_fresh_database_prints_a_link_that_works_once(tmp_path: Path) -> None:
    database = tmp_path / "fresh.db"
    with serving(database, START) as served:
        assert served.link is not None and served.link.startswith(served.base)
        with httpx.Client() as browser:
            form = _open(browser, served.link)
            assert form.status_code == 200 and "Make the first admin" in form.text
            csrf = CSRF.search(form.text)
            assert csrf
            made = _make_admin(browser, served.link, csrf.group(1), "alex@sefton.gov.uk")
            assert made.status_code == 201, made.text
            token = re.search(r'id="admin-token">(cf_[A-Za-z0-9_-]+)<', made.text)
            assert token
            assert browser.get(f"{served.base}/", follow_redirects=False).status_code == 200
            me = browser.get(
                f"{served.base}/api/v1/me", headers={"Authorization": f"Bearer {token.group(1)}"}
            )
            assert me.json()["roles"] == ["admin", "platform_operator"]
        with httpx.Client() as other:
            again = _open(other, served.link)
            assert again.status_code == 410 and "has been used" in again.text
    with serving(database, START) as served:
        assert served.link is None  # somebody is in: nothing printed


def test_a_link_is_refused_after_15_minutes(tmp_path: Path) -> None:
    database = tmp_path / "fresh.db"
    with serving(database, START) as served:
        first = served.link
        assert first is not None
    with serving(database, LATER) as served:
        assert served.link is not None and served.link != first  # still empty: a new one
        stale = first.replace(first.split("/first-run/")[0], served.base)
        expired = httpx.get(stale)
        assert expired.status_code == 410 and "expired" in expired.text
        assert httpx.get(served.link).status_code == 200
