"""Every setting in one declarative table: name, environment variable, default, help.

The CLI, the Python API and the docs (``evimap settings``) read this table. A value comes from
the command-line flag, then the environment variable, then the default. Paths to data are
settings with a clear error when missing, never hard-coded in the stages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: The repository root when running from a checkout (src/evimap/settings.py -> ../..).
_CHECKOUT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Callable[[], Any]
    help: str
    kind: type = str


def _default_data_dir() -> str:
    return str(_CHECKOUT_ROOT.parent / "shared" / "data")


def _default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "evimap")


SETTINGS: tuple[Setting, ...] = (
    Setting("db", "EVIMAP_DB", lambda: "evimap.duckdb",
            "DuckDB store file (created if missing)."),
    Setting("data_dir", "EVIMAP_DATA_DIR", _default_data_dir,
            "Reference data folder (seeds, BC5CDR, MeSH); in a checkout ../shared/data."),
    Setting("mesh_dir", "EVIMAP_MESH_DIR", lambda: "",
            "MeSH folder with mesh_terms.tsv.gz, mesh_trees.tsv.gz and "
            "mesh_pharmacological_actions.tsv; default DATA_DIR/mesh."),
    Setting("cache_dir", "EVIMAP_CACHE_DIR", _default_cache_dir,
            "Where the compiled lexicon is cached (evimap vocab build)."),
    Setting("ner_model", "EVIMAP_NER_MODEL", lambda: "",
            "Folder of the chemical/disease NER model (bc5cdr-crf.crfsuite, bc5cdr-names.tsv); "
            "empty: the model shipped in the package; none: the MeSH dictionary alone."),
    Setting("extractors", "EVIMAP_EXTRACTORS", lambda: "all",
            "Claim extractors to run, comma-separated (rules, frames, relation, pairs, cid, "
            "study); all: every registered one."),
    Setting("max_file_mb", "EVIMAP_MAX_FILE_MB", lambda: 20.0,
            "Largest single-document file (text, HTML, JATS) read, in MB; record "
            "streams (PubMed XML, PubTator, JSONL) are read record by record.", float),
    Setting("max_decompressed_mb", "EVIMAP_MAX_DECOMPRESSED_MB", lambda: 1024.0,
            "Largest size a gzip-compressed file (.gz) may decompress to, in MB: a bigger "
            "one is refused with an error for that file (a decompression bomb inflates a "
            "few kilobytes to gigabytes).", float),
    Setting("near_dup_threshold", "EVIMAP_NEAR_DUP_THRESHOLD", lambda: 0.7,
            "Jaccard similarity of the word 3-shingles of two sources' main content (title, "
            "abstract, body) from which they are one work (copies edited on both sides).",
            float),
    Setting("near_dup_containment", "EVIMAP_NEAR_DUP_CONTAINMENT", lambda: 0.6,
            "Share of the smaller text's word 3-shingles found in the larger from which two "
            "sources are one work (a truncated mirror, an abstract pasted into a page). On "
            "pages-dev 001-040 copies score 0.83-1.0 and other pairs at most 0.05.", float),
    Setting("near_dup_min_shingles", "EVIMAP_NEAR_DUP_MIN_SHINGLES", lambda: 50,
            "Distinct word 3-shingles (about words) the smaller text needs to be a near copy "
            "at all: shorter texts, like a cookie notice or a title, join only exact copies.",
            int),
    Setting("jobs", "EVIMAP_JOBS", lambda: 1,
            "Worker processes for ingest (1 = in this process).", int),
    Setting("host", "EVIMAP_HOST", lambda: "127.0.0.1",
            "Address `evimap serve` binds to; any address but loopback requires a token."),
    Setting("port", "EVIMAP_PORT", lambda: 8765, "Port `evimap serve` listens on.", int),
    Setting("max_upload_mb", "EVIMAP_MAX_UPLOAD_MB", lambda: 20.0,
            "Largest request body `evimap serve` accepts for an upload (all files "
            "together), in MB.", float),
    Setting("token", "EVIMAP_TOKEN", lambda: "",
            "Access token of `evimap serve`: when set, every request must carry it "
            "(Authorization: Bearer TOKEN or ?token=TOKEN)."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    db: str
    data_dir: str
    mesh_dir: str
    cache_dir: str
    ner_model: str
    extractors: str
    max_file_mb: float
    max_decompressed_mb: float
    near_dup_threshold: float
    near_dup_containment: float
    near_dup_min_shingles: int
    jobs: int
    host: str
    port: int
    max_upload_mb: float
    token: str

    @property
    def mesh_path(self) -> Path:
        """The MeSH folder, checked: raises :class:`ConfigError` naming what is missing."""
        path = Path(self.mesh_dir) if self.mesh_dir else Path(self.data_dir) / "mesh"
        needed = ("mesh_terms.tsv.gz", "mesh_trees.tsv.gz", "mesh_pharmacological_actions.tsv")
        missing = [n for n in needed if not (path / n).is_file()]
        if missing:
            raise ConfigError(
                f"MeSH files not found in {path} (missing {', '.join(missing)}); "
                "point --mesh-dir or EVIMAP_MESH_DIR at a folder holding the MeSH TSVs "
                "(see docs/data.md)"
            )
        return path

    @property
    def extractor_names(self) -> tuple[str, ...] | None:
        """The extractors to run; None for every registered one."""
        names = tuple(n.strip() for n in self.extractors.split(",") if n.strip())
        return None if not names or "all" in names else names

    def data_path(self, *parts: str) -> Path:
        """A path under the data folder, checked to exist."""
        path = Path(self.data_dir).joinpath(*parts)
        if not path.exists():
            raise ConfigError(
                f"data not found: {path}; set --data-dir or EVIMAP_DATA_DIR to the folder "
                "holding the reference data (in a checkout: ../shared/data)"
            )
        return path


def load_settings(**overrides: Any) -> Settings:
    """Resolve every setting: explicit override (not None), then environment, then default."""
    values: dict[str, Any] = {}
    for f in fields(Settings):
        spec = _BY_NAME[f.name]
        value = overrides.get(f.name)
        if value is None:
            raw = os.environ.get(spec.env)
            value = raw if raw not in (None, "") else spec.default()
        try:
            values[f.name] = spec.kind(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"setting {f.name} ({spec.env}) is not a {spec.kind.__name__}: "
                              f"{value!r}") from exc
    return Settings(**values)


def describe() -> list[dict[str, str]]:
    """The settings table for docs and ``evimap settings``."""
    return [{"name": s.name, "env": s.env, "default": str(s.default()), "help": s.help}
            for s in SETTINGS]
