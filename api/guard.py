"""What every API request passes before a route sees it: a failure throttle, the key, a bounded body.

ASGI middleware rather than a dependency, because FastAPI reads and parses a request body before it runs any
dependency: a 200 MB body without a key would be read (and held) in full just to be refused. Here, a request
with a body is refused without reading it when its key is missing or wrong or its declared length is over
the route's limit; a body that turns out longer than it said (chunked) is cut off at the limit with 413.

Clients (by address) that keep presenting wrong keys are throttled: after ``failures`` refusals within
``window`` seconds, every request from that address *without a valid key* answers 429 with ``Retry-After``
until the window has passed. Requests with a valid key still pass: an office behind one NAT or proxy shares an
address, and one script with a wrong key must not lock its colleagues out. Each process counts on its own
(several workers allow that many failures each). Refusals — 401, 403, 404, 413 — are written to the audit log
as ``refuse`` events with the key (if any), the route's template and the status, never the path's ids or the
body; a throttled address writes one 429 event per lock, not one per request (a flood of guesses must not
become a flood of audit writes).
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matching.access import Actor
from matching.store.audit import refusal

JSON_BODY_BYTES = 1024 * 1024  # a profile with long free text is ~20 KB
UPLOAD_BODY_BYTES = 20 * 1024 * 1024 + 64 * 1024  # the import's 20 MB file plus its multipart envelope
REFUSED = frozenset({401, 403, 404, 413, 429})


class _TooLarge(HTTPException):
    """Raised while the route reads its body; an HTTPException, so FastAPI passes it on as the 413 it is."""

    def __init__(self, limit: int):
        super().__init__(413, _too_large(limit))


@dataclass
class Throttle:
    failures: int = 20
    window: float = 60.0
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    _reported: dict[str, float] = field(default_factory=dict)  # client → end of the lock already audited

    def retry_after(self, client: str, now: float) -> int:
        """Seconds until ``client`` may try again; 0 when it may now."""
        times = self._seen.get(client)
        if not times:
            return 0
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.failures:
            if not times:
                del self._seen[client]
                self._reported.pop(client, None)
            return 0
        return max(1, math.ceil(times[0] + self.window - now))

    def first_of_lock(self, client: str) -> bool:
        """True once per lock of ``client`` (while locked, no failure is added, so its end does not move)."""
        times = self._seen.get(client)
        if not times:
            return True
        end = times[0] + self.window
        if self._reported.get(client) == end:
            return False
        self._reported[client] = end
        return True

    def fail(self, client: str, now: float) -> None:
        if len(self._seen) > 100_000:  # bounded memory under a spray of addresses
            self._seen.clear()
            self._reported.clear()
        self._seen.setdefault(client, deque(maxlen=self.failures)).append(now)


def body_limit(path: str) -> int:
    return UPLOAD_BODY_BYTES if path.startswith("/api/v1/import/") else JSON_BODY_BYTES


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


def _length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _answer(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail, "errors": []}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class Guard:
    def __init__(self, app: ASGIApp, throttle: Throttle | None = None):
        self.app = app
        self.throttle = throttle or Throttle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        state = scope.setdefault("state", {})
        now = time.monotonic()
        wait = self.throttle.retry_after(client, now)
        if wait and not await self._valid_key(scope, state):
            detail = (
                "Too many failed attempts from this address; try again later (a valid key is still accepted)."
            )
            await self._refuse(scope, send, 429, detail, wait, audit=self.throttle.first_of_lock(client))
            return
        if scope["method"] in ("POST", "PUT", "PATCH"):
            refused = await self._check_before_body(scope, state)
            if refused is not None:
                status, detail = refused
                if status == 401:
                    self.throttle.fail(client, now)
                await self._refuse(scope, send, status, detail)
                return
        limit = body_limit(scope["path"])
        received = 0
        started: list[int] = []

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                started.append(message["status"])
            await send(message)

        try:
            await self.app(scope, bounded_receive, watching_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, send, 413, _too_large(limit))
            return
        if started and started[0] in REFUSED:
            if started[0] == 401:
                self.throttle.fail(client, now)
            await anyio.to_thread.run_sync(self._audit, scope, started[0])

    async def _valid_key(self, scope: Scope, state: dict[str, Any]) -> bool:
        """Authenticate the request's key now (kept for the route); False when it has none or a wrong one."""
        token = _bearer(scope)
        if token is None:
            return False
        matcher = scope["app"].state.matcher
        actor = await anyio.to_thread.run_sync(matcher.storage.keys.authenticate, token)
        if actor is not None:
            state["actor"] = actor
        return actor is not None

    async def _check_before_body(self, scope: Scope, state: dict[str, Any]) -> tuple[int, str] | None:
        if "actor" not in state:
            if _bearer(scope) is None:
                return 401, "Missing API key: send the header 'Authorization: Bearer <key>'."
            if not await self._valid_key(scope, state):
                return 401, "Invalid or revoked API key."
        length = _length(scope)
        if length is not None and length > body_limit(scope["path"]):
            return 413, _too_large(body_limit(scope["path"]))
        return None

    async def _refuse(
        self,
        scope: Scope,
        send: Send,
        status: int,
        detail: str,
        retry_after: int | None = None,
        audit: bool = True,
    ) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        if status == 401:
            headers = {"WWW-Authenticate": "Bearer"}
        await _answer(send, status, detail, headers)
        if audit:
            await anyio.to_thread.run_sync(self._audit, scope, status)

    def _audit(self, scope: Scope, status: int) -> None:
        actor: Actor | None = scope.get("state", {}).get("actor")
        route = getattr(scope.get("route"), "path", None) or "(no route)"
        matcher = scope["app"].state.matcher
        matcher.storage.audit.record([refusal(actor, f"{scope['method']} {route}", status)])


def _too_large(limit: int) -> str:
    return f"The request body is larger than {limit // 1024} KB, the most this endpoint accepts."
