"""Read and validate input files into the canonical Arrow tables of :mod:`graphkit.io.schema`.

Files are parsed by pyarrow's multi-threaded readers and validated with vectorised
pyarrow/polars expressions. When a parser rejects a file, a slow line-by-line pass runs on the
error path only, to name the row and column at fault.
"""

from __future__ import annotations

import codecs
import csv
import errno
import gzip
import math
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq

from graphkit.errors import InputError, SchemaError, quoted
from graphkit.io import integer_edges, rules, sniff
from graphkit.io.files import check_regular_file
from graphkit.io.rules import (
    DELIMITED_SUFFIXES,
    JSON_SUFFIXES,
    LIST_SEPARATORS,
    PARQUET_SUFFIXES,
    TIMESTAMP_MAX_US,
    TIMESTAMP_MIN_US,
    split_first_line,
)
from graphkit.io.schema import (
    ACCOUNT_KINDS,
    ACCOUNTS,
    FOLLOWS,
    INTERACTIONS,
    TABLES,
    TIMESTAMP_TYPE,
    TYPE_ALIASES,
    TableSpec,
    integer_array,
    string_buffers,
)
from graphkit.progress import report_bytes

__all__ = [
    "DELIMITED_SUFFIXES",
    "JSON_SUFFIXES",
    "PARQUET_SUFFIXES",
    "STREAM_MIN_BYTES",
    "TIMESTAMP_MAX_US",
    "TIMESTAMP_MIN_US",
    "Dataset",
    "TableSource",
    "find_tables",
    "iter_sourced_table",
    "iter_table",
    "load_dataset",
    "missing_reason",
    "peek_columns",
    "read_table",
    "split_first_line",
    "validate_table",
]

_SNIFF_BYTES: Final = 1 << 16
# The longest header (first line) read to find the columns: a quarter of a parse block.
_HEADER_BYTES: Final = 1 << 24
_BLOCK_SIZE: Final = 1 << 24
# Text per parsed CSV block: a few large chunks make the id interning fastest.
_CSV_BLOCK_SIZE: Final = 1 << 26
# Text per piece of a streamed file: pieces this large keep the interning rounds long.
_STREAM_PIECE_BYTES: Final = 1 << 28
# Files this large are streamed when the caller lets graphkit choose (whole reads are faster).
STREAM_MIN_BYTES: Final = 1 << 30
_GZIP_MAGIC: Final = b"\x1f\x8b"
# pyarrow's CSV reader, like this module's own line splitting, ends a line at \n, \r\n or \r.
_LINE_BREAK: Final = re.compile(rb"\r\n|\r|\n")
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS: Final = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")


@dataclass(frozen=True)
class TableSource:
    """Where a table came from, to name in errors and run manifests.

    Attributes
    ----------
    path
        The file read.
    first_line
        Line number of the first data record (after comments and the header), so that the
        record at index ``i`` is on line ``first_line + i`` (Parquet and NDJSON records are
        numbered from 1).
    """

    path: Path
    first_line: int

    def row(self, index: int) -> int:
        """Return the line (or Parquet row) number of the record at ``index``."""
        return self.first_line + index


