"""How a process opens the store beside others. DuckDB lets one process write a file, or any
number of processes read it: a connection is refused ("Conflicting lock") while another
process holds a lock that conflicts with it. Here that refusal is retried for a while (a
server's upload takes seconds) and then becomes a :class:`~evimap.errors.StoreLocked` that
names the process holding the store."""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from ..errors import StoreLocked

_LOCK_RE = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
#: Seconds between two attempts while the store is locked.
RETRY_EVERY = 0.05


def connect(path: Path, *, read_only: bool, wait: float = 0.0) -> duckdb.DuckDBPyConnection:
    """A connection to ``path``; while another process holds a conflicting lock, tried again
    for up to ``wait`` seconds, then :class:`StoreLocked`."""
    deadline = time.monotonic() + wait
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            locked = locked_error(exc, path)
            if locked is None:
                raise
            if time.monotonic() >= deadline:
                raise locked from exc
            time.sleep(RETRY_EVERY)


def locked_error(exc: BaseException, path: Path) -> StoreLocked | None:
    """The :class:`StoreLocked` a DuckDB lock conflict means, or None for another error."""
    text = str(exc)
    match = _LOCK_RE.search(text)
    if match is None:
        return None
    # DuckDB adds this hint only when the holder has the file open read-only
    readers_only = "read-only mode" in text
    return StoreLocked(str(path), holder(int(match["pid"]), match["program"]), readers_only)


def holder(pid: int, program: str = "") -> str:
    """A process in words: ``evimap serve (PID 12)``, ``python3.11 (PID 12)``."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        words = [Path(a.decode("utf-8", "replace")).name for a in argv if a]
    except OSError:
        words = []
    name = Path(program).name or "a process"
    if "evimap" in words or "evimap.cli" in words:
        after = words[words.index("evimap.cli" if "evimap.cli" in words else "evimap") + 1:]
        command = "serve" if "serve" in after else next(
            (w for w in after if not w.startswith("-") and "." not in w), "")
        name = f"evimap {command}".strip()
    return f"{name}, PID {pid}"
