"""Niches and their leaders: every account's community and rank inside it, and a summary."""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from graphkit.algorithms.communities import CommunityResult
from graphkit.analysis.accounts import with_account_text
from graphkit.errors import ParameterError
from graphkit.graph.social import SocialGraph

DEFAULT_LEADERS: Final = 3
COMMUNITY_COLUMNS: Final = (
    "id",
    "handle",
    "name",
    "title",
    "community",
    "community_size",
    "community_rank",
    "is_leader",
    "pagerank",
)
SUMMARY_COLUMNS: Final = (
    "community",
    "size",
    "share",
    "modularity_contribution",
    "pagerank_share",
    "leaders",
    "leader_handles",
    "top_titles",
    "top_topics",
)


def community_table(
    graph: SocialGraph,
    result: CommunityResult,
    pagerank_scores: np.ndarray,
    *,
    leaders: int = DEFAULT_LEADERS,
) -> pl.DataFrame:
    """One row per account: its community and how it ranks there ("niche leaders").

    Parameters
    ----------
    graph
        The influence graph the communities were found on.
    result
        The partition, from :func:`graphkit.algorithms.communities`.
    pagerank_scores
        PageRank of each node (e.g. :func:`graphkit.algorithms.pagerank`): the rank inside a
        community follows it.
    leaders
        Accounts ranked this high or higher in their community are its leaders.

    Returns
    -------
    polars.DataFrame
        Columns ``id, handle, name, title`` (null where the accounts table lacks them),
        ``community`` (0 is the largest), ``community_size``, ``community_rank`` (1 = most
        PageRank in the community, ties by id), ``is_leader`` (``community_rank <= leaders``)
        and ``pagerank``; sorted by community, then rank.

    Raises
    ------
    ParameterError
        When the partition or the scores do not have one entry per node, or ``leaders < 0``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.algorithms.communities import communities
    >>> from graphkit.algorithms.pagerank import pagerank
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> pairs = [("a", "b"), ("c", "b"), ("b", "a"), ("x", "y"), ("z", "y"), ("y", "z"),
    ...          ("a", "x")]
    >>> follows = pa.table({"follower": [a for a, _ in pairs], "followed": [b for _, b in pairs]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> table = community_table(graph, communities(graph), pagerank(graph), leaders=1)
    >>> table["id"].to_list(), table["community"].to_list()
    (['a', 'b', 'c', 'y', 'z', 'x'], [0, 0, 0, 1, 1, 1])
    >>> table["community_rank"].to_list(), table["is_leader"].to_list()
    ([1, 2, 3, 1, 2, 3], [True, False, False, True, False, False])
    """
    membership, scores = _checked(graph, result, pagerank_scores, leaders)
    table = pl.DataFrame(
        {
            "id": pl.Series("id", graph.ids),
            "community": membership,
            "community_size": result.sizes[membership],
            "pagerank": scores,
        }
    ).sort(["community", "pagerank", "id"], descending=[False, True, False])
    table = table.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64).over("community") + 1).alias("community_rank")
    ).with_columns((pl.col("community_rank") <= leaders).alias("is_leader"))
    return with_account_text(table, graph.accounts).select(COMMUNITY_COLUMNS)


