"""Where a run's data comes from, and the one load pipeline every command and Python caller
shares: guess what INPUT is, check memory, read and validate, build the influence graph.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pyarrow as pa

from graphkit.analysis.audit import discounted
from graphkit.app.settings import Settings
from graphkit.config import prepare_kernels_in_background, set_threads
from graphkit.data import demo_folder
from graphkit.errors import GraphkitError, InputError, UsageError
from graphkit.graph import SocialGraph, build_graph
from graphkit.graph.social import DISCOUNT_KEY
from graphkit.io import Dataset, load_dataset, sniff
from graphkit.io.database import read_tables
from graphkit.io.platforms import detect_platforms, import_exports, parse_export_spec
from graphkit.io.preflight import (
    available_memory,
    check_memory,
    estimate_memory,
    gib,
    stream_if_it_helps,
)
from graphkit.io.readers import (
    columns_table,
    find_tables,
    headerless_fields,
    missing_reason,
    peek_columns,
    read_table,
    validate_table,
)
from graphkit.io.remote import Staging, display, is_pipe, is_remote, is_stdin
from graphkit.io.schema import FOLLOWS, INTERACTIONS, TABLES
from graphkit.progress import Progress

TABLE_NAMES: Final = ("follows", "interactions", "accounts", "identities")
_URI: Final = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://|^file:/")
# What an analysis adds per follow or interaction record to the memory of reading and
# ranking: the undirected projection and Leiden's working copies (measured: 513 MiB against
# rank's 412 MiB at 1M follows).
ANALYSIS_BYTES_PER_RECORD: Final = {"communities": 120.0}

Location = str | os.PathLike[str]
"""A file or folder path, or a storage URI (read by the Spark engine)."""


def is_uri(location: object) -> bool:
    """Whether ``location`` is a storage URI such as ``s3a://bucket/x`` (not a local path)."""
    return isinstance(location, str) and _URI.match(location) is not None


@dataclass(frozen=True)
class Sources:
    """The data of a run: a dataset folder or one table file (``data``), the demo, platform
    exports, and tables named one by one, as paths or in memory.

    Attributes
    ----------
    data
        A dataset folder (``accounts.*``, ``follows.*``, ...), one follows or interactions
        file, or a platform export; a URI for the Spark engine.
    follows, interactions, accounts, identities
        A file path, or a table in memory (pyarrow Table, polars or pandas DataFrame),
        validated like a file.
    demo
        Use the demo dataset shipped with graphkit.
    exports
        Platform exports: ``x:archive.zip``, ``linkedin:export.zip``, ``mastodon:...``, or a
        bare path (the platform recognised).
    interaction_type
        The type of every record of an interactions file without a type column; a ``data``
        file is then read as interactions.
    columns
        Names of the fields of header-less edge lists (``source,target,timestamp``).
    undirected
        Read each follows row as both directions.
    database
        A database read like a dataset folder: a DuckDB or SQLite file, or a
        ``postgresql://`` URI; its tables follows, interactions, accounts and identities.
    queries
        Table name -> SQL replacing that table (on ``database``, or on an in-memory DuckDB,
        whose SQL reads Parquet and CSV files).
    delimiter
        The field delimiter of text tables (``,`` ``;`` ``|`` ``tab`` ``space``); by default
        sniffed from each file's first lines.
    encoding
        The encoding of text tables, any Python codec name (``cp1252``, ``utf-16``); by
        default UTF-8, or UTF-16 for a file starting with its byte-order mark.
    owner
        The owner of a LinkedIn ``Connections.csv`` given without ``Profile.csv`` (in
        ``exports`` or as ``data``): their name, as their profile shows it, or their profile
        URL.

    Any location may also be ``-`` (standard input, for one table) or an ``s3://``,
    ``gs://``, ``abfs://`` or ``http(s)://`` URI: it is copied to a private temporary folder
    and read as a local file.
    """

    data: Location | None = None
    follows: Location | object | None = None
    interactions: Location | object | None = None
    accounts: Location | object | None = None
    identities: Location | object | None = None
    demo: bool = False
    exports: tuple[str, ...] = ()
    interaction_type: str | None = None
    columns: tuple[str, ...] | None = None
    undirected: bool = False
    database: str | os.PathLike[str] | None = None
    queries: Mapping[str, str] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    owner: str | None = None


