"""Issue 12, fault 8: the extension notice period is the agreement's own where it has one.

A term to Mon 31 Mar 2025: with the council's default of 3 months the option is decided by
Tue 31 Dec 2024; with a contract that asks for 6 months' notice, by Mon 30 Sep 2024.
"""

from __future__ import annotations

from datetime import date

import pytest
from casework import PROCUREMENT, Work, case_in, deadline_kinds, to_active

from workflow.clock import FrozenClock
from workflow.lifecycle.cases import create_case
from workflow.models import User, pk
from workflow.register.agreements import create_agreement
from workflow.schemas import AgreementIn


@pytest.mark.parametrize(
    ("notices", "due"),
    [
        ([None, None], date(2024, 12, 31)),
        ([None, 6], date(2024, 9, 30)),
        ([2, 2], date(2025, 1, 31)),
    ],
)
def test_the_option_is_decided_by_the_longest_notice_of_the_agreements(
    work: Work, clock: FrozenClock, people: dict[str, User], notices: list[int | None], due: date
) -> None:
    with work() as ctx:
        ids = []
        for n, months in enumerate(notices):
            agreement = create_agreement(
                ctx,
                AgreementIn(
                    reference=f"NOTICE-{due.isoformat()}-{n}",
                    title="Day services",
                    kind="contract",  # type: ignore[arg-type]
                    counterparty="Fictional Provider Ltd",
                    directorate="Adult Social Care",
                    annual_value_pence=1_000_000,
                    start_date=date(2020, 10, 1),
                    end_date=date(2024, 9, 30),
                    extension_notice_months=months,
                    award_value_pence=4_000_000,
                    **PROCUREMENT,
                ),
                people["officer"],
            )
            ids.append(pk(agreement.id))
        case_id = pk(create_case(ctx, case_in(ids), people["officer"]).id)
    to_active(work, clock, people, case_id)
    with work() as ctx:
        assert deadline_kinds(ctx, case_id)["extension_option_decision"] == {due}
