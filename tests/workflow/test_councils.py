"""Councils (issue 10): creating them, their constitution settings over the installation's,
and the one read scope and change unit filtering by the council a unit of work entered."""

from __future__ import annotations

import pytest
from casework import Work, new_case
from sqlmodel import select

from workflow.councils.constitution import effective
from workflow.councils.councils import create_council, enter, set_constitution
from workflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from workflow.lifecycle.bundle import get_case
from workflow.lifecycle.cases import list_cases
from workflow.lifecycle.change import open_case
from workflow.models import Council, User
from workflow.schemas import CouncilIn


def test_a_new_council_starts_with_the_installations_settings_and_its_own_admin(
    work: Work, people: dict[str, User]
) -> None:
    with work() as ctx:
        council, admin, token = create_council(ctx, CouncilIn(name="Oldham", slug="oldham"), None)
        assert council.settings == {} and effective(ctx.settings, council.settings) is ctx.settings
        assert admin.council_id == council.id and admin.roles == ["admin"] and token
        with pytest.raises(Conflict):
            create_council(ctx, CouncilIn(name="Again", slug="oldham"), None)
        with pytest.raises(InvalidInput):
            create_council(ctx, CouncilIn(name="Bad", slug="Not A Slug"), None)
        with pytest.raises(Forbidden):  # an admin of a council is no platform operator
            create_council(ctx, CouncilIn(name="Mine", slug="mine"), admin)


def test_constitution_settings_override_the_installations_and_are_checked(work: Work) -> None:
    with work() as ctx:
        council = ctx.session.exec(select(Council)).one()
        set_constitution(ctx, council, {"call_in_working_days": 10, "reminder_hour": 8})
        own = effective(ctx.settings, council.settings)
        assert (own.call_in_working_days, own.reminder_hour) == (10, 8)
        assert own.forward_plan_clear_days == ctx.settings.forward_plan_clear_days
        for wrong in ({"database_url": "x"}, {"reminder_hour": 99}, {"call_in_working_days": "x"}):
            with pytest.raises(InvalidInput):
                set_constitution(ctx, council, wrong)
        assert council.settings == {"call_in_working_days": 10, "reminder_hour": 8}


def test_another_councils_case_is_not_found_by_the_scope_or_the_change_unit(
    work: Work, people: dict[str, User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
        other, _, _ = create_council(ctx, CouncilIn(name="Oldham", slug="oldham"), None)
    with work() as ctx:
        enter(ctx, other)
        assert list_cases(ctx)[0] == []
        for reach in (get_case, open_case):
            with pytest.raises(NotFound, match=f"case {case_id} does not exist"):
                reach(ctx, case_id)
