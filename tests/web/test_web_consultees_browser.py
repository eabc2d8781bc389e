"""The consultation form with two consultees, in Chromium (issue 12, fault 8): accessible
(axe, WCAG 2.2 AA) as read, as shown again with its error summary, and once the second
consultee is recorded, when it offers only the first.

Cabinet delegated on Fri 6 Sep 2024 to the Executive Director in consultation with the Cabinet
Members for Adult Social Care and for Finance; the delegate records consulting the Finance
member on Tue 10 Sep.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from browsing import Visitor
from consulting import add_finance_member, delegate, submitted_cases
from webcase import Live

from workflow.db import make_engine

CONSULTED_AT = datetime(2024, 9, 10, 9, tzinfo=UTC)


def test_the_delegate_records_the_second_consultee_in_chromium(live: Live, browser: Any) -> None:
    engine = make_engine(live.settings.database_url)
    try:
        add_finance_member(engine, live.clock, live.settings, live.seeded)
        (case_id,) = submitted_cases(engine, live.clock, live.settings, live.seeded)
        delegate(
            engine,
            live.clock,
            live.settings,
            live.seeded,
            [case_id],
            ["cabinet_member", "finance_member"],
        )
    finally:
        engine.dispose()
    live.travel(CONSULTED_AT)
    names = live.seeded.names
    executive = Visitor(browser, live.url, live.seeded.tokens["executive"], "executive")
    executive.goto(f"/cases/{case_id}")
    executive.click_button("Record a consultation")
    assert executive.heading() == "Record a consultation"
    radios = executive.page.locator("input[name=consultee_id]")
    assert radios.count() == 2
    executive.fill("What they said", "Content with a further six months.")
    executive.click_button("Record the consultation")
    assert executive.error_summary() == ["Choose who was consulted"]
    executive.choose(names["finance_member"])
    executive.fill_date("consulted_on", date(2024, 9, 10))
    executive.click_button("Record the consultation")
    assert "The consultation was recorded." in executive.flash()
    assert f"{names['cabinet_member']} (still to consult)" in executive.text()
    executive.goto(f"/cases/{case_id}/consultation")
    assert executive.page.locator("input[name=consultee_id]").count() == 1
    assert executive.page.get_by_label(names["cabinet_member"], exact=True).is_checked()
    executive.goto("/")
    assert f"Still to consult: {names['cabinet_member']}" in executive.text()
    executive.close()
