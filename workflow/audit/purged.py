"""Chains removed at the end of their retention period, vouched for in the council chain.

A retention purge (``workflow/retention``) removes a closed case together with its whole
chain (``case:<id>``): the events' ``data`` copies the decision and the consultees' views, so
keeping the chain would keep what the law lets the council destroy. Every other chain is
untouched, but the checkpoints still name the removed chain's head, so ``verify`` would report
it missing. The purge therefore first appends one keyed event to the council chain
(``retention_purge``) naming every chain it removes with its head (seq and hash), and
``verify`` accepts a missing head only when such an event names its chain at or beyond that
seq. Writing that event needs ``COUNCILFLOW_AUDIT_KEY``, so someone who can only write the
tables still cannot remove a chain unnoticed; and the purge event itself is checked like any
other link of the council chain.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from workflow.audit.chain import COUNCIL_CHAIN, append, chain_of, last_link
from workflow.context import Ctx
from workflow.models import AuditEvent

PURGE_EVENT = "retention_purge"


def head_of(session: Session, case_id: int) -> dict[str, Any] | None:
    """The case chain's head as the purge event records it, or None for an empty chain."""
    chain = chain_of(case_id)
    seq, hash_ = last_link(session, chain)
    if seq == 0:
        return None
    return {"chain": chain, "case_id": case_id, "seq": seq, "hash": hash_}


def record_purge(
    ctx: Ctx, *, actor_id: int | None, removed: list[dict[str, Any]], data: dict[str, Any]
) -> AuditEvent:
    """Append the purge's one event, naming the chains it ``removed`` (their heads)."""
    return append(
        ctx,
        event=PURGE_EVENT,
        at=ctx.now(),
        actor_id=actor_id,
        data={**data, "chains_removed": removed},
    )


def removed_chains(session: Session) -> dict[str, int]:
    """Each chain a purge event vouches for, with the highest seq it removed."""
    found: dict[str, int] = {}
    rows = session.exec(
        select(AuditEvent.data).where(
            # Every council's own chain: each council purges its own records (issue 10).
            (col(AuditEvent.chain) == COUNCIL_CHAIN)
            | col(AuditEvent.chain).startswith(f"{COUNCIL_CHAIN}:"),
            col(AuditEvent.event) == PURGE_EVENT,
        )
    ).all()
    for data in rows:
        for head in (data or {}).get("chains_removed", []):
            found[head["chain"]] = max(found.get(head["chain"], 0), int(head["seq"]))
    return found
