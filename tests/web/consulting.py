"""Shared by the web tests of several consultees (issue 12, fault 8): a second Cabinet Member
in Sefton, and Sefton-shaped cases taken to delegated approval "in consultation with" one or
both of the Cabinet Members.

Cabinet decided on Thu 5 Sep 2024, its notice published Fri 6 Sep; call-in ends Fri 13 Sep,
so the delegate can sign off from Mon 16 Sep.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count

from sqlalchemy.engine import Engine
from webcase import ADMIN_TOKEN, Seeded

from workflow import demo
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.db import unit_of_work
from workflow.lifecycle.cases import create_case
from workflow.lifecycle.events import fire
from workflow.models import User
from workflow.people.users import ensure_admin
from workflow.register.agreements import create_agreement
from workflow.schemas import AgreementIn
from workflow.settings import Settings

APPROVED_AT = datetime(2024, 9, 6, 9, tzinfo=UTC)
SIGN_OFF_AT = datetime(2024, 9, 16, 9, tzinfo=UTC)
FINANCE = demo.DemoPerson(
    "finance_member",
    "Cllr Fin Finance (Cabinet Member for Finance)",
    "fin.finance@sefton.example.gov.uk",
    ["cabinet_member"],
)
SIGN_OFF = {
    "months": 6,
    "reasons": "A further term keeps the service going while it is re-procured.",
    "conflicts_of_interest": "None declared",
}
_REFS = count(1)


def add_finance_member(
    engine: Engine, clock: FrozenClock, settings: Settings, seeded: Seeded
) -> None:
    """The Cabinet Member for Finance, with a token and a name in ``seeded`` like the rest."""
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        cast = demo.Demo()
        demo.load_people(ctx, ensure_admin(ctx, ADMIN_TOKEN), [FINANCE], cast)
        user = cast.users[FINANCE.key]
        assert user.id is not None
        seeded.user_ids[FINANCE.key] = user.id
        seeded.tokens[FINANCE.key] = cast.tokens[FINANCE.key]
        seeded.names[FINANCE.key] = user.name


def submitted_cases(
    engine: Engine, clock: FrozenClock, settings: Settings, seeded: Seeded, n: int = 1
) -> list[int]:
    """``n`` cases, each over an agreement of its own, drafted and submitted now (before the
    agenda for Cabinet's meeting of Thu 5 Sep 2024 is published)."""
    ids: list[int] = []
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        officer = ctx.session.get(User, seeded.user_ids["officer"])
        assert officer is not None
        for _ in range(n):
            ref = f"CONSULT-{next(_REFS):04d}"
            agreement = create_agreement(
                ctx,
                AgreementIn(
                    reference=ref,
                    title=f"Day opportunities {ref}",
                    kind="contract",  # type: ignore[arg-type]
                    counterparty="Northway Day Services (fictional)",
                    directorate=demo.ASC,
                    annual_value_pence=19_500_000,
                    start_date=date(2019, 10, 1),
                    end_date=date(2024, 9, 30),
                    award_value_pence=97_500_000,
                    **demo.SEFTON_PROCUREMENT,
                ),
                officer,
            )
            case = create_case(
                ctx,
                demo.sefton_case_in([agreement.id or 0]).model_copy(
                    update={"title": f"Day opportunities {ref}: extension"}
                ),
                officer,
            )
            ids.append(case.id or 0)
            fire(ctx, case.id or 0, "submit", officer)
    return ids


def delegate(
    engine: Engine,
    clock: FrozenClock,
    settings: Settings,
    seeded: Seeded,
    ids: list[int],
    consultees: list[str],
) -> None:
    """Cabinet's approval of each case recorded on Fri 6 Sep 2024, delegating to the Executive
    Director in consultation with ``consultees`` (keys of ``seeded.user_ids``), in order."""
    clock.travel_to(max(clock.now(), APPROVED_AT))
    with unit_of_work(engine) as session:
        ctx = Ctx(session, clock, settings)
        clerk = ctx.session.get(User, seeded.user_ids["clerk"])
        assert clerk is not None
        for case_id in ids:
            fire(
                ctx,
                case_id,
                "approve",
                clerk,
                {
                    "resolution": "Extend; further terms delegated.",
                    "decided_on": date(2024, 9, 5),
                    "notice_published_on": date(2024, 9, 6),
                    "delegate_id": seeded.user_ids["executive"],
                    "consultee_ids": [seeded.user_ids[k] for k in consultees],
                    "max_months": 12,
                },
            )
