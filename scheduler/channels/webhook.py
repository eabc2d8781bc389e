"""Signed webhooks: a JSON POST a receiver can authenticate and de-duplicate.

The signature is HMAC-SHA256 over ``"{timestamp}.{body}"`` with the shared secret, so a
receiver can reject a forged body and, by checking the timestamp, a replayed one. The reminder
id is the ``Idempotency-Key``: a repeat after a crash carries the same key and can be dropped.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from scheduler.channels import DeliveryError
from scheduler.notice import Notice
from workflow.clock import Clock
from workflow.settings import Settings

SIGNATURE_HEADER = "X-CouncilFlow-Signature"
TIMESTAMP_HEADER = "X-CouncilFlow-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: the value of the signature header for this body at this moment."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def encode(notice: Notice) -> bytes:
    return json.dumps(notice.as_json(), sort_keys=True, separators=(",", ":")).encode()


class WebhookChannel:
    name = "webhook"

    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.url = settings.webhook_url
        self.secret = settings.webhook_secret
        self.clock = clock
        # One pooled client per dispatcher: keep-alive makes loopback delivery cheap.
        self.client = httpx.Client(timeout=settings.webhook_timeout_seconds)

    def send(self, notice: Notice) -> None:
        url = notice.webhook_url or self.url  # the council's own receiver, if it has one
        if not url:
            raise DeliveryError("no webhook URL is configured (COUNCILFLOW_WEBHOOK_URL)")
        body = encode(notice)
        timestamp = str(int(self.clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": str(notice.reminder_id),
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self.secret, timestamp, body),
            "User-Agent": "CouncilFlow-Scheduler",
        }
        try:
            response = self.client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook POST failed: {type(exc).__name__}: {exc}") from exc
        if not response.is_success:
            raise DeliveryError(f"webhook answered {response.status_code}: {response.text[:200]!r}")

    def close(self) -> None:
        self.client.close()
