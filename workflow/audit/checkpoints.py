"""Checkpoints: the per-case chains joined into one global keyed chain (issue 8).

A per-case chain alone cannot show that its last events were removed: the shortened chain
still verifies. So each scheduler pass appends a checkpoint recording, for every chain that
grew since the checkpoint before, its head (chain, case, seq, event id, hash), keyed together
with the previous checkpoint's hash. Once a head is checkpointed, removing it (or anything
before it) is caught by ``verify``.

Only the scheduler appends checkpoints, so a transition never waits on them. Two schedulers
racing (several processes on PostgreSQL) both try checkpoint number n+1; the primary key lets
one win, and the other reads the new last checkpoint and tries again inside a savepoint.

Chains that grew are found from a primary-key range of events, not a scan of the whole
trail. On PostgreSQL event ids come from a sequence, so a transaction may commit an event
with an id below a checkpoint's high-water mark (``last_event_id``) after that checkpoint was
taken. So each checkpoint looks at the events after the high-water mark of the checkpoint
*before* the last one, and leaves out the heads the last one already recorded: such a late
event is caught by the next pass. One that commits later still (a transaction open across two
whole passes) is covered when its chain next grows.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_columns
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from workflow.audit.chain import GENESIS, keyed
from workflow.context import Ctx
from workflow.models import AuditCheckpoint, AuditEvent

RETRIES = 5


def canonical(checkpoint: AuditCheckpoint) -> bytes:
    body = {
        "id": checkpoint.id,
        "at": checkpoint.at.isoformat(),
        "last_event_id": checkpoint.last_event_id,
        "heads": checkpoint.heads,
        "prev_hash": checkpoint.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def digest(checkpoint: AuditCheckpoint, key: str) -> str:
    return keyed(key, canonical(checkpoint))


def last_checkpoints(session: Session, council_id: int) -> list[AuditCheckpoint]:
    """The council's last two checkpoints, newest first."""
    return list(
        session.exec(
            select(AuditCheckpoint)
            .where(AuditCheckpoint.council_id == council_id)
            .order_by(col(AuditCheckpoint.id).desc())
            .limit(2)
        ).all()
    )


def last_number(session: Session) -> int:
    """The highest checkpoint number of any council (numbers are one sequence across them, so
    racing schedulers collide on the primary key); the scheduler's pass is system work."""
    return session.exec(select(func.max(AuditCheckpoint.id))).one() or 0


def grown_heads(
    session: Session, after_event_id: int, council_id: int
) -> tuple[list[dict[str, Any]], int]:
    """The head of every chain of the council with an event after ``after_event_id``, and the
    highest such event id: the new events' range comes from the primary key, each head from
    ``(chain, seq)``."""
    grown = (
        select(AuditEvent.chain, func.max(AuditEvent.seq).label("seq"))
        .where(col(AuditEvent.id) > after_event_id, AuditEvent.council_id == council_id)
        .group_by(col(AuditEvent.chain))
        .subquery()
    )
    rows = session.execute(
        select_columns(
            col(AuditEvent.chain),
            col(AuditEvent.case_id),
            col(AuditEvent.seq),
            col(AuditEvent.id),
            col(AuditEvent.hash),
        )
        .join(
            grown, (col(AuditEvent.chain) == grown.c.chain) & (col(AuditEvent.seq) == grown.c.seq)
        )
        .order_by(col(AuditEvent.chain))
    ).all()
    heads = [
        {"chain": chain, "case_id": case_id, "seq": seq, "event_id": event_id, "hash": hash_}
        for chain, case_id, seq, event_id, hash_ in rows
    ]
    high = max((h["event_id"] for h in heads), default=after_event_id)
    return heads, max(high, after_event_id)


def checkpoint(ctx: Ctx) -> AuditCheckpoint | None:
    """Append one checkpoint of ``ctx``'s council covering every chain of it that grew since
    its last; ``None`` when nothing did (no empty checkpoints). Flushes, never commits."""
    for attempt in range(RETRIES):
        try:
            with ctx.session.begin_nested():
                return _append(ctx)
        except IntegrityError:
            # Another scheduler appended checkpoint n+1 first: start again from it.
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _append(ctx: Ctx) -> AuditCheckpoint | None:
    recent = last_checkpoints(ctx.session, ctx.home)
    last = recent[0] if recent else None
    after = recent[1].last_event_id if len(recent) > 1 else 0
    heads, high = grown_heads(ctx.session, after, ctx.home)
    if last is not None:
        recorded = {(h["chain"], h["seq"]) for h in last.heads}
        heads = [h for h in heads if (h["chain"], h["seq"]) not in recorded]
        high = max(high, last.last_event_id)
    if not heads:
        return None
    row = AuditCheckpoint(
        id=last_number(ctx.session) + 1,
        council_id=ctx.home,
        at=ctx.now(),
        last_event_id=high,
        heads=heads,
        prev_hash=last.hash if last is not None else GENESIS,
        hash="",
    )
    row.hash = digest(row, ctx.settings.audit_key)
    ctx.session.add(row)
    ctx.session.flush()
    return row