@dataclass
class Dataset:
    """The canonical tables of one analysis; any of them may be absent.

    Attributes
    ----------
    accounts, follows, interactions, identities
        Validated Arrow tables with the canonical column names and types.
    sources
        The file each table was read from, by table name.
    streamed
        Follows/interactions files left to read piece by piece while the graph is built
        (see :meth:`pieces`), by table name.
    interaction_type, known_types
        Reader options for the streamed files.
    numbered_whole
        Streamed tables whose accounts are numbered as a whole reading of the file numbers
        them (all its followers first), because graphkit chose to stream them, not the
        caller (see :mod:`graphkit.graph.streamed`); others are numbered piece by piece.
    """

    accounts: pa.Table | None = None
    follows: pa.Table | None = None
    interactions: pa.Table | None = None
    identities: pa.Table | None = None
    sources: dict[str, Path] = field(default_factory=dict)
    streamed: dict[str, Path] = field(default_factory=dict)
    interaction_type: str | None = None
    known_types: tuple[str, ...] | None = None
    columns: tuple[str, ...] | None = None
    first_rows: dict[str, int] = field(default_factory=dict)
    numbered_whole: tuple[str, ...] = ()

    def pieces(self, name: str) -> Iterator[pa.Table]:
        """The follows or interactions table, whole or streamed in validated pieces."""
        for table, _ in self.sourced_pieces(name):
            yield table

    def sourced_pieces(self, name: str) -> Iterator[tuple[pa.Table, TableSource | None]]:
        """:meth:`pieces` with where each piece came from (``None`` for a table given in
        memory), so that a problem found later can name the file and row."""
        table = getattr(self, name)
        if table is not None:
            path = self.sources.get(name)
            yield table, None if path is None else TableSource(path, self.first_rows.get(name, 1))
        elif name in self.streamed:
            yield from iter_sourced_table(
                self.streamed[name],
                TABLES[name],
                interaction_type=self.interaction_type if name == "interactions" else None,
                known_types=self.known_types,
                columns=(
                    self.columns
                    if self.columns is not None and name == columns_table(self.columns)
                    else None
                ),
                stream=True,
            )

    def estimated_records(self) -> int:
        """A rough count of the follow and interaction records, for sizing buffers."""
        loaded = sum(
            table.num_rows for table in (self.follows, self.interactions) if table is not None
        )
        return int(loaded + sum(path.stat().st_size // 24 for path in self.streamed.values()))


def read_table(
    path: str | Path,
    spec: TableSpec,
    *,
    interaction_type: str | None = None,
    known_types: tuple[str, ...] | None = None,
) -> pa.Table:
    """Read one file into the canonical table described by ``spec``.

    Parameters
    ----------
    path
        A CSV/TSV/whitespace-separated file (optionally ``.gz``), Parquet, or NDJSON file.
        Delimited files without a header are read as SNAP-style edge lists: ``a b``,
        ``a b weight`` or ``a b timestamp type`` (follows and interactions only), with ``#``
        comment lines.
    spec
        The table to read, e.g. :data:`graphkit.io.schema.FOLLOWS`.
    interaction_type
        The ``type`` given to every record of an interactions file that has no type column.
    known_types
        Interaction types accepted (default: repost, quote, reply, comment, mention, like and
        their aliases).

    Returns
    -------
    pyarrow.Table
        Columns renamed to canonical names and cast to the schema's types; unknown columns
        pass through as strings.

    Raises
    ------
    InputError
        Naming the file, row and column of the first problem found.
    """
    return _read_sourced_table(
        path, spec, interaction_type=interaction_type, known_types=known_types
    )[0]


def _read_sourced_table(
    path: str | Path,
    spec: TableSpec,
    *,
    interaction_type: str | None = None,
    known_types: tuple[str, ...] | None = None,
    columns: tuple[str, ...] | None = None,
) -> tuple[pa.Table, TableSource]:
    """:func:`read_table`, with where its first record came from."""
    pieces = list(
        iter_sourced_table(
            path, spec, interaction_type=interaction_type, known_types=known_types, columns=columns
        )
    )
    tables = [table for table, _ in pieces]
    return tables[0] if len(tables) == 1 else pa.concat_tables(tables), pieces[0][1]


def validate_table(
    table: object,
    spec: TableSpec,
    *,
    name: str | None = None,
    interaction_type: str | None = None,
    known_types: tuple[str, ...] | None = None,
) -> pa.Table:
    """Validate a table given in memory as :func:`read_table` validates a file.

    Parameters
    ----------
    table
        A ``pyarrow.Table``, a polars or pandas ``DataFrame``, or anything with
        ``__arrow_c_stream__`` (columns named as in a file, aliases accepted).
    spec
        The table it is, e.g. :data:`graphkit.io.schema.FOLLOWS`.
    name
        What errors call it (default: "the follows table").

    Returns
    -------
    pyarrow.Table
        The canonical table.

    Raises
    ------
    InputError
        With the same messages as for a file, naming the table, row (from 1) and column.

    Examples
    --------
    >>> import polars as pl
    >>> validate_table(pl.DataFrame({"src": ["a"], "dst": ["b"]}), FOLLOWS).column_names
    ['follower', 'followed']
    >>> validate_table(pl.DataFrame({"a": ["x"], "b": ["y"]}), FOLLOWS)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graphkit.errors.SchemaError: the follows table: missing required column 'follower' ...
    """
    raw = _as_arrow(table, spec)
    source = TableSource(Path(name or f"the {spec.name} table"), 1)
    return _canonical_table(raw, spec, source, interaction_type, known_types)


def _as_arrow(table: object, spec: TableSpec) -> pa.Table:
    if isinstance(table, pa.Table):
        return table
    if isinstance(table, pa.RecordBatch):
        return pa.Table.from_batches([table])
    if isinstance(table, pl.DataFrame):
        return table.to_arrow()
    if hasattr(table, "__arrow_c_stream__"):
        return pa.table(table)
    module = type(table).__module__.split(".", 1)[0]
    if module == "pandas":
        return pa.Table.from_pandas(table, preserve_index=False)
    raise SchemaError(
        f"the {spec.name} table must be a path, a pyarrow Table or a polars or pandas "
        f"DataFrame, got {type(table).__name__}"
    )


def iter_table(
    path: str | Path,
    spec: TableSpec,
    *,
    interaction_type: str | None = None,
    known_types: tuple[str, ...] | None = None,
    stream: bool = False,
) -> Iterator[pa.Table]:
    """Read a file as :func:`read_table` does, yielding validated canonical pieces.

    With ``stream``, delimited and Parquet follows/interactions files are read block by
    block (about 16 MB of text at a time), so a large file is never held in memory whole;
    otherwise the file comes as one piece. Errors are raised while iterating, naming file,
    row and column.
    """
    for table, _ in iter_sourced_table(
        path, spec, interaction_type=interaction_type, known_types=known_types, stream=stream
    ):
        yield table


def iter_sourced_table(
    path: str | Path,
    spec: TableSpec,
    *,
    interaction_type: str | None = None,
    known_types: tuple[str, ...] | None = None,
    stream: bool = False,
    columns: tuple[str, ...] | None = None,
) -> Iterator[tuple[pa.Table, TableSource]]:
    """:func:`iter_table` with the :class:`TableSource` of each piece (its first row).

    ``columns`` names the fields of a header-less follows or interactions file (in order);
    a file with a header given ``columns`` is an error.
    """
    stream = stream and spec in (FOLLOWS, INTERACTIONS)
    path = Path(path)
    if not path.exists():
        raise InputError(missing_reason(path), path=path)
    if path.is_dir():
        raise InputError("is a directory, expected a file", path=path)
    check_regular_file(path)
    name = path.name.lower()
    stem_suffix = name[:-3] if name.endswith(".gz") else name
    read = [0]  # bytes of the file counted as read so far (progress bars)

    def count(amount: int) -> None:
        read[0] += amount
        report_bytes(amount)

    try:
        if stem_suffix.endswith(PARQUET_SUFFIXES):
            pieces = _iter_parquet(path, stream)
        elif stem_suffix.endswith(JSON_SUFFIXES):
            pieces = iter([(_read_ndjson(path), TableSource(path, 1))])
        else:
            pieces = _iter_delimited(path, spec, stream, columns, count)
        for raw, source in pieces:
            yield _canonical_table(raw, spec, source, interaction_type, known_types), source
        count(max(0, path.stat().st_size - read[0]))
    except PermissionError:
        raise InputError("permission denied", path=path) from None
    except OSError as error:
        raise InputError(f"cannot read file ({error.strerror or error})", path=path) from None


def load_dataset(
    folder: str | Path | None = None,
    *,
    accounts: str | Path | None = None,
    follows: str | Path | None = None,
    interactions: str | Path | None = None,
    identities: str | Path | None = None,
    interaction_type: str | None = None,
    known_types: tuple[str, ...] | None = None,
    stream: bool | None = False,
    columns: tuple[str, ...] | None = None,
) -> Dataset:
    """Read a dataset folder and/or explicitly named table files.

    Parameters
    ----------
    folder
        A folder holding ``accounts.*``, ``follows.*``, ``interactions.*``, ``identities.*``
        (CSV, CSV.gz, Parquet or NDJSON). Explicit files take precedence over the folder's.
    accounts, follows, interactions, identities
        Explicit files for each table.
    interaction_type
        The type of every record of an interactions file that has no type column.
    known_types
        Interaction types accepted.
    stream
        Leave follows and interactions files to be read piece by piece while the graph is
        built, so that a large file is never in memory whole. ``None`` streams files of
        :data:`STREAM_MIN_BYTES` or more.
    columns
        The names of the fields of header-less follows and interactions files, e.g.
        ``("source", "target", "timestamp")``; without it a header-less file is read as
        ``a b``, ``a b weight`` or ``a b timestamp type``.

    Returns
    -------
    Dataset

    Raises
    ------
    InputError
        When a file is invalid, or when neither follows nor interactions were found.
    """
    paths: dict[str, Path] = {}
    if folder is not None:
        paths.update(find_tables(folder))
    explicit = {
        "accounts": accounts,
        "follows": follows,
        "interactions": interactions,
        "identities": identities,
    }
    paths.update({name: Path(value) for name, value in explicit.items() if value is not None})
    if "follows" not in paths and "interactions" not in paths:
        raise InputError(rules.no_edge_tables(folder))
    dataset = Dataset(
        sources=paths,
        interaction_type=interaction_type,
        known_types=known_types,
        columns=columns,
    )
    for name, path in paths.items():
        streamed = name in ("follows", "interactions") and _should_stream(path, stream)
        if not streamed and stream is None and columns is None:
            # Read in batches only to be built in two passes: numbered as read whole.
            streamed = _integer_follows_alone(paths, name)
            if streamed:
                dataset.numbered_whole = (*dataset.numbered_whole, name)
        if streamed:
            check_regular_file(path)
            if not path.is_file():
                reason = missing_reason(path) if not path.exists() else "not a file"
                raise InputError(reason, path=path)
            dataset.streamed[name] = path
            continue
        table, source = _read_sourced_table(
            path,
            TABLES[name],
            interaction_type=interaction_type if name == "interactions" else None,
            known_types=known_types,
            columns=columns if columns is not None and name == columns_table(columns) else None,
        )
        setattr(dataset, name, table)
        dataset.first_rows[name] = source.first_line
    return dataset


def missing_reason(path: str | Path, missing: str = "file not found") -> str:
    """Why ``path``, which does not exist as far as :meth:`pathlib.Path.exists` can tell, cannot
    be opened: ``missing``, or a symbolic link that loops or points nowhere, or a folder on
    the way that this user may not enter.

    >>> missing_reason("no/such/file.csv")
    'file not found'
    """
    path = Path(path)
    try:
        path.stat()
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "symbolic link loop (too many levels of symbolic links)"
        if error.errno == errno.EACCES:
            return "permission denied"
        if path.is_symlink():
            return f"broken symbolic link (it points to {path.readlink()}, which does not exist)"
    return missing


def _integer_follows_alone(paths: dict[str, Path], name: str) -> bool:
    """Whether ``name`` is a follows file of integer ids, the dataset's only table: the graph
    is then built from it in two passes over its batches (:mod:`graphkit.graph.streamed`),
    faster and in a fraction of the memory of a whole reading, at any size."""
    return (
        name == "follows"
        and set(paths) == {"follows"}
        and integer_edges.integer_follows(paths[name]) is not None
    )


def _should_stream(path: Path, stream: bool | None) -> bool:
    if stream is None:
        return path.is_file() and path.stat().st_size >= STREAM_MIN_BYTES
    return stream


def peek_columns(path: str | Path) -> list[str]:
    """Return the column names of a table file without reading its rows.

    Header-less edge lists have no names and give an empty list.
    """
    path = Path(path)
    check_regular_file(path)
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(PARQUET_SUFFIXES):
        try:
            return list(pq.read_schema(path).names)
        except (pa.ArrowInvalid, OSError) as error:
            raise InputError(rules.parquet_problem(error), path=path) from None
    if name.endswith(JSON_SUFFIXES):
        import json

        for raw in _sniff_lines(path):
            line = raw.decode("utf-8", errors="replace")
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    return []
                return list(record) if isinstance(record, dict) else []
        return []
    return _layout(path, INTERACTIONS).header or []


def columns_table(columns: tuple[str, ...]) -> str:
    """The table (``follows`` or ``interactions``) whose columns ``columns`` names: the one
    ``--columns`` applies to.

    >>> columns_table(("src", "dst", "timestamp")), columns_table(("a", "b"))
    ('interactions', 'follows')
    """
    canonical = {INTERACTIONS.canonical_name(name) for name in columns}
    return "interactions" if set(INTERACTIONS.id_columns) <= canonical else "follows"


def headerless_fields(path: str | Path) -> int | None:
    """The number of fields of a header-less delimited file (an edge list), or ``None`` for
    a file with a header, Parquet or NDJSON."""
    path = Path(path)
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(PARQUET_SUFFIXES + JSON_SUFFIXES):
        return None
    layout = _layout(path, INTERACTIONS)
    return None if layout.header is not None else layout.n_fields


def find_tables(folder: str | Path) -> dict[str, Path]:
    """Return the table files of a dataset folder by table name.

    Raises
    ------
    InputError
        When the folder does not exist, holds two files for one table, or holds no table.
    """
    folder = Path(folder)
    if not folder.exists():
        raise InputError(missing_reason(folder, rules.DATASET_FOLDER_NOT_FOUND), path=folder)
    if not folder.is_dir():
        raise InputError(rules.NOT_A_DATASET_FOLDER, path=folder)
    found: dict[str, Path] = {}
    try:
        contents = sorted(folder.iterdir())
    except OSError as error:
        raise InputError(f"cannot read folder ({error.strerror or error})", path=folder) from None
    for path in contents:
        stem = path.name.split(".", 1)[0].lower()
        if stem in TABLES:
            check_regular_file(path)  # a FIFO or device named follows.csv is no table to skip
        if not path.is_file():
            continue
        if stem in TABLES:
            if stem in found:
                raise InputError(rules.two_files(stem, found[stem].name, path.name), path=folder)
            found[stem] = path
    if not found:
        raise InputError(rules.NO_TABLES, path=folder)
    return found


# --- file formats ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    delimiter: str
    header: list[str] | None
    n_fields: int
    skip_lines: int
    drop_trailing: bool


def _open_binary(path: Path) -> BinaryIO:
    """The bytes of a text table, decompressed, and as UTF-8 where ``--encoding`` names another
    encoding or the file starts with a UTF-16 byte-order mark (:func:`_text_encoding`)."""
    raw = _open_raw(path)
    encoding = _text_encoding(path)
    return raw if encoding is None else sniff.utf8_stream(raw, encoding)


def _open_raw(path: Path) -> BinaryIO:
    if path.name.lower().endswith(".gz"):
        with path.open("rb") as handle:
            magic = handle.read(2)
        if magic and magic != _GZIP_MAGIC:
            raise InputError("not a gzip file, though its name ends in .gz", path=path)
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _text_encoding(path: Path) -> str | None:
    """The encoding a text table is decoded from before reading, or ``None`` for UTF-8 (read
    as it is): ``--encoding``, else UTF-16 where the file starts with its byte-order mark."""
    chosen = sniff.current().encoding
    if chosen is not None:
        return None if codecs.lookup(chosen).name in ("utf-8", "utf-8-sig") else chosen
    try:
        with _open_raw(path) as handle:
            head = handle.read(4)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError):
        return None  # reported where the file is read
    return None if head.startswith(_UTF32_BOMS) else sniff.bom_encoding(head)


def _how_read(path: Path, layout: _Layout) -> str:
    """`` (read as ';'-separated cp1252)`` where the user chose the delimiter or encoding, or a
    byte-order mark did: the reading the error comes from may not be the file's."""
    chosen = sniff.current()
    encoding = _text_encoding(path)
    if chosen.delimiter is None and chosen.encoding is None and encoding is None:
        return ""  # sniffed: the message is the one both engines give
    return f" ({sniff.describe(layout.delimiter, encoding)})"


def _undecodable(path: Path, error: sniff.UndecodableText) -> InputError:
    return InputError(f"{error}; give the file's encoding with --encoding", path=path)


def _sniff_lines(path: Path) -> list[bytes]:
    """The first lines of a file, without line endings (the last may be cut short).

    Raises InputError for text that is not UTF-8 at all (UTF-16 or UTF-32, NUL bytes).
    """
    try:
        with _open_binary(path) as handle:
            head = handle.read(_SNIFF_BYTES)
            # A header longer than the sniffed head (thousands of columns) is read to its end,
            # within a budget, rather than cut short and taken for a ragged row.
            while len(head) < _HEADER_BYTES and not _first_line_ends(head):
                more = handle.read(len(head))
                if not more:
                    break
                head += more
    except (EOFError, gzip.BadGzipFile, zlib.error):
        raise InputError("truncated or corrupt gzip file", path=path) from None
    except sniff.UndecodableText as error:
        raise _undecodable(path, error) from None
    if head.startswith(_UTF32_BOMS):
        raise InputError("UTF-32 text; re-save the file as UTF-8", path=path)
    if head.startswith(_UTF16_BOMS) or _looks_like_utf16(head):
        raise InputError(
            "UTF-16 text; re-save the file as UTF-8 or give --encoding utf-16-le (or utf-16-be)",
            path=path,
        )
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    lines = _LINE_BREAK.split(head)
    if b"\x00" in head:
        row = next(number for number, line in enumerate(lines, 1) if b"\x00" in line)
        raise InputError(rules.NUL_TEXT, path=path, row=row)
    return lines


def _first_line_ends(head: bytes) -> bool:
    """Whether ``head`` holds the line break ending its first line that is neither blank nor a
    ``#`` comment (the header or first record)."""
    lines = _LINE_BREAK.split(head)
    return any(line.strip() and not line.startswith(b"#") for line in lines[:-1])


def _looks_like_utf16(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: every other byte of ASCII text is NUL."""
    sample = head[:512]
    even, odd = sample[0::2], sample[1::2]
    return len(sample) >= 8 and max(even.count(0), odd.count(0)) >= len(sample) // 2 * 0.9


def _layout(path: Path, spec: TableSpec) -> _Layout:
    skip = 0
    first: str | None = None
    lines = _sniff_lines(path)
    for raw in lines:
        if raw.startswith(b"#") or not raw.strip():
            skip += 1
            continue
        try:
            first = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(rules.INVALID_UTF8, path=path, row=skip + 1) from None
        break
    if first is None:
        raise InputError(rules.FILE_EMPTY, path=path)
    # The delimiter is sniffed from every line of the head, quotes respected (a header may
    # hold a quoted comma in a semicolon file), or given with --delimiter.
    sample = [raw.decode("utf-8", errors="replace") for raw in lines[skip:]]
    chosen = sniff.current().delimiter
    delimiter = chosen or sniff.sniff_delimiter(sample, complete=False)
    fields = next(csv.reader([first], delimiter=delimiter), [""])
    is_header = any(spec.canonical_name(name) is not None for name in fields)
    if chosen is None and not is_header and len(split_first_line(first)[1]) > 1:
        # No header: an edge list, whose ids may hold a delimiter ('auth0|1 auth0|2'), split
        # by its first line as before sniffing (tab, else comma, else semicolon, else space).
        delimiter = split_first_line(first)[0]
        fields = next(csv.reader([first], delimiter=delimiter), [""])
        is_header = any(spec.canonical_name(name) is not None for name in fields)
    drop_trailing = delimiter == " " and len(fields) > 1 and fields[-1] == ""
    fields = fields[:-1] if drop_trailing else fields
    return _Layout(delimiter, fields if is_header else None, len(fields), skip, drop_trailing)


def _iter_delimited(
    path: Path,
    spec: TableSpec,
    stream: bool,
    columns: tuple[str, ...] | None = None,
    count: Callable[[int], None] | None = None,
) -> Iterator[tuple[pa.Table, TableSource]]:
    layout = _layout(path, spec)
    if layout.header is not None:
        if columns is not None and spec in (FOLLOWS, INTERACTIONS):
            raise SchemaError(
                "--columns names the fields of a header-less file, and this file has a header "
                f"({', '.join(layout.header)}); drop --columns",
                path=path,
                row=layout.skip_lines + 1,
            )
        names = [name.strip() for name in layout.header]
        first_line = layout.skip_lines + 2
    else:
        names = _headerless_names(path, spec, layout, columns)
        first_line = layout.skip_lines + 1
    # Without declared columns, a third field of whole numbers in the range of Unix times is a
    # timestamp far more often than a weight: refuse to guess.
    check_times = columns is None and layout.header is None and names[2:3] == ["weight"]
    if len(set(names)) != len(names):
        duplicate = next(name for name in names if names.count(name) > 1)
        raise SchemaError("duplicated column name", path=path, row=first_line - 1, column=duplicate)
    read_names = [*names, "__trailing__"] if layout.drop_trailing else names
    read_options = pacsv.ReadOptions(
        column_names=read_names,
        skip_rows=layout.skip_lines + (1 if layout.header is not None else 0),
        block_size=_CSV_BLOCK_SIZE,
    )
    parse_options = pacsv.ParseOptions(delimiter=layout.delimiter, newlines_in_values=False)
    convert_options = pacsv.ConvertOptions(
        column_types=dict.fromkeys(read_names, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    row = 0
    decoded = _text_encoding(path) is not None
    text: Path | BinaryIO = _open_binary(path) if decoded else path
    try:
        if stream and not decoded and not path.name.lower().endswith(".gz"):
            batches: Iterator[pa.RecordBatch | pa.Table] | list[pa.Table] = _read_ranges(
                path,
                layout.skip_lines + (1 if layout.header is not None else 0),
                pacsv.ReadOptions(column_names=read_names, block_size=_CSV_BLOCK_SIZE // 4),
                parse_options,
                convert_options,
                count,
            )
        elif stream:
            reader = pacsv.open_csv(
                text,
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
            batches = iter(reader)
        else:
            batches = [
                pacsv.read_csv(
                    text,
                    read_options=read_options,
                    parse_options=parse_options,
                    convert_options=convert_options,
                )
            ]
        for batch in batches:
            table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
            if layout.drop_trailing:
                table = table.drop_columns(["__trailing__"])
            source = TableSource(path, first_line + row)
            if layout.header is not None:
                _check_repeated_header(table, layout.header, source, spec)
            if check_times:
                _check_weights_are_not_times(table.column("weight"), source, spec)
                check_times = False  # the first piece decides; later ones follow the file
            yield table, source
            row += table.num_rows
    except sniff.UndecodableText as error:
        raise _undecodable(path, error) from None
    except (pa.ArrowInvalid, OSError, EOFError, zlib.error) as error:
        # pyarrow reports a truncated or corrupt gzip stream as a plain OSError
        raise _locate_delimited_error(path, layout, read_names, first_line, error) from None
    finally:
        if not isinstance(text, Path):
            text.close()


def _read_ranges(
    path: Path,
    skip_lines: int,
    read_options: pacsv.ReadOptions,
    parse_options: pacsv.ParseOptions,
    convert_options: pacsv.ConvertOptions,
    count: Callable[[int], None] | None = None,
) -> Iterator[pa.Table]:
    """Parse a large uncompressed file in ranges of whole lines, each on all threads
    (``count`` is told the bytes of each range parsed).

    pyarrow's streaming reader parses one block at a time; ranges of the memory-mapped file
    (about :data:`_STREAM_PIECE_BYTES` bytes, cut after a newline) parsed by ``read_csv`` use
    every core and never hold more than a range of text.
    """
    with pa.memory_map(str(path)) as mapped:
        size = mapped.size()
        start = 0
        for _ in range(skip_lines):
            start = _next_line(mapped, start, size)
        while start < size:
            end = (
                size
                if start + _CSV_BLOCK_SIZE >= size
                else _next_line(mapped, start + _CSV_BLOCK_SIZE, size)
            )
            mapped.seek(start)
            yield pacsv.read_csv(
                pa.BufferReader(mapped.read_buffer(end - start)),  # zero-copy slice
                read_options=read_options,
                parse_options=parse_options,
                convert_options=convert_options,
            )
            if count is not None:
                count(end - start)
            start = end


def _next_line(mapped: pa.MemoryMappedFile, position: int, size: int) -> int:
    """Offset just after the first newline at or after ``position`` (``size`` if none)."""
    step = 1 << 16
    while position < size:
        chunk: bytes = mapped.read_at(min(step, size - position), position)
        found = chunk.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(chunk)
    return size


# Unix seconds of 1990-01-01 and 2100-01-01: whole numbers in this range are read as times.
_PLAUSIBLE_UNIX_SECONDS: Final = (631_152_000, 4_102_444_800)


def _check_repeated_header(
    table: pa.Table, header: list[str], source: TableSource, spec: TableSpec
) -> None:
    """Refuse a row that repeats a header (files joined with ``cat``): read as data it
    would become records between accounts named after the columns.

    A row is a header when each of its fields, without blanks, byte-order mark or case, is
    the file's own header field or a column name of the table (``src,dst`` after
    ``follower,followed`` too).
    """
    if not header or table.num_rows == 0:
        return
    known = {_header_key(name) for name in header} | _column_names(spec)
    pattern = f"(?i)^{_BLANKS}*(?:" + "|".join(re.escape(name) for name in sorted(known))
    offset = 0
    for chunk in table.column(0).chunks:
        positions = _header_candidates(chunk, known)
        screened = chunk if positions is None else chunk.take(integer_array(positions))
        matches = pc.match_substring_regex(screened, f"{pattern}){_BLANKS}*$")  # nulls: no match
        for found in pc.indices_nonzero(matches).to_pylist():
            index = found if positions is None else int(positions[found])
            fields = [table.column(column)[offset + index].as_py() for column in range(len(header))]
            if all(isinstance(field, str) and _header_key(field) in known for field in fields):
                raise InputError(
                    "this row repeats the header (were files joined with cat?); remove it, or "
                    "give the files one at a time",
                    path=source.path,
                    row=source.row(offset + index),
                )
        offset += len(chunk)


def _header_candidates(chunk: pa.Array, known: set[str]) -> np.ndarray | None:
    """Positions of the strings of ``chunk`` that may be one of the ``known`` names as
    :func:`_check_repeated_header` matches them; ``None`` to look at every string.

    From the Arrow buffers, in one pass over the offsets: a match either begins and ends with
    a letter that begins and ends a known name (either case) and has a fitting length (up to
    three bytes a letter: case-insensitive matching takes non-ASCII letters such as the long s
    and the Kelvin sign for ASCII ones), or begins or ends with a blank, a byte-order mark or
    any other non-ASCII character. Only ASCII names are screened like this.
    """
    if len(chunk) == 0 or not known or not all(name and name.isascii() for name in known):
        return None
    if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
        return None  # another layout of buffers (string views, dictionaries): no screen
    offsets, data = string_buffers(chunk)
    if data.shape[0] == 0:
        return np.empty(0, dtype=np.int64)
    starts, ends = offsets[:-1], offsets[1:]
    lengths = ends - starts
    last_byte = data.shape[0] - 1
    first = data[np.minimum(starts, last_byte)]
    last = data[np.clip(ends - 1, 0, last_byte)]
    shortest = min(len(name) for name in known)
    longest = 3 * max(len(name) for name in known)
    firsts = _byte_table(name[0] for name in known)
    lasts = _byte_table(name[-1] for name in known)
    padded = _HEADER_PADDING_BYTES
    plain = firsts[first] & lasts[last] & (lengths <= longest)
    possible = (plain | padded[first] | padded[last]) & (lengths >= shortest)
    return np.flatnonzero(possible)


def _byte_table(letters: Iterable[str]) -> np.ndarray:
    """Which of the 256 byte values are one of ``letters`` (ASCII) in either case."""
    table = np.zeros(256, dtype=bool)
    for letter in letters:
        table[[ord(letter.lower()), ord(letter.upper())]] = True
    return table


# What _header_key strips, for the regex (RE2): Python's blanks (str.isspace: ASCII ones, the
# information separators, NEL, Unicode spaces and separators) and the byte-order mark.
_BLANKS: Final = "[\\s\\x0b\\x1c-\\x1f\\x{85}\\pZ\\x{feff}]"
# Bytes a string around a header name may begin or end with: ASCII blanks and every non-ASCII
# byte (the byte-order mark, Unicode spaces, letters that match ASCII ones regardless of case).
_HEADER_PADDING_BYTES: Final = np.isin(
    np.arange(256), [*b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f ", *range(0x80, 0x100)]
)


def _header_key(name: str) -> str:
    return name.replace("\ufeff", "").strip().lower()


def _column_names(spec: TableSpec) -> set[str]:
    """Every name a column of ``spec`` goes by (canonical and aliases), lower-case."""
    names = set(spec.types)
    for aliases in spec.aliases.values():
        names.update(aliases)
    return {name.lower() for name in names}


def _text_scalar(value: str) -> pa.Scalar:
    """A string scalar built from its bytes: pyarrow imports pandas (0.3 s) to convert a
    Python string, and a rank imports no pandas."""
    encoded = value.encode("utf-8")
    offsets = np.array([0, len(encoded)], dtype=np.int32)
    return pa.StringArray.from_buffers(1, pa.py_buffer(offsets), pa.py_buffer(encoded))[0]


def _check_weights_are_not_times(
    column: pa.ChunkedArray, source: TableSource, spec: TableSpec
) -> None:
    """Refuse a header-less third column that looks like Unix seconds, not weights."""
    if len(column) == 0:
        return
    try:
        values = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return  # not numbers: the weight check says so, with the row
    low, high = _PLAUSIBLE_UNIX_SECONDS
    if not (np.all(values == np.floor(values)) and values.min() >= low and values.max() <= high):
        return
    edges = "follower,followed" if spec is FOLLOWS else "source,target"
    raise SchemaError(
        "the third field looks like Unix times, not weights (every value a whole number "
        "between 1990 and 2100); say which: --columns source,target,timestamp (with "
        f"--interaction-type TYPE), or --columns {edges},weight",
        path=source.path,
        row=source.first_line,
    )


def _headerless_names(
    path: Path, spec: TableSpec, layout: _Layout, columns: tuple[str, ...] | None = None
) -> list[str]:
    n_fields, row = layout.n_fields, layout.skip_lines + 1
    if columns is not None and spec in (FOLLOWS, INTERACTIONS):
        if len(columns) != n_fields:
            raise SchemaError(
                f"--columns names {len(columns)} columns ({','.join(columns)}), and the "
                f"first row has {n_fields} fields",
                path=path,
                row=row,
            )
        return list(columns)
    names = rules.headerless_names(spec, n_fields)
    if names is None:
        raise SchemaError(rules.no_header(spec) + _how_read(path, layout), path=path, row=1)
    return names


def _locate_delimited_error(
    path: Path, layout: _Layout, names: list[str], first_line: int, error: Exception
) -> InputError:
    """Find the row a delimited file's parser rejected, and why; runs on the error path only.

    Records are read with the csv module, which splits fields as pyarrow does (a quoted value
    may span lines); rows are physical lines, numbered from 1.
    """
    line_number = 0

    def lines() -> Iterator[str]:
        nonlocal line_number
        for line_number, raw in enumerate(_physical_lines(handle), start=1):
            if line_number < first_line:
                continue
            if len(raw) >= _CSV_BLOCK_SIZE:
                raise InputError(
                    f"row longer than {_CSV_BLOCK_SIZE >> 20} MiB, the most one row may hold",
                    path=path,
                    row=line_number,
                )
            if b"\x00" in raw:
                raise InputError("NUL byte in row", path=path, row=line_number)
            try:
                yield raw.decode("utf-8") + "\n"
            except UnicodeDecodeError:
                raise InputError(rules.INVALID_UTF8, path=path, row=line_number) from None

    # The csv module refuses fields over 128 KiB by default; pyarrow takes a row of a block.
    field_limit = csv.field_size_limit(2 * _CSV_BLOCK_SIZE)
    try:
        with _open_binary(path) as handle:
            reader = csv.reader(lines(), delimiter=layout.delimiter)
            start = first_line
            for fields in reader:
                end = first_line - 1 + reader.line_num
                if fields and len(fields) != len(names):
                    if end > start:
                        return InputError(
                            "a double quote opened in this row is not closed: the quoted value "
                            f"runs on to row {end}",
                            path=path,
                            row=start,
                        )
                    return InputError(
                        rules.wrong_field_count(len(names), len(fields)) + _how_read(path, layout),
                        path=path,
                        row=start,
                    )
                start = end + 1
    except InputError as located:
        return located
    except sniff.UndecodableText as undecodable:
        return _undecodable(path, undecodable)
    except (EOFError, gzip.BadGzipFile, zlib.error):
        return InputError(f"truncated or corrupt gzip file (after row {line_number})", path=path)
    except csv.Error as bad:
        return InputError(f"malformed CSV ({bad})", path=path, row=line_number)
    finally:
        csv.field_size_limit(field_limit)
    if "straddling" in str(error):
        return InputError(
            f"a record longer than {_CSV_BLOCK_SIZE >> 20} MiB (a quoted value running over "
            "many lines?)",
            path=path,
        )
    return InputError(f"cannot parse file: {rules.first_line(error)}", path=path)


def _physical_lines(handle: BinaryIO, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """The lines of a binary stream without their ends, split at ``\\n``, ``\\r\\n`` or a lone
    ``\\r`` as pyarrow's CSV parser splits them. A line longer than the CSV block size is
    yielded as soon as it is known to be that long, cut there."""
    buffer = b""
    # read1: a truncated gzip stream yields what it decompressed before the cut.
    read = getattr(handle, "read1", handle.read)
    while chunk := read(chunk_size):
        buffer += chunk
        # A trailing \r may be the first half of \r\n: keep it for the next chunk.
        cut = len(buffer) - 1 if buffer.endswith(b"\r") else len(buffer)
        pieces = _LINE_BREAK.split(buffer[:cut])
        buffer = pieces.pop() + buffer[cut:]
        yield from pieces
        if len(buffer) >= _CSV_BLOCK_SIZE:
            yield buffer
            return
    if buffer:
        pieces = _LINE_BREAK.split(buffer)
        yield from (pieces[:-1] if pieces[-1] == b"" else pieces)


def _iter_parquet(path: Path, stream: bool) -> Iterator[tuple[pa.Table, TableSource]]:
    row = 0
    try:
        if stream:
            batches = integer_edges.streamed_parquet(path).iter_batches(
                batch_size=integer_edges.PARQUET_BATCH_ROWS
            )
            tables: Iterator[pa.Table] = (pa.Table.from_batches([batch]) for batch in batches)
        else:
            tables = iter([pq.read_table(path)])
        for table in tables:
            source = TableSource(path, 1 + row)
            _check_text(table, source)
            yield table, source
            row += table.num_rows
    except (pa.ArrowInvalid, pa.ArrowIOError, pa.ArrowNotImplementedError, OSError) as error:
        raise InputError(rules.parquet_problem(error), path=path) from None


def _check_text(table: pa.Table, source: TableSource) -> None:
    """Raise InputError for invalid UTF-8 in the names or text of a Parquet file, which
    pyarrow reads unchecked (and which would fail only when written out)."""
    try:
        names = table.column_names
    except UnicodeDecodeError:
        raise InputError("invalid UTF-8 text in a column name", path=source.path) from None
    try:
        table.validate(full=True)
    except pa.ArrowInvalid as error:
        for name, column in zip(names, table.columns, strict=True):
            offset = 0
            for chunk in column.chunks:
                index = _first_invalid_text(chunk)
                if index is not None:
                    raise InputError(
                        "invalid UTF-8 text",
                        path=source.path,
                        row=source.row(offset + index),
                        column=name,
                    ) from None
                offset += len(chunk)
        raise InputError(
            f"corrupt Parquet data ({rules.first_line(error)})", path=source.path
        ) from None


def _first_invalid_text(chunk: pa.Array) -> int | None:
    """Position of the first string of ``chunk`` that is not UTF-8, or None."""
    if pa.types.is_string(chunk.type):
        raw = chunk.view(pa.binary())
    elif pa.types.is_large_string(chunk.type):
        raw = chunk.view(pa.large_binary())
    else:
        return None
    try:
        chunk.validate(full=True)
        return None
    except pa.ArrowInvalid:
        pass
    for index, value in enumerate(raw.to_pylist()):
        try:
            if value is not None:
                value.decode("utf-8")
        except UnicodeDecodeError:
            return index
    return None


def _read_ndjson(path: Path) -> pa.Table:
    try:
        null_line = _has_null_line(path)
    except sniff.UndecodableText as error:  # a byte order mark for text that is not that
        raise InputError(
            f"{error}; NDJSON is read as UTF-8: save the file as UTF-8", path=path
        ) from None
    if null_line:
        # pyarrow 26's JSON reader crashes the process on a line that starts with `null`.
        raise _locate_ndjson_error(path, pa.ArrowInvalid("a line holds a JSON null"))
    try:
        table = pajson.read_json(path, read_options=pajson.ReadOptions(block_size=_BLOCK_SIZE))
        # pyarrow leaves invalid UTF-8 in JSON strings and names as it found them.
        table.validate(full=True)
        _ = table.column_names
    except (pa.ArrowInvalid, OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise _locate_ndjson_error(path, error) from None
    return table


_JSON_SPACE: Final = np.array([ord(" "), ord("\t"), ord("\r")], dtype=np.uint8)


def _has_null_line(path: Path) -> bool:
    """Whether a line of an NDJSON file starts with ``n`` (after spaces): a JSON ``null``.

    Vectorised over blocks of the file: the first byte of every line is looked at, and lines
    that start with spaces move on one byte at a time together. A gzip file that ends early
    counts as such a line, for :func:`_locate_ndjson_error` to report.
    """
    carry = b""
    first_block = True
    try:
        with _open_binary(path) as handle:
            while True:
                block = handle.read(_BLOCK_SIZE)
                data = carry + block
                if not data:
                    return False
                if first_block and data.startswith(b"\xef\xbb\xbf"):
                    data = data[3:]  # a byte order mark before the first line
                first_block = False
                end = data.rfind(b"\n") + 1 if block else len(data)
                if end == 0:  # no complete line yet: read on
                    carry = data
                    continue
                carry = data[end:]
                text = np.frombuffer(data, dtype=np.uint8, count=end)
                starts = np.concatenate(([0], np.flatnonzero(text[:-1] == ord("\n")) + 1))
                while starts.shape[0]:
                    spaced = np.isin(text[starts], _JSON_SPACE)
                    if not spaced.any():
                        break
                    starts[spaced] += 1
                    starts = starts[starts < end]
                if (text[starts] == ord("n")).any():
                    return True
                if not block:
                    return False
    except (EOFError, gzip.BadGzipFile, zlib.error):
        return True


def _locate_ndjson_error(path: Path, error: Exception) -> InputError:
    """Find the line an NDJSON parser rejected; runs on the error path only."""
    import json

    line_number = 0
    kinds: dict[str, tuple[str, int]] = {}  # column -> JSON kind of its values, first row
    try:
        with _open_binary(path) as handle:
            for line_number, raw_line in enumerate(handle, start=1):
                if not raw_line.strip():
                    continue
                length = len(raw_line.rstrip(b"\r\n"))
                if length >= _BLOCK_SIZE:
                    return InputError(
                        f"line longer than {_BLOCK_SIZE >> 20} MiB ({length:,} bytes), "
                        "the most one NDJSON record may hold",
                        path=path,
                        row=line_number,
                    )
                try:
                    record = json.loads(raw_line)
                except UnicodeDecodeError:
                    return InputError(rules.INVALID_UTF8, path=path, row=line_number)
                except json.JSONDecodeError as bad:
                    return InputError(f"invalid JSON ({bad.msg})", path=path, row=line_number)
                except RecursionError:
                    return InputError("JSON nested too deeply", path=path, row=line_number)
                if not isinstance(record, dict):
                    return InputError(
                        "expected one JSON object per line (NDJSON)", path=path, row=line_number
                    )
                for key, value in record.items():
                    kind = _json_kind(value)
                    if kind is None:
                        continue
                    first = kinds.setdefault(key, (kind, line_number))
                    if first[0] != kind:
                        return InputError(
                            f"{kind} here but {first[0]} on row {first[1]}: write every value of a "
                            "column the same way (ids as JSON strings)",
                            path=path,
                            row=line_number,
                            column=key,
                        )
    except (EOFError, gzip.BadGzipFile, zlib.error):
        return InputError(f"truncated or corrupt gzip file (after row {line_number})", path=path)
    if line_number == 0:
        return InputError("file is empty (no records)", path=path)
    return InputError(f"cannot parse NDJSON: {rules.first_line(error)}", path=path)


def _json_kind(value: object) -> str | None:
    """How pyarrow's JSON reader types a value: number, text, true/false, object or list."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        # pyarrow reads integers and decimals into one column (as floating point).
        return "a number"
    if isinstance(value, str):
        return "text"
    return "an object" if isinstance(value, dict) else "a list"


# --- validation and conversion -----------------------------------------------------------------


def _canonical_table(
    raw: pa.Table,
    spec: TableSpec,
    source: TableSource,
    interaction_type: str | None,
    known_types: tuple[str, ...] | None,
) -> pa.Table:
    path = source.path
    is_text = not source.path.name.lower().removesuffix(".gz").endswith(PARQUET_SUFFIXES)
    header_row = source.first_line - 1 if is_text and source.first_line > 1 else None
    columns: dict[str, pa.ChunkedArray] = {}
    original: dict[str, str] = {}
    for name, column in zip(raw.column_names, raw.columns, strict=True):
        canonical = spec.canonical_name(name) or name.strip()
        if canonical in columns:
            raise SchemaError(
                rules.columns_collide(original[canonical], name, canonical),
                path=path,
                row=header_row,
                column=name,
            )
        columns[canonical], original[canonical] = column, name
    if spec is INTERACTIONS and "type" not in columns and interaction_type is not None:
        columns["type"] = pa.chunked_array([pa.repeat(interaction_type, raw.num_rows)])
    for required in spec.required:
        if required not in columns:
            raise SchemaError(
                rules.missing_column(required, spec, raw.column_names),
                path=path,
                row=header_row,
            )
    converters: dict[str, Callable[[pa.ChunkedArray, str], pa.ChunkedArray]] = {}
    for name in columns:
        if name in spec.id_columns:
            converters[name] = lambda col, name: _id_column(col, source, name)
        elif name == "type" and spec is INTERACTIONS:
            converters[name] = lambda col, name: _type_column(col, source, name, known_types)
        elif spec.types.get(name) == pa.float64():
            converters[name] = lambda col, name: _float_column(col, source, name)
        elif spec.types.get(name) == pa.int64():
            converters[name] = lambda col, name: _int_column(col, source, name)
        elif spec.types.get(name) == TIMESTAMP_TYPE:
            converters[name] = lambda col, name: _timestamp_column(col, source, name)
        elif isinstance(spec.types.get(name), pa.ListType):
            converters[name] = lambda col, name: _list_column(col, source, name)
        elif name == "kind" and spec is ACCOUNTS:
            converters[name] = lambda col, name: _kind_column(col, source, name)
        else:
            converters[name] = lambda col, name: _optional_text(col, source, name)
    converted = {
        name: converters[name](column, original.get(name, name)) for name, column in columns.items()
    }
    ordered = [name for name in spec.types if name in converted]
    ordered += [name for name in converted if name not in spec.types]
    table = pa.table({name: converted[name] for name in ordered})
    if spec is ACCOUNTS:
        _check_unique(table.column("id"), source, original["id"])
    return table


def _string_column(column: pa.ChunkedArray, source: TableSource, name: str) -> pa.ChunkedArray:
    if pa.types.is_string(column.type):
        return column
    if pa.types.is_large_string(column.type) or pa.types.is_string_view(column.type):
        return column.cast(pa.string())
    if pa.types.is_null(column.type):
        return pa.chunked_array([pa.nulls(len(column), pa.string())])
    try:
        return column.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise SchemaError(
            f"expected text, found {column.type}", path=source.path, column=name
        ) from None


def _optional_text(column: pa.ChunkedArray, source: TableSource, name: str) -> pa.ChunkedArray:
    """A text attribute; empty cells become missing values. A NUL byte is refused anywhere
    (the sniffed head of a text file refuses it; past it, and in Parquet, this does)."""
    text = _string_column(column, source, name)
    offset = 0
    for chunk in text.chunks:
        data = chunk.buffers()[2] if len(chunk) else None
        # One pass over the bytes settles it: text without a NUL byte is not searched.
        if data is not None and data.size and not np.frombuffer(data, dtype=np.uint8).all():
            found = pc.fill_null(pc.match_substring(chunk, "\x00"), False)
            if pc.any(found).as_py():
                index = int(pc.index(found, True).as_py())
                raise InputError(
                    f"text with a NUL byte: {quoted(chunk[index].as_py())}",
                    path=source.path,
                    row=source.row(offset + index),
                    column=name,
                )
        offset += len(chunk)
    return _blank_to_null(text)


def _id_column(column: pa.ChunkedArray, source: TableSource, name: str) -> pa.ChunkedArray:
    if pa.types.is_floating(column.type) or pa.types.is_decimal(column.type):
        raise SchemaError(rules.FLOAT_IDS, path=source.path, column=name)
    ids = _string_column(column, source, name)
    offset = 0
    for chunk in ids.chunks:
        blank = _blank_positions(chunk)
        if blank.shape[0]:
            raise InputError(
                rules.EMPTY_ID,
                path=source.path,
                row=source.row(offset + int(blank[0])),
                column=name,
            )
        broken = _control_character_position(chunk)
        if broken is not None:
            value = chunk[broken].as_py()
            problem = (
                f"account id with a NUL byte: {quoted(value)}"
                if "\x00" in value
                else f"account id with a line break: {quoted(value)} (a double quote left open "
                "joins the lines that follow into one value)"
            )
            raise InputError(
                problem,
                path=source.path,
                row=source.row(offset + broken),
                column=name,
            )
        offset += len(chunk)
    return ids


def _control_character_position(chunk: pa.Array) -> int | None:
    """Position of the first string holding a line break or a NUL byte, or None.

    The minimum byte of the string data settles it for ordinary ids (one fast pass); only text
    holding control characters is searched string by string.
    """
    data_buffer = chunk.buffers()[2] if len(chunk) else None
    if data_buffer is None or data_buffer.size == 0:
        return None
    if int(np.frombuffer(data_buffer, dtype=np.uint8).min()) > ord("\r"):
        return None
    broken = pc.fill_null(pc.match_substring_regex(chunk, "[\\x00\r\n]"), False)
    if not pc.any(broken).as_py():
        return None
    return int(pc.index(broken, True).as_py())


# The first UTF-8 byte of every whitespace character that utf8_trim_whitespace (and Python's
# str.strip) removes: ASCII \t-\r, \x1c-\x1f and space, then U+0085 and U+00A0 (0xC2), U+1680
# (0xE1), U+2000-U+205F (0xE2) and U+3000 (0xE3).
_WHITESPACE_BYTES: Final = np.frombuffer(
    b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \xc2\xe1\xe2\xe3", dtype=np.uint8
)


def _blank_positions(chunk: pa.Array) -> np.ndarray:
    """Positions of null, empty or whitespace-only strings in a string array, in order.

    Reads the Arrow buffers directly: only strings that are empty or start with a whitespace
    byte are examined further, so a column of ordinary ids costs one pass over its offsets.
    """
    if len(chunk) == 0:
        return np.empty(0, dtype=np.int64)
    offsets, data = string_buffers(chunk)
    starts = offsets[:-1]
    empty = starts == offsets[1:]
    if data.shape[0] == 0:
        suspicious = np.ones(len(chunk), dtype=bool)
    else:
        first_bytes = data[np.minimum(starts, data.shape[0] - 1)]
        suspicious = empty | np.isin(first_bytes, _WHITESPACE_BYTES)
    if chunk.null_count:
        suspicious |= np.asarray(chunk.is_null().to_numpy(zero_copy_only=False))
    candidates = np.flatnonzero(suspicious)
    if candidates.shape[0] == 0:
        return candidates
    picked = chunk.take(integer_array(candidates))
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(picked), ""), True)
    positions: np.ndarray = candidates[np.asarray(blank.to_numpy(zero_copy_only=False), dtype=bool)]
    return positions


