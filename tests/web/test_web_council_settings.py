"""Issue 10's council settings page: everyone signed in reads their own council's
constitution settings, an admin changes them through the same domain call the API uses, a bad
value changes nothing, and nobody sees another council's."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from webcase import WebClient

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.councils.councils import create_council
from workflow.db import unit_of_work
from workflow.schemas import CouncilIn
from workflow.settings import Settings

PAGE = "/council/settings"


def _effective(web: WebClient, who: str) -> dict[str, object]:
    token = web.seeded.tokens[who]
    answer = web.client.get("/api/v1/council", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    effective: dict[str, object] = answer.json()["effective"]
    return effective


def test_everyone_signed_in_reads_the_settings_and_where_each_comes_from(web: WebClient) -> None:
    web.sign_in("officer")
    page = web.get(PAGE)
    assert page.status_code == 200
    assert "Constitution settings" in page.text
    assert "Call in working days" in page.text and "Default" in page.text
    assert 'href="/council/settings"' in web.get("/").text
    assert "Save the constitution settings" not in page.text  # no form for a non-admin


def test_a_non_admin_may_not_change_them(web: WebClient) -> None:
    before = _effective(web, "officer")
    web.sign_in("officer")
    web.get(PAGE)
    refused = web.post(PAGE, {"call_in_working_days": "9"})
    assert refused.status_code == 403
    assert _effective(web, "officer") == before


def test_an_admin_changes_a_setting_and_it_is_the_effective_one(web: WebClient) -> None:
    web.sign_in("admin")
    assert "Save the constitution settings" in web.get(PAGE).text
    saved = web.post(PAGE, {"call_in_working_days": "9", "reminder_offsets_days": "10, 3"})
    assert saved.status_code == 200, saved.text  # followed the redirect
    assert "The constitution settings were saved." in saved.text
    assert "Council&#39;s own" in saved.text or "Council's own" in saved.text
    effective = _effective(web, "officer")
    assert effective["call_in_working_days"] == 9
    assert effective["reminder_offsets_days"] == [10, 3]


def test_a_bad_value_is_refused_with_the_reason_and_nothing_changes(web: WebClient) -> None:
    before = _effective(web, "admin")
    web.sign_in("admin")
    web.get(PAGE)
    refused = web.post(PAGE, {"call_in_working_days": "99999", "reminder_hour": "soon"})
    assert refused.status_code == 400
    assert "There is a problem" in refused.text and "govuk-error-summary" in refused.text
    assert "govuk-error-message" in refused.text
    assert 'value="99999"' in refused.text  # what was typed is shown back
    assert "Reminder hour: Input should be a valid integer" in refused.text
    assert _effective(web, "admin") == before


def test_an_item_of_a_list_refused_is_shown_against_its_setting(web: WebClient) -> None:
    before = _effective(web, "admin")
    web.sign_in("admin")
    web.get(PAGE)
    for field, words in (
        ("reminder_offsets_days", "Reminder offsets days: Input should be a valid integer"),
        ("reminder_channels", "Reminder channels: Input should be"),
        ("reminder_offsets_by_kind", "Reminder offsets by kind: enter a mapping"),
        ("call_in_working_days", "Call in working days: must be between 0 and 3650"),
    ):
        value = {"call_in_working_days": "99999", "reminder_offsets_by_kind": "{x"}.get(
            field, "a, 3"
        )
        refused = web.post(PAGE, {field: value})
        assert refused.status_code == 400, field
        assert f'href="#{field}"' in refused.text and words in refused.text, refused.text
    assert _effective(web, "admin") == before


def test_a_person_of_another_council_never_sees_this_ones(
    web: WebClient, engine: Engine, web_clock: FrozenClock
) -> None:
    web.sign_in("admin")
    web.get(PAGE)
    web.post(PAGE, {"call_in_working_days": "9"})
    with unit_of_work(engine) as session:
        ctx = Ctx(session, web_clock, Settings(database_url=str(engine.url)))
        _council, _admin, token = create_council(
            ctx, CouncilIn(name="Elsewhere Borough", slug="elsewhere"), None
        )
    web.seeded.tokens["elsewhere"] = token
    web.sign_in("elsewhere")
    page = web.get(PAGE)
    assert page.status_code == 200
    assert "Elsewhere Borough" in page.text
    assert "Council&#39;s own" not in page.text and "Council's own" not in page.text
    assert _effective(web, "elsewhere")["call_in_working_days"] != 9
