"""People who can be stopped (issue 14, items 4 and 7): deactivation, sign-out on the server,
the scheduler's reserved identity, strong admin tokens, and calendar keys that cannot crash."""

from __future__ import annotations

import pytest
from casework import Work
from sqlmodel import select
from typer.testing import CliRunner

from councilflow.cli import app
from workflow.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from workflow.models import AuditEvent, User, pk
from workflow.people.users import (
    SYSTEM_EMAIL,
    authenticate,
    calendar_key,
    create_user,
    end_sessions,
    hash_token,
    set_active,
    system_user,
    user_for_calendar_key,
    users_with_role,
)
from workflow.schemas import UserIn
from workflow.settings import Settings, is_loopback, token_weakness

People = dict[str, User]
VIEWER_TOKEN = "cf_viewer_token_for_the_user_tests"


def _viewer(work: Work) -> tuple[int, str]:
    with work() as ctx:
        data = UserIn(name="Val Viewer", email="val@example.gov.uk", roles=["viewer"])
        user, token = create_user(ctx, data, actor=None, token=VIEWER_TOKEN)
        return pk(user.id), token


def test_a_person_cannot_take_the_schedulers_address(work: Work, people: People) -> None:
    for email in (SYSTEM_EMAIL, "Scheduler@CouncilFlow.System", "someone@councilflow.system"):
        with work() as ctx, pytest.raises(InvalidInput) as refused:
            create_user(ctx, UserIn(name="Mallory", email=email, roles=["admin"]), people["admin"])
        assert refused.value.problems[0].field == "email"


def test_the_scheduler_is_found_by_its_flag_not_its_email(work: Work) -> None:
    # A database from before the address was reserved: a person holds it, with admin rights.
    with work() as ctx:
        ctx.session.add(
            User(
                name="Mallory",
                email=SYSTEM_EMAIL,
                roles=["admin"],
                token_hash=hash_token("cf_mallory"),
                created_at=ctx.now(),
            )
        )
    with work() as ctx:
        scheduler = system_user(ctx)
        assert scheduler.is_system and scheduler.name == "CouncilFlow scheduler"
        assert scheduler.email != SYSTEM_EMAIL and scheduler.roles == []
    with work() as ctx:
        assert system_user(ctx).id == scheduler.id  # and it stays the one


def test_a_deactivated_person_cannot_authenticate_until_reactivated(
    work: Work, people: People
) -> None:
    user_id, token = _viewer(work)
    with work() as ctx:
        key = calendar_key(authenticate(ctx, token), ctx.settings.session_secret)
        set_active(ctx, user_id, False, people["admin"])
    with work() as ctx:
        with pytest.raises(Unauthenticated):
            authenticate(ctx, token)
        with pytest.raises(Unauthenticated):
            user_for_calendar_key(ctx, key)
        assert user_id not in {u.id for u in users_with_role(ctx, "viewer")}
        events = ctx.session.exec(select(AuditEvent).where(AuditEvent.event == "user_deactivated"))
        [event] = events.all()
        assert event.actor_id == people["admin"].id and event.data["user_id"] == user_id
    with work() as ctx:
        set_active(ctx, user_id, True, people["admin"])
    with work() as ctx:
        assert authenticate(ctx, token).id == user_id
        assert user_for_calendar_key(ctx, key).id == user_id


def test_only_an_admin_deactivates_and_never_themself(work: Work, people: People) -> None:
    user_id, _token = _viewer(work)
    with work() as ctx, pytest.raises(Forbidden):
        set_active(ctx, user_id, False, people["officer"])
    with work() as ctx, pytest.raises(NotFound):
        set_active(ctx, pk(people["system"].id), False, people["admin"])
    with work() as ctx, pytest.raises(Exception, match="themself"):
        set_active(ctx, pk(people["admin"].id), False, people["admin"])


def test_deactivation_and_sign_out_move_the_session_generation(work: Work, people: People) -> None:
    user_id, _token = _viewer(work)
    with work() as ctx:
        user = ctx.session.get(User, user_id)
        assert user is not None and user.session_generation == 0
        end_sessions(ctx, user)
    with work() as ctx:
        set_active(ctx, user_id, False, people["admin"])
    with work() as ctx:
        user = ctx.session.get(User, user_id)
        assert user is not None and user.session_generation == 2 and not user.active


@pytest.mark.parametrize("key", ["²-x", "1²-x", "\u0661-x", "{id}-²²²", "{id}-é", "{id}-\x00"])
def test_a_calendar_key_with_foreign_characters_is_refused(work: Work, key: str) -> None:
    """``?key=²-x`` made ``int`` raise, and a non-ASCII key made ``compare_digest`` raise."""
    user_id, _token = _viewer(work)
    key = key.replace("{id}", str(user_id))
    with work() as ctx, pytest.raises(Unauthenticated):
        user_for_calendar_key(ctx, key)


@pytest.mark.parametrize(
    "token",
    ["s3cret-admin", "test-admin-token", "a" * 40, "password" * 5, "0123456" * 6, ""],
)
def test_weak_admin_tokens(token: str) -> None:
    assert token_weakness(token) is not None
    assert Settings(admin_token=token).refusals()


def test_random_admin_tokens_are_strong() -> None:
    import secrets

    for _ in range(200):
        assert token_weakness(secrets.token_hex(16)) is None
        assert token_weakness(secrets.token_urlsafe(24)) is None
    assert Settings(admin_token=secrets.token_hex(24)).refusals() == []


def test_shipped_secrets_refused_only_where_others_can_reach() -> None:
    shipped = Settings()
    assert shipped.refusals("127.0.0.1") == [] and shipped.refusals("localhost") == []
    assert shipped.refusals("::1") == []
    [reason] = shipped.refusals("0.0.0.0")
    assert "COUNCILFLOW_SESSION_SECRET" in reason
    webhook = Settings(session_secret="x" * 40, reminder_channels=["webhook"])
    assert "COUNCILFLOW_WEBHOOK_SECRET" in webhook.refusals("10.0.0.5")[0]
    assert Settings(session_secret="x" * 40).refusals("10.0.0.5") == []
    assert not is_loopback("councilflow.example.org") and is_loopback("127.0.0.2")


def test_the_pool_must_fit_the_threads() -> None:
    with pytest.raises(ValueError, match="POOL_SIZE"):
        Settings(worker_threads=40, db_pool_size=5, db_max_overflow=10)
    fits = Settings(worker_threads=40, dispatch_concurrency=8)
    assert fits.db_pool_size + fits.db_max_overflow >= 50


def test_the_command_deactivates_a_person(work: Work, cli_env: None) -> None:
    user_id, token = _viewer(work)
    runner = CliRunner()
    done = runner.invoke(app, ["users", "deactivate", "VAL@example.gov.uk"])
    assert done.exit_code == 0, done.output
    assert f"user {user_id} val@example.gov.uk deactivated" in done.output
    with work() as ctx, pytest.raises(Unauthenticated):
        authenticate(ctx, token)
    unknown = runner.invoke(app, ["users", "deactivate", "nobody@example.gov.uk"])
    assert unknown.exit_code == 2 and "no user has the email" in unknown.output
