"""Personal access tokens (issue 10, part 4): tokens people make for the API themselves.

Each has a name, a scope (``read``, or ``read_write``), an expiry it cannot do without, and a
last-used time; its owner or an admin may revoke it. Like the users' own tokens they are
stored only as SHA-256 hashes and shown once, at creation. They start ``cfpat_`` so that a
token found in a log or a repository is recognisable (and so the bearer check knows which
table to look in).

``last_used_at`` is written at most once a minute per token (``TOUCH_EVERY``): a script that
calls the API many times a second would otherwise turn every read into a write.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import or_, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select

from workflow import audit
from workflow.context import Ctx
from workflow.db import system_work
from workflow.errors import FieldProblem, Forbidden, InvalidInput, NotFound, Unauthenticated
from workflow.models import Council, PersonalAccessToken, Role, User, pk
from workflow.people.users import SIGNED_IN_COUNCIL, hash_token
from workflow.schemas import TokenIn

PREFIX = "cfpat_"
SCOPES = ("read", "read_write")
TOUCH_EVERY = timedelta(minutes=1)
# Methods that only read (RFC 9110 §9.2.1): all a ``read`` token may send.
READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


class TokenOut(BaseModel):
    """A personal access token as its owner (or an admin) sees it: never the token itself."""

    id: int
    user_id: int
    name: str
    scope: str = Field(description='"read" or "read_write"')
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    revoked_by_id: int | None

    @classmethod
    def of(cls, row: PersonalAccessToken) -> TokenOut:
        return cls(
            id=pk(row.id),
            user_id=row.user_id,
            name=row.name,
            scope=row.scope,
            created_at=row.created_at,
            expires_at=row.expires_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            revoked_by_id=row.revoked_by_id,
        )


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself; shown this once and never again.")


def is_personal_token(token: str) -> bool:
    return token.startswith(PREFIX)


def create_token(ctx: Ctx, owner: User, data: TokenIn) -> TokenCreated:
    """Make a token for ``owner``, answered with the token itself this once. Audited."""
    most = ctx.settings.token_max_days
    if data.expires_in_days > most:
        raise InvalidInput(
            f"a token may live at most {most} days",
            [FieldProblem("expires_in_days", f"must be {most} or fewer")],
        )
    raw = PREFIX + secrets.token_urlsafe(32)
    now = ctx.now()
    row = PersonalAccessToken(
        user_id=pk(owner.id),
        name=data.name,
        scope=data.scope,
        token_hash=hash_token(raw),
        created_at=now,
        expires_at=now + timedelta(days=data.expires_in_days),
    )
    ctx.session.add(row)
    ctx.session.flush()
    audit.append(
        ctx,
        event="token_created",
        at=now,
        actor_id=owner.id,
        data={"token_id": row.id, "name": row.name, "scope": row.scope},
    )
    return TokenCreated(**TokenOut.of(row).model_dump(), token=raw)


def list_tokens(ctx: Ctx, actor: User, user_id: int | None = None) -> list[PersonalAccessToken]:
    """The actor's own tokens, or (an admin only) another person's; newest first."""
    owner = pk(actor.id) if user_id is None else user_id
    if owner != actor.id and not actor.has_role(Role.admin):
        raise Forbidden("only an admin may list another person's tokens")
    query = (
        select(PersonalAccessToken)
        .where(PersonalAccessToken.user_id == owner)
        .order_by(col(PersonalAccessToken.id).desc())
    )
    return list(ctx.session.exec(query).all())


def revoke_token(ctx: Ctx, token_id: int, actor: User) -> PersonalAccessToken:
    """Revoke a token, at once: by its owner or an admin. To anyone else it does not exist
    (a 404, so token ids say nothing about other people's tokens). Revoking twice keeps the
    first revocation. Audited."""
    row = ctx.session.get(PersonalAccessToken, token_id)
    owner = ctx.session.get(User, row.user_id) if row is not None else None
    if (
        row is None
        or owner is None
        or not ctx.sees(owner.council_id)  # an admin's reach is their own council
        or (row.user_id != actor.id and not actor.has_role(Role.admin))
    ):
        raise NotFound(f"token {token_id} does not exist")
    if row.revoked_at is None:
        row.revoked_at = ctx.now()
        row.revoked_by_id = actor.id
        ctx.session.add(row)
        ctx.session.flush()
        audit.append(
            ctx,
            event="token_revoked",
            at=row.revoked_at,
            actor_id=actor.id,
            data={"token_id": row.id, "user_id": row.user_id},
        )
    return row


def authenticate_token(ctx: Ctx, token: str, method: str) -> User:
    """The person a personal access token speaks for, refused by name when it has expired or
    been revoked, and refused (403) when a ``read`` token asks for anything but GET or HEAD."""
    system_work(ctx.session)  # whose token this is decides the council: look across them
    found = ctx.session.exec(
        select(PersonalAccessToken, User, Council)
        .join(User, col(User.id) == col(PersonalAccessToken.user_id))
        .join(Council, col(Council.id) == col(User.council_id))
        .where(PersonalAccessToken.token_hash == hash_token(token))
    ).first()
    row, user = (found[0], found[1]) if found is not None else (None, None)
    if found is not None:
        # Held for entering the council, as ``users.authenticate`` does.
        ctx.session.info[SIGNED_IN_COUNCIL] = found[2]
    if row is None or user is None or user.is_system or not user.active:
        raise Unauthenticated("the token is not recognised")
    now = ctx.now()
    if row.revoked_at is not None:
        raise Unauthenticated(f"the personal access token {row.name!r} has been revoked")
    if row.expires_at <= now:
        raise Unauthenticated(
            f"the personal access token {row.name!r} expired at {row.expires_at.isoformat()}"
        )
    if row.scope != "read_write" and method.upper() not in READ_ONLY_METHODS:
        raise Forbidden(
            f"the personal access token {row.name!r} may only read (GET); "
            "make a read_write token to change anything"
        )
    _touch(ctx, row, now)
    return user


def _touch(ctx: Ctx, row: PersonalAccessToken, now: datetime) -> None:
    """Record the use, unless it was recorded less than ``TOUCH_EVERY`` ago. One conditional
    UPDATE, so two requests racing write it once and neither waits on the other's row."""
    if row.last_used_at is not None and now - row.last_used_at < TOUCH_EVERY:
        return
    table = PersonalAccessToken
    ctx.session.execute(
        update(table)
        .where(
            col(table.id) == row.id,
            or_(col(table.last_used_at).is_(None), col(table.last_used_at) <= now - TOUCH_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(row, "last_used_at", now)  # stored already: no second UPDATE
