"""``councilflow serve``: one process, or N uvicorn workers with the scheduler in one place.

With one worker the app runs in this process and starts the scheduler in its own lifespan, as
it always has. With several, uvicorn spawns the workers from the import string
``api.app:create_app`` (each builds its own app and engine from ``COUNCILFLOW_*``), and every
worker is told ``COUNCILFLOW_RUN_SCHEDULER_IN_SERVE=false``: APScheduler must never start once
per worker. The scheduler, when wanted, runs here in the parent, which otherwise only
supervises, so exactly one process of the command dispatches reminders. The parent also brings
the database to the current schema before any worker starts, so workers never race to migrate
a fresh database. uvicorn spawns its workers (it does not fork them), so the parent's scheduler
thread and database connections are never copied into a worker.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import os
import socket
from typing import Any

import uvicorn
import uvicorn.config
from sqlalchemy.engine import Engine
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from api.app import bootstrap, create_app
from scheduler.runner import InProcessScheduler
from workflow.clock import Clock
from workflow.context import Ctx
from workflow.db import make_engine, unit_of_work
from workflow.people.first_run import LINK_MINUTES, PATH, issue_link
from workflow.settings import Settings

WORKER_APP = "api.app:create_app"
NO_SCHEDULER_IN_WORKERS = {"COUNCILFLOW_RUN_SCHEDULER_IN_SERVE": "false"}
FORMAT = "%(levelname)s:     %(name)s: %(message)s"


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Send each write at once (``TCP_NODELAY``), as asyncio does for the sockets it makes.

    uvicorn's supervisor binds the listening socket for its workers with ``proto`` 0, so
    asyncio does not recognise the accepted sockets as TCP and leaves Nagle's algorithm on;
    a response's second write (its body) then waits for the client's delayed ACK, about 40 ms
    on every keep-alive request after the first (uvicorn issue #3149, open).
    """
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayHTTP(AutoHTTPProtocol):  # type: ignore[misc,valid-type]
    """uvicorn's HTTP protocol (h11, or httptools where installed), with ``no_delay``."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        no_delay(transport)
        super().connection_made(transport)


def log_config() -> dict[str, Any]:
    """uvicorn's own logging, plus the service's loggers (``councilflow.api``,
    ``councilflow.scheduler``). It is handed to uvicorn, which applies it in every worker it
    spawns too: a spawned worker inherits no logging set up in the parent."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["councilflow"] = {"format": FORMAT}
    config["handlers"]["councilflow"] = {
        "class": "logging.StreamHandler",
        "formatter": "councilflow",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["councilflow"] = {
        "handlers": ["councilflow"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def first_run(settings: Settings, clock: Clock, engine: Engine, host: str, port: int) -> None:
    """On a database with nobody in it, print (to stdout, once per start) the link that makes
    the first admin (issue 10, part 5), as Jupyter prints its token URL. Nothing otherwise."""
    with unit_of_work(engine) as session:
        token = issue_link(Ctx(session, clock, settings))
    if token is None:
        return
    shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    shown = f"[{shown}]" if ":" in shown else shown
    print(
        "\n    CouncilFlow has nobody in it yet. To make the first admin, open this link\n"
        f"    within {LINK_MINUTES} minutes (it works once):\n\n"
        f"        http://{shown}:{port}{PATH}{token}\n",
        flush=True,
    )


def serve(settings: Settings, host: str, port: int, workers: int, scheduler: bool) -> None:
    """X-Forwarded-For and -Proto count only from the trusted proxies: they decide the client
    address the sign-in limits count and whether a request came over HTTPS (HSTS, cookies).

    The database is brought to the current schema here first, so that on an empty one the
    first-run link can be printed before the service starts listening."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=FORMAT)
    clock = Clock(start=settings.now)
    engine = make_engine(settings.database_url)
    bootstrap(settings, clock, engine)
    first_run(settings, clock, engine, host, port)
    if workers == 1:
        engine.dispose()
        app = create_app(settings.model_copy(update={"run_scheduler_in_serve": scheduler}))
        uvicorn.run(
            app,
            host=host,
            port=port,
            proxy_headers=True,
            forwarded_allow_ips=settings.trusted_proxies,
            log_config=log_config(),
        )
        return
    os.environ.update(NO_SCHEDULER_IN_WORKERS)  # read by the spawned workers' settings
    in_parent = InProcessScheduler(engine, clock, settings) if scheduler else None
    if in_parent is not None:
        in_parent.start()
    try:
        uvicorn.run(
            WORKER_APP,
            factory=True,
            workers=workers,
            host=host,
            port=port,
            proxy_headers=True,
            forwarded_allow_ips=settings.trusted_proxies,
            log_config=log_config(),
            http=NoDelayHTTP,
        )
    finally:
        # uvicorn returns once SIGTERM or Ctrl-C has stopped every worker; then the batch
        # of reminders in hand is finished, as with one process.
        if in_parent is not None:
            in_parent.shutdown()
        engine.dispose()
