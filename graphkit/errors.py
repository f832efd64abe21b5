"""The graphkit error hierarchy.

Every error a user can cause derives from :class:`GraphkitError`; the CLI prints its message on
one line and exits with status 1.
"""

from __future__ import annotations

from pathlib import Path


class GraphkitError(Exception):
    """Base class of all errors graphkit raises on purpose."""


class InputError(GraphkitError):
    """An input file is missing, unreadable or holds invalid data.

    Parameters
    ----------
    message
        What is wrong and, where it helps, what to do about it.
    path
        The file at fault.
    row
        1-based line number in the file (the header is line 1), when known.
    column
        The column at fault, when known.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.row = row
        self.column = column
        self.reason = message
        where = []
        if self.path is not None:
            where.append(self.path)
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


class SchemaError(InputError):
    """A table lacks a required column or has a column of the wrong type."""


class ParameterError(GraphkitError):
    """An algorithm or analysis parameter is out of range or inconsistent."""


class UsageError(ParameterError):
    """Options or arguments that do not go together (INPUT and --demo); the CLI shows it as
    a usage error (exit status 2)."""


class ConvergenceError(GraphkitError):
    """An iterative algorithm did not reach its tolerance within its iteration limit."""


class ResultError(GraphkitError):
    """A result failed a postcondition (a NaN score, a repeated key): a bug in graphkit,
    reported instead of written."""


class MemoryLimitError(GraphkitError):
    """A run would need more memory than the machine has available (an estimate, made before
    reading the input)."""


class MissingDependencyError(GraphkitError):
    """An optional package a feature needs is not installed; the message says how to add it."""


class EngineUnavailableError(GraphkitError, ImportError):
    """An optional engine was asked for but its package is not installed."""


QUOTED_LENGTH = 60
"""Characters of a value that error messages quote; longer values are cut short."""


def quoted(value: object) -> str:
    """A value as error messages quote it: its ``repr``, cut short when long.

    A hostile file can hold a 10 MB cell; the error line names it without printing it whole.

    >>> quoted("heavy")
    "'heavy'"
    >>> quoted("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (100 characters)"
    """
    if isinstance(value, str) and len(value) > QUOTED_LENGTH:
        head = repr(value[:QUOTED_LENGTH])
        return f"{head[:-1]}...{head[-1]} ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= QUOTED_LENGTH + 2 else text[:QUOTED_LENGTH] + "..."
