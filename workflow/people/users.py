"""Users, their roles and their bearer tokens (stored only as SHA-256 hashes).

A user can be deactivated (issue 14, item 4): their token, their calendar key and every
web session stop working at once, and nobody can name them delegate or consultee; their
history stays as it was. The scheduler has an identity of its own, found by its
``is_system`` flag and never by its email, whose domain no human can take.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select as sa_select
from sqlmodel import col, select

from workflow import audit
from workflow.context import Ctx
from workflow.db import system_work
from workflow.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from workflow.models import Council, Role, User
from workflow.schemas import UserIn

SYSTEM_EMAIL = "scheduler@councilflow.system"
RESERVED_DOMAIN = "@councilflow.system"  # the service's own identities, never a person


# session.info key: the council row read with the signed-in person, for entering it.
SIGNED_IN_COUNCIL = "councilflow_signed_in_council"


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
    if email.endswith(RESERVED_DOMAIN):
        raise InvalidInput(
            f"{email} is reserved for CouncilFlow's own scheduler",
            [FieldProblem("email", f"addresses ending {RESERVED_DOMAIN} are reserved")],
        )
    if _by_email(ctx, email) is not None:
        raise Conflict(f"a user with email {email} already exists")
    token = token or new_token()
    now = ctx.now()
    user = User(
        council_id=ctx.home,
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


def _by_email(ctx: Ctx, email: str) -> User | None:
    """The person with this email in the work's council (emails are unique per council)."""
    query = select(User).where(User.email == email, User.council_id == ctx.home)
    return ctx.session.exec(query).first()


def calendar_key(user: User, secret: str) -> str:
    """A key for the calendar feed URL, for calendar apps that cannot send a bearer token.

    It grants reading that one feed and nothing else, and it is bound to the user's current
    token hash: issuing the user a new token revokes every feed address given out before.
    """
    mac = hmac.new(
        secret.encode(), f"calendar:{user.id}:{user.token_hash}".encode(), hashlib.sha256
    ).hexdigest()
    return f"{user.id}-{mac[:40]}"


