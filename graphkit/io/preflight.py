"""Preflight: estimate the memory a run needs from its input files, before reading them.

A run that outgrows the machine should stop at once with a clear line, not after minutes of
reading, killed by the kernel's out-of-memory killer. The estimate comes from the sizes of the
files and the row counts they imply (read from a Parquet footer, or from the length of the lines
at the head of a text file), times the peak memory per record measured for graphkit's local
engine on the benchmark graphs (see ``benchmarks/results/``), rounded up:

- reading a follows CSV whole, ``graphkit rank`` peaks at about 135 bytes per record (1.35 GB
  at 10M records, a 240 MB file; 144 bytes at 2M records); interactions, with their types and
  timestamps, at about 300 bytes per record (2M records);
- streaming (files of 1 GiB or more), about 56-60 bytes per follow record (5.6 GiB at 100M);
- a follows file of integer ids alone (Parquet), built in two passes: about 7 bytes per
  record, 28 per id up to the largest and 200 per account;
- an accounts file at about 6 times its size in text;
- the interpreter and libraries about 270 MB before any data;
- communities by Leiden copy the graph into igraph: about 120 bytes more per record;
- a platform export (X, LinkedIn, Mastodon) at about 10 times the uncompressed size of the
  files its reader reads, as its archive declares them (measured 5.3 for an X archive of
  300,000 followers and 60,000 posts: JSON parsed into Python objects).

A gzip file's text is measured, not inferred from its first megabyte: a file whose head
compresses poorly and whose rest compresses a thousandfold would otherwise pass as small.

It is an estimate, deliberately on the high side; ``--no-memory-check`` skips it.
"""

from __future__ import annotations

import math
import os
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.parquet as pq

from graphkit.errors import MemoryLimitError
from graphkit.io.integer_edges import integer_follows, sampled_accounts
from graphkit.io.platforms.read import export_data_bytes
from graphkit.io.readers import PARQUET_SUFFIXES, STREAM_MIN_BYTES, find_tables

BASE_BYTES: Final = 512 << 20
"""The interpreter, numba, pyarrow and polars, before any data: 295 MiB measured for a
three-row input, 410 MiB on the first run after installing, when numba compiles the kernels
(and up to 450 MiB with more of them compiled)."""
BYTES_PER_RECORD: Final = {"follows": 150, "interactions": 320}
"""Peak bytes per record of a file read whole (measured 135-144 and 304)."""
STREAMED_BYTES_PER_RECORD: Final = {"follows": 64, "interactions": 140}
"""Peak bytes per record of a streamed file (measured 56 for follows at 100M records)."""
INTEGER_BYTES_PER_RECORD: Final = 7
INTEGER_BYTES_PER_SLOT: Final = 28
INTEGER_BYTES_PER_ACCOUNT: Final = 200
"""Peak bytes of a follows file of integer ids built in two passes
(:mod:`graphkit.graph.streamed`): per record, 4 bytes for the edge's source and 2 for its row
within a PageRank block; per id slot (largest id + 1; for hashed ids, three an account: the
table and its counts), the first pass's counts; per account (at most one a slot, two a record;
for hashed ids, extrapolated from the first batch's), the graph's arrays and the solver's
(Anderson mixing keeps 14 vectors). Measured: 16.5 GiB at 1.47B records and 41.5M accounts
(estimated 19.8 GB), 1.74 GB at 100M and 2.84M, 0.74 GB at 10M and 0.97M."""
BYTES_PER_TEXT_BYTE: Final = {"accounts": 6.0, "identities": 6.0, "export": 10.0}
"""Peak bytes per byte of text of the attribute tables (measured 5.6 for accounts) and of the
data files of a platform export (measured 5.3)."""
_SAMPLE_BYTES: Final = 1 << 20
_LINE_BREAK: Final = re.compile(rb"\r\n|\r|\n")
# Where the kernel says how much memory is left (module attributes, so tests can point them
# at files of their own).
MEMINFO = Path("/proc/meminfo")
CGROUP = Path("/proc/self/cgroup")
CGROUP_ROOT = Path("/sys/fs/cgroup")
_UNLIMITED: Final = 1 << 60  # cgroup v1 writes "no limit" as a number near 2**63


