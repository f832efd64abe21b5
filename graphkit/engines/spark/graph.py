"""The influence graph as Spark DataFrames, weighted as :func:`graphkit.graph.build_graph`."""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from graphkit.engines.spark.readers import SparkTables
from graphkit.engines.spark.session import _cached, numbered
from graphkit.errors import (
    InputError,
)
from graphkit.graph.weights import Weighting
from graphkit.io import rules


@dataclass(frozen=True)
class SparkGraph:
    """The influence graph as checkpointed DataFrames: ``u -> v`` means u pays attention to v.

    Attributes
    ----------
    nodes
        One row per account: ``node`` (0 .. n-1 in the order of ``id``), ``id``,
        ``out_weight`` (0 for dangling nodes), ``followers`` (distinct followers),
        ``interactions_received`` (records, by their ``weight`` column) and
        ``engagement_received`` (type-weighted, decayed).
    edges
        One row per distinct edge, self-loops dropped: ``src``, ``dst`` (node numbers),
        ``weight`` (summed over its records) and ``follow`` (whether a follow is among them).
    accounts
        Account attributes after identity merge, keyed by ``id``; None without an accounts
        table.
    n_nodes, n_edges
        Accounts and distinct edges.
    self_loops, records
        Self-loop records dropped, and follow and interaction records read.
    """

    nodes: DataFrame
    edges: DataFrame
    accounts: DataFrame | None
    n_nodes: int
    n_edges: int
    self_loops: int
    records: int


def build_graph(tables: SparkTables, weighting: Weighting | None = None) -> SparkGraph:
    """Build the influence graph of the tables, weighted as :func:`graphkit.graph.build_graph`.

    Parameters
    ----------
    tables
        Tables from :func:`read_tables`.
    weighting
        Type weights and decay (default: the default type weights, no decay).

    Returns
    -------
    SparkGraph

    Raises
    ------
    InputError
        When there are no follow or interaction records, or an account is mapped to more
        than one person.
    """
    weighting = weighting or Weighting()
    person_of = identity_map(tables.identities)
    parts: list[DataFrame] = []
    if tables.follows is not None:
        follows = _merged(_merged(tables.follows, "follower", person_of), "followed", person_of)
        weight = F.lit(float(weighting.type_weights.get("follow", 1.0)))
        if "weight" in follows.columns:
            weight = weight * F.coalesce(F.col("weight"), F.lit(1.0))
        parts.append(
            follows.select(
                F.col("follower").alias("src"),
                F.col("followed").alias("dst"),
                weight.alias("weight"),
                F.lit(True).alias("follow"),
                F.lit(0.0).alias("received"),
                F.lit(0.0).alias("engagement"),
            )
        )
    if tables.interactions is not None:
        parts.append(_interaction_records(tables.interactions, weighting, person_of))
    records = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    grouped = _cached(
        records.groupBy("src", "dst").agg(
            F.count("*").alias("records"),
            F.sum("weight").alias("weight"),
            F.max("follow").alias("follow"),
            F.sum("received").alias("received"),
            F.sum("engagement").alias("engagement"),
        )
    )
    totals = grouped.agg(
        F.sum("records").alias("records"),
        F.sum(F.when(F.col("src") == F.col("dst"), F.col("records")).otherwise(0)).alias("loops"),
    ).first()
    assert totals is not None
    n_records = int(totals["records"] or 0)
    if n_records == 0:
        files = ", ".join(
            tables.sources[name] for name in ("follows", "interactions") if name in tables.sources
        )
        raise InputError(rules.NO_RECORDS, path=files or None)
    accounts = None if tables.accounts is None else _merge_accounts(tables.accounts, person_of)
    ids = grouped.select(F.col("src").alias("id")).unionByName(
        grouped.select(F.col("dst").alias("id"))
    )
    if accounts is not None:
        ids = ids.unionByName(accounts.select("id"))
    index = numbered(ids.distinct(), ["id"], "node")
    n_nodes = int(index.count())
    kept = grouped.filter(F.col("src") != F.col("dst"))
    sources = index.select(F.col("id").alias("src"), F.col("node").alias("src_node"))
    targets = index.select(F.col("id").alias("dst"), F.col("node").alias("dst_node"))
    edges = _cached(
        kept.join(sources, "src")
        .join(targets, "dst")
        .select(
            F.col("src_node").alias("src"),
            F.col("dst_node").alias("dst"),
            "weight",
            "follow",
            "received",
            "engagement",
        )
    )
    received = edges.groupBy(F.col("dst").alias("node")).agg(
        F.count_if(F.col("follow")).cast("long").alias("followers"),
        F.sum("received").alias("interactions_received"),
        F.sum("engagement").alias("engagement_received"),
    )
    given = edges.groupBy(F.col("src").alias("node")).agg(F.sum("weight").alias("out_weight"))
    nodes = _cached(
        index.join(received, "node", "left")
        .join(given, "node", "left")
        .select(
            "node",
            "id",
            F.coalesce(F.col("out_weight"), F.lit(0.0)).alias("out_weight"),
            F.coalesce(F.col("followers"), F.lit(0).cast("long")).alias("followers"),
            F.coalesce(F.col("interactions_received"), F.lit(0.0)).alias("interactions_received"),
            F.coalesce(F.col("engagement_received"), F.lit(0.0)).alias("engagement_received"),
        )
    )
    grouped.unpersist()
    return SparkGraph(
        nodes=nodes,
        edges=edges.select("src", "dst", "weight", "follow"),
        accounts=accounts,
        n_nodes=n_nodes,
        n_edges=int(edges.count()),
        self_loops=int(totals["loops"] or 0),
        records=n_records,
    )


