"""How many SQL statements one ``defer`` costs, from loading the case to the final flush
(issue 8: a transition reads what it needs once and writes with as few statements as it can).

Counted with a ``before_cursor_execute`` listener on the engine, never timed.
"""

from __future__ import annotations

from casework import Work, new_case, to_cabinet
from sqlalchemy.engine import Engine
from statements import counting

from workflow.lifecycle.events import fire
from workflow.models import User

# Issue 8 asks for at most 12 (it was 35). Today it is 9: the case locked with its report and
# options (1), agreements (1), resolutions with delegations and consultations (1), sign-offs
# (1), the case's one UPDATE (1), the audit append (2: the case chain's last link, the event),
# stored deadlines (1) and every human user for the recipients (1).
DEFER_BOUND = 9

DEFER = {"reason": "Later on the same agenda.", "meeting_date": "2024-09-05"}


def test_a_defer_costs_at_most_the_bound(
    engine: Engine, work: Work, people: dict[str, User]
) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    to_cabinet(work, people, case_id)
    clerk = people["clerk"]
    with work() as ctx:
        ctx.session.get(User, clerk.id)  # the caller is known before the domain call
        with counting(engine) as seen:
            fire(ctx, case_id, "defer", clerk, DEFER)
    statements = [s for s in seen if not s.lstrip().upper().startswith(("BEGIN", "SAVEPOINT"))]
    assert len(statements) <= DEFER_BOUND, "\n\n".join(statements)
    assert sum(s.lstrip().upper().startswith("UPDATE CASES") for s in statements) == 1
