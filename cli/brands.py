"""``graphkit brands``: personal vs corporate reach of each organization, its people, rosters."""

from __future__ import annotations

from pathlib import Path

import click

from graphkit import app
from graphkit.analysis.brands import (
    DEFAULT_DEPARTURE_TOP,
)
from graphkit.cli.inputs import InputChoice, input_options, load
from graphkit.cli.options import run_options, weighting_options
from graphkit.cli.output import ExportChoice, emit, export_options, output_options
from graphkit.graph import Weighting
from graphkit.progress import Progress


@click.command("brands")
@input_options
@click.option(
    "--org",
    "orgs",
    multiple=True,
    metavar="ID",
    help="Brand account id of an organization to report; repeat for several (default: all).",
)
@click.option(
    "--people",
    is_flag=True,
    help="One row per person: reach, unique reach, departure impact, rank in the organization.",
)
@click.option(
    "--roster",
    "roster_size",
    type=click.IntRange(min=1),
    metavar="K",
    help="Choose the K people who together add the most reach (greedy, lazy), with the "
    "coverage curve.",
)
@click.option(
    "--departure-top",
    type=click.IntRange(min=0),
    default=DEFAULT_DEPARTURE_TOP,
    show_default=True,
    metavar="N",
    help="With --people, recompute PageRank without each of the first N people of each "
    "organization (one full PageRank each; 0 = everyone).",
)
@click.option(
    "--no-departure-pagerank",
    is_flag=True,
    help="With --people, recompute no PageRank (departure_impact_pagerank left empty).",
)
@weighting_options
@output_options
@export_options
@run_options
def brands(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    orgs: tuple[str, ...],
    people: bool,
    roster_size: int | None,
    departure_top: int,
    no_departure_pagerank: bool,
    output: Path | None,
    output_format: str | None,
    export: ExportChoice,
) -> None:
    """Compare each organization's corporate reach with the reach of its people.

    An organization is a brand account (kind 'brand' in the accounts table) and the people
    whose 'organization' names it. Reach counts distinct followers outside the organization.
    One row per organization: corporate_reach, personal_reach, combined_reach, overlap,
    personal_only_reach, personal_share, PageRank of the brand and of its people, and
    people_first_share (of the outsiders who interacted with both a person and the brand,
    the share who engaged a person first; needs interaction timestamps).

    With --people, one row per person: unique_reach (followers no colleague and not the
    brand reaches: the reach lost if the person left), departure_impact_pagerank (the brand
    PageRank lost when the person and their edges are removed, recomputed for the first
    --departure-top people) and rank in the organization. With --roster K, the K people
    who together reach the most beyond the brand, with the coverage curve.

    \b
    Examples:
      graphkit brands --demo
      graphkit brands --demo --org b001 --people
      graphkit brands --demo --org b001 --roster 5
      graphkit brands exports/ --org acme --people -o acme_people.csv
      graphkit brands --demo --crm hubspot -o brands.csv
    """
    if people and roster_size is not None:
        raise click.UsageError("give --people or --roster, not both")
    if no_departure_pagerank and not people:
        raise click.UsageError("--no-departure-pagerank goes with --people")
    loaded = load(inputs, weighting, progress)
    table = app.brands(
        loaded,
        orgs=orgs,
        people=people,
        roster_size=roster_size,
        departure_top=0 if no_departure_pagerank else departure_top or None,
        progress=progress,
    )
    if people:
        title = f"{table.height:,} people"
    elif roster_size is not None:
        title = f"Best {roster_size} people per organization"
    else:
        title = f"{table.height:,} organizations"
    emit(table, output, output_format, progress, title=title, graph=loaded.graph, export=export)
