"""The audit trail (SPEC §6): append-only and tamper-evident.

``chain`` writes and verifies the hash chain; import the package and call ``audit.append`` or
``audit.verify``.
"""

from workflow.audit.chain import GENESIS, VerifyResult, append, canonical, digest, verify

__all__ = ["GENESIS", "VerifyResult", "append", "canonical", "digest", "verify"]