def _type_column(
    column: pa.ChunkedArray,
    source: TableSource,
    name: str,
    known_types: tuple[str, ...] | None,
) -> pa.ChunkedArray:
    interaction_types = rules.interaction_types(known_types)
    text = _string_column(column, source, name)
    encoded = pc.dictionary_encode(text).combine_chunks()
    if len(encoded) == 0:
        return text
    dictionary = encoded.dictionary.to_pylist()
    mapped: list[str | None] = []
    for value in dictionary:  # distinct values only: a handful
        key = (value or "").strip().lower()
        key = TYPE_ALIASES.get(key, key)
        mapped.append(key if key in interaction_types else None)
    valid = pa.array([value is not None for value in mapped])
    bad = pc.invert(pc.fill_null(pc.take(valid, encoded.indices), False))
    if pc.any(bad).as_py():
        index = pc.index(bad, True).as_py()
        value = text[index].as_py()
        raise InputError(
            rules.unknown_type(value, known_types),
            path=source.path,
            row=source.row(index),
            column=name,
        )
    return pa.chunked_array([pc.take(pa.array(mapped, pa.string()), encoded.indices)])


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(pc.utf8_trim_whitespace(column), ""), None, column)


def _float_column(column: pa.ChunkedArray, source: TableSource, name: str) -> pa.ChunkedArray:
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        text = _blank_to_null(column)
        series = pl.from_arrow(text)
        assert isinstance(series, pl.Series)
        values = series.str.strip_chars().cast(pl.Float64, strict=False)
        bad = values.is_null() & series.is_not_null()
        if bad.any():
            index = int(bad.arg_true()[0])
            raise InputError(
                rules.not_a_number(series[index]),
                path=source.path,
                row=source.row(index),
                column=name,
            )
        numbers = values.to_arrow().cast(pa.float64())
        column = pa.chunked_array([numbers])
    elif pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        column = column.cast(pa.float64())
    elif pa.types.is_null(column.type):
        return pa.chunked_array([pa.nulls(len(column), pa.float64())])
    else:
        raise SchemaError(f"expected numbers, found {column.type}", path=source.path, column=name)
    invalid = pc.invert(
        pc.fill_null(pc.and_(pc.is_finite(column), pc.greater_equal(column, 0)), True)
    )
    _raise_at_first(invalid, source, name, rules.WEIGHT_RANGE, column)
    return column


