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

from sqlalchemy import func
from sqlmodel import col, select

from workflow.context import Ctx
from workflow.errors import NotFound
from workflow.lifecycle.bundle import CaseBundle, get_case, load
from workflow.models import Case, Resolution, SignOff, User, pk

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


def published_decisions(ctx: Ctx, limit: int = 200) -> list[PublishedDecision]:
    """Every published decision notice and officer record, newest publication first."""
    today = ctx.today()
    # The decision notice shows a case's latest resolution (``cabinet_record``), so only that
    # one is listed: an earlier notice superseded by a later decision is not.
    latest = select(func.max(Resolution.id)).group_by(col(Resolution.case_id))
    notices = ctx.session.exec(
        select(Resolution, Case)
        .join(Case, col(Case.id) == col(Resolution.case_id))
        .where(
            col(Resolution.id).in_(latest),
            col(Resolution.notice_published_on).is_not(None),
            col(Resolution.notice_published_on) <= today,
        )
        .order_by(col(Resolution.notice_published_on).desc(), col(Resolution.id).desc())
        .limit(limit)
    ).all()
    records = ctx.session.exec(
        select(SignOff, Case)
        .join(Case, col(Case.id) == col(SignOff.case_id))
        .where(
            col(SignOff.record_published_on).is_not(None),
            col(SignOff.record_published_on) <= today,
        )
        .order_by(col(SignOff.record_published_on).desc(), col(SignOff.id).desc())
        .limit(limit)
    ).all()
    out = [
        PublishedDecision(
            kind="decision_notice",
            case_id=pk(case.id),
            title=case.title,
            decided_on=r.decided_on,
            published_on=r.notice_published_on or r.decided_on,
        )
        for r, case in notices
    ]
    out += [
        PublishedDecision(
            kind="officer_record",
            case_id=pk(case.id),
            title=case.title,
            decided_on=s.signed_on,
            published_on=s.record_published_on or s.signed_on,
            sign_off_id=pk(s.id),
        )
        for s, case in records
    ]
    return sorted(out, key=lambda d: (d.published_on, d.case_id), reverse=True)[:limit]


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