@dataclass
class Loaded:
    """What loading produced: the tables, the graph, and where they came from.

    Attributes
    ----------
    dataset
        The validated tables (follows and interactions released once the graph is built).
    graph
        The influence graph.
    sources
        The file of each table read, by table name (``export N`` for platform exports).
    """

    dataset: Dataset
    graph: SocialGraph
    sources: dict[str, Path] = field(default_factory=dict)

    def facts(self) -> dict[str, Any]:
        """The inputs and graph size, as run manifests record them."""
        discount = self.graph._cache.get(DISCOUNT_KEY)
        return {
            "sources": self.sources,
            "graph": {
                "nodes": self.graph.n_nodes,
                "edges": self.graph.n_edges,
                "records": self.graph.records,
                "self_loops": self.graph.self_loops,
                **({} if discount is None else {"discount_suspicious": discount}),
            },
        }


def load(
    sources: Sources,
    settings: Settings | None = None,
    progress: Progress | None = None,
    *,
    analysis: str = "rank",
) -> Loaded:
    """Read the tables of ``sources`` and build the influence graph.

    Parameters
    ----------
    sources
        Where the data is.
    settings
        Weighting, threads and the memory check (default :class:`Settings`).
    progress
        Where steps and notes go (default: nowhere).
    analysis
        What runs on the graph next, for the memory estimate (``"communities"`` needs more).

    Raises
    ------
    InputError
        For a missing or invalid input, or one that would not fit in memory.
    UsageError
        For inputs that do not go together (INPUT and --demo, exports and --follows).
    """
    settings = settings or Settings()
    progress = progress or Progress(quiet=True)
    with Staging() as staging, sniff.reading_as(_text_format(sources)):
        try:
            staged, names = _stage(sources, staging, progress)
            loaded = _load(staged, settings, progress, analysis, names)
        except GraphkitError as error:
            raise staging.renamed(error) from None
    # The staged copies are gone: the tables read are in memory.
    loaded.sources = {
        name: path for name, path in loaded.sources.items() if not staging.holds(path)
    }
    return loaded


def _text_format(sources: Sources) -> sniff.TextFormat:
    """How text tables are read: ``sources.delimiter`` and ``sources.encoding`` checked."""
    try:
        return sniff.TextFormat(
            None if sources.delimiter is None else sniff.delimiter_option(sources.delimiter),
            None if sources.encoding is None else sniff.encoding_option(sources.encoding),
        )
    except ValueError as error:
        raise UsageError(str(error)) from None


def _stage(
    sources: Sources, staging: Staging, progress: Progress
) -> tuple[Sources, dict[str, str]]:
    """``sources`` with standard input and URIs staged as local files, and a database's
    tables read into memory; the names errors give the tables read in memory."""
    given = {"data": sources.data, **{name: getattr(sources, name) for name in TABLE_NAMES}}
    from_stdin = [key for key, value in given.items() if is_stdin(value)]
    if len(from_stdin) > 1:
        options = " and ".join("INPUT" if key == "data" else f"--{key}" for key in from_stdin)
        raise UsageError(f"only one table can be read from standard input (-), not {options}")
    changes: dict[str, Any] = {}
    for key, value in given.items():
        table = None if key == "data" else key
        if is_stdin(value):
            with progress.step("Reading standard input"):
                changes[key] = staging.stdin(table)
        elif is_pipe(value):
            changes[key] = staging.pipe(os.fspath(value), table)
        elif is_remote(value) and not (key == "data" and sources.demo):
            with progress.step(f"Fetching {display(str(value))}"):
                changes[key] = staging.fetch(str(value), table)
    names: dict[str, str] = {}
    if sources.database is not None or sources.queries:
        if sources.data is not None or sources.demo:
            raise UsageError("give INPUT (or --demo) or --database, not both")
        if sources.exports:
            raise UsageError("give --export or --database, not both")
        explicit = {name for name in TABLE_NAMES if getattr(sources, name) is not None}
        with progress.step("Reading the database"):
            tables = read_tables(sources.database, sources.queries, skip=explicit)
        for name, (table, where) in tables.items():
            changes[name] = table
            names[name] = staging.label(where)
        changes.update(database=None, queries={})
    return dataclasses.replace(sources, **changes) if changes else sources, names


