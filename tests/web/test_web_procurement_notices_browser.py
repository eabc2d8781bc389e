"""Recording a procurement notice in Chromium: the case page, the form as read, as shown again
with the domain's refusal in the error summary, and the case page after (axe, WCAG 2.2 AA, on
each). ``COUNCILFLOW_SCREENSHOTS=1`` refreshes docs/procurement-notice-form.png."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from browsing import Visitor, screenshot_dir
from noticecase import at, owing_case
from webcase import Live

from workflow.db import make_engine


def test_the_author_records_a_contract_change_notice_in_chromium(
    live: Live, browser: Any, tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)
    engine = make_engine(live.settings.database_url)
    try:
        case_id = owing_case(engine, live.clock, live.settings, live.seeded)
    finally:
        engine.dispose()
    live.travel(at(date(2025, 12, 19)))
    officer = Visitor(browser, live.url, live.seeded.tokens["officer"], "officer")
    officer.goto(f"/cases/{case_id}")
    assert "Not published" in officer.text()
    officer.click_button("Record a procurement notice")
    assert officer.heading() == "Record a procurement notice"

    # A day still to come: the domain refuses it, beside the date.
    officer.fill_date("published_on", date(2025, 12, 22))
    officer.fill("Notice reference (optional)", "012345-2025")
    officer.click_button("Record the notice")
    summary = officer.error_summary()
    assert any("not on a day still to come" in line for line in summary), summary
    assert "govuk-input--error" in str(
        officer.page.locator("#published_on-day").get_attribute("class")
    )
    officer.page.get_by_role("link", name=summary[0]).click()
    focused = officer.page.evaluate("document.activeElement && document.activeElement.id")
    assert focused == "published_on-day"

    officer.screenshot(shots / "procurement-notice-form.png")
    officer.fill_date("published_on", date(2025, 12, 19))
    officer.click_button("Record the notice")
    assert "was recorded as published" in officer.flash()
    text = officer.text()
    assert "Published 19 December 2025, reference 012345-2025" in text
    assert "Ends 2 January 2026" in text
    officer.close()
