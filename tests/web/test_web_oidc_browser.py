"""The whole sign-in through an OpenID Provider in Chromium: CouncilFlow's sign-in page, the
provider's own login and consent pages (npm ``oidc-provider``'s development interactions),
back signed in with the role the groups claim maps to; sign-out ending the session at the
provider too; and a person whose groups map to no role seeing why, on a GOV.UK page. Every
CouncilFlow page reached is checked with axe-core (WCAG 2.2 AA)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browsing import AXE, WCAG_22_AA, screenshot_dir
from oidc_provider import CLIENT_ID, CLIENT_SECRET, running_provider
from sqlmodel import select
from webcase import Live

from workflow.context import Ctx
from workflow.db import make_engine, unit_of_work
from workflow.models import User
from workflow.people.identity import add_provider
from workflow.schemas import IdentityProviderIn

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def accessible(page: Any) -> None:
    results = AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_22_AA}, "resultTypes": ["violations"]},
    )
    assert results.violations_count == 0, results.generate_report()


def at_the_provider(page: Any, login: str) -> None:
    """The provider's development login form, then its consent page (first time only)."""
    page.locator('input[name="login"]').fill(login)
    page.locator('input[name="password"]').fill("any password")
    page.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    consent = page.get_by_role("button", name="Continue")
    if consent.count():
        consent.click()
        page.wait_for_load_state()


def test_sign_in_and_out_through_the_provider_in_chromium(
    live: Live, browser: Any, tmp_path: Path
) -> None:
    shots = screenshot_dir(tmp_path)
    engine = make_engine(live.settings.database_url)
    with running_provider([live.url]) as provider:
        with unit_of_work(engine) as session:
            data = IdentityProviderIn.model_validate(
                {
                    "name": "Sefton Council",
                    "issuer": provider.issuer,
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "scopes": "openid email groups",
                    "role_mapping": {"cf-officers": "officer"},
                }
            )
            add_provider(Ctx(session, live.clock, live.settings), data, actor=None)
            sam = session.exec(select(User).where(User.email.startswith("sam."))).one()  # type: ignore[attr-defined]
            sam.roles = ["viewer"]
        context = browser.new_context(base_url=live.url, viewport={"width": 1100, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        # CouncilFlow's sign-in page: the provider's button, no token field.
        page.goto("/cases")
        assert page.url.startswith(live.url + "/sign-in")
        accessible(page)
        assert page.get_by_label("Access token").count() == 0
        page.screenshot(path=str(shots / "sign-in-oidc.png"), full_page=True)
        page.get_by_role("button", name="Sign in with Sefton Council").click()
        page.wait_for_load_state()
        assert page.url.startswith(provider.issuer + "/interaction/")

        at_the_provider(page, "sam")
        assert page.url == live.url + "/cases"
        accessible(page)
        main = page.locator("main").inner_text()
        assert "You are signed in as Sam Officer." in main
        with unit_of_work(engine) as session:
            sam = session.exec(select(User).where(User.email.startswith("sam."))).one()  # type: ignore[attr-defined]
            assert sam.roles == ["officer"]
        # An officer may draft: the groups claim gave the role.
        page.goto("/cases/new")
        assert page.locator("h1").first.inner_text().strip() != "You cannot do that"

        # Sign-out: here, then at the provider, then back to the sign-in page.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_load_state()
        assert page.url.startswith(provider.issuer)
        page.get_by_role("button", name="Yes, sign me out").click()
        page.wait_for_url(live.url + "/sign-in*")
        accessible(page)
        assert "You have signed out." in page.locator("main").inner_text()
        assert page.goto("/cases").url.startswith(live.url + "/sign-in")  # type: ignore[union-attr]

        # Signed out at the provider too: it asks who you are again. Vic's groups map to no
        # role, so CouncilFlow says so, on its own page.
        page.get_by_role("button", name="Sign in with Sefton Council").click()
        page.wait_for_load_state()
        assert page.locator('input[name="login"]').count() == 1
        at_the_provider(page, "vic")
        assert page.locator("h1").inner_text() == "You do not have a role in CouncilFlow"
        assert "vic.viewer@sefton.example.gov.uk" in page.locator("main").inner_text()
        accessible(page)
        page.screenshot(path=str(shots / "sign-in-no-role.png"), full_page=True)
        assert errors == []
        context.close()
    engine.dispose()
