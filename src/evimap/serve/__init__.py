"""Stage 9 (part), serve: one local server with a JSON API and a web UI, both thin layers
over :class:`evimap.api.Evimap` (``evimap serve``)."""

from __future__ import annotations

from .app import check_binding, create_app, serve

__all__ = ["check_binding", "create_app", "serve"]
