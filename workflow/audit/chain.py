"""The append-only, tamper-evident audit trail (SPEC §6).

Each event's hash covers its canonical content and the hash of the event before it, so
changing, removing or reordering any row breaks the chain at that row. Appends serialise on
the single ``audit_head`` row: on PostgreSQL ``FOR UPDATE`` locks it until the transaction
ends, so concurrent transitions cannot fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from workflow.models import AuditEvent, AuditHead

GENESIS = "0" * 64


def canonical(event: AuditEvent) -> bytes:
    body = {
        "id": event.id,
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


def digest(event: AuditEvent) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def append(
    session: Session,
    *,
    event: str,
    at: datetime,
    actor_id: int | None,
    case_id: int | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    data: dict[str, Any] | None = None,
    exempt_paragraph: int | None = None,
) -> AuditEvent:
    """Append one event. ``exempt_paragraph`` stamps the event with the Schedule 12A paragraph
    in force when it was written, so what was exempt then stays redacted even if the case is
    later made public: redaction never depends only on the case as it is now."""
    if exempt_paragraph is not None:
        data = {**(data or {}), "exempt_paragraph": exempt_paragraph}
    head = session.exec(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    if head is None:
        head = AuditHead(id=1, last_id=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    row = AuditEvent(
        id=head.last_id + 1,
        case_id=case_id,
        event=event,
        from_state=from_state,
        to_state=to_state,
        actor_id=actor_id,
        at=at,
        data=json.loads(json.dumps(data or {}, default=str)),
        prev_hash=head.last_hash,
        hash="",
    )
    row.hash = digest(row)
    head.last_id, head.last_hash = row.id, row.hash
    session.add(row)
    session.add(head)
    session.flush()
    return row


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str | None = None
    event_id: int | None = None


def _walk(session: Session, batch: int = 1000) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > after)
            .order_by(col(AuditEvent.id))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].id


def verify(session: Session) -> VerifyResult:
    """Walk the chain in id order; name the first event that was changed, removed or moved."""
    prev_hash, expected_id, checked = GENESIS, 1, 0
    for row in _walk(session):
        if row.id != expected_id:
            return VerifyResult(
                False, checked, f"event {expected_id} is missing (removed)", expected_id
            )
        if row.prev_hash != prev_hash:
            return VerifyResult(
                False,
                checked,
                f"event {row.id} does not follow event {row.id - 1}: the chain was "
                "reordered or an earlier row was changed",
                row.id,
            )
        if digest(row) != row.hash:
            return VerifyResult(False, checked, f"event {row.id} was changed", row.id)
        prev_hash, expected_id, checked = row.hash, expected_id + 1, checked + 1
    head = session.get(AuditHead, 1)
    if head is not None and head.last_id != expected_id - 1:
        missing = expected_id
        return VerifyResult(
            False, checked, f"event {missing} is missing (removed from the end)", missing
        )
    if head is not None and head.last_hash != prev_hash:
        return VerifyResult(False, checked, "the chain's head does not match its last event")
    return VerifyResult(True, checked)
