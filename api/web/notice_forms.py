"""Recording a published procurement notice from the pages (SPEC §9, issue 9 part 3).

The API's ``POST /cases/{id}/notices`` and this form make the same domain call
(``workflow.lifecycle.procurement_notices.record_procurement_notice``) with the version the
viewer saw. The domain decides everything that matters: who may record (``may_record``),
which notices the case owes now (``owed_now``), and what it refuses (a day still to come, a
notice not owed, a day before the event the notice follows); a refusal is shown in the GOV.UK
error summary beside its field and changes nothing. This module only words those answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from api.params import Id
from api.web import forms
from api.web.forms import Errors
from api.web.labels import deadline_label
from api.web.pages import Page, WebRoute, attempt, signed_in
from workflow.errors import FieldProblem, Forbidden, InvalidInput
from workflow.lifecycle.bundle import CaseBundle, get_case, load
from workflow.lifecycle.decision import invalid_input
from workflow.lifecycle.procurement_notices import (
    may_record,
    owed_now,
    record_procurement_notice,
)
from workflow.procurement import notices as law
from workflow.schemas import NoticeIn

router = APIRouter(route_class=WebRoute)

FIELD_IDS = {
    "kind": "kind",
    "agreement_id": "kind",
    "term_start": "kind",
    "published_on": "published_on-day",
    "reference": "reference",
}
LABELS = {
    "kind": "Notice",
    "agreement_id": "Notice",
    "term_start": "Notice",
    "published_on": "Date the notice was published",
    "reference": "Notice reference",
}
ALL = "all"  # the radio value's agreement part: every agreement that owes the notice


@dataclass(frozen=True)
class Choice:
    """One radio: a notice the case owes now and has not published, for one agreement or for
    every agreement that owes it."""

    value: str  # "kind:agreement_id" or "kind:all", then ":term_start" for a modification's
    text: str
    hint: str


def _references(bundle: CaseBundle) -> dict[int, str]:
    return {a.id: a.reference for a in bundle.agreements if a.id is not None}


def notice_rows(bundle: CaseBundle, owed: list[law.NoticeDue], today: date) -> list[dict[str, Any]]:
    """The case's procurement notices for the case page, as the domain owes them now
    (``owed_now``, read once by the page for this and ``choices``): one row per notice, day
    and publication, naming the agreements it is for (thirteen agreements owing one notice are
    one row)."""
    refs = _references(bundle)
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for due in owed:
        done = due.done(today)
        reference = law.reference_of(bundle.case, due)
        term = due.modification
        key = (due.kind, term, due.last_day, due.published_on, reference, done)
        row = rows.setdefault(
            key,
            {
                "kind": due.kind,
                "label": deadline_label(due.kind),
                "term_start": term,  # the modification it is for (each owes its own)
                "last_day": due.last_day,
                "published_on": due.published_on,
                "reference": reference,
                "done": done,
                "is_standstill": due.kind == law.STANDSTILL_END,
                "agreements": [],
            },
        )
        row["agreements"].append(refs.get(due.agreement_id, str(due.agreement_id)))
    return list(rows.values())


def choices(bundle: CaseBundle, owed: list[law.NoticeDue]) -> list[Choice]:
    """The notices to offer: those the case owes now and has not yet published. Where more
    than one agreement owes a notice, it may be recorded for all of them at once or for each;
    where more than one modification owes it (Cabinet's own term, then a delegate's), each is
    offered for its own term, as the domain records it (``NoticeIn.term_start``)."""
    refs = _references(bundle)
    owing: dict[tuple[str, date | None], list[law.NoticeDue]] = {}
    for due in owed:
        if due.kind in law.RECORDED_KINDS and due.published_on is None:
            term = due.modification
            owing.setdefault((due.kind, term), []).append(due)
    several_terms = {kind for kind, term in owing if sum(1 for k, _ in owing if k == kind) > 1}
    out = []
    for (kind, term), dues in owing.items():
        label = deadline_label(kind)
        if kind in several_terms and term is not None:
            label = f"{label} for the term from {term:%-d %B %Y}"
        suffix = f":{term.isoformat()}" if term is not None else ""
        if len(dues) > 1:
            last = min(d.last_day for d in dues)
            out.append(
                Choice(
                    f"{kind}:{ALL}{suffix}",
                    f"{label}, for all {len(dues)} agreements",
                    f"Due by {last:%-d %B %Y}",
                )
            )
        for d in dues:
            ref = refs.get(d.agreement_id, str(d.agreement_id))
            out.append(
                Choice(
                    f"{kind}:{d.agreement_id}{suffix}",
                    f"{label}, {ref}",
                    f"Due by {d.last_day:%-d %B %Y}",
                )
            )
    return out


def _bundle(page: Page, case_id: int) -> CaseBundle:
    bundle = load(page.ctx, get_case(page.ctx, case_id))
    if not may_record(bundle, page.me):
        raise Forbidden(
            "procurement notices are recorded by the case's author, an officer of its "
            "directorate, democratic services or an admin"
        )
    return bundle


def _offered(page: Page, bundle: CaseBundle) -> list[Choice]:
    return choices(bundle, owed_now(page.ctx, bundle))


def _render(
    page: Page,
    bundle: CaseBundle,
    values: dict[str, Any],
    errors: Errors,
    offered: list[Choice] | None = None,
) -> Response:
    return page.render(
        "procurement_notice.html",
        {
            "case": bundle.case,
            "choices": _offered(page, bundle) if offered is None else offered,
            "values": values,
            "errors": errors.summary(),
            "error_of": errors.message,
            "date_items": forms.date_items(values["published_on"], "published_on", errors),
        },
        status_code=400 if errors else 200,
    )


@router.get("/cases/{case_id}/procurement-notice")
def notice_form(request: Request, case_id: Id) -> Response:
    with signed_in(request) as page:
        bundle = _bundle(page, case_id)
        offered = _offered(page, bundle)
        values = {
            "kind": offered[0].value if len(offered) == 1 else "",
            "published_on": forms.parts_of(None),
            "reference": "",
        }
        return _render(page, bundle, values, Errors(), offered)


@router.post("/cases/{case_id}/procurement-notice")
def notice_post(request: Request, case_id: Id) -> Response:
    with signed_in(request) as page:
        bundle = _bundle(page, case_id)
        errors = Errors()
        values = {
            "kind": forms.text(page.form, "kind") or "",
            "published_on": forms.date_parts(page.form, "published_on"),
            "reference": forms.text(page.form, "reference") or "",
        }
        body = _body(values, errors)
        if errors:
            return _render(page, bundle, values, errors)
        refused = attempt(page, lambda: _record(page, case_id, body))
        if refused is not None:
            forms.absorb(refused, errors, FIELD_IDS, LABELS)
            return _render(page, load(page.ctx, get_case(page.ctx, case_id)), values, errors)
        label = deadline_label(str(body["kind"]))
        return page.redirect(
            f"/cases/{case_id}",
            flash=f"The {label[:1].lower()}{label[1:]} was recorded as published.",
        )


def _body(values: dict[str, Any], errors: Errors) -> dict[str, Any]:
    """The form as ``NoticeIn``'s body; only its shape is checked here."""
    kind, _, rest = str(values["kind"]).partition(":")
    which, _, term = rest.partition(":")
    if not kind:
        errors.add("kind", "Choose the notice that was published")
    agreement_id: int | None = None
    if which and which != ALL:
        agreement_id = forms.number_from(which, "kind", LABELS["kind"], errors)
    published_on: date | None = forms.date_from(
        values["published_on"], "published_on", LABELS["published_on"], errors
    )
    if published_on is None and "published_on-day" not in errors.by_field:
        errors.add("published_on-day", "Enter the date the notice was published")
    return {
        "kind": kind,
        "agreement_id": agreement_id,
        "published_on": published_on,
        "reference": values["reference"] or None,
        # The modification the notice is for, when the radio names one (``choices``); the
        # domain checks it names one that owes the notice.
        "term_start": term or None,
    }


def _version(page: Page) -> int | None:
    try:
        return int(str(page.form.get("version", "")))
    except ValueError:
        return None


def _record(page: Page, case_id: int, body: dict[str, Any]) -> None:
    if body["kind"] not in law.RECORDED_KINDS:  # the meeting procedure's are not this form's
        raise InvalidInput(
            "the notice cannot be recorded",
            [FieldProblem("kind", f"{body['kind']} is not a procurement notice")],
        )
    try:
        data = NoticeIn.model_validate(body)
    except ValidationError as exc:
        raise invalid_input(exc, "the notice cannot be recorded") from exc
    record_procurement_notice(page.ctx, case_id, data, page.me, _version(page))
