"""Atomic writers: every output is written to an unnamed or temporary file and named only when
complete, so an interrupted run never leaves a partial file behind."""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Final

import polars as pl

from graphkit.errors import InputError

FORMATS: Final = ("csv", "parquet", "json", "ndjson")
DATASET_TABLES: Final = ("accounts", "follows", "interactions", "identities")
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


class PendingFile:
    """A file being written in ``directory`` that nobody sees until :meth:`commit`.

    On Linux the data goes to an unnamed file (``O_TMPFILE``) that is given its name only when
    complete, so even a process killed with SIGKILL leaves nothing behind; elsewhere it goes
    to a hidden temporary file beside the target, renamed on commit and removed on
    :meth:`discard`. Write to :attr:`path` (any writer that opens a path works).

    Parameters
    ----------
    directory
        Folder of the final file (the rename must stay on one file system).
    name
        Name of the final file, used for the hidden temporary file.
    """

    def __init__(self, directory: str | Path, name: str) -> None:
        self.directory = Path(directory) if str(directory) else Path()
        if not self.directory.is_dir():
            raise InputError("output folder does not exist", path=self.directory)
        self.name = name
        self._descriptor: int | None = None
        self._temporary: Path | None = None
        anonymous = getattr(os, "O_TMPFILE", 0)
        if anonymous and _linkat is not None:
            try:
                self._descriptor = os.open(self.directory, anonymous | os.O_WRONLY, 0o644)
            except OSError:  # file system without O_TMPFILE
                self._descriptor = None
        if self._descriptor is not None:
            os.fchmod(self._descriptor, 0o644)
            self.path = Path(f"/proc/self/fd/{self._descriptor}")
        else:
            descriptor, temporary_name = tempfile.mkstemp(
                prefix=f".{name}.", suffix=".tmp", dir=self.directory
            )
            os.close(descriptor)
            self._temporary = Path(temporary_name)
            self.path = self._temporary

    def commit(self, target: str | Path) -> Path:
        """Give the finished file its name ``target`` (replacing any file there)."""
        target = Path(target)
        if self._descriptor is not None:
            temporary = self.directory / f".{target.name}.{os.getpid()}.{id(self)}.tmp"
            if _linkat is None or _linkat(str(self.path), str(temporary)) != 0:
                raise OSError(ctypes.get_errno(), f"cannot name {target}")
            os.close(self._descriptor)
            self._descriptor = None
            temporary.replace(target)
        elif self._temporary is not None:
            self._temporary.chmod(0o644)
            self._temporary.replace(target)
            self._temporary = None
        return target

    def discard(self) -> None:
        """Drop the file."""
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None


def _load_linkat() -> Callable[[str, str], int] | None:
    """linkat(2) following the /proc/self/fd link, which os.link cannot do, or None."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        linkat = libc.linkat
    except (OSError, AttributeError):
        return None
    at_fdcwd, at_symlink_follow = -100, 0x400

    def link(source: str, target: str) -> int:
        return int(linkat(at_fdcwd, source.encode(), at_fdcwd, target.encode(), at_symlink_follow))

    return link


_linkat = _load_linkat()


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a path to write ``path``'s content to; it appears at ``path`` only on success."""
    target = Path(path)
    pending = PendingFile(target.parent, target.name)
    try:
        yield pending.path
        pending.commit(target)
    finally:
        pending.discard()


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


def check_dataset_folder(folder: str | Path, *, replace: bool = False) -> None:
    """Raise InputError unless :func:`write_dataset` may write ``folder`` (checked before
    long work, so that it fails at once)."""
    target = Path(folder)
    parent = target.parent if str(target.parent) else Path()
    if not parent.is_dir():
        raise InputError("output folder's parent does not exist", path=parent)
    if target.exists() and not target.is_dir():
        raise InputError("exists and is not a folder", path=target)
    if target.is_dir() and any(target.iterdir()) and not replace:
        raise InputError(
            "folder exists and is not empty; give --force to replace its tables", path=target
        )


def write_dataset(
    tables: dict[str, pl.DataFrame],
    folder: str | Path,
    *,
    file_format: str = "csv",
    replace: bool = False,
) -> list[Path]:
    """Write tables as a dataset folder (``accounts.csv``, ``follows.csv``, ...), atomically.

    The tables are written into a temporary folder beside ``folder``, which then takes its
    place; an interrupted run leaves no partial dataset.

    Parameters
    ----------
    tables
        Frames by table name (``accounts``, ``follows``, ``interactions``, ``identities``).
    folder
        The dataset folder; it must not exist or be empty, unless ``replace``.
    file_format
        ``csv`` or ``parquet``.
    replace
        Replace the table files of an existing dataset folder (its other files stay).

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    InputError
        When the folder holds files and ``replace`` is not set, or its parent is missing.
    """
    if file_format not in ("csv", "parquet"):
        raise InputError(f"unknown dataset format {file_format!r}; use csv or parquet")
    check_dataset_folder(folder, replace=replace)
    target = Path(folder)
    parent = target.parent if str(target.parent) else Path()
    existing = sorted(target.iterdir()) if target.is_dir() else []
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    try:
        for name, frame in tables.items():
            path = staging / f"{name}.{file_format}"
            if file_format == "csv":
                frame.write_csv(path)
            else:
                frame.write_parquet(path)
            path.chmod(0o644)
        if not target.exists():
            staging.chmod(0o755)
            staging.replace(target)
        else:
            for path in existing:  # the old tables, in any format
                if path.is_file() and path.name.split(".", 1)[0].lower() in DATASET_TABLES:
                    path.unlink()
            for path in sorted(staging.iterdir()):
                path.replace(target / path.name)
    finally:
        if staging.exists():
            for path in staging.iterdir():
                path.unlink()
            staging.rmdir()
    return [target / f"{name}.{file_format}" for name in tables]
