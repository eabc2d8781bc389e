"""The first run (issue 10, part 5): on a database with nobody in it, ``councilflow serve``
prints a sign-in link for a first admin, as Jupyter prints its token URL.

The link carries a random token, stored only as its SHA-256 hash (as every token is), good
once and for ``LINK_MINUTES``. Whoever opens it names the first admin (their name and email)
and is signed in as them. Once anyone is in the database no link is issued, and any link
still outstanding is refused: a first run happens once.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import timedelta

from sqlmodel import col, select

from workflow import audit
from workflow.context import Ctx
from workflow.db import system_work
from workflow.errors import Unauthenticated
from workflow.models import FirstRunLink, Role, User
from workflow.people.users import create_user, hash_token
from workflow.schemas import UserIn

LINK_MINUTES = 15
PATH = "/first-run/"


def has_people(ctx: Ctx) -> bool:
    """Anyone but the service's own identities (the scheduler), in any council."""
    system_work(ctx.session)
    query = select(User.id).where(col(User.is_system).is_(False)).limit(1)
    return ctx.session.exec(query).first() is not None


def issue_link(ctx: Ctx) -> str | None:
    """A new first-run token, or None when the database already has people in it."""
    if has_people(ctx):
        return None
    token = secrets.token_urlsafe(32)
    now = ctx.now()
    link = FirstRunLink(
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + timedelta(minutes=LINK_MINUTES),
    )
    ctx.session.add(link)
    ctx.session.flush()
    return token


def usable_link(ctx: Ctx, token: str) -> FirstRunLink:
    """The link of this token while it may still make the first admin; refused by name."""
    link = ctx.session.exec(
        select(FirstRunLink).where(FirstRunLink.token_hash == hash_token(token))
    ).first()
    if link is None:
        raise Unauthenticated("this first-run link is not recognised")
    if link.used_at is not None:
        raise Unauthenticated("this first-run link has been used: it works once")
    if has_people(ctx):
        raise Unauthenticated("CouncilFlow already has an admin: sign in instead")
    if link.expires_at <= ctx.now():
        raise Unauthenticated(
            f"this first-run link expired {LINK_MINUTES} minutes after it was printed: "
            "restart councilflow serve for a new one"
        )
    return link


def make_first_admin(ctx: Ctx, token: str, data: UserIn) -> tuple[User, str]:
    """Spend the link on the first admin (whatever roles ``data`` names, they are an admin
    and the platform operator), answered with their sign-in token, shown this once."""
    link = usable_link(ctx, token)
    roles = sorted({*data.roles, Role.admin, Role.platform_operator})
    # The installation's first person: the first council's admin, and its platform operator
    # (who may add further councils), as the operator at the command line would be.
    first = replace(ctx, council_id=None)
    user, user_token = create_user(first, data.model_copy(update={"roles": roles}), actor=None)
    link.used_at = ctx.now()
    link.user_id = user.id
    ctx.session.add(link)
    ctx.session.flush()
    audit.append(
        first,
        event="first_admin_created",
        at=link.used_at,
        actor_id=user.id,
        data={"user_id": user.id, "email": user.email},
    )
    return user, user_token
