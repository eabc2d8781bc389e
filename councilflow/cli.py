"""The ``councilflow`` command (SPEC §8), built with Typer.

Each command opens its own engine from the one settings object and commits at its own
boundary; none of them holds rules of its own.
"""

from __future__ import annotations

import sys

import typer
from pydantic import ValidationError

from workflow import audit, demo, migrate, retention
from workflow.clock import Clock
from workflow.context import Ctx
from workflow.councils.councils import all_councils, create_council, enter, find_council
from workflow.db import make_engine, unit_of_work
from workflow.errors import DomainError
from workflow.models import Role, pk
from workflow.people.identity import add_provider, list_providers, remove_provider
from workflow.people.users import (
    create_user,
    ensure_admin,
    find_user_by_email,
    new_token,
    set_active,
)
from workflow.schemas import CouncilIn, IdentityProviderIn, UserIn
from workflow.settings import Settings, get_settings

app = typer.Typer(help="CouncilFlow: contract extensions and SLA refreshes through Cabinet.")
db_app = typer.Typer(help="Database schema.")
audit_app = typer.Typer(help="The tamper-evident audit trail.")
users_app = typer.Typer(help="Users and their tokens.")
councils_app = typer.Typer(help="Councils: the tenants of one installation (issue 10).")
retention_app = typer.Typer(
    help="Keeping decision records and background papers for the periods the law sets."
)
idp_app = typer.Typer(help="Identity providers: signing in through OpenID Connect.")
app.add_typer(db_app, name="db")
app.add_typer(councils_app, name="councils")
app.add_typer(audit_app, name="audit")
app.add_typer(users_app, name="users")
app.add_typer(retention_app, name="retention")
app.add_typer(idp_app, name="idp")


def _clock(settings: Settings) -> Clock:
    return Clock(start=settings.now)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the Alembic migrations to COUNCILFLOW_DATABASE_URL."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine, revision)
    typer.echo(f"database at {engine.url.render_as_string()} is at {revision}")


def _warn_insecure(settings: Settings) -> None:
    for name in settings.insecure_defaults():
        typer.echo(
            f"warning: {name} is still the shipped default: set it before anyone else can "
            "reach this",
            err=True,
        )


@audit_app.command("verify")
def audit_verify() -> None:
    """Walk every case chain and the checkpoints; exit 1 naming the first event or checkpoint
    changed, removed or reordered, or hashed without COUNCILFLOW_AUDIT_KEY."""
    settings = get_settings()
    _warn_insecure(settings)
    engine = make_engine(settings.database_url)
    with unit_of_work(engine) as session:
        result = audit.verify(Ctx(session, _clock(settings), settings))
    if result.ok:
        typer.echo(
            f"audit trail intact: {result.checked} events and "
            f"{result.checkpoints} checkpoints verified"
        )
        return
    typer.echo(f"audit trail BROKEN: {result.problem}", err=True)
    raise typer.Exit(code=1)


@councils_app.command("add")
def councils_add(
    name: str = typer.Argument(..., help="the council's name, e.g. 'Oldham Council'"),
    slug: str = typer.Argument(..., help="its short name, e.g. 'oldham'"),
) -> None:
    """Create a council with the installation's settings and print its first admin's token
    (shown this once)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            ctx = Ctx(session, _clock(settings), settings)
            council, admin, token = create_council(ctx, CouncilIn(name=name, slug=slug), None)
    except (DomainError, ValidationError) as exc:
        detail = exc.detail if isinstance(exc, DomainError) else str(exc)
        typer.echo(f"error: {detail}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"council {council.id} {council.slug}: {council.name}")
    typer.echo(f"first admin {admin.email}, token: {token}")


@councils_app.command("list")
def councils_list() -> None:
    """Every council: id, slug and name."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    with unit_of_work(engine, write=False) as session:
        for council in all_councils(Ctx(session, _clock(settings), settings)):
            typer.echo(f"{council.id}\t{council.slug}\t{council.name}")


def _council_ctx(ctx: Ctx, slug: str | None) -> Ctx:
    """``ctx`` entered into the council ``--council`` names (the first when none is)."""
    return ctx if slug is None else enter(ctx, find_council(ctx, slug))


