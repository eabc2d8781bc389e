"""Turning posted form fields into the domain's input types, and the domain's complaints back
into the GOV.UK error summary and per-field messages.

Only the shape of input is checked here (is this a real date, a whole number). Whether the
input is acceptable is for the domain: its pydantic schemas (``workflow.schemas``) and its
guards answer, and their answers are shown as they come, in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from starlette.datastructures import FormData

from workflow.errors import (
    Conflict,
    DomainError,
    FieldProblem,
    InvalidInput,
    PreconditionFailed,
    TransitionRefused,
)


@dataclass
class Errors:
    """Problems found in one form, keyed by the id of the field they belong to."""

    by_field: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    def add(self, field_id: str, message: str) -> None:
        self.by_field.setdefault(field_id, message)

    def __bool__(self) -> bool:
        return bool(self.by_field or self.general)

    def message(self, field_id: str) -> dict[str, str] | None:
        """``errorMessage`` for a govuk macro, or None when the field is fine."""
        text = self.by_field.get(field_id)
        return {"text": text} if text else None

    def summary(self) -> list[dict[str, str]]:
        """``errorList`` for ``govukErrorSummary``: each links to its field."""
        items = [{"text": text} for text in self.general]
        items += [{"text": text, "href": f"#{fid}"} for fid, text in self.by_field.items()]
        return items


def text(form: FormData, name: str) -> str | None:
    """A text field, trimmed; empty means "not given"."""
    value = form.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip().replace("\r\n", "\n")
    return value or None


def whole_number(form: FormData, name: str, label: str, errors: Errors) -> int | None:
    return number_from(text(form, name), name, label, errors)


def number_from(raw: str | None, name: str, label: str, errors: Errors) -> int | None:
    if not raw:
        return None
    try:
        return int(raw.replace(",", ""))
    except ValueError:
        errors.add(name, f"{label} must be a whole number, like 6")
        return None


def date_parts(form: FormData, name: str) -> dict[str, str]:
    """The raw day, month and year, to put back into the form when it is shown again."""
    return {part: text(form, f"{name}-{part}") or "" for part in ("day", "month", "year")}


def date_field(form: FormData, name: str, label: str, errors: Errors) -> date | None:
    return date_from(date_parts(form, name), name, label, errors)


def date_from(parts: dict[str, str], name: str, label: str, errors: Errors) -> date | None:
    """A GOV.UK date input (three boxes) as a date; errors in the Design System's words."""
    parts = {p: (parts.get(p) or "").strip() for p in ("day", "month", "year")}
    given = [p for p in ("day", "month", "year") if parts[p]]
    if not given:
        return None
    missing = [p for p in ("day", "month", "year") if not parts[p]]
    if missing:
        errors.add(f"{name}-{missing[0]}", f"{label} must include a {' and a '.join(missing)}")
        return None
    try:
        day, month, year = (int(parts[p]) for p in ("day", "month", "year"))
        if year < 1000:
            raise ValueError
        return date(year, month, day)
    except ValueError:
        errors.add(f"{name}-day", f"{label} must be a real date, like 5 9 2024")
        return None


def date_items(parts: dict[str, str], name: str, errors: Errors) -> list[dict[str, Any]]:
    """``items`` for ``govukDateInput``, marking the fields in error."""
    in_error = any(k.startswith(f"{name}-") for k in errors.by_field)
    return [
        {
            "name": part,
            "label": part.capitalize(),
            "value": parts.get(part, ""),
            "classes": ("govuk-input--width-4" if part == "year" else "govuk-input--width-2")
            + (" govuk-input--error" if in_error else ""),
        }
        for part in ("day", "month", "year")
    ]


def parts_of(value: date | str | None) -> dict[str, str]:
    if value is None or value == "":
        return {"day": "", "month": "", "year": ""}
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}


# --- the domain's refusals, for people -----------------------------------------------------

FRIENDLY = {
    "Field required": "Enter {lower}",
    "String should have at least 1 character": "Enter {lower}",
    "Input should be greater than or equal to 1": "{label} must be 1 or more",
    "List should have at least 1 item": "{label}: choose at least one",
}


def field_problem_text(problem: FieldProblem, label: str) -> str:
    """Pydantic's commonest messages in the Design System's voice; the rest as they come."""
    for raw, friendly in FRIENDLY.items():
        if problem.message.startswith(raw):
            return friendly.format(label=label, lower=label[:1].lower() + label[1:])
    return f"{label}: {problem.message.removeprefix('Value error, ')}"


def absorb(
    exc: DomainError,
    errors: Errors,
    field_ids: dict[str, str],
    labels: dict[str, str],
) -> None:
    """Put a domain error into ``errors``: field problems next to their fields, each failing
    guard as its own line of the summary, in the guard's own words."""
    if isinstance(exc, InvalidInput) and exc.problems:
        for problem in exc.problems:
            key = problem.field.removeprefix("body.")
            fid = field_ids.get(key)
            label = labels.get(key, key.replace("_", " ").replace(".", " ").capitalize())
            if fid is None:
                errors.general.append(field_problem_text(problem, label))
            else:
                errors.add(fid, field_problem_text(problem, label))
        return
    if isinstance(exc, TransitionRefused) and exc.guards:
        errors.general.extend(sentence(g.reason) for g in exc.guards)
        return
    if isinstance(exc, PreconditionFailed | Conflict) and not isinstance(exc, TransitionRefused):
        errors.general.append(
            "Someone else changed this case while you were working on it. "
            "Reload the case, check what changed, and try again."
        )
        return
    errors.general.append(sentence(exc.detail))


def sentence(reason: str) -> str:
    reason = reason.strip()
    return reason[:1].upper() + reason[1:] if reason else reason
