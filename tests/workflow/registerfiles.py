"""Helpers the contract-register import tests share: a register file built the way a
spreadsheet writes one, a person to import it, and what the import stored.

Imported by the ``test_register_*`` modules of this directory as ``registerfiles`` (pytest puts
the directory on ``sys.path``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager

from sqlmodel import col, select

from workflow.context import Ctx
from workflow.models import Agreement, AuditEvent, Role, User
from workflow.people.users import create_user
from workflow.register.importer import ImportResult, import_register
from workflow.schemas import UserIn

Work = Callable[[], AbstractContextManager[Ctx]]  # the ``work`` fixture of conftest

CURLY = "\u2019"  # the apostrophe Word and Excel type: "Children's" with a curly quote
HEADER = [
    "Reference Number",
    "Title of Agreement",
    "Supplier Name",
    "Department",
    "Start Date",
    "End Date",
    "Annual Value",
]


def register(
    rows: Sequence[Sequence[str]],
    header: Sequence[str] = HEADER,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    preamble: str = "",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (preamble + out.getvalue()).encode(encoding)


def good_row(ref: str, value: str = "£10,000.00", title: str = "Cleaning") -> list[str]:
    return [ref, title, "Ashbrook Care Ltd", "Resources", "01/04/2024", "31/03/2025", value]


def user(
    ctx: Ctx,
    *roles: Role,
    email: str = "officer@council.example.gov.uk",
    directorate: str | None = "Resources",
) -> User:
    """A person with ``roles``, by default of Resources, the directorate of ``good_row``."""
    body = UserIn(name="Ola Officer", email=email, roles=list(roles), directorate=directorate)
    return create_user(ctx, body, actor=None)[0]


def officer(work: Work) -> User:
    """An officer of Resources: may change Resources' agreements, and only those."""
    with work() as ctx:
        return user(ctx, Role.officer)


def clerk(work: Work) -> User:
    """Democratic services, who keep the whole register, whatever the directorate."""
    with work() as ctx:
        return user(ctx, Role.democratic_services, email="clerk@council.example.gov.uk")


def run(work: Work, data: bytes, actor: User) -> ImportResult:
    with work() as ctx:
        return import_register(ctx, data, actor)


def agreements(work: Work) -> dict[str, Agreement]:
    with work() as ctx:
        return {a.reference: a for a in ctx.session.exec(select(Agreement)).all()}


def import_events(work: Work) -> list[AuditEvent]:
    with work() as ctx:
        query = select(AuditEvent).where(AuditEvent.event == "agreements_imported")
        return list(ctx.session.exec(query.order_by(col(AuditEvent.id))).all())
