"""Templates (Jinja2, autoescaped: everything from documents is text, never markup) and the
few filters they use."""

from __future__ import annotations

import functools
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.requests import Request

from .. import __version__, identifiers
from ..api import Page


def static_dir() -> Path:
    return Path(__file__).with_name("static")


def belief_class(belief: float) -> str:
    """CSS class of a belief in tenths (``b0`` red ... ``b10`` green, in evimap.css)."""
    return f"b{round(10 * max(0.0, min(1.0, float(belief))))}"


def basename(path: str) -> str:
    return PurePosixPath(path).name or path


@functools.cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("evimap", "serve/templates"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)
    env.filters.update(belief_class=belief_class, basename=basename,
                       label=lambda s: str(s or "").replace("_", " "),
                       f2=lambda v: "" if v is None else f"{float(v):.2f}",
                       source_links=identifiers.links)
    env.globals["version"] = __version__
    return env


def render(name: str, request: Request, **context: Any) -> str:
    """A page; its forms get the session's CSRF token as ``csrf_token`` (see app.Guard)."""
    token = request.scope.get("state", {}).get("csrf_token", "")
    return _env().get_template(name).render(request=request, csrf_token=token, **context)


def pager(request: Request, page: Page, param: str = "offset") -> dict[str, Any]:
    """Links to the previous and next pages of a listing, keeping the other query
    parameters."""
    def link(offset: int) -> str:
        query = {**request.query_params, param: str(offset)}
        return f"{request.url.path}?{urlencode(query)}"

    end = min(page.offset + page.limit, page.total)
    return {"first": page.offset + 1 if page.total else 0, "last": end, "total": page.total,
            "prev": link(max(0, page.offset - page.limit)) if page.offset > 0 else None,
            "next": link(page.offset + page.limit) if end < page.total else None}
