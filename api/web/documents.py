"""The published documents (issue 9 part 4), as HTML pages and as PDFs of those same pages,
and the public list of decisions, read without signing in.

Every document is built by ``workflow.documents`` through the read scopes, so this module
only picks the reader (the signed-in person, or the public) and the format: the HTML is the
template's; the PDF is WeasyPrint's rendering of exactly that HTML
(``workflow.documents.pdf``); the contract change notice is also its OCDS JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from api.params import MAX_ID, Id
from api.web.pages import Page, WebRoute, error_page, page_work, signed_in
from api.web.templating import render
from workflow.context import Ctx
from workflow.councils.councils import enter_public
from workflow.db import unit_of_work
from workflow.documents.decisions import (
    DecisionNotice,
    OfficerRecord,
    decision_notice,
    officer_record,
)
from workflow.documents.ocds import contract_change_notice
from workflow.documents.pdf import render_pdf
from workflow.documents.public import (
    PublishedDecision,
    public_viewer,
    published_decisions,
    published_notice,
    published_record,
)
from workflow.documents.register import register_table
from workflow.errors import NotFound
from workflow.lifecycle.bundle import get_case, load
from workflow.models import NO_COUNCIL, Council, User
from workflow.register.export import RegisterFilters, export_register
from workflow.schema import FIRST_COUNCIL_SLUG

router = APIRouter(route_class=WebRoute)

Format = Literal["html", "pdf"]
SignOffId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def _formats(base: str, query: str = "", json_too: bool = False) -> list[dict[str, str]]:
    out = [
        {"href": f"{base}.html{query}", "text": "This document as a web page (HTML)"},
        {"href": f"{base}.pdf{query}", "text": "This document as a PDF"},
    ]
    if json_too:
        out.append({"href": f"{base}.json{query}", "text": "The OCDS release package (JSON)"})
    return out


def _answer(
    page: Page, fmt: Format, template: str, context: dict[str, Any], filename: str
) -> Response:
    """The page, or the PDF of the very HTML the page would be."""
    if fmt == "html":
        return page.render(template, context)
    html = render(template, page.template_context(context))
    return Response(
        render_pdf(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}.pdf"'},
    )


CASE_BACK = ("Back to the case", "/cases/{case_id}")
PUBLIC_BACK = ("Back to the decisions published", "/decisions")
# Which council's published pages: ``?council=slug``, the first council's when absent (an
# installation of one council never needs it).
CouncilSlug = Annotated[
    str, Query(alias="council", min_length=2, max_length=60, pattern=r"^[a-z0-9-]+$")
]


def _suffix(council: Council) -> str:
    """The query that keeps a public link within its council."""
    return "" if council.slug == FIRST_COUNCIL_SLUG else f"?council={council.slug}"


def _public_back(council: Council) -> tuple[str, str]:
    return (PUBLIC_BACK[0], PUBLIC_BACK[1] + _suffix(council))


def _decision_document(
    page: Page,
    fmt: Format,
    doc: DecisionNotice | OfficerRecord,
    formats: list[dict[str, str]],
    back: tuple[str, str],
    filename: str,
) -> Response:
    """A decision notice or an officer record, for whoever ``doc`` was read for."""
    template = (
        "documents/decision_notice.html"
        if isinstance(doc, DecisionNotice)
        else "documents/officer_record.html"
    )
    context = {
        "doc": doc,
        "council": doc.council,
        "formats": formats,
        "back_text": back[0],
        "back_href": back[1].format(case_id=doc.case.case_id),
    }
    return _answer(page, fmt, template, context, filename)


# --- a case's documents, for the signed-in ------------------------------------------------


@router.get("/cases/{case_id}/documents/decision-notice.{fmt}")
def case_decision_notice(request: Request, case_id: Id, fmt: Format) -> Response:
    with signed_in(request) as page:
        bundle = load(page.ctx, get_case(page.ctx, case_id))
        doc = decision_notice(page.ctx, bundle, page.me)
        formats = _formats(f"/cases/{case_id}/documents/decision-notice")
        return _decision_document(
            page, fmt, doc, formats, CASE_BACK, f"decision-notice-case-{case_id}"
        )


@router.get("/cases/{case_id}/documents/officer-record.{fmt}")
def case_officer_record(
    request: Request, case_id: Id, fmt: Format, sign_off_id: SignOffId = None
) -> Response:
    with signed_in(request) as page:
        bundle = load(page.ctx, get_case(page.ctx, case_id))
        doc = officer_record(page.ctx, bundle, page.me, sign_off_id)
        chosen = doc.record.sign_off_id
        formats = _formats(f"/cases/{case_id}/documents/officer-record", f"?sign_off_id={chosen}")
        name = f"officer-record-case-{case_id}-sign-off-{chosen}"
        return _decision_document(page, fmt, doc, formats, CASE_BACK, name)


@router.get("/cases/{case_id}/documents/contract-change-notice.json")
def case_contract_change_json(request: Request, case_id: Id) -> Response:
    with signed_in(request) as page:
        bundle = load(page.ctx, get_case(page.ctx, case_id))
        package = contract_change_notice(page.ctx, bundle, page.me).package
        return Response(
            json.dumps(package, indent=2, ensure_ascii=False),
            media_type="application/json",
            headers={
                "Content-Disposition": f'inline; filename="contract-change-notice-{case_id}.json"'
            },
        )


@router.get("/cases/{case_id}/documents/contract-change-notice.{fmt}")
def case_contract_change(request: Request, case_id: Id, fmt: Format) -> Response:
    with signed_in(request) as page:
        bundle = load(page.ctx, get_case(page.ctx, case_id))
        notice = contract_change_notice(page.ctx, bundle, page.me)
        return _answer(
            page,
            fmt,
            "documents/contract_change_notice.html",
            {
                "package": notice.package,
                "json_text": json.dumps(notice.package, indent=2, ensure_ascii=False),
                "title": notice.title,
                "redacted": notice.redacted,
                "council": page.ctx.settings.council_name,
                "formats": _formats(
                    f"/cases/{case_id}/documents/contract-change-notice", json_too=True
                ),
                "back_href": f"/cases/{case_id}",
                "back_text": "Back to the case",
            },
            f"contract-change-notice-case-{case_id}",
        )


# --- the contracts register -----------------------------------------------------------------


def _register(
    page: Page, reader: User, fmt: Format, base: str, csv_href: str, query: str = ""
) -> Response:
    table = register_table(page.ctx, reader, RegisterFilters())
    formats = [*_formats(base, query), {"href": csv_href, "text": "The register as CSV"}]
    return _answer(
        page,
        fmt,
        "documents/register.html",
        {"table": table, "council": page.ctx.settings.council_name, "formats": formats},
        "contracts-register",
    )


@router.get("/agreements/register.{fmt}")
def register_page(request: Request, fmt: Format) -> Response:
    """The register as the signed-in person may see it (their CSV: /agreements/export.csv)."""
    with signed_in(request) as page:
        return _register(page, page.me, fmt, "/agreements/register", "/agreements/export.csv")


# --- what the public may read ---------------------------------------------------------------


# ``?page=``, read as text so a page number that is not one gets this page's own answer
# (a GOV.UK error page), not the API's JSON problem.
PageNumber = Annotated[str | None, Query(alias="page")]
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def _decision_row(d: PublishedDecision, suffix: str) -> dict[str, Any]:
    if d.kind == "decision_notice":
        base, label = f"/decisions/{d.case_id}/decision-notice", "Cabinet decision notice"
    else:
        base = f"/decisions/{d.case_id}/officer-record/{d.sign_off_id}"
        label = "Officer decision record"
    return {
        "href": f"{base}.html{suffix}",
        "pdf": f"{base}.pdf{suffix}",
        "label": label,
        "title": d.title,
        "decided_on": d.decided_on,
        "published_on": d.published_on,
    }


def page_href(council: Council, number: int) -> str:
    """A page of the public list, within its council; the first page is plain ``/decisions``."""
    query = [f"council={council.slug}"] if council.slug != FIRST_COUNCIL_SLUG else []
    if number > 1:
        query.append(f"page={number}")
    return "/decisions" + ("?" + "&".join(query) if query else "")


def pagination(number: int, last: int, href: Callable[[int], str]) -> dict[str, Any] | None:
    """``govukPagination``'s parameters: the first, last, this and its neighbours' pages, an
    ellipsis for each gap (the Design System's pattern for a long list); none for one page."""
    if last <= 1:
        return None
    shown = sorted({1, number - 1, number, number + 1, last} & set(range(1, last + 1)))
    items: list[dict[str, Any]] = []
    before = 0
    for n in shown:
        if n - before > 1:
            items.append({"ellipsis": True})
        items.append({"number": str(n), "href": href(n), "current": n == number})
        before = n
    out: dict[str, Any] = {"items": items, "landmarkLabel": "Pages of decisions published"}
    if number > 1:
        out["previous"] = {"href": href(number - 1)}
    if number < last:
        out["next"] = {"href": href(number + 1)}
    return out


@router.get("/decisions")
def decisions_page(
    request: Request,
    council: CouncilSlug = FIRST_COUNCIL_SLUG,
    page_number: PageNumber = None,
) -> Response:
    """The decision notices and officer records the council has published, newest first, a
    page at a time: no sign-in, no exempt content, never a draft
    (``workflow.documents.public``). A page number that is not a whole number from 1 is a
    400 and a page past the last a 404, each saying which pages there are, rather than the
    first page shown as if it were the one asked for."""
    with page_work(request, require_user=False) as page:
        entered = enter_public(page.ctx, council)
        suffix = _suffix(entered)
        raw = (page_number or "1").strip()
        if not PAGE_NUMBER.fullmatch(raw):
            return error_page(
                request,
                400,
                "There is no such page",
                f"“{raw[:20]}” is not a page number: the pages of decisions are numbered "
                "1, 2, 3 and so on.",
                back=(page_href(entered, 1), "The first page of decisions published"),
            )
        try:
            listed = published_decisions(page.ctx, int(raw))
        except NotFound as exc:
            last = int(exc.extra.get("last", 1))
            return error_page(
                request,
                404,
                "Page not found",
                f"There is no page {raw} of decisions published: the last is page {last}.",
                back=(page_href(entered, last), f"Go to page {last}, the last"),
            )
        return page.render(
            "documents/decisions.html",
            {
                "decisions": [_decision_row(d, suffix) for d in listed.decisions],
                "listed": listed,
                "per_page": listed.per_page,
                "pagination": pagination(
                    listed.number, listed.last, lambda n: page_href(entered, n)
                ),
                "council": entered.name,
                "formats": [],
                "suffix": suffix,
            },
        )


@router.get("/decisions/{case_id}/decision-notice.{fmt}")
def public_decision_notice(
    request: Request, case_id: Id, fmt: Format, council: CouncilSlug = FIRST_COUNCIL_SLUG
) -> Response:
    with page_work(request, require_user=False) as page:
        entered = enter_public(page.ctx, council)
        doc = decision_notice(page.ctx, published_notice(page.ctx, case_id), public_viewer())
        formats = _formats(f"/decisions/{case_id}/decision-notice", _suffix(entered))
        return _decision_document(
            page, fmt, doc, formats, _public_back(entered), f"decision-notice-case-{case_id}"
        )


@router.get("/decisions/{case_id}/officer-record/{sign_off_id}.{fmt}")
def public_officer_record(
    request: Request,
    case_id: Id,
    sign_off_id: Id,
    fmt: Format,
    council: CouncilSlug = FIRST_COUNCIL_SLUG,
) -> Response:
    with page_work(request, require_user=False) as page:
        entered = enter_public(page.ctx, council)
        bundle = published_record(page.ctx, case_id, sign_off_id)
        doc = officer_record(page.ctx, bundle, public_viewer(), sign_off_id)
        formats = _formats(f"/decisions/{case_id}/officer-record/{sign_off_id}", _suffix(entered))
        name = f"officer-record-case-{case_id}-sign-off-{sign_off_id}"
        return _decision_document(page, fmt, doc, formats, _public_back(entered), name)


@router.get("/transparency/contracts-register.csv")
def public_register_csv(request: Request, council: CouncilSlug = FIRST_COUNCIL_SLUG) -> Response:
    """The register CSV as the public may see it, streamed from a read of its own (as
    ``api.routes.agreements.register_csv``), within the council asked for. The council is
    found before the stream starts, so an unknown slug is a 404, not a broken download."""
    state = request.app.state
    with unit_of_work(state.engine, write=False, tenant=True) as session:
        enter_public(Ctx(session, state.clock, state.settings, NO_COUNCIL), council)

    def body() -> Iterator[str]:
        with unit_of_work(state.engine, write=False, tenant=True) as session:
            ctx = Ctx(session, state.clock, state.settings, NO_COUNCIL)
            enter_public(ctx, council)
            yield from export_register(ctx, public_viewer(), RegisterFilters())

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contract-register.csv"'},
    )


@router.get("/transparency/contracts-register.{fmt}")
def public_register(
    request: Request, fmt: Format, council: CouncilSlug = FIRST_COUNCIL_SLUG
) -> Response:
    with page_work(request, require_user=False) as page:
        suffix = _suffix(enter_public(page.ctx, council))
        return _register(
            page,
            public_viewer(),
            fmt,
            "/transparency/contracts-register",
            f"/transparency/contracts-register.csv{suffix}",
            suffix,
        )
