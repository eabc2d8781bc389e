"""Driving the pages in Chromium as one person: sign in, follow links, fill GOV.UK fields,
and run axe-core on every page reached (WCAG 2.2 AA), failing with what it found."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE = Axe()
FORM_ERROR = "the server responded with a status of 400"
CHROMIUM_VIOLATION = "violates the following Content Security Policy directive"
DOCS = Path(__file__).resolve().parents[2] / "docs"


def screenshot_dir(fallback: Path) -> Path:
    """``docs/`` when ``COUNCILFLOW_SCREENSHOTS=1`` (to refresh the committed ones), else a
    temporary directory, so an ordinary test run never dirties the working tree."""
    return DOCS if os.environ.get("COUNCILFLOW_SCREENSHOTS") == "1" else fallback


class Visitor:
    """One person in their own browser context (their own cookies)."""

    def __init__(
        self, browser: Any, base_url: str, token: str, name: str, init_script: str | None = None
    ) -> None:
        self.context = browser.new_context(
            base_url=base_url, viewport={"width": 1100, "height": 900}
        )
        if init_script:
            self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.name = name
        self.errors: list[str] = []
        self.checked: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("console", self._console)
        self.sign_in(token)

    def _console(self, message: Any) -> None:
        # A form shown again with its errors answers 400, which Chromium logs; anything else
        # logged as an error (a script failing, a stylesheet or script missing) is a fault.
        if message.type == "error" and FORM_ERROR not in message.text:
            self.errors.append(message.text)

    def sign_in(self, token: str) -> None:
        self.goto("/sign-in")
        self.page.get_by_label("Access token").fill(token)
        self.click_button("Sign in")
        assert "You are signed in as" in self.text()

    def close(self) -> None:
        assert not self.errors, f"browser errors for {self.name}: {self.errors}"
        self.context.close()

    # --- moving about, with an accessibility check on every page -------------------------

    def check(self) -> None:
        """axe-core at WCAG 2.2 AA on the page as it is now; no violation may remain."""
        results = AXE.run(
            self.page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_22_AA},
                "resultTypes": ["violations"],
            },
        )
        where = self.page.url
        assert results.violations_count == 0, f"axe on {where}:\n{results.generate_report()}"
        self.checked.append(where)

    def goto(self, path: str) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        self.check()

    def click_link(self, text: str) -> None:
        self.page.get_by_role("link", name=text, exact=True).first.click()
        self.page.wait_for_load_state()
        self.check()

    def click_button(self, text: str) -> None:
        self.page.get_by_role("button", name=text, exact=True).first.click()
        self.page.wait_for_load_state()
        self.check()

    # --- reading --------------------------------------------------------------------------

    def text(self) -> str:
        return str(self.page.locator("main").inner_text())

    def heading(self) -> str:
        return str(self.page.locator("h1").first.inner_text())

    def error_summary(self) -> list[str]:
        summary = self.page.locator(".govuk-error-summary")
        if summary.count() == 0:
            return []
        return [str(t) for t in summary.locator("li").all_inner_texts()]

    def flash(self) -> str:
        banner = self.page.locator(".govuk-notification-banner--success")
        return str(banner.inner_text()) if banner.count() else ""

    # --- filling GOV.UK fields -----------------------------------------------------------

    def fill(self, label: str, value: str) -> None:
        self.page.get_by_label(label, exact=True).fill(value)

    def fill_date(self, name: str, value: date) -> None:
        self.page.locator(f"#{name}-day").fill(str(value.day))
        self.page.locator(f"#{name}-month").fill(str(value.month))
        self.page.locator(f"#{name}-year").fill(str(value.year))

    def choose(self, label: str) -> None:
        self.page.get_by_label(label, exact=True).check()

    def select(self, label: str, option: str) -> None:
        self.page.get_by_label(label, exact=True).select_option(label=option)

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
