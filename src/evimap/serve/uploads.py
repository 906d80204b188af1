"""Uploaded files into the store: written to a fresh temporary folder (never anywhere else,
never executed), ingested like ``evimap ingest`` does, then deleted. The documents are
stored under the name each file was uploaded with (``documents.path``, ``files.path``),
never the temporary path, and the result reports each file by that name, with the same
per-file errors as the CLI."""

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
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def safe_name(filename: str | None) -> str:
    """A plain file name from a client's: no folders, no odd characters, no leading dot."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")[:120]
    return name or "upload"


def stored_name(filename: str | None) -> str:
    """The name an upload is stored under: the client's file name without its folders or
    control characters (the UI shows it escaped, as every path)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name).strip()[:200]
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
        with ev.store.writing():
            report = ev.ingest(list(names))
            _rename(ev, {tmp: stored_name(name) for tmp, name in names.items()})
        results = []
        for f in report.files:
            name = names.get(f.path, Path(f.path).name)
            results.append({"name": name, "status": f.status, "added": f.added,
                            "known": f.known,
                            "errors": [e.replace(f.path, name) for e in f.errors]})
        return {"files": results, "summary": report.summary(), "store": ev.store.counts()}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _rename(ev: Evimap, names: dict[str, str]) -> None:
    """Store what came from each temporary path under its upload name, in one transaction:
    every table's ``path`` (documents and what is derived from them), the other paths of
    a document already stored, and the files row, the only one of its name (the latest
    upload of a name is its current content)."""
    con = ev.store.con
    tables = [r[0] for r in con.execute(
        "SELECT c.table_name FROM information_schema.columns c JOIN information_schema.tables t"
        " ON t.table_name = c.table_name AND t.table_schema = c.table_schema WHERE "
        "c.column_name = 'path' AND c.table_schema = 'main' AND t.table_type = 'BASE TABLE' "
        "AND c.table_name NOT IN ('files', 'document_paths') ORDER BY 1").fetchall()]
    with ev.store.transaction():
        for tmp, name in names.items():
            for table in tables:
                con.execute(f'UPDATE "{table}" SET path = ? WHERE path = ?', [name, tmp])
            con.execute("INSERT INTO document_paths SELECT DISTINCT p.doc_id, ? FROM "
                        "document_paths p WHERE p.path = ? AND NOT EXISTS (SELECT 1 FROM "
                        "document_paths q WHERE q.doc_id = p.doc_id AND q.path = ?) AND NOT "
                        "EXISTS (SELECT 1 FROM documents d WHERE d.id = p.doc_id AND d.path = ?)",
                        [name, tmp, name, name])
            con.execute("DELETE FROM document_paths WHERE path = ?", [tmp])
            found = con.execute("SELECT count(*) FROM files WHERE path = ?", [tmp]).fetchone()
            if found and found[0]:
                con.execute("DELETE FROM files WHERE path = ?", [name])
                con.execute("INSERT INTO files (path, sha256, size, status, error, n_docs, "
                            "ingested_at) SELECT ?, sha256, size, status, replace(error, ?, ?), "
                            "n_docs, ingested_at FROM files WHERE path = ?",
                            [name, tmp, name, tmp])
                con.execute("DELETE FROM files WHERE path = ?", [tmp])
