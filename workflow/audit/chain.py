"""The append-only, tamper-evident audit trail (SPEC §6): one keyed hash chain per case.

Each event's hash is HMAC-SHA256, keyed with ``Settings.audit_key`` (a secret the database
does not hold), over its canonical content and the hash of the event before it in the same
chain. Someone who can write the tables but does not know the key can change, remove or
reorder a row, but cannot recompute the hashes after it so that they verify.

Every case has its own chain (``case:<id>``), so a transition reads only its case's last
event and inserts one row: two statements, and no lock shared by all cases. Per-case order is
already serialised by the transition's lock on the case row; the unique ``(chain, seq)`` makes
a lost race fail rather than fork. Events with no case go to a named chain (``council``),
where appends retry inside a savepoint when another transaction took the same ``seq`` (as do
appends by callers that do not hold the case row, ``case_locked=False``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workflow.context import Ctx
from workflow.models import FIRST_COUNCIL, AuditEvent

GENESIS = "0" * 64
COUNCIL_CHAIN = "council"  # events with no case: agreements created, register imports
RETRIES = 5


def chain_of(case_id: int | None, council_id: int = FIRST_COUNCIL) -> str:
    """A case's chain, or its council's for events with no case: each council has its own
    (``council:<id>``); the first keeps the name it had before councils (``council``), since
    the name is hashed into every link already written."""
    if case_id is not None:
        return f"case:{case_id}"
    return COUNCIL_CHAIN if council_id == FIRST_COUNCIL else f"{COUNCIL_CHAIN}:{council_id}"


def canonical(event: AuditEvent) -> bytes:
    """What the hash covers: everything but the row's id and its own hash. The id is left
    out so the insert needs no second statement; ``(chain, seq)`` places the event instead."""
    body = {
        "chain": event.chain,
        "seq": event.seq,
        "case_id": event.case_id,
        "event": event.event,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor_id": event.actor_id,
        "at": event.at.isoformat(),
        "data": event.data,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def keyed(key: str, content: bytes) -> str:
    return hmac.new(key.encode(), content, hashlib.sha256).hexdigest()


def digest(event: AuditEvent, key: str) -> str:
    return keyed(key, canonical(event))


def last_link(session: Session, chain: str) -> tuple[int, str]:
    """The chain's last (seq, hash), or (0, GENESIS): one indexed read of one row."""
    row = session.exec(
        select(AuditEvent.seq, AuditEvent.hash)
        .where(AuditEvent.chain == chain)
        .order_by(col(AuditEvent.seq).desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else (0, GENESIS)


def append(
    ctx: Ctx,
    *,
    event: str,
    at: datetime,
    actor_id: int | None,
    case_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict[str, Any] | None = None,
    exempt_paragraph: int | None = None,
    case_locked: bool = True,
) -> AuditEvent:
    """Append one event to its case's chain (or the council chain), keyed with
    ``ctx.settings.audit_key``. ``exempt_paragraph`` stamps the event with the Schedule 12A
    paragraph in force when it was written, so what was exempt then stays redacted even if the
    case is later made public: redaction never depends only on the case as it is now.

    ``case_locked``: the caller has already written the case row in this transaction (as every
    change to a case does), so no one else can append to its chain until commit. A caller that
    has not (a reminder retry) passes ``False`` and gets the savepoint-and-retry path."""
    if exempt_paragraph is not None:
        data = {**(data or {}), "exempt_paragraph": exempt_paragraph}
    chain = chain_of(case_id, ctx.home)
    row = AuditEvent(
        council_id=ctx.home,
        chain=chain,
        seq=0,
        case_id=case_id,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor_id,
        at=at,
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash=GENESIS,
        hash="",
    )
    if case_id is not None and case_locked:
        # The caller holds the case row's lock, so nobody else appends to this chain now.
        _link(ctx, row)
        return row
    for attempt in range(RETRIES):
        try:
            with ctx.session.begin_nested():
                _link(ctx, row)
            return row
        except IntegrityError:
            # Another transaction appended to this chain first: read its head again.
            if attempt == RETRIES - 1:
                raise
            if row in ctx.session:
                ctx.session.expunge(row)
            row.id = None
    raise AssertionError("unreachable")  # pragma: no cover


def _link(ctx: Ctx, row: AuditEvent) -> None:
    seq, prev = last_link(ctx.session, row.chain)
    row.seq, row.prev_hash = seq + 1, prev
    row.hash = digest(row, ctx.settings.audit_key)
    ctx.session.add(row)
    ctx.session.flush()