@retention_app.command("purge")
def retention_purge(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="list what is past its period and change nothing"
    ),
) -> None:
    """Remove closed cases' background papers past four years and decision records past six,
    counted from the decision (SI 2014/2095 reg 8; SI 2012/2089 regs 14-15); one audit event
    per purge. See workflow/retention for what counts as which."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    verb = "would remove" if dry_run else "removed"
    with unit_of_work(engine, write=not dry_run) as session:
        councils = all_councils(Ctx(session, _clock(settings), settings))
        for council in councils:  # each council's records, under its own chain (issue 10)
            ctx = enter(Ctx(session, _clock(settings), settings), council)
            plan = retention.purge(ctx, dry_run=dry_run)
            for line in plan.lines():
                typer.echo(f"{council.slug}: {line}")
            typer.echo(
                f"{council.slug}: as of {plan.today}: {verb} {len(plan.whole_cases)} case(s) "
                f"whose decision records are past their period and "
                f"{len(plan.consultations)} background paper(s)"
            )
        if dry_run:
            session.rollback()  # a dry run leaves the database exactly as it was


@users_app.command("add")
def users_add(
    name: str = typer.Option(...),
    email: str = typer.Option(...),
    role: list[Role] = typer.Option(..., "--role", help="repeat for several roles"),
    directorate: str | None = typer.Option(None),
    council: str | None = typer.Option(None, help="the council's slug (default: the first)"),
) -> None:
    """Create a user and print its token (shown this once)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            ctx = _council_ctx(Ctx(session, _clock(settings), settings), council)
            user, token = create_user(
                ctx, UserIn(name=name, email=email, roles=role, directorate=directorate), None
            )
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"user {user.id} {user.email} roles={','.join(user.roles)}")
    typer.echo(f"token: {token}")


@users_app.command("deactivate")
def users_deactivate(email: str = typer.Argument(..., help="the person's email address")) -> None:
    """Deactivate a person: their token, calendar key and web sessions stop working at once."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            ctx = Ctx(session, _clock(settings), settings)
            user = find_user_by_email(ctx, email)
            set_active(ctx, pk(user.id), False, actor=None)
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"user {user.id} {user.email} deactivated")


def _mapping(pairs: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for pair in pairs:
        value, sep, role = pair.rpartition("=")
        if not sep or not value:
            raise typer.BadParameter(f"{pair!r} is not CLAIM_VALUE=ROLE", param_hint="--map")
        mapping[value] = role
    return mapping


@idp_app.command("add")
def idp_add(
    name: str = typer.Option(..., help='shown as "Sign in with <name>"'),
    issuer: str = typer.Option(..., help="the provider's issuer, exactly as it states it"),
    client_id: str = typer.Option(...),
    client_secret: str | None = typer.Option(None, help="omit for a public client (PKCE only)"),
    scopes: str = typer.Option("openid email profile"),
    roles_claim: str = typer.Option("groups", help='the claim holding groups, e.g. "roles"'),
    map_: list[str] = typer.Option(
        [], "--map", help="CLAIM_VALUE=ROLE, repeat for several (e.g. --map cf-officers=officer)"
    ),
    provisioning: str = typer.Option(
        "pre_registered", help="pre_registered (people must exist by email) or create"
    ),
    create_role: Role | None = typer.Option(
        None, help="with --provisioning create: the role of a person no group maps"
    ),
    end_session: bool = typer.Option(
        True, "--end-session/--no-end-session", help="sign out at the provider too"
    ),
    council_id: int | None = typer.Option(None),
) -> None:
    """Add an OpenID Provider. From then on the pages sign people in through it, and the
    pasted-token sign-in is off (unless COUNCILFLOW_TOKEN_SIGN_IN=true)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        data = IdentityProviderIn.model_validate(
            {
                "name": name,
                "issuer": issuer,
                "client_id": client_id,
                "client_secret": client_secret,
                "scopes": scopes,
                "roles_claim": roles_claim,
                "role_mapping": _mapping(map_),
                "provisioning": provisioning,
                "create_role": create_role,
                "end_session": end_session,
                "council_id": council_id,
            }
        )
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "provider"
            typer.echo(f"error: {where}: {error['msg']}", err=True)
        raise typer.Exit(code=2) from exc
    try:
        with unit_of_work(engine) as session:
            provider = add_provider(Ctx(session, _clock(settings), settings), data, None)
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"identity provider {provider.id} {provider.name} <{provider.issuer}>")
    typer.echo(f"redirect URI to register: {settings.base_url.rstrip('/')}/sign-in/oidc/callback")
    typer.echo(f"post-logout redirect URI: {settings.base_url.rstrip('/')}/sign-in")


