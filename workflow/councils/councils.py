"""Creating councils and entering one.

A platform operator (``Role.platform_operator``, or the operator at the command line) creates
a council with its first admin, whose bearer token is answered this once. Admins are per
council: an admin administers their own council's people and nothing of another's. A request
*enters* the signed-in person's council (``enter``): from then on the ``Ctx`` filters by it and
carries its effective settings, and PostgreSQL's row-level security shows only its rows.
"""

from __future__ import annotations

import re

from sqlmodel import col, select

from workflow.context import Ctx
from workflow.councils.constitution import checked, effective
from workflow.db import enter_council, system_work
from workflow.errors import Conflict, FieldProblem, Forbidden, InvalidInput, NotFound
from workflow.models import Council, Role, User, pk
from workflow.people.users import SIGNED_IN_COUNCIL, create_user
from workflow.schemas import CouncilIn, UserIn

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def create_council(ctx: Ctx, data: CouncilIn, actor: User | None) -> tuple[Council, User, str]:
    """A new council, with the installation's defaults as its constitution and a first admin
    (``admin@<slug>.councilflow.example.org``): answers the council, the
    admin and the admin's one-time token. ``actor`` None is the operator at the command line."""
    if actor is not None and not actor.has_role(Role.platform_operator):
        raise Forbidden("only the platform operator may create councils")
    if not SLUG.fullmatch(data.slug):
        raise InvalidInput(
            f"{data.slug!r} is not a slug",
            [FieldProblem("slug", "lower-case letters and digits, joined by hyphens")],
        )
    system_work(ctx.session)  # a slug must be unique across every council
    if ctx.session.exec(select(Council).where(Council.slug == data.slug)).first() is not None:
        raise Conflict(f"a council with slug {data.slug} already exists")
    council = Council(name=data.name, slug=data.slug, settings={}, created_at=ctx.now())
    ctx.session.add(council)
    ctx.session.flush()
    inside = Ctx(ctx.session, ctx.clock, ctx.settings, pk(council.id))
    email = admin_email(data.slug)
    admin, token = create_user(
        inside, UserIn(name=f"{data.name} administrator", email=email, roles=[Role.admin]), None
    )
    if ctx.council_id is not None:
        enter_council(ctx.session, ctx.council_id)  # back to the operator's own council only
    return council, admin, token


def admin_email(slug: str) -> str:
    """A new council's first admin's address, until they give their own."""
    return f"admin@{slug}.councilflow.example.org"


def get_council(ctx: Ctx, council_id: int) -> Council:
    council = ctx.session.get(Council, council_id)
    if council is None or not ctx.sees(council_id):
        raise NotFound(f"council {council_id} does not exist")
    return council


def find_council(ctx: Ctx, slug: str) -> Council:
    council = ctx.session.exec(select(Council).where(Council.slug == slug)).first()
    if council is None or not ctx.sees(pk(council.id)):
        raise NotFound(f"no council has the slug {slug}")
    return council


def enter_public(ctx: Ctx, slug: str) -> Council:
    """Enter the council whose published pages a member of the public asked for by slug
    (no one is signed in, so no council is known yet: finding it is system work, as the
    sign-in lookup is). An unknown slug is a plain NotFound; the public then reads within that
    council only, through the same scopes and, on PostgreSQL, the same row-level security."""
    system_work(ctx.session)
    council = ctx.session.exec(select(Council).where(Council.slug == slug)).first()
    if council is None:
        enter_council(ctx.session, None)
        raise NotFound(f"no council has the slug {slug}")
    enter(ctx, council)
    return council


def all_councils(ctx: Ctx) -> list[Council]:
    """Every council, for system work (the scheduler's passes) and the operator."""
    query = select(Council).where(ctx.within(col(Council.id))).order_by(col(Council.id))
    return list(ctx.session.exec(query).all())


def enter(ctx: Ctx, council: Council) -> Ctx:
    """Make ``ctx`` the council's: its filter, its effective settings, and on PostgreSQL its
    rows only (``SET LOCAL``). Answers ``ctx`` for chaining."""
    ctx.council_id = pk(council.id)
    ctx.settings = effective(ctx.settings, council.settings)
    enter_council(ctx.session, ctx.council_id)
    return ctx


def enter_id(ctx: Ctx, council_id: int) -> Ctx:
    """``enter`` by id: the council row is usually in the session already (``authenticate``
    reads it with the person), so this costs no query."""
    council = ctx.session.info.get(SIGNED_IN_COUNCIL)
    if not isinstance(council, Council) or council.id != council_id:
        council = ctx.session.get(Council, council_id)
    if council is None:  # pragma: no cover - a foreign key keeps every person's council
        raise NotFound(f"council {council_id} does not exist")
    return enter(ctx, council)


def enter_as(ctx: Ctx, user: User) -> User:
    """The signed-in person's council entered (``enter``); answers the person."""
    enter_id(ctx, user.council_id)
    return user


def person_of_session(ctx: Ctx, user_id: int) -> User | None:
    """The person a signed-in page's session names, read across councils (their council is
    what the session is for, not yet known), or None. The caller then enters the person's
    council (``enter_as``) or, if the session is not theirs, none (``leave``)."""
    system_work(ctx.session)
    # With the council, in the same query: entering it then costs nothing more.
    row = ctx.session.exec(
        select(User, Council)
        .join(Council, col(Council.id) == col(User.council_id))
        .where(User.id == user_id)
    ).first()
    if row is None:
        return None
    ctx.session.info[SIGNED_IN_COUNCIL] = row[1]
    return row[0]


def leave(ctx: Ctx) -> None:
    """Back to no council at all: nobody is signed in."""
    enter_council(ctx.session, None)


def set_constitution(ctx: Ctx, council: Council, overrides: dict[str, object]) -> Council:
    """Replace what the council's constitution says differently from the installation
    (validated as the settings are; 422 names each bad one)."""
    council.settings = checked(ctx.settings, dict(overrides))
    ctx.session.add(council)
    ctx.session.flush()
    return council
