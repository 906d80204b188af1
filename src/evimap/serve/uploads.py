"""Uploaded files into the store: written to a fresh temporary folder (never anywhere else,
never executed), ingested like ``evimap ingest`` does, then deleted. The result reports
each file by the name it was uploaded under, with the same per-file errors as the CLI."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from starlette.datastructures import UploadFile

from ..api import Evimap
from ..errors import EvimapError

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(filename: str | None) -> str:
    """A plain file name from a client's: no folders, no odd characters, no leading dot."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")[:120]
    return name or "upload"


def ingest_uploads(ev: Evimap, files: Sequence[UploadFile]) -> dict[str, Any]:
    """Ingest uploaded files; returns ``files`` (name, status, added, known, errors),
    ``summary`` (as ``evimap ingest --json``) and ``store`` (counts)."""
    if not files:
        raise EvimapError("no files uploaded (send multipart form data with field 'files')")
    folder = Path(tempfile.mkdtemp(prefix="evimap-upload-"))
    try:
        names: dict[str, str] = {}
        for i, upload in enumerate(files):
            dest = folder / str(i) / safe_name(upload.filename)
            dest.parent.mkdir()
            with dest.open("wb") as out:
                shutil.copyfileobj(upload.file, out)
            names[str(dest)] = upload.filename or dest.name
        report = ev.ingest(list(names))
        results = []
        for f in report.files:
            name = names.get(f.path, Path(f.path).name)
            results.append({"name": name, "status": f.status, "added": f.added,
                            "known": f.known,
                            "errors": [e.replace(f.path, name) for e in f.errors]})
        return {"files": results, "summary": report.summary(), "store": ev.store.counts()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