def _int_column(column: pa.ChunkedArray, source: TableSource, name: str) -> pa.ChunkedArray:
    if pa.types.is_integer(column.type):
        return column.cast(pa.int64())
    if pa.types.is_null(column.type):
        return pa.chunked_array([pa.nulls(len(column), pa.int64())])
    if pa.types.is_floating(column.type):
        column = column.cast(pa.string())
    series = pl.from_arrow(_string_column(column, source, name))
    assert isinstance(series, pl.Series)
    series = pl.Series(series.str.strip_chars()).replace("", None)
    exact = series.cast(pl.Int64, strict=False)
    # Whole numbers written as 1.0 or 1e3 too (exact up to 2**53, like any float).
    approximate = series.cast(pl.Float64, strict=False)
    in_range = (approximate.round(0) == approximate) & (approximate.abs() < 2.0**63)
    values = pl.select(
        pl.when(exact.is_not_null())
        .then(exact)
        .when(in_range)
        .then(approximate.cast(pl.Int64, strict=False))
        .otherwise(None)
    ).to_series()
    bad = values.is_null() & series.is_not_null()
    if bad.any():
        index = int(bad.arg_true()[0])
        number = approximate[index]
        too_large = number is not None and not math.isnan(number) and abs(number) >= 2.0**63
        problem = rules.WHOLE_NUMBER_RANGE if too_large else rules.NOT_WHOLE
        raise InputError(
            f"{problem}: {quoted(series[index])}",
            path=source.path,
            row=source.row(index),
            column=name,
        )
    return pa.chunked_array([values.to_arrow()])