def _plain_number(text: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``²``, which ``int`` refuses."""
    return text.isascii() and text.isdigit() and len(text) < 10


def user_for_calendar_key(ctx: Ctx, key: str) -> User:
    user_id, _, _mac = key.partition("-")
    system_work(ctx.session)  # whose key this is decides the council, so look across them
    user = ctx.session.get(User, int(user_id)) if _plain_number(user_id) else None
    if (
        user is None
        or user.is_system
        or not user.active
        or user.token_hash is None
        # Bytes: compare_digest refuses str holding anything but ASCII.
        or not hmac.compare_digest(
            calendar_key(user, ctx.settings.session_secret).encode(), key.encode()
        )
    ):
        raise Unauthenticated("the calendar key is not recognised")
    return user


def authenticate(ctx: Ctx, token: str | None) -> User:
    """The person whose token this is, read across councils (their council is not known
    until they are) with their council in the same query, so entering it costs nothing more."""
    if not token:
        raise Unauthenticated("a bearer token is required")
    system_work(ctx.session)
    row = ctx.session.exec(
        select(User, Council)
        .join(Council, col(Council.id) == col(User.council_id))
        .where(User.token_hash == hash_token(token))
    ).first()
    user = row[0] if row is not None else None
    if row is not None:
        # Held here: the session's identity map keeps rows only while someone refers to them.
        ctx.session.info[SIGNED_IN_COUNCIL] = row[1]
    if user is None or user.is_system or not user.active:
        raise Unauthenticated("the token is not recognised")
    return user


def end_sessions(ctx: Ctx, user: User) -> None:
    """Sign the user out everywhere: every session cookie issued before now is refused
    (the cookie carries the generation it was issued in; see ``api/web/session.py``)."""
    user.session_generation += 1
    ctx.session.add(user)
    ctx.session.flush()


def find_user_by_email(ctx: Ctx, email: str) -> User:
    user = _by_email(ctx, email.strip().lower())
    if user is None or user.is_system:
        raise NotFound(f"no user has the email {email}")
    return user


def set_active(ctx: Ctx, user_id: int, active: bool, actor: User | None) -> User:
    """Deactivate or reactivate a person, audited: by an admin, or (``actor`` None) by the
    operator at the command line, who holds the database anyway. Deactivation also ends
    their sessions, so nothing they had open keeps working; reactivation revives none."""
    if actor is not None and not actor.has_role(Role.admin):
        raise Forbidden("only an admin may deactivate or reactivate users")
    user = get_user(ctx, user_id)
    if actor is not None and user.id == actor.id and not active:
        raise Conflict("an admin cannot deactivate themself")
    if user.active == active:
        return user
    user.active = active
    if not active:
        user.session_generation += 1
    ctx.session.add(user)
    ctx.session.flush()
    audit.append(
        ctx,
        event="user_reactivated" if active else "user_deactivated",
        at=ctx.now(),
        actor_id=actor.id if actor is not None else None,
        data={"user_id": user.id, "email": user.email},
    )
    return user


ADMIN_EMAIL = "admin@councilflow.example.org"


# The installation's own administrator: an admin of the first council, and the platform
# operator who may create the others (issue 10).
BOOTSTRAP_ROLES = (Role.admin.value, Role.platform_operator.value)


def ensure_admin(ctx: Ctx, token: str) -> User:
    """Bootstrap: make sure an admin with this token exists (COUNCILFLOW_ADMIN_TOKEN), in the
    work's council (the first, from the command line), holding the platform operator role."""
    session = ctx.session
    user = session.exec(select(User).where(User.token_hash == hash_token(token))).first()
    if user is None:
        user = _by_email(ctx, ADMIN_EMAIL)
        if user is None:
            roles = [Role(r) for r in BOOTSTRAP_ROLES]
            data = UserIn(name="Administrator", email=ADMIN_EMAIL, roles=roles)
            return create_user(ctx, data, actor=None, token=token)[0]
        user.token_hash = hash_token(token)
    if not set(BOOTSTRAP_ROLES) <= set(user.roles):
        user.roles = sorted({*user.roles, *BOOTSTRAP_ROLES})
    session.add(user)
    session.flush()
    return user


def system_user(ctx: Ctx) -> User:
    """The scheduler's own identity, so the audit trail says who expired a case: one per
    council (every user belongs to one). Found by its flag: an email is only a label (and its
    domain is reserved, see ``create_user``)."""
    user = ctx.session.exec(
        select(User)
        .where(col(User.is_system).is_(True), User.council_id == ctx.home)
        .order_by(col(User.id))
    ).first()
    if user is None:
        email = SYSTEM_EMAIL
        if _by_email(ctx, email) is not None:
            # A person took the address before it was reserved: the identity is the flag.
            email = f"scheduler-{secrets.token_hex(4)}{RESERVED_DOMAIN}"
        user = User(
            council_id=ctx.home,
            name="CouncilFlow scheduler",
            email=email,
            roles=[],
            is_system=True,
            created_at=ctx.now(),
        )
        ctx.session.add(user)
        ctx.session.flush()
    return user


def get_user(ctx: Ctx, user_id: int) -> User:
    user = ctx.session.get(User, user_id)
    if user is None or user.is_system or not ctx.sees(user.council_id):
        raise NotFound(f"user {user_id} does not exist")
    return user


def users_with_role(ctx: Ctx, role: Role | str) -> list[User]:
    """All human users holding ``role`` (roles are a JSON list, so filter in Python: the
    number of users in one council is small)."""
    rows = ctx.session.execute(
        sa_select(User).where(col(User.is_system).is_(False), ctx.within(col(User.council_id)))
    ).scalars()
    return [u for u in rows if u.active and u.has_role(role)]
