"""Real receivers on loopback for the channels to deliver to: an SMTP server (aiosmtpd) and an
HTTP server that checks webhook signatures the way a council's integration would.

Imported as ``receivers`` (pytest puts this directory on ``sys.path``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

SECRET = "test-webhook-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- webhooks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    key: str
    timestamp: int
    body: dict[str, Any]
    signature_ok: bool


@dataclass
class WebhookReceiver:
    """Verifies ``X-CouncilFlow-Signature`` over ``"{timestamp}.{body}"`` and the timestamp's
    freshness against ``now``; answers ``status()`` (200 unless a test makes it fail)."""

    now: Callable[[], datetime]
    secret: str = SECRET
    tolerance_seconds: float = 300.0
    status: Callable[[], int] = lambda: 200
    on_delivery: Callable[[Delivery], None] | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def check(self, headers: Any, raw: bytes) -> tuple[bool, str]:
        timestamp = headers.get("X-CouncilFlow-Timestamp", "")
        expected = hmac.new(
            self.secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256
        ).hexdigest()
        given = headers.get("X-CouncilFlow-Signature", "")
        if not hmac.compare_digest(given, f"sha256={expected}"):
            return False, "bad signature"
        if abs(int(timestamp) - self.now().timestamp()) > self.tolerance_seconds:
            return False, "stale timestamp"
        return True, ""

    def handle(self, headers: Any, raw: bytes) -> int:
        ok, why = self.check(headers, raw)
        if not ok:
            with self.lock:
                self.rejected.append(why)
            return 401
        delivery = Delivery(
            key=headers.get("Idempotency-Key", ""),
            timestamp=int(headers["X-CouncilFlow-Timestamp"]),
            body=json.loads(raw),
            signature_ok=True,
        )
        code = self.status()
        with self.lock:
            self.deliveries.append(delivery)
        if self.on_delivery is not None:
            self.on_delivery(delivery)
        return code

    def keys(self) -> list[str]:
        with self.lock:
            return [d.key for d in self.deliveries]

    def count(self) -> int:
        with self.lock:
            return len(self.deliveries)


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a production receiver would

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            code = receiver.handle(self.headers, raw)
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


@contextmanager
def webhook_receiver(**kwargs: Any) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(**kwargs)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(receiver))
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/councilflow"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


# --- email ---------------------------------------------------------------------------------


@dataclass
class SmtpSink:
    """Keeps every message an SMTP client hands it, with its envelope."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[tuple[SmtpSink, int]]:
    sink = SmtpSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


def delivering_to(settings: Any, receiver: WebhookReceiver, secret: str = SECRET) -> Any:
    """``settings`` with webhooks going to ``receiver``, signed with ``secret``."""
    return settings.model_copy(update={"webhook_url": receiver.url, "webhook_secret": secret})
