"""The audit trail (SPEC §6): append-only, tamper-evident, keyed (issue 8).

``chain`` appends to the per-case chains, ``checkpoints`` joins them into one global chain
each scheduler pass, ``verify`` checks both. Call ``audit.append(ctx, …)``,
``audit.checkpoint(ctx)`` and ``audit.verify(ctx)``.
"""

from workflow.audit.chain import GENESIS, append, canonical, chain_of, digest
from workflow.audit.checkpoints import checkpoint
from workflow.audit.verify import VerifyResult, verify

__all__ = [
    "GENESIS",
    "VerifyResult",
    "append",
    "canonical",
    "chain_of",
    "checkpoint",
    "digest",
    "verify",
]
