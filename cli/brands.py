"""``graphkit brands``: personal vs corporate reach of each organization, its people, rosters."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from cli.options import InputChoice, input_options, load, run_options, weighting_options
from cli.output import ExportChoice, emit, export_options, output_options
from graphkit.analysis.brands import (
    DEFAULT_DEPARTURE_TOP,
    brand_table,
    organizations,
    people_table,
    roster,
)
from graphkit.graph import Weighting
from graphkit.io import Dataset
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
    dataset, graph = load(inputs, weighting, progress)
    selected = list(orgs) or None
    if people:
        with progress.step("Measuring people's reach and departure impact"):
            table = people_table(
                graph,
                orgs=selected,
                departure_top=0 if no_departure_pagerank else departure_top or None,
            )
        title = f"{table.height:,} people"
    elif roster_size is not None:
        with progress.step("Choosing rosters"):
            groups = organizations(graph, selected)
            table = pl.concat([roster(graph, group.id, roster_size) for group in groups])
        title = f"Best {roster_size} people per organization"
    else:
        with progress.step("Measuring brand reach"):
            table = brand_table(graph, orgs=selected, dataset=_with_interactions(dataset))
        title = f"{table.height:,} organizations"
    emit(table, output, output_format, progress, title=title, graph=graph, export=export)


def _with_interactions(dataset: Dataset) -> Dataset:
    """The dataset with its interactions readable again for their timestamps.

    Loading drops the interactions table once the graph is built; the file is then read
    again piece by piece (only people_first_share needs it).
    """
    path = dataset.sources.get("interactions")
    if dataset.interactions is None and path is not None and "interactions" not in dataset.streamed:
        dataset.streamed["interactions"] = path
    return dataset
