"""A counting webhook receiver in its own process, fast enough not to be what is measured.

A bare asyncio HTTP/1.1 server with keep-alive: it checks each delivery's HMAC signature,
counts deliveries and distinct idempotency keys, and notes the first and last arrival, which
is what the throughput figure is computed from.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import multiprocessing as mp
import socket
import time
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from typing import Any

OK = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"
BAD = b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n"


@dataclass
class Counters:
    deliveries: Synchronized[int]
    distinct: Synchronized[int]
    bad: Synchronized[int]
    first: Synchronized[float]
    last: Synchronized[float]


def _counters() -> Counters:
    return Counters(
        mp.Value("q", 0), mp.Value("q", 0), mp.Value("q", 0), mp.Value("d", 0.0), mp.Value("d", 0.0)
    )


def _serve(sock: socket.socket, secret: bytes, c: Counters) -> None:
    seen: set[bytes] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                headers = {}
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
                stamp = headers.get(b"x-councilflow-timestamp", b"")
                mac = hmac.new(secret, stamp + b"." + body, hashlib.sha256).hexdigest()
                if headers.get(b"x-councilflow-signature", b"") != b"sha256=" + mac.encode():
                    c.bad.value += 1
                    writer.write(BAD)
                    continue
                key = headers.get(b"idempotency-key", b"")
                now = time.time()
                c.deliveries.value += 1
                if key not in seen:
                    seen.add(key)
                    c.distinct.value += 1
                if c.first.value == 0.0:
                    c.first.value = now
                c.last.value = now
                writer.write(OK)
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


class Receiver:
    """``with Receiver(secret) as r:`` — ``r.url`` to deliver to, ``r.counters`` to read."""

    def __init__(self, secret: str) -> None:
        self.secret = secret.encode()
        self.counters = _counters()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/hook"
        self.proc = mp.get_context("fork").Process(
            target=_serve, args=(self.sock, self.secret, self.counters), daemon=True
        )

    def __enter__(self) -> Receiver:
        self.proc.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.proc.terminate()
        self.proc.join()
        self.sock.close()
