"""The Spark engine: ``graphkit rank`` and ``graphkit communities`` on Spark DataFrames.

For graphs that outgrow one machine. It reads the same tables as :mod:`graphkit.io` (CSV,
CSV.gz, header-less edge lists, Parquet, NDJSON; a file or a folder of part files) at any
location Spark can read (``s3a://``, ``gs://``, ``abfss://``, ``hdfs://``, local paths), and
computes what the local engine computes:

- the influence graph with the weighting of :mod:`graphkit.graph.weights`: per-type weights,
  the record's ``weight`` column, half-life decay of interactions back from ``as_of`` (default:
  the newest interaction), identity merge, self-loops dropped and counted, duplicates summed;
- weighted, optionally personalized PageRank by the very iteration of
  :mod:`graphkit.kernels.pagerank` (start uniform; dangling score and teleport spread by the
  personalization vector; stop when the L1 change is below the tolerance), so scores agree with
  the local engine to rounding and take the same number of iterations;
- distinct followers, interactions received and engagement per follower;
- communities by a synchronous, seeded label propagation for modularity (see
  :func:`label_propagation` for how and why it differs from the local kernel).

Only the DataFrame API is used (no RDDs, no JVM calls), so everything runs unchanged over
Spark Connect (``--spark-remote sc://host:15002``). Each iteration is checkpointed, with
``localCheckpoint`` or, when the session has ``spark.checkpoint.dir`` set, a reliable
``checkpoint``, so query plans stay one iteration long. GraphFrames is not used: it has no
weighted PageRank and its label propagation ignores weights, so it could compute neither.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlparse

import polars as pl
import pyarrow as pa

from graphkit.algorithms.pagerank import DEFAULT_DAMPING, DEFAULT_MAX_ITER, DEFAULT_TOLERANCE
from graphkit.analysis import COMMUNITY_COLUMNS, RANK_COLUMNS
from graphkit.errors import (
    ConvergenceError,
    EngineUnavailableError,
    InputError,
    ParameterError,
    SchemaError,
)
from graphkit.graph.weights import Weighting
from graphkit.io.readers import split_first_line
from graphkit.io.schema import (
    ACCOUNT_KINDS,
    ACCOUNTS,
    DEFAULT_TYPE_WEIGHTS,
    FOLLOWS,
    INTERACTIONS,
    TABLES,
    TYPE_ALIASES,
    TableSpec,
)

INSTALL_HINT: Final = "--engine spark needs pyspark: pip install 'graphkit[spark]'"

try:
    from pyspark import StorageLevel
    from pyspark.errors import AnalysisException, PySparkException
    from pyspark.sql import Column, DataFrame, Observation, SparkSession, Window
    from pyspark.sql import functions as F
    from pyspark.sql import types as T
except ImportError:
    raise EngineUnavailableError(INSTALL_HINT) from None

DEFAULT_MASTER: Final = "local[*]"
DEFAULT_LABEL_PROPAGATION_ITERATIONS: Final = 100
_ACCOUNT_COLUMNS: Final = ("handle", "name", "kind", "organization", "title")
_LOG_CONFIG: Final = Path(__file__).with_name("spark-log4j2.properties")
_URI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://|^file:/")
_PARQUET_SUFFIXES: Final = (".parquet", ".pq")
_JSON_SUFFIXES: Final = (".ndjson", ".jsonl", ".json")
_DELIMITED_SUFFIXES: Final = (".csv", ".tsv", ".txt", ".edgelist", ".edges", ".el", ".dat")
_SNIFF_LINES: Final = 64
# Per-node tables (id and score: about 16 bytes a node) up to this many nodes are broadcast.
_BROADCAST_NODES: Final = 2_000_000
_WHITESPACE: Final = " \t\n\r\x0b\x0c"
_EPOCH_SECONDS_LIMIT: Final = 1e13  # as graphkit.io.readers: about +-300,000 years


# --- session -----------------------------------------------------------------------------------


def spark_session(
    *,
    master: str | None = None,
    remote: str | None = None,
    checkpoint_dir: str | None = None,
    conf: Mapping[str, str] | None = None,
) -> SparkSession:
    """Start (or join) the Spark session the engine runs in.

    Parameters
    ----------
    master
        Spark master URL (``local[*]``, ``spark://host:7077``, ``yarn``, ``k8s://...``).
        Default: the one ``spark-submit`` set, else ``local[*]``.
    remote
        Spark Connect URL (``sc://host:15002``) instead of a master: the client then holds no
        JVM and all work runs on the server.
    checkpoint_dir
        Where iterations are checkpointed reliably (a folder on storage all executors
        reach); default: each iteration is kept with ``localCheckpoint`` on the executors.
    conf
        Further Spark settings (``spark.driver.memory`` and the like).

    Returns
    -------
    pyspark.sql.SparkSession
        A session whose SQL time zone is UTC (times without an offset are UTC, as in the
        local engine).

    Raises
    ------
    ParameterError
        When both ``master`` and ``remote`` are given.
    """
    if master is not None and remote is not None:
        raise ParameterError("give --spark-master or --spark-remote, not both")
    settings: dict[str, str] = {"spark.app.name": "graphkit"}
    if remote is not None:
        builder = SparkSession.builder.remote(remote)
    else:
        builder = SparkSession.builder
        submitted = "PYSPARK_GATEWAY_PORT" in os.environ or "SPARK_REMOTE" in os.environ
        if master is not None or not submitted:
            chosen = master or DEFAULT_MASTER
            builder = builder.master(chosen)
            if chosen.startswith("local") and SparkSession.getActiveSession() is None:
                settings.update(_local_settings(chosen))
    if checkpoint_dir is not None:
        settings["spark.checkpoint.dir"] = checkpoint_dir
        settings["spark.cleaner.referenceTracking.cleanCheckpoints"] = "true"
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.conf.set("spark.sql.session.timeZone", "UTC")
    return session


def _local_settings(master: str) -> dict[str, str]:
    """Settings for a JVM started here: quiet, no web UI, few shuffle partitions."""
    match = re.match(r"local\[(\d+)", master)
    cores = int(match.group(1)) if match else os.cpu_count() or 1
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        # Spark's default driver heap (1 GiB) thrashes on a few million edges.
        "spark.driver.memory": f"{max(1, min(32, int(memory_gib // 4)))}g",
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(max(2, 2 * cores)),
        "spark.driver.extraJavaOptions": f"-Dlog4j.configurationFile=file:{_LOG_CONFIG}",
    }


def _observed(observation: Observation) -> Mapping[str, float] | None:
    """The metrics of an observation if Spark delivered them, else None."""
    try:
        values = observation.get
    except PySparkException:
        return None
    return values if values else None


def _partitions(session: SparkSession) -> int:
    return int(session.conf.get("spark.sql.shuffle.partitions", "200") or 200)


def _by_node(frame: DataFrame, n_nodes: int) -> DataFrame:
    """A per-node table to join to edges: broadcast to every executor while it is small."""
    return F.broadcast(frame) if n_nodes <= _BROADCAST_NODES else frame


def _cached(frame: DataFrame) -> DataFrame:
    """Materialise a table read many times in Spark's columnar cache (release it with
    ``unpersist``); unlike a checkpoint it keeps its lineage, so lost blocks are recomputed."""
    cached = frame.persist()
    cached.count()
    return cached


def _checkpoint(frame: DataFrame) -> DataFrame:
    """Materialise ``frame`` and cut its lineage (reliably when a checkpoint dir is set)."""
    if frame.sparkSession.conf.get("spark.checkpoint.dir", None):
        return frame.checkpoint(eager=True)
    # Serialized blocks: rows as bytes take a fraction of the heap of row objects.
    return frame.localCheckpoint(eager=True, storageLevel=StorageLevel.MEMORY_AND_DISK)


# --- locations ---------------------------------------------------------------------------------


def is_uri(location: str | Path) -> bool:
    """Whether ``location`` names a storage scheme (``s3a://``, ``file:/``...).

    Examples
    --------
    >>> is_uri("s3a://bucket/follows.parquet"), is_uri("data/follows.csv")
    (True, False)
    """
    return _URI.match(str(location)) is not None


def _file_format(location: str) -> str | None:
    """``parquet``, ``json`` or ``delimited`` from the suffix, or None (e.g. a folder)."""
    name = location.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".gz")
    if name.endswith(_PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(_JSON_SUFFIXES):
        return "json"
    if name.endswith(_DELIMITED_SUFFIXES):
        return "delimited"
    return None


def _exists(session: SparkSession, location: str) -> bool:
    try:
        session.read.format("binaryFile").load(location).schema  # noqa: B018 (analysis only)
    except AnalysisException:
        return False
    return True


def _folder_format(session: SparkSession, location: str) -> str:
    """The format of a folder of part files, from the suffix of its first file."""
    files = (
        session.read.format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(location)
        .select("path")
        .limit(16)
        .collect()
    )
    for row in files:
        found = _file_format(str(row["path"]))
        if found is not None:
            return found
    if files:
        return "parquet"  # Spark's own default format
    raise InputError("folder holds no table files", path=location)


def _local_folder_format(path: Path) -> str:
    if not path.is_dir():
        raise InputError(
            "cannot tell the format: use a .csv, .parquet or .ndjson suffix", path=path
        )
    for child in sorted(path.rglob("*")):
        if child.is_file() and not child.name.startswith((".", "_")):
            found = _file_format(child.name)
            if found is not None:
                return found
            return "parquet"
    raise InputError("folder holds no table files", path=path)


# --- reading -----------------------------------------------------------------------------------


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
        where = f" in {folder}" if folder is not None else ""
        raise InputError(
            f"no follows or interactions table found{where}; "
            "give a dataset folder, --follows LOCATION or --interactions LOCATION"
        )
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


def find_tables(session: SparkSession, folder: str) -> dict[str, str]:
    """The table locations of a dataset folder, by table name.

    Entries named ``accounts``, ``follows``, ``interactions`` or ``identities`` (a file with
    a table suffix, or a folder of part files) count; a local folder is listed here, a URI
    with one listing job on the cluster.

    Raises
    ------
    InputError
        When the folder does not exist, holds two entries for one table, or no table.
    """
    base = str(folder).rstrip("/")
    entries = _local_entries(base) if _is_local(base) else _remote_entries(session, base)
    found: dict[str, str] = {}
    for entry in sorted(entries):
        stem = entry.split(".", 1)[0].lower()
        if stem not in TABLES:
            continue
        if stem in found:
            first = found[stem].rsplit("/", 1)[-1]
            raise InputError(f"two files for the {stem} table: {first} and {entry}", path=folder)
        found[stem] = base + "/" + entry
    if not found:
        raise InputError(
            "no tables found: expected accounts.*, follows.*, interactions.* or identities.* "
            "(.csv, .csv.gz, .parquet, .ndjson, or folders of part files)",
            path=folder,
        )
    return found


def _is_local(location: str) -> bool:
    return not is_uri(location) or location.startswith("file:")


def _local_path(location: str) -> Path:
    return Path(re.sub(r"^file:(//)?", "", location))


def _local_entries(folder: str) -> list[str]:
    path = _local_path(folder)
    if not path.is_dir():
        raise InputError(
            "dataset folder not found" if not path.exists() else "expected a dataset folder",
            path=folder,
        )
    return [child.name for child in path.iterdir() if not child.name.startswith((".", "_"))]


def _remote_entries(session: SparkSession, folder: str) -> list[str]:
    """Names of the entries under ``folder`` whose names start with a table name."""
    pattern = folder + "/{" + ",".join(TABLES) + "}*"
    try:
        files = (
            session.read.format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(pattern)
            .select("path")
            .collect()
        )
    except AnalysisException:
        if not _exists(session, folder):
            raise InputError("dataset folder not found", path=folder) from None
        return []
    depth = len([part for part in urlparse(folder).path.split("/") if part])
    names = set()
    for row in files:
        parts = [part for part in urlparse(str(row["path"])).path.split("/") if part]
        if len(parts) > depth:
            names.add(parts[depth])
    return sorted(names)


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
    except PySparkException as error:
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
    skip = 0
    first: str | None = None
    for line in head:
        if line.startswith("#") or not line.strip():
            skip += 1
            continue
        first = line.lstrip("\ufeff")
        break
    if first is None:
        raise InputError("file is empty (no header and no rows)", path=location)
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
    if spec is FOLLOWS and n_fields in (2, 3):
        return ["follower", "followed", "weight"][:n_fields]
    if spec is INTERACTIONS and n_fields in (2, 3):
        return ["source", "target", "weight"][:n_fields]
    if spec is INTERACTIONS and n_fields == 4:
        return ["source", "target", "timestamp", "type"]
    raise SchemaError(
        f"no header row found; a {spec.name} file needs a header naming "
        f"{', '.join(spec.required)}"
        + (
            " (or a header-less edge list: 'a b', 'a b weight' or 'a b timestamp type')"
            if spec in (FOLLOWS, INTERACTIONS)
            else ""
        ),
        path=location,
        row=1,
    )


def _strip(column: Column) -> Column:
    """Text without leading and trailing whitespace (``btrim``: no regular expression)."""
    return F.btrim(column, F.lit(_WHITESPACE))


def _canonical(
    raw: DataFrame,
    spec: TableSpec,
    location: str,
    header_row: int | None,
    interaction_type: str | None,
    known_types: Sequence[str] | None,
) -> DataFrame:
    """Rename to canonical columns and convert to the schema's types (bad values -> null)."""
    columns: dict[str, str] = {}
    for name in raw.columns:
        if name in ("_fields", "_expected"):
            continue
        canonical = spec.canonical_name(name) or name.strip()
        if canonical in columns:
            raise SchemaError(
                f"columns '{columns[canonical]}' and '{name}' both mean '{canonical}'",
                path=location,
                row=header_row,
                column=name,
            )
        columns[canonical] = name
    if spec is INTERACTIONS and "type" not in columns and interaction_type is not None:
        raw = raw.withColumn("_type", F.lit(interaction_type))
        columns["type"] = "_type"
    for required in spec.required:
        if required not in columns:
            found = ", ".join(name for name in raw.columns if not name.startswith("_")) or "none"
            hint = (
                " (or pass --interaction-type TYPE)"
                if spec is INTERACTIONS and required == "type"
                else ""
            )
            raise SchemaError(
                f"missing required column '{required}' in the {spec.name} table "
                f"(found: {found}){hint}",
                path=location,
                row=header_row,
            )
    types = dict(raw.dtypes)
    converted: list[Column] = []
    for name, original in columns.items():
        source = F.col(f"`{original}`")
        kind = types[original]
        if name in spec.id_columns:
            if kind in ("double", "float") or kind.startswith("decimal"):
                raise SchemaError(
                    "account ids must be text or integers, found floating-point numbers",
                    path=location,
                    column=original,
                )
            converted.append(source.cast("string").alias(name))
        elif name == "type" and spec is INTERACTIONS:
            converted.append(_type_column(source, known_types).alias(name))
            converted.append(source.cast("string").alias("_raw_type"))
        elif spec.types.get(name) in (pa.float64(), pa.int64()):
            converted.append(_number(source, kind).alias(name))
            converted.append(source.cast("string").alias(f"_raw_{name}"))
        elif name in ("timestamp", "since"):
            converted.append(_micros(source, kind).alias(f"_micros_{name}"))
            converted.append(source.cast("string").alias(f"_raw_{name}"))
        elif isinstance(spec.types.get(name), pa.ListType):
            converted.append(_text_list(source, kind).alias(name))
        elif name == "kind" and spec is ACCOUNTS:
            text = F.lower(_strip(source.cast("string")))
            converted.append(F.when(text != "", text).alias(name))
        else:
            text = source.cast("string")
            converted.append(F.when(_strip(text) != "", text).alias(name))
    if "_fields" in raw.columns:
        converted += [F.col("_fields"), F.col("_expected")]
    return raw.select(*converted)


def _type_column(source: Column, known_types: Sequence[str] | None) -> Column:
    """Canonical interaction type (aliases resolved), null where unknown."""
    known = tuple(known_types) if known_types is not None else tuple(DEFAULT_TYPE_WEIGHTS)
    interaction_types = [value for value in known if value != "follow"]
    key = F.lower(_strip(source.cast("string")))
    aliases = F.create_map(*(F.lit(part) for pair in TYPE_ALIASES.items() for part in pair))
    mapped = F.coalesce(F.element_at(aliases, key), key)
    return F.when(mapped.isin(interaction_types), mapped)


def _number(source: Column, kind: str) -> Column:
    """A double from a number or text column; null where blank or not a number."""
    if kind == "string":
        text = _strip(source)
        return F.when(text != "", text).try_cast("double")
    return source.cast("double")


def _micros(source: Column, kind: str) -> Column:
    """Microseconds since the epoch (double) from a timestamp, Unix seconds or ISO 8601."""
    if kind.startswith("timestamp"):
        return F.unix_micros(source.cast("timestamp")).cast("double")
    if kind == "string":
        text = _strip(source)
        text = F.when(text != "", text)
        epoch = text.try_cast("double")
        iso = F.unix_micros(F.try_to_timestamp(text)).cast("double")
    else:
        epoch = source.cast("double")
        iso = F.lit(None).cast("double")
    from_epoch = F.when(
        F.abs(epoch) < _EPOCH_SECONDS_LIMIT, F.round(epoch * 1e6)
    )  # whole microseconds, as the local reader
    return F.coalesce(from_epoch, iso)


def _text_list(source: Column, kind: str) -> Column:
    if kind.startswith("array"):
        return source.cast("array<string>")
    items = F.transform(F.split(source.cast("string"), "[;|]"), _strip)
    return F.filter(items, lambda item: item != "")


def _validate(
    table: DataFrame,
    spec: TableSpec,
    location: str,
    interaction_type: str | None,
    known_types: Sequence[str] | None,
) -> None:
    """One pass counting every kind of bad value; raises on the first kind found."""
    checks: list[tuple[str, str, Column, Column]] = []  # message, column, bad, shown value
    if "_fields" in table.columns:
        counts = F.format_string("%d fields, found %d", F.col("_expected"), F.col("_fields"))
        checks.append(("expected {text}", "", F.col("_fields").isNotNull(), counts))
    for name in spec.id_columns:
        value = F.col(name)
        checks.append(("empty account id", name, value.isNull() | (_strip(value) == ""), value))
    if "type" in table.columns and spec is INTERACTIONS:
        known = tuple(known_types) if known_types is not None else tuple(DEFAULT_TYPE_WEIGHTS)
        names = ", ".join(value for value in known if value != "follow")
        checks.append(
            (
                "unknown interaction type {value}; expected one of "
                + names
                + " (add types with --weights TYPE=W)",
                "type",
                F.col("type").isNull(),
                F.col("_raw_type"),
            )
        )
    for name in ("weight", "followers_count"):
        if name not in table.columns:
            continue
        raw, value = F.col(f"_raw_{name}"), F.col(name)
        blank = raw.isNull() | (_strip(raw) == "")
        if name == "weight":
            checks.append(("not a number: {value}", name, value.isNull() & ~blank, raw))
            invalid = value.isNotNull() & (
                F.isnan(value) | (F.abs(value) == math.inf) | (value < 0)
            )
            checks.append(
                ("weight must be a finite number >= 0 (found {value})", name, invalid, raw)
            )
        else:
            not_whole = value.isNotNull() & (F.round(value) != value)
            checks.append(
                ("not a whole number: {value}", name, (value.isNull() & ~blank) | not_whole, raw)
            )
    for name in ("timestamp", "since"):
        if f"_micros_{name}" not in table.columns:
            continue
        raw = F.col(f"_raw_{name}")
        given = raw.isNotNull() & (_strip(raw) != "")
        checks.append(
            (
                "unparsable timestamp {value}; use ISO 8601 (2025-03-04T10:00:00Z) or Unix seconds",
                name,
                F.col(f"_micros_{name}").isNull() & given,
                raw,
            )
        )
    if "kind" in table.columns and spec is ACCOUNTS:
        kind = F.col("kind")
        checks.append(
            (
                f"kind must be one of {', '.join(ACCOUNT_KINDS)} or empty (found {{value}})",
                "kind",
                kind.isNotNull() & ~kind.isin(*ACCOUNT_KINDS),
                kind,
            )
        )
    if not checks:
        return
    aggregates = []
    for index, (_, _, bad, value) in enumerate(checks):
        aggregates.append(F.count_if(bad).alias(f"bad{index}"))
        aggregates.append(F.first(F.when(bad, value), ignorenulls=True).alias(f"value{index}"))
    result = table.agg(*aggregates).first()
    assert result is not None
    for index, (message, column, _, _) in enumerate(checks):
        if result[f"bad{index}"]:
            located = _located(location, spec, interaction_type, known_types)
            if located is not None:
                raise located
            value = result[f"value{index}"]
            raise InputError(
                message.format(value=repr(value), text=value), path=location, column=column or None
            )
    if spec is ACCOUNTS:
        repeated = table.groupBy("id").count().filter(F.col("count") > 1).limit(1).collect()
        if repeated:
            located = _located(location, spec, interaction_type, known_types)
            if located is not None:
                raise located
            raise InputError(
                f"duplicate account id {repeated[0]['id']!r}", path=location, column="id"
            )


def _located(
    location: str,
    spec: TableSpec,
    interaction_type: str | None,
    known_types: Sequence[str] | None,
) -> InputError | None:
    """The local reader's error, naming the row, for a local file (error path only)."""
    if not _is_local(location):
        return None
    path = _local_path(location)
    if not path.is_file():
        return None
    from graphkit.io.readers import read_table as read_local_table

    try:
        read_local_table(
            path,
            spec,
            interaction_type=interaction_type,
            known_types=tuple(known_types) if known_types is not None else None,
        )
    except InputError as error:
        return error
    return None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


# --- the influence graph -----------------------------------------------------------------------


@dataclass(frozen=True)
class SparkGraph:
    """The influence graph as checkpointed DataFrames: ``u -> v`` means u pays attention to v.

    Attributes
    ----------
    nodes
        One row per account: ``node`` (0 .. n-1 in the order of ``id``), ``id``,
        ``out_weight`` (0 for dangling nodes), ``followers`` (distinct followers),
        ``interactions_received`` (records, by their ``weight`` column) and
        ``engagement_received`` (type-weighted, decayed).
    edges
        One row per distinct edge, self-loops dropped: ``src``, ``dst`` (node numbers),
        ``weight`` (summed over its records) and ``follow`` (whether a follow is among them).
    accounts
        Account attributes after identity merge, keyed by ``id``; None without an accounts
        table.
    n_nodes, n_edges
        Accounts and distinct edges.
    self_loops, records
        Self-loop records dropped, and follow and interaction records read.
    """

    nodes: DataFrame
    edges: DataFrame
    accounts: DataFrame | None
    n_nodes: int
    n_edges: int
    self_loops: int
    records: int


def build_graph(tables: SparkTables, weighting: Weighting | None = None) -> SparkGraph:
    """Build the influence graph of the tables, weighted as :func:`graphkit.graph.build_graph`.

    Parameters
    ----------
    tables
        Tables from :func:`read_tables`.
    weighting
        Type weights and decay (default: the default type weights, no decay).

    Returns
    -------
    SparkGraph

    Raises
    ------
    InputError
        When there are no follow or interaction records, or an account is mapped to more
        than one person.
    """
    weighting = weighting or Weighting()
    person_of = identity_map(tables.identities)
    parts: list[DataFrame] = []
    if tables.follows is not None:
        follows = _merged(_merged(tables.follows, "follower", person_of), "followed", person_of)
        weight = F.lit(float(weighting.type_weights.get("follow", 1.0)))
        if "weight" in follows.columns:
            weight = weight * F.coalesce(F.col("weight"), F.lit(1.0))
        parts.append(
            follows.select(
                F.col("follower").alias("src"),
                F.col("followed").alias("dst"),
                weight.alias("weight"),
                F.lit(True).alias("follow"),
                F.lit(0.0).alias("received"),
                F.lit(0.0).alias("engagement"),
            )
        )
    if tables.interactions is not None:
        parts.append(_interaction_records(tables.interactions, weighting, person_of))
    records = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    grouped = _cached(
        records.groupBy("src", "dst").agg(
            F.count("*").alias("records"),
            F.sum("weight").alias("weight"),
            F.max("follow").alias("follow"),
            F.sum("received").alias("received"),
            F.sum("engagement").alias("engagement"),
        )
    )
    totals = grouped.agg(
        F.sum("records").alias("records"),
        F.sum(F.when(F.col("src") == F.col("dst"), F.col("records")).otherwise(0)).alias("loops"),
    ).first()
    assert totals is not None
    n_records = int(totals["records"] or 0)
    if n_records == 0:
        files = ", ".join(
            tables.sources[name] for name in ("follows", "interactions") if name in tables.sources
        )
        raise InputError("no follow or interaction records: nothing to rank", path=files or None)
    accounts = None if tables.accounts is None else _merge_accounts(tables.accounts, person_of)
    ids = grouped.select(F.col("src").alias("id")).unionByName(
        grouped.select(F.col("dst").alias("id"))
    )
    if accounts is not None:
        ids = ids.unionByName(accounts.select("id"))
    index = numbered(ids.distinct(), ["id"], "node")
    n_nodes = int(index.count())
    kept = grouped.filter(F.col("src") != F.col("dst"))
    sources = index.select(F.col("id").alias("src"), F.col("node").alias("src_node"))
    targets = index.select(F.col("id").alias("dst"), F.col("node").alias("dst_node"))
    edges = _cached(
        kept.join(sources, "src")
        .join(targets, "dst")
        .select(
            F.col("src_node").alias("src"),
            F.col("dst_node").alias("dst"),
            "weight",
            "follow",
            "received",
            "engagement",
        )
    )
    received = edges.groupBy(F.col("dst").alias("node")).agg(
        F.count_if(F.col("follow")).cast("long").alias("followers"),
        F.sum("received").alias("interactions_received"),
        F.sum("engagement").alias("engagement_received"),
    )
    given = edges.groupBy(F.col("src").alias("node")).agg(F.sum("weight").alias("out_weight"))
    nodes = _cached(
        index.join(received, "node", "left")
        .join(given, "node", "left")
        .select(
            "node",
            "id",
            F.coalesce(F.col("out_weight"), F.lit(0.0)).alias("out_weight"),
            F.coalesce(F.col("followers"), F.lit(0).cast("long")).alias("followers"),
            F.coalesce(F.col("interactions_received"), F.lit(0.0)).alias("interactions_received"),
            F.coalesce(F.col("engagement_received"), F.lit(0.0)).alias("engagement_received"),
        )
    )
    grouped.unpersist()
    return SparkGraph(
        nodes=nodes,
        edges=edges.select("src", "dst", "weight", "follow"),
        accounts=accounts,
        n_nodes=n_nodes,
        n_edges=int(edges.count()),
        self_loops=int(totals["loops"] or 0),
        records=n_records,
    )


def _interaction_records(
    interactions: DataFrame, weighting: Weighting, person_of: DataFrame | None
) -> DataFrame:
    merged = _merged(_merged(interactions, "source", person_of), "target", person_of)
    count = F.coalesce(F.col("weight"), F.lit(1.0)) if "weight" in merged.columns else F.lit(1.0)
    type_weights = F.create_map(
        *(
            F.lit(part)
            for name, value in weighting.type_weights.items()
            for part in (name, float(value))
        )
    )
    weight = F.element_at(type_weights, F.col("type")) * count
    if weighting.half_life is not None and "_micros_timestamp" in merged.columns:
        micros = F.col("_micros_timestamp")
        if weighting.as_of is not None:
            reference = weighting.as_of.timestamp() * 1e6
        else:
            newest = merged.agg(F.max(micros)).first()
            reference = float(newest[0]) if newest is not None and newest[0] is not None else 0.0
        age = F.greatest(F.lit(reference) - micros, F.lit(0.0)) / 1e6
        decay = F.pow(F.lit(2.0), -age / weighting.half_life.total_seconds())
        weight = weight * F.coalesce(decay, F.lit(1.0))
    return merged.select(
        F.col("source").alias("src"),
        F.col("target").alias("dst"),
        weight.alias("weight"),
        F.lit(False).alias("follow"),
        count.alias("received"),
        weight.alias("engagement"),
    )


def identity_map(identities: DataFrame | None) -> DataFrame | None:
    """The ``account -> person`` table, one row per account.

    Raises
    ------
    InputError
        When an account is mapped to more than one person.
    """
    if identities is None:
        return None
    pairs = identities.select("account", "person").distinct()
    conflict = (
        pairs.groupBy("account")
        .count()
        .filter(F.col("count") > 1)
        .agg(F.min("account").alias("account"))
        .first()
    )
    if conflict is not None and conflict["account"] is not None:
        raise InputError(
            f"account {conflict['account']!r} is mapped to more than one person in the "
            "identities table"
        )
    return pairs


def _merged(frame: DataFrame, column: str, person_of: DataFrame | None) -> DataFrame:
    """Replace the ids in ``column`` by the person they belong to, where known."""
    if person_of is None:
        return frame
    mapping = person_of.select(F.col("account").alias("_account"), F.col("person").alias("_person"))
    joined = frame.join(mapping, frame[column] == mapping["_account"], "left")
    return joined.withColumn(column, F.coalesce(F.col("_person"), F.col(column))).drop(
        "_account", "_person"
    )


def _merge_accounts(accounts: DataFrame, person_of: DataFrame | None) -> DataFrame:
    """One row per account after identity merge: the first row's attributes, summed counts."""
    if person_of is None:
        return accounts
    merged = _merged(accounts, "id", person_of)
    attributes = [name for name in merged.columns if name not in ("id", "_row")]
    aggregations = [
        F.min_by(F.col(f"`{name}`"), F.col("_row")).alias(name)
        for name in attributes
        if name != "followers_count"
    ]
    if "followers_count" in attributes:
        aggregations.append(F.sum("followers_count").alias("followers_count"))
    aggregations.append(F.min("_row").alias("_row"))
    return merged.groupBy("id").agg(*aggregations).select(*merged.columns)


def numbered(frame: DataFrame, order: Sequence[str | Column], name: str) -> DataFrame:
    """``frame`` with a column ``name`` numbering its rows 0, 1, ... in ``order``, checkpointed.

    Distributed: rows are sorted and numbered within each partition, and each partition's
    offset is the count of the partitions before it, so no step gathers the rows in one
    place. The numbers depend only on the data and ``order`` (break ties with a unique
    column), not on how Spark partitions it.
    """
    ordered = _checkpoint(
        frame.orderBy(*order)
        .withColumn("_part", F.spark_partition_id())
        .withColumn("_position", F.monotonically_increasing_id())
    )
    counts = sorted(
        (int(row["_part"]), int(row["count"]), int(row["first"]))
        for row in ordered.groupBy("_part")
        .agg(F.count("*").alias("count"), F.min("_position").alias("first"))
        .collect()
    )
    offsets: list[Column] = []
    start = 0
    for part, count, first in counts:
        offsets += [F.lit(part), F.lit(start - first)]
        start += count
    shift = F.element_at(F.create_map(*offsets), F.col("_part")) if offsets else F.lit(0)
    return _checkpoint(
        ordered.withColumn(name, F.col("_position") + shift).drop("_part", "_position")
    )


# --- PageRank ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SparkPageRank:
    """PageRank scores with how they were reached.

    Attributes
    ----------
    scores
        DataFrame of ``node`` and ``pagerank`` (summing to 1), checkpointed.
    iterations
        Power iterations run.
    change
        L1 change of the last iteration.
    """

    scores: DataFrame
    iterations: int
    change: float


def pagerank(
    graph: SparkGraph,
    *,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    personalization: DataFrame | None = None,
) -> SparkPageRank:
    """Weighted PageRank of every node, the iteration of :mod:`graphkit.kernels.pagerank`.

    ``x' = d * (W^T x) + (d * dangling(x) + 1 - d) * p`` from ``x = 1/n``, where ``W`` is the
    weight matrix normalised by out-weight, ``dangling(x)`` the score of nodes without
    out-weight and ``p`` the personalization (uniform when None); stops when the L1 change
    is below ``tolerance``, then normalises the scores to sum to 1.

    Parameters
    ----------
    graph
        The influence graph.
    damping, tolerance, max_iter
        As for :func:`graphkit.algorithms.pagerank`.
    personalization
        DataFrame of ``node`` and ``weight`` (>= 0, normalised here); nodes absent weigh 0.

    Returns
    -------
    SparkPageRank

    Raises
    ------
    ParameterError
        For out-of-range parameters or a personalization selecting no node.
    ConvergenceError
        When ``tolerance`` is not reached within ``max_iter`` iterations.
    """
    if not 0.0 <= damping < 1.0:
        raise ParameterError(f"damping must be in [0, 1), got {damping}")
    if not 0.0 < tolerance < float("inf"):
        raise ParameterError(f"tolerance must be a positive finite number, got {tolerance}")
    if max_iter < 1:
        raise ParameterError(f"max-iter must be at least 1, got {max_iter}")
    n = graph.n_nodes
    nodes = graph.nodes
    transitions = graph.edges.filter(F.col("weight") > 0).join(
        nodes.select(F.col("node").alias("src"), "out_weight"), "src"
    )
    transitions = transitions.select(
        "src", "dst", (F.col("weight") / F.col("out_weight")).alias("share")
    )
    partitions = _partitions(graph.nodes.sparkSession)
    if n <= _BROADCAST_NODES:
        # Scores go to every executor, so edges held by target (sorted) sum up where they
        # are: one stage per iteration, no shuffle.
        transitions = transitions.repartition(partitions, "dst").sortWithinPartitions("dst")
    else:
        # Scores are joined by source: edges held by source do not move.
        transitions = transitions.repartition(partitions, "src")
    transitions = _cached(transitions)
    state = nodes.select("node", (F.col("out_weight") <= 0).alias("dangling"))
    teleport: Column = F.lit(1.0 / n)
    if personalization is not None:
        weights = personalization.groupBy("node").agg(F.sum("weight").alias("teleport"))
        state = state.join(weights, "node", "left").fillna(0.0, subset=["teleport"])
        check = state.agg(
            F.sum("teleport").alias("total"),
            F.count_if(F.col("teleport") < 0).alias("negative"),
        ).first()
        assert check is not None
        if check["negative"]:
            raise ParameterError("personalization weights must be finite and >= 0")
        total = float(check["total"] or 0.0)
        if not total > 0:
            raise ParameterError("personalization selects no node (all weights are zero)")
        state = state.withColumn("teleport", F.col("teleport") / total)
        teleport = F.col("teleport")
    state = _checkpoint(state.withColumn("rank", F.lit(1.0 / n)))
    first = state.agg(F.sum(F.when(F.col("dangling"), F.col("rank")).otherwise(0.0))).first()
    assert first is not None
    dangling_mass = float(first[0] or 0.0)
    change = math.inf
    total_rank = 1.0
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        spread = damping * dangling_mass + (1.0 - damping)
        ranks = state.select(F.col("node").alias("src"), "rank")
        incoming = (
            transitions.join(_by_node(ranks, n), "src")
            .groupBy("dst")
            .agg(F.sum(F.col("share") * F.col("rank")).alias("incoming"))
        )
        carried = [name for name in state.columns if name not in ("rank", "previous")]
        updated = state.join(
            _by_node(incoming, n), state["node"] == incoming["dst"], "left"
        ).select(
            *carried,
            (
                F.lit(damping) * F.coalesce(F.col("incoming"), F.lit(0.0))
                + F.lit(spread) * teleport
            ).alias("rank"),
            F.col("rank").alias("previous"),
        )
        statistics = (
            F.sum(F.abs(F.col("rank") - F.col("previous"))).alias("change"),
            F.sum(F.when(F.col("dangling"), F.col("rank")).otherwise(0.0)).alias("dangling"),
            F.sum("rank").alias("total"),
        )
        # The sums come with the checkpoint's own job where Spark reports them (classic
        # sessions); over Spark Connect a second, small job reads them back.
        observation = Observation(f"graphkit_pagerank_{iterations}")
        updated = _checkpoint(updated.observe(observation, *statistics))
        stats = _observed(observation) or updated.agg(*statistics).first()
        assert stats is not None
        change = float(stats["change"])
        dangling_mass = float(stats["dangling"])
        total_rank = float(stats["total"])
        state = updated.drop("previous")
        if change < tolerance:
            break
    if change >= tolerance:
        raise ConvergenceError(
            f"PageRank did not converge in {iterations} iterations (L1 change {change:.3g} > "
            f"tolerance {tolerance:g}); raise --max-iter or --tolerance"
        )
    scores = _checkpoint(state.select("node", (F.col("rank") / total_rank).alias("pagerank")))
    transitions.unpersist()
    return SparkPageRank(scores=scores, iterations=iterations, change=change)


# --- audiences ---------------------------------------------------------------------------------

# The selector grammar of graphkit.analysis.audience.
_CLAUSE: Final = re.compile(r"^\s*([A-Za-z_][\w]*)\s*(=|~)\s*(.*?)\s*$", re.DOTALL)
_FIELD_ALIASES: Final = {
    "topic": "topics",
    "org": "organization",
    "company": "organization",
    "account": "id",
    "ids": "id",
}


def select_audience(graph: SparkGraph, selectors: Sequence[str]) -> DataFrame:
    """The nodes any of ``selectors`` picks, as a DataFrame of ``node`` and ``weight`` (1).

    Selectors are those of :func:`graphkit.analysis.select_audience`: a local file of ids,
    ``FIELD=VALUE[,VALUE]`` (case-insensitive) and ``FIELD~REGEX`` (Java regular expressions,
    case-insensitive), clauses joined by ``&``.

    Raises
    ------
    ParameterError
        When a selector is malformed, names an unknown field, or selects no account.
    """
    session = graph.nodes.sparkSession
    chosen: DataFrame | None = None
    for selector in selectors:
        ids = _select_one(session, graph, selector)
        chosen = ids if chosen is None else chosen.unionByName(ids)
    assert chosen is not None
    picked = graph.nodes.join(chosen.distinct(), "id", "left_semi").select(
        "node", F.lit(1.0).alias("weight")
    )
    picked = _checkpoint(picked)
    if picked.isEmpty():
        raise ParameterError(
            f"audience {' + '.join(repr(s) for s in selectors)} selects no account in the graph"
        )
    return picked


def _select_one(session: SparkSession, graph: SparkGraph, selector: str) -> DataFrame:
    path = Path(selector)
    if _CLAUSE.match(selector) is None or path.is_file():
        if not path.is_file():
            raise ParameterError(
                f"bad audience {selector!r}: expected a file of ids, FIELD=VALUE or FIELD~REGEX"
            )
        from graphkit.io.readers import read_table as read_local_table

        if path.suffix.lower() in (".txt", ""):
            lines = path.read_text(encoding="utf-8").splitlines()
            ids = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
        else:
            ids = [
                str(value) for value in read_local_table(path, ACCOUNTS).column("id").to_pylist()
            ]
        return session.createDataFrame([(value,) for value in ids], "id string")
    condition: Column | None = None
    for clause in selector.split("&"):
        match = _CLAUSE.match(clause)
        if match is None:
            raise ParameterError(
                f"bad audience clause {clause!r}: expected FIELD=VALUE or FIELD~REGEX"
            )
        name, operator, value = match.groups()
        term = _clause(graph, _FIELD_ALIASES.get(name.lower(), name.lower()), operator, value)
        condition = term if condition is None else condition & term
    assert condition is not None
    source = graph.accounts if graph.accounts is not None else graph.nodes.select("id")
    return source.filter(F.coalesce(condition, F.lit(False))).select("id")


def _clause(graph: SparkGraph, name: str, operator: str, value: str) -> Column:
    if name == "id" and operator == "=":
        return F.col("id").isin([item.strip() for item in value.split(",")])
    accounts = graph.accounts
    if accounts is None:
        raise ParameterError(
            f"audience field {name!r} needs an accounts table (give --accounts FILE)"
        )
    if name not in accounts.columns or name.startswith("_"):
        raise ParameterError(
            f"unknown audience field {name!r}; the accounts table has: "
            + ", ".join(column for column in accounts.columns if not column.startswith("_"))
        )
    column = F.col(name)
    is_list = dict(accounts.dtypes)[name].startswith("array")
    if operator == "~":
        try:
            re.compile(value)
        except re.error as error:
            raise ParameterError(f"bad regular expression {value!r}: {error}") from None
        pattern = F.lit(f"(?i){value}")
        if is_list:
            return F.exists(column, lambda item: F.regexp_like(item, pattern))
        return F.regexp_like(column.cast("string"), pattern)
    wanted = [item.strip().lower() for item in value.split(",")]
    if is_list:
        return F.exists(column, lambda item: F.lower(item).isin(wanted))
    return F.lower(column.cast("string")).isin(wanted)


# --- communities -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SparkCommunities:
    """A partition of the nodes into communities, with its quality.

    Attributes
    ----------
    membership
        DataFrame of ``node``, ``community`` (numbered 0 .. k-1 by size, largest first,
        ties by the smallest member id) and ``community_size``, checkpointed.
    n_communities
        Number of communities.
    modularity
        Newman's weighted modularity (resolution 1) on the undirected projection; NaN for a
        graph without edges.
    iterations
        Label-propagation iterations run.
    settled
        Whether no node wanted to move when propagation stopped.
    resolution, seed
        How the partition was found.
    """

    membership: DataFrame
    n_communities: int
    modularity: float
    iterations: int
    settled: bool
    resolution: float
    seed: int


def undirected_projection(graph: SparkGraph) -> DataFrame:
    """The weighted undirected projection: rows ``u, v, w`` with ``w = w(u->v) + w(v->u)``.

    Each pair appears in both directions; pairs of weight 0 are left out, as in
    :func:`graphkit.algorithms.communities.undirected_projection`.
    """
    forward = graph.edges.select(F.col("src").alias("u"), F.col("dst").alias("v"), "weight")
    backward = graph.edges.select(F.col("dst").alias("u"), F.col("src").alias("v"), "weight")
    return _checkpoint(
        forward.unionByName(backward)
        .groupBy("u", "v")
        .agg(F.sum("weight").alias("w"))
        .filter(F.col("w") > 0)
    )


def label_propagation(
    graph: SparkGraph,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    max_iter: int = DEFAULT_LABEL_PROPAGATION_ITERATIONS,
) -> SparkCommunities:
    """Communities by synchronous, seeded label propagation for modularity (LPAm).

    Every node starts in a label of its own (its node number, so the smallest label is the
    smallest id). Each iteration, every node ``v`` evaluates, from the labels as they were
    when the iteration started, the gain of each label ``c`` among its neighbours,
    ``w(v, c) - resolution * k_v * S_c / 2W`` (``w(v, c)`` the edge weight from ``v`` to
    nodes labelled ``c``, ``k_v`` its weighted degree, ``S_c`` the weighted degree of label
    ``c`` without ``v``, ``W`` the total edge weight), the penalty and the gain of the local
    kernel (:mod:`graphkit.kernels.label_propagation`). A node moves to the label of largest
    gain (the smallest label among equal gains) only when it gains strictly more than by
    staying; a node alone in its label does not move to a larger label held by another lone
    node (so two lone neighbours merge instead of swapping). All nodes move at once; a node
    that wanted to move in the previous iteration moves again only on a seeded coin flip,
    ``xxhash64(seed, node, iteration)`` odd, which breaks the swaps that fully synchronous
    updates fall into. Propagation stops when no node wants to move, or after ``max_iter``.

    The choice against the local kernel: that kernel visits nodes in seeded blocks, applying
    each block's moves before the next, and then merges communities level by level
    (multi-level); both need the labels of other nodes mid-sweep, which a distributed
    iteration cannot see. This one is single-level and fully synchronous, so its result
    depends only on the graph, the seed and the settings, not on partitions or executors,
    and :func:`tests.reference` reproduces it node for node. Its modularity is lower than
    the multi-level kernel's (it stops at the first level).

    Parameters
    ----------
    graph
        The influence graph; communities are found on its undirected projection.
    seed
        Seed of the coin.
    resolution
        Weight of the modularity penalty (above 1: more, smaller communities).
    max_iter
        Most iterations.

    Returns
    -------
    SparkCommunities

    Raises
    ------
    ParameterError
        For out-of-range parameters.
    """
    if not (math.isfinite(resolution) and resolution > 0):
        raise ParameterError(f"resolution must be a positive number, got {resolution}")
    if seed < 0:
        raise ParameterError(f"seed must be an integer >= 0, got {seed!r}")
    if max_iter < 1:
        raise ParameterError(f"max-iter must be at least 1, got {max_iter}")
    adjacency = undirected_projection(graph)
    strength = adjacency.groupBy(F.col("u").alias("node")).agg(F.sum("w").alias("k"))
    labels = _checkpoint(
        graph.nodes.select("node")
        .join(strength, "node", "left")
        .select(
            "node",
            F.col("node").alias("label"),
            F.coalesce(F.col("k"), F.lit(0.0)).alias("k"),
            F.lit(False).alias("moved"),
        )
    )
    total = labels.agg(F.sum("k")).first()
    two_w = float(total[0] or 0.0) if total is not None else 0.0
    penalty = resolution / two_w if two_w > 0 else 0.0
    iterations = 0
    settled = two_w <= 0
    while not settled and iterations < max_iter:
        iterations += 1
        labels = _propagation_step(adjacency, labels, penalty, seed, iterations)
        wanting = labels.agg(F.count_if(F.col("moved"))).first()
        settled = wanting is None or int(wanting[0]) == 0
    membership = _canonical_communities(graph, labels)
    sizes = membership.select("community", "community_size").distinct()
    n_communities = int(sizes.count())
    modularity = _modularity(adjacency, membership, two_w)
    return SparkCommunities(
        membership=membership,
        n_communities=n_communities,
        modularity=modularity,
        iterations=iterations,
        settled=settled,
        resolution=float(resolution),
        seed=int(seed),
    )


def _propagation_step(
    adjacency: DataFrame, labels: DataFrame, penalty: float, seed: int, iteration: int
) -> DataFrame:
    """One synchronous iteration: the new ``node, label, k, moved`` (moved = wanted to move).

    The labels table enters the plan once: each node's own row (its label, strength and
    whether it moved) travels beside the rows of its neighbours' labels, and windows hand the
    node's own values to those rows. Joining the labels to the plan several times would make
    Spark's size estimate of the next iteration's table the product of this one's several
    times over: an estimate whose digits multiply with every iteration (thousands of digits
    after ten on the demo graph), and planning time with them.
    """
    by_label = Window.partitionBy("label")
    labelled = labels.select(
        "node",
        "label",
        "k",
        "moved",
        F.sum("k").over(by_label).alias("c_strength"),
        F.count("*").over(by_label).alias("c_size"),
    )
    their_labels = labelled.select(
        F.col("node").alias("v"), F.col("label").alias("c"), "c_strength", "c_size"
    )
    neighbours = adjacency.join(their_labels, "v").select(
        "u",
        "c",
        "w",
        "c_strength",
        "c_size",
        F.lit(False).alias("own"),
        F.lit(None).cast("double").alias("k_u"),
        F.lit(None).cast("boolean").alias("moved"),
    )
    itself = labelled.select(
        F.col("node").alias("u"),
        F.col("label").alias("c"),
        F.lit(0.0).alias("w"),
        "c_strength",
        "c_size",
        F.lit(True).alias("own"),
        F.col("k").alias("k_u"),
        "moved",
    )
    toward = (
        neighbours.unionByName(itself)
        .groupBy("u", "c")
        .agg(
            F.sum("w").alias("w_c"),
            F.max("c_strength").alias("c_strength"),
            F.max("c_size").alias("c_size"),
            F.max("own").alias("own"),
            F.max("k_u").alias("k_u"),
            F.max("moved").alias("moved"),
        )
    )
    by_node = Window.partitionBy("u")

    def own_value(name: str) -> Column:
        return F.max(F.when(F.col("own"), F.col(name))).over(by_node)

    rows = toward.select(
        "u",
        "c",
        "w_c",
        "c_strength",
        "c_size",
        own_value("c").alias("current"),
        own_value("k_u").alias("k_u"),
        own_value("c_strength").alias("current_strength"),
        own_value("c_size").alias("current_size"),
        own_value("moved").alias("moved"),
    )
    scale = F.lit(penalty) * F.col("k_u")
    lone_pair = (
        (F.col("current_size") == 1) & (F.col("c") > F.col("current")) & (F.col("c_size") == 1)
    )
    candidate = (F.col("c") != F.col("current")) & ~lone_pair
    gain = F.col("w_c") - scale * F.col("c_strength")
    decided = rows.groupBy("u").agg(
        F.max(
            F.when(candidate, F.struct(gain.alias("gain"), (-F.col("c")).alias("negated")))
        ).alias("best"),
        F.max(F.when(F.col("c") == F.col("current"), F.col("w_c"))).alias("w_current"),
        *(F.max(name).alias(name) for name in ("current", "k_u", "current_strength", "moved")),
    )
    stay_gain = F.col("w_current") - scale * (F.col("current_strength") - F.col("k_u"))
    wants = F.col("best").isNotNull() & (F.col("best.gain") > stay_gain)
    heads = (
        F.xxhash64(F.lit(seed).cast("long"), F.col("u"), F.lit(iteration).cast("long")).bitwiseAND(
            F.lit(1).cast("long")
        )
        == 1
    )
    moves = wants & (~F.col("moved") | heads)
    return _checkpoint(
        decided.select(
            F.col("u").alias("node"),
            F.when(moves, -F.col("best.negated")).otherwise(F.col("current")).alias("label"),
            F.col("k_u").alias("k"),
            wants.alias("moved"),
        )
    )


def _canonical_communities(graph: SparkGraph, labels: DataFrame) -> DataFrame:
    """Number communities 0 .. k-1 by size (largest first), ties by the smallest member."""
    communities = labels.groupBy("label").agg(
        F.count("*").alias("community_size"), F.min("node").alias("first")
    )
    ordered = numbered(
        communities, [F.col("community_size").desc(), F.col("first").asc()], "community"
    )
    return _checkpoint(labels.join(ordered, "label").select("node", "community", "community_size"))


def _modularity(adjacency: DataFrame, membership: DataFrame, two_w: float) -> float:
    if two_w <= 0:
        return float("nan")
    ends = membership.select("node", "community")
    rows = adjacency.join(
        ends.select(F.col("node").alias("u"), F.col("community").alias("cu")), "u"
    ).join(ends.select(F.col("node").alias("v"), F.col("community").alias("cv")), "v")
    per_community = rows.groupBy("cu").agg(
        F.sum(F.when(F.col("cu") == F.col("cv"), F.col("w")).otherwise(0.0)).alias("internal"),
        F.sum("w").alias("strength"),
    )
    total = per_community.agg(
        F.sum(F.col("internal") / two_w - F.pow(F.col("strength") / two_w, 2))
    ).first()
    return float(total[0]) if total is not None and total[0] is not None else 0.0


# --- result tables -----------------------------------------------------------------------------


def rank_table(
    graph: SparkGraph,
    result: SparkPageRank,
    *,
    kind: str | None = None,
    top: int | None = None,
    communities: SparkCommunities | None = None,
) -> DataFrame:
    """The influencer table of :func:`graphkit.analysis.rank_influencers`, as a DataFrame.

    Parameters
    ----------
    graph
        The influence graph.
    result
        Its PageRank.
    kind
        Keep only accounts of this kind (``person`` or ``brand``).
    top
        Keep the first ``top`` rows; ``None`` or 0 keeps all.
    communities
        Adds ``community`` and ``community_rank`` (1 = most PageRank in it, ties by id).

    Returns
    -------
    pyspark.sql.DataFrame
        The columns of the local table (``rank, id, handle, name, kind, organization, title,
        score, pagerank, followers, followers_count, interactions_received,
        engagement_rate``, then any other account column), sorted by PageRank (descending),
        ties by id, ``rank`` numbered 1, 2, ...
    """
    if kind is not None and kind not in ("person", "brand"):
        raise ParameterError(f"kind must be person or brand, got {kind!r}")
    if top is not None and top < 0:
        raise ParameterError(f"top must be >= 0, got {top}")
    scores = result.scores
    logs = (
        scores.filter(F.col("pagerank") > 0)
        .agg(F.min(F.log("pagerank")).alias("low"), F.max(F.log("pagerank")).alias("high"))
        .first()
    )
    assert logs is not None
    low, high = logs["low"], logs["high"]
    if low is None:
        score = F.lit(0.0)
    elif high == low:
        score = F.when(F.col("pagerank") > 0, F.lit(100.0)).otherwise(0.0)
    else:
        score = F.when(
            F.col("pagerank") > 0,
            F.bround(F.lit(100.0) * (F.log("pagerank") - F.lit(low)) / F.lit(high - low), 2),
        ).otherwise(0.0)
    table = graph.nodes.join(scores, "node").select(
        "node",
        "id",
        score.alias("score"),
        "pagerank",
        "followers",
        "interactions_received",
        F.when(F.col("followers") > 0, F.col("engagement_received") / F.col("followers")).alias(
            "engagement_rate"
        ),
    )
    if communities is not None:
        by_rank = Window.partitionBy("community").orderBy(
            F.col("pagerank").desc(), F.col("id").asc()
        )
        table = table.join(communities.membership.select("node", "community"), "node").withColumn(
            "community_rank", F.row_number().over(by_rank).cast("long")
        )
    table = _with_accounts(table, graph.accounts)
    if kind is not None:
        table = table.filter(F.col("kind") == kind)
    order = [F.col("pagerank").desc(), F.col("id").asc()]
    extra = [
        name
        for name in table.columns
        if name not in RANK_COLUMNS and name != "node" and not name.startswith("_")
    ]
    if top:
        limited = table.orderBy(*order).limit(top)
        ranked = limited.withColumn(
            "rank", F.row_number().over(Window.orderBy(*order)).cast("long")
        )
    else:
        ranked = numbered(table, order, "rank").withColumn("rank", F.col("rank") + 1)
    return ranked.select(*RANK_COLUMNS, *extra).orderBy("rank")


def community_table(
    graph: SparkGraph,
    communities: SparkCommunities,
    result: SparkPageRank,
    *,
    leaders: int = 3,
) -> DataFrame:
    """One row per account with its community and rank there, as
    :func:`graphkit.analysis.community_table`.

    Returns
    -------
    pyspark.sql.DataFrame
        Columns ``id, handle, name, title, community, community_size, community_rank,
        is_leader, pagerank``, sorted by community, then rank (PageRank descending, ties by
        id).
    """
    if leaders < 0:
        raise ParameterError(f"leaders must be >= 0, got {leaders}")
    by_rank = Window.partitionBy("community").orderBy(F.col("pagerank").desc(), F.col("id").asc())
    table = (
        graph.nodes.select("node", "id")
        .join(communities.membership, "node")
        .join(result.scores, "node")
        .withColumn("community_rank", F.row_number().over(by_rank).cast("long"))
        .withColumn("is_leader", F.col("community_rank") <= leaders)
    )
    table = _with_accounts(table, graph.accounts)
    return table.select(*COMMUNITY_COLUMNS).orderBy("community", "community_rank")


def _with_accounts(table: DataFrame, accounts: DataFrame | None) -> DataFrame:
    """``table`` with the account attributes joined on ``id`` (lists joined with ``;``)."""
    present: list[str] = []
    if accounts is not None:
        types = dict(accounts.dtypes)
        attributes = [
            (
                F.concat_ws(";", F.col(f"`{name}`")).alias(name)
                if types[name].startswith("array")
                else F.col(f"`{name}`")
            )
            for name in accounts.columns
            if name not in table.columns and not name.startswith("_")
        ]
        present = [name for name in accounts.columns if not name.startswith("_")]
        table = table.join(accounts.select("id", *attributes), "id", "left")
    missing = [
        F.lit(None).cast("long" if name == "followers_count" else "string").alias(name)
        for name in (*_ACCOUNT_COLUMNS, "followers_count")
        if name not in present and name not in table.columns
    ]
    return table.select("*", *missing) if missing else table


# --- output ------------------------------------------------------------------------------------


def to_polars(frame: DataFrame) -> pl.DataFrame:
    """Collect a (small) DataFrame to the driver as a polars DataFrame, via Arrow."""
    arrow = frame.toArrow()
    result = pl.from_arrow(arrow)
    assert isinstance(result, pl.DataFrame)
    return result


def write_table(frame: DataFrame, location: str, *, file_format: str = "parquet") -> None:
    """Write ``frame`` with Spark as a folder of part files at ``location``.

    Spark's output committer moves the parts into place only when every task succeeded and
    then writes ``_SUCCESS``, so a failed job leaves no partial table. An existing
    ``location`` is an error (nothing is overwritten).

    Parameters
    ----------
    frame
        The table to write.
    location
        Target folder, at any location Spark writes.
    file_format
        ``parquet``, ``csv`` (with a header row) or ``ndjson``.

    Raises
    ------
    InputError
        When the location exists or cannot be written.
    """
    writer = frame.write.mode("errorifexists")
    try:
        if file_format == "parquet":
            writer.parquet(location)
        elif file_format == "csv":
            writer.option("header", "true").csv(location)
        elif file_format in ("ndjson", "json"):
            writer.json(location)
        else:
            raise ParameterError(f"Spark writes parquet, csv or ndjson, not {file_format!r}")
    except AnalysisException as error:
        if "PATH_ALREADY_EXISTS" in str(error) or "already exists" in str(error):
            raise InputError(
                "already exists; remove it or choose another output location", path=location
            ) from None
        raise InputError(f"cannot write ({_first_line(error)})", path=location) from None
