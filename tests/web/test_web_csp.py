"""The pages work in Chromium under the Content-Security-Policy, with no violation reported
(issue 13): GOV.UK Frontend's inline line runs by its nonce, its components start from the
init file, the forms post, Swagger UI renders from its local copy, and no other site can frame
a page."""

from __future__ import annotations

from typing import Any

from browsing import CHROMIUM_VIOLATION, Visitor
from webcase import Live

# Reports every violation the page meets, before any of the page's own code runs.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
"""

EVERY_MODULE_STARTED = """() => [...document.querySelectorAll("[data-module]")]
  .filter((el) => !el.hasAttribute(`data-${el.dataset.module}-init`))
  .map((el) => el.dataset.module)"""


def _violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__violations || []"))


def test_pages_forms_and_docs_run_under_the_policy(browser: Any, live: Live) -> None:
    seeded = live.seeded
    visitor = Visitor(
        browser, live.url, seeded.tokens["officer"], seeded.names["officer"], init_script=WATCH
    )
    page = visitor.page
    case = f"/cases/{seeded.oldham_case_id}"
    pages = ["/", "/cases", case, "/agreements", "/calendar", "/cases/new", "/agreements/import"]
    for path in pages:
        visitor.goto(path)
        classes = page.locator("body").get_attribute("class") or ""
        assert "js-enabled" in classes and "govuk-frontend-supported" in classes, path
        assert page.locator("[data-module]").count() > 0, path
        assert page.evaluate(EVERY_MODULE_STARTED) == [], path
        assert _violations(page) == [], path
    visitor.goto("/agreements")
    visitor.fill("Reference, title or provider", "Autism")
    visitor.click_button("Search")
    assert "Fictional Day Opportunities Provider 01 Ltd" in visitor.text()
    assert _violations(page) == []
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "CouncilFlow" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock").first.wait_for()
    assert _violations(page) == []
    visitor.goto("/")
    visitor.close()  # fails on any console error, CSP reports among them
    assert len(visitor.checked) >= len(pages) + 3


def test_no_other_site_can_frame_a_page(browser: Any, live: Live) -> None:
    context = browser.new_context()
    page = context.new_page()
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.set_content(f'<iframe src="{live.url}/sign-in" title="framed"></iframe>')
    page.wait_for_timeout(500)
    frame = page.frames[-1]
    assert "Access token" not in frame.content()
    assert any(CHROMIUM_VIOLATION in m or "frame-ancestors" in m for m in messages), messages
    context.close()
