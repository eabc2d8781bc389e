"""The public decisions page's pagination in Chromium: accessible (axe, WCAG 2.2 AA) on both
pages and on the answer to a page past the last, and its links followed as a reader would."""

from __future__ import annotations

from typing import Any

from browsing import Visitor
from test_web_decisions_paging import publish_decisions
from webcase import Live

from workflow.db import make_engine


def test_a_reader_pages_through_the_decisions_in_chromium(live: Live, browser: Any) -> None:
    engine = make_engine(live.settings.database_url)
    try:
        publish_decisions(engine, live.clock, live.settings, live.seeded)
    finally:
        engine.dispose()
    reader = Visitor(browser, live.url, live.seeded.tokens["viewer"], "viewer")
    reader.goto("/decisions")
    assert "page 1 of 2" in reader.text()
    reader.page.get_by_role("link", name="Next page", exact=False).click()
    reader.page.wait_for_load_state()
    reader.check()
    assert reader.page.url.endswith("/decisions?page=2")
    assert "Decisions 51 to 65 of 65." in reader.text()
    reader.page.get_by_role("link", name="Page 1", exact=True).click()
    reader.page.wait_for_load_state()
    reader.check()
    assert reader.page.url.endswith("/decisions")

    assert not reader.errors, reader.errors
    answer = reader.page.goto("/decisions?page=3")
    assert answer is not None and answer.status == 404
    reader.check()
    assert "the last is page 2" in reader.text()
    # Chromium logs the 404 itself as a console error; nothing else may be logged.
    reader.errors = [e for e in reader.errors if "status of 404" not in e]
    reader.close()
