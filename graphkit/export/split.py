"""RFC 4180 CSV files split into parts that respect an importer's row and byte limits."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import polars as pl

from graphkit.errors import ParameterError
from graphkit.io.writers import PendingFile, write_error

CHUNK_ROWS: Final = 200_000  # rows encoded at once: bounds memory on large exports
CRLF: Final = "\r\n"  # RFC 4180, section 2.1


@dataclass
class Part:
    """One file of a split CSV export, written but not yet named.

    Attributes
    ----------
    pending
        The unnamed file.
    rows
        Data rows (header excluded).
    size
        Bytes, header included.
    sha256
        Hex digest of the content.
    """

    pending: PendingFile
    rows: int = 0
    size: int = 0
    _digest: hashlib._Hash = field(default_factory=hashlib.sha256, repr=False)

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of what was written."""
        return self._digest.hexdigest()


def row_ends(body: bytes) -> np.ndarray:
    r"""Offsets just past the end of each CSV record in ``body`` (RFC 4180 quoting).

    A line feed ends a record unless it lies inside a quoted field, that is unless an odd
    number of double quotes precedes it (doubled quotes inside a field count twice).

    Examples
    --------
    >>> row_ends(b'a,1\r\n"x\ny",2\r\n"q""x",3\r\n').tolist()
    [5, 14, 24]
    """
    data = np.frombuffer(body, dtype=np.uint8)
    quotes = np.flatnonzero(data == ord('"'))
    line_feeds = np.flatnonzero(data == ord("\n"))
    quotes_before = np.searchsorted(quotes, line_feeds)
    ends: np.ndarray = line_feeds[quotes_before % 2 == 0] + 1
    return ends


def write_csv_parts(
    frame: pl.DataFrame,
    directory: Path,
    name: str,
    *,
    max_rows: int,
    max_bytes: int,
    max_record_bytes: int | None = None,
    label: str = "",
) -> list[Part]:
    """Write ``frame`` as CSV files of at most ``max_rows`` data rows and ``max_bytes`` bytes.

    Each part repeats the header. The parts are unnamed files in ``directory`` until the
    caller commits them, so nothing is visible if writing fails or the process dies.

    Parameters
    ----------
    frame
        Table whose columns are already the target's headers and whose values are text,
        numbers or null.
    directory
        Folder of the final files.
    name
        Name hint for temporary files.
    max_rows, max_bytes
        Limits per part; the header counts towards ``max_bytes``.
    max_record_bytes
        Largest record the target accepts, when it limits it.
    label
        What the rows are (``contacts``), for the error messages.

    Returns
    -------
    list of Part
        At least one part (a header-only file for an empty frame).

    Raises
    ------
    ParameterError
        When one record is larger than the target accepts.
    """
    header = frame.head(0).write_csv(line_terminator=CRLF).encode("utf-8")
    if len(header) >= max_bytes:
        raise ParameterError(
            f"the {label + ' ' if label else ''}header alone ({len(header):,} bytes) exceeds "
            f"the {max_bytes:,} bytes a file may take"
        )
    parts: list[Part] = []
    try:
        current = _new_part(directory, name, header)
        parts.append(current)
        first_row = 0
        for body, ends in _encoded_chunks(frame):
            sizes = np.diff(ends, prepend=0)
            limit = max_bytes - len(header)
            if max_record_bytes is not None:
                limit = min(limit, max_record_bytes)
            too_large = np.flatnonzero(sizes > limit)
            if too_large.size:
                row = first_row + int(too_large[0]) + 1
                what = f"{label} row" if label else "row"
                raise ParameterError(
                    f"{what} {row:,} takes {int(sizes[too_large[0]]):,} bytes, more than the "
                    f"{limit:,} one record may take in this import; leave long columns out "
                    "with a mapping file"
                )
            start = 0
            while start < ends.shape[0]:
                room_rows = max_rows - current.rows
                room_bytes = max_bytes - current.size
                offset = ends[start - 1] if start else 0
                fit = int(np.searchsorted(ends, offset + room_bytes, side="right")) - start
                count = min(room_rows, fit, ends.shape[0] - start)
                if count <= 0:
                    current = _new_part(directory, name, header)
                    parts.append(current)
                    continue
                _append(current, body[offset : ends[start + count - 1]], count)
                start += count
            first_row += ends.shape[0]
    except BaseException as error:
        for part in parts:
            part.pending.discard()
        if isinstance(error, OSError):  # a full disk, a quota
            raise write_error(error, directory / name) from None
        raise
    return parts


def _encoded_chunks(frame: pl.DataFrame) -> Iterator[tuple[bytes, np.ndarray]]:
    for offset in range(0, frame.height, CHUNK_ROWS):
        chunk = frame.slice(offset, CHUNK_ROWS)
        body = chunk.write_csv(include_header=False, line_terminator=CRLF).encode("utf-8")
        ends = row_ends(body)
        if ends.shape[0] != chunk.height:  # the quoting rule above would be wrong
            raise AssertionError(f"found {ends.shape[0]} CSV records for {chunk.height} rows")
        yield body, ends


def _new_part(directory: Path, name: str, header: bytes) -> Part:
    part = Part(PendingFile(directory, name))
    part.pending.path.write_bytes(b"")
    _append(part, header, 0)
    return part


def _append(part: Part, data: bytes, rows: int) -> None:
    with part.pending.path.open("ab") as handle:
        handle.write(data)
    part._digest.update(data)
    part.rows += rows
    part.size += len(data)
