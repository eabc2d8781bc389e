"""The procurement notice form when two modifications owe the same notice (issue 9).

Each modification owes its own notices (``workflow.procurement.notices.modifications_made``),
so after two sign-offs in a row a contract owes two reg 72(3) modification notices. The form
offers each for its own term, and the radio it posts names that term (``NoticeIn.term_start``),
so recording one leaves the other owed; without the term the domain would refuse the record
as ambiguous.
"""

from __future__ import annotations

from datetime import date

from casework import Work, two_sign_offs_on_unforeseen_circumstances
from sqlmodel import select

from api.web.forms import Errors
from api.web.notice_forms import Choice, _body, choices, notice_rows
from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.lifecycle.bundle import CaseBundle, get_case, load
from workflow.lifecycle.procurement_notices import owed_now, record_procurement_notice
from workflow.models import Deadline, User
from workflow.procurement.notices import NoticeDue
from workflow.schemas import NoticeIn

MN = "modification_notice"


def _owed(ctx: Ctx, case_id: int) -> tuple[CaseBundle, list[NoticeDue]]:
    bundle = load(ctx, get_case(ctx, case_id))
    return bundle, owed_now(ctx, bundle)


def _choices(ctx: Ctx, case_id: int) -> list[Choice]:
    return choices(*_owed(ctx, case_id))


def test_each_modification_s_notice_is_offered_for_its_own_term_and_recorded_for_it(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    case_id = two_sign_offs_on_unforeseen_circumstances(work, clock, people)
    with work() as ctx:
        offered = [c for c in _choices(ctx, case_id) if c.value.startswith(MN)]
    with work() as ctx:
        rows = notice_rows(*_owed(ctx, case_id), ctx.today())
    # The case page's table: one row per modification, each naming its term.
    assert sorted((r["term_start"], len(r["agreements"])) for r in rows if r["kind"] == MN) == [
        (date(2024, 10, 1), 2),
        (date(2025, 4, 1), 2),
    ]
    # Two agreements, two terms: "all" and each agreement, for each term.
    by_term = {
        term: [c for c in offered if c.value.endswith(term)]
        for term in ("2024-10-01", "2025-04-01")
    }
    assert [len(v) for v in by_term.values()] == [3, 3]
    assert all("for the term from 1 October 2024" in c.text for c in by_term["2024-10-01"])
    assert all("for the term from 1 April 2025" in c.text for c in by_term["2025-04-01"])
    assert {c.hint for c in by_term["2024-10-01"]} == {"Due by 16 October 2024"}
    assert {c.hint for c in by_term["2025-04-01"]} == {"Due by 13 November 2024"}

    # The form's body for the first term's "all" radio names that term, and records it alone.
    everyone = next(c for c in by_term["2024-10-01"] if ":all:" in c.value)
    parts = {"day": "14", "month": "10", "year": "2024"}
    errors = Errors()
    body = _body({"kind": everyone.value, "published_on": parts, "reference": ""}, errors)
    assert not errors and body["term_start"] == "2024-10-01" and body["agreement_id"] is None
    with work() as ctx:
        record_procurement_notice(ctx, case_id, NoticeIn.model_validate(body), people["officer"])
    with work() as ctx:
        rows = ctx.session.exec(
            select(Deadline).where(Deadline.case_id == case_id, Deadline.kind == MN)
        ).all()
        assert sorted((d.occasion, d.status) for d in rows if d.status != "cancelled") == [
            (date(2024, 10, 1), "done"),
            (date(2024, 10, 1), "done"),
            (date(2025, 4, 1), "open"),
            (date(2025, 4, 1), "open"),
        ]
        left = _choices(ctx, case_id)
    # Only the second term's notice is left, and with one term owing it the label says no term.
    assert {c.value.rsplit(":", 1)[1] for c in left if c.value.startswith(MN)} == {"2025-04-01"}
    assert not any("for the term from" in c.text for c in left)
