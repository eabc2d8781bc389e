"""Who may draft a case is decided once, in ``workflow.people.permissions.may_draft``, and
``create_case`` refuses exactly those it says no to."""

from __future__ import annotations

import pytest
from casework import Work, case_in, small_agreements

from workflow.errors import Forbidden
from workflow.lifecycle.cases import create_case
from workflow.models import Role, User, pk
from workflow.people.permissions import may_draft

People = dict[str, User]


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_only_an_officer_may_draft(role: str) -> None:
    actor = User(name="Someone", email="someone@example.org", roles=[role], token_hash="x")
    assert may_draft(actor) is (role == "officer")


def test_an_officer_with_other_roles_may_still_draft() -> None:
    actor = User(name="Both", email="both@example.org", roles=["viewer", "officer"], token_hash="x")
    assert may_draft(actor)


def test_create_case_refuses_exactly_those_who_may_not_draft(work: Work, people: People) -> None:
    drafted = set()
    for who, person in people.items():
        with work() as ctx:
            agreements = small_agreements(ctx, people["officer"], [20_000])
            data = case_in([pk(a.id) for a in agreements])
        with work() as ctx:
            try:
                create_case(ctx, data, person)
            except Forbidden as refused:
                assert "only an officer may draft" in refused.detail
            else:
                drafted.add(who)
    assert drafted == {who for who, person in people.items() if may_draft(person)}
    assert "officer" in drafted and "viewer" not in drafted
