"""The council's words for the machine's names, for people rather than programs.

Only wording lives here: which states, events and deadlines exist is read from the domain
(``workflow.lifecycle.machine``, ``workflow.models``), and a test checks every one has a label.
"""

from __future__ import annotations

from typing import Any

STATES = {
    "drafted": "Drafted",
    "cabinet_consideration": "Cabinet consideration",
    "delegated_approval": "Delegated approval",
    "active": "Active",
    "expired": "Expired",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
    "declined": "Declined by the delegate",
    "lapsed": "Lapsed unused",
    "called_in": "Called in by scrutiny",
    "council_consideration": "Referred to full Council",
}

# GOV.UK tag colours: each modifier pairs text and background that pass AA contrast.
STATE_TAG_CLASSES = {
    "drafted": "govuk-tag--grey",
    "cabinet_consideration": "govuk-tag--blue",
    "delegated_approval": "govuk-tag--purple",
    "active": "govuk-tag--green",
    "expired": "govuk-tag--grey",
    "rejected": "govuk-tag--red",
    "withdrawn": "govuk-tag--grey",
    "declined": "govuk-tag--red",
    "lapsed": "govuk-tag--grey",
    "called_in": "govuk-tag--yellow",
    "council_consideration": "govuk-tag--orange",
}

EVENTS = {
    "submit": "Submit to Cabinet",
    "defer": "Defer",
    "refer_back": "Refer back to the author",
    "approve": "Record Cabinet's approval",
    "reject": "Record Cabinet's rejection",
    "call_in": "Call in",
    "sign_off": "Sign off",
    "extend": "Ask for a further term",
    "expire": "Expire",
    "withdraw": "Withdraw",
    "implement": "Start Cabinet's own term",
    "decline": "Decline",
    "decline_further": "Decline the further term",
    "lapse": "Lapse",
    "no_further_action": "Scrutiny: no further action",
    "refer_back_to_decision_maker": "Scrutiny: refer back to the decision maker",
    "refer_to_council": "Scrutiny: refer to full Council",
    "council_decides": "Council: the decision stands",
    "council_refers_back": "Council: refer back to the decision maker",
    "call_in_request": "Call-in requested",
    # Audit-trail entries that are not events of the machine.
    "create": "Drafted",
    "patch": "Draft changed",
    "consultation": "Consultation recorded",
    "notice": "Notice recorded",
}

DEADLINES = {
    "forward_plan_notice": "Forward plan notice",
    "private_meeting_notice": "Private meeting notice",
    "agenda_publication": "Agenda publication",
    "call_in_end": "End of call-in",
    "sign_off_due": "Sign-off due",
    "agreement_end": "Agreement ends",
    "extension_option_decision": "Decide on the extension option",
    "envelope_exhausted": "Envelope exhausted (re-procure by)",
    "private_meeting_further_notice": "Further private meeting notice",
    "general_exception_notice": "General exception notice",
    "urgency_reasons_notice": "Urgency reasons notice",
    "private_urgency_reasons_notice": "Private meeting urgency reasons notice",
    "decision_record_publication": "Decision record publication",
    "contract_change_notice": "Contract change notice (PA 2023 s.75)",
    "standstill_end": "End of the voluntary standstill (s.76)",
    "modification_notice": "Modification notice (PCR 2015 reg 72(3))",
    "modification_publication": "Publication of the modified contract (s.77)",
    "termination_notice": "Contract termination notice (s.80)",
    "exemption_review": "Review of the exempt information",
    "council_decision": "Full Council decides the referral",
}

ROLES = {
    "officer": "Officer",
    "democratic_services": "Democratic services",
    "executive": "Executive",
    "cabinet_member": "Cabinet member",
    "scrutiny": "Scrutiny",
    "admin": "Administrator",
    "viewer": "Viewer",
    "scrutiny_chair": "Chair of overview and scrutiny",
    "chairman": "Chairman of the council",
    "vice_chairman": "Vice-chairman of the council",
}

REMINDER_STATUS_TAGS = {
    "pending": "govuk-tag--blue",
    "claimed": "govuk-tag--yellow",
    "sent": "govuk-tag--green",
    "failed": "govuk-tag--orange",
    "dead": "govuk-tag--red",
    "cancelled": "govuk-tag--grey",
}


def _humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


def state_label(state: str) -> str:
    return STATES.get(state, _humanise(state))


def event_label(event: str) -> str:
    return EVENTS.get(event, _humanise(event))


def deadline_label(kind: str) -> str:
    return DEADLINES.get(kind, _humanise(kind))


def role_label(role: str) -> str:
    return ROLES.get(role, _humanise(role))


def state_tag(state: str) -> dict[str, Any]:
    """Parameters for ``govukTag``."""
    return {"text": state_label(state), "classes": STATE_TAG_CLASSES.get(state, "")}
