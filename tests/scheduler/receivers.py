"""Real receivers on loopback for the channels to deliver to: an SMTP server (aiosmtpd), an
HTTP server that checks webhook signatures the way a council's integration would, and one that
answers as GOV.UK Notify does, checking the client's signed token.

Imported as ``receivers`` (pytest puts this directory on ``sys.path``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from aiosmtpd.controller import Controller

SECRET = "test-webhook-secret"

log = logging.getLogger("councilflow.tests.receivers")


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
    received: float = 0.0  # time.monotonic() when the request had been read
    # Seconds from the client's timestamp to the reading, by this receiver's clock (which
    # starts at the same NOW a little before the schedulers': slightly more than the truth).
    age: float = 0.0


@dataclass(frozen=True)
class Answered:
    """How the receiver answered one delivery: how long after reading it, and whether the
    answer could be written at all (the client may have given up and gone)."""

    delivery: Delivery
    seconds: float
    error: str = ""


@dataclass
class WebhookReceiver:
    """Verifies ``X-CouncilFlow-Signature`` over ``"{timestamp}.{body}"`` and the timestamp's
    freshness against ``now``; answers ``status()`` (200 unless a test makes it fail).

    ``deliveries`` is every request that passed the checks, repeats included: the channel is
    at least once (a client that times out after the receiver took the request retries it).
    ``accepted`` is what a council's integration acts on: the first delivery of each
    ``Idempotency-Key``, later ones dropped and logged with how the first was answered, so a
    repeat says why it happened.
    """

    now: Callable[[], datetime]
    secret: str = SECRET
    tolerance_seconds: float = 300.0
    status: Callable[[], int] = lambda: 200
    on_delivery: Callable[[Delivery], None] | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    accepted: dict[str, Delivery] = field(default_factory=dict)
    repeats: list[Delivery] = field(default_factory=list)
    answers: dict[int, Answered] = field(default_factory=dict)  # by id() of the delivery
    promptest: float = float("inf")  # the least ``age`` seen: the clocks' skew, about
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

    def handle(self, headers: Any, raw: bytes) -> tuple[int, Delivery | None]:
        ok, why = self.check(headers, raw)
        if not ok:
            with self.lock:
                self.rejected.append(why)
            return 401, None
        delivery = Delivery(
            key=headers.get("Idempotency-Key", ""),
            timestamp=int(headers["X-CouncilFlow-Timestamp"]),
            body=json.loads(raw),
            signature_ok=True,
            received=time.monotonic(),
            age=self.now().timestamp() - int(headers["X-CouncilFlow-Timestamp"]),
        )
        code = self.status()
        first = delivery
        with self.lock:
            self.deliveries.append(delivery)
            self.promptest = min(self.promptest, delivery.age)
            if code < 300:
                first = self.accepted.setdefault(delivery.key, delivery)
                if first is not delivery:
                    self.repeats.append(delivery)
        if first is not delivery:
            why = self.why_repeated(first, delivery)
            log.warning("Idempotency-Key %s again: dropped as a repeat (%s)", delivery.key, why)
        if self.on_delivery is not None:
            self.on_delivery(delivery)
        return code, delivery

    def answered(self, delivery: Delivery, error: str = "") -> None:
        """Note how long ``delivery`` took to answer (``error``: the answer could not be
        written)."""
        answer = Answered(delivery, time.monotonic() - delivery.received, error)
        with self.lock:
            self.answers[id(delivery)] = answer

    def why_repeated(self, first: Delivery, repeat: Delivery) -> str:
        """The first delivery of the key as this receiver saw it: when; how long after the
        client stamped it it was read (well beyond the promptest delivery's lag: it waited
        unread, the receiver stalled); and how it was answered. The client's log says why
        it sent the key again."""
        with self.lock:
            answer = self.answers.get(id(first))
        gap = (
            f"the first came {repeat.received - first.received:.2f}s before, read here"
            f" {first.age:.1f}s after the client stamped it (the promptest: {self.promptest:.1f}s),"
        )
        if answer is None:
            return f"{gap} and is still unanswered"
        how = f"{gap} and was answered after {answer.seconds:.2f}s"
        return how + (f", but the answer failed: {answer.error}" if answer.error else "")

    def answer_to(self, delivery: Delivery) -> Answered | None:
        with self.lock:
            return self.answers.get(id(delivery))

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
            code, delivery = receiver.handle(self.headers, raw)
            try:
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError as exc:  # the client gave up waiting and closed the connection
                if delivery is not None:
                    receiver.answered(delivery, f"{type(exc).__name__}: {exc}")
                raise
            if delivery is not None:
                receiver.answered(delivery)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Three schedulers open 24 keep-alive connections at once; socketserver's backlog of 5
    # would drop handshakes under load and add seconds of retransmission to a delivery.
    request_queue_size = 64


@contextmanager
def http_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve ``handler`` on a free loopback port for the block; yields ``http://host:port``."""
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def webhook_receiver(**kwargs: Any) -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(**kwargs)
    with http_server(_handler_for(receiver)) as base:
        receiver.url = f"{base}/hooks/councilflow"
        yield receiver


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


# --- GOV.UK Notify -------------------------------------------------------------------------

