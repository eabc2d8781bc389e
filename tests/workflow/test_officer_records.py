"""Issue 12, fault 5: every sign-off has its own officer decision record (SI 2012/2089 reg 13),
with the officer's own alternatives and the consultee's interests and dispensation.

A first term of six months signed off on Mon 16 Sep 2024 and a further six on Mon 3 Feb 2025:
the September record is not lost when February's is made.
"""

from __future__ import annotations

from datetime import date

import pytest
from casework import (
    Work,
    case_of,
    london,
    new_case,
    sign_off_payload,
    to_active,
)

from workflow.clock import FrozenClock
from workflow.errors import NotFound
from workflow.lifecycle.bundle import load
from workflow.lifecycle.consultations import record_consultation
from workflow.lifecycle.events import fire
from workflow.lifecycle.views import decision_record
from workflow.models import User, pk
from workflow.schemas import ConsultationIn

OWN = "A three-month term: too short to finish the procurement."


def test_each_sign_off_keeps_its_own_record(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_active(work, clock, people, case_id)
    clock.travel_to(london(2025, 2, 3))
    with work() as ctx:
        fire(ctx, case_id, "extend", people["officer"], {"months": 6, "reasons": "More time."})
    with work() as ctx:
        record_consultation(
            ctx,
            case_id,
            ConsultationIn(
                consultee_id=pk(people["cabinet_member"].id),
                consulted_on=date(2025, 2, 3),
                response="Agree the further six months.",
                conflicts_of_interest="A relative works for one provider.",
                dispensation="Standards committee dispensation of 1 Jan 2025.",
            ),
            people["cabinet_member"],
        )
    with work() as ctx:
        body = sign_off_payload(6, alternatives_rejected=OWN)
        fire(ctx, case_id, "sign_off", people["executive"], body)
    with work() as ctx:
        bundle = load(ctx, case_of(ctx, case_id))
        first, second = (pk(s.id) for s in bundle.sign_offs)
        latest = decision_record(ctx, bundle, people["officer"])
        assert latest["sign_off_id"] == second
        assert latest["sign_off_ids"] == [first, second]
        assert latest["regulation"] == "SI 2012/2089 reg 13"
        assert latest["date"] == date(2025, 2, 3)
        assert latest["officer_alternatives_rejected"] == OWN
        assert latest["alternatives_rejected"] == []  # Cabinet's options are not the officer's
        assert [o["label"] for o in latest["cabinet_record"]["alternatives_rejected"]] == [
            "Let it end"
        ]
        assert latest["consultee"]["response"] == "Agree the further six months."
        assert latest["consultee"]["conflicts_of_interest"] == "A relative works for one provider."
        assert latest["consultee"]["dispensation"].startswith("Standards committee")

        earlier = decision_record(ctx, bundle, people["officer"], sign_off_id=first)
        assert earlier["date"] == date(2024, 9, 16)
        assert earlier["term"] == {
            "months": 6,
            "start_date": date(2024, 10, 1),
            "end_date": date(2025, 3, 31),
        }
        assert earlier["consultee"]["response"] == "Agreed."
        assert earlier["consultee"]["consulted_on"] == date(2024, 9, 10)
        assert earlier["officer_alternatives_rejected"] is None
        with pytest.raises(NotFound):
            decision_record(ctx, bundle, people["officer"], sign_off_id=second + 1000)
