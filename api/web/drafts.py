"""Drafting a case and editing the draft: one form for ``CaseIn`` / ``CasePatch``.

Options considered are added and removed on the page with plain submit buttons that post the
form and show it again, so it works with no script at all and loses nothing typed. Only
"Save" writes: through ``workflow.lifecycle.cases.create_case`` or ``patch_case``, whose schemas and
rules answer; their problems come back next to the fields they are about.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from sqlmodel import col, select
from starlette.requests import Request
from starlette.responses import Response

from api.params import Id
from api.web import forms
from api.web.cases import may_edit_draft
from api.web.forms import Errors
from api.web.pages import Page, WebRoute, attempt, signed_in
from workflow.errors import Forbidden
from workflow.lifecycle.bundle import get_case, load
from workflow.lifecycle.cases import create_case, patch_case
from workflow.lifecycle.events import invalid_input
from workflow.lifecycle.guards import OFFICES_IN_ORDER
from workflow.lifecycle.parts import ITEMS
from workflow.lifecycle.views import case_view
from workflow.models import Agreement, Case
from workflow.people.permissions import may_draft
from workflow.people.users import users_with_role
from workflow.procurement.grounds import GROUND_WORDS
from workflow.schemas import CaseIn, CasePatch

router = APIRouter(route_class=WebRoute)

DATE_FIELDS = {
    "proposal_start_date": "Start of the new term",
    "meeting_date": "Date of the Cabinet meeting",
    "forward_plan_published_on": "Date the forward plan notice was published",
    "private_notice_published_on": "Date the private meeting notice was published",
    "urgency_notified_on": "Date the scrutiny chair was told",
    "urgency_agreed_on": "Date the special urgency was agreed",
    "public_interest_decided_on": "Date the public interest was weighed",
    "exemption_review_on": "Date the exemption is reviewed",
    "exemption_lapses_on": "Date the exemption lapses",
}
NUMBER_FIELDS = {
    "proposal_initial_months": "Months at first",
    "proposal_max_months": "Most months in all",
    "exempt_paragraph": "Exempt paragraph",
    "part_b_paragraph": "Part B paragraph",
}
TEXT_FIELDS = (
    "kind",
    "title",
    "directorate",
    "agenda_item",
    "key_decision",
    "urgency_route",
    "urgency_reason",
    "urgency_agreed_by",
    "urgency_person_id",
    "urgency_precedence_note",
    "summary",
    "recommended_option",
    "reasons",
    "financial_implications",
    "add_references",
    "proposal_ground",
    "part_b_heading",
    "part_b_content",
    "part_b_more",  # Part B items beyond the first (API-made), carried through unchanged
    "public_interest_by",
    "public_interest_reasons",
)
COVERS = {item: words[:1].upper() + words[1:] for item, words in ITEMS.items()}
OPTION_PARTS = ("label", "description", "rejected_reason")
MIN_OPTIONS = 2  # the report needs two to be complete; start the page with room for them

# Where each schema field's problem is shown, and its name in the summary.
FIELD_IDS = {
    "kind": "kind",
    "title": "title",
    "directorate": "directorate",
    "agreement_ids": "agreement_ids",
    "meeting_date": "meeting_date-day",
    "agenda_item": "agenda_item",
    "key_decision": "key_decision",
    "forward_plan_published_on": "forward_plan_published_on-day",
    "exempt_paragraph": "exempt_paragraph",
    "private_notice_published_on": "private_notice_published_on-day",
    "urgency": "urgency_route",
    "urgency.route": "urgency_route",
    "urgency.reason": "urgency_reason",
    "urgency.notified_on": "urgency_notified_on-day",
    "urgency.agreed_by": "urgency_agreed_by",
    "urgency.chair_told_id": "urgency_person_id",
    "urgency.agreed_by_id": "urgency_person_id",
    "urgency.agreed_on": "urgency_agreed_on-day",
    "urgency.precedence_note": "urgency_precedence_note",
    "proposal": "proposal_initial_months",
    "proposal.start_date": "proposal_start_date-day",
    "proposal.initial_months": "proposal_initial_months",
    "proposal.max_months": "proposal_max_months",
    "proposal.ground": "proposal_ground",
    "report.summary": "summary",
    "report.options": "option-0-label",
    "report.recommended_option": "recommended_option",
    "report.reasons": "reasons",
    "report.financial_implications": "financial_implications",
    "exempt_parts": "part_b_paragraph",
    "exempt_parts.0": "part_b_paragraph",
    "exempt_parts.0.paragraph": "part_b_paragraph",
    "exempt_parts.0.heading": "part_b_heading",
    "exempt_parts.0.content": "part_b_content",
    "exempt_parts.0.covers": "part_b_covers",
    "public_interest": "public_interest_by",
    "public_interest.decided_by_id": "public_interest_by",
    "public_interest.decided_on": "public_interest_decided_on-day",
    "public_interest.reasons": "public_interest_reasons",
    "exemption_review_on": "exemption_review_on-day",
    "exemption_lapses_on": "exemption_lapses_on-day",
}
FIELD_LABELS = {
    "kind": "Kind of case",
    "title": "Title",
    "directorate": "Directorate",
    "agreement_ids": "Agreements covered",
    "agenda_item": "Agenda item",
    "exempt_paragraph": "Exempt paragraph",
    "urgency": "Urgency",
    "urgency.reason": "Why it is urgent",
    "urgency.agreed_by": "Who agreed it cannot be deferred",
    "urgency.chair_told_id": "The office holder",
    "urgency.agreed_by_id": "The office holder",
    "urgency.precedence_note": "Why the offices before theirs could not act",
    "proposal": "Term",
    "proposal.initial_months": "Months at first",
    "proposal.max_months": "Most months in all",
    "proposal.ground": "Lawful ground",
    "report.summary": "Summary",
    "report.recommended_option": "Recommended option",
    "report.reasons": "Reasons for the recommendation",
    "report.financial_implications": "Financial implications",
    "exempt_parts": "Part B",
    "exempt_parts.0": "Part B",
    "exempt_parts.0.paragraph": "Part B paragraph",
    "exempt_parts.0.heading": "Part B heading",
    "exempt_parts.0.content": "Part B content",
    "exempt_parts.0.covers": "What else Part B takes in",
    "public_interest": "Public interest test",
    "public_interest.decided_by_id": "Who weighed the public interest",
    "public_interest.decided_on": DATE_FIELDS["public_interest_decided_on"],
    "public_interest.reasons": "Why the public interest favours the exemption",
    **{k: v for k, v in DATE_FIELDS.items()},
    "proposal.start_date": DATE_FIELDS["proposal_start_date"],
    "urgency.notified_on": DATE_FIELDS["urgency_notified_on"],
    "urgency.agreed_on": DATE_FIELDS["urgency_agreed_on"],
}


def _field_ids_for(options: int) -> dict[str, str]:
    ids = dict(FIELD_IDS)
    for i in range(options):
        for part in OPTION_PARTS:
            ids[f"report.options.{i}.{part}"] = f"option-{i}-{part}"
            ids[f"report.options.{i}"] = f"option-{i}-label"
    return ids


def _labels_for(options: int) -> dict[str, str]:
    labels = dict(FIELD_LABELS)
    words = {"label": "name", "description": "description", "rejected_reason": "reason rejected"}
    for i in range(options):
        for part in OPTION_PARTS:
            labels[f"report.options.{i}.{part}"] = f"Option {i + 1} {words[part]}"
    return labels


@dataclass
class Draft:
    """The form as typed: strings and date parts, so it can be shown again exactly."""

    values: dict[str, str] = field(default_factory=dict)
    dates: dict[str, dict[str, str]] = field(default_factory=dict)
    options: list[dict[str, str]] = field(default_factory=list)
    agreement_ids: list[int] = field(default_factory=list)  # ticked
    agreement_pool: list[int] = field(default_factory=list)  # shown

    @classmethod
    def blank(cls, directorate: str | None, agreement_ids: list[int]) -> Draft:
        return cls(
            values={"kind": "extension", "directorate": directorate or "", "key_decision": "no"},
            dates={name: forms.parts_of(None) for name in DATE_FIELDS},
            options=[dict.fromkeys(OPTION_PARTS, "") for _ in range(MIN_OPTIONS)],
            agreement_ids=list(agreement_ids),
            agreement_pool=list(agreement_ids),
        )

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> Draft:
        report = view.get("report") or {}
        urgency = view.get("urgency") or {}
        parts = view.get("exempt_parts") or []
        first = parts[0] if parts else {}
        test = view.get("public_interest") or {}
        proposal = view.get("proposal") or {}
        values = {
            "kind": view["kind"],
            "title": view["title"],
            "directorate": view["directorate"],
            "agenda_item": view.get("agenda_item") or "",
            "key_decision": "yes" if view.get("key_decision") else "no",
            "exempt_paragraph": str(view.get("exempt_paragraph") or ""),
            "urgency_route": urgency.get("route") or "none",
            "urgency_reason": urgency.get("reason") or "",
            "urgency_agreed_by": urgency.get("agreed_by") or "",
            "urgency_person_id": str(
                urgency.get("chair_told_id") or urgency.get("agreed_by_id") or ""
            ),
            "urgency_precedence_note": urgency.get("precedence_note") or "",
            "proposal_initial_months": str(proposal.get("initial_months") or ""),
            "proposal_max_months": str(proposal.get("max_months") or ""),
            "proposal_ground": str(proposal.get("ground") or ""),
            "summary": report.get("summary") or "",
            "recommended_option": report.get("recommended_option") or "",
            "reasons": report.get("reasons") or "",
            "financial_implications": report.get("financial_implications") or "",
            "part_b_paragraph": str(first.get("paragraph") or ""),
            "part_b_heading": first.get("heading") or "",
            "part_b_content": first.get("content") or "",
            "part_b_covers": ",".join(first.get("covers") or []),
            "part_b_more": json.dumps(
                [{k: p[k] for k in PART_KEYS} for p in parts[1:]] if len(parts) > 1 else []
            ),
            "public_interest_by": str(test.get("decided_by_id") or ""),
            "public_interest_reasons": test.get("reasons") or "",
        }
        dates = {
            "proposal_start_date": forms.parts_of(proposal.get("start_date")),
            "meeting_date": forms.parts_of(view.get("meeting_date")),
            "forward_plan_published_on": forms.parts_of(view.get("forward_plan_published_on")),
            "private_notice_published_on": forms.parts_of(view.get("private_notice_published_on")),
            "urgency_notified_on": forms.parts_of(urgency.get("notified_on")),
            "urgency_agreed_on": forms.parts_of(urgency.get("agreed_on")),
            "public_interest_decided_on": forms.parts_of(test.get("decided_on")),
            "exemption_review_on": forms.parts_of(view.get("exemption_review_on")),
            "exemption_lapses_on": forms.parts_of(view.get("exemption_lapses_on")),
        }
        options = [
            {part: (o.get(part) or "") for part in OPTION_PARTS} for o in report.get("options", [])
        ]
        while len(options) < MIN_OPTIONS:
            options.append(dict.fromkeys(OPTION_PARTS, ""))
        ids = list(view.get("agreement_ids") or [])
        return cls(values, dates, options, ids, list(ids))

    @classmethod
    def from_form(cls, page: Page) -> Draft:
        form = page.form
        values = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
        values |= {name: str(form.get(name, "")).strip() for name in NUMBER_FIELDS}
        values["part_b_covers"] = ",".join(c for c in form.getlist("part_b_covers") if c in COVERS)
        dates = {name: forms.date_parts(form, name) for name in DATE_FIELDS}
        count = _int(form.get("option_count")) or 0
        options = [
            {part: str(form.get(f"option-{i}-{part}", "")).strip() for part in OPTION_PARTS}
            for i in range(min(count, 20))
        ]
        ticked = [i for i in (_int(v) for v in form.getlist("agreement_ids")) if i is not None]
        pool = [i for i in (_int(v) for v in form.getlist("agreement_pool")) if i is not None]
        return cls(values, dates, options, ticked, list(dict.fromkeys(pool + ticked)))


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _add_references(page: Page, draft: Draft, errors: Errors) -> None:
    """Agreements typed by reference join the ticked ones (the register is searchable too)."""
    refs = [r.strip() for r in draft.values.get("add_references", "").replace(",", "\n").split()]
    refs = [r for r in refs if r]
    if not refs:
        return
    found = {
        a.reference: a.id
        for a in page.ctx.session.exec(
            select(Agreement).where(
                col(Agreement.reference).in_(refs), page.ctx.within(col(Agreement.council_id))
            )
        ).all()
    }
    missing = [r for r in refs if r not in found]
    if missing:
        errors.add("add_references", f"No agreement has the reference {', '.join(missing)}")
        return
    for ref in refs:
        ident = found[ref]
        assert ident is not None
        if ident not in draft.agreement_ids:
            draft.agreement_ids.append(ident)
        if ident not in draft.agreement_pool:
            draft.agreement_pool.append(ident)
    draft.values["add_references"] = ""


def to_input(draft: Draft, errors: Errors) -> dict[str, Any]:
    """The ``CaseIn`` shape. Blank optional fields are ``None`` (a draft may clear them);
    dates and numbers that are not well formed are reported here, the rest by the schema."""
    v = draft.values
    parsed_dates: dict[str, date | None] = {}
    for name, label in DATE_FIELDS.items():
        parsed_dates[name] = forms.date_from(draft.dates.get(name, {}), name, label, errors)
    numbers: dict[str, int | None] = {}
    for name, label in NUMBER_FIELDS.items():
        numbers[name] = forms.number_from(v.get(name), name, label, errors)
    urgency = None
    if v.get("urgency_route") in ("general_exception", "special_urgency"):
        urgency = {
            "route": v["urgency_route"],
            "reason": v.get("urgency_reason") or "",
            "notified_on": parsed_dates["urgency_notified_on"],
            "agreed_by": v.get("urgency_agreed_by") or None,
            # SI 2012/2089: the scrutiny chair told (reg 10) or the office holder who agreed
            # (reg 11), chosen from the people holding those offices.
            "chair_told_id" if v["urgency_route"] == "general_exception" else "agreed_by_id": (
                _int(v.get("urgency_person_id"))
            ),
            "agreed_on": parsed_dates["urgency_agreed_on"],
            "precedence_note": v.get("urgency_precedence_note") or None,
        }
    proposal: dict[str, Any] = {
        k: val
        for k, val in (
            ("start_date", parsed_dates["proposal_start_date"]),
            ("initial_months", numbers["proposal_initial_months"]),
            ("max_months", numbers["proposal_max_months"]),
            ("ground", v.get("proposal_ground") or None),
        )
        if val is not None
    }
    options = [
        {
            "label": o["label"],
            "description": o["description"],
            "rejected_reason": o["rejected_reason"] or None,
        }
        for o in draft.options
        if any(o.values())
    ]
    return {
        **_exemption_input(v, numbers["part_b_paragraph"], parsed_dates),
        "kind": v.get("kind") or None,
        "title": v.get("title") or "",
        "directorate": v.get("directorate") or "",
        "agreement_ids": list(draft.agreement_ids),
        "meeting_date": parsed_dates["meeting_date"],
        "agenda_item": v.get("agenda_item") or None,
        "key_decision": v.get("key_decision") == "yes",
        "forward_plan_published_on": parsed_dates["forward_plan_published_on"],
        "exempt_paragraph": numbers["exempt_paragraph"],
        "private_notice_published_on": parsed_dates["private_notice_published_on"],
        "urgency": urgency,
        "proposal": proposal,
        "report": {
            "summary": v.get("summary") or None,
            "options": options,
            "recommended_option": v.get("recommended_option") or None,
            "reasons": v.get("reasons") or None,
            "financial_implications": v.get("financial_implications") or None,
        },
    }


PART_KEYS = ("paragraph", "heading", "content", "covers")


def _exemption_input(
    v: dict[str, str], paragraph: int | None, dates: dict[str, date | None]
) -> dict[str, Any]:
    """Part B (the form's first part, and any further ones carried through), the
    public-interest test and the exemption's dates, in the ``CaseIn`` shape."""
    parts: list[Any] = []
    if paragraph is not None or v.get("part_b_heading") or v.get("part_b_content"):
        parts.append(
            {
                "paragraph": paragraph,
                "heading": v.get("part_b_heading") or "",
                "content": v.get("part_b_content") or None,
                "covers": [c for c in v.get("part_b_covers", "").split(",") if c],
            }
        )
    try:
        more = json.loads(v.get("part_b_more") or "[]")
    except ValueError:
        more = []
    parts += more if isinstance(more, list) else []
    test = None
    if v.get("public_interest_by") or v.get("public_interest_reasons"):
        test = {
            "decided_by_id": _int(v.get("public_interest_by")),
            "decided_on": dates["public_interest_decided_on"],
            "reasons": v.get("public_interest_reasons") or "",
        }
    return {
        "exempt_parts": parts or None,
        "public_interest": test,
        "exemption_review_on": dates["exemption_review_on"],
        "exemption_lapses_on": dates["exemption_lapses_on"],
    }


def _render(page: Page, draft: Draft, errors: Errors, case: Case | None) -> Response:
    pool = draft.agreement_pool
    agreements = (
        list(
            page.ctx.session.exec(
                select(Agreement)
                .where(col(Agreement.id).in_(pool), page.ctx.within(col(Agreement.council_id)))
                .order_by(col(Agreement.id))
            ).all()
        )
        if pool
        else []
    )
    return page.render(
        "draft.html",
        {
            "draft": draft,
            "case": case,
            "agreements": agreements,
            "errors": errors.summary(),
            "error_of": errors.message,
            "date_items": lambda name: forms.date_items(draft.dates.get(name, {}), name, errors),
            "date_labels": DATE_FIELDS,
            "office_holders": office_holders(page),
            "grounds": GROUND_WORDS,
            "proper_officers": proper_officers(page),
            "covers": COVERS,
        },
        status_code=400 if errors else 200,
    )


def office_holders(page: Page) -> list[tuple[int, str]]:
    """Everyone holding an office whose word counts for urgency (SI 2012/2089 regs 10, 11)."""
    out: dict[int, str] = {}
    for office, label in OFFICES_IN_ORDER:
        for user in users_with_role(page.ctx, office):
            if user.id is not None and user.id not in out:
                out[user.id] = f"{user.name} ({label})"
    return list(out.items())


def proper_officers(page: Page) -> list[tuple[int, str]]:
    """Who may be recorded as having weighed the public interest: democratic services (the
    proper officer's office) and the person drafting."""
    out = {u.id: u.name for u in users_with_role(page.ctx, "democratic_services") if u.id}
    if page.me.id is not None:
        out.setdefault(page.me.id, page.me.name)
    return list(out.items())


def _rework(page: Page, draft: Draft, errors: Errors) -> bool:
    """Handle the buttons that only change the form; answers whether one was pressed."""
    action = str(page.form.get("action", "save"))
    if action == "add_option":
        draft.options.append(dict.fromkeys(OPTION_PARTS, ""))
        return True
    if action.startswith("remove_option-"):
        index = _int(action.removeprefix("remove_option-"))
        if index is not None and 0 <= index < len(draft.options):
            del draft.options[index]
        return True
    return action == "add_agreements"


def _validate(
    model: type[CaseIn] | type[CasePatch], data: dict[str, Any], draft: Draft, errors: Errors
) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = invalid_input(exc, "the draft is not complete")
        forms.absorb(
            problems, errors, _field_ids_for(len(draft.options)), _labels_for(len(draft.options))
        )
        return None


def _only_changes(page: Page, case: Case, body: CasePatch) -> CasePatch | None:
    """The form sends every field; the patch (and so the audit trail) carries only the ones
    that differ from the draft as stored, or None when nothing does."""
    stored = to_input(Draft.from_view(case_view(page.ctx, load(page.ctx, case), page.me)), Errors())
    stored.pop("kind")
    try:
        before = CasePatch.model_validate(stored)
    except ValidationError:
        return body
    changed = {
        name for name in CasePatch.model_fields if getattr(body, name) != getattr(before, name)
    }
    if not changed:
        return None
    return CasePatch.model_validate(body.model_dump(include=changed))


@router.get("/cases/new")
def new_case(request: Request) -> Response:
    with signed_in(request) as page:
        if not may_draft(page.me):
            raise Forbidden("only an officer may draft a case")
        ids = [i for i in (_int(v) for v in request.query_params.getlist("agreement")) if i]
        return _render(page, Draft.blank(page.me.directorate, ids), Errors(), None)


@router.post("/cases/new")
def create(request: Request) -> Response:
    with signed_in(request) as page:
        draft = Draft.from_form(page)
        errors = Errors()
        _add_references(page, draft, errors)
        if _rework(page, draft, errors) or errors:
            return _render(page, draft, errors, None)
        data = to_input(draft, errors)
        body = _validate(CaseIn, data, draft, errors)
        if errors or body is None:
            return _render(page, draft, errors, None)
        made: list[Case] = []
        refused = attempt(page, lambda: made.append(create_case(page.ctx, body, page.me)))
        if refused is not None:
            forms.absorb(
                refused, errors, _field_ids_for(len(draft.options)), _labels_for(len(draft.options))
            )
            return _render(page, draft, errors, None)
        return page.redirect(f"/cases/{made[0].id}", flash="Your draft was saved.")


@router.get("/cases/{case_id}/edit")
def edit_case(request: Request, case_id: Id) -> Response:
    with signed_in(request) as page:
        bundle = load(page.ctx, get_case(page.ctx, case_id))
        if not may_edit_draft(page, bundle):
            raise Forbidden(
                "only a draft may be changed, by its author or an officer of its directorate; "
                "an exempt draft only by those of them who may see its exempt information"
            )
        draft = Draft.from_view(case_view(page.ctx, bundle, page.me))
        return _render(page, draft, Errors(), bundle.case)


@router.post("/cases/{case_id}/edit")
def update(request: Request, case_id: Id) -> Response:
    with signed_in(request) as page:
        case = get_case(page.ctx, case_id)
        draft = Draft.from_form(page)
        errors = Errors()
        _add_references(page, draft, errors)
        if _rework(page, draft, errors) or errors:
            return _render(page, draft, errors, case)
        data = to_input(draft, errors)
        data.pop("kind")
        body = _validate(CasePatch, data, draft, errors)
        if errors or body is None:
            return _render(page, draft, errors, case)
        body = _only_changes(page, case, body)
        if body is None:
            return page.redirect(f"/cases/{case_id}", flash="Nothing was changed.")
        version = _int(page.form.get("version"))
        refused = attempt(
            page, lambda: patch_case(page.ctx, case_id, body, page.me, expected_version=version)
        )
        if refused is not None:
            forms.absorb(
                refused, errors, _field_ids_for(len(draft.options)), _labels_for(len(draft.options))
            )
            return _render(page, draft, errors, get_case(page.ctx, case_id))
        return page.redirect(f"/cases/{case_id}", flash="Your changes to the draft were saved.")
