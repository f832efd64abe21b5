"""Option sets shared by commands, and the steps every command starts and ends with."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from graphkit.config import prepare_kernels_in_background, set_threads
from graphkit.data import demo_folder
from graphkit.errors import InputError, ParameterError
from graphkit.graph import (
    MISSING_TIME_CHOICES,
    SocialGraph,
    Weighting,
    build_graph,
    parse_duration,
    parse_timestamp,
    parse_type_weights,
)
from graphkit.io import Dataset, load_dataset
from graphkit.io.files import read_small_text
from graphkit.io.platforms import detect_platforms, import_exports, parse_export_spec
from graphkit.io.preflight import (
    available_memory,
    check_memory,
    estimate_memory,
    gib,
    stream_if_it_helps,
)
from graphkit.io.readers import missing_reason, peek_columns
from graphkit.io.schema import DEFAULT_TYPE_WEIGHTS, FOLLOWS, INTERACTIONS, TABLES
from graphkit.progress import Progress

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_FORMATS = ("csv", "parquet", "json", "ndjson", "table")
ENGINES = ("local", "spark")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://|^file:/")


class Location(click.Path):
    """A local path (as :class:`pathlib.Path`), or a storage URI such as ``s3a://bucket/x``
    kept as the string given (a ``Path`` would fold its ``//``); only --engine spark reads
    and writes URIs."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and _URI.match(value):
            return value
        return super().convert(value, param, ctx)


# Input paths are not checked by click: graphkit's readers name a missing or unreadable file
# themselves, with exit status 1 like any other bad input.
INPUT_PATH = Location(path_type=Path, readable=False)


def _stack(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


def _collect(names: tuple[str, ...], into: str, build: Callable[..., Any]) -> Callable[[F], F]:
    """Hand the options ``names`` to the command as one object, ``build(**options)``."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs[into] = build(**{name: kwargs.pop(name) for name in names})
            return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


input_options = _stack(
    click.argument("input", required=False, type=INPUT_PATH),
    click.option(
        "--follows",
        type=INPUT_PATH,
        help="Follows file (follower,followed), or a header-less edge list 'a b'.",
    ),
    click.option(
        "--interactions",
        type=INPUT_PATH,
        help="Interactions file (source,target,type[,timestamp,weight]).",
    ),
    click.option("--accounts", type=INPUT_PATH, help="Accounts file (id,...)."),
    click.option(
        "--identities",
        type=INPUT_PATH,
        help="Identities file (account,person) merging one person's accounts.",
    ),
    click.option(
        "--interaction-type",
        metavar="TYPE",
        help="Type of every record of an interactions file without a type column "
        "(e.g. repost); an INPUT file is then read as interactions.",
    ),
    click.option(
        "--columns",
        metavar="NAME,NAME[,...]",
        callback=lambda ctx, param, value: _parse_columns(ctx, param, value),
        help="Names of the fields of a header-less edge list, in order, e.g. "
        "source,target,timestamp or follower,followed,weight (a file with a header row "
        "needs none). Names of interactions columns make it an interactions file.",
    ),
    click.option(
        "--undirected",
        is_flag=True,
        help="Read each follows row as both directions (friendship or connection lists "
        "published as one row per pair).",
    ),
    click.option("--demo", is_flag=True, help="Use the demo dataset shipped with graphkit."),
    click.option(
        "--memory-check/--no-memory-check",
        default=True,
        show_default=True,
        help="Before reading, estimate the memory the run needs from the input files and stop "
        "with an error when the machine has less available.",
    ),
    click.option(
        "--export",
        "exports",
        multiple=True,
        metavar="[FORMAT:]PATH",
        help="A platform export to read: x:archive.zip, linkedin:export.zip, "
        "mastodon:archive.zip (or its folder; the format is recognised when omitted). Repeat "
        "to merge; --accounts and --identities may then name accounts as x:@handle. An "
        "export given as INPUT is recognised too.",
    ),
    _collect(
        (
            "input",
            "follows",
            "interactions",
            "accounts",
            "identities",
            "interaction_type",
            "demo",
            "exports",
            "memory_check",
            "columns",
            "undirected",
        ),
        "inputs",
        lambda **options: InputChoice(**options),
    ),
)
"""Input options, handed to the command as ``inputs: InputChoice``."""


def _parse_columns(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> tuple[str, ...] | None:
    """``--columns``: distinct names that include the two account columns of follows or of
    interactions (any of their aliases)."""
    if value is None:
        return None
    names = tuple(name.strip() for name in value.split(","))
    if any(not name for name in names):
        raise click.BadParameter(f"empty name in {value!r}", ctx=ctx, param=param)
    if len(set(names)) != len(names):
        raise click.BadParameter(f"a name is given twice in {value!r}", ctx=ctx, param=param)
    for spec in (FOLLOWS, INTERACTIONS):
        canonical = {spec.canonical_name(name) for name in names}
        if set(spec.id_columns) <= canonical:
            return names
    raise click.BadParameter(
        f"{value!r} names neither follower,followed (follows) nor source,target (interactions)",
        ctx=ctx,
        param=param,
    )


def _columns_table(columns: tuple[str, ...]) -> str:
    """The table whose account columns ``--columns`` names."""
    canonical = {INTERACTIONS.canonical_name(name) for name in columns}
    return "interactions" if set(INTERACTIONS.id_columns) <= canonical else "follows"


def _checked(parse: Callable[[str], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback that turns a parser's ParameterError into a usage error (exit 2)."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None:
            try:
                parse(value)
            except ParameterError as error:
                raise click.BadParameter(str(error), ctx=ctx, param=param) from None
        return value

    return callback


weighting_options = _stack(
    click.option(
        "--weights",
        metavar="TYPE=W,...",
        callback=_checked(parse_type_weights),
        help="Weight of one record per type; defaults "
        + ", ".join(f"{name}={weight:g}" for name, weight in DEFAULT_TYPE_WEIGHTS.items())
        + ". New types may be added.",
    ),
    click.option(
        "--half-life",
        metavar="DURATION",
        callback=_checked(parse_duration),
        help="Interactions lose half their weight per DURATION of age (e.g. 30d, 12h, 2w); "
        "default: no decay.",
    ),
    click.option(
        "--missing-time",
        type=click.Choice(MISSING_TIME_CHOICES),
        help="With --half-life, what an interaction without a timestamp gets: no-decay (full "
        "weight; the default, counted and reported), drop (left out) or error.",
    ),
    click.option(
        "--as-of",
        metavar="TIME",
        callback=_checked(parse_timestamp),
        help="Reference time for ages (ISO 8601); default: newest interaction.",
    ),
    click.option(
        "--config",
        "config_file",
        type=click.Path(path_type=Path, dir_okay=False, readable=False),
        help="TOML file with [weights], half_life and as_of (options given here win).",
    ),
    _collect(
        ("weights", "half_life", "missing_time", "as_of", "config_file"),
        "weighting",
        lambda **options: make_weighting(**options),
    ),
)
"""Edge-weighting options, handed to the command as ``weighting: Weighting``."""

run_options = _stack(
    click.option(
        "--threads",
        type=click.IntRange(min=0),
        default=0,
        show_default="all cores",
        help="Threads for the numeric kernels.",
    ),
    click.option("-v", "--verbose", is_flag=True, help="Print the duration of each step."),
    click.option("-q", "--quiet", is_flag=True, help="Print no progress."),
    _collect(("threads", "verbose", "quiet"), "progress", lambda **options: start(**options)),
)
"""Run options (threads, verbosity), applied and handed over as ``progress: Progress``."""


@dataclass(frozen=True)
class EngineChoice:
    """Where a command computes: this process, or Spark (with its settings)."""

    name: str
    spark_master: str | None = None
    spark_remote: str | None = None
    spark_checkpoint_dir: str | None = None
    spark_conf: tuple[str, ...] = ()

    @property
    def spark_settings(self) -> dict[str, str]:
        """The --spark-conf settings as a mapping."""
        settings = {}
        for item in self.spark_conf:
            key, _, value = item.partition("=")
            settings[key.strip()] = value.strip()
        return settings


def _engine_choice(**options: Any) -> EngineChoice:
    choice = EngineChoice(
        name=options["engine"],
        spark_master=options["spark_master"],
        spark_remote=options["spark_remote"],
        spark_checkpoint_dir=options["spark_checkpoint_dir"],
        spark_conf=tuple(options["spark_conf"]),
    )
    given = [
        f"--{name.replace('_', '-')}"
        for name in ("spark_master", "spark_remote", "spark_checkpoint_dir", "spark_conf")
        if options[name]
    ]
    if choice.name != "spark" and given:
        raise click.UsageError(f"{given[0]} needs --engine spark")
    if choice.spark_master and choice.spark_remote:
        raise click.UsageError("give --spark-master or --spark-remote, not both")
    for item in choice.spark_conf:
        if "=" not in item or not item.partition("=")[0].strip():
            raise click.UsageError(f"bad --spark-conf {item!r}: expected KEY=VALUE")
    return choice


engine_options = _stack(
    click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="local",
        show_default=True,
        help="local: this process; spark: Apache Spark DataFrames, for graphs beyond one "
        "machine (pip install 'graphkit[spark]'); inputs and -o may then be URIs "
        "(s3a://, hdfs://, gs://...).",
    ),
    click.option(
        "--spark-master",
        metavar="URL",
        help="Spark master for --engine spark: local[*] (default, or spark-submit's), "
        "spark://host:7077, yarn, k8s://...",
    ),
    click.option(
        "--spark-remote",
        metavar="URL",
        help="Spark Connect server for --engine spark, e.g. sc://host:15002.",
    ),
    click.option(
        "--spark-checkpoint-dir",
        metavar="URI",
        help="Checkpoint iterations reliably here (storage every executor reaches); "
        "default: localCheckpoint on the executors.",
    ),
    click.option(
        "--spark-conf",
        multiple=True,
        metavar="KEY=VALUE",
        help="A Spark setting, e.g. spark.driver.memory=8g; repeat for more.",
    ),
    _collect(
        ("engine", "spark_master", "spark_remote", "spark_checkpoint_dir", "spark_conf"),
        "engine",
        _engine_choice,
    ),
)
"""Engine options, handed to the command as ``engine: EngineChoice``."""


@dataclass(frozen=True)
class InputChoice:
    """The files a command reads, as given on the command line (URIs stay strings)."""

    input: Path | str | None
    follows: Path | str | None
    interactions: Path | str | None
    accounts: Path | str | None
    identities: Path | str | None
    interaction_type: str | None
    demo: bool
    exports: tuple[str, ...] = ()
    memory_check: bool = True
    columns: tuple[str, ...] | None = None
    undirected: bool = False


def load(
    choice: InputChoice, weighting: Weighting, progress: Progress
) -> tuple[Dataset, SocialGraph]:
    """Read the input tables and build the influence graph, with progress."""
    exports = [parse_export_spec(spec) for spec in choice.exports]
    if isinstance(choice.input, Path) and not choice.demo and _is_export(choice.input):
        exports.insert(0, ("auto", choice.input))
    if exports:
        return _load_exports(choice, exports, weighting, progress)
    folder, files = input_locations(choice)
    local_files: dict[str, Path | None] = {}
    for name, location in (("folder", folder), *files.items()):
        if isinstance(location, str):
            raise click.UsageError(f"{location} is a URI: read it with --engine spark")
        local_files[name] = location
    local_folder = local_files.pop("folder")
    stream = _preflight(local_folder, local_files, progress) if choice.memory_check else None
    prepare_kernels_in_background()
    with progress.step("Reading tables"):
        dataset = load_dataset(
            local_folder,
            interaction_type=choice.interaction_type,
            known_types=weighting.known_types,
            stream=stream,
            columns=choice.columns,
            **local_files,
        )
    with progress.step("Building graph"):
        graph = build_graph(dataset, weighting, release_tables=True, undirected=choice.undirected)
    if choice.undirected and progress.verbose:
        progress.note(f"Read each follows row as both directions ({graph.records:,} records)")
    if graph.missing_times:
        fate = {"no-decay": "kept at full weight", "drop": "left out"}[weighting.missing_time]
        progress.note(
            f"{graph.missing_times:,} interactions have no timestamp: {fate} "
            "(--missing-time no-decay, drop or error)"
        )
    _remember_inputs(dict(dataset.sources), graph)
    return dataset, graph


def input_locations(
    choice: InputChoice,
) -> tuple[Path | str | None, dict[str, Path | str | None]]:
    """The dataset folder and the table files a command reads (URIs stay strings)."""
    folder: Path | str | None = None
    files: dict[str, Path | str | None] = {
        "follows": choice.follows,
        "interactions": choice.interactions,
        "accounts": choice.accounts,
        "identities": choice.identities,
    }
    if choice.demo:
        if choice.input is not None:
            raise click.UsageError("give INPUT or --demo, not both")
        folder = demo_folder()
    elif isinstance(choice.input, str):
        name = choice.input.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".gz")
        if "." not in name:
            folder = choice.input
        else:
            table = "interactions" if choice.interaction_type is not None else "follows"
            if files[table] is not None:
                raise click.UsageError(f"INPUT and --{table} both give the {table} table")
            files[table] = choice.input
    elif choice.input is not None:
        if choice.input.is_dir():
            folder = choice.input
        elif not choice.input.exists():
            raise InputError(
                missing_reason(choice.input, "file or folder not found"), path=choice.input
            )
        else:
            table = _input_table(choice.input, choice.interaction_type, choice.columns)
            if files[table] is not None:
                raise click.UsageError(f"INPUT and --{table} both give the {table} table")
            files[table] = choice.input
    elif not any(files.values()):
        raise click.UsageError(
            "no input: give a dataset folder or file, --follows/--interactions FILE, or --demo"
        )
    return folder, files


# What an analysis adds per follow or interaction record to the memory of reading and ranking:
# the undirected projection and Leiden's working copies (measured: 513 MiB against rank's 412 MiB at
# 1M follows).
_ANALYSIS_BYTES_PER_RECORD = {"communities": 120.0}


def _preflight(
    folder: Path | None, files: dict[str, Path | None], progress: Progress
) -> bool | None:
    """Stop before reading when the run would not fit in memory; stream the edge files when
    only that makes it fit. Returns the ``stream`` argument of :func:`load_dataset`."""
    context = click.get_current_context(silent=True)
    command = context.info_name if context is not None else None
    estimate = estimate_memory(
        folder,
        extra_bytes_per_record=_ANALYSIS_BYTES_PER_RECORD.get(command or "", 0.0),
        **files,
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


def _remember_inputs(sources: dict[str, Path], graph: SocialGraph) -> None:
    remember_run(
        sources=sources,
        graph={
            "nodes": graph.n_nodes,
            "edges": graph.n_edges,
            "records": graph.records,
            "self_loops": graph.self_loops,
        },
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
    choice: InputChoice,
    exports: list[tuple[str, Path]],
    weighting: Weighting,
    progress: Progress,
) -> tuple[Dataset, SocialGraph]:
    if choice.demo:
        raise click.UsageError("give --export or --demo, not both")
    if choice.follows is not None or choice.interactions is not None:
        raise click.UsageError(
            "--follows and --interactions do not mix with exports; import the exports into a "
            "dataset folder (graphkit import) and add the tables there"
        )
    if choice.memory_check:
        estimate = estimate_memory(
            exports=[path for _, path in exports],
            accounts=choice.accounts,
            identities=choice.identities,
        )
        check_memory(estimate, available_memory())
    with progress.step("Reading exports"):
        dataset, read = import_exports(
            exports, accounts=choice.accounts, identities=choice.identities
        )
    for export in read:
        for note in export.notes:
            progress.note(note)
    with progress.step("Building graph"):
        # Exports are small: the tables stay for analyses that read them again (brands).
        graph = build_graph(dataset, weighting)
    sources = {f"export {number}": path for number, (_, path) in enumerate(exports, start=1)}
    _remember_inputs({**sources, **dataset.sources}, graph)
    return dataset, graph


def _input_table(
    path: Path, interaction_type: str | None, columns: tuple[str, ...] | None = None
) -> str:
    """Whether a single INPUT file holds follows or interactions."""
    if columns is not None:
        return _columns_table(columns)
    if interaction_type is not None:
        return "interactions"
    columns = peek_columns(path)
    canonical = {INTERACTIONS.canonical_name(column) for column in columns}
    follows_like = {FOLLOWS.canonical_name(column) for column in columns}
    if "type" in canonical and "follower" not in follows_like:
        return "interactions"
    return "follows"


def make_weighting(
    weights: str | None,
    half_life: str | None,
    as_of: str | None,
    config_file: Path | None,
    missing_time: str | None = None,
) -> Weighting:
    """Combine the TOML config file (if any) with the command-line weighting options."""
    settings: dict[str, Any] = {}
    if config_file is not None:
        try:
            settings = tomllib.loads(read_small_text(config_file, what="config file"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise InputError(f"invalid TOML ({error})", path=config_file) from None
    base = dict(DEFAULT_TYPE_WEIGHTS)
    for name, value in dict(settings.get("weights", {})).items():
        base = parse_type_weights(f"{name}={value}", base)
    type_weights = parse_type_weights(weights or "", base)
    half_life_text = half_life or settings.get("half_life")
    as_of_text = as_of or settings.get("as_of")
    return Weighting(
        type_weights=type_weights,
        half_life=parse_duration(str(half_life_text)) if half_life_text else None,
        as_of=parse_timestamp(str(as_of_text)) if as_of_text else None,
        missing_time=str(missing_time or settings.get("missing_time", "no-decay")),
    )


def start(threads: int, verbose: bool, quiet: bool) -> Progress:
    """Apply the run options; return the progress reporter."""
    set_threads(threads)
    progress = Progress(verbose=verbose, quiet=quiet)
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta["graphkit.progress"] = progress
    return progress


def remember_run(**facts: Any) -> None:
    """Keep facts about the run (inputs, graph size) for its manifest."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta.setdefault("graphkit.run", {}).update(facts)