_TIMESTAMP_FORMATS: Final = (
    ("%Y-%m-%dT%H:%M:%S%.f%#z", True),
    ("%Y-%m-%d %H:%M:%S%.f%#z", True),
    ("%Y-%m-%dT%H:%M:%S%.f", False),
    ("%Y-%m-%d %H:%M:%S%.f", False),
    ("%Y-%m-%dT%H:%M", False),
    ("%Y-%m-%d", False),
)


def _timestamp_column(column: pa.ChunkedArray, source: TableSource, name: str) -> pa.ChunkedArray:
    if pa.types.is_timestamp(column.type):
        _check_timestamp_range(column, source, name)
        if column.type.tz is None:
            column = pc.assume_timezone(column, "UTC")
        # Nanoseconds (pandas' default) truncate to the microseconds graphkit keeps.
        return column.cast(TIMESTAMP_TYPE, safe=False)
    if pa.types.is_null(column.type):
        return pa.chunked_array([pa.nulls(len(column), TIMESTAMP_TYPE)])
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        series = pl.from_arrow(column.cast(pa.float64()))
        assert isinstance(series, pl.Series)
        text = None
        epoch = series
    else:
        series = pl.from_arrow(_string_column(column, source, name))
        assert isinstance(series, pl.Series)
        text = pl.Series(series.str.strip_chars()).replace("", None)
        epoch = text.cast(pl.Float64, strict=False)
    in_range = epoch.is_between(rules.TIMESTAMP_MIN_SECONDS, rules.TIMESTAMP_MAX_SECONDS)
    micros = (epoch * 1e6).round(0).cast(pl.Int64, strict=False)
    parsed = pl.Series(micros.cast(pl.Datetime("us")).dt.replace_time_zone("UTC"))
    parsed = pl.select(pl.when(in_range).then(parsed).otherwise(None)).to_series()
    if text is not None:
        candidates = [parsed]
        for pattern, aware in _TIMESTAMP_FORMATS:
            if aware:
                parsed_text = text.str.to_datetime(
                    pattern, strict=False, time_unit="us", time_zone="UTC"
                )
            else:
                parsed_text = text.str.to_datetime(
                    pattern, strict=False, time_unit="us"
                ).dt.replace_time_zone("UTC")
            candidates.append(parsed_text)
        parsed = pl.select(pl.coalesce(candidates)).to_series()
        given = text.is_not_null()
    else:
        given = epoch.is_not_null()
    inside = parsed.cast(pl.Int64).is_between(TIMESTAMP_MIN_US, TIMESTAMP_MAX_US)
    bad = given & ~inside.fill_null(False)
    if bad.any():
        index = int(bad.arg_true()[0])
        value = (text if text is not None else epoch)[index]
        out_of_range = (
            epoch[index] is not None
            or bool(parsed.is_not_null()[index])
            or (isinstance(value, str) and rules.LONG_YEAR.match(value) is not None)
        )
        raise InputError(
            rules.timestamp_out_of_range(quoted(value))
            if out_of_range
            else rules.unparsable_timestamp(value),
            path=source.path,
            row=source.row(index),
            column=name,
        )
    return pa.chunked_array([parsed.to_arrow().cast(TIMESTAMP_TYPE)])


