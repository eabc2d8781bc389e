"""Exempt information stays with those entitled to it (SPEC §6), however the case changes:
an officer who may not see it cannot overwrite or un-redact it, what was written while exempt
stays redacted after the paragraph is cleared, and the proposal's figures are hidden too."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from casework import Work, case_of, london, new_case, snapshot, to_active, to_delegated

from workflow.clock import FrozenClock
from workflow.errors import Forbidden, TransitionRefused
from workflow.lifecycle.bundle import load
from workflow.lifecycle.cases import patch_case
from workflow.lifecycle.events import events_allowed, expire_due, fire
from workflow.lifecycle.views import audit_of, case_view
from workflow.models import User
from workflow.schemas import CasePatch, ReportIn

SECRET = "Extend the day services while they are re-procured."  # casework's report summary


def exempt_draft(work: Work, people: dict[str, User]) -> int:
    with work() as ctx:
        return new_case(ctx, people, exempt_paragraph=3)


def test_an_officer_who_may_not_see_it_cannot_change_an_exempt_draft(
    work: Work, people: dict[str, User]
) -> None:
    case_id = exempt_draft(work, people)
    colleague = people["colleague"]  # an officer of the directorate, not the author
    for change in (
        CasePatch(exempt_paragraph=None),
        CasePatch(report=ReportIn(summary="Overwritten.")),
        CasePatch(title="A new title"),
    ):
        with work() as ctx, pytest.raises(Forbidden, match="exempt"):
            patch_case(ctx, case_id, change, colleague)
    with work() as ctx:
        case = case_of(ctx, case_id)
        assert case.exempt_paragraph == 3 and case.version == 1
        assert case_view(ctx, load(ctx, case), people["officer"])["report"]["summary"] == SECRET
    # The same colleague may change a draft that is not exempt.
    with work() as ctx:
        open_case = new_case(ctx, people)
    with work() as ctx:
        assert patch_case(ctx, open_case, CasePatch(title="Renamed"), colleague).version == 2


def _text(value: Any) -> str:
    return repr(value)


def test_what_was_written_while_exempt_stays_redacted_after_the_paragraph_is_cleared(
    work: Work, people: dict[str, User]
) -> None:
    case_id = exempt_draft(work, people)
    with work() as ctx:
        patch_case(ctx, case_id, CasePatch(exempt_paragraph=None), people["officer"])
        patch_case(ctx, case_id, CasePatch(title="Day services, now public"), people["officer"])
    with work() as ctx:
        bundle = load(ctx, case_of(ctx, case_id))
        viewer_sees = audit_of(ctx, bundle, people["viewer"])
        author_sees = audit_of(ctx, bundle, people["officer"])
    create, cleared, renamed = viewer_sees
    assert [e["event"] for e in viewer_sees] == ["create", "patch", "patch"]
    assert (
        SECRET not in _text(create["data"]) and create["data"]["redacted"]["exempt_paragraph"] == 3
    )
    assert cleared["data"]["redacted"]["exempt_paragraph"] == 3
    assert "redacted" not in renamed["data"]
    assert renamed["data"]["changes"] == {"title": "Day services, now public"}
    assert SECRET in _text(author_sees[0]["data"])


def test_a_viewer_sees_no_figures_of_an_exempt_proposal_or_envelope(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    case_id = exempt_draft(work, people)
    with work() as ctx:
        patch_case(
            ctx,
            case_id,
            CasePatch(
                private_notice_published_on=ctx.today(),
                private_further_notice_published_on=ctx.today(),
            ),
            people["officer"],
        )
    to_delegated(work, clock, people, case_id)
    with work() as ctx:
        bundle = load(ctx, case_of(ctx, case_id))
        seen = case_view(ctx, bundle, people["viewer"])
        full = case_view(ctx, bundle, people["executive"])
    assert seen["proposal"] == {
        "start_date": date(2024, 10, 1),
        "initial_months": None,
        "max_months": None,
        "ground": "provided_for",  # the ground is no figure: shown to everyone (issue 9)
    }
    assert seen["value_pence"] is None
    delegation = seen["delegation"]
    # The latest end date counts back to max_months (issue 14, 2c), and the deadline on it too.
    figures = ("max_months", "latest_end_date", "months_used", "months_left")
    assert [delegation[k] for k in figures] == [None] * 4
    assert "envelope_exhausted" not in {d["kind"] for d in seen["deadlines"]}
    assert full["delegation"]["latest_end_date"] == date(2025, 9, 30)
    assert "envelope_exhausted" in {d["kind"] for d in full["deadlines"]}
    assert full["proposal"]["max_months"] == 12 and full["delegation"]["months_left"] == 12


def test_an_unentitled_officer_is_refused_before_the_guards_so_no_refusal_names_a_figure(
    work: Work, clock: FrozenClock, people: dict[str, User]
) -> None:
    """Issue 14, "from a refused event": an officer who may not see an exempt case's
    figures firing ``extend`` with 240 months was told what was left of the envelope. Now
    they are refused (403) before any guard runs; the scheduler still expires the case."""
    case_id = exempt_draft(work, people)
    with work() as ctx:
        patch_case(
            ctx,
            case_id,
            CasePatch(
                private_notice_published_on=ctx.today(),
                private_further_notice_published_on=ctx.today(),
            ),
            people["officer"],
        )
    to_active(work, clock, people, case_id)
    outsider = people["outsider"]  # an officer of another directorate: may fire extend
    with work() as ctx:
        before = snapshot(ctx, case_id)
        with pytest.raises(Forbidden) as refused:
            fire(ctx, case_id, "extend", outsider, {"months": 240, "reasons": "More time."})
        assert not any(ch.isdigit() for ch in refused.value.detail), refused.value.detail
        assert "exempt" in refused.value.detail
        assert events_allowed(ctx, load(ctx, case_of(ctx, case_id)), outsider) == []
    with work() as ctx:
        assert snapshot(ctx, case_id) == before
    # Someone entitled to the figures is still given the guards' reasons, figures and all.
    with work() as ctx, pytest.raises(TransitionRefused) as guarded:
        fire(ctx, case_id, "extend", people["officer"], {"months": 240, "reasons": "More."})
    assert "envelope" in guarded.value.detail
    # The scheduler is no reader of the case: it expires it when the term has ended.
    clock.travel_to(london(2025, 4, 1, 0, 5))
    with work() as ctx:
        assert expire_due(ctx, people["system"]) == [case_id]
        assert case_of(ctx, case_id).state == "expired"
