"""``graphkit trend``: the ranking of each time window."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from graphkit.algorithms.pagerank import DEFAULT_DAMPING, DEFAULT_MAX_ITER, DEFAULT_TOLERANCE
from graphkit.app import Settings
from graphkit.app.history import trend_run
from graphkit.cli.inputs import InputChoice, input_options
from graphkit.cli.options import (
    _checked,
    interval_options,
    remember_run,
    run_options,
    weighting_options,
)
from graphkit.cli.output import emit, output_options
from graphkit.cli.rank import is_terminal_table
from graphkit.graph import Weighting, parse_duration, parse_timestamp
from graphkit.progress import Progress


@click.command("trend")
@input_options
@click.option(
    "--window",
    metavar="DURATION",
    default="30d",
    show_default=True,
    callback=_checked(parse_duration),
    help="Length of each window (e.g. 30d, 12h, 2w).",
)
@click.option(
    "--step",
    metavar="DURATION",
    default="7d",
    show_default=True,
    callback=_checked(parse_duration),
    help="Time between the starts of consecutive windows.",
)
@click.option(
    "--start",
    metavar="TIME",
    callback=_checked(parse_timestamp),
    help="Start of the first window (ISO 8601); default: the earliest interaction, at "
    "midnight UTC when the step is whole days.",
)
@click.option(
    "--end",
    metavar="TIME",
    callback=_checked(parse_timestamp),
    help="No window reaches past this time (ISO 8601); without --start, the last window "
    "ends exactly here. Default: the latest interaction.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Rows to keep per window (0 = all accounts).",
)
@click.option(
    "--audience",
    "audience_selectors",
    multiple=True,
    metavar="SELECTOR",
    help="Rank whom this audience pays attention to in each window (as graphkit rank --audience).",
)
@click.option(
    "--damping",
    type=click.FloatRange(0, 1, max_open=True),
    default=DEFAULT_DAMPING,
    show_default=True,
    help="PageRank damping factor.",
)
@click.option(
    "--tolerance",
    type=click.FloatRange(0, min_open=True),
    default=DEFAULT_TOLERANCE,
    show_default=True,
    help="Stop when the L1 change of the scores is below this.",
)
@click.option(
    "--max-iter",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_ITER,
    show_default=True,
    help="Iteration limit.",
)
@interval_options
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the --confidence resampling.",
)
@weighting_options
@output_options
@run_options
def trend(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    window: str,
    step: str,
    start: str | None,
    end: str | None,
    top: int,
    audience_selectors: tuple[str, ...],
    damping: float,
    tolerance: float,
    max_iter: int,
    confidence: int,
    level: float,
    seed: int,
    output: Path | str | None,
    output_format: str | None,
) -> None:
    """Rank the accounts in each time window: one long table of window_start, window_end,
    id, rank, score, pagerank.

    A window [start, end) holds the interactions with a timestamp in it and every follow
    that started before its end (since; follows without since count from the beginning).
    Interactions without a timestamp are left out (counted). Windows start every --step
    until one reaches the latest interaction (or --end); with --half-life, ages count back
    from each window's end. Each window warm-starts from the previous one's scores.
    --confidence adds each window's bootstrap intervals (as graphkit rank).

    \b
    Examples:
      graphkit trend --demo --window 30d --step 30d --top 3
      graphkit trend data/ --window 2w --step 1w --top 0 -o trend.csv
      graphkit trend --demo --audience 'title~CTO|CIO' --half-life 14d -o trend.parquet
      graphkit trend --demo --window 90d --step 90d --top 20 --confidence 100
    """
    if weighting.as_of is not None:
        raise click.UsageError("a trend measures ages from each window's end: drop --as-of")
    result = trend_run(
        inputs.sources(),
        window=window,
        step=step,
        start=start,
        end=end,
        settings=Settings(
            weighting=weighting,
            damping=damping,
            tolerance=tolerance,
            max_iter=max_iter,
            memory_check=inputs.memory_check,
        ),
        audience=audience_selectors,
        top=top,
        confidence=confidence,
        level=level,
        seed=seed,
        progress=progress,
    )
    remember_run(sources=result.sources, windows=len(result.windows))
    table = result.table
    if is_terminal_table(output, output_format):
        table = table.with_columns(
            pl.col("window_start", "window_end").dt.strftime("%Y-%m-%d %H:%M")
        )
    emit(
        table,
        output,
        output_format,
        progress,
        title=f"Top {top or 'all'} accounts of {len(result.windows):,} windows",
    )
