"""The cases list and the case page.

The case page shows what ``workflow.lifecycle.views.case_view`` gives this viewer (so exempt
content is
already redacted), the audit trail from ``audit_of`` (redacted the same way), and only the
actions ``events_allowed`` says the viewer may take now.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from api.params import Cursor, Id
from api.web import queries
from api.web.event_forms import why_not
from api.web.forms import sentence
from api.web.labels import deadline_label
from api.web.machine_view import mermaid_source, state_cards
from api.web.notice_forms import choices, notice_rows
from api.web.pages import Page, WebRoute, signed_in
from api.web.templating import long_date
from workflow.lifecycle import cases, consultations
from workflow.lifecycle.bundle import CaseBundle, get_case, load
from workflow.lifecycle.cases import list_cases
from workflow.lifecycle.decision import decide, guard_context
from workflow.lifecycle.guards import consultees_outstanding
from workflow.lifecycle.machine import events_from
from workflow.lifecycle.procurement_notices import may_record, owed_now
from workflow.lifecycle.views import audit_of, cabinet_record, case_view
from workflow.models import State
from workflow.register.read import AgreementScope

router = APIRouter(route_class=WebRoute)

# Events people fire from the page; ``expire`` belongs to the scheduler alone.
PAGE_EVENTS_EXCLUDED = {"expire"}


@router.get("/cases")
def cases_list(request: Request, state: str | None = None, cursor: Cursor = None) -> Response:
    with signed_in(request) as page:
        wanted = state if state in {s.value for s in State} else None
        rows, next_cursor = list_cases(page.ctx, state=wanted, cursor=cursor, limit=50)
        return page.render(
            "cases.html",
            {
                "cases": rows,
                "state": wanted,
                "states": [s.value for s in State],
                "next_cursor": next_cursor,
                "names": queries.names(page.ctx, {c.author_id for c in rows}),
            },
        )


def may_edit_draft(page: Page, bundle: CaseBundle) -> bool:
    """Whether to offer the edit link: the rule ``workflow.lifecycle.cases.patch_case`` enforces."""
    return cases.may_edit_draft(page.ctx, bundle, page.me)


def may_record_consultation(page: Page, bundle: CaseBundle) -> bool:
    """Whether to offer the consultation form: the domain's own rule."""
    return consultations.may_record_consultation(bundle, page.me)


def not_yet(page: Page, bundle: CaseBundle, allowed: list[str]) -> dict[str, list[str]]:
    """Events the viewer would be the one to fire from this state, but cannot yet: why not."""
    out = {}
    for event in events_from(bundle.case.state):
        if event in allowed or event in PAGE_EVENTS_EXCLUDED:
            continue
        reasons = why_not(decide(page.ctx, bundle, page.me, event))
        if reasons and not reasons[0].startswith("This may be done by"):
            out[event] = reasons
    return out


def case_context(page: Page, bundle: CaseBundle) -> dict[str, Any]:
    ctx = page.ctx
    view = case_view(ctx, bundle, page.me)
    allowed = [e for e in view["allowed_events"] if e not in PAGE_EVENTS_EXCLUDED]
    timeline = audit_of(ctx, bundle, page.me, limit=200)
    deadline_ids = [d["id"] for d in view["deadlines"]]
    owed = owed_now(ctx, bundle)  # the notices table and whether to offer the form
    delegation = view["delegation"] or {}
    people = queries.names(
        ctx,
        {
            bundle.case.author_id,
            delegation.get("delegate_id"),
            *(delegation.get("consultee_ids") or []),
            (view["public_interest"] or {}).get("decided_by_id"),
            *(e["actor_id"] for e in timeline),
        },
    )
    return {
        "case": view,
        "bundle": bundle,
        "allowed": allowed,
        "not_yet": not_yet(page, bundle, allowed),
        "held_back": [sentence(h["reason"]) for h in view["held_back"]],
        "may_edit": may_edit_draft(page, bundle),
        "may_consult": may_record_consultation(page, bundle),
        # Which consultees no consultation yet covers (issue 12, fault 8): the guard's list.
        "to_consult": consultees_outstanding(guard_context(ctx, bundle, page.me)),
        "may_record_notice": may_record(bundle, page.me) and bool(choices(bundle, owed)),
        "procurement_notices": notice_rows(bundle, owed, ctx.today()),
        "timeline": [(e, timeline_details(e)) for e in timeline],
        "deadline_rows": deadline_rows(
            view["deadlines"],
            queries.reminders_by_deadline(ctx, deadline_ids),
            {a.id: a.reference for a in bundle.agreements if a.id is not None},
        ),
        "people": people,
        "cards": state_cards(view["state"]),
        "mermaid": mermaid_source(view["state"]),
        "agreements": AgreementScope(ctx, page.me).read(bundle.agreements),
        "consultations": bundle.consultations if not view["redacted"] else [],
        "cabinet_record": cabinet_record(ctx, bundle, page.me),
    }


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: Id) -> Response:
    with signed_in(request) as page:
        bundle = load(page.ctx, get_case(page.ctx, case_id))
        return page.render("case.html", case_context(page, bundle))


