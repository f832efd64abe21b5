"""``graphkit communities``: niches and their leaders."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from graphkit import app
from graphkit.algorithms.communities import (
    DEFAULT_LABEL_PROPAGATION_SWEEPS,
    DEFAULT_LEIDEN_ITERATIONS,
    DEFAULT_LOUVAIN_ITERATIONS,
    METHODS,
    UNTIL_STABLE,
    Method,
)
from graphkit.analysis.communities import DEFAULT_LEADERS
from graphkit.cli.engine import EngineChoice, engine_options
from graphkit.cli.inputs import InputChoice, input_options, load
from graphkit.cli.options import run_options, weighting_options
from graphkit.cli.output import emit, output_options
from graphkit.graph import Weighting
from graphkit.progress import Progress


def _checked_iterations(
    ctx: click.Context, param: click.Parameter, value: int | None
) -> int | None:
    """Refuse 0, which IntRange(min=-1) lets through."""
    if value == 0:
        raise click.BadParameter(
            f"0 is not a number of iterations: give at least 1, or {UNTIL_STABLE} to repeat "
            "until nothing changes",
            ctx=ctx,
            param=param,
        )
    return value


@click.command("communities")
@input_options
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="leiden",
    show_default=True,
    help="leiden, louvain or label_propagation (fastest on large graphs; "
    "the only one, and the default, with --engine spark).",
)
@click.option(
    "--resolution",
    type=click.FloatRange(0, min_open=True),
    default=1.0,
    show_default=True,
    help="Modularity resolution: higher gives more, smaller communities.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Random seed; the same seed gives the same communities.",
)
@click.option(
    "--iterations",
    type=click.IntRange(min=UNTIL_STABLE),
    callback=_checked_iterations,
    metavar="N",
    help=f"Leiden iterations (default {DEFAULT_LEIDEN_ITERATIONS}), Louvain passes "
    f"(default {DEFAULT_LOUVAIN_ITERATIONS}) or label-propagation sweeps per level "
    f"(default {DEFAULT_LABEL_PROPAGATION_SWEEPS}); {UNTIL_STABLE} repeats them until one "
    "changes nothing.",
)
@click.option(
    "--leaders",
    type=click.IntRange(min=1),
    default=DEFAULT_LEADERS,
    show_default=True,
    metavar="K",
    help="The K accounts of most PageRank in a community are its leaders.",
)
@click.option(
    "--only-leaders", is_flag=True, help="Keep only the leaders' rows of the account table."
)
@click.option(
    "--top",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Keep the N accounts of most PageRank (0 = all); with -o FILE.gexf, the subgraph "
    "they induce.",
)
@click.option(
    "--summary",
    is_flag=True,
    help="Print one row per community (size, modularity contribution, leaders, top titles "
    "and topics) instead of one row per account.",
)
@click.option(
    "--stability",
    "stability_seeds",
    type=click.IntRange(min=2),
    metavar="N",
    help="Also report how stable the communities are: mean pairwise NMI of the partitions "
    "of N seeds (SEED, SEED+1, ...), 1 = always the same.",
)
@weighting_options
@output_options
@run_options
@engine_options
@click.pass_context
def communities_command(
    ctx: click.Context,
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    engine: EngineChoice,
    method: str,
    resolution: float,
    seed: int,
    iterations: int | None,
    leaders: int,
    only_leaders: bool,
    top: int,
    summary: bool,
    stability_seeds: int | None,
    output: Path | str | None,
    output_format: str | None,
) -> None:
    """Find the communities (niches) of the influence graph and who leads each one.

    Communities maximise modularity on the graph made undirected (attention either way
    binds two accounts, mutual attention twice as much). Inside each community accounts are
    ranked by PageRank; the first K are its leaders. The modularity goes to standard error.

    INPUT is a dataset folder or one follows/interactions file, as for graphkit rank.
    -o FILE.gexf or FILE.graphml writes the accounts with their community, rank and
    PageRank, and the edges among them, for Gephi: labelled by name, coloured by community,
    sized by PageRank and laid out (up to 10,000 accounts; beyond, no positions).

    \b
    Examples:
      graphkit communities --demo --only-leaders
      graphkit communities --demo --summary
      graphkit communities exports/ --method label_propagation --seed 7 -o niches.csv
      graphkit communities --follows twitter_combined.txt --resolution 2 --stability 5
      graphkit communities --follows votes.txt --iterations -1
      graphkit communities --demo -o communities.gexf
      graphkit communities hdfs:///exports/ --engine spark -o hdfs:///niches.parquet
    """
    if summary and top:
        raise click.UsageError("--top selects accounts; --summary has one row per community")
    if engine.name == "spark":
        from graphkit.cli.spark import communities_with_spark

        explicit = ctx.get_parameter_source("method") is not click.core.ParameterSource.DEFAULT
        if explicit and method != "label_propagation":
            raise click.UsageError("--engine spark finds communities by label_propagation only")
        refused = (
            ("--summary", summary),
            ("--stability", stability_seeds),
            ("--top", top),
            ("--iterations", iterations is not None),
        )
        for flag, given in refused:
            if given:
                raise click.UsageError(f"{flag} is not available with --engine spark")
        communities_with_spark(
            inputs=inputs,
            weighting=weighting,
            progress=progress,
            engine=engine,
            resolution=resolution,
            seed=seed,
            leaders=leaders,
            only_leaders=only_leaders,
            output=output,
            output_format=output_format,
        )
        return
    loaded = load(inputs, weighting, progress, analysis="communities")
    graph = loaded.graph
    found = app.find_communities_table(
        loaded,
        method=cast(Method, method),
        resolution=resolution,
        seed=seed,
        iterations=iterations,
        leaders=leaders,
        only_leaders=only_leaders,
        top=top,
        summary=summary,
        stability_seeds=stability_seeds,
        progress=progress,
    )
    result, table = found.partition, found.table
    progress.note(
        f"{result.n_communities:,} communities of {graph.n_nodes:,} accounts, "
        f"modularity {result.modularity:.4f} ({method}, seed {seed})"
    )
    if found.stability is not None:
        progress.note(
            f"Stability over {stability_seeds} seeds (mean pairwise NMI): {found.stability:.4f}"
        )
    if summary:
        title = f"{result.n_communities:,} communities, modularity {result.modularity:.4f}"
    else:
        title = f"{table.height:,} accounts in {result.n_communities:,} communities"
    emit(table, output, output_format, progress, title=title, graph=graph, gephi=not summary)
