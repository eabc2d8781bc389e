"""The order ``fire`` gives its reasons in (SPEC §3): the event (404), the case (404), the
caller's version (412), the state (409 with the events allowed), the right to fire it (403),
the payload (422), the guards (409 naming each). Each test sends a request with several faults
and removes them one at a time, so each reason is shown to come before the next; and whatever
the refusal, nothing changes.

An event that cannot happen from the case's state is answered as such even with an empty or
malformed body: nobody is sent to correct a payload for an event that was never possible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from casework import APPROVED_AT, Work, approve_payload, new_case, snapshot, to_cabinet

from workflow.clock import FrozenClock
from workflow.context import Ctx
from workflow.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    TransitionRefused,
)
from workflow.lifecycle.events import fire
from workflow.models import User

People = dict[str, User]


def refusal(work: Work, case_id: int | None, call: Callable[[Ctx], Any]) -> DomainError:
    """The error ``call`` raises; the case (if any) is exactly as it was."""
    with work() as ctx:
        before = snapshot(ctx, case_id) if case_id is not None else None
    with work() as ctx:
        with pytest.raises(DomainError) as info:
            call(ctx)
        if case_id is not None:
            assert snapshot(ctx, case_id) == before
    return info.value


def test_the_state_is_answered_before_the_payload(work: Work, people: People) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    for body in (None, {}, {"resolution": 42, "not_a_field": True}):
        exc = refusal(
            work,
            case_id,
            lambda ctx, body=body: fire(ctx, case_id, "approve", people["clerk"], body),
        )
        assert isinstance(exc, TransitionRefused), (body, exc)
        assert exc.status == 409
        assert (exc.state, exc.allowed_events, exc.guards) == ("drafted", [], [])
    # The events allowed are the caller's, whatever the body they sent.
    exc = refusal(work, case_id, lambda ctx: fire(ctx, case_id, "approve", people["officer"]))
    assert isinstance(exc, TransitionRefused)
    assert exc.allowed_events == ["submit", "withdraw"]


def test_each_reason_comes_before_the_next(work: Work, clock: FrozenClock, people: People) -> None:
    officer, clerk = people["officer"], people["clerk"]
    with work() as ctx:
        case_id = new_case(ctx, people)

    def attempt(event: str, actor: User, body: Any, version: int | None = None) -> DomainError:
        return refusal(
            work,
            case_id,
            lambda ctx: fire(ctx, case_id, event, actor, body, expected_version=version),
        )

    bad_body = {"decided_on": "not a date"}
    # Every fault at once: no such event comes first, then no such case.
    exc = attempt("rubber_stamp", officer, bad_body, version=99)
    assert isinstance(exc, NotFound) and "there is no event 'rubber_stamp'" in exc.detail
    exc = refusal(work, None, lambda ctx: fire(ctx, 424242, "approve", officer, bad_body, 99))
    assert isinstance(exc, NotFound) and "424242" in exc.detail
    # A stale version, from the wrong state, by the wrong person, with a bad body: 412.
    assert isinstance(attempt("approve", officer, bad_body, version=99), PreconditionFailed)
    # Current version: the state refuses it (409), before the right or the body.
    exc = attempt("approve", officer, bad_body, version=1)
    assert isinstance(exc, TransitionRefused) and exc.guards == []

    to_cabinet(work, people, case_id)
    clock.travel_to(APPROVED_AT)
    # The right state: the wrong person is refused (403) before the body is read.
    exc = attempt("approve", officer, bad_body)
    assert isinstance(exc, Forbidden) and "democratic services" in exc.detail
    # The right person: now the body (422), naming its fields.
    exc = attempt("approve", clerk, bad_body)
    assert isinstance(exc, InvalidInput)
    assert {"decided_on", "resolution", "delegate_id"} <= {p.field for p in exc.problems}
    # A well-formed body: the guards (409), each failing one named.
    exc = attempt("approve", clerk, approve_payload(people, delegate_id=officer.id))
    assert isinstance(exc, TransitionRefused)
    assert [g.name for g in exc.guards] == ["delegate_is_executive", "delegate_is_not_author"]
    assert exc.allowed_events == ["defer", "refer_back", "approve", "reject"]
    # Nothing wrong: it fires.
    with work() as ctx:
        assert fire(ctx, case_id, "approve", clerk, approve_payload(people)).state == (
            "delegated_approval"
        )


def test_who_may_fire_it_is_answered_before_the_payload(work: Work, people: People) -> None:
    with work() as ctx:
        case_id = new_case(ctx, people)
    exc = refusal(work, case_id, lambda ctx: fire(ctx, case_id, "withdraw", people["viewer"], {}))
    assert isinstance(exc, Forbidden)
    exc = refusal(work, case_id, lambda ctx: fire(ctx, case_id, "withdraw", people["officer"], {}))
    assert isinstance(exc, InvalidInput) and [p.field for p in exc.problems] == ["reason"]
