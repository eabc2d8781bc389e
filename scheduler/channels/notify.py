"""GOV.UK Notify: one email per recipient, sent with the council's own template by its id.

Notify sends to one address per request, so a reminder for three people is three requests;
each carries the reminder id as its ``reference`` (``councilflow-reminder-<id>``), so a repeat
after a crash is recognisably the same message in Notify's own records. The template (one per
reminder purpose, ``Settings.notify_template_for``) is filled from ``personalisation``; its
placeholders are ``((headline))``, ``((case_reference))``, ``((case_title))``,
``((case_state))``, ``((deadline))``, ``((due_date))``, ``((link))``, ``((exempt_note))`` and
``((agreements))`` (a list, empty for a case with exempt information).

The API's answers, as its documentation tables them ("Error codes": every error is
``{"errors": [{"error": …, "message": …}], "status_code": …}``), decide what happens next:
- 400 (a bad request: no such template, an invalid address, a team-only key or a service in
  trial mode sending outside the team) and 403 (the token refused: a wrong or revoked key, a
  clock more than 30 seconds out) cannot succeed by asking again: the reminder is dead at once
  (``DeliveryError(permanent=True)``) and waits in the dead letters for an admin;
- 429 (rate or daily limit), 5xx and a failed connection (the client answers those as 503 with
  no response) may succeed later: the reminder retries with the dispatcher's backoff and, after
  ``max_attempts``, goes to the dead letters like any other.

A recipient Notify accepted is not sent to again when the reminder is retried (an admin's retry
of a dead letter included), by this process or any other, before or after a restart: each
acceptance is written to ``reminder_deliveries`` with Notify's notification id the moment
Notify answers (``scheduler.deliveries.DeliveryLedger``), and the next attempt's notice carries
those addresses (``Notice.delivered``). A retry after one address was refused, or after Notify
stopped answering half-way through the list, goes only to those still without it; a reminder
every recipient already has is marked sent without a request. The one repeat left is an address
Notify accepted just before a crash, before its row was committed; the ``reference`` marks it
(``DeliveryLedger`` says more).
"""

from __future__ import annotations

import threading
from typing import Any

from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from scheduler.channels import DeliveryError
from scheduler.deliveries import DeliveryLedger
from scheduler.notice import Notice, long_date
from workflow.settings import Settings
from workflow.text import one_line

# The statuses that no retry can mend (see the module docstring).
REFUSED_STATUSES = frozenset({400, 403})


def reference(notice: Notice) -> str:
    return f"councilflow-reminder-{notice.reminder_id}"


def personalisation(notice: Notice) -> dict[str, Any]:
    """The template's placeholders: only what the notice carries, which for a case with exempt
    information is already no more than its title, state and dates."""
    return {
        "headline": notice.headline,
        "case_reference": str(notice.case_id),
        "case_title": one_line(notice.case_title),
        "case_state": notice.case_state.replace("_", " "),
        "deadline": notice.what,
        "due_date": long_date(notice.due_on),
        "link": notice.link,
        "exempt_note": notice.exempt_note or "",
        "agreements": [
            f"{a.reference}: {a.title} ({a.counterparty}), ends {long_date(a.end_date)}"
            for a in notice.agreements
        ],
    }


def describe(exc: APIError) -> str:
    """``403 AuthError: Invalid token: API key not found``, from the API's ``errors`` list."""
    if exc.response is None:
        return f"could not reach GOV.UK Notify ({exc.message})"
    found = exc.message
    if isinstance(found, list):
        found = "; ".join(
            f"{e.get('error', '')}: {e.get('message', '')}" for e in found if isinstance(e, dict)
        )
    return f"GOV.UK Notify answered {exc.status_code} {found}"


def refused(exc: APIError) -> bool:
    """True when asking again cannot help: 400 and 403 with an answer from Notify itself."""
    return exc.response is not None and exc.status_code in REFUSED_STATUSES


class NotifyChannel:
    name = "notify"

    def __init__(self, settings: Settings, ledger: DeliveryLedger) -> None:
        self.settings = settings
        self.ledger = ledger
        # The client keeps a requests.Session and is not thread-safe: each send borrows one
        # from the idle ones (or makes one) and gives it back, so there are never more than
        # the deliveries in flight at once, and connections are kept between passes.
        self._idle: list[NotificationsAPIClient] = []
        self._lock = threading.Lock()

    def _borrow(self, api_key: str) -> NotificationsAPIClient:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        try:
            return NotificationsAPIClient(
                api_key,
                base_url=self.settings.notify_base_url,
                timeout=self.settings.notify_timeout_seconds,
            )
        except AssertionError as exc:  # the client asserts the key's shape
            raise DeliveryError(
                "COUNCILFLOW_NOTIFY_API_KEY is not a GOV.UK Notify API key "
                "({name}-{service id}-{secret})",
                permanent=True,
            ) from exc

    def _give_back(self, client: NotificationsAPIClient) -> None:
        with self._lock:
            self._idle.append(client)

    def send(self, notice: Notice) -> None:
        s = self.settings
        if not notice.recipients:
            raise DeliveryError("no recipients: nobody holds the roles this deadline is for")
        if all(address in notice.delivered for address in notice.recipients):
            return  # every one of them had it on an earlier attempt
        if not s.notify_api_key:
            raise DeliveryError(
                "no GOV.UK Notify API key is configured (COUNCILFLOW_NOTIFY_API_KEY)"
            )
        template_id = s.notify_template_for(notice.purpose)
        if not template_id:
            raise DeliveryError(
                f"no GOV.UK Notify template for a {notice.purpose} is configured "
                f"(COUNCILFLOW_NOTIFY_{notice.purpose.upper()}_TEMPLATE_ID)"
            )
        client = self._borrow(s.notify_api_key)
        try:
            refusals = self._send_each(client, notice, template_id)
        finally:
            self._give_back(client)
        if refusals:
            raise DeliveryError("; ".join(refusals), permanent=True)

    def _send_each(
        self, client: NotificationsAPIClient, notice: Notice, template_id: str
    ) -> list[str]:
        """One request per recipient not yet sent to, each acceptance written down before the
        next request; answers the refusals (400/403), and raises at the first failure worth
        retrying."""
        fields = personalisation(notice)
        refusals: list[str] = []
        reached = set(notice.delivered)
        for address in notice.recipients:
            if address in reached:
                continue
            try:
                answer = client.send_email_notification(
                    email_address=address,
                    template_id=template_id,
                    personalisation=fields,
                    reference=reference(notice),
                )
            except APIError as exc:
                if not refused(exc):
                    # Down, slow or rate-limited: stop here rather than press on, and retry
                    # the rest (only the rest) after the backoff.
                    raise DeliveryError(f"{describe(exc)} (to {address})") from exc
                refusals.append(f"{describe(exc)} (to {address})")
                continue
            self.ledger.accepted(
                notice.reminder_id, notice.case_id, address, str(answer.get("id") or "")
            )
            reached.add(address)
        return refusals

    def close(self) -> None:
        with self._lock:
            clients, self._idle = self._idle, []
        for client in clients:
            client.request_session.close()
