"""``--engine spark`` for ``graphkit rank`` and ``graphkit communities``: the same tables and
options, computed on Spark DataFrames (:mod:`graphkit.engines.spark`)."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from graphkit.app import input_locations
from graphkit.cli.engine import EngineChoice
from graphkit.cli.inputs import InputChoice
from graphkit.cli.output import emit
from graphkit.errors import GraphkitError
from graphkit.graph import Weighting
from graphkit.io.writers import format_for
from graphkit.progress import Progress

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

    from graphkit.engines.spark import SparkEngine, SparkGraph


@contextlib.contextmanager
def spark_failures() -> Iterator[None]:
    """Turn a failure inside Spark (a lost executor, an unreadable file...) into one line."""
    try:
        yield
    except (GraphkitError, click.ClickException):
        raise
    except Exception as error:
        if type(error).__module__.split(".")[0] not in ("pyspark", "py4j"):
            raise
        raise GraphkitError(f"Spark failed: {spark_reason(error)}") from None


def spark_reason(error: Exception) -> str:
    """The line of a Spark failure that says what went wrong.

    A JVM failure reads ``An error occurred while calling o123.count.`` and then the Java
    exception (``: org.apache.spark.SparkException: Job aborted ...``) and its stack; the
    Java exception's line is the one that helps.
    """
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    if not lines:
        return type(error).__name__
    if lines[0].startswith("An error occurred while calling") and len(lines) > 1:
        return lines[1].removeprefix(":").strip()
    return lines[0]


def start(engine: EngineChoice, progress: Progress) -> SparkEngine:
    """Import the engine (one-line error without pyspark) and start its session.

    ``importlib`` rather than ``from graphkit.engines import spark``: the import goes through
    ``sys.modules``, so an engine whose pyspark went missing is not reused from the package.
    """
    spark = importlib.import_module("graphkit.engines.spark")
    with progress.step("Starting Spark"):
        started: SparkEngine = spark.SparkEngine.start(
            master=engine.spark_master,
            remote=engine.spark_remote,
            checkpoint_dir=engine.spark_checkpoint_dir,
            conf=engine.spark_settings,
        )
    progress.watch(started.stage_status)  # the running stages' tasks on each step's bar
    return started


def read_graph(
    spark: SparkEngine, inputs: InputChoice, weighting: Weighting, progress: Progress
) -> SparkGraph:
    """Read the input tables with Spark and build the influence graph."""
    local_only = [
        option
        for option, given in (
            ("--columns", inputs.columns is not None),
            ("--undirected", inputs.undirected),
            ("--delimiter", inputs.delimiter is not None),
            ("--encoding", inputs.encoding is not None),
            ("--missing-time", weighting.missing_time != "no-decay"),
            ("--discount-suspicious", weighting.discount_suspicious),
        )
        if given
    ]
    if local_only:
        raise click.UsageError(f"{local_only[0]} works with the local engine only")
    folder, files = input_locations(inputs.sources())
    with progress.step("Reading tables"):
        tables = spark.read(
            folder,
            accounts=files.get("accounts"),
            follows=files.get("follows"),
            interactions=files.get("interactions"),
            identities=files.get("identities"),
            interaction_type=inputs.interaction_type,
            known_types=weighting.known_types,
        )
    with progress.step("Building graph"):
        return spark.build_graph(tables, weighting)


def deliver(
    spark: SparkEngine,
    frame: DataFrame,
    output: Path | str | None,
    output_format: str | None,
    progress: Progress,
    *,
    title: str,
    terminal_columns: tuple[str, ...] | None = None,
) -> None:
    """Write a result: Spark part files at a URI, else collected and written as locally."""
    if isinstance(output, str):
        if output_format == "table":
            raise click.UsageError("--format table prints to the terminal; drop -o")
        chosen = output_format or _suffix_format(output)
        with progress.step(f"Writing {output}"):
            spark.write(frame, output, file_format=chosen)
        progress.note(f"Wrote {chosen} part files to {output}")
        return
    with progress.step("Collecting results"):
        table = spark.to_polars(frame)
    if terminal_columns is not None:
        from graphkit.cli.rank import is_terminal_table

        if is_terminal_table(output, output_format):
            shown = table.select(terminal_columns)
            table = shown.select(
                name for name in shown.columns if shown[name].null_count() < shown.height
            )
    emit(table, output, output_format, progress, title=title)


def _suffix_format(location: str) -> str:
    name = location.rstrip("/").rsplit("/", 1)[-1]
    if "." not in name:
        return "parquet"
    chosen = format_for(name)
    return "ndjson" if chosen == "json" else chosen


@spark_failures()
def rank_with_spark(
    *,
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
    output: Path | str | None,
    output_format: str | None,
) -> None:
    """``graphkit rank --engine spark``."""
    from graphkit.cli.rank import TABLE_COLUMNS

    spark = start(engine, progress)
    graph = read_graph(spark, inputs, weighting, progress)
    partition = None
    if with_communities:
        with progress.step("Finding communities"):
            partition = spark.communities(graph, seed=seed)
    with progress.step("Ranking"):
        result = spark.pagerank(
            graph,
            damping=damping,
            tolerance=tolerance,
            max_iter=max_iter,
            audience=audience_selectors,
        )
        table = spark.rank_table(graph, result, kind=kind, top=top, communities=partition)
    if progress.verbose:
        progress.note(f"PageRank: {result.iterations} iterations, L1 change {result.change:.3g}")
    if graph.self_loops:
        progress.note(f"Dropped {graph.self_loops:,} self-loop records")
    shown = graph.n_nodes if not top else min(top, graph.n_nodes)
    deliver(
        spark,
        table,
        output,
        output_format,
        progress,
        title=f"Top {shown:,} of {graph.n_nodes:,} accounts",
        terminal_columns=TABLE_COLUMNS,
    )


@spark_failures()
def communities_with_spark(
    *,
    inputs: InputChoice,
    weighting: Weighting,
    progress: Progress,
    engine: EngineChoice,
    resolution: float,
    seed: int,
    leaders: int,
    only_leaders: bool,
    output: Path | str | None,
    output_format: str | None,
) -> None:
    """``graphkit communities --engine spark`` (label propagation)."""
    spark = start(engine, progress)
    graph = read_graph(spark, inputs, weighting, progress)
    with progress.step("Finding communities"):
        result = spark.communities(graph, seed=seed, resolution=resolution)
    with progress.step("Ranking"):
        scores = spark.pagerank(graph)
    progress.note(
        f"{result.n_communities:,} communities of {graph.n_nodes:,} accounts, "
        f"modularity {result.modularity:.4f} (label_propagation, seed {seed}, "
        f"{result.iterations} iterations)"
    )
    table = spark.community_table(graph, result, scores, leaders=leaders)
    if only_leaders:
        table = table.filter(table["is_leader"])
    deliver(
        spark,
        table,
        output,
        output_format,
        progress,
        title=f"Accounts in {result.n_communities:,} communities",
    )
