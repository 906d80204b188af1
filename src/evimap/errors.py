"""The few exception classes evimap raises.

Every error a user can cause is an :class:`EvimapError`; the CLI turns it into a one-line
message and a non-zero exit status in one place (``cli.main``), never a traceback.
"""

from __future__ import annotations


class EvimapError(Exception):
    """Base class: something the user can fix (a path, a setting, an input file)."""


class ConfigError(EvimapError):
    """A setting is wrong or a data file it points to is missing."""


class NotFoundError(EvimapError):
    """What the user asked for (a document, a statement, a concept) is not in the store."""


class InputError(EvimapError):
    """One input file (or one record in it) cannot be read.

    The batch goes on without it; the message names the file and the reason.
    """

    def __init__(self, path: str, reason: str) -> None:
        reason = " ".join(reason.split())   # one line: a parser's message may hold breaks
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class StoreError(EvimapError):
    """The DuckDB store is missing, locked, or of an unsupported schema version."""


class ProcessingError(InputError):
    """A stage failed on one record (a bug, not the input's fault): the record is skipped,
    the message names it, the stage and the reason, and the batch goes on."""

    def __init__(self, path: str, stage: str, cause: BaseException) -> None:
        detail = " ".join(str(cause).split())[:200]
        super().__init__(path, f"the {stage} stage failed on this record "
                               f"({type(cause).__name__}: {detail}); record skipped")
        self.stage = stage


class StoreLocked(StoreError):
    """Another process holds the store (DuckDB: one process writing, or any number reading):
    ``holder`` names it (``evimap serve (PID 12)``), ``readers_only`` says whether it only
    reads (then this process may read too)."""

    def __init__(self, path: str, holder: str, readers_only: bool) -> None:
        how = "for reading" if readers_only else "for writing"
        super().__init__(f"the store {path} is open {how} in another process ({holder})")
        self.path = path
        self.holder = holder
        self.readers_only = readers_only