def community_summary(
    graph: SocialGraph,
    result: CommunityResult,
    pagerank_scores: np.ndarray,
    *,
    leaders: int = DEFAULT_LEADERS,
    top: int = 3,
) -> pl.DataFrame:
    """One row per community: its size, weight in the modularity, leaders and themes.

    Parameters
    ----------
    graph, result, pagerank_scores, leaders
        As for :func:`community_table`.
    top
        Most frequent titles and topics to name per community.

    Returns
    -------
    polars.DataFrame
        Columns ``community, size, share`` (of all accounts), ``modularity_contribution``
        (the community's share of edge weight inside it minus the share expected at random;
        they sum to the modularity), ``pagerank_share`` (PageRank mass of its members),
        ``leaders`` and ``leader_handles`` (by community rank, ``"; "``-separated),
        ``top_titles`` and ``top_topics`` (``"CTO (12); CIO (4)"``; null without titles or
        topics in the accounts), sorted by community (largest first).

    Raises
    ------
    ParameterError
        As :func:`community_table`, or when ``top < 1``.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.algorithms.communities import communities
    >>> from graphkit.algorithms.pagerank import pagerank
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> pairs = [("a", "b"), ("c", "b"), ("b", "a"), ("x", "y"), ("z", "y"), ("y", "z"),
    ...          ("a", "x")]
    >>> follows = pa.table({"follower": [a for a, _ in pairs], "followed": [b for _, b in pairs]})
    >>> accounts = pa.table({"id": ["a", "b", "c", "x", "y", "z"],
    ...                      "title": ["CTO", "CTO", "CIO", None, "VP", "VP"]})
    >>> graph = build_graph(Dataset(follows=follows, accounts=accounts))
    >>> summary = community_summary(graph, communities(graph), pagerank(graph), leaders=2)
    >>> summary.select("community", "size", "leaders", "top_titles").rows()
    [(0, 3, 'a; b', 'CTO (2); CIO (1)'), (1, 3, 'y; z', 'VP (2)')]
    """
    if top < 1:
        raise ParameterError(f"top must be at least 1, got {top}")
    table = community_table(graph, result, pagerank_scores, leaders=leaders)
    n_communities = result.n_communities
    n_nodes = max(1, graph.n_nodes)
    summary = pl.DataFrame(
        {
            "community": np.arange(n_communities, dtype=np.int64),
            "size": result.sizes,
            "share": result.sizes / n_nodes,
            "modularity_contribution": result.contributions,
        }
    )
    per_community = table.group_by("community").agg(
        pl.col("pagerank").sum().alias("pagerank_share"),
        pl.col("id").filter(pl.col("is_leader")).str.join("; ").alias("leaders"),
        pl.col("handle").filter(pl.col("is_leader")).str.join("; ").alias("leader_handles"),
    )
    summary = summary.join(per_community, on="community", how="left", maintain_order="left")
    summary = summary.with_columns(
        pl.when(pl.col(name) == "").then(None).otherwise(pl.col(name)).alias(name)
        for name in ("leaders", "leader_handles")
    )
    accounts = graph.accounts
    member_values = table.select("id", "community")
    if accounts is not None:
        member_values = member_values.join(
            accounts.select(name for name in ("id", "title", "topics") if name in accounts.columns),
            on="id",
            how="left",
        )
    summary = summary.join(
        _most_frequent(member_values, "title", top), on="community", how="left"
    ).join(_most_frequent(member_values, "topics", top), on="community", how="left")
    return summary.sort("community").select(SUMMARY_COLUMNS)


def _checked(
    graph: SocialGraph, result: CommunityResult, pagerank_scores: np.ndarray, leaders: int
) -> tuple[np.ndarray, np.ndarray]:
    membership = np.asarray(result.membership, dtype=np.int64)
    scores = np.asarray(pagerank_scores, dtype=np.float64)
    n = graph.n_nodes
    if membership.shape != (n,):
        raise ParameterError(
            f"the partition has {membership.shape[0]:,} nodes but the graph has {n:,}: "
            "find the communities on this graph"
        )
    if scores.shape != (n,):
        raise ParameterError(f"pagerank_scores must have one score per node ({n:,})")
    if leaders < 0:
        raise ParameterError(f"leaders must be >= 0, got {leaders}")
    return membership, scores


def _most_frequent(members: pl.DataFrame, column: str, top: int) -> pl.DataFrame:
    """Per community, the ``top`` most frequent values of ``column`` as ``"value (count)"``."""
    output = "top_titles" if column == "title" else "top_topics"
    if column not in members.columns:
        return pl.DataFrame(
            {"community": [], output: []}, schema={"community": pl.Int64, output: pl.String}
        )
    values = members.select("community", pl.col(column).alias("value"))
    if isinstance(values.schema["value"], pl.List):
        values = values.explode("value")
    values = values.with_columns(pl.col("value").cast(pl.String).str.strip_chars()).filter(
        pl.col("value").is_not_null() & (pl.col("value") != "")
    )
    return (
        values.group_by("community", "value")
        .len()
        .sort(["community", "len", "value"], descending=[False, True, False])
        .group_by("community", maintain_order=True)
        .head(top)
        .group_by("community", maintain_order=True)
        .agg(
            (pl.col("value") + " (" + pl.col("len").cast(pl.String) + ")")
            .str.join("; ")
            .alias(output)
        )
    )
