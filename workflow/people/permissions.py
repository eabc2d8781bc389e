"""Rights that are not an event's, decided once for the domain and the web alike.

Who may fire each event is the machine's (``workflow.lifecycle.machine``). Drafting a case is no
event,
but the web must offer "Draft a new case" to exactly the people ``create_case`` will let draft,
so both ask here rather than each keeping a copy of the rule. (Registering agreements is
``workflow.register.agreements.may_register``, next to the code it guards.)
"""

from __future__ import annotations

from workflow.models import Role, User

__all__ = ["may_draft"]


def may_draft(actor: User) -> bool:
    """Only an officer may draft a case: a case starts as an officer's report (SPEC §1, §3)."""
    return actor.has_role(Role.officer)