@dataclass(frozen=True)
class TableEstimate:
    """What one input file is expected to cost.

    Attributes
    ----------
    table
        ``follows``, ``interactions``, ``accounts`` or ``identities``.
    path
        The file.
    rows
        Rows counted (Parquet) or estimated from the file's size and line lengths.
    streamed
        Whether the file will be read piece by piece.
    bytes
        Estimated peak memory for this table.
    """

    table: str
    path: Path
    rows: int
    streamed: bool
    bytes: int


@dataclass(frozen=True)
class MemoryEstimate:
    """The estimated peak memory of a run: the libraries plus each input table.

    Attributes
    ----------
    tables
        One estimate per input file.
    extra_bytes_per_record
        What the analysis adds per follow or interaction record.
    """

    tables: tuple[TableEstimate, ...] = ()
    extra_bytes_per_record: float = 0.0
    base_bytes: int = field(default=BASE_BYTES)

    @property
    def records(self) -> int:
        """Follow and interaction records, estimated."""
        return sum(t.rows for t in self.tables if t.table in ("follows", "interactions"))

    @property
    def bytes(self) -> int:
        """Estimated peak memory of the run, in bytes."""
        tables = sum(t.bytes for t in self.tables)
        return int(self.base_bytes + tables + self.extra_bytes_per_record * self.records)


def estimate_rows(path: str | Path) -> int:
    """Estimate the rows of a table file without parsing it.

    Parquet files give their row count; for text files (CSV, edge lists, NDJSON) the size is
    divided by the mean length of the lines in the first megabyte. A gzip file's lines are
    counted as it is decompressed (in pieces, so in little memory), up to the memory
    available: its head tells nothing reliable about the rest.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "follows.csv").write_text("follower,followed\\n" + "a,b\\n" * 999)
    >>> estimate_rows(folder / "follows.csv")
    1000
    """
    return _measure(Path(path)).rows


@dataclass(frozen=True)
class _Text:
    """What a table file holds: its rows (estimated or counted) and bytes of text; ``complete``
    is False where counting a gzip file stopped, past the memory available."""

    rows: int
    text_bytes: int
    complete: bool = True


def _measure(path: Path, stop_at: int | None = None) -> _Text:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(PARQUET_SUFFIXES):
        try:
            return _Text(int(pq.ParquetFile(path).metadata.num_rows), 0)
        except (pa.ArrowInvalid, OSError):
            return _Text(0, 0)  # the reader names what is wrong with it
    if path.name.lower().endswith(".gz"):
        return _gzip_text(path, stop_at)
    size = path.stat().st_size
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    lines = len(_LINE_BREAK.findall(sample))
    if lines == 0:
        return _Text(1 if size else 0, size)
    return _Text(math.ceil(size / (len(sample) / lines)), size)