def _load(
    sources: Sources,
    settings: Settings,
    progress: Progress,
    analysis: str,
    names: Mapping[str, str],
) -> Loaded:
    if isinstance(sources.exports, str):
        raise UsageError("exports must be a tuple of export specs, e.g. ('x:archive.zip',)")
    if settings.threads is not None:
        set_threads(settings.threads)
    exports = [parse_export_spec(spec) for spec in sources.exports]
    data = sources.data
    if data is not None and not is_uri(data) and not sources.demo and _is_export(Path(data)):
        exports.insert(0, ("auto", Path(data)))
    if exports:
        return _load_exports(sources, exports, settings, progress)
    if sources.owner is not None:
        raise UsageError("--owner names the owner of a LinkedIn export: give one (--export)")
    folder, files = input_locations(sources)
    if sources.columns is not None and folder is None:
        table = columns_table(sources.columns)
        if files[table] is None:
            raise UsageError(
                f"--columns names {table} columns ({','.join(sources.columns)}), and no "
                f"{table} file is given: give it with --{table} FILE or as INPUT"
            )
    for location in (folder, *files.values()):
        if is_uri(location):
            raise UsageError(
                f"{location}: the local engine reads s3://, gs://, abfs:// and http(s):// "
                "URIs; read this one with --engine spark"
            )
    in_memory = {
        name: value
        for name, value in files.items()
        if value is not None and not isinstance(value, str | os.PathLike)
    }
    paths = {
        name: None if value is None or name in in_memory else Path(value)
        for name, value in files.items()
    }
    local_folder = None if folder is None else Path(folder)
    stream = None
    if settings.memory_check:
        stream = _preflight(local_folder, paths, progress, analysis)
    prepare_kernels_in_background()
    with progress.step("Reading tables", total=_input_bytes(local_folder, paths), unit="bytes"):
        if local_folder is not None or paths["follows"] or paths["interactions"]:
            dataset = load_dataset(
                local_folder,
                interaction_type=sources.interaction_type,
                known_types=settings.weighting.known_types,
                stream=stream,
                columns=sources.columns,
                **paths,
            )
        else:  # the edges are in memory; any other table is a file
            dataset = Dataset()
            for name, path in paths.items():
                if path is not None:
                    setattr(dataset, name, read_table(path, TABLES[name]))
                    dataset.sources[name] = path
        for name, table in in_memory.items():
            setattr(
                dataset,
                name,
                validate_table(
                    table,
                    TABLES[name],
                    name=names.get(name),
                    interaction_type=sources.interaction_type,
                    known_types=settings.weighting.known_types,
                ),
            )
    _check_declared(sources, dataset)
    if dataset.follows is None and dataset.interactions is None and not dataset.streamed:
        raise InputError(
            "no follows or interactions table given; give a dataset folder, follows= or "
            "interactions="
        )
    with progress.step("Building graph", unit="rows") as building:
        graph = build_graph(
            dataset, settings.weighting, release_tables=True, undirected=sources.undirected,
            on_progress=building,
        )  # fmt: skip
    graph = discount_suspicious(graph, settings, progress)
    _note_graph(graph, sources, settings, progress)
    return Loaded(dataset, graph, dict(dataset.sources))


