"""Alerts delivered to a webhook: an address the administrator allows, from a durable outbox, signed.

An alert whose saved search names a webhook is stored with ``webhook_state = pending`` in the same transaction
that raises it, so nothing is lost when a process dies. A sender thread in every serving process claims pending
alerts, POSTs a small JSON body and marks them sent; a failed POST is retried (up to :data:`ATTEMPTS`, with the
delay growing) and then marked failed. A crash between the POST and the mark sends it again: delivery is at least
once, and each body carries the alert's id for the receiver to drop repeats.

The body holds ids, never profile data: the receiver (the agency's own system) reads the match with its key.
``X-Skillbridge-Signature: sha256=<HMAC-SHA-256 of the body>`` with the installation's webhook secret
(``skillbridge keys webhook-secret`` prints it) lets it check the sender.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import httpx

from matching.errors import InvalidInputError
from matching.store.audit import Action, AuditEntry
from matching.store.searches import PendingWebhook
from matching.store.storage import Storage

log = logging.getLogger(__name__)

SECRET_NAME = "webhooks"
ATTEMPTS = 5
INTERVAL = 2.0  # seconds between looks at the outbox
TIMEOUT = 5.0


def check_webhook(url: str | None, allowed: Sequence[str]) -> str | None:
    """The URL when it starts with one of the administrator's allowed prefixes; else a 422 naming them."""
    if url is None or url == "":
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InvalidInputError("webhook", "must be an http(s) URL")
    if not any(url.startswith(prefix) for prefix in allowed):
        which = ", ".join(allowed) if allowed else "none (SKILLBRIDGE_WEBHOOK_ALLOWED is empty)"
        raise InvalidInputError(
            "webhook", f"not an address the administrator allows; allowed prefixes: {which}"
        )
    return url


def body_of(pending: PendingWebhook) -> bytes:
    return json.dumps(
        {
            "alert_id": pending.alert_id,
            "saved_search_id": pending.search_id,
            "kind": pending.kind,
            "subject_id": pending.subject_id,
            "entity_id": pending.entity_id,
            "rank": pending.match.get("rank"),
            "eligibility": pending.match.get("eligibility"),
            "score": pending.match.get("score"),
            "created_at": pending.created_at.isoformat(),
        },
        separators=(",", ":"),
    ).encode()


def signature(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(
        self,
        storage: Storage,
        allowed: Sequence[str],
        post: Callable[[str, bytes, dict[str, str]], int] | None = None,
        interval: float = INTERVAL,
    ):
        self.storage = storage
        self.allowed = tuple(allowed)
        self.interval = interval
        self._post = post or _post
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> WebhookSender:
        self._thread = threading.Thread(target=self._run, name="skillbridge-webhooks", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=TIMEOUT + 1)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.deliver()
            except Exception:  # the database may be briefly away; the next round tries again
                log.exception("webhook delivery round failed")

    def deliver(self) -> int:
        """One round: every due pending alert POSTed once. Returns how many were delivered."""
        secret = self.storage.secret(SECRET_NAME)
        delivered = 0
        for pending in self.storage.searches.claim_webhooks():
            # The allowed list is checked again at sending: an administrator may have narrowed it since.
            allowed = any(pending.url.startswith(prefix) for prefix in self.allowed)
            body = body_of(pending)
            headers = {"Content-Type": "application/json", "X-Skillbridge-Signature": signature(secret, body)}
            try:
                ok = allowed and 200 <= self._post(pending.url, body, headers) < 300
            except httpx.HTTPError:
                ok = False
            host = urlsplit(pending.url).netloc
            self.storage.searches.webhook_done(pending.alert_id, ok, give_up=not allowed)
            if ok:
                delivered += 1
                audit = AuditEntry(
                    None, Action.EXPORT, "alert", str(pending.alert_id), f"webhook:{host}"[:200]
                )
                self.storage.audit.record([audit])
        return delivered


def _post(url: str, body: bytes, headers: dict[str, str]) -> int:
    return httpx.post(url, content=body, headers=headers, timeout=TIMEOUT, follow_redirects=False).status_code
