"""Reading tables into canonical Spark DataFrames, validated by the rules of
:mod:`graphkit.io.rules`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from pyspark.errors import PySparkException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from graphkit.engines.spark.locations import (
    _exists,
    _file_format,
    _folder_format,
    _is_local,
    _local_folder_format,
    _local_path,
    find_tables,
)
from graphkit.engines.spark.session import _first_line
from graphkit.engines.spark.validation import _canonical, _located, _validate
from graphkit.errors import (
    InputError,
    SchemaError,
)
from graphkit.io import rules
from graphkit.io.rules import split_first_line
from graphkit.io.schema import (
    ACCOUNTS,
    TABLES,
    TableSpec,
)

_SNIFF_LINES: Final = 64
_REPLACEMENT: Final = "\ufffd"  # what Spark reads bytes that are not UTF-8 as


@dataclass
class SparkTables:
    """The canonical tables as Spark DataFrames; any of them may be absent.

    Attributes
    ----------
    accounts, follows, interactions, identities
        DataFrames with the canonical column names of :mod:`graphkit.io.schema`; ids are
        strings, ``weight`` double, ``timestamp`` a UTC timestamp, ``topics`` an array of
        strings. ``accounts`` has a ``_row`` column: the file order, for identity merge.
    sources
        The location each table was read from, by table name.
    """

    accounts: DataFrame | None = None
    follows: DataFrame | None = None
    interactions: DataFrame | None = None
    identities: DataFrame | None = None
    sources: dict[str, str] = field(default_factory=dict)


def read_tables(
    session: SparkSession,
    folder: str | None = None,
    *,
    accounts: str | None = None,
    follows: str | None = None,
    interactions: str | None = None,
    identities: str | None = None,
    interaction_type: str | None = None,
    known_types: Sequence[str] | None = None,
) -> SparkTables:
    """Read a dataset folder and/or named tables at Spark-readable locations.

    Parameters
    ----------
    session
        The Spark session.
    folder
        A folder holding ``accounts.*``, ``follows.*``, ``interactions.*`` and
        ``identities.*`` files or folders of part files (``follows.parquet/``,
        ``follows/``); named tables take precedence over the folder's.
    accounts, follows, interactions, identities
        Locations of single tables: a file, a folder of part files, or a glob.
    interaction_type
        The type of every record of an interactions table without a type column.
    known_types
        Interaction types accepted (default: repost, quote, reply, comment, mention, like and
        their aliases).

    Returns
    -------
    SparkTables

    Raises
    ------
    InputError
        When a table is missing, unreadable or invalid (naming file, row where the file is
        local, and column), or when neither follows nor interactions were found.
    """
    locations: dict[str, str] = {}
    if folder is not None:
        locations.update(find_tables(session, folder))
    named = {
        "accounts": accounts,
        "follows": follows,
        "interactions": interactions,
        "identities": identities,
    }
    locations.update({name: str(value) for name, value in named.items() if value is not None})
    if "follows" not in locations and "interactions" not in locations:
        raise InputError(rules.no_edge_tables(folder, "LOCATION"))
    tables = SparkTables(sources=dict(locations))
    for name, location in locations.items():
        table = read_table(
            session,
            location,
            TABLES[name],
            interaction_type=interaction_type if name == "interactions" else None,
            known_types=known_types,
        )
        setattr(tables, name, table)
    return tables


def read_table(
    session: SparkSession,
    location: str,
    spec: TableSpec,
    *,
    interaction_type: str | None = None,
    known_types: Sequence[str] | None = None,
) -> DataFrame:
    """Read one table into the canonical DataFrame described by ``spec``, validated.

    Parameters
    ----------
    session
        The Spark session.
    location
        A file, a folder of part files, or a glob, at any location Spark reads. Delimited
        text without a header is read as a SNAP-style edge list (``a b``, ``a b weight``,
        ``a b timestamp type``), as by :func:`graphkit.io.read_table`.
    spec
        The table, e.g. :data:`graphkit.io.schema.FOLLOWS`.
    interaction_type, known_types
        As for :func:`read_tables`.

    Returns
    -------
    pyspark.sql.DataFrame
        Canonical columns (see :class:`SparkTables`); other columns pass through as text.

    Raises
    ------
    InputError
        Naming the location, the column and the offending value (and the row, for local
        files, from :func:`graphkit.io.read_table` on this error path only).
    """
    if _is_local(location) and not any(char in location for char in "*?[{"):
        path = _local_path(location)
        if not path.exists():
            raise InputError("file or folder not found", path=location)
        file_format = _file_format(location) or _local_folder_format(path)
    else:
        if not _exists(session, location):
            raise InputError("file or folder not found", path=location)
        file_format = _file_format(location) or _folder_format(session, location)
    try:
        if file_format == "parquet":
            raw, header_row = session.read.parquet(location), None
        elif file_format == "json":
            raw = session.read.option("primitivesAsString", "true").json(location)
            header_row = None
        else:
            raw, header_row = _read_delimited(session, location, spec)
        table = _canonical(raw, spec, location, header_row, interaction_type, known_types)
        _validate(table, spec, location, interaction_type, known_types)
    except Exception as error:
        # Spark fails a task on a broken file (a cut gzip stream, no Parquet footer), raising
        # a PySparkException or, from the JVM, a py4j error: for a local file the local
        # reader says what is wrong and where.
        if not isinstance(error, PySparkException) and not _from_spark(error):
            raise
        raise _located(location, spec, interaction_type, known_types) or InputError(
            f"cannot read ({_first_line(error)})", path=location
        ) from None
    if spec is ACCOUNTS:
        table = table.withColumn("_row", F.monotonically_increasing_id())
    return table


def _read_delimited(
    session: SparkSession, location: str, spec: TableSpec
) -> tuple[DataFrame, int | None]:
    """Delimited text as string columns, and the header's line (None without a header)."""
    head = [str(row[0]) for row in session.read.text(location).limit(_SNIFF_LINES).collect()]
    if any("\x00" in line or _REPLACEMENT in line for line in head):
        # Not UTF-8 text (UTF-16, Latin-1, binary): the local reader names the problem.
        located = _located(location, spec, None, None)
        if located is not None:
            raise located
        raise InputError(rules.INVALID_UTF8, path=location)
    skip = 0
    first: str | None = None
    for line in head:
        if line.startswith("#") or not line.strip():
            skip += 1
            continue
        first = line.lstrip("\ufeff")
        break
    if first is None:
        raise InputError(rules.FILE_EMPTY, path=location)
    delimiter, fields, drop_trailing = split_first_line(first)
    has_header = any(spec.canonical_name(name) is not None for name in fields)
    if has_header:
        names = [name.strip() for name in fields]
    else:
        names = _headerless_names(location, spec, len(fields))
    read_names = [*names, "_trailing"] if drop_trailing else names
    schema = T.StructType(
        [T.StructField(name, T.StringType()) for name in [*read_names, "_corrupt"]]
    )
    # PERMISSIVE with a corrupt-record column: a row of the wrong field count is kept whole
    # there, for the validation pass to report, instead of failing a task somewhere.
    reader = session.read.options(
        sep=delimiter,
        header=str(has_header).lower(),
        mode="PERMISSIVE",
        columnNameOfCorruptRecord="_corrupt",
        enforceSchema="true",
        escape='"',  # RFC 4180 doubles a quote inside a field, as the local reader reads it
    )
    if skip:
        reader = reader.option("comment", "#")
    frame = reader.schema(schema).csv(location)
    found = F.size(F.split(F.col("_corrupt"), re.escape(delimiter)))
    frame = frame.select(
        *(F.col(f"`{name}`") for name in names),
        F.when(F.col("_corrupt").isNotNull(), found).alias("_fields"),
        F.lit(len(read_names)).alias("_expected"),
    )
    return frame, (skip + 1 if has_header else None)


def _headerless_names(location: str, spec: TableSpec, n_fields: int) -> list[str]:
    names = rules.headerless_names(spec, n_fields)
    if names is None:
        raise SchemaError(rules.no_header(spec), path=location, row=1)
    return names


def _from_spark(error: Exception) -> bool:
    """Whether ``error`` comes from Spark (pyspark or the py4j bridge to its JVM)."""
    return type(error).__module__.split(".")[0] in ("pyspark", "py4j")
