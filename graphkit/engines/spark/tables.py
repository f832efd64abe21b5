"""The result tables of the local engine (influencers, communities) as Spark DataFrames."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from graphkit.analysis import COMMUNITY_COLUMNS, RANK_COLUMNS
from graphkit.engines.spark.communities import SparkCommunities
from graphkit.engines.spark.graph import SparkGraph
from graphkit.engines.spark.pagerank import SparkPageRank
from graphkit.engines.spark.session import numbered
from graphkit.io import rules


def rank_table(
    graph: SparkGraph,
    result: SparkPageRank,
    *,
    kind: str | None = None,
    top: int | None = None,
    communities: SparkCommunities | None = None,
) -> DataFrame:
    """The influencer table of :func:`graphkit.analysis.rank_influencers`, as a DataFrame.

    Parameters
    ----------
    graph
        The influence graph.
    result
        Its PageRank.
    kind
        Keep only accounts of this kind (``person`` or ``brand``).
    top
        Keep the first ``top`` rows; ``None`` or 0 keeps all.
    communities
        Adds ``community`` and ``community_rank`` (1 = most PageRank in it, ties by id).

    Returns
    -------
    pyspark.sql.DataFrame
        The columns of the local table (``rank, id, handle, name, kind, organization, title,
        score, pagerank, followers, followers_count, interactions_received,
        engagement_rate``, then any other account column), sorted by PageRank (descending),
        ties by id, ``rank`` numbered 1, 2, ...
    """
    rules.check_rank_table(kind, top)
    scores = result.scores
    logs = (
        scores.filter(F.col("pagerank") > 0)
        .agg(F.min(F.log("pagerank")).alias("low"), F.max(F.log("pagerank")).alias("high"))
        .first()
    )
    assert logs is not None
    low, high = logs["low"], logs["high"]
    if low is None:
        score = F.lit(0.0)
    elif high == low:
        score = F.when(F.col("pagerank") > 0, F.lit(100.0)).otherwise(0.0)
    else:
        score = F.when(
            F.col("pagerank") > 0,
            F.bround(F.lit(100.0) * (F.log("pagerank") - F.lit(low)) / F.lit(high - low), 2),
        ).otherwise(0.0)
    table = graph.nodes.join(scores, "node").select(
        "node",
        "id",
        score.alias("score"),
        "pagerank",
        "followers",
        "interactions_received",
        F.when(F.col("followers") > 0, F.col("engagement_received") / F.col("followers")).alias(
            "engagement_rate"
        ),
    )
    if communities is not None:
        by_rank = Window.partitionBy("community").orderBy(
            F.col("pagerank").desc(), F.col("id").asc()
        )
        table = table.join(communities.membership.select("node", "community"), "node").withColumn(
            "community_rank", F.row_number().over(by_rank).cast("long")
        )
    table = _with_accounts(table, graph.accounts)
    if kind is not None:
        table = table.filter(F.col("kind") == kind)
    order = [F.col("pagerank").desc(), F.col("id").asc()]
    extra = [
        name
        for name in table.columns
        if name not in RANK_COLUMNS and name != "node" and not name.startswith("_")
    ]
    if top:
        limited = table.orderBy(*order).limit(top)
        ranked = limited.withColumn(
            "rank", F.row_number().over(Window.orderBy(*order)).cast("long")
        )
    else:
        ranked = numbered(table, order, "rank").withColumn("rank", F.col("rank") + 1)
    return ranked.select(*RANK_COLUMNS, *extra).orderBy("rank")


def community_table(
    graph: SparkGraph,
    communities: SparkCommunities,
    result: SparkPageRank,
    *,
    leaders: int = 3,
) -> DataFrame:
    """One row per account with its community and rank there, as
    :func:`graphkit.analysis.community_table`.

    Returns
    -------
    pyspark.sql.DataFrame
        Columns ``id, handle, name, title, community, community_size, community_rank,
        is_leader, pagerank``, sorted by community, then rank (PageRank descending, ties by
        id).
    """
    rules.check_leaders(leaders)
    by_rank = Window.partitionBy("community").orderBy(F.col("pagerank").desc(), F.col("id").asc())
    table = (
        graph.nodes.select("node", "id")
        .join(communities.membership, "node")
        .join(result.scores, "node")
        .withColumn("community_rank", F.row_number().over(by_rank).cast("long"))
        .withColumn("is_leader", F.col("community_rank") <= leaders)
    )
    table = _with_accounts(table, graph.accounts)
    return table.select(*COMMUNITY_COLUMNS).orderBy("community", "community_rank")


def _with_accounts(table: DataFrame, accounts: DataFrame | None) -> DataFrame:
    """``table`` with the account attributes joined on ``id`` (lists joined with ``;``)."""
    present: list[str] = []
    if accounts is not None:
        types = dict(accounts.dtypes)
        attributes = [
            (
                F.concat_ws(";", F.col(f"`{name}`")).alias(name)
                if types[name].startswith("array")
                else F.col(f"`{name}`")
            )
            for name in accounts.columns
            if name not in table.columns and not name.startswith("_")
        ]
        present = [name for name in accounts.columns if not name.startswith("_")]
        table = table.join(accounts.select("id", *attributes), "id", "left")
    missing = [
        F.lit(None).cast("long" if name == "followers_count" else "string").alias(name)
        for name in (*rules.ACCOUNT_COLUMNS, "followers_count")
        if name not in present and name not in table.columns
    ]
    return table.select("*", *missing) if missing else table
