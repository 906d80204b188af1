"""Responses remembered until the store changes: every page and JSON answer of a GET is a
function of its URL and of what the store holds, so a 200 answer is kept (least recently
used first out, within a memory budget) and sent again as long as the store's
``generation`` is the one it was computed at (:class:`evimap.store.Store`). A page carrying
the session's CSRF token (a form) is kept with the token replaced by a placeholder of the
same length, and sent with the asking session's token. The answer says
``X-Evimap-Cache: hit`` or ``miss``."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from .app import ServeState

#: Paths never kept: session-specific (the CSRF token), the server's own state (health),
#: large downloads, static files (served with their own validators).
UNCACHED = ("/api/csrf", "/api/health", "/api/report", "/static/")
CACHE_HEADER = b"x-evimap-cache"


@dataclass(frozen=True)
class _Entry:
    generation: int
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    has_token: bool


class ResponseCache:
    """ASGI middleware: GET answers of status 200 up to ``max_entry`` bytes, kept within
    ``max_bytes`` in all."""

    def __init__(self, app: ASGIApp, state: ServeState, max_bytes: int = 64 * 2**20,
                 max_entry: int = 2 * 2**20) -> None:
        self.app = app
        self.state = state
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self.size = 0
        self.entries: OrderedDict[tuple[str, bytes], _Entry] = OrderedDict()
        # the stand-in for a session's CSRF token in kept pages (the token's length)
        self.placeholder = secrets.token_hex(20).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] != "GET"
                or scope["path"].startswith(UNCACHED)):
            await self.app(scope, receive, send)
            return
        key = (scope["path"], scope.get("query_string", b""))
        token = str(scope.get("state", {}).get("csrf_token", "")).encode()
        generation = self.state.ev.store.generation
        if self.entries and next(reversed(self.entries.values())).generation != generation:
            self.entries.clear()        # the store changed: everything kept is stale
            self.size = 0
        hit = self.entries.get(key)
        if hit is not None and hit.generation == generation:
            self.entries.move_to_end(key)
            body = hit.body.replace(self.placeholder, token) if hit.has_token else hit.body
            await send({"type": "http.response.start", "status": hit.status,
                        "headers": [*hit.headers, (CACHE_HEADER, b"hit")]})
            await send({"type": "http.response.body", "body": body})
            return
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal start, size, keep
            if message["type"] == "http.response.start":
                start = message
                keep = message["status"] == 200
                message = {**message, "headers": [*message.get("headers", []),
                                                  (CACHE_HEADER, b"miss")]}
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                keep = size <= self.max_entry
            await send(message)

        await self.app(scope, receive, capture)
        if not keep or start is None or self.state.ev.store.generation != generation:
            return
        body = b"".join(chunks)
        has_token = bool(token) and token in body
        if has_token:
            body = body.replace(token, self.placeholder)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"set-cookie"]
        self._keep(key, _Entry(generation, 200, headers, body, has_token))

    def _keep(self, key: tuple[str, bytes], entry: _Entry) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[key] = entry
        self.size += len(entry.body)
        while self.size > self.max_bytes and self.entries:
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped.body)
