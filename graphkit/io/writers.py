"""Atomic writers: every output is written to an unnamed or temporary file and named only when
complete, so an interrupted run never leaves a partial file behind.

An output that is a symbolic link is written through: the new content replaces the link's
target (atomically, beside it) and the link stays. A failed write (a full disk, a read-only
folder, a name the file system refuses) is an :class:`~graphkit.errors.InputError` naming the
file, and leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Final

import polars as pl

from graphkit.errors import InputError
from graphkit.io.files import special_file_reason

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
            except OSError as error:
                if error.errno in _REFUSALS:
                    raise write_error(error, self.directory / name) from None
                self._descriptor = None  # a file system without O_TMPFILE
        if self._descriptor is not None:
            os.fchmod(self._descriptor, 0o644)
            self.path = Path(f"/proc/self/fd/{self._descriptor}")
        else:
            try:
                descriptor, temporary_name = tempfile.mkstemp(
                    prefix=_TEMPORARY_PREFIX, suffix=".tmp", dir=self.directory
                )
            except OSError as error:
                raise write_error(error, self.directory / name) from None
            os.close(descriptor)
            self._temporary = Path(temporary_name)
            self.path = self._temporary

    def commit(self, target: str | Path) -> Path:
        """Give the finished file its name ``target`` (replacing any file there; a symbolic
        link is written through, see the module docstring).

        Raises
        ------
        InputError
            When the file system refuses the name or the rename.
        """
        target = Path(target)
        final = write_target(target)
        try:
            if self._descriptor is not None:
                # A short name of graphkit's own: the target's name may be the longest allowed.
                temporary = final.parent / f"{_TEMPORARY_PREFIX}{secrets.token_hex(8)}.tmp"
                if _linkat is None or _linkat(str(self.path), str(temporary)) != 0:
                    number = ctypes.get_errno()
                    raise OSError(number, os.strerror(number))
                os.close(self._descriptor)
                self._descriptor = None
                try:
                    temporary.replace(final)
                except OSError:
                    temporary.unlink(missing_ok=True)
                    raise
            elif self._temporary is not None:
                self._temporary.chmod(0o644)
                self._temporary.replace(final)
                self._temporary = None
        except OSError as error:
            raise write_error(error, target) from None
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
    pending = PendingFile(write_target(target).parent, target.name)
    try:
        try:
            yield pending.path
        except OSError as error:  # a full disk, a quota
            raise write_error(error, target) from None
        pending.commit(target)
    finally:
        pending.discard()


_TEMPORARY_PREFIX: Final = ".graphkit-"
# Errors that say the folder cannot take a file at all (not that O_TMPFILE is unsupported).
_REFUSALS: Final = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT})
_REASONS: Final = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EISDIR: "is a folder",
}


def write_error(error: OSError, path: str | Path) -> InputError:
    """The one-line error for a failed write of ``path``."""
    reason = _REASONS.get(error.errno or 0) or error.strerror or str(error)
    return InputError(f"cannot write the file: {reason}", path=path)


def write_target(path: str | Path) -> Path:
    """The file a write of ``path`` replaces: ``path``, or the file a symbolic link points to."""
    target = Path(path)
    try:
        link = target.is_symlink()
    except OSError:  # a name too long to look up is reported when it is written
        link = False
    return Path(os.path.realpath(target)) if link else target


def check_output_names(paths: Iterable[str | Path]) -> None:
    """Raise InputError unless each of ``paths`` can be created: its folder exists and is
    writable and its name fits the file system (checked before long work, and before the
    first of several files is written, so that none is).
    """
    for path in paths:
        _check_not_special(Path(path))
        target = write_target(path)
        folder = target.parent if str(target.parent) else Path()
        if not folder.is_dir():
            raise InputError("output folder does not exist", path=folder)
        try:
            limit = os.pathconf(folder, "PC_NAME_MAX")
        except (OSError, ValueError):
            limit = 255
        if len(os.fsencode(target.name)) > limit:
            raise InputError(
                f"cannot write the file: the file name is too long ({limit} bytes at most)",
                path=path,
            )
        if target.is_dir():
            raise InputError("cannot write the file: is a folder", path=path)
        if not os.access(folder, os.W_OK | os.X_OK):
            raise InputError("cannot write the file: permission denied", path=path)


def _check_not_special(path: Path) -> None:
    """An output must not be a link loop or a device, FIFO or socket: the atomic rename would
    put a plain file in its place (as root, ``-o /dev/null`` would replace the system's)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return  # a new file, or a link to one: written through
    except (OSError, RuntimeError, ValueError) as error:
        if getattr(error, "errno", None) == errno.ELOOP or isinstance(error, RuntimeError):
            raise InputError("cannot write the file: symbolic link loop", path=path) from None
        return  # a name too long and the like: reported when it is written
    reason = special_file_reason(mode)
    if reason is not None:
        raise InputError(
            f"cannot write the file: {reason}; leave out -o to write to standard output",
            path=path,
        )


def check_not_input(outputs: Iterable[str | Path], inputs: Iterable[str | Path]) -> None:
    """Raise InputError when an output would replace an input of the same run.

    Paths are compared as the files they are (device and inode, through links), and as
    resolved paths where a file does not exist yet.
    """
    sources = [Path(source) for source in inputs]
    for output in outputs:
        target = Path(output)
        for source in sources:
            if _same_file(target, source):
                also = "" if str(source) == str(output) else f" ({source})"
                raise InputError(
                    f"is also an input of this command{also}; write the output elsewhere",
                    path=output,
                )


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except (OSError, RuntimeError):  # one of them does not exist
        try:
            return first.resolve() == second.resolve()
        except (OSError, RuntimeError):  # a link loop is no input
            return False


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


def _link_or_copy(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)
    except OSError:
        shutil.copy2(source, destination)


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
        others = [
            path
            for path in existing
            if not (path.is_file() and path.name.split(".", 1)[0].lower() in DATASET_TABLES)
        ]
        if not target.exists():
            staging.chmod(0o755)
            staging.replace(target)
        elif all(path.is_file() for path in others):
            # All or nothing: the new folder is complete (the other files linked in) before
            # it takes the old one's place; a kill between the two renames leaves the old
            # folder whole under its hidden name.
            for path in others:
                _link_or_copy(path, staging / path.name)
            staging.chmod(target.stat().st_mode & 0o7777)
            retired = Path(
                tempfile.mkdtemp(prefix=f".{target.name}.old-", suffix=".tmp", dir=parent)
            )
            retired.rmdir()
            target.rename(retired)
            staging.rename(target)
            shutil.rmtree(retired, ignore_errors=True)
        else:  # sub-folders stay where they are: the tables are replaced one by one
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
