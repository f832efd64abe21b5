"""``graphkit rank``: the influencer table."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal, cast

import click

from graphkit.algorithms.pagerank import DEFAULT_DAMPING, DEFAULT_MAX_ITER, DEFAULT_TOLERANCE
from graphkit.app import Settings
from graphkit.app.api import rank_run
from graphkit.cli.engine import EngineChoice, engine_options
from graphkit.cli.inputs import InputChoice, input_options, load
from graphkit.cli.options import (
    confidence_options,
    remember_run,
    run_options,
    weighting_options,
)
from graphkit.cli.output import ExportChoice, emit, export_options, output_options
from graphkit.graph import Weighting
from graphkit.progress import Progress

TABLE_COLUMNS = (
    "rank",
    "id",
    "handle",
    "name",
    "kind",
    "organization",
    "title",
    "score",
    "followers",
    "interactions_received",
    "engagement_rate",
)


@click.command()
@input_options
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=100,
    show_default=True,
    help="Rows to keep (0 = all accounts).",
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
@click.option(
    "--kind",
    type=click.Choice(["person", "brand"]),
    help="Keep only people or only brand accounts.",
)
@click.option(
    "--audience",
    "audience_selectors",
    multiple=True,
    metavar="SELECTOR",
    help="Rank whom this audience pays attention to (personalized PageRank): a file "
    "of ids, FIELD=VALUE (topic=cloud, org=b001, id=a,b) or FIELD~REGEX "
    "(title~CTO|CIO); join clauses with & to require all; repeat to add audiences.",
)
@click.option(
    "--communities",
    "with_communities",
    is_flag=True,
    help="Add each account's community (Leiden; label propagation with --engine spark) "
    "and its rank inside it.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Seed of the community detection (with --communities) and of --confidence.",
)
@confidence_options
@weighting_options
@output_options
@export_options
@run_options
@engine_options
def rank(
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    engine: EngineChoice,
    top: int,
    damping: float,
    tolerance: float,
    max_iter: int,
    kind: str | None,
    audience_selectors: tuple[str, ...],
    with_communities: bool,
    seed: int,
    confidence: int,
    level: float,
    certify: bool,
    previous: Path | None,
    output: Path | str | None,
    output_format: str | None,
    export: ExportChoice,
) -> None:
    """Rank accounts by the attention they receive (weighted PageRank on the influence graph).

    INPUT is a dataset folder (accounts.*, follows.*, interactions.*, identities.*) or one
    follows/interactions file; or name the tables with --follows, --interactions, --accounts.

    The score column maps PageRank to 0-100 on a log scale: the top account scores 100, the
    least-attended 0.

    -o FILE.gexf or FILE.graphml writes the ranked accounts (all with --top 0) and the
    edges among them for Gephi, labelled by name, sized by score, coloured by community
    (with --communities) and laid out (up to 10,000 accounts; beyond, no positions); --crm
    writes a CRM's import files.

    \b
    Examples:
      graphkit rank --demo
      graphkit rank --demo --audience 'title~CTO|CIO' --kind person --top 20
      graphkit rank --follows twitter_combined.txt --top 0 -o ranking.csv
      graphkit rank --interactions higgs-retweet_network.edgelist --interaction-type repost
      graphkit rank exports/ --weights like=0,repost=4 --half-life 30d -o top.parquet
      graphkit rank --demo --communities --top 0 -o ranked.csv
      graphkit rank --demo --kind person --top 500 --crm hubspot -o hubspot.csv
      graphkit rank --demo --communities --top 200 -o top200.gexf
      graphkit rank --demo --confidence 100 --seed 1 --top 20
      graphkit rank exports/ --previous last_month.csv --top 0 -o this_month.csv
      graphkit rank s3a://bucket/exports/ --engine spark --spark-remote sc://spark:15002 \\
          --top 0 -o s3a://bucket/ranking.parquet
    """
    if engine.name == "spark":
        from graphkit.cli.spark import rank_with_spark

        if export.crm is not None or export.manifest:
            raise click.UsageError("--crm and --manifest are not available with --engine spark")
        if confidence or certify or previous is not None:
            raise click.UsageError(
                "--confidence, --certify and --previous are not available with --engine spark"
            )

        rank_with_spark(
            inputs=inputs,
            weighting=weighting,
            progress=progress,
            engine=engine,
            top=top,
            damping=damping,
            tolerance=tolerance,
            max_iter=max_iter,
            kind=kind,
            audience_selectors=audience_selectors,
            with_communities=with_communities,
            seed=seed,
            output=output,
            output_format=output_format,
        )
        return
    loaded = load(inputs, weighting, progress)
    graph = loaded.graph
    if previous is not None:
        remember_run(sources={**loaded.sources, "previous": previous})
    ranking = rank_run(
        loaded,
        settings=Settings(
            weighting=weighting, damping=damping, tolerance=tolerance, max_iter=max_iter
        ),
        audience=audience_selectors,
        kind=cast(Literal["person", "brand"] | None, kind),
        top=top,
        communities=with_communities,
        seed=seed,
        progress=progress,
        confidence=confidence,
        level=level,
        previous=previous,
        certify=certify,
        undirected=inputs.undirected,
        prefix=progress.verbose or export.manifest or export.crm is not None,
    )
    table = ranking.table
    remember_run(
        sections={
            "ranking": {
                "iterations": ranking.iterations,
                "certified_prefix": ranking.certified,
                "bootstrap": {"replicates": confidence, "level": level, "seed": seed}
                if confidence
                else None,
                "previous": None if previous is None else str(previous),
            }
        }
    )
    if progress.verbose and ranking.certified is not None:
        progress.note(
            f"Certified order: the first {ranking.certified:,} accounts rank as the exact "
            f"PageRank does (iterations: {ranking.iterations:,})"
        )
    if graph.self_loops:
        progress.note(f"Dropped {graph.self_loops:,} self-loop records")
    if is_terminal_table(output, output_format):
        uncertainty = ("rank_low", "rank_high", "score_low", "score_high", "order_certain")
        shown = table.select(
            [*TABLE_COLUMNS, *(name for name in uncertainty if name in table.columns)]
        )
        table = shown.select(
            name for name in shown.columns if shown[name].null_count() < shown.height
        )
    emit(
        table,
        output,
        output_format,
        progress,
        title=f"Top {table.height:,} of {graph.n_nodes:,} accounts",
        graph=graph,
        gephi=True,
        export=export,
    )


def is_terminal_table(output: Path | str | None, output_format: str | None) -> bool:
    """Whether the table goes to a terminal (then only the columns that fit are shown)."""
    to_stdout = output is None or str(output) == "-"
    interactive = output_format is None and sys.stdout.isatty()
    return to_stdout and (output_format == "table" or interactive)
