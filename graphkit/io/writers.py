"""Atomic writers: every output is written to a temporary file beside the target and renamed
into place, so an interrupted run never leaves a partial file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import polars as pl

from graphkit.errors import InputError

FORMATS: Final = ("csv", "parquet", "json", "ndjson")
_SUFFIX_FORMATS: Final = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


def format_for(path: str | Path, explicit: str | None = None) -> str:
    """Return the output format named explicitly or implied by the file suffix.

    Raises
    ------
    InputError
        When neither names a supported format.
    """
    if explicit is not None:
        if explicit not in FORMATS:
            raise InputError(f"unknown output format {explicit!r}; use {', '.join(FORMATS)}")
        return explicit
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIX_FORMATS:
        raise InputError(
            f"cannot tell the output format from the suffix {suffix or '(none)'!r}; use "
            ".csv, .parquet, .json or .ndjson, or --format",
            path=path,
        )
    return _SUFFIX_FORMATS[suffix]


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` only on success."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path()
    if not directory.is_dir():
        raise InputError("output folder does not exist", path=directory)
    descriptor, temporary_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=directory
    )
    os.close(descriptor)
    temporary = Path(temporary_name)
    try:
        yield temporary
        temporary.chmod(0o644)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


def write_frame(frame: pl.DataFrame, path: str | Path, *, file_format: str | None = None) -> Path:
    """Write ``frame`` to ``path`` atomically in the format of its suffix (or ``file_format``).

    Parameters
    ----------
    frame
        The table to write.
    path
        Target file; its suffix picks the format unless ``file_format`` is given.
    file_format
        One of ``csv``, ``parquet``, ``json`` (an array of objects) or ``ndjson``.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    chosen = format_for(path, file_format)
    with atomic_path(path) as temporary:
        if chosen == "csv":
            frame.write_csv(temporary)
        elif chosen == "parquet":
            frame.write_parquet(temporary)
        elif chosen == "json":
            frame.write_json(temporary)
        else:
            frame.write_ndjson(temporary)
    return Path(path)
