"""Users, their roles and their bearer tokens (stored only as SHA-256 hashes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from workflow.context import Ctx
from workflow.errors import Conflict, Forbidden, NotFound, Unauthenticated
from workflow.models import Role, User
from workflow.schemas import UserIn

SYSTEM_EMAIL = "scheduler@councilflow.system"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "cf_" + secrets.token_urlsafe(32)


def create_user(
    ctx: Ctx, data: UserIn, actor: User | None, token: str | None = None
) -> tuple[User, str]:
    """Create a user and answer its token, which is shown this once and never stored."""
    if actor is not None and not actor.has_role(Role.admin):
        raise Forbidden("only an admin may create users")
    email = str(data.email).lower()
    if ctx.session.exec(select(User).where(User.email == email)).first() is not None:
        raise Conflict(f"a user with email {email} already exists")
    token = token or new_token()
    now = ctx.now()
    user = User(
        name=data.name,
        email=email,
        roles=sorted({str(r) for r in data.roles}),
        directorate=data.directorate,
        token_hash=hash_token(token),
        created_at=now,
    )
    ctx.session.add(user)
    ctx.session.flush()
    return user, token


def calendar_key(user: User, secret: str) -> str:
    """A key for the calendar feed URL, for calendar apps that cannot send a bearer token.

    It grants reading that one feed and nothing else, and it is bound to the user's current
    token hash: issuing the user a new token revokes every feed address given out before.
    """
    mac = hmac.new(
        secret.encode(), f"calendar:{user.id}:{user.token_hash}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{user.id}-{mac[:40]}"


def user_for_calendar_key(ctx: Ctx, key: str) -> User:
    user_id, _, _mac = key.partition("-")
    user = ctx.session.get(User, int(user_id)) if user_id.isdigit() and len(user_id) < 10 else None
    if (
        user is None
        or user.is_system
        or user.token_hash is None
        or not hmac.compare_digest(calendar_key(user, ctx.settings.session_secret), key)
    ):
        raise Unauthenticated("the calendar key is not recognised")
    return user


def authenticate(ctx: Ctx, token: str | None) -> User:
    if not token:
        raise Unauthenticated("a bearer token is required")
    user = ctx.session.exec(select(User).where(User.token_hash == hash_token(token))).first()
    if user is None or user.is_system:
        raise Unauthenticated("the token is not recognised")
    return user


ADMIN_EMAIL = "admin@councilflow.example.org"


def ensure_admin(ctx: Ctx, token: str) -> User:
    """Bootstrap: make sure an admin with this token exists (COUNCILFLOW_ADMIN_TOKEN)."""
    session = ctx.session
    user = session.exec(select(User).where(User.token_hash == hash_token(token))).first()
    if user is None:
        user = session.exec(select(User).where(User.email == ADMIN_EMAIL)).first()
        if user is None:
            data = UserIn(name="Administrator", email=ADMIN_EMAIL, roles=[Role.admin])
            return create_user(ctx, data, actor=None, token=token)[0]
        user.token_hash = hash_token(token)
    if not user.has_role(Role.admin):
        user.roles = sorted({*user.roles, Role.admin.value})
    session.add(user)
    session.flush()
    return user


def system_user(ctx: Ctx) -> User:
    """The scheduler's own identity, so the audit trail says who expired a case."""
    user = ctx.session.exec(select(User).where(User.email == SYSTEM_EMAIL)).first()
    if user is None:
        user = User(
            name="CouncilFlow scheduler",
            email=SYSTEM_EMAIL,
            roles=[],
            is_system=True,
            created_at=ctx.now(),
        )
        ctx.session.add(user)
        ctx.session.flush()
    return user


def get_user(ctx: Ctx, user_id: int) -> User:
    user = ctx.session.get(User, user_id)
    if user is None or user.is_system:
        raise NotFound(f"user {user_id} does not exist")
    return user


def users_with_role(ctx: Ctx, role: Role | str) -> list[User]:
    """All human users holding ``role`` (roles are a JSON list, so filter in Python: the
    number of users in one council is small)."""
    rows = ctx.session.execute(sa_select(User).where(col(User.is_system).is_(False))).scalars()
    return [u for u in rows if u.has_role(role)]
