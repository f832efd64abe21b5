"""Communities on Spark: synchronous, seeded label propagation for modularity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from graphkit.engines.spark.graph import SparkGraph
from graphkit.engines.spark.session import _checkpoint, numbered
from graphkit.errors import (
    ParameterError,
)
from graphkit.io import rules

DEFAULT_LABEL_PROPAGATION_ITERATIONS: Final = 100


@dataclass(frozen=True)
class SparkCommunities:
    """A partition of the nodes into communities, with its quality.

    Attributes
    ----------
    membership
        DataFrame of ``node``, ``community`` (numbered 0 .. k-1 by size, largest first,
        ties by the smallest member id) and ``community_size``, checkpointed.
    n_communities
        Number of communities.
    modularity
        Newman's weighted modularity (resolution 1) on the undirected projection; NaN for a
        graph without edges.
    iterations
        Label-propagation iterations run.
    settled
        Whether no node wanted to move when propagation stopped.
    resolution, seed
        How the partition was found.
    """

    membership: DataFrame
    n_communities: int
    modularity: float
    iterations: int
    settled: bool
    resolution: float
    seed: int


def undirected_projection(graph: SparkGraph) -> DataFrame:
    """The weighted undirected projection: rows ``u, v, w`` with ``w = w(u->v) + w(v->u)``.

    Each pair appears in both directions; pairs of weight 0 are left out, as in
    :func:`graphkit.algorithms.communities.undirected_projection`.
    """
    forward = graph.edges.select(F.col("src").alias("u"), F.col("dst").alias("v"), "weight")
    backward = graph.edges.select(F.col("dst").alias("u"), F.col("src").alias("v"), "weight")
    return _checkpoint(
        forward.unionByName(backward)
        .groupBy("u", "v")
        .agg(F.sum("weight").alias("w"))
        .filter(F.col("w") > 0)
    )


def label_propagation(
    graph: SparkGraph,
    *,
    seed: int = 0,
    resolution: float = 1.0,
    max_iter: int = DEFAULT_LABEL_PROPAGATION_ITERATIONS,
) -> SparkCommunities:
    """Communities by synchronous, seeded label propagation for modularity (LPAm).

    Every node starts in a label of its own (its node number, so the smallest label is the
    smallest id). Each iteration, every node ``v`` evaluates, from the labels as they were
    when the iteration started, the gain of each label ``c`` among its neighbours,
    ``w(v, c) - resolution * k_v * S_c / 2W`` (``w(v, c)`` the edge weight from ``v`` to
    nodes labelled ``c``, ``k_v`` its weighted degree, ``S_c`` the weighted degree of label
    ``c`` without ``v``, ``W`` the total edge weight), the penalty and the gain of the local
    kernel (:mod:`graphkit.kernels.label_propagation`). A node moves to the label of largest
    gain (the smallest label among equal gains) only when it gains strictly more than by
    staying; a node alone in its label does not move to a larger label held by another lone
    node (so two lone neighbours merge instead of swapping). All nodes move at once; a node
    that wanted to move in the previous iteration moves again only on a seeded coin flip,
    ``xxhash64(seed, node, iteration)`` odd, which breaks the swaps that fully synchronous
    updates fall into. Propagation stops when no node wants to move, or after ``max_iter``.

    The choice against the local kernel: that kernel visits nodes in seeded blocks, applying
    each block's moves before the next, and then merges communities level by level
    (multi-level); both need the labels of other nodes mid-sweep, which a distributed
    iteration cannot see. This one is single-level and fully synchronous, so its result
    depends only on the graph, the seed and the settings, not on partitions or executors,
    and :func:`tests.reference` reproduces it node for node. Its modularity is lower than
    the multi-level kernel's (it stops at the first level).

    Parameters
    ----------
    graph
        The influence graph; communities are found on its undirected projection.
    seed
        Seed of the coin.
    resolution
        Weight of the modularity penalty (above 1: more, smaller communities).
    max_iter
        Most iterations.

    Returns
    -------
    SparkCommunities

    Raises
    ------
    ParameterError
        For out-of-range parameters.
    """
    rules.check_community_parameters(resolution, seed)
    if max_iter < 1:
        raise ParameterError(f"max-iter must be at least 1, got {max_iter}")
    adjacency = undirected_projection(graph)
    strength = adjacency.groupBy(F.col("u").alias("node")).agg(F.sum("w").alias("k"))
    labels = _checkpoint(
        graph.nodes.select("node")
        .join(strength, "node", "left")
        .select(
            "node",
            F.col("node").alias("label"),
            F.coalesce(F.col("k"), F.lit(0.0)).alias("k"),
            F.lit(False).alias("moved"),
        )
    )
    total = labels.agg(F.sum("k")).first()
    two_w = float(total[0] or 0.0) if total is not None else 0.0
    penalty = resolution / two_w if two_w > 0 else 0.0
    iterations = 0
    settled = two_w <= 0
    while not settled and iterations < max_iter:
        iterations += 1
        labels = _propagation_step(adjacency, labels, penalty, seed, iterations)
        wanting = labels.agg(F.count_if(F.col("moved"))).first()
        settled = wanting is None or int(wanting[0]) == 0
    membership = _canonical_communities(graph, labels)
    sizes = membership.select("community", "community_size").distinct()
    n_communities = int(sizes.count())
    modularity = _modularity(adjacency, membership, two_w)
    return SparkCommunities(
        membership=membership,
        n_communities=n_communities,
        modularity=modularity,
        iterations=iterations,
        settled=settled,
        resolution=float(resolution),
        seed=int(seed),
    )


def _propagation_step(
    adjacency: DataFrame, labels: DataFrame, penalty: float, seed: int, iteration: int
) -> DataFrame:
    """One synchronous iteration: the new ``node, label, k, moved`` (moved = wanted to move).

    The labels table enters the plan once: each node's own row (its label, strength and
    whether it moved) travels beside the rows of its neighbours' labels, and windows hand the
    node's own values to those rows. Joining the labels to the plan several times would make
    Spark's size estimate of the next iteration's table the product of this one's several
    times over: an estimate whose digits multiply with every iteration (thousands of digits
    after ten on the demo graph), and planning time with them.
    """
    by_label = Window.partitionBy("label")
    labelled = labels.select(
        "node",
        "label",
        "k",
        "moved",
        F.sum("k").over(by_label).alias("c_strength"),
        F.count("*").over(by_label).alias("c_size"),
    )
    their_labels = labelled.select(
        F.col("node").alias("v"), F.col("label").alias("c"), "c_strength", "c_size"
    )
    neighbours = adjacency.join(their_labels, "v").select(
        "u",
        "c",
        "w",
        "c_strength",
        "c_size",
        F.lit(False).alias("own"),
        F.lit(None).cast("double").alias("k_u"),
        F.lit(None).cast("boolean").alias("moved"),
    )
    itself = labelled.select(
        F.col("node").alias("u"),
        F.col("label").alias("c"),
        F.lit(0.0).alias("w"),
        "c_strength",
        "c_size",
        F.lit(True).alias("own"),
        F.col("k").alias("k_u"),
        "moved",
    )
    toward = (
        neighbours.unionByName(itself)
        .groupBy("u", "c")
        .agg(
            F.sum("w").alias("w_c"),
            F.max("c_strength").alias("c_strength"),
            F.max("c_size").alias("c_size"),
            F.max("own").alias("own"),
            F.max("k_u").alias("k_u"),
            F.max("moved").alias("moved"),
        )
    )
    by_node = Window.partitionBy("u")

    def own_value(name: str) -> Column:
        return F.max(F.when(F.col("own"), F.col(name))).over(by_node)

    rows = toward.select(
        "u",
        "c",
        "w_c",
        "c_strength",
        "c_size",
        own_value("c").alias("current"),
        own_value("k_u").alias("k_u"),
        own_value("c_strength").alias("current_strength"),
        own_value("c_size").alias("current_size"),
        own_value("moved").alias("moved"),
    )
    scale = F.lit(penalty) * F.col("k_u")
    lone_pair = (
        (F.col("current_size") == 1) & (F.col("c") > F.col("current")) & (F.col("c_size") == 1)
    )
    candidate = (F.col("c") != F.col("current")) & ~lone_pair
    gain = F.col("w_c") - scale * F.col("c_strength")
    decided = rows.groupBy("u").agg(
        F.max(
            F.when(candidate, F.struct(gain.alias("gain"), (-F.col("c")).alias("negated")))
        ).alias("best"),
        F.max(F.when(F.col("c") == F.col("current"), F.col("w_c"))).alias("w_current"),
        *(F.max(name).alias(name) for name in ("current", "k_u", "current_strength", "moved")),
    )
    stay_gain = F.col("w_current") - scale * (F.col("current_strength") - F.col("k_u"))
    wants = F.col("best").isNotNull() & (F.col("best.gain") > stay_gain)
    heads = (
        F.xxhash64(F.lit(seed).cast("long"), F.col("u"), F.lit(iteration).cast("long")).bitwiseAND(
            F.lit(1).cast("long")
        )
        == 1
    )
    moves = wants & (~F.col("moved") | heads)
    return _checkpoint(
        decided.select(
            F.col("u").alias("node"),
            F.when(moves, -F.col("best.negated")).otherwise(F.col("current")).alias("label"),
            F.col("k_u").alias("k"),
            wants.alias("moved"),
        )
    )


def _canonical_communities(graph: SparkGraph, labels: DataFrame) -> DataFrame:
    """Number communities 0 .. k-1 by size (largest first), ties by the smallest member."""
    communities = labels.groupBy("label").agg(
        F.count("*").alias("community_size"), F.min("node").alias("first")
    )
    ordered = numbered(
        communities, [F.col("community_size").desc(), F.col("first").asc()], "community"
    )
    return _checkpoint(labels.join(ordered, "label").select("node", "community", "community_size"))


def _modularity(adjacency: DataFrame, membership: DataFrame, two_w: float) -> float:
    if two_w <= 0:
        return float("nan")
    ends = membership.select("node", "community")
    rows = adjacency.join(
        ends.select(F.col("node").alias("u"), F.col("community").alias("cu")), "u"
    ).join(ends.select(F.col("node").alias("v"), F.col("community").alias("cv")), "v")
    per_community = rows.groupBy("cu").agg(
        F.sum(F.when(F.col("cu") == F.col("cv"), F.col("w")).otherwise(0.0)).alias("internal"),
        F.sum("w").alias("strength"),
    )
    total = per_community.agg(
        F.sum(F.col("internal") / two_w - F.pow(F.col("strength") / two_w, 2))
    ).first()
    return float(total[0]) if total is not None and total[0] is not None else 0.0
