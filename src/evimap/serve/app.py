"""The app factory behind ``evimap serve``: one :class:`~evimap.api.Evimap` per app, a JSON
API under ``/api`` and a server-rendered web UI, both over the same library calls.

Everything that is not a route lives here, once: store access (each request thread
queries through a DuckDB cursor of its own; reads run side by side, a write runs alone,
and the store is held read-only between writes so the CLI and notebooks can read it too),
the map and counts cached until the store changes, the conversion of evimap's exceptions
into HTTP errors (JSON ``{"error": {"code", "message"}}`` under ``/api``, an HTML page
elsewhere), the access token, the checks against other sites (the ``Host`` must be one of
the server's names; a request that changes the store must come from its own pages, with
the session's CSRF token) and the security headers.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import socket
import threading
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import anyio
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..api import Evimap
from ..errors import (
    ConfigError,
    EvimapError,
    InputError,
    NotFoundError,
    StoreError,
    StoreLocked,
)
from ..settings import Settings
from .cache import ResponseCache
from .render import render, static_dir

log = logging.getLogger(__name__)

#: No inline script or style, nothing from another origin: the UI ships its own CSS and JS.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
#: Referrer-Policy same-origin: other sites (PubMed, doi.org) get no Referer, while the UI's
#: own forms keep their Origin (under no-referrer a browser sends ``Origin: null``, which is
#: refused as another site's).
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY"}
TOKEN_COOKIE = "evimap_token"
#: The browser session, to which the CSRF token of the UI's forms is bound.
SESSION_COOKIE = "evimap_session"
#: Where a request that changes the store carries the CSRF token: a header (API clients,
#: scripts) or a form field (the UI's forms).
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
#: Methods that change the store: refused from other sites and without the CSRF token.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: The names every server answers to (loopback); ``--host`` adds its own.
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
#: Most entries the cache of maps and counts keeps.
CACHE_SIZE = 256
#: Requests run at once, each in a thread with its own cursor (the others wait their turn).
REQUEST_THREADS = max(4, 2 * (os.cpu_count() or 2))
_T = TypeVar("_T")

class CsrfRefused(EvimapError):
    """A request that changes the store came without its session's CSRF token."""


#: evimap's exceptions as HTTP errors, most specific first.
_ERRORS: tuple[tuple[type[EvimapError], int, str], ...] = (
    (NotFoundError, 404, "not_found"), (InputError, 422, "bad_input"),
    (CsrfRefused, 403, "csrf"),
    (StoreLocked, 503, "store_busy"), (StoreError, 503, "store_unavailable"),
    (ConfigError, 500, "config_error"),
    (EvimapError, 400, "bad_request"))
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 422: "invalid_parameter",
               500: "internal_error", 503: "store_unavailable"}


class ReadWriteLock:
    """Any number of readers, or one writer (waiting writers go first), on the event loop."""

    def __init__(self) -> None:
        self._readers = 0
        self._writing = False
        self._waiting = 0
        self._changed = anyio.Condition()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[None]:
        async with self._changed:
            while self._writing or self._waiting:
                await self._changed.wait()
            self._readers += 1
        try:
            yield
        finally:
            async with self._changed:
                self._readers -= 1
                self._changed.notify_all()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        async with self._changed:
            self._waiting += 1
            try:
                while self._writing or self._readers:
                    await self._changed.wait()
            finally:
                self._waiting -= 1
            self._writing = True
        try:
            yield
        finally:
            async with self._changed:
                self._writing = False
                self._changed.notify_all()


