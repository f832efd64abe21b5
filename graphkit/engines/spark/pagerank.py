"""Weighted, optionally personalized PageRank on Spark: the iteration of
:mod:`graphkit.kernels.pagerank`."""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame, Observation
from pyspark.sql import functions as F

from graphkit.algorithms.pagerank import DEFAULT_DAMPING, DEFAULT_MAX_ITER, DEFAULT_TOLERANCE
from graphkit.engines.spark.graph import SparkGraph
from graphkit.engines.spark.session import (
    _BROADCAST_NODES,
    _by_node,
    _cached,
    _checkpoint,
    _observed,
    _partitions,
)
from graphkit.errors import (
    ConvergenceError,
    ParameterError,
)
from graphkit.io import rules


@dataclass(frozen=True)
class SparkPageRank:
    """PageRank scores with how they were reached.

    Attributes
    ----------
    scores
        DataFrame of ``node`` and ``pagerank`` (summing to 1), checkpointed.
    iterations
        Power iterations run.
    change
        L1 change of the last iteration.
    """

    scores: DataFrame
    iterations: int
    change: float


def pagerank(
    graph: SparkGraph,
    *,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    personalization: DataFrame | None = None,
) -> SparkPageRank:
    """Weighted PageRank of every node, the iteration of :mod:`graphkit.kernels.pagerank`.

    ``x' = d * (W^T x) + (d * dangling(x) + 1 - d) * p`` from ``x = 1/n``, where ``W`` is the
    weight matrix normalised by out-weight, ``dangling(x)`` the score of nodes without
    out-weight and ``p`` the personalization (uniform when None); stops when the L1 change
    is below ``tolerance``, then normalises the scores to sum to 1.

    Parameters
    ----------
    graph
        The influence graph.
    damping, tolerance, max_iter
        As for :func:`graphkit.algorithms.pagerank`.
    personalization
        DataFrame of ``node`` and ``weight`` (>= 0, normalised here); nodes absent weigh 0.

    Returns
    -------
    SparkPageRank

    Raises
    ------
    ParameterError
        For out-of-range parameters or a personalization selecting no node.
    ConvergenceError
        When ``tolerance`` is not reached within ``max_iter`` iterations.
    """
    rules.check_pagerank_parameters(damping, tolerance, max_iter)
    n = graph.n_nodes
    nodes = graph.nodes
    transitions = graph.edges.filter(F.col("weight") > 0).join(
        nodes.select(F.col("node").alias("src"), "out_weight"), "src"
    )
    transitions = transitions.select(
        "src", "dst", (F.col("weight") / F.col("out_weight")).alias("share")
    )
    partitions = _partitions(graph.nodes.sparkSession)
    if n <= _BROADCAST_NODES:
        # Scores go to every executor, so edges held by target (sorted) sum up where they
        # are: one stage per iteration, no shuffle.
        transitions = transitions.repartition(partitions, "dst").sortWithinPartitions("dst")
    else:
        # Scores are joined by source: edges held by source do not move.
        transitions = transitions.repartition(partitions, "src")
    transitions = _cached(transitions)
    state = nodes.select("node", (F.col("out_weight") <= 0).alias("dangling"))
    teleport: Column = F.lit(1.0 / n)
    if personalization is not None:
        weights = personalization.groupBy("node").agg(F.sum("weight").alias("teleport"))
        state = state.join(weights, "node", "left").fillna(0.0, subset=["teleport"])
        check = state.agg(
            F.sum("teleport").alias("total"),
            F.count_if(F.col("teleport") < 0).alias("negative"),
        ).first()
        assert check is not None
        if check["negative"]:
            raise ParameterError(rules.PERSONALIZATION_RANGE)
        total = float(check["total"] or 0.0)
        if not total > 0:
            raise ParameterError(rules.PERSONALIZATION_EMPTY)
        state = state.withColumn("teleport", F.col("teleport") / total)
        teleport = F.col("teleport")
    state = _checkpoint(state.withColumn("rank", F.lit(1.0 / n)))
    first = state.agg(F.sum(F.when(F.col("dangling"), F.col("rank")).otherwise(0.0))).first()
    assert first is not None
    dangling_mass = float(first[0] or 0.0)
    change = math.inf
    total_rank = 1.0
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        spread = damping * dangling_mass + (1.0 - damping)
        ranks = state.select(F.col("node").alias("src"), "rank")
        incoming = (
            transitions.join(_by_node(ranks, n), "src")
            .groupBy("dst")
            .agg(F.sum(F.col("share") * F.col("rank")).alias("incoming"))
        )
        carried = [name for name in state.columns if name not in ("rank", "previous")]
        updated = state.join(
            _by_node(incoming, n), state["node"] == incoming["dst"], "left"
        ).select(
            *carried,
            (
                F.lit(damping) * F.coalesce(F.col("incoming"), F.lit(0.0))
                + F.lit(spread) * teleport
            ).alias("rank"),
            F.col("rank").alias("previous"),
        )
        statistics = (
            F.sum(F.abs(F.col("rank") - F.col("previous"))).alias("change"),
            F.sum(F.when(F.col("dangling"), F.col("rank")).otherwise(0.0)).alias("dangling"),
            F.sum("rank").alias("total"),
        )
        # The sums come with the checkpoint's own job where Spark reports them (classic
        # sessions); over Spark Connect a second, small job reads them back.
        observation = Observation(f"graphkit_pagerank_{iterations}")
        updated = _checkpoint(updated.observe(observation, *statistics))
        stats = _observed(observation) or updated.agg(*statistics).first()
        assert stats is not None
        change = float(stats["change"])
        dangling_mass = float(stats["dangling"])
        total_rank = float(stats["total"])
        state = updated.drop("previous")
        if change < tolerance:
            break
    if change >= tolerance:
        raise ConvergenceError(rules.not_converged(iterations, change, tolerance))
    scores = _checkpoint(state.select("node", (F.col("rank") / total_rank).alias("pagerank")))
    transitions.unpersist()
    return SparkPageRank(scores=scores, iterations=iterations, change=change)
