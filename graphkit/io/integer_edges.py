"""Follows files whose account ids are integers, read as numbers batch by batch for the graph
build that never turns them into text (:mod:`graphkit.graph.streamed`).

A file qualifies when it is Parquet and holds exactly the two id columns (any of their accepted
names), both of an integer type that fits 64-bit signed integers (an unsigned 64-bit column
needs statistics showing so). Its ids index arrays directly when its statistics show them
from 0 to no more than the larger of :data:`MIN_DIRECT_SLOTS` and its number of rows (dense
ids, as crawls number accounts); other ids (platform ids of 64 bits, negative ones) are
numbered through a hash table. Any other file is read as text, as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from graphkit.errors import InputError
from graphkit.io import rules
from graphkit.io.rules import PARQUET_SUFFIXES
from graphkit.io.schema import FOLLOWS

# Ids up to this many are always indexed directly, whatever the number of rows.
MIN_DIRECT_SLOTS: Final = 1 << 22
# Records per piece of a streamed Parquet file, read as text or as numbers.
PARQUET_BATCH_ROWS: Final = 1 << 20


@dataclass(frozen=True)
class IntegerFollows:
    """A follows file of integer ids.

    Attributes
    ----------
    path
        The Parquet file.
    columns
        The file's names of its columns, in the file's order.
    follower_first
        Whether the first column holds the followers.
    rows
        Records in the file.
    slots
        Largest id + 1 when the ids index arrays directly, else 0 (they are hashed).
    identity
        The file's size, modification time, inode and device when it was looked at: a
        reading that ends on another file fails (see :func:`iter_integer_follows`).
    """

    path: Path
    columns: tuple[str, str]
    follower_first: bool
    rows: int
    slots: int
    identity: tuple[int, int, int, int] = (0, 0, 0, 0)

    @property
    def direct(self) -> bool:
        """Whether the ids index arrays directly (dense ids from 0)."""
        return self.slots > 0


def integer_follows(path: Path) -> IntegerFollows | None:
    """The file as :class:`IntegerFollows` if it qualifies (see the module), else ``None``
    (also for a file that cannot be read: the text reading reports why)."""
    if not path.name.lower().endswith(PARQUET_SUFFIXES):
        return None
    try:
        identity = file_identity(path)
        metadata = pq.read_metadata(path)
        schema = metadata.schema.to_arrow_schema()
    except (pa.ArrowException, OSError, UnicodeDecodeError):
        return None
    names = schema.names
    canonical = [FOLLOWS.canonical_name(name) for name in names]
    if sorted(str(name) for name in canonical) != ["followed", "follower"]:
        return None
    if not all(pa.types.is_integer(field.type) for field in schema):
        return None
    rows = metadata.num_rows
    if rows == 0:
        return None
    smallest, largest = _id_range(metadata)
    wide = any(field.type == pa.uint64() for field in schema)
    if wide and (largest is None or largest >= 2**63):
        return None  # unsigned ids that may not fit 64-bit signed integers
    direct = (
        smallest is not None
        and largest is not None
        and smallest >= 0
        and largest + 1 <= max(MIN_DIRECT_SLOTS, rows)
    )
    return IntegerFollows(
        path=path,
        columns=(names[0], names[1]),
        follower_first=canonical[0] == "follower",
        rows=rows,
        slots=largest + 1 if direct and largest is not None else 0,
        identity=identity,
    )


def file_identity(path: Path) -> tuple[int, int, int, int]:
    """Size, modification time (ns), inode and device of ``path``."""
    status = path.stat()
    return status.st_size, status.st_mtime_ns, status.st_ino, status.st_dev


def changed_error(follows: IntegerFollows, what: str) -> InputError:
    """The error for a file that changed between or during its readings."""
    return InputError(f"the file changed while it was read: {what}", path=follows.path)


def _id_range(metadata: pq.FileMetaData) -> tuple[int | None, int | None]:
    """The smallest and largest id the statistics of every row group show (``None`` when
    some row group has none)."""
    smallest: int | None = None
    largest = -1
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        if row_group.num_rows == 0:
            continue
        for column in range(2):
            statistics = row_group.column(column).statistics
            if statistics is None or not statistics.has_min_max:
                return None, None
            low, high = int(statistics.min), int(statistics.max)
            smallest = low if smallest is None else min(smallest, low)
            largest = max(largest, high)
    return smallest, largest


def iter_integer_follows(follows: IntegerFollows) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The followers and followed accounts of each batch of records, as int64 arrays.

    Raises
    ------
    InputError
        For a missing id (naming the row and column), or a file that cannot be read.
    """
    row = 0
    try:
        # The pieces of the streamed text reading, so that ids are met in the same order
        # (which numbers the accounts of equal out-degree).
        batches = streamed_parquet(follows.path).iter_batches(
            batch_size=PARQUET_BATCH_ROWS, columns=list(follows.columns)
        )
        for batch in batches:
            if batch.schema.names != list(follows.columns) or not all(
                pa.types.is_integer(field.type) for field in batch.schema
            ):
                raise changed_error(
                    follows, f"its columns are now {batch.schema}".replace("\n", ", ")
                )
            arrays = []
            for name, column in zip(follows.columns, batch.columns, strict=True):
                if column.null_count:
                    missing = int(
                        np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0]
                    )
                    raise InputError(
                        rules.EMPTY_ID, path=follows.path, row=1 + row + missing, column=name
                    )
                values = column.to_numpy()
                if values.dtype == np.uint64 and values.shape[0] and values.max() >= 2**63:
                    index = int(np.argmax(values >= 2**63))
                    raise InputError(
                        f"account id {int(values[index])} is outside the range the file's "
                        "statistics give (beyond 64-bit signed integers): the file is corrupt "
                        "or was altered",
                        path=follows.path,
                        row=1 + row + index,
                        column=name,
                    )
                arrays.append(values.astype(np.int64, copy=False))
            first, second = arrays
            yield (first, second) if follows.follower_first else (second, first)
            row += batch.num_rows
        if file_identity(follows.path) != follows.identity:
            raise changed_error(follows, "its size, time or inode differ from when it was opened")
    except (pa.ArrowInvalid, pa.ArrowIOError, pa.ArrowNotImplementedError, OSError) as error:
        raise InputError(rules.parquet_problem(error), path=follows.path) from None


def streamed_parquet(path: Path) -> pq.ParquetFile:
    """``path`` opened to be read batch by batch. Without pre-buffering: pyarrow's pre-buffer
    keeps every byte read until the file is closed (measured: the whole compressed file, 8.7
    GB of a 1.47B-record file, held by the end of the first pass)."""
    return pq.ParquetFile(path, pre_buffer=False)


def sampled_accounts(follows: IntegerFollows) -> int:
    """The accounts a file of hashed ids may hold, for a memory estimate: the distinct ids of
    its first batch, as many again for each batch's worth of records (accounts seen early
    come back later, so this errs high), at most two a record."""
    try:
        first = next(iter_integer_follows(follows), None)
    except InputError:
        return 2 * follows.rows  # the reading will say what is wrong
    if first is None:
        return 0
    sample = first[0].shape[0]
    distinct = np.unique(np.concatenate(first)).shape[0]
    return int(min(2 * follows.rows, -(-distinct * follows.rows // max(1, sample))))