class ServeState:
    """The app's one :class:`Evimap`, the lock that lets reads run together and a write
    alone, the cache of what is costly to compute and changes only with the store, and the
    secret the sessions' CSRF tokens are derived from."""

    def __init__(self, ev: Evimap, settings: Settings, owned: bool) -> None:
        self.ev = ev
        self.settings = settings
        self.owned = owned
        self.access = ReadWriteLock()
        self.hosts = allowed_hosts(settings.host)
        self.csrf_secret = secrets.token_bytes(32)
        self._cache: dict[Hashable, tuple[int, Any]] = {}
        #: ``loading`` while the lexicon and models load ahead of need (a few seconds after
        #: the start, during which the loading holds Python for up to a quarter second at a
        #: time), then ``ready``, or ``unavailable`` when they could not be loaded (the
        #: requests that need them say why); ``on_demand`` when nothing loads them ahead.
        self.resources = "on_demand"
        ev.store.use_cursors(threads=1)

    def cached(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        """``compute()``, remembered under ``key`` until the store changes."""
        generation = self.ev.store.generation
        hit = self._cache.get(key)
        if hit is not None and hit[0] == generation:
            return hit[1]
        value = compute()
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = (generation, value)
        return value

    def csrf_token(self, session: str) -> str:
        return hmac.new(self.csrf_secret, session.encode(), hashlib.sha256).hexdigest()[:40]


async def get_evimap(request: Request) -> AsyncIterator[Evimap]:
    """Dependency: the store, for reading, for the duration of the request (reads run side
    by side, each thread through its own cursor).

    The lock is awaited on the event loop, not in a worker thread, so requests waiting
    for it never hold the threads the (synchronous) route that holds it needs.
    """
    state: ServeState = request.app.state.evimap
    async with state.access.read():
        yield state.ev


async def get_writer(request: Request) -> AsyncIterator[Evimap]:
    """Dependency: the store, for writing, alone, for the duration of the request; a
    shared store is held for writing meanwhile (:meth:`evimap.store.Store.writing`)."""
    state: ServeState = request.app.state.evimap
    async with state.access.write():
        writing = state.ev.store.writing()
        await anyio.to_thread.run_sync(writing.__enter__)
        try:
            yield state.ev
        finally:
            await anyio.to_thread.run_sync(writing.__exit__, None, None, None)


def get_state(request: Request) -> ServeState:
    state: ServeState = request.app.state.evimap
    return state


EvimapDep = Annotated[Evimap, Depends(get_evimap)]
WriterDep = Annotated[Evimap, Depends(get_writer)]
StateDep = Annotated[ServeState, Depends(get_state)]


def check_binding(host: str, token: str) -> None:
    """Refuse to serve beyond this machine without a token."""
    if token or _is_loopback(host):
        return
    raise EvimapError(f"binding to {host} makes the server reachable from other machines; "
                      "pass --token TOKEN (or set EVIMAP_TOKEN) so every request must carry it")


def allowed_hosts(host: str) -> frozenset[str] | None:
    """The names a request's ``Host`` may give: loopback's and the bound address; None (any)
    when bound to every address, which needs a token."""
    if host in ("0.0.0.0", "::", ""):
        return None
    return LOOPBACK_NAMES | {host.strip("[]").lower()}


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(settings: Settings, ev: Evimap | None = None) -> FastAPI:
    """The server over ``ev`` (or over the store ``settings.db`` names, which must exist,
    opened shared: read-only between writes, so other processes may read it; it is closed
    when the app shuts down)."""
    state = ServeState(ev or Evimap(settings.db, settings, create=False, shared=True),
                       settings, owned=ev is None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # a few request threads: queries release the GIL, but many more threads than cores
        # only take turns at it, and keep the event loop (the cached answers) waiting
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        if state.owned:
            # the lexicon and models (a concept's synonyms, search, uploads) load while the
            # first requests are served, not in the first request that needs them (1-2 s)
            state.resources = "loading"
            threading.Thread(target=_warm, args=(state,), name="evimap-warm",
                             daemon=True).start()
        yield
        if state.owned:
            state.ev.close()

    app = FastAPI(title="evimap", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url="/openapi.json",
                  description="Evidence maps from messy health literature: the JSON API of "
                              "`evimap serve` (see docs/api.md).",
                  dependencies=[Depends(check_csrf_form)])
    app.state.evimap = state
    _install_error_handlers(app)
    app.add_middleware(ResponseCache, state=state)
    app.add_middleware(BodyLimit, max_bytes=round(settings.max_upload_mb * 2**20))
    app.add_middleware(Guard, state=state)
    from .api_routes import router as api_router
    from .ui_routes import router as ui_router
    app.include_router(api_router)
    app.include_router(ui_router)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    return app


def _warm(state: ServeState) -> None:
    """Load the resources ahead of need; a failure is left for the request that needs them
    to report."""
    try:
        state.ev.resources  # noqa: B018 (loaded on first use)
    except Exception as exc:       # reported again, as an HTTP error, by the request
        log.debug("resources not loaded ahead: %s", exc)
        state.resources = "unavailable"
    else:
        state.resources = "ready"


def serve(settings: Settings) -> None:
    """Run the server until interrupted (``evimap serve``): the address is bound before
    anything is printed, so a port in use is a one-line error, not a false start."""
    import uvicorn

    check_binding(settings.host, settings.token)
    sock = bind(settings.host, settings.port)
    try:
        app = create_app(settings)
        shown = f"[{settings.host}]" if ":" in settings.host else settings.host
        print(f"serving {settings.db} at http://{shown}:{settings.port}/ "
              "(Ctrl+C to stop)", flush=True)
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        server.run(sockets=[sock])
    finally:
        sock.close()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``, or an :class:`EvimapError` saying why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise EvimapError(f"cannot serve on {host}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno in (98, 48, 10048):    # EADDRINUSE on Linux, macOS, Windows
            raise EvimapError(f"port {port} on {host} is already in use (another evimap "
                              "serve?); choose another with --port") from exc
        raise EvimapError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc
    sock.set_inheritable(True)
    return sock


# --- errors ------------------------------------------------------------------------------------

def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def error_response(request: Request, status: int, code: str, message: str,
                   details: list[dict[str, Any]] | None = None) -> Response:
    """The one shape of every error: JSON under /api, an HTML page elsewhere."""
    if wants_json(request):
        body: dict[str, Any] = {"code": code, "message": message}
        if details:
            body["details"] = details
        return JSONResponse({"error": body}, status_code=status)
    html = render("error.html", request, status=status, code=code, message=message)
    return HTMLResponse(html, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    async def evimap_error(request: Request, exc: Exception) -> Response:
        status, code = next((s, c) for cls, s, c in _ERRORS if isinstance(exc, cls))
        return error_response(request, status, code, str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        response = error_response(request, exc.status_code,
                                  _HTTP_CODES.get(exc.status_code, "http_error"),
                                  str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        details = [{"location": ".".join(str(p) for p in e.get("loc", ())),
                    "message": e.get("msg", "")} for e in exc.errors()]
        message = "; ".join(f"{d['location']}: {d['message']}" for d in details)
        return error_response(request, 422, "invalid_parameter", message, details)

    async def unexpected_error(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error serving %s", request.url.path, exc_info=exc)
        return _secured(error_response(request, 500, "internal_error",
                                       "internal server error (see the server log)"))

    app.add_exception_handler(EvimapError, evimap_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected_error)


# --- request size ------------------------------------------------------------------------------

class BodyLimit:
    """Refuse request bodies over ``max_bytes`` (uploads): a declared Content-Length over
    the limit is refused before anything is read, a streamed body as soon as it passes the
    limit. The refusal is an HTTP 413 raised where the route reads its body, so it is
    answered like every other error."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        received = int(declared) if declared.isdigit() else 0

        async def limited() -> Message:
            nonlocal received
            if received > self.max_bytes:
                raise self._too_large()
            message = await receive()
            if message["type"] == "http.request" and not declared:
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, limited, send)

    def _too_large(self) -> HTTPException:
        # FastAPI passes an HTTPException raised while reading a body through unchanged
        return HTTPException(413, f"the request body is larger than the upload "
                                           f"limit of {self.max_bytes / 2**20:g} MB "
                                           "(max_upload_mb, EVIMAP_MAX_UPLOAD_MB)")


# --- token, other sites and headers ------------------------------------------------------------

class Guard:
    """Every request, before any route:

    * its ``Host`` must be one of the server's names (loopback's and ``--host``): a page of
      another site that rebinds its DNS name to this machine gets 400, never the store;
    * with a token, it must carry it: ``Authorization: Bearer TOKEN``, ``?token=TOKEN``, or
      the cookie a ``?token=`` request sets so that a browser can follow the UI's links;
    * a request that changes the store (POST, PUT, PATCH, DELETE) must not come from
      another site (``Origin``, else ``Referer``, of this server when given) and must carry
      its session's CSRF token: the ``X-CSRF-Token`` header, or the ``csrf_token`` field
      of a form (checked by :func:`check_csrf_form` once the form is read); a request
      authorised by the ``Authorization`` header needs none (no other site can send it);
    * a browser without a session gets one (an HttpOnly cookie); the session's token is
      in ``request.state.csrf_token`` for the pages' forms.

    Every response gets the security headers."""

    def __init__(self, app: ASGIApp, state: ServeState) -> None:
        self.app = app
        self.state = state
        self.token = state.settings.token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refused = self._refusal(request, scope)
        if refused is not None:
            await _secured(refused)(scope, receive, send)
            return
        cookies = []
        if self.token and "token" in request.query_params:
            cookies.append(_cookie(TOKEN_COOKIE, self.token, "Strict"))
        session = request.cookies.get(SESSION_COOKIE, "")
        if not _session_ok(session):
            session = secrets.token_urlsafe(24)
            cookies.append(_cookie(SESSION_COOKIE, session, "Lax"))
        request_state = scope.setdefault("state", {})
        request_state["csrf_token"] = self.state.csrf_token(session)
        if request.method in UNSAFE_METHODS and not self._csrf_ok(request, session):
            if not _is_form(request):
                await _secured(_csrf_refusal(request))(scope, receive, send)
                return
            request_state["csrf_pending"] = True     # the form's field is checked later

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                for cookie in cookies:
                    headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_secured)

    def _refusal(self, request: Request, scope: Scope) -> Response | None:
        hosts = self.state.hosts
        if hosts is not None and _over_network(scope):
            host = _host_name(request.headers.get("host", ""))
            if host not in hosts:
                names = ", ".join(sorted(f"[{h}]" if ":" in h else h for h in hosts))
                return error_response(request, 400, "bad_host",
                                      f"this server answers only to {names}: a request for "
                                      f"another host name is refused (DNS rebinding)")
        if self.token and not _authorised(request, self.token):
            response = error_response(request, 401, "unauthorized",
                                      "this server needs its token: send 'Authorization: "
                                      "Bearer TOKEN' or add ?token=TOKEN")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        if request.method in UNSAFE_METHODS and not _same_origin(request):
            return error_response(request, 403, "cross_site",
                                  "a request that changes the store must come from this "
                                  "server's own pages (its Origin or Referer is another site)")
        return None

    def _csrf_ok(self, request: Request, session: str) -> bool:
        if self.token and _bearer(request) and _authorised(request, self.token):
            return True
        offered = request.headers.get(CSRF_HEADER, "")
        return bool(offered) and _token_matches(offered, self.state.csrf_token(session))


async def check_csrf_form(request: Request) -> None:
    """App-wide dependency: the CSRF token of a form that changes the store (its
    ``csrf_token`` field), when :class:`Guard` found none in the headers."""
    if not request.scope.get("state", {}).get("csrf_pending"):
        return
    form = await request.form()
    offered = form.get(CSRF_FIELD)
    expected = request.scope["state"]["csrf_token"]
    if not isinstance(offered, str) or not _token_matches(offered, expected):
        raise CsrfRefused(_CSRF_MESSAGE)


_CSRF_MESSAGE = ("a request that changes the store needs this session's CSRF token: the UI's "
                 "forms carry it; API clients get it (and the session cookie) from "
                 "GET /api/csrf and send it as the X-CSRF-Token header")


def _csrf_refusal(request: Request) -> Response:
    return error_response(request, 403, "csrf", _CSRF_MESSAGE)


def _session_ok(session: str) -> bool:
    return 16 <= len(session) <= 64 and session.replace("-", "").replace("_", "").isalnum()


def _token_matches(offered: str, expected: str) -> bool:
    return hmac.compare_digest(offered.encode(), expected.encode())


def _cookie(name: str, value: str, same_site: str) -> str:
    jar: SimpleCookie = SimpleCookie()
    jar[name] = value
    jar[name].update({"httponly": "true", "samesite": same_site, "path": "/"})
    return jar[name].OutputString()


def _is_form(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind in ("multipart/form-data", "application/x-www-form-urlencoded")


def _over_network(scope: Scope) -> bool:
    """Whether a request came over a socket (an in-process client, such as the tests',
    has no address and no browser that could be rebound)."""
    client = scope.get("client")
    if not client:
        return False
    try:
        ipaddress.ip_address(str(client[0]))
    except ValueError:
        return False
    return True


def _host_name(value: str) -> str:
    """The host name of a ``Host`` header (``[::1]:8765`` -> ``::1``), lower case."""
    try:
        return (urlsplit("//" + value.strip()).hostname or "").lower()
    except ValueError:
        return ""


def _same_origin(request: Request) -> bool:
    """Whether a request's ``Origin`` (else ``Referer``) is this server, or absent (a
    client that is not a browser); ``Origin: null`` (a sandboxed or opaque page) is not."""
    origin = request.headers.get("origin")
    if origin is None:
        referer = request.headers.get("referer")
        if not referer:
            return True
        origin = referer
    if origin.strip().lower() == "null":
        return False
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    default = {"http": 80, "https": 443}.get(scheme)
    here = urlsplit(f"{request.url.scheme}://{request.headers.get('host', '')}")
    try:
        here_port = here.port or {"http": 80, "https": 443}.get(here.scheme)
    except ValueError:
        return False
    return (scheme == here.scheme and (parts.hostname or "") == (here.hostname or "")
            and (port or default) == here_port)


def _bearer(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


def _authorised(request: Request, token: str) -> bool:
    offered = [_bearer(request), request.query_params.get("token", ""),
               request.cookies.get(TOKEN_COOKIE, "")]
    return any(hmac.compare_digest(o.encode(), token.encode()) for o in offered if o)


def _secured(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
