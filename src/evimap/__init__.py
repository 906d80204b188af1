"""evimap: evidence maps from messy health literature.

>>> from evimap import Evimap                       # doctest: +SKIP
>>> ev = Evimap("evimap.duckdb", read_only=True)     # beside a running `evimap serve`
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Evimap", "__version__"]

if TYPE_CHECKING:
    from .api import Evimap


def __getattr__(name: str) -> Any:
    # the library API is imported when first asked for: `import evimap` stays light
    if name == "Evimap":
        from .api import Evimap
        return Evimap
    raise AttributeError(f"module 'evimap' has no attribute {name!r}")
