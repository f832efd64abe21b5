"""Option sets shared by commands, and the steps every command starts and ends with."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from graphkit import app
from graphkit.app import Loaded, Settings, Sources, read_config
from graphkit.config import set_threads
from graphkit.errors import ParameterError
from graphkit.graph import (
    MISSING_TIME_CHOICES,
    Weighting,
    parse_duration,
    parse_timestamp,
    parse_type_weights,
)
from graphkit.io.schema import DEFAULT_TYPE_WEIGHTS, FOLLOWS, INTERACTIONS
from graphkit.progress import Progress

F = TypeVar("F", bound=Callable[..., Any])

OUTPUT_FORMATS = ("csv", "parquet", "json", "ndjson", "table")
ENGINES = app.settings.ENGINES


class Location(click.Path):
    """A local path (as :class:`pathlib.Path`), or a storage URI such as ``s3a://bucket/x``
    kept as the string given (a ``Path`` would fold its ``//``); only --engine spark reads
    and writes URIs."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if app.is_uri(value):
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

    def sources(self) -> Sources:
        """Where the data is, for :mod:`graphkit.app`."""
        return Sources(
            data=self.input,
            follows=self.follows,
            interactions=self.interactions,
            accounts=self.accounts,
            identities=self.identities,
            demo=self.demo,
            exports=self.exports,
            interaction_type=self.interaction_type,
            columns=self.columns,
            undirected=self.undirected,
        )


def load(
    choice: InputChoice,
    weighting: Weighting,
    progress: Progress,
    *,
    analysis: str = "rank",
) -> Loaded:
    """Read the input tables and build the influence graph (:func:`graphkit.app.load`), and
    remember the inputs and graph size for the run manifest."""
    loaded = app.load(
        choice.sources(),
        Settings(weighting=weighting, memory_check=choice.memory_check),
        progress,
        analysis=analysis,
    )
    remember_run(**loaded.facts())
    return loaded


def make_weighting(
    weights: str | None,
    half_life: str | None,
    as_of: str | None,
    config_file: Path | None,
    missing_time: str | None = None,
) -> Weighting:
    """Combine the TOML config file (if any) with the command-line weighting options."""
    config = read_config(config_file) if config_file is not None else None
    return app.make_weighting(weights, half_life, as_of, missing_time, config=config)


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