def timeline_details(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """The parts of an audit event worth a line on the timeline, as (label, text) pairs.

    ``entry`` comes from ``audit_of``, already redacted for the viewer; this only picks
    and words what is there."""
    data = entry.get("data") or {}
    raw = data.get("payload")
    payload: dict[str, Any] = raw if isinstance(raw, dict) else {}
    picks = [
        ("resolution", "Resolution"),
        ("reason", "Reason"),
        ("reasons", "Reasons"),
        ("months", "Months"),
        ("meeting_date", "Meeting"),
        ("decided_on", "Decided on"),
        ("notice_published_on", "Decision notice published"),
        ("conflicts_of_interest", "Conflicts of interest"),
    ]
    dates = {"meeting_date", "decided_on", "notice_published_on"}
    out = [
        (label, long_date(payload[key]) if key in dates else str(payload[key]))
        for key, label in picks
        if payload.get(key) not in (None, "")
    ]
    if entry.get("event") == "consultation":
        if data.get("consulted_on"):
            out.append(("Consulted on", long_date(data["consulted_on"])))
        if data.get("response"):
            out.append(("Response", str(data["response"])))
    notice = data.get("notice")
    if entry.get("event") == "notice" and isinstance(notice, dict):
        out += _notice_details(notice)
    if entry.get("event") == "patch" and isinstance(data.get("changes"), dict):
        out.append(("Changed", ", ".join(k.replace("_", " ") for k in data["changes"])))
    term = data.get("term")
    if isinstance(term, dict) and term.get("end_date"):
        out.append(
            ("Term", f"{long_date(term.get('start_date'))} to {long_date(term['end_date'])}")
        )
    if isinstance(data.get("redacted"), dict):
        out.append(("Exempt", str(data["redacted"].get("reason", ""))))
    return out


def _notice_details(notice: dict[str, Any]) -> list[tuple[str, str]]:
    """A recorded notice on the timeline: which, published when, its reference."""
    out = [("Notice", deadline_label(str(notice.get("kind", ""))))]
    if notice.get("published_on"):
        out.append(("Published on", long_date(notice["published_on"])))
    if notice.get("reference"):
        out.append(("Reference", str(notice["reference"])))
    return out


def deadline_rows(
    deadlines: list[dict[str, Any]],
    reminders: dict[int, list[Any]],
    references: dict[int, str],
) -> list[dict[str, Any]]:
    """The case's deadlines for the table: one row per kind, date and status, so thirteen
    agreements ending on one day are one line naming them all, and their reminders (one per
    agreement at each moment) are counted rather than listed thirteen times."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for d in deadlines:
        key = (d["kind"], d["due_on"], d["status"])
        row = rows.setdefault(
            key,
            {
                "kind": d["kind"],
                "due_on": d["due_on"],
                "status": d["status"],
                "overdue": False,
                "references": [],
                "reminders": {},
            },
        )
        row["overdue"] = row["overdue"] or d["overdue"]
        if d["agreement_id"] is not None:
            row["references"].append(references.get(d["agreement_id"], str(d["agreement_id"])))
        for r in reminders.get(d["id"], []):
            moment = (r.fire_at, r.purpose, r.offset_days, r.channel, r.status)
            row["reminders"][moment] = row["reminders"].get(moment, 0) + 1
    out = []
    for row in rows.values():
        row["reminders"] = [
            {
                "fire_at": fire_at,
                "purpose": purpose,
                "offset_days": offset,
                "channel": channel,
                "status": status,
                "count": count,
            }
            for (fire_at, purpose, offset, channel, status), count in sorted(
                row["reminders"].items(), key=lambda item: item[0][0]
            )
        ]
        out.append(row)
    return out