@idp_app.command("list")
def idp_list() -> None:
    """The identity providers (never their secrets)."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    with unit_of_work(engine, write=False) as session:
        providers = list_providers(Ctx(session, _clock(settings), settings))
    for p in providers:
        mapping = ", ".join(f"{k}={v}" for k, v in p.role_mapping.items()) or "none"
        typer.echo(
            f"{p.id} {p.name} <{p.issuer}> client={p.client_id} {p.roles_claim}: {mapping}; "
            f"{p.provisioning}"
        )


@idp_app.command("remove")
def idp_remove(provider_id: int = typer.Argument(...)) -> None:
    """Remove an identity provider; sessions opened through it run until they end."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            remove_provider(Ctx(session, _clock(settings), settings), provider_id, None)
    except DomainError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(code=2) from exc
    typer.echo(f"identity provider {provider_id} removed")


@app.command("demo")
def demo_load() -> None:
    """Load the Sefton and Oldham cases, with their users, into the configured database."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    token = settings.admin_token or new_token()
    with unit_of_work(engine) as session:
        ctx = Ctx(session, _clock(settings), settings)
        admin = ensure_admin(ctx, token)
        loaded = demo.load(ctx, admin)
    typer.echo("Loaded the demo, as two councils:")
    assert loaded.sefton is not None and loaded.oldham is not None
    sefton, oldham = loaded.councils["sefton"], loaded.councils["oldham"]
    typer.echo(f"  {sefton.name} ({sefton.slug}): case {loaded.sefton.id}: {loaded.sefton.title}")
    typer.echo(
        f"  {oldham.name} ({oldham.slug}): case {loaded.oldham.id}: {loaded.oldham.title} "
        "(exempt paragraph 3)"
    )
    typer.echo("Where the demo's facts come from:")
    for source, fact in demo.PROVENANCE:
        typer.echo(f"  [{source}] {fact}")
    typer.echo("Tokens (shown once):")
    typer.echo(f"  admin (Sefton; platform operator): {token}")
    for key, value in loaded.tokens.items():
        user = loaded.users[key]
        typer.echo(f"  {key:15} {user.name} <{user.email}>: {value}")


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8000, help="port to listen on"),
    workers: int = typer.Option(1, min=1, help="API worker processes"),
    scheduler: bool | None = typer.Option(
        None,
        "--scheduler/--no-scheduler",
        help="run the scheduler in this command, in one process whatever the number of "
        "workers [default: COUNCILFLOW_RUN_SCHEDULER_IN_SERVE, on]",
    ),
) -> None:
    """The API, the web pages and the scheduler (SPEC §8).

    On a fresh SQLite file this is all it takes: start-up creates the schema, ensures the
    admin of COUNCILFLOW_ADMIN_TOKEN and starts the scheduler. With --workers N the API runs
    in N processes and the scheduler in this one only; in production run it with
    --no-scheduler beside `councilflow scheduler` processes, on PostgreSQL. SIGTERM or Ctrl-C
    stops it all after the requests and the reminder batch in hand.
    """
    from councilflow.serving import serve as run

    settings = get_settings()
    refusals = settings.refusals(host)
    if refusals:
        for reason in refusals:
            typer.echo(f"refusing to start: {reason}", err=True)
        raise typer.Exit(code=2)
    wanted = settings.run_scheduler_in_serve if scheduler is None else scheduler
    run(settings, host, port, workers, wanted)


@app.command("scheduler")
def scheduler() -> None:
    """The scheduler alone, for deployments that run it apart from the API."""
    from scheduler.runner import run_forever

    sys.exit(run_forever(get_settings()))


if __name__ == "__main__":
    app()
