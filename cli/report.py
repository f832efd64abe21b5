"""``graphkit report``: one offline HTML page of the rankings, communities, brands and experts."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from graphkit import app
from graphkit.algorithms.bootstrap import DEFAULT_LEVEL, MAX_REPLICATES
from graphkit.algorithms.communities import METHODS, Method
from graphkit.algorithms.pagerank import DEFAULT_DAMPING
from graphkit.analysis.audience import C_LEVEL
from graphkit.app import Settings
from graphkit.cli.crm import check_outputs
from graphkit.cli.inputs import InputChoice, input_options, load
from graphkit.cli.options import _checked, _not_nan, run_options, weighting_options
from graphkit.export.report import vega_bundle
from graphkit.export.report.content import DEFAULT_DRAW, DEFAULT_TOP, MAX_DRAW
from graphkit.graph import Weighting, parse_duration
from graphkit.progress import Progress


@click.command("report")
@input_options
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="The HTML file to write (e.g. report.html).",
)
@click.option(
    "--org",
    metavar="ID",
    help="Organization whose experts are listed (default: the one of largest combined reach).",
)
@click.option(
    "--audience",
    "audience_selectors",
    multiple=True,
    metavar="SELECTOR",
    help="Audience of the experts: a file of ids, FIELD=VALUE or FIELD~REGEX, & joins "
    f"clauses, repeat to add. Default: C-level titles ({C_LEVEL}). Given, it also adds a "
    "section on what the audience follows far above everyone else, and its segments.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=DEFAULT_TOP,
    show_default=True,
    help="Influencers in the table (only these rows go into the page).",
)
@click.option(
    "--draw",
    type=click.IntRange(0, MAX_DRAW),
    default=DEFAULT_DRAW,
    show_default=True,
    help="Accounts of most attention in the drawing of the influence graph.",
)
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="leiden",
    show_default=True,
    help="Community detection method.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the communities, the drawing and --confidence.",
)
@click.option(
    "--damping",
    type=click.FloatRange(0, 1, max_open=True),
    callback=lambda context, parameter, value: _not_nan(value),
    default=DEFAULT_DAMPING,
    show_default=True,
    help="PageRank damping factor.",
)
@click.option(
    "--confidence",
    type=click.IntRange(0, MAX_REPLICATES),
    default=0,
    show_default=True,
    metavar="N",
    help="Resample the records N times (seeded by --seed) and show how sure each top "
    "influencer's rank is: interval bars and a likely-rank column. 0: none.",
)
@click.option(
    "--level",
    type=click.FloatRange(0, 1, min_open=True, max_open=True),
    callback=lambda context, parameter, value: _not_nan(value),
    default=DEFAULT_LEVEL,
    show_default=True,
    help="Confidence level of the --confidence intervals.",
)
@click.option(
    "--trend/--no-trend",
    default=None,
    help="Chart the top influencers' rank over time windows, when the records have times. "
    "Default: on graphs of up to 250,000 links (each window ranks the whole graph).",
)
@click.option(
    "--trend-window",
    metavar="DURATION",
    default="30d",
    show_default=True,
    callback=_checked(parse_duration),
    help="Length of each window of the trend (e.g. 30d, 12h, 2w).",
)
@click.option(
    "--trend-step",
    metavar="DURATION",
    default="7d",
    show_default=True,
    callback=_checked(parse_duration),
    help="Time between the starts of the trend's windows.",
)
@click.option("--title", help="Title of the page (default: from the input).")
@weighting_options
@run_options
def report(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    output: Path,
    org: str | None,
    audience_selectors: tuple[str, ...],
    top: int,
    draw: int,
    method: str,
    seed: int,
    damping: float,
    confidence: int,
    level: float,
    trend: bool | None,
    trend_window: str,
    trend_step: str,
    title: str | None,
) -> None:
    """Write one self-contained HTML page for the people who act on the results: top
    influencers (with rank intervals under --confidence), their rank over time when the
    records have times, communities named by their leaders with a drawing of the top
    accounts, brand vs people's reach per organization, the experts for an audience, score
    and degree distributions, and the run's parameters and input checksums.

    Accounts, organizations and communities appear by name, audiences in words, scores on a
    0-100 scale (PageRank on hover), names link to profiles, and every table downloads as
    CSV from the page. Scripts, styles and data are inline: the page opens offline, from a
    mail attachment or a shared drive, and prints. Only the first rows of each table go
    into the page, so it stays small for any graph. The charts need the report extra:

    \b
      pip install 'graphkit[report]'

    \b
    Examples:
      graphkit report --demo -o report.html
      graphkit report --demo --org b002 --audience 'title~CTO|CIO' -o contoso.html
      graphkit report --demo --confidence 100 --trend-step 14d -o sure.html
      graphkit report exports/ --top 500 --draw 150 --no-trend -o influencers.html
    """
    with progress.step("Bundling the chart libraries"):
        vega_bundle()  # first: fails before the analyses when the report extra is missing
    loaded = load(inputs, weighting, progress)
    check_outputs([output])  # never over an input, a device or a link loop
    app.report(
        loaded,
        output=output,
        settings=Settings(weighting=weighting, damping=damping),
        org=org,
        audience=audience_selectors,
        top=top,
        draw=draw,
        method=cast(Method, method),
        seed=seed,
        title=title,
        data_name=_data_name(inputs),
        progress=progress,
        confidence=confidence,
        level=level,
        undirected=inputs.undirected,
        trend=trend,
        trend_window=trend_window,
        trend_step=trend_step,
        trend_data=inputs.sources(),
    )
    progress.note(f"Wrote {output} ({output.stat().st_size / 1e6:.2f} MB)")


def _data_name(inputs: InputChoice) -> str:
    if inputs.demo:
        return "the demo dataset"
    named = [inputs.input, inputs.follows, inputs.interactions]
    names = [Path(path).name or str(path) for path in named if path is not None]
    return ", ".join(names) or "input"
