"""The council settings page in Chromium: accessible (axe, WCAG 2.2 AA) as read and as shown
again with errors, and an admin's change saved. ``COUNCILFLOW_SCREENSHOTS=1`` refreshes
docs/council-settings.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browsing import Visitor, screenshot_dir
from webcase import Live


def test_an_admin_sets_the_constitution_in_chromium(
    live: Live, browser: Any, tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)
    admin = Visitor(browser, live.url, live.seeded.tokens["admin"], "admin")
    admin.click_link("Council")
    assert admin.heading() == "Constitution settings"
    admin.fill("Call in working days", "not a number")
    admin.click_button("Save the constitution settings")
    assert admin.error_summary(), admin.text()
    admin.fill("Call in working days", "7")
    admin.fill("Reminder offsets days", "14, 7, 1")
    admin.click_button("Save the constitution settings")
    assert "The constitution settings were saved." in admin.flash()
    assert "Council's own" in admin.text()
    admin.screenshot(shots / "council-settings.png")
    admin.close()
