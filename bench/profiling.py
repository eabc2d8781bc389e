"""A pyinstrument profile of the hot path: the real app, in this process, on one thread.

pyinstrument samples the thread it was started on, and uvicorn runs CouncilFlow's (sync)
routes on a thread pool, so a profile of a served worker would show the event loop waiting.
Here the app is driven through ``httpx.ASGITransport`` with ``anyio.to_thread.run_sync`` made
to call its function in place: routing, validation, the domain, SQL and serialisation all run
on the profiled thread, against the same database the benchmark measured. Requests go one at
a time, so the profile shows where one request's time goes, not queueing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx

from api.app import create_app
from bench.load import MakeClient
from workflow.clock import Clock
from workflow.settings import Settings

Body = Callable[[MakeClient, Any], Awaitable[Any]]
Prepare = Callable[[MakeClient], Awaitable[Any]]


@contextmanager
def threads_inline() -> Iterator[None]:
    original = anyio.to_thread.run_sync

    async def in_place(func: Callable[..., Any], *args: Any, **_options: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = in_place  # type: ignore[assignment]
    try:
        yield
    finally:
        anyio.to_thread.run_sync = original


async def profile(
    settings: Settings, body: Body, out: Path, prepare: Prepare | None = None
) -> list[Path]:
    """Run ``prepare`` (signing in, say) unprofiled, then ``body`` under pyinstrument, each
    given a client factory for the in-process app (and ``body`` what ``prepare`` answered);
    write ``out`` as ``.html`` and ``.txt``."""
    from pyinstrument import Profiler

    settings = settings.model_copy(update={"run_scheduler_in_serve": False})
    app = create_app(settings=settings, clock=Clock(start=settings.now))

    def make() -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=600
        )

    with threads_inline():
        async with app.router.lifespan_context(app):
            prepared = await prepare(make) if prepare is not None else None
            profiler = Profiler(interval=0.0005, async_mode="disabled")
            profiler.start()
            try:
                await body(make, prepared)
            finally:
                profiler.stop()
    app.state.engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    html, txt = out.with_suffix(".html"), out.with_suffix(".txt")
    html.write_text(profiler.output_html())
    txt.write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    return [html, txt]
