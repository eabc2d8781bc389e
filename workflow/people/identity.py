"""Signing in through a council's own OpenID Provider (issue 10, part 3): the providers, the
sign-ins begun at them, and who a provider's answer lets in with which roles.

The protocol itself (discovery, PKCE, the token exchange, checking the ID token's signature,
issuer, audience, expiry and nonce) is Authlib's, in ``api/web/oidc_client.py``; what is
decided here is CouncilFlow's own:

- a state is good once, for ``STATE_MINUTES``: a second callback with it is a replay;
- the provider's ``roles_claim`` (say ``groups``) becomes CouncilFlow roles through the
  provider's ``role_mapping``, and the person's roles follow it at every sign-in, so removing
  someone from a group in the council's directory takes their role here the next time;
- ``pre_registered`` (the default) lets in only a person an admin has already made, matched
  by email; ``create`` makes anyone the provider vouches for, and a person whose groups map
  to nothing gets ``create_role``;
- a person with no role at all is refused, by name, rather than let in to see nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from sqlmodel import col, select

from workflow import audit
from workflow.context import Ctx
from workflow.db import system_work
from workflow.errors import Conflict, DomainError, Forbidden, NotFound
from workflow.models import IdentityProvider, OidcSignIn, Role, User, pk
from workflow.people.users import create_user
from workflow.schemas import IdentityProviderIn, UserIn

STATE_MINUTES = 10  # from leaving for the provider to coming back


class SignInRefused(DomainError):
    """A sign-in through a provider that cannot go on; ``title`` heads the page that says so."""

    status, title, type_slug = 403, "You cannot sign in", "sign-in-refused"

    def __init__(self, title: str, detail: str, status: int = 403) -> None:
        super().__init__(detail)
        self.title = title
        self.status = status


class IdentityProviderOut(BaseModel):
    """A provider as the API shows it: never its client secret."""

    id: int
    council_id: int | None
    name: str
    issuer: str
    client_id: str
    has_client_secret: bool
    scopes: str
    roles_claim: str
    role_mapping: dict[str, Role]
    provisioning: str
    create_role: Role | None
    end_session: bool

    @classmethod
    def of(cls, provider: IdentityProvider) -> IdentityProviderOut:
        return cls(
            id=pk(provider.id),
            council_id=provider.council_id,
            name=provider.name,
            issuer=provider.issuer,
            client_id=provider.client_id,
            has_client_secret=bool(provider.client_secret),
            scopes=provider.scopes,
            roles_claim=provider.roles_claim,
            role_mapping={k: Role(v) for k, v in provider.role_mapping.items()},
            provisioning=provider.provisioning,
            create_role=Role(provider.create_role) if provider.create_role else None,
            end_session=provider.end_session,
        )


def _admin_only(actor: User | None) -> None:
    if actor is not None and not actor.has_role(Role.admin):
        raise Forbidden("only an admin may manage identity providers")


def add_provider(ctx: Ctx, data: IdentityProviderIn, actor: User | None) -> IdentityProvider:
    """By an admin, or (``actor`` None) the operator at the command line. Audited."""
    _admin_only(actor)
    taken = select(IdentityProvider).where(IdentityProvider.issuer == data.issuer)
    if ctx.session.exec(taken).first() is not None:
        raise Conflict(f"an identity provider with issuer {data.issuer} already exists")
    # An admin adds their own council's; the operator at the command line names one.
    council = ctx.home if actor is not None or data.council_id is None else data.council_id
    provider = IdentityProvider(
        council_id=council,
        name=data.name,
        issuer=data.issuer,
        client_id=data.client_id,
        client_secret=data.client_secret,
        scopes=data.scopes,
        roles_claim=data.roles_claim,
        role_mapping={k: str(v) for k, v in data.role_mapping.items()},
        provisioning=data.provisioning,
        create_role=str(data.create_role) if data.create_role else None,
        end_session=data.end_session,
        created_at=ctx.now(),
    )
    ctx.session.add(provider)
    ctx.session.flush()
    _audit(ctx, "identity_provider_added", actor, provider)
    return provider


def remove_provider(ctx: Ctx, provider_id: int, actor: User | None) -> None:
    _admin_only(actor)
    provider = get_provider(ctx, provider_id)
    _audit(ctx, "identity_provider_removed", actor, provider)
    begun = select(OidcSignIn).where(OidcSignIn.provider_id == provider_id)
    for row in ctx.session.exec(begun):
        ctx.session.delete(row)
    ctx.session.delete(provider)
    ctx.session.flush()


def _audit(ctx: Ctx, event: str, actor: User | None, provider: IdentityProvider) -> None:
    audit.append(
        ctx,
        event=event,
        at=ctx.now(),
        actor_id=actor.id if actor is not None else None,
        data={"provider_id": provider.id, "issuer": provider.issuer, "name": provider.name},
    )


def list_providers(ctx: Ctx) -> list[IdentityProvider]:
    """The council's providers; every council's on the sign-in page (``for_sign_in``)."""
    query = select(IdentityProvider).where(ctx.within(col(IdentityProvider.council_id)))
    return list(ctx.session.exec(query.order_by(col(IdentityProvider.id))))


def for_sign_in(ctx: Ctx) -> Ctx:
    """Signing in is system work until it knows who it is (as ``authenticate`` is): the
    sign-in page lists every council's providers, and a provider's answer is matched to its
    own council's people (``person_for``)."""
    system_work(ctx.session)
    ctx.council_id = None
    return ctx


def get_provider(ctx: Ctx, provider_id: int) -> IdentityProvider:
    provider = ctx.session.get(IdentityProvider, provider_id)
    if provider is None or not ctx.sees(provider.council_id):
        raise NotFound(f"identity provider {provider_id} does not exist")
    return provider


