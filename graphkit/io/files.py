"""Guards every reader passes a path through before reading it: special files are refused
without being opened, and small text files (configs, mappings, id lists) are read within a
byte budget.

A FIFO blocks the process that opens it until something writes to it, and ``/dev/zero`` or
``/dev/urandom`` never end: a reader that opens either hangs or fills memory. Both are refused
from the file's mode, before any ``open``.
"""

from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path
from typing import Final

from graphkit.errors import InputError

CONFIG_BYTES: Final = 1 << 20
"""Largest TOML config or CRM mapping file read (a few lines of settings in practice)."""

_SPECIAL_KINDS: Final = (
    (stat.S_ISFIFO, "is a FIFO (named pipe), not a file"),
    (stat.S_ISCHR, "is a character device, not a file"),
    (stat.S_ISBLK, "is a block device, not a file"),
    (stat.S_ISSOCK, "is a socket, not a file"),
)


def special_file_reason(mode: int) -> str | None:
    """Why a file of this ``st_mode`` cannot be read as data, or None for a regular file or
    folder.

    >>> special_file_reason(stat.S_IFIFO)
    'is a FIFO (named pipe), not a file'
    >>> special_file_reason(stat.S_IFREG) is None
    True
    """
    for is_kind, reason in _SPECIAL_KINDS:
        if is_kind(mode):
            return reason
    return None


def check_regular_file(path: str | Path) -> None:
    """Raise InputError unless ``path`` is a regular file (links followed), without opening it.

    A missing path or a folder is left to the caller, which names those in its own words.

    Raises
    ------
    InputError
        For a FIFO (or pipe), a character or block device, or a socket.

    Examples
    --------
    >>> check_regular_file("/dev/null")
    Traceback (most recent call last):
    ...
    graphkit.errors.InputError: /dev/null: is a character device, not a file
    """
    try:
        mode = Path(path).stat().st_mode
    except (OSError, ValueError):
        return  # missing, a link loop, a NUL in the name: the caller's own checks say so
    reason = special_file_reason(mode)
    if reason is not None:
        raise InputError(reason, path=path)


def read_bounded(path: str | Path, *, limit: int, what: str) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    The file is opened without blocking (a FIFO swapped in after the first check cannot hang
    the read) and checked again by its open handle; at most ``limit + 1`` bytes are read.

    Parameters
    ----------
    path
        The file.
    limit
        The most bytes accepted.
    what
        What the file is, for the error (``config file``).

    Raises
    ------
    InputError
        When the file is missing, unreadable, a folder, a special file, or over ``limit``.
    """
    check_regular_file(path)
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{what} not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", path=path) from None
    except OSError as error:
        raise InputError(f"cannot read file ({error.strerror or error})", path=path) from None
    with os.fdopen(descriptor, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if stat.S_ISDIR(mode):
            raise InputError("is a directory, expected a file", path=path)
        reason = special_file_reason(mode)
        if reason is not None:
            raise InputError(reason, path=path)
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise InputError(f"cannot read file ({error.strerror or error})", path=path) from None
    if len(data) > limit:
        raise InputError(f"larger than {size_text(limit)}: too large for a {what}", path=path)
    return data


def read_small_text(
    path: str | Path, *, limit: int = CONFIG_BYTES, what: str = "file", gzipped: bool = False
) -> str:
    """The UTF-8 text of a small file (a byte-order mark dropped), read within ``limit`` bytes.

    Parameters
    ----------
    path
        The file.
    limit
        The most bytes accepted (default 1 MiB), of text after decompression too.
    what
        What the file is, for errors (``config file``, ``mapping file``).
    gzipped
        Whether the file is gzip-compressed; its text is decompressed within ``limit``.

    Raises
    ------
    InputError
        As :func:`read_bounded`, and for text that is not UTF-8 (naming the line).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "weights.toml"
    >>> _ = path.write_text("half_life = '30d'\\n")
    >>> read_small_text(path, what="config file")
    "half_life = '30d'\\n"
    >>> read_small_text(path, limit=4, what="config file")
    Traceback (most recent call last):
    ...
    graphkit.errors.InputError: ...weights.toml: larger than 4 bytes: too large for a config file
    """
    data = read_bounded(path, limit=limit, what=what)
    if gzipped:
        data = _gunzip(data, path, limit=limit, what=what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError("not UTF-8 text; re-save the file as UTF-8", path=path, row=line) from None


def _gunzip(data: bytes, path: str | Path, *, limit: int, what: str) -> bytes:
    """The text of gzip ``data``, refused once it passes ``limit`` bytes (a gzip bomb stops
    there instead of filling memory)."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    text = bytearray()
    try:
        while data:
            text += decompressor.decompress(data, limit + 1 - len(text))
            if len(text) > limit:
                raise InputError(
                    f"larger than {size_text(limit)} uncompressed: too large for a {what}",
                    path=path,
                )
            if decompressor.eof:  # a file of several gzip members goes on with the next
                data = decompressor.unused_data
                if data:
                    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
            else:
                data = decompressor.unconsumed_tail
    except zlib.error:
        raise InputError("truncated or corrupt gzip file", path=path) from None
    if not decompressor.eof and text:
        raise InputError("truncated or corrupt gzip file", path=path)
    return bytes(text)


def size_text(size: int) -> str:
    """A byte budget as people write it: ``1 MiB``, ``256 MiB``, ``4 bytes``.

    >>> size_text(1 << 20), size_text(3 << 30), size_text(1536), size_text(10**9)
    ('1 MiB', '3 GiB', '1.5 KiB', '953.7 MiB')
    """
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"
