"""The agreements register: search and filter, end dates coming up, and importing a
Transparency Code contract register (``workflow.register.importer.import_register``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from sqlmodel import col, select
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from api.params import Cursor
from api.routes.agreements import register_csv
from api.web import forms
from api.web.forms import Errors
from api.web.pages import WebRoute, attempt, signed_in
from workflow.errors import Forbidden, InvalidInput
from workflow.models import Agreement
from workflow.people.permissions import may_draft
from workflow.register.agreements import list_agreements, may_register
from workflow.register.export import RegisterFilters
from workflow.register.importer import ImportResult, import_register
from workflow.register.read import AgreementScope
from workflow.text import ONE_LINE

router = APIRouter(route_class=WebRoute)

# "Ends within" choices: days from today (negative: already ended).
WINDOWS = {"90": "the next 3 months", "180": "the next 6 months", "365": "the next year"}
COMING_UP_DAYS = 180


def _directorates(page: Any) -> list[str]:
    rows = page.ctx.session.exec(
        select(Agreement.directorate).where(page.ctx.within(col(Agreement.council_id))).distinct()
    ).all()
    return sorted(r for r in rows if r)


def _ends_within(today: date, ends: str | None) -> tuple[str | None, date | None, date | None]:
    """The "Ends within" choice as (window, end on or after, end on or before)."""
    window = ends if ends in WINDOWS or ends == "ended" else None
    if window == "ended":
        return window, None, today - timedelta(days=1)
    if window is not None:
        return window, today, today + timedelta(days=int(window))
    return None, None, None


@router.get("/agreements")
def register(
    request: Request,
    q: Annotated[str | None, Query(max_length=200), ONE_LINE] = None,
    kind: str | None = None,
    directorate: Annotated[str | None, Query(max_length=500), ONE_LINE] = None,
    ends: str | None = None,
    cursor: Cursor = None,
) -> Response:
    with signed_in(request) as page:
        today = page.ctx.today()
        kind = kind if kind in ("contract", "sla") else None
        directorate = directorate or None
        window, end_from, end_to = _ends_within(today, ends)
        rows, next_cursor = list_agreements(
            page.ctx,
            kind=kind,
            directorate=directorate,
            end_from=end_from,
            end_to=end_to,
            q=(q or "").strip() or None,
            cursor=cursor,
            limit=50,
        )
        soon, _ = list_agreements(
            page.ctx, end_from=today, end_to=today + timedelta(days=COMING_UP_DAYS), limit=200
        )
        soon.sort(key=lambda a: (a.end_date, a.reference))
        # Read through the scope: an exempt case's agreements show no value to the unentitled.
        scope = AgreementScope(page.ctx, page.me)
        filters = {
            "q": q or "",
            "kind": kind or "",
            "directorate": directorate or "",
            "ends": window or "",
        }
        query = "&".join(f"{k}={v}" for k, v in filters.items() if v)
        return page.render(
            "agreements.html",
            {
                "agreements": scope.read(rows),
                "coming_up": scope.read(soon[:10]),
                "coming_up_more": max(0, len(soon) - 10),
                "coming_up_days": COMING_UP_DAYS,
                "filters": filters,
                "filtered": any(filters.values()),
                "directorates": _directorates(page),
                "windows": WINDOWS,
                "next_href": f"/agreements?cursor={next_cursor}&{query}" if next_cursor else None,
                "export_href": "/agreements/export.csv?"
                + urlencode({k: v for k, v in filters.items() if v}),
                "may_draft": may_draft(page.me),
                "may_import": may_register(page.me),
            },
        )


@router.get("/agreements/export.csv")
def export_csv(
    request: Request,
    q: Annotated[str | None, Query(max_length=200), ONE_LINE] = None,
    kind: str | None = None,
    directorate: Annotated[str | None, Query(max_length=500), ONE_LINE] = None,
    ends: str | None = None,
) -> Response:
    """The register as shown, with the page's filters, as the Transparency Code CSV (the
    same file as ``GET /api/v1/agreements/export.csv``)."""
    with signed_in(request) as page:
        _window, end_from, end_to = _ends_within(page.ctx.today(), ends)
        filters = RegisterFilters(
            kind=kind if kind in ("contract", "sla") else None,
            directorate=directorate or None,
            end_from=end_from,
            end_to=end_to,
            q=(q or "").strip() or None,
        )
        return register_csv(request, page.me, filters)


def _only_registrants(page: Any) -> None:
    """The import form is offered to exactly those the domain lets register agreements."""
    if not may_register(page.me):
        raise Forbidden("only officers, democratic services and admins may register agreements")


@router.get("/agreements/import")
def import_form(request: Request) -> Response:
    with signed_in(request) as page:
        _only_registrants(page)
        return page.render("import.html", {"errors": [], "error_of": Errors().message})


@router.post("/agreements/import")
def import_file(request: Request) -> Response:
    with signed_in(request) as page:
        _only_registrants(page)
        errors = Errors()
        upload = page.form.get("register")
        data = b""
        if isinstance(upload, UploadFile):
            data = upload.file.read()
        if not data:
            errors.add("register", "Choose a CSV file of your contract register")
            return page.render(
                "import.html", {"errors": errors.summary(), "error_of": errors.message}, 400
            )
        results: list[ImportResult] = []
        refused = attempt(page, lambda: results.append(import_register(page.ctx, data, page.me)))
        if refused is not None:
            if isinstance(refused, InvalidInput) and refused.problems:
                # The file as a whole is wrong (not a CSV, missing columns): say so by the field.
                for p in refused.problems:
                    errors.general.append(forms.sentence(p.message))
                errors.add("register", forms.sentence(refused.detail))
            else:
                errors.add("register", forms.sentence(refused.detail))
            return page.render(
                "import.html", {"errors": errors.summary(), "error_of": errors.message}, 400
            )
        name = upload.filename if isinstance(upload, UploadFile) else None
        return page.render("import_result.html", {"result": results[0], "filename": name})
