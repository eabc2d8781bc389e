"""PostgreSQL's row-level security: the second wall between councils (issue 10).

The first wall is the read scopes' and the change unit's own filter (``Ctx.within``,
``Ctx.sees``). This one is the database's: a query that forgets the filter still sees only the
rows of the council the transaction is for (``app.council_id``, set with ``SET LOCAL`` by
``workflow.db``), or every council's while ``app.system`` is ``on`` — system work: the
scheduler's cross-council passes (expiries, notices, checkpoints, reminder claims), the command
line, migrations, and the one sign-in lookup that finds whose token a request carries.

Tables holding ``council_id`` are checked on it; ``councils`` on its ``id``; tables reached
only through a case (reports, resolutions, delegations, …) on their case being visible, so the
policy leans on ``cases``' own; ``report_options`` on its report, ``idempotency_records`` on
its user. ``FORCE ROW LEVEL SECURITY`` makes the policies bind the tables' owner too; only a
superuser (or a role with ``BYPASSRLS``) is not bound, so the service must connect as an
ordinary role (README, "Councils").
"""

from __future__ import annotations

VISIBLE = (
    "current_setting('app.system', true) = 'on' "
    "OR {column} = NULLIF(current_setting('app.council_id', true), '')::integer"
)

# table -> the condition that says a row is the current council's.
OWNED = {
    "councils": VISIBLE.format(column="id"),
    **{
        table: VISIBLE.format(column="council_id")
        for table in (
            "users",
            "agreements",
            "cases",
            "deadlines",
            "reminders",
            "audit_events",
            "audit_checkpoints",
            "identity_providers",
        )
    },
    **{
        table: f"EXISTS (SELECT 1 FROM cases WHERE cases.id = {table}.case_id)"
        for table in (
            "case_agreements",
            "reports",
            "resolutions",
            "call_in_requests",
            "delegations",
            "delegation_consultees",
            "consultations",
            "sign_offs",
            "reminder_deliveries",
        )
    },
    "report_options": (
        "EXISTS (SELECT 1 FROM reports WHERE reports.id = report_options.report_id)"
    ),
    "oidc_sign_ins": (
        "EXISTS (SELECT 1 FROM identity_providers "
        "WHERE identity_providers.id = oidc_sign_ins.provider_id)"
    ),
    "idempotency_records": (
        "EXISTS (SELECT 1 FROM users WHERE users.id = idempotency_records.user_id)"
    ),
}

# Tables a migration after 0012 made, with that migration's revision: 0012 walls every other
# table of ``OWNED`` and the named migration walls these, as it creates them.
WALLED_LATER = {"delegation_consultees": "0015", "reminder_deliveries": "0016"}

POLICY = "council_isolation"


def enable(table: str, condition: str) -> list[str]:
    """The statements that put ``table`` behind the wall."""
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"CREATE POLICY {POLICY} ON {table} USING ({condition}) WITH CHECK ({condition})",
    ]


def disable(table: str) -> list[str]:
    return [
        f"DROP POLICY IF EXISTS {POLICY} ON {table}",
        f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY",
    ]


def all_statements() -> list[str]:
    return [s for table, condition in OWNED.items() for s in enable(table, condition)]
