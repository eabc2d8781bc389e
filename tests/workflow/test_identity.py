"""Who an identity provider lets in, with which roles (issue 10, part 3): the mapping from
the groups claim, pre-registered and created people, states good once and for ten minutes,
the token sign-in's rule, the provider's fields, and the ``councilflow idp`` commands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select
from typer.testing import CliRunner

from councilflow.cli import app
from workflow.clock import FrozenClock
from workflow.errors import Conflict, Forbidden
from workflow.models import AuditEvent, IdentityProvider, User, pk
from workflow.people.identity import (
    STATE_MINUTES,
    SignInRefused,
    Vouched,
    add_provider,
    begin_sign_in,
    list_providers,
    person_for,
    roles_from,
    take_state,
    token_sign_in_on,
)
from workflow.people.users import create_user
from workflow.schemas import IdentityProviderIn, UserIn

ISSUER = "https://login.example.gov.uk/sefton/v2.0"
EMAIL = "pat@sefton.example.gov.uk"


def provider_in(**extra: object) -> IdentityProviderIn:
    values: dict[str, object] = {
        "name": "Sefton Council",
        "issuer": ISSUER,
        "client_id": "councilflow",
        "client_secret": "s3cret",
        "role_mapping": {"cf-officers": "officer", "cf-dem": "democratic_services"},
        **extra,
    }
    return IdentityProviderIn.model_validate(values)


@pytest.fixture
def provider(work) -> IdentityProvider:  # type: ignore[no-untyped-def]
    with work() as ctx:
        return add_provider(ctx, provider_in(), actor=None)


def _pat(work, roles: list[str]) -> int:  # type: ignore[no-untyped-def]
    with work() as ctx:
        data = UserIn(name="Pat", email=EMAIL, roles=roles)  # type: ignore[arg-type]
        return pk(create_user(ctx, data, actor=None)[0].id)


def test_roles_come_from_every_mapped_value_of_the_claim(provider: IdentityProvider) -> None:
    vouched = Vouched({"groups": ["staff", "cf-dem", "cf-officers", "cf-officers"]})
    assert roles_from(provider, vouched) == ["democratic_services", "officer"]
    assert roles_from(provider, Vouched({"groups": "cf-dem"})) == ["democratic_services"]
    assert roles_from(provider, Vouched({"groups": ["staff"]})) == []
    assert roles_from(provider, Vouched({})) == []


def test_a_registered_persons_roles_follow_the_claim(work, provider: IdentityProvider) -> None:  # type: ignore[no-untyped-def]
    user_id = _pat(work, ["viewer"])
    claims = {"email": EMAIL.upper(), "email_verified": True, "groups": ["cf-officers"]}
    with work() as ctx:
        user = person_for(ctx, provider, Vouched(claims))
        assert user.id == user_id and user.roles == ["officer"]
    with work() as ctx:
        events = ctx.session.exec(select(AuditEvent.event)).all()
        assert "user_roles_from_provider" in events


@pytest.mark.parametrize(
    ("claims", "title"),
    [
        ({"email": EMAIL, "groups": ["staff"]}, "You do not have a role in CouncilFlow"),
        (
            {"email": "who@else.example", "groups": ["cf-officers"]},
            "You do not have a CouncilFlow account",
        ),
        ({"groups": ["cf-officers"]}, "Your account has no verified email address"),
        ({"email": EMAIL, "email_verified": False, "groups": ["cf-officers"]}, "no verified email"),
    ],
)
def test_refusals_are_named(work, provider: IdentityProvider, claims: dict, title: str) -> None:  # type: ignore[no-untyped-def]
    _pat(work, ["viewer"])
    with work() as ctx, pytest.raises(SignInRefused) as refused:
        person_for(ctx, provider, Vouched(claims))
    assert title in refused.value.title
    assert refused.value.status == 403


def test_create_provisioning_makes_people_with_the_configured_role(work) -> None:  # type: ignore[no-untyped-def]
    with work() as ctx:
        made = add_provider(ctx, provider_in(provisioning="create", create_role="viewer"), None)
    with work() as ctx:
        user = person_for(ctx, made, Vouched({"email": EMAIL, "name": "Pat Doe", "groups": []}))
        assert user.name == "Pat Doe" and user.roles == ["viewer"]
    with work() as ctx:
        again = person_for(ctx, made, Vouched({"email": EMAIL, "groups": ["cf-dem"]}))
        assert again.roles == ["democratic_services"]
        assert len(ctx.session.exec(select(User).where(User.email == EMAIL)).all()) == 1


def test_a_deactivated_person_is_refused(work, provider: IdentityProvider) -> None:  # type: ignore[no-untyped-def]
    user_id = _pat(work, ["officer"])
    with work() as ctx:
        user = ctx.session.get(User, user_id)
        assert user is not None
        user.active = False
    with work() as ctx, pytest.raises(SignInRefused, match="deactivated"):
        person_for(ctx, provider, Vouched({"email": EMAIL, "groups": ["cf-officers"]}))


def test_a_state_is_good_once_and_for_ten_minutes(
    work,
    provider: IdentityProvider,
    clock: FrozenClock,  # type: ignore[no-untyped-def]
) -> None:
    with work() as ctx:
        for state in ("first", "second"):
            begin_sign_in(ctx, provider, state=state, nonce="n", code_verifier="v", next="/x")
    with work() as ctx:
        assert take_state(ctx, "first").next == "/x"
    with work() as ctx, pytest.raises(SignInRefused, match="works once"):
        take_state(ctx, "first")
    with work() as ctx, pytest.raises(SignInRefused, match="not started here"):
        take_state(ctx, "never-sent")
    clock.advance(timedelta(minutes=STATE_MINUTES, seconds=1))
    with work() as ctx, pytest.raises(SignInRefused, match="10 minutes"):
        take_state(ctx, "second")


def test_the_token_sign_in_is_on_only_without_a_provider(work, settings) -> None:  # type: ignore[no-untyped-def]
    with work() as ctx:
        assert token_sign_in_on(ctx)
        add_provider(ctx, provider_in(), None)
    with work() as ctx:
        assert not token_sign_in_on(ctx)
        ctx.settings = settings.model_copy(update={"token_sign_in": True})
        assert token_sign_in_on(ctx)


def test_only_admins_add_providers_and_issuers_are_unique(work, provider: IdentityProvider) -> None:  # type: ignore[no-untyped-def]
    _pat(work, ["officer"])
    with work() as ctx:
        pat = ctx.session.exec(select(User).where(User.email == EMAIL)).one()
        with pytest.raises(Forbidden):
            add_provider(ctx, provider_in(issuer="https://other.example/"), pat)
        with pytest.raises(Conflict):
            add_provider(ctx, provider_in(), None)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"issuer": "http://login.example.gov.uk"}, "https"),
        ({"scopes": "email profile"}, "openid"),
        ({"provisioning": "create"}, "create_role"),
        ({"role_mapping": {"cf": "wizard"}}, "role_mapping"),
    ],
)
def test_a_provider_is_checked(extra: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValidationError, match=message):
        provider_in(**extra)
    assert provider_in(issuer="http://127.0.0.1:9999").issuer == "http://127.0.0.1:9999"


def test_the_idp_commands(work, cli_env: None) -> None:  # type: ignore[no-untyped-def]
    runner = CliRunner()
    args = ["idp", "add", "--name", "Sefton Council", "--issuer", ISSUER]
    args += ["--client-id", "councilflow", "--client-secret", "s3cret"]
    args += ["--map", "cf-officers=officer", "--map", "CF=Admins=admin", "--roles-claim", "roles"]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output
    assert "/sign-in/oidc/callback" in done.output
    with work() as ctx:
        (made,) = list_providers(ctx)
        assert made.role_mapping == {"cf-officers": "officer", "CF=Admins": "admin"}
        assert made.roles_claim == "roles" and made.provisioning == "pre_registered"
    listed = runner.invoke(app, ["idp", "list"])
    assert "Sefton Council" in listed.output and "s3cret" not in listed.output
    refused = runner.invoke(app, [*args[:5], "http://plain.example", *args[6:]])
    assert refused.exit_code == 2 and "https" in refused.output
    bad_role = runner.invoke(app, [*args, "--map", "x=wizard"])
    assert bad_role.exit_code == 2
    removed = runner.invoke(app, ["idp", "remove", str(made.id)])
    assert removed.exit_code == 0, removed.output
    with work() as ctx:
        assert list_providers(ctx) == []