def token_sign_in_on(ctx: Ctx) -> bool:
    """The pasted-token sign-in of the pages: on for an installation with no identity
    provider, off once one is configured (people then sign in as their council does), unless
    ``COUNCILFLOW_TOKEN_SIGN_IN`` says otherwise. API bearer tokens are not affected."""
    if ctx.settings.token_sign_in is not None:
        return ctx.settings.token_sign_in
    return ctx.session.exec(select(IdentityProvider.id).limit(1)).first() is None


# --- one sign-in: the state, coming back, who it is ------------------------------------------


def _state_hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def begin_sign_in(
    ctx: Ctx, provider: IdentityProvider, *, state: str, nonce: str, code_verifier: str, next: str
) -> OidcSignIn:
    """Remember what the callback must match. Sign-ins older than a day are dropped here, so
    the table holds only the day's."""
    stale = select(OidcSignIn).where(col(OidcSignIn.created_at) < ctx.now() - timedelta(days=1))
    for row in ctx.session.exec(stale):
        ctx.session.delete(row)
    begun = OidcSignIn(
        state_hash=_state_hash(state),
        provider_id=pk(provider.id),
        nonce=nonce,
        code_verifier=code_verifier,
        next=next,
        created_at=ctx.now(),
    )
    ctx.session.add(begun)
    ctx.session.flush()
    return begun


START_AGAIN = "Go back to the sign-in page and start again."


def take_state(ctx: Ctx, state: str) -> OidcSignIn:
    """The sign-in this state began, marked used: a state works once, and only for
    ``STATE_MINUTES``."""
    found = ctx.session.exec(
        select(OidcSignIn).where(OidcSignIn.state_hash == _state_hash(state)).with_for_update()
    ).first()
    if found is None:
        raise SignInRefused(
            "Your sign-in could not be completed",
            f"This sign-in was not started here, or was started too long ago. {START_AGAIN}",
            400,
        )
    if found.used_at is not None:
        raise SignInRefused(
            "This sign-in link has already been used",
            f"A sign-in link from your council's sign-in page works once. {START_AGAIN}",
            400,
        )
    found.used_at = ctx.now()
    ctx.session.add(found)
    ctx.session.flush()
    if ctx.now() - found.created_at > timedelta(minutes=STATE_MINUTES):
        raise SignInRefused(
            "Your sign-in timed out",
            f"You have {STATE_MINUTES} minutes to sign in at your council's sign-in page. "
            + START_AGAIN,
            400,
        )
    return found


@dataclass(frozen=True)
class Vouched:
    """What the provider said about the person, after Authlib checked the ID token."""

    claims: dict[str, Any]

    @property
    def email(self) -> str | None:
        email = self.claims.get("email")
        return email.strip().lower() if isinstance(email, str) and email.strip() else None

    def values(self, claim: str) -> list[str]:
        value = self.claims.get(claim)
        if isinstance(value, str):
            return value.split() if claim in {"scope", "scp"} else [value]
        if isinstance(value, list):
            return [v for v in value if isinstance(v, str)]
        return []


def roles_from(provider: IdentityProvider, vouched: Vouched) -> list[str]:
    """The provider's claim through its mapping: every mapped value, each role once."""
    mapping = provider.role_mapping
    return sorted({mapping[v] for v in vouched.values(provider.roles_claim) if v in mapping})


def person_for(ctx: Ctx, provider: IdentityProvider, vouched: Vouched) -> User:
    """The person to sign in, their roles brought in step with the provider's claim."""
    email = vouched.email
    if email is None or vouched.claims.get("email_verified") is False:
        raise SignInRefused(
            "Your account has no verified email address",
            f"{provider.name} did not give CouncilFlow a verified email address for you, and "
            "that is how CouncilFlow knows who you are. Ask your IT service desk.",
        )
    roles = roles_from(provider, vouched)
    if not roles and provider.provisioning == "create" and provider.create_role:
        roles = [provider.create_role]
    # The provider's council's people only: its answer says nothing about another council's.
    ctx.council_id = provider.council_id
    user = ctx.session.exec(
        select(User).where(User.email == email, User.council_id == provider.council_id)
    ).first()
    if user is None and provider.provisioning != "create":
        raise SignInRefused(
            "You do not have a CouncilFlow account",
            f"{provider.name} signed you in as {email}, but nobody with that email address "
            "has been given access to CouncilFlow. Ask your CouncilFlow administrator to add you.",
        )
    if not roles:
        raise SignInRefused(
            "You do not have a role in CouncilFlow",
            f"{provider.name} signed you in as {email}, but none of your groups gives a "
            "CouncilFlow role. Ask your CouncilFlow administrator which group you need to join.",
        )
    if user is not None and (user.is_system or not user.active):
        raise SignInRefused(
            "Your CouncilFlow account is switched off",
            "Your account has been deactivated. Ask your CouncilFlow administrator.",
        )
    if user is None:
        name = vouched.claims.get("name")
        data = UserIn(
            name=name if isinstance(name, str) and name else email,
            email=email,
            roles=[Role(r) for r in roles],
        )
        user, _token = create_user(ctx, data, actor=None)  # its token is never shown: unused
        _audit_person(ctx, "user_created_at_sign_in", provider, user, roles)
    elif sorted(user.roles) != roles:
        user.roles = roles
        ctx.session.add(user)
        ctx.session.flush()
        _audit_person(ctx, "user_roles_from_provider", provider, user, roles)
    return user


def _audit_person(
    ctx: Ctx, event: str, provider: IdentityProvider, user: User, roles: list[str]
) -> None:
    audit.append(
        ctx,
        event=event,
        at=ctx.now(),
        actor_id=user.id,
        data={"user_id": user.id, "provider_id": provider.id, "roles": roles},
    )
