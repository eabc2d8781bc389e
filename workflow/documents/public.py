"""What the council has published, for anyone without signing in.

A decision is published when its notice or record has gone out: Cabinet's decision when its
decision notice was published (SI 2012/2089 reg 12, whose record reg 14 makes available for
inspection by the public), an officer's when its reg 13 record was. A draft, a decision
still to be published, or one whose publication date is still to come, is never listed
and never served.

The public reads through the same scopes as everyone else, as a person with no role and no
part in any case (``public_viewer``): exempt content is redacted for them exactly as for a
signed-in person not entitled to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, String, Subquery, func, literal_column, union_all
from sqlalchemy import select as select_columns
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from workflow.context import Ctx
from workflow.errors import FieldProblem, InvalidInput, NotFound
from workflow.lifecycle.bundle import CaseBundle, get_case, load
from workflow.models import Case, Resolution, SignOff, User

# Not a stored user: it has no id, so it is nobody's author, delegate or consultee.
PUBLIC_NAME = "Member of the public"


def public_viewer() -> User:
    """The person reading a public page: no role, no case of their own (never persisted)."""
    return User(name=PUBLIC_NAME, email="public@councilflow.invalid", roles=[])


@dataclass(frozen=True)
class PublishedDecision:
    """One line of the public list: which document, of which case, published when."""

    kind: str  # "decision_notice" (Cabinet, reg 12) or "officer_record" (reg 13)
    case_id: int
    title: str
    decided_on: date
    published_on: date
    sign_off_id: int | None = None


@dataclass(frozen=True)
class DecisionsPage:
    """One page of the public list, and where it sits among the others."""

    decisions: list[PublishedDecision]
    number: int  # this page's, from 1
    per_page: int  # decisions on a full page (``Settings.decisions_page_size``)
    last: int  # the last page's number: 1 when nothing is published
    total: int  # decisions published, on every page


def _published(ctx: Ctx, first: int | None = None) -> Subquery:
    """Every published decision notice and officer record of the council, as one union of
    rows (kind, row id, case, title, decided, published): a query, never rows read.

    The decision notice shows a case's latest resolution (``cabinet_record``), so only that
    one is listed: an earlier notice superseded by a later decision is not (no later
    resolution of its case: a probe of ``ix_resolutions_case_id`` per row, where "the
    largest id of each case" would group every resolution first).

    With ``first``, each half is only its ``first`` rows in the page's order, read down the
    indexes on the publication day (``ix_resolutions_notice_published_on``,
    ``ix_sign_offs_record_published_on``, migration 0018): a page never sorts the council's
    whole history. PostgreSQL plans each half of a union apart, so the order and the limit
    must be inside each half for an index to serve it."""
    today = ctx.today()
    later = aliased(Resolution)
    superseded = (
        select(col(later.id))
        .where(col(later.case_id) == col(Resolution.case_id), col(later.id) > col(Resolution.id))
        .exists()
    )
    notices: Select[*tuple[Any, ...]] = (
        select_columns(
            literal_column("'decision_notice'", String).label("kind"),
            col(Resolution.id).label("row_id"),
            col(Resolution.case_id).label("case_id"),
            col(Case.title).label("title"),
            col(Resolution.decided_on).label("decided_on"),
            col(Resolution.notice_published_on).label("published_on"),
        )
        .join(Case, col(Case.id) == col(Resolution.case_id))
        .where(
            ctx.within(col(Case.council_id)),
            ~superseded,
            col(Resolution.notice_published_on).is_not(None),
            col(Resolution.notice_published_on) <= today,
        )
    )
    records: Select[*tuple[Any, ...]] = (
        select_columns(
            literal_column("'officer_record'", String).label("kind"),
            col(SignOff.id).label("row_id"),
            col(SignOff.case_id).label("case_id"),
            col(Case.title).label("title"),
            col(SignOff.signed_on).label("decided_on"),
            col(SignOff.record_published_on).label("published_on"),
        )
        .join(Case, col(Case.id) == col(SignOff.case_id))
        .where(
            ctx.within(col(Case.council_id)),
            col(SignOff.record_published_on).is_not(None),
            col(SignOff.record_published_on) <= today,
        )
    )
    if first is None:
        return union_all(notices, records).subquery("published")
    notices = notices.order_by(
        col(Resolution.notice_published_on).desc(),
        col(Resolution.case_id).desc(),
        col(Resolution.id).desc(),
    ).limit(first)
    records = records.order_by(
        col(SignOff.record_published_on).desc(),
        col(SignOff.case_id).desc(),
        col(SignOff.id).desc(),
    ).limit(first)
    # Each half as a subquery of its own: SQLite takes no ORDER BY or LIMIT on a union's part.
    halves = [
        select_columns(half.subquery(name)) for half, name in ((notices, "n"), (records, "r"))
    ]
    return union_all(*halves).subquery("published")


def published_decisions(ctx: Ctx, number: int = 1) -> DecisionsPage:
    """Page ``number`` of the council's published decision notices and officer records,
    newest publication first, in two statements whatever the list's length: a count (for the
    last page's number) and one page of rows (``LIMIT``/``OFFSET``). The order is total (day
    published, case, kind, row), so every decision is on exactly one page. A page past the
    last is ``NotFound``, naming the last: a link to page 9 of 3 answered with page 1 would
    tell the reader they are somewhere they are not. A page holds
    ``Settings.decisions_page_size`` decisions."""
    per_page = ctx.settings.decisions_page_size
    if number < 1:
        raise InvalidInput(
            "there is no such page", [FieldProblem("page", "pages are numbered from 1")]
        )
    published = _published(ctx)
    total = int(
        ctx.session.execute(select_columns(func.count()).select_from(published)).scalar_one()
    )
    last = max(1, -(-total // per_page))
    if number > last:
        raise NotFound(
            f"there is no page {number} of decisions: the last is page {last}", last=last
        )
    offset = (number - 1) * per_page
    page_of = _published(ctx, first=offset + per_page)
    rows = ctx.session.execute(
        select_columns(page_of)
        .order_by(
            page_of.c.published_on.desc(),
            page_of.c.case_id.desc(),
            page_of.c.kind,
            page_of.c.row_id.desc(),
        )
        .limit(per_page)
        .offset(offset)
    ).all()
    decisions = [
        PublishedDecision(
            kind=str(r.kind),
            case_id=int(r.case_id),
            title=str(r.title),
            decided_on=r.decided_on,
            published_on=r.published_on,
            sign_off_id=int(r.row_id) if r.kind == "officer_record" else None,
        )
        for r in rows
    ]
    return DecisionsPage(decisions, number, per_page, last, total)


def _case(ctx: Ctx, case_id: int, missing: str) -> CaseBundle:
    """The case, or the same NotFound as for a case with nothing published: the public
    learns nothing of which case ids exist."""
    try:
        return load(ctx, get_case(ctx, case_id))
    except NotFound:
        raise NotFound(missing) from None


def published_notice(ctx: Ctx, case_id: int) -> CaseBundle:
    """The case whose decision notice is published, or NotFound."""
    missing = f"there is no published decision notice of case {case_id}"
    bundle = _case(ctx, case_id, missing)
    r = bundle.resolution
    if r is None or r.notice_published_on is None or r.notice_published_on > ctx.today():
        raise NotFound(missing)
    return bundle


def published_record(ctx: Ctx, case_id: int, sign_off_id: int) -> CaseBundle:
    """The case whose officer record ``sign_off_id`` is published, or NotFound."""
    missing = f"there is no published record of sign-off {sign_off_id} of case {case_id}"
    bundle = _case(ctx, case_id, missing)
    found = [s for s in bundle.sign_offs if s.id == sign_off_id]
    published = found[0].record_published_on if found else None
    if published is None or published > ctx.today():
        raise NotFound(missing)
    return bundle