NOTIFY_SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
NOTIFY_SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
NOTIFY_KEY = f"councilflow_test-{NOTIFY_SERVICE_ID}-{NOTIFY_SECRET}"
REMINDER_TEMPLATE = "f33517ff-2a88-4f6e-b855-c550268ce08a"
ESCALATION_TEMPLATE = "a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d"
# Notify accepts a token whose ``iat`` is within 30 seconds of its own clock.
NOTIFY_CLOCK_SKEW_SECONDS = 30


@dataclass(frozen=True)
class NotifySend:
    email_address: str
    template_id: str
    personalisation: dict[str, Any]
    reference: str | None
    notification_id: str = ""  # the id the receiver answers with, when it accepts


def notify_error(status: int, error: str, message: str) -> tuple[int, dict[str, Any]]:
    """An error as the API answers it: ``{"errors": [{"error", "message"}], "status_code"}``."""
    return status, {"errors": [{"error": error, "message": message}], "status_code": status}


@dataclass
class NotifyReceiver:
    """``POST /v2/notifications/email`` as GOV.UK Notify answers it.

    The bearer token must be a JWT signed HS256 with this service's secret, ``iss`` its service
    id and ``iat`` within 30 seconds of now (the real clock: the client stamps it from
    ``time``, as Notify checks it); otherwise 403 ``AuthError``, as Notify answers. A template
    it does not know, or (with ``team``) an address outside the team, is a 400
    ``BadRequestError``. ``answer`` may script a failure per request (None: accept).
    """

    service_id: str = NOTIFY_SERVICE_ID
    secret: str = NOTIFY_SECRET
    templates: frozenset[str] = frozenset({REMINDER_TEMPLATE, ESCALATION_TEMPLATE})
    team: frozenset[str] | None = None
    answer: Callable[[NotifySend], tuple[int, dict[str, Any]] | None] = lambda send: None
    sends: list[NotifySend] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def authenticate(self, header: str) -> str | None:
        """Why the token is refused, in Notify's words, or None."""
        if not header.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = header.removeprefix("Bearer ")
        try:
            if jwt.get_unverified_header(token).get("alg") != "HS256":
                return "Invalid token: algorithm used is not HS256"
            claims = jwt.decode(token, options={"verify_signature": False})
            if claims.get("iss") != self.service_id:
                return "Invalid token: service not found"
            claims = jwt.decode(token, key=self.secret, algorithms=["HS256"])
        except jwt.InvalidSignatureError:
            return "Invalid token: API key not found"
        except jwt.PyJWTError:
            return "Invalid token: signature, api token is not valid"
        if "iat" not in claims:
            return "Invalid token: iat field not provided"
        if abs(int(claims["iat"]) - time.time()) > NOTIFY_CLOCK_SKEW_SECONDS:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None

    def handle(self, path: str, headers: Any, raw: bytes) -> tuple[int, dict[str, Any]]:
        why = self.authenticate(headers.get("Authorization", ""))
        if why is not None:
            status, body = notify_error(403, "AuthError", why)
        elif path != "/v2/notifications/email":
            status, body = notify_error(404, "ResourceNotFound", "Not found")
        else:
            status, body = self.accept(json.loads(raw))
        if status >= 300:
            with self.lock:
                self.refused.append((status, body["errors"][0]["message"]))
        return status, body

    def accept(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        send = NotifySend(
            email_address=data["email_address"],
            template_id=data["template_id"],
            personalisation=data.get("personalisation") or {},
            reference=data.get("reference"),
            notification_id=str(uuid.uuid4()),
        )
        if send.template_id not in self.templates:
            return notify_error(400, "BadRequestError", "Template not found")
        if self.team is not None and send.email_address not in self.team:
            return notify_error(
                400, "BadRequestError", "Cannot send to this recipient using a team-only API key"
            )
        scripted = self.answer(send)
        if scripted is not None:
            return scripted
        with self.lock:
            self.sends.append(send)
        base = self.url
        notification_id = send.notification_id
        return 201, {
            "id": notification_id,
            "reference": send.reference,
            "content": {"subject": "CouncilFlow", "body": "…", "from_email": "council@notify"},
            "uri": f"{base}/v2/notifications/{notification_id}",
            "template": {
                "id": send.template_id,
                "version": 1,
                "uri": f"{base}/v2/template/{send.template_id}",
            },
        }

    def addresses(self) -> list[str]:
        with self.lock:
            return [s.email_address for s in self.sends]


def _notify_handler_for(receiver: NotifyReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, body = receiver.handle(self.path, self.headers, raw)
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    return Handler


@contextmanager
def notify_receiver(**kwargs: Any) -> Iterator[NotifyReceiver]:
    receiver = NotifyReceiver(**kwargs)
    with http_server(_notify_handler_for(receiver)) as base:
        receiver.url = base
        yield receiver


def notifying_to(settings: Any, receiver: NotifyReceiver, api_key: str = NOTIFY_KEY) -> Any:
    """``settings`` with reminders going through Notify at ``receiver``, with ``api_key``."""
    return settings.model_copy(
        update={
            "notify_api_key": api_key,
            "notify_base_url": receiver.url,
            "notify_reminder_template_id": REMINDER_TEMPLATE,
            "notify_escalation_template_id": ESCALATION_TEMPLATE,
        }
    )