def _interaction_records(
    interactions: DataFrame, weighting: Weighting, person_of: DataFrame | None
) -> DataFrame:
    merged = _merged(_merged(interactions, "source", person_of), "target", person_of)
    count = F.coalesce(F.col("weight"), F.lit(1.0)) if "weight" in merged.columns else F.lit(1.0)
    type_weights = F.create_map(
        *(
            F.lit(part)
            for name, value in weighting.type_weights.items()
            for part in (name, float(value))
        )
    )
    weight = F.element_at(type_weights, F.col("type")) * count
    if weighting.half_life is not None and "_micros_timestamp" in merged.columns:
        micros = F.col("_micros_timestamp")
        if weighting.as_of is not None:
            reference = weighting.as_of.timestamp() * 1e6
        else:
            newest = merged.agg(F.max(micros)).first()
            reference = float(newest[0]) if newest is not None and newest[0] is not None else 0.0
        age = F.greatest(F.lit(reference) - micros, F.lit(0.0)) / 1e6
        decay = F.pow(F.lit(2.0), -age / weighting.half_life.total_seconds())
        weight = weight * F.coalesce(decay, F.lit(1.0))
    return merged.select(
        F.col("source").alias("src"),
        F.col("target").alias("dst"),
        weight.alias("weight"),
        F.lit(False).alias("follow"),
        count.alias("received"),
        weight.alias("engagement"),
    )


def identity_map(identities: DataFrame | None) -> DataFrame | None:
    """The ``account -> person`` table, one row per account.

    Raises
    ------
    InputError
        When an account is mapped to more than one person.
    """
    if identities is None:
        return None
    pairs = identities.select("account", "person").distinct()
    conflict = (
        pairs.groupBy("account")
        .count()
        .filter(F.col("count") > 1)
        .agg(F.min("account").alias("account"))
        .first()
    )
    if conflict is not None and conflict["account"] is not None:
        raise InputError(rules.identity_conflict(conflict["account"]))
    return pairs


def _merged(frame: DataFrame, column: str, person_of: DataFrame | None) -> DataFrame:
    """Replace the ids in ``column`` by the person they belong to, where known."""
    if person_of is None:
        return frame
    mapping = person_of.select(F.col("account").alias("_account"), F.col("person").alias("_person"))
    joined = frame.join(mapping, frame[column] == mapping["_account"], "left")
    return joined.withColumn(column, F.coalesce(F.col("_person"), F.col(column))).drop(
        "_account", "_person"
    )


def _merge_accounts(accounts: DataFrame, person_of: DataFrame | None) -> DataFrame:
    """One row per account after identity merge: the first row's attributes, summed counts."""
    if person_of is None:
        return accounts
    merged = _merged(accounts, "id", person_of)
    attributes = [name for name in merged.columns if name not in ("id", "_row")]
    aggregations = [
        F.min_by(F.col(f"`{name}`"), F.col("_row")).alias(name)
        for name in attributes
        if name != "followers_count"
    ]
    if "followers_count" in attributes:
        aggregations.append(F.sum("followers_count").alias("followers_count"))
    aggregations.append(F.min("_row").alias("_row"))
    return merged.groupBy("id").agg(*aggregations).select(*merged.columns)
