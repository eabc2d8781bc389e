"""The API tokens page in Chromium: accessible (axe, WCAG 2.2 AA) as read, as shown again with
an error, and with a token made and one revoked. ``COUNCILFLOW_SCREENSHOTS=1`` refreshes
docs/tokens.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from browsing import Visitor, screenshot_dir
from webcase import Live


def test_an_officer_makes_and_revokes_a_token_in_chromium(
    live: Live, browser: Any, tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)
    officer = Visitor(browser, live.url, live.seeded.tokens["officer"], "officer")
    officer.click_link("API tokens")
    assert officer.heading() == "Your API tokens"
    officer.fill("Name", "")
    officer.click_button("Make token")
    assert officer.error_summary(), officer.text()
    officer.fill("Name", "Register export script")
    officer.choose("Read only")
    officer.fill("Expires in (days)", "90")
    officer.click_button("Make token")
    assert "cfpat_" in officer.text()
    officer.fill("Name", "Old import job")
    officer.choose("Read and write")
    officer.fill("Expires in (days)", "30")
    officer.click_button("Make token")
    officer.click_button("Revoke Old import job")
    text = officer.text()
    assert "Register export script" in text and "Old import job" in text
    assert "The token Old import job was revoked." in officer.flash()
    officer.screenshot(shots / "tokens.png")
    officer.close()