_PER_SECOND: Final = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _check_timestamp_range(column: pa.ChunkedArray, source: TableSource, name: str) -> None:
    """Raise InputError for a typed timestamp outside the years 0001 to 9999."""
    per_second = _PER_SECOND[column.type.unit]
    if per_second == 1_000_000_000:  # int64 nanoseconds span only the years 1677 to 2262
        return
    ticks = pc.cast(column, pa.int64())
    low = TIMESTAMP_MIN_US * per_second // 1_000_000
    high = TIMESTAMP_MAX_US * per_second // 1_000_000
    outside = pc.fill_null(pc.or_(pc.less(ticks, low), pc.greater(ticks, high)), False)
    if pc.any(outside).as_py():
        index = pc.index(outside, True).as_py()
        raise InputError(
            rules.timestamp_out_of_range(f"{ticks[index].as_py()} {column.type.unit} since 1970"),
            path=source.path,
            row=source.row(index),
            column=name,
        )


def _list_column(column: pa.ChunkedArray, source: TableSource, name: str) -> pa.ChunkedArray:
    if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
        return column.cast(pa.list_(pa.string()))
    series = pl.from_arrow(_string_column(column, source, name))
    assert isinstance(series, pl.Series)
    items = (
        series.str.split_regex(LIST_SEPARATORS)
        if hasattr(series.str, "split_regex")
        else (series.str.replace_all(LIST_SEPARATORS, ";").str.split(";"))
    )
    cleaned = items.list.eval(pl.element().str.strip_chars()).list.eval(
        pl.element().filter(pl.element() != "")
    )
    return pa.chunked_array([cleaned.to_arrow().cast(pa.list_(pa.string()))])


