"""Option sets shared by commands, and the steps every command starts and ends with."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from graphkit import app
from graphkit.app import read_config
from graphkit.config import set_threads
from graphkit.errors import ParameterError
from graphkit.graph import (
    MISSING_TIME_CHOICES,
    Weighting,
    parse_duration,
    parse_timestamp,
    parse_type_weights,
)
from graphkit.io.schema import DEFAULT_TYPE_WEIGHTS
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


class InputOrId(Location):
    """INPUT of a command whose first argument may instead be an account id (with --demo or
    --follows): kept as typed, since a path would change it (``x/`` and ``./x`` to ``x``, an
    empty id to ``.``); :func:`as_input` converts it when it is the input."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return value if isinstance(value, str) else super().convert(value, param, ctx)


def input_or_id(command: click.Command) -> click.Command:
    """``command`` with its INPUT argument read by :class:`InputOrId`."""
    for parameter in command.params:
        if parameter.name == "input":
            parameter.type = InputOrId(path_type=Path, readable=False)
    return command


def as_input(value: str | Path | None) -> str | Path | None:
    """INPUT read by :class:`InputOrId`, converted as any INPUT is."""
    return INPUT_PATH.convert(value, None, None) if isinstance(value, str) else value


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
    click.option(
        "--discount-suspicious",
        is_flag=True,
        help="Weigh each edge u -> v by 1 - suspicion of u as a fake follower, and drop the "
        "edges of accounts with suspicion >= 0.5 (see graphkit audit).",
    ),
    _collect(
        ("weights", "half_life", "missing_time", "as_of", "config_file", "discount_suspicious"),
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


def make_weighting(
    weights: str | None,
    half_life: str | None,
    as_of: str | None,
    config_file: Path | None,
    missing_time: str | None = None,
    discount_suspicious: bool = False,
) -> Weighting:
    """Combine the TOML config file (if any) with the command-line weighting options."""
    config = read_config(config_file) if config_file is not None else None
    return app.make_weighting(
        weights, half_life, as_of, missing_time, config=config,
        discount_suspicious=discount_suspicious,
    )  # fmt: skip


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


def _not_nan(value: float) -> float:
    """Reject nan, which FloatRange lets through (every comparison with it is false)."""
    if value != value:
        raise click.BadParameter("nan is not a number")
    return value


interval_options = _stack(
    click.option(
        "--confidence",
        type=click.IntRange(min=0, max=100_000),
        default=0,
        show_default=True,
        metavar="N",
        help="Resample the records N times (Poisson bootstrap, seeded by --seed) and add "
        "rank_low, rank_high, score_low, score_high, pagerank_low, pagerank_high: intervals "
        "at --level. 0: none.",
    ),
    click.option(
        "--level",
        type=click.FloatRange(0, 1, min_open=True, max_open=True),
        callback=lambda context, parameter, value: _not_nan(value),
        default=0.9,
        show_default=True,
        help="Confidence level of the --confidence intervals.",
    ),
)
"""Bootstrap intervals: --confidence N and --level."""

confidence_options = _stack(
    interval_options,
    click.option(
        "--certify",
        is_flag=True,
        help="Add order_certain: whether each row's rank is certain given PageRank's "
        "numerical error (also added by --confidence).",
    ),
    click.option(
        "--previous",
        type=click.Path(path_type=Path, dir_okay=False, readable=False),
        metavar="RESULT",
        help="Start PageRank from an earlier run's scores (a ranking graphkit rank wrote, "
        "with id and pagerank): the same scores to --tolerance in fewer iterations (accounts "
        "tied to within it may swap: see --certify).",
    ),
)
"""Options of how sure a ranking is: --confidence, --level, --certify, --previous."""