def _gzip_text(path: Path, stop_at: int | None) -> _Text:
    """Bytes and lines of a gzip file's text, counted piece by piece; counting stops once the
    text passes ``stop_at`` bytes (the run cannot fit then) and gives what it has counted."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    text_bytes = newlines = returns = 0
    last = b""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                while chunk:
                    piece = decompressor.decompress(chunk, 1 << 22)
                    text_bytes += len(piece)
                    newlines += piece.count(b"\n")
                    returns += piece.count(b"\r")
                    last = piece[-1:] or last
                    if decompressor.eof:  # a file of several gzip members goes on
                        chunk = decompressor.unused_data
                        decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
                    else:
                        chunk = decompressor.unconsumed_tail
                    if stop_at is not None and text_bytes > stop_at:
                        return _Text(max(newlines, returns), text_bytes, complete=False)
    except (zlib.error, OSError):
        pass  # the reader names what is wrong with it
    lines = newlines or returns  # files with \r line ends only count those
    unterminated = 1 if text_bytes and last not in (b"\n", b"\r") else 0
    return _Text(lines + unterminated, text_bytes)


def estimate_memory(
    folder: str | Path | None = None,
    *,
    extra_bytes_per_record: float = 0.0,
    stream: bool | None = None,
    exports: Sequence[str | os.PathLike[str]] = (),
    **files: str | os.PathLike[str] | None,
) -> MemoryEstimate:
    """Estimate the peak memory of reading a dataset and ranking it.

    Parameters
    ----------
    folder
        A dataset folder, as for :func:`graphkit.io.load_dataset`.
    extra_bytes_per_record
        What the analysis adds per follow or interaction record (e.g. a copy of the graph).
    stream
        As for :func:`graphkit.io.load_dataset`: ``None`` streams files of 1 GiB or more.
    exports
        Platform exports (archives, folders or files) to be read.
    **files
        ``follows``, ``interactions``, ``accounts``, ``identities``: explicit files.

    Returns
    -------
    MemoryEstimate

    Raises
    ------
    InputError
        When an export cannot be opened to list its files (the reader would say the same).
    """
    paths: dict[str, Path] = {}
    if folder is not None:
        paths.update(find_tables(folder))
    paths.update({name: Path(value) for name, value in files.items() if value is not None})
    tables = []
    # Counting a gzip file's text past the memory available tells nothing more: the run is
    # refused by then.
    stop_at = available_memory()
    for table, path in sorted(paths.items()):
        try:
            if not path.is_file():
                continue
            text = _measure(path, stop_at)
            rows = text.rows
            size = path.stat().st_size
        except OSError:
            continue  # unreadable: the reader says so, naming the file
        integer = None if stream is False or set(paths) != {"follows"} else integer_follows(path)
        if integer is not None:
            streamed = True
            accounts = min(integer.slots, 2 * rows) if integer.direct else sampled_accounts(integer)
            slots = integer.slots if integer.direct else 3 * accounts
            cost = (
                rows * INTEGER_BYTES_PER_RECORD
                + slots * INTEGER_BYTES_PER_SLOT
                + accounts * INTEGER_BYTES_PER_ACCOUNT
            )
        elif table in BYTES_PER_RECORD:
            streamed = stream if stream is not None else size >= STREAM_MIN_BYTES
            per_record = (STREAMED_BYTES_PER_RECORD if streamed else BYTES_PER_RECORD)[table]
            cost = rows * per_record
        else:
            streamed = False
            cost = int(text.text_bytes * BYTES_PER_TEXT_BYTE.get(table, 6.0))
        if not text.complete:
            cost = max(cost, text.text_bytes)
        tables.append(TableEstimate(table, path, rows, streamed, int(cost)))
    for export in exports:
        text_bytes = export_data_bytes(export)
        cost = int(text_bytes * BYTES_PER_TEXT_BYTE["export"])
        tables.append(TableEstimate("export", Path(export), 0, False, cost))
    return MemoryEstimate(tuple(tables), extra_bytes_per_record)


def available_memory() -> int | None:
    """Bytes of memory this process may still use, or None where that is unknown.

    The smaller of the kernel's ``MemAvailable`` (Linux ``/proc/meminfo``) and what the
    process's cgroup (v2) still allows (``memory.max - memory.current``): a container's limit
    is not in ``/proc/meminfo``. None elsewhere (macOS, Windows).
    """
    limits = []
    try:
        text = MEMINFO.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r"^MemAvailable:\s+(\d+)\s+kB", text, re.MULTILINE)
    if match is None:
        return None
    limits.append(int(match.group(1)) * 1024)
    group = _cgroup_limit(CGROUP, CGROUP_ROOT)
    if group is not None:
        limits.append(group)
    return min(limits)


def _cgroup_limit(cgroup: Path, root: Path) -> int | None:
    """What the memory limit of this process's cgroup still allows, or None when unlimited
    or unknown: ``memory.max`` (cgroup v2) or ``memory.limit_in_bytes`` (v1)."""
    try:
        lines = cgroup.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for line in lines:
        _, controllers, group = line.split(":", 2) if line.count(":") >= 2 else ("", "", "")
        if controllers == "":  # v2: 0::/path
            files = (root / group.lstrip("/"), "memory.max", "memory.current")
        elif "memory" in controllers.split(","):  # v1: 4:memory:/path
            files = (root / "memory" / group.lstrip("/"), "memory.limit_in_bytes",
                     "memory.usage_in_bytes")  # fmt: skip
        else:
            continue
        folder, limit_name, usage_name = files
        try:
            limit = (folder / limit_name).read_text(encoding="ascii").strip()
            usage = (folder / usage_name).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if limit.isdigit() and usage.isdigit() and int(limit) < _UNLIMITED:
            return max(int(limit) - int(usage), 0)
    return None


def check_memory(estimate: MemoryEstimate, available: int | None) -> None:
    """Raise MemoryLimitError when ``estimate`` exceeds the ``available`` bytes.

    Nothing is checked where the available memory is unknown (``None``).

    Raises
    ------
    MemoryLimitError
        Saying how much the run is estimated to need, how much is available, and what helps.
    """
    if available is None or estimate.bytes <= available:
        return
    exports = [t.path.name for t in estimate.tables if t.table == "export"]
    if exports:
        reading = f"reading the exports {', '.join(exports)}"
        if estimate.records:
            reading += f" and about {estimate.records:,} follow and interaction records"
        raise MemoryLimitError(
            f"not enough memory: this run needs an estimated {gib(estimate.bytes)} ({reading}) "
            f"and {gib(available)} is available; free memory, or pass --no-memory-check to "
            "try anyway"
        )
    raise MemoryLimitError(
        f"not enough memory: this run needs an estimated {gib(estimate.bytes)} "
        f"(about {estimate.records:,} follow and interaction records in "
        f"{_files(estimate.tables)}) and {gib(available)} is available; run it on Spark "
        "with --engine spark, free memory, or pass --no-memory-check to try anyway"
    )


def stream_if_it_helps(estimate: MemoryEstimate, available: int | None) -> MemoryEstimate | None:
    """The estimate with every edge file streamed, when reading them whole would not fit in
    ``available`` bytes and streaming would; else None."""
    if available is None or estimate.bytes <= available:
        return None
    if all(t.streamed for t in estimate.tables if t.table in STREAMED_BYTES_PER_RECORD):
        return None
    streamed = MemoryEstimate(
        tuple(_streamed(t) for t in estimate.tables),
        estimate.extra_bytes_per_record,
        estimate.base_bytes,
    )
    return streamed if streamed.bytes <= available else None


def _streamed(table: TableEstimate) -> TableEstimate:
    if table.table not in STREAMED_BYTES_PER_RECORD or table.streamed:
        return table
    cost = table.rows * STREAMED_BYTES_PER_RECORD[table.table]
    return TableEstimate(table.table, table.path, table.rows, True, cost)


def _files(tables: tuple[TableEstimate, ...]) -> str:
    names = [t.path.name for t in tables if t.table in BYTES_PER_RECORD]
    return ", ".join(names) or "the input"


def gib(size: float) -> str:
    """A size in bytes as GiB with one decimal (``1.3 GiB``), or MiB below 1 GiB.

    >>> gib(1.35e9), gib(300 << 20)
    ('1.3 GiB', '300 MiB')
    """
    if size < 1 << 30:
        return f"{size / (1 << 20):,.0f} MiB"
    return f"{size / (1 << 30):,.1f} GiB"