def _kind_column(column: pa.ChunkedArray, source: TableSource, name: str) -> pa.ChunkedArray:
    text = pc.utf8_lower(pc.utf8_trim_whitespace(_string_column(column, source, name)))
    text = pc.if_else(pc.equal(text, ""), None, text)
    # is_in is false (not null) for a missing value, which is allowed.
    invalid = pc.and_(pc.is_valid(text), pc.invert(pc.is_in(text, pa.array(ACCOUNT_KINDS))))
    _raise_at_first(invalid, source, name, rules.KIND_VALUES, text)
    return text


def _check_unique(ids: pa.ChunkedArray, source: TableSource, name: str) -> None:
    series = pl.from_arrow(ids)
    assert isinstance(series, pl.Series)
    duplicated = series.is_duplicated()
    if duplicated.any():
        first_seen = series.is_first_distinct()
        repeated = duplicated & ~first_seen
        index = int(repeated.arg_true()[0])
        raise InputError(
            rules.duplicate_id(series[index]),
            path=source.path,
            row=source.row(index),
            column=name,
        )


def _raise_at_first(
    mask: pa.ChunkedArray | pa.Array,
    source: TableSource,
    name: str,
    message: str,
    values: pa.ChunkedArray | None = None,
) -> None:
    if len(mask) == 0 or not pc.any(mask).as_py():
        return
    index = pc.index(mask, True).as_py()
    problem = rules.found(message, values[index].as_py()) if values is not None else message
    raise InputError(problem, path=source.path, row=source.row(index), column=name)