def discount_suspicious(graph: SocialGraph, settings: Settings, progress: Progress) -> SocialGraph:
    """``graph`` with each edge ``u -> v`` weighted by ``1 - suspicion[u]`` and the edges of
    accounts at suspicion 0.5 or more removed, when ``settings.weighting.discount_suspicious``
    (:func:`graphkit.analysis.audit.discounted`; follow bursts are not scored here: the
    follows' times are gone once the graph is built)."""
    if not settings.weighting.discount_suspicious:
        return graph
    with progress.step("Discounting suspicious accounts' edges"):
        graph = discounted(graph)
    done = graph._cache[DISCOUNT_KEY]
    assert isinstance(done, dict)
    progress.note(
        f"--discount-suspicious: {done['suspicious_accounts']:,} accounts at suspicion >= "
        f"{done['threshold']:g} lose their {done['edges_removed']:,} edges; "
        f"{done['weight_removed_share']:.1%} of the edge weight removed in all"
        + (f"; {done['unscored']}" if "unscored" in done else "")
    )
    return graph


def _input_bytes(folder: Path | None, paths: dict[str, Path | None]) -> int | None:
    """Bytes of the table files a run reads, for the progress bar (``None`` if unknown)."""
    files = [path for path in paths.values() if path is not None]
    try:
        files += [] if folder is None else list(find_tables(folder).values())
        return sum(path.stat().st_size for path in files) or None
    except (GraphkitError, OSError):
        return None


def input_locations(sources: Sources) -> tuple[Location | None, dict[str, Any]]:
    """The dataset folder and the table of each name a run reads (URIs stay strings)."""
    if sources.database is not None or sources.queries:
        raise UsageError("--database and --query work with the local engine only")
    folder: Location | None = None
    files: dict[str, Any] = {name: getattr(sources, name) for name in TABLE_NAMES}
    data = sources.data
    if sources.demo:
        if data is not None:
            raise UsageError("give INPUT or --demo, not both")
        folder = demo_folder()
    elif is_uri(data):
        assert isinstance(data, str)
        name = data.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".gz")
        if "." not in name:
            folder = data
        else:
            table = "interactions" if sources.interaction_type is not None else "follows"
            _claim(files, table, data)
    elif data is not None:
        path = Path(data)
        if path.is_dir():
            folder = path
        elif not path.exists():
            raise InputError(missing_reason(path, "file or folder not found"), path=path)
        else:
            _claim(files, input_table(path, sources.interaction_type, sources.columns), path)
    elif not any(value is not None for value in files.values()):
        raise UsageError(
            "no input: give a dataset folder or file, --follows/--interactions FILE, or --demo"
        )
    return folder, files


def input_table(
    path: Path, interaction_type: str | None, columns: tuple[str, ...] | None = None
) -> str:
    """Whether a single INPUT file holds follows or interactions."""
    if columns is not None:
        return columns_table(columns)
    if interaction_type is not None or headerless_fields(path) == 4:  # a b timestamp type
        return "interactions"
    names = peek_columns(path)
    canonical = {INTERACTIONS.canonical_name(name) for name in names}
    # A follower column by a name only follows use (``source`` names both).
    follows_only = {
        FOLLOWS.canonical_name(name) for name in names if INTERACTIONS.canonical_name(name) is None
    }
    if "type" in canonical and "follower" not in follows_only:
        return "interactions"
    return "follows"


def _check_declared(sources: Sources, dataset: Dataset) -> None:
    """``--columns`` and ``--undirected`` name a table: it must be there."""
    if sources.columns is not None:
        table = columns_table(sources.columns)
        if table not in dataset.sources:
            raise UsageError(
                f"--columns names {table} columns ({','.join(sources.columns)}), and no "
                f"{table} file was read: give it with --{table} FILE or as INPUT"
            )
    if sources.undirected and dataset.follows is None and "follows" not in dataset.streamed:
        raise UsageError("--undirected reads follows rows both ways, and there are no follows")


