"""``graphkit compare``: what changed between two rankings."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from graphkit.app.history import compare
from graphkit.cli.options import INPUT_PATH, run_options
from graphkit.cli.output import emit, output_options
from graphkit.io.writers import check_not_input
from graphkit.progress import Progress

STATUS_CHOICES = ("entered", "exited", "moved", "same")


@click.command("compare")
@click.argument("before", type=INPUT_PATH)
@click.argument("after", type=INPUT_PATH)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Rows to keep, largest changes first (0 = all).",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(STATUS_CHOICES),
    help="Keep only these changes (repeat to keep several).",
)
@click.option(
    "--significant",
    "only_significant",
    is_flag=True,
    help="Keep only the changes whose rank intervals do not overlap (both rankings made "
    "with graphkit rank --confidence).",
)
@output_options
@run_options
def compare_command(
    before: Path | str,
    after: Path | str,
    top: int,
    statuses: tuple[str, ...],
    only_significant: bool,
    output: Path | str | None,
    output_format: str | None,
    progress: Progress,
) -> None:
    """Compare two rankings (earlier outputs of graphkit rank, in any output format): who
    moved, who entered, who left, how scores changed.

    Accounts are matched by id. rank_change is rank_before - rank_after (positive: moved
    up); status is entered, exited, moved or same; significant is true where both rankings
    carry rank intervals (rank_low, rank_high) and they do not overlap, empty without them.
    Largest rank changes first, then entrants and exits, each by id.

    \b
    Examples:
      graphkit compare october.csv november.csv --top 20
      graphkit compare before.parquet after.json --status entered -o entrants.csv
      graphkit compare before.csv after.csv --significant
    """
    if isinstance(before, str) or isinstance(after, str):
        raise click.UsageError("graphkit compare reads local files")
    if output is not None and str(output) != "-":
        check_not_input([output], [before, after])
    table = compare(before, after, progress=progress)
    title = (
        f"{table.filter(pl.col('status') != 'same').height:,} changes among "
        f"{table.height:,} accounts"
    )
    if statuses:
        table = table.filter(pl.col("status").is_in(statuses))
    if only_significant:
        if table.height and table.get_column("significant").null_count() == table.height:
            progress.note(
                "--significant: no account has rank intervals in both rankings (make both "
                "with --confidence), so none is significant"
            )
        table = table.filter(pl.col("significant").fill_null(False))
    if top:
        table = table.head(top)
    emit(table, output, output_format, progress, title=title)
