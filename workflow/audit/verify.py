"""Checking the audit trail: every per-case chain, then the global chain of checkpoints.

Both are walked in batches (keyset pages on their indexes), so the trail is never held in
memory. The first problem found is named: the event (id and case) or the checkpoint.

What is caught, with the key:
- an edited event (its keyed hash no longer matches), including every chain recomputed
  without the key (plain SHA-256 or another key): the first event of the first chain fails;
- a removed event inside a chain (a gap in ``seq``) and a reordered one (``prev_hash`` or the
  id order no longer follows);
- a removed last event of a chain, once a checkpoint recorded a head at or after it: the
  checkpoint names the event it recorded and it is gone or different;
- an edited checkpoint, a removed one inside the global chain, or one out of order.

A whole case chain removed by a retention purge is not a break: the purge's keyed event in the
council chain names it and its head (``workflow/audit/purged.py``), and a checkpoint's head
is accepted as gone only when such an event vouches for it.

What cannot be caught from the database alone: the events after a chain's last checkpointed
head (the un-checkpointed tail, at most one scheduler pass old) can be removed from the end
without trace, since the shortened chain is still well-formed; edits, gaps and reorders inside
that tail are still caught. Likewise the newest checkpoint can be removed from the end (the
next pass writes a new one over the same events). Keep the passes frequent, and compare the
latest checkpoint's hash with a copy held elsewhere when that matters.

Keeping each case's head ``seq`` on the case row, which every transition already updates,
would close the tail for cases too (verify would compare it with the chain). It is left out
here because that update belongs to the one unit that changes a case (issue 8, item 3): once
that unit exists it can write ``audit_seq`` in the same ``UPDATE`` at no extra statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from workflow.audit import checkpoints
from workflow.audit.chain import GENESIS, digest
from workflow.audit.purged import removed_chains
from workflow.context import Ctx
from workflow.models import AuditCheckpoint, AuditEvent

BATCH = 1000


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # events
    checkpoints: int = 0
    problem: str | None = None
    event_id: int | None = None
    case_id: int | None = None
    checkpoint_id: int | None = None


class Broken(Exception):
    def __init__(self, problem: str, **where: Any) -> None:
        super().__init__(problem)
        self.problem, self.where = problem, where


def _events(ctx: Ctx, batch: int) -> Iterator[AuditEvent]:
    """Every event of the work's council (every council's, for system work) in (chain, seq)
    order, a page at a time on the unique index."""
    session = ctx.session
    after: tuple[str, int] | None = None
    while True:
        query = select(AuditEvent).where(ctx.within(col(AuditEvent.council_id)))
        if after is not None:
            chain, seq = after
            query = query.where(
                or_(
                    col(AuditEvent.chain) > chain,
                    and_(col(AuditEvent.chain) == chain, col(AuditEvent.seq) > seq),
                )
            )
        rows = session.exec(
            query.order_by(col(AuditEvent.chain), col(AuditEvent.seq)).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = (rows[-1].chain, rows[-1].seq)
        for row in rows:  # let the page go: the walk never holds more than one
            session.expunge(row)


def _name(row: AuditEvent) -> str:
    where = f"case {row.case_id}" if row.case_id is not None else f"chain {row.chain}"
    return f"event {row.id} of {where}"


def _check_chains(ctx: Ctx, key: str, batch: int) -> int:
    chain, seq, prev_hash, prev_id, checked = "", 0, GENESIS, 0, 0
    for row in _events(ctx, batch):
        if row.chain != chain:
            chain, seq, prev_hash, prev_id = row.chain, 0, GENESIS, 0
        where = {"event_id": row.id, "case_id": row.case_id}
        if row.seq != seq + 1:
            raise Broken(
                f"{row.seq - seq - 1} event(s) missing (removed) before {_name(row)}: "
                f"expected seq {seq + 1}, found {row.seq}",
                **where,
            )
        if row.id is None or row.id <= prev_id:
            raise Broken(
                f"{_name(row)} is out of order: written before the event before it in its "
                "chain (rows or their seq were moved)",
                **where,
            )
        if row.prev_hash != prev_hash:
            raise Broken(
                f"{_name(row)} does not follow the event before it in its chain: the chain "
                "was reordered or an earlier row was changed",
                **where,
            )
        if digest(row, key) != row.hash:
            raise Broken(
                f"{_name(row)} was changed (its keyed hash does not match: edited, or the "
                "chain was recomputed without the key)",
                **where,
            )
        chain, seq, prev_hash, prev_id = row.chain, row.seq, row.hash, row.id
        checked += 1
    return checked


def _checkpoints(ctx: Ctx, batch: int) -> Iterator[list[AuditCheckpoint]]:
    session = ctx.session
    after = 0
    while True:
        rows = list(
            session.exec(
                select(AuditCheckpoint)
                .where(col(AuditCheckpoint.id) > after, ctx.within(col(AuditCheckpoint.council_id)))
                .order_by(col(AuditCheckpoint.id))
                .limit(batch)
            ).all()
        )
        if not rows:
            return
        yield rows
        after = rows[-1].id
        for row in rows:
            session.expunge(row)


def _check_heads(session: Session, page: list[AuditCheckpoint], removed: dict[str, int]) -> None:
    """Every head a checkpoint recorded is still there, with the hash it had, unless a
    retention purge ``removed`` its chain (at or beyond that seq)."""
    wanted = {h["event_id"] for cp in page for h in cp.heads}
    found: dict[int, tuple[str, int, str]] = {}
    ids = sorted(wanted)
    for start in range(0, len(ids), BATCH):
        for event_id, chain, seq, hash_ in session.exec(
            select(AuditEvent.id, AuditEvent.chain, AuditEvent.seq, AuditEvent.hash).where(
                col(AuditEvent.id).in_(ids[start : start + BATCH])
            )
        ).all():
            assert event_id is not None
            found[event_id] = (chain, seq, hash_)
    for cp in page:
        for head in cp.heads:
            recorded = (head["chain"], head["seq"], head["hash"])
            where = {"event_id": head["event_id"], "case_id": head["case_id"]}
            owner = f"case {head['case_id']}" if head["case_id"] is not None else head["chain"]
            name = f"event {head['event_id']} of {owner} (seq {head['seq']})"
            if head["event_id"] not in found:
                if removed.get(head["chain"], 0) >= head["seq"]:
                    continue
                raise Broken(
                    f"{name}, recorded by checkpoint {cp.id}, is missing (removed)",
                    checkpoint_id=cp.id,
                    **where,
                )
            if found[head["event_id"]] != recorded:
                raise Broken(
                    f"{name} is not what checkpoint {cp.id} recorded", checkpoint_id=cp.id, **where
                )


def _check_checkpoints(ctx: Ctx, key: str, batch: int, removed: dict[str, int]) -> int:
    """Each council's checkpoints are a chain of their own; their numbers are one sequence
    across councils, so system work (every council) also sees a number missing, and a
    council's own walk sees a removed one as the next not following the one before."""
    everyone = ctx.council_id is None
    prev_id, checked = 0, 0
    last: dict[int, tuple[int, str]] = {}  # council -> its previous checkpoint's (id, hash)
    for page in _checkpoints(ctx, batch):
        for cp in page:
            if everyone and cp.id != prev_id + 1:
                raise Broken(
                    f"checkpoint {prev_id + 1} is missing (removed)", checkpoint_id=prev_id + 1
                )
            before, prev_hash = last.get(cp.council_id, (0, GENESIS))
            if cp.prev_hash != prev_hash:
                raise Broken(
                    f"checkpoint {cp.id} does not follow checkpoint {before}", checkpoint_id=cp.id
                )
            if checkpoints.digest(cp, key) != cp.hash:
                raise Broken(
                    f"checkpoint {cp.id} was changed (its keyed hash does not match)",
                    checkpoint_id=cp.id,
                )
            prev_id, checked = cp.id, checked + 1
            last[cp.council_id] = (cp.id, cp.hash)
        _check_heads(ctx.session, page, removed)
    return checked


def verify(ctx: Ctx, batch: int = BATCH) -> VerifyResult:
    """Walk every chain, then the checkpoints; name the first event or checkpoint that was
    changed, removed or moved (see the module docstring for what an un-checkpointed tail can
    and cannot show)."""
    key = ctx.settings.audit_key
    events = 0
    try:
        events = _check_chains(ctx, key, batch)
        done = _check_checkpoints(ctx, key, batch, removed_chains(ctx.session))
    except Broken as broken:
        return VerifyResult(False, events, 0, broken.problem, **broken.where)
    return VerifyResult(True, events, done)
