"""Option sets shared by commands, and the steps every command starts and ends with."""

from __future__ import annotations

import functools
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import polars as pl

from graphkit.config import set_threads
from graphkit.data import demo_folder
from graphkit.errors import InputError, ParameterError
from graphkit.graph import (
    SocialGraph,
    Weighting,
    build_graph,
    parse_duration,
    parse_timestamp,
    parse_type_weights,
)
from graphkit.io import Dataset, load_dataset, write_frame
from graphkit.io.readers import peek_columns
from graphkit.io.schema import DEFAULT_TYPE_WEIGHTS, FOLLOWS, INTERACTIONS
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
    click.argument("input", required=False, type=Location(path_type=Path)),
    click.option(
        "--follows",
        type=Location(path_type=Path),
        help="Follows file (follower,followed), or a header-less edge list 'a b'.",
    ),
    click.option(
        "--interactions",
        type=Location(path_type=Path),
        help="Interactions file (source,target,type[,timestamp,weight]).",
    ),
    click.option("--accounts", type=Location(path_type=Path), help="Accounts file (id,...)."),
    click.option(
        "--identities",
        type=Location(path_type=Path),
        help="Identities file (account,person) merging one person's accounts.",
    ),
    click.option(
        "--interaction-type",
        metavar="TYPE",
        help="Type of every record of an interactions file without a type column "
        "(e.g. repost); an INPUT file is then read as interactions.",
    ),
    click.option("--demo", is_flag=True, help="Use the demo dataset shipped with graphkit."),
    _collect(
        ("input", "follows", "interactions", "accounts", "identities", "interaction_type", "demo"),
        "inputs",
        lambda **options: InputChoice(**options),
    ),
)
"""Input options, handed to the command as ``inputs: InputChoice``."""


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
        "--as-of",
        metavar="TIME",
        callback=_checked(parse_timestamp),
        help="Reference time for ages (ISO 8601); default: newest interaction.",
    ),
    click.option(
        "--config",
        "config_file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="TOML file with [weights], half_life and as_of (options given here win).",
    ),
    _collect(
        ("weights", "half_life", "as_of", "config_file"),
        "weighting",
        lambda **options: make_weighting(**options),
    ),
)
"""Edge-weighting options, handed to the command as ``weighting: Weighting``."""

output_options = _stack(
    click.option(
        "-o",
        "--output",
        type=Location(path_type=Path, dir_okay=False, allow_dash=True),
        help="Write here; the format follows the suffix (.csv .parquet .json .ndjson). "
        "Default: a table on a terminal, CSV when piped.",
    ),
    click.option(
        "--format",
        "output_format",
        type=click.Choice(OUTPUT_FORMATS),
        help="Output format, overriding the suffix.",
    ),
)

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


def load(
    choice: InputChoice, weighting: Weighting, progress: Progress
) -> tuple[Dataset, SocialGraph]:
    """Read the input tables and build the influence graph, with progress."""
    folder, files = input_locations(choice)
    for location in (folder, *files.values()):
        if isinstance(location, str):
            raise click.UsageError(f"{location} is a URI: read it with --engine spark")
    with progress.step("Reading tables"):
        dataset = load_dataset(
            folder,
            interaction_type=choice.interaction_type,
            known_types=weighting.known_types,
            stream=None,
            **files,
        )
    with progress.step("Building graph"):
        graph = build_graph(dataset, weighting, release_tables=True)
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
            raise InputError("file or folder not found", path=choice.input)
        else:
            table = _input_table(choice.input, choice.interaction_type)
            if files[table] is not None:
                raise click.UsageError(f"INPUT and --{table} both give the {table} table")
            files[table] = choice.input
    elif not any(files.values()):
        raise click.UsageError(
            "no input: give a dataset folder or file, --follows/--interactions FILE, or --demo"
        )
    return folder, files


def _input_table(path: Path, interaction_type: str | None) -> str:
    """Whether a single INPUT file holds follows or interactions."""
    if interaction_type is not None:
        return "interactions"
    columns = peek_columns(path)
    canonical = {INTERACTIONS.canonical_name(column) for column in columns}
    follows_like = {FOLLOWS.canonical_name(column) for column in columns}
    if "type" in canonical and "follower" not in follows_like:
        return "interactions"
    return "follows"


def make_weighting(
    weights: str | None, half_life: str | None, as_of: str | None, config_file: Path | None
) -> Weighting:
    """Combine the TOML config file (if any) with the command-line weighting options."""
    settings: dict[str, Any] = {}
    if config_file is not None:
        try:
            settings = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError("config file not found", path=config_file) from None
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
    )


def start(threads: int, verbose: bool, quiet: bool) -> Progress:
    """Apply the run options; return the progress reporter."""
    set_threads(threads)
    return Progress(verbose=verbose, quiet=quiet)


def emit(
    frame: pl.DataFrame,
    output: Path | str | None,
    output_format: str | None,
    progress: Progress,
    *,
    title: str = "",
) -> None:
    """Write ``frame`` to a file (atomically) or to standard output."""
    if isinstance(output, str):
        raise click.UsageError(f"{output} is a URI: write it with --engine spark")
    to_stdout = output is None or str(output) == "-"
    if output_format == "table" and not to_stdout:
        raise ParameterError("--format table prints to the terminal; drop -o or pick a file format")
    if to_stdout:
        chosen = output_format or ("table" if sys.stdout.isatty() else "csv")
        if chosen == "table":
            _print_table(frame, title)
        elif chosen == "csv":
            click.echo(frame.write_csv(), nl=False)
        elif chosen == "ndjson":
            click.echo(frame.write_ndjson(), nl=False)
        elif chosen == "json":
            click.echo(frame.write_json())
        else:
            raise ParameterError("parquet output needs a file: give -o FILE.parquet")
        return
    assert output is not None
    with progress.step(f"Writing {output}"):
        write_frame(frame, output, file_format=output_format)
    progress.note(f"Wrote {frame.height:,} rows to {output}")


def _print_table(frame: pl.DataFrame, title: str) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=False)
    if not console.is_terminal:
        console.width = max(console.width, 160)
    table = Table(title=title or None, header_style="bold", box=box.SIMPLE_HEAD)
    for name in frame.columns:
        numeric = frame.schema[name].is_numeric()
        header = name.replace("_", " ")
        table.add_column(
            header,
            min_width=len(header) if numeric else None,
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=None if numeric else 28,
        )
    for row in frame.iter_rows():  # a screenful of rows: --top bounds it
        table.add_row(*(_cell(value) for value in row))
    console.print(table)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 0.01 else f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
