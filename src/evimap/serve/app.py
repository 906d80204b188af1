"""The app factory behind ``evimap serve``: one :class:`~evimap.api.Evimap` per app, a JSON
API under ``/api`` and a server-rendered web UI, both over the same library calls.

Everything that is not a route lives here, once: store access (one DuckDB connection,
serialised by a lock, since a connection is not safe across threads), the conversion of
evimap's exceptions into HTTP errors (JSON ``{"error": {"code", "message"}}`` under
``/api``, an HTML page elsewhere), the access token and the security headers.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from typing import Annotated, Any

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
from ..errors import ConfigError, EvimapError, InputError, NotFoundError, StoreError
from ..settings import Settings
from .render import render, static_dir

log = logging.getLogger(__name__)

#: No inline script or style, nothing from another origin: the UI ships its own CSS and JS.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                    "Referrer-Policy": "no-referrer", "X-Frame-Options": "DENY"}
TOKEN_COOKIE = "evimap_token"

#: evimap's exceptions as HTTP errors, most specific first.
_ERRORS: tuple[tuple[type[EvimapError], int, str], ...] = (
    (NotFoundError, 404, "not_found"), (InputError, 422, "bad_input"),
    (StoreError, 503, "store_unavailable"), (ConfigError, 500, "config_error"),
    (EvimapError, 400, "bad_request"))
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 413: "too_large", 422: "invalid_parameter",
               500: "internal_error", 503: "store_unavailable"}


class ServeState:
    """The app's one :class:`Evimap` and the lock every request takes to use it."""

    def __init__(self, ev: Evimap, settings: Settings, owned: bool) -> None:
        self.ev = ev
        self.settings = settings
        self.owned = owned
        self.lock = anyio.Lock()


async def get_evimap(request: Request) -> AsyncIterator[Evimap]:
    """Dependency: the store, held for the duration of the request.

    The lock is awaited on the event loop, not in a worker thread, so requests waiting
    for it never hold the threads the (synchronous) route that holds it needs.
    """
    state: ServeState = request.app.state.evimap
    async with state.lock:
        yield state.ev


EvimapDep = Annotated[Evimap, Depends(get_evimap)]


def check_binding(host: str, token: str) -> None:
    """Refuse to serve beyond this machine without a token."""
    if token or _is_loopback(host):
        return
    raise EvimapError(f"binding to {host} makes the server reachable from other machines; "
                      "pass --token TOKEN (or set EVIMAP_TOKEN) so every request must carry it")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(settings: Settings, ev: Evimap | None = None) -> FastAPI:
    """The server over ``ev`` (or over the store ``settings.db`` names, which must exist;
    it is closed when the app shuts down)."""
    state = ServeState(ev or Evimap(settings.db, settings, create=False), settings,
                       owned=ev is None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if state.owned:
            state.ev.close()

    app = FastAPI(title="evimap", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url="/openapi.json",
                  description="Evidence maps from messy health literature: the JSON API of "
                              "`evimap serve` (see docs/api.md).")
    app.state.evimap = state
    _install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=round(settings.max_upload_mb * 2**20))
    app.add_middleware(Guard, token=settings.token)
    from .api_routes import router as api_router
    from .ui_routes import router as ui_router
    app.include_router(api_router)
    app.include_router(ui_router)
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    return app


def serve(settings: Settings) -> None:
    """Run the server until interrupted (``evimap serve``)."""
    import uvicorn

    check_binding(settings.host, settings.token)
    app = create_app(settings)
    print(f"serving {settings.db} at http://{settings.host}:{settings.port}/ "
          "(Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")


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


# --- token and headers ---------------------------------------------------------------------------

class Guard:
    """With a token, every request must carry it: ``Authorization: Bearer TOKEN``,
    ``?token=TOKEN``, or the cookie a ``?token=`` request sets so that a browser can follow
    the UI's links. Every response gets the security headers."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.token and not _authorised(request, self.token):
            response = error_response(request, 401, "unauthorized",
                                      "this server needs its token: send 'Authorization: "
                                      "Bearer TOKEN' or add ?token=TOKEN")
            response.headers["WWW-Authenticate"] = "Bearer"
            await _secured(response)(scope, receive, send)
            return
        cookie = None
        if self.token and "token" in request.query_params:
            jar = SimpleCookie()
            jar[TOKEN_COOKIE] = self.token
            jar[TOKEN_COOKIE].update({"httponly": "true", "samesite": "Strict", "path": "/"})
            cookie = jar[TOKEN_COOKIE].OutputString()

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if cookie:
                    headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_secured)


def _authorised(request: Request, token: str) -> bool:
    auth = request.headers.get("authorization", "")
    offered = [auth[7:].strip() if auth.lower().startswith("bearer ") else "",
               request.query_params.get("token", ""), request.cookies.get(TOKEN_COOKIE, "")]
    return any(hmac.compare_digest(o.encode(), token.encode()) for o in offered if o)


def _secured(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
