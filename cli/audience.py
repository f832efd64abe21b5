"""``graphkit audience``: what an audience pays attention to far above the base rate, and its
segments."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
import polars as pl

from graphkit import app
from graphkit.analysis.affinity import (
    DEFAULT_LEVEL,
    DEFAULT_MIN_SUPPORT,
    MIN_LEVEL,
    SEGMENT_BY,
    SegmentBy,
)
from graphkit.app import Settings
from graphkit.app.affinity import audience_size
from graphkit.cli.crm import check_outputs
from graphkit.cli.inputs import InputChoice, input_options, load
from graphkit.cli.options import _not_nan, as_input, input_or_id, run_options, weighting_options
from graphkit.cli.output import emit, output_options
from graphkit.errors import GraphkitError
from graphkit.export import guard_spreadsheet
from graphkit.graph import Weighting
from graphkit.io import format_for, write_frame
from graphkit.io.rules import is_clause_selector
from graphkit.io.writers import check_output_names
from graphkit.progress import Progress

MEMBERS_KEY = "graphkit.audience.members"


@click.command("audience")
@input_options
@click.argument("selectors", nargs=-1, metavar="SELECTOR...")
@click.option(
    "--min-support",
    type=click.IntRange(min=1),
    default=DEFAULT_MIN_SUPPORT,
    show_default=True,
    metavar="N",
    help="List only accounts at least N audience members follow or interact with.",
)
@click.option(
    "--level",
    type=click.FloatRange(MIN_LEVEL, 1, max_open=True),
    callback=lambda context, parameter, value: _not_nan(value),
    default=DEFAULT_LEVEL,
    show_default=True,
    help="Confidence level of lift_low (the lower bound on the lift), at least 0.5.",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Rows to keep (0 = all).",
)
@click.option(
    "--segments",
    "with_segments",
    is_flag=True,
    help="List the audience's segments instead: size, leaders, dominant titles and topics.",
)
@click.option(
    "--segments-by",
    type=click.Choice(SEGMENT_BY),
    default="interconnections",
    show_default=True,
    help="Segment by the links among the members, or by the accounts they follow in common.",
)
@click.option(
    "--members",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    expose_value=False,  # an output: kept out of the parameters read as inputs
    callback=lambda context, parameter, value: context.meta.__setitem__(MEMBERS_KEY, value),
    help="With --segments, also write each member's segment (id, segment) to FILE.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the segments (Leiden): the same seed gives the same segments.",
)
@weighting_options
@output_options
@run_options
def audience(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    selectors: tuple[str, ...],
    min_support: int,
    level: float,
    top: int,
    with_segments: bool,
    segments_by: SegmentBy,
    seed: int,
    output: Path | None,
    output_format: str | None,
) -> None:
    """What an audience follows and engages with far above the base rate.

    SELECTOR picks the audience as rank --audience does: a file of ids, FIELD=VALUE
    (topic=cloud, id=a,b) or FIELD~REGEX (title~CTO|CIO); join clauses with & ; several
    selectors add up. audience_followers counts the audience members following or
    interacting with an account, audience_share divides it by the audience's active members
    (those paying attention to anyone), base_share is the same share among the active
    accounts outside the audience, lift their ratio, lift_low its lower confidence bound at
    --level (exact conditional binomial test; p_value is that test's one-sided p-value).
    Rows are sorted by lift_low; audience members are not listed.

    \b
    Examples:
      graphkit audience --demo 'title~CTO|CIO|CISO'
      graphkit audience --demo topic=security --min-support 5 --top 20
      graphkit audience --demo 'title~CTO|CIO' --segments --segments-by followings
      graphkit audience exports/ buyers.txt -o affinities.csv
    """
    if inputs.input is not None and (
        inputs.demo or inputs.follows or inputs.interactions or inputs.database
    ):
        # With --demo or tables named by options, every argument is a selector, as typed.
        selectors = (str(inputs.input), *selectors)
        inputs = dataclasses.replace(inputs, input=None)
    elif isinstance(inputs.input, str) and _a_selector(inputs.input):
        raise click.UsageError(
            f"{inputs.input!r} is a selector, not a file or folder: give the data first (a "
            "dataset folder or file, --demo, --follows or --interactions)"
        )
    else:
        inputs = dataclasses.replace(inputs, input=as_input(inputs.input))
    if not selectors:
        raise click.UsageError("Missing argument 'SELECTOR...'.")
    context = click.get_current_context()
    members: Path | None = context.meta.get(MEMBERS_KEY)
    if members is not None and not with_segments:
        raise click.UsageError("--members goes with --segments")
    if members is not None and _format_of(members) is None:
        raise click.UsageError(f"--members {members}: name a .csv, .parquet, .json or .ndjson file")
    if members is not None:
        check_output_names([members])  # before the work (inputs are known after loading)
    given = {
        name
        for name in ("min_support", "level", "segments_by", "seed")
        if context.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
    }
    if with_segments and given & {"min_support", "level"}:
        raise click.UsageError("--min-support and --level go with the affinities, not --segments")
    if not with_segments and given & {"segments_by", "seed"}:
        raise click.UsageError("--segments-by and --seed go with --segments")
    if members is not None and output is not None and _same_file(Path(str(output)), members):
        raise click.UsageError("--members and -o name the same file")
    loaded = load(inputs, weighting, progress)
    settings = Settings(weighting=weighting)
    size, active = audience_size(loaded, list(selectors))
    progress.note(
        f"Audience: {size:,} account{'' if size == 1 else 's'} ({' + '.join(selectors)}), "
        f"{active:,} of them following or engaging with anyone"
    )
    if with_segments:
        result = app.audience_segments(
            loaded, audience=list(selectors), settings=settings, by=segments_by, seed=seed,
            progress=progress,
        )  # fmt: skip
        table = result.table.head(min(top, result.table.height)) if top else result.table
        if members is not None:
            written = [] if output is None or str(output) == "-" else [Path(str(output))]
            check_outputs([members, *written])  # both, before either is written
        # The segments first: their output's checks (format, folder) run before any write.
        emit(
            table,
            output,
            output_format,
            progress,
            title=f"Segments of the audience by {segments_by}",
        )
        if members is not None:
            _write_members(result.members, members, progress)
        return
    table = app.audience_affinities(
        loaded,
        audience=list(selectors),
        settings=settings,
        min_support=min_support,
        level=level,
        top=top,
        progress=progress,
    )
    if table.is_empty():
        progress.note(
            "No account to list: no active member of the audience"
            if active == 0
            else f"No account to list: none has {min_support:,} or more audience members "
            "following or engaging with it"
        )
    emit(table, output, output_format, progress, title="What the audience pays attention to")


def _write_members(frame: pl.DataFrame, path: Path, progress: Progress) -> None:
    """Write the members' segments to ``path`` (atomically; never to --output-table, which
    holds the segments)."""
    check_outputs([path])
    written = guard_spreadsheet(frame) if format_for(path) == "csv" else frame
    with progress.step(f"Writing {path}"):
        write_frame(written, path)
    progress.note(f"Wrote {frame.height:,} rows to {path}")


def _a_selector(text: str) -> bool:
    """Whether INPUT is a selector (FIELD=VALUE or FIELD~REGEX) and no file or folder."""
    try:
        return is_clause_selector(text) and not Path(text).exists()
    except (OSError, ValueError):  # a name too long for the system
        return True


def _format_of(path: Path) -> str | None:
    """The format a file's suffix names (``None`` for none: --format is for -o only)."""
    try:
        return format_for(path)
    except GraphkitError:
        return None


def _same_file(first: Path, second: Path) -> bool:
    """Whether two names are one file (through links and spellings of the path)."""
    try:
        return first.samefile(second)
    except (OSError, RuntimeError):  # one does not exist yet
        try:
            return first.resolve() == second.resolve()
        except (OSError, RuntimeError):  # a link loop
            return False


input_or_id(audience)