def _claim(files: dict[str, Any], table: str, location: Location) -> None:
    if files[table] is not None:
        raise UsageError(f"INPUT and --{table} both give the {table} table")
    files[table] = location


def _preflight(
    folder: Path | None, files: dict[str, Path | None], progress: Progress, analysis: str
) -> bool | None:
    """Stop before reading when the run would not fit in memory; stream the edge files when
    only that makes it fit. Returns the ``stream`` argument of :func:`load_dataset`."""
    estimate = estimate_memory(
        folder,
        extra_bytes_per_record=ANALYSIS_BYTES_PER_RECORD.get(analysis, 0.0),
        follows=files.get("follows"),
        interactions=files.get("interactions"),
        accounts=files.get("accounts"),
        identities=files.get("identities"),
    )
    available = available_memory()
    streamed = stream_if_it_helps(estimate, available)
    if streamed is not None:
        progress.note(
            f"Streaming the edge files: reading them whole needs an estimated "
            f"{gib(estimate.bytes)}, streaming {gib(streamed.bytes)}, and {gib(available or 0)} "
            "is available"
        )
        return True
    check_memory(estimate, available)
    return None


def _note_graph(
    graph: SocialGraph, sources: Sources, settings: Settings, progress: Progress
) -> None:
    if sources.undirected and progress.verbose:
        progress.note(f"Read each follows row as both directions ({graph.records:,} records)")
    if graph.missing_times:
        fate = {"no-decay": "kept at full weight", "drop": "left out"}[
            settings.weighting.missing_time
        ]
        progress.note(
            f"{graph.missing_times:,} interactions have no timestamp: {fate} "
            "(--missing-time no-decay, drop or error)"
        )


def _is_export(path: Path) -> bool:
    """Whether INPUT is a platform export rather than a dataset folder or table file."""
    try:
        if path.is_dir() and any(
            item.is_file() and item.name.split(".", 1)[0].lower() in TABLES
            for item in path.iterdir()
        ):
            return False
    except OSError:  # an unreadable folder: reading it as a dataset says why
        return False
    return bool(detect_platforms(path))


def _load_exports(
    sources: Sources,
    exports: list[tuple[str, Path]],
    settings: Settings,
    progress: Progress,
) -> Loaded:
    if sources.demo:
        raise UsageError("give --export or --demo, not both")
    if sources.follows is not None or sources.interactions is not None:
        raise UsageError(
            "--follows and --interactions do not mix with exports; import the exports into a "
            "dataset folder (graphkit import) and add the tables there"
        )
    for name in ("accounts", "identities"):
        if isinstance(getattr(sources, name), pa.Table):
            raise UsageError(f"with exports, {name} must be a file")
    accounts = sources.accounts
    identities = sources.identities
    assert accounts is None or isinstance(accounts, str | os.PathLike)
    assert identities is None or isinstance(identities, str | os.PathLike)
    if settings.memory_check:
        estimate = estimate_memory(
            exports=[path for _, path in exports], accounts=accounts, identities=identities
        )
        check_memory(estimate, available_memory())
    with progress.step("Reading exports"):
        dataset, read = import_exports(
            exports, accounts=accounts, identities=identities, owner=sources.owner
        )
    for export in read:
        for note in export.notes:
            progress.note(note)
    with progress.step("Building graph"):
        # Exports are small: the tables stay for analyses that read them again (brands).
        graph = build_graph(dataset, settings.weighting, undirected=sources.undirected)
    graph = discount_suspicious(graph, settings, progress)
    _note_graph(graph, sources, settings, progress)
    named = {f"export {number}": path for number, (_, path) in enumerate(exports, start=1)}
    return Loaded(dataset, graph, {**named, **dataset.sources})
