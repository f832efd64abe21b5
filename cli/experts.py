"""``graphkit experts``: the SME finder."""

from __future__ import annotations

from pathlib import Path

import click

from graphkit import app
from graphkit.algorithms.pagerank import DEFAULT_DAMPING
from graphkit.analysis.audience import C_LEVEL
from graphkit.analysis.experts import SORT_KEYS
from graphkit.app import Settings
from graphkit.cli.inputs import InputChoice, input_options, load
from graphkit.cli.options import interval_options, run_options, weighting_options
from graphkit.cli.output import ExportChoice, emit, export_options, output_options
from graphkit.graph import Weighting
from graphkit.progress import Progress


@click.command("experts")
@input_options
@click.option("--org", required=True, metavar="ID", help="Brand account id of the organization.")
@click.option(
    "--audience",
    "audience_selectors",
    multiple=True,
    metavar="SELECTOR",
    help="Target audience: a file of ids, FIELD=VALUE (topic=cloud, id=a,b) or FIELD~REGEX "
    f"(title~CTO|CIO); join clauses with & ; repeat to add. Default: C-level titles ({C_LEVEL}).",
)
@click.option(
    "--topic",
    "topics",
    multiple=True,
    metavar="T",
    help="Keep only people with this topic; repeat for any of several.",
)
@click.option(
    "--sort-by",
    type=click.Choice(SORT_KEYS),
    default="audience_influence",
    show_default=True,
    help="Column to rank by.",
)
@click.option(
    "--damping",
    type=click.FloatRange(0, 1, max_open=True),
    default=DEFAULT_DAMPING,
    show_default=True,
    help="PageRank damping factor (lower: only attention close to the audience counts).",
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Rows to keep (0 = all of the organization's people).",
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
@export_options
@run_options
def experts(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    org: str,
    audience_selectors: tuple[str, ...],
    topics: tuple[str, ...],
    sort_by: str,
    damping: float,
    top: int,
    confidence: int,
    level: float,
    seed: int,
    output: Path | None,
    output_format: str | None,
    export: ExportChoice,
) -> None:
    """Rank an organization's people by the attention a target audience pays them.

    audience_influence is personalized PageRank teleporting to the audience: attention
    the audience pays directly and through the accounts it listens to. audience_attention
    is the part passed on directly by audience members, audience_followers the audience
    accounts following the person, audience_reached the audience accounts within two
    follow hops.

    \b
    Examples:
      graphkit experts --demo --org b001
      graphkit experts --demo --org b001 --audience 'title~CTO|CIO|CISO' --topic security
      graphkit experts exports/ --org acme --audience buyers.txt -o acme_experts.csv
      graphkit experts --demo --org b001 --crm salesforce -o northwind.csv
      graphkit experts --demo --org b001 --confidence 100 --seed 1
    """
    loaded = load(inputs, weighting, progress)
    selectors = list(audience_selectors) or [C_LEVEL]
    audience = app.audience_mask(loaded, selectors)
    assert audience is not None
    table = app.experts(
        loaded,
        org=org,
        settings=Settings(weighting=weighting, damping=damping),
        audience=selectors,
        topics=topics,
        sort_by=sort_by,
        top=top,
        progress=progress,
        confidence=confidence,
        level=level,
        seed=seed,
        undirected=inputs.undirected,
    )
    progress.note(f"Audience: {int(audience.sum()):,} accounts ({' + '.join(selectors)})")
    graph = loaded.graph
    emit(
        table,
        output,
        output_format,
        progress,
        title=f"Experts of {org} for the audience",
        graph=graph,
        export=export,
    )
