"""Domain errors. The HTTP layer maps each to one problem-details status; nothing else does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class DomainError(Exception):
    status = 400
    title = "Bad request"
    type_slug = "bad-request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(DomainError):
    status, title, type_slug = 404, "Not found", "not-found"


class Forbidden(DomainError):
    status, title, type_slug = 403, "Forbidden", "forbidden"


class Unauthenticated(DomainError):
    status, title, type_slug = 401, "Not authenticated", "unauthenticated"


class Conflict(DomainError):
    """Someone else changed the row first, or the state does not allow the change."""

    status, title, type_slug = 409, "Conflict", "conflict"


class PreconditionFailed(DomainError):
    status, title, type_slug = 412, "Precondition failed", "stale-version"


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class InvalidInput(DomainError):
    status, title, type_slug = 422, "Invalid input", "invalid-input"

    def __init__(self, detail: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.problems = problems or []


@dataclass(frozen=True)
class GuardFailure:
    """A guard that said no, by name, with the reason in plain words."""

    name: str
    reason: str


class TransitionRefused(Conflict):
    """An event the machine or a guard refused; carries what the caller may do instead."""

    def __init__(
        self,
        event: str,
        state: str,
        allowed_events: list[str],
        guards: list[GuardFailure] | None = None,
    ) -> None:
        self.event = event
        self.state = state
        self.allowed_events = allowed_events
        self.guards = guards or []
        if self.guards:
            detail = f"'{event}' refused: " + "; ".join(g.reason for g in self.guards)
            self.type_slug = "guard-failed"
        else:
            detail = f"'{event}' is not allowed from state '{state}'"
            self.type_slug = "transition-not-allowed"
        super().__init__(detail)
        self.title = "Transition refused"


class TooManyAttempts(DomainError):
    """Too many failed attempts to prove who one is, from one address or at one account:
    refused without looking at the credential until ``retry_after`` seconds have passed."""

    status, title, type_slug = 429, "Too many attempts", "too-many-attempts"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
