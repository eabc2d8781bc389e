"""One form per event, asking exactly that event's payload (``workflow.schemas.EVENT_PAYLOADS``).

The fields are read off the payload model, so a field added to a payload appears on its form
(a test checks every field has a widget). What this module adds is only the wording, and which
kind of control suits each field: a date input for a date, a list of people for a person.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import FormData

from api.web import forms
from api.web.forms import Errors
from api.web.labels import event_label, state_label
from workflow.context import Ctx
from workflow.lifecycle.decision import Decision
from workflow.models import Role, User
from workflow.people.users import users_with_role
from workflow.schemas import EVENT_PAYLOADS

# Wording for every payload field: (label, hint).
WORDS: dict[str, tuple[str, str | None]] = {
    "reason": ("Reason", None),
    "meeting_date": (
        "Date of the meeting it comes back to",
        "It may be the same meeting, later on its agenda. For example, 18 9 2023",
    ),
    "resolution": ("Cabinet's resolution", "As recorded in the minutes"),
    "decided_on": ("Date Cabinet decided", "For example, 5 9 2024"),
    "notice_published_on": (
        "Date the decision notice was published",
        "Call-in runs from this date",
    ),
    "delegate_id": ("Delegate", "The executive Cabinet delegated the decision to"),
    "consultee_id": ("Consultee (optional)", "The cabinet member the delegate must consult first"),
    "max_months": (
        "Most further months the delegate may approve (optional)",
        "Leave blank to use the proposal's maximum",
    ),
    "urgent_reason": (
        "Why the decision is urgent (optional)",
        "Only if Cabinet marked it urgent; an urgent decision is not subject to call-in",
    ),
    "months": ("Term in months", "For example, 6"),
    "reasons": ("Reasons for the decision", None),
    "conflicts_of_interest": (
        "Conflicts of interest declared",
        "Write \u201cNone declared\u201d if there are none",
    ),
}

PERSON_ROLES = {"delegate_id": Role.executive, "consultee_id": Role.cabinet_member}


@dataclass(frozen=True)
class Widget:
    name: str
    kind: str  # "text" | "date" | "number" | "person"
    label: str
    hint: str | None
    required: bool
    default: Any = None

    @property
    def anchor(self) -> str:
        """Where the error summary links to: the first box of a date, else the field."""
        return f"{self.name}-day" if self.kind == "date" else self.name


def _base(annotation: Any) -> Any:
    """The plain type under ``X | None`` and ``Annotated[X, ...]``, however nested."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _base(args[0]) if args else annotation
    return annotation


def widgets(event: str) -> list[Widget]:
    model: type[BaseModel] = EVENT_PAYLOADS[event]
    out = []
    for name, info in model.model_fields.items():
        base = _base(info.annotation)
        if name in PERSON_ROLES:
            kind = "person"
        elif base is date:
            kind = "date"
        elif base is int:
            kind = "number"
        else:
            kind = "text"
        label, hint = WORDS.get(name, (name.replace("_", " ").capitalize(), None))
        default = None if info.is_required() else info.default
        out.append(Widget(name, kind, label, hint, info.is_required(), default))
    return out


def people_for(ctx: Ctx, widget: Widget) -> list[User]:
    return sorted(users_with_role(ctx, PERSON_ROLES[widget.name]), key=lambda u: u.name)


def read(form: FormData, event: str, errors: Errors) -> dict[str, Any]:
    """The payload as posted; blanks are left out so the schema's defaults apply."""
    payload: dict[str, Any] = {}
    for w in widgets(event):
        value: Any
        if w.kind == "date":
            value = forms.date_field(form, w.name, w.label, errors)
        elif w.kind in ("number", "person"):
            value = forms.whole_number(form, w.name, w.label, errors)
        else:
            value = forms.text(form, w.name)
        if value is not None:
            payload[w.name] = value
    return payload


def field_ids(event: str) -> dict[str, str]:
    return {w.name: w.anchor for w in widgets(event)}


def field_labels(event: str) -> dict[str, str]:
    return {w.name: w.label for w in widgets(event)}


def why_not(decision: Decision) -> list[str]:
    """Why the person cannot fire the decided event now, in the machine's words; empty if
    they can. Nothing past the first reason the person may not see (``decide`` stops there)."""
    if not decision.state_ok:
        return [
            f"“{event_label(decision.event)}” is not possible while the case is "
            f"{state_label(decision.state).lower()}."
        ]
    if not decision.entitled:
        return [f"This may be done by {decision.who}."]
    if not decision.sees_exempt:
        return ["This may be done by those who may see the case's exempt information."]
    return [forms.sentence(f.reason) for f in decision.failures]
