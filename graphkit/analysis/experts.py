"""The SME finder: which of an organization's people reach the decision makers it sells to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl
import pyarrow as pa

from graphkit.algorithms.pagerank import (
    DEFAULT_DAMPING,
    DEFAULT_MAX_ITER,
    DEFAULT_TOLERANCE,
    pagerank,
)
from graphkit.algorithms.reach import reach_2hop
from graphkit.analysis.audience import C_LEVEL, select_audience
from graphkit.analysis.brands import _account_text, organizations
from graphkit.errors import ParameterError
from graphkit.graph.social import FOLLOW_FLAG, SocialGraph

EXPERT_COLUMNS: Final = (
    "rank",
    "organization",
    "id",
    "handle",
    "name",
    "title",
    "topics_matched",
    "audience_influence",
    "audience_followers",
    "audience_reached",
    "followers",
    "engagement",
)


def expert_table(
    graph: SocialGraph,
    org: str,
    *,
    audience_mask: np.ndarray | None = None,
    topic: str | Sequence[str] | None = None,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
) -> pl.DataFrame:
    """Rank an organization's people by the attention a target audience pays them.

    The ranking is personalized PageRank teleporting to the audience: it counts attention
    the audience pays a person directly and through the accounts the audience listens to.

    Parameters
    ----------
    graph
        The influence graph, with an accounts table holding ``organization``.
    org
        The brand id whose people are ranked.
    audience_mask
        Boolean mask of the target audience (default: C-level titles, see
        :data:`graphkit.analysis.C_LEVEL`).
    topic
        Keep only people having one of these topics (case-insensitive); ``topics_matched``
        then lists the matching ones. Without it every person is kept and
        ``topics_matched`` lists all their topics.
    damping, tolerance, max_iter
        PageRank settings.

    Returns
    -------
    polars.DataFrame
        Columns ``rank, organization, id, handle, name, title, topics_matched,
        audience_influence, audience_followers, audience_reached, followers, engagement``
        by ``audience_influence`` (the personalized PageRank, descending), then id.
        ``audience_followers`` counts audience accounts following the person,
        ``audience_reached`` distinct audience accounts within two follow hops,
        ``engagement`` the type-weighted interactions the person received.

    Raises
    ------
    ParameterError
        For an unknown organization or an empty audience.

    Examples
    --------
    Two CTOs follow the architect ``arch``; a developer follows the advocate ``adv``.

    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> accounts = pa.table({
    ...     "id": ["b", "arch", "adv", "cto1", "cto2", "dev"],
    ...     "kind": ["brand", "person", "person", "person", "person", "person"],
    ...     "organization": [None, "b", "b", None, None, None],
    ...     "title": [None, "Architect", "Advocate", "CTO", "CTO", "Engineer"],
    ...     "topics": [[], ["security"], ["cloud"], [], [], []]})
    >>> follows = pa.table({"follower": ["cto1", "cto2", "dev", "dev"],
    ...                     "followed": ["arch", "arch", "adv", "b"]})
    >>> graph = build_graph(Dataset(accounts=accounts, follows=follows))
    >>> expert_table(graph, "b").select("rank", "id", "audience_followers").rows()
    [(1, 'arch', 2), (2, 'adv', 0)]
    >>> expert_table(graph, "b", topic="cloud")["id"].to_list()
    ['adv']
    """
    (group,) = organizations(graph, [org])
    audience = (
        select_audience(graph, [C_LEVEL])
        if audience_mask is None
        else np.asarray(audience_mask, dtype=np.bool_)
    )
    if audience.shape != (graph.n_nodes,):
        raise ParameterError(f"audience_mask must have one value per node ({graph.n_nodes:,})")
    if not audience.any():
        raise ParameterError("the audience selects no account")
    people = group.people
    scores = pagerank(
        graph,
        damping=damping,
        tolerance=tolerance,
        max_iter=max_iter,
        personalization=audience.astype(np.float64),
    )
    table = pl.DataFrame(
        {
            "organization": pl.Series([org] * people.shape[0], dtype=pl.String),
            "id": pl.Series(graph.ids.take(pa.array(people, pa.int64()))).cast(pl.String),
            "audience_influence": scores[people],
            "audience_followers": _audience_followers(graph, people, audience),
            "audience_reached": reach_2hop(graph, people, audience=audience),
            "followers": graph.followers[people],
            "engagement": graph.engagement_received[people],
        }
    )
    table = table.join(_topics(graph, table["id"], topic), on="id", how="left")
    if topic is not None:
        table = table.filter(pl.col("topics_matched") != "")
    table = (
        table.sort(["audience_influence", "id"], descending=[True, False])
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
    )
    table = table.join(_account_text(graph, table["id"]), on="id", how="left")
    return table.select(EXPERT_COLUMNS)


def _audience_followers(graph: SocialGraph, people: np.ndarray, audience: np.ndarray) -> np.ndarray:
    counts = np.zeros(people.shape[0], dtype=np.int64)
    for position, person in enumerate(people):
        edges = slice(int(graph.in_indptr[person]), int(graph.in_indptr[person + 1]))
        follows = (graph.in_flags[edges] & FOLLOW_FLAG) > 0
        counts[position] = np.count_nonzero(follows & audience[graph.in_sources[edges]])
    return counts


def _topics(graph: SocialGraph, ids: pl.Series, topic: str | Sequence[str] | None) -> pl.DataFrame:
    """``topics_matched`` per id: its topics among ``topic`` (all of them without), ``;``-joined."""
    table = pl.DataFrame({"id": ids})
    accounts = graph.accounts
    if accounts is None or "topics" not in accounts.columns:
        return table.with_columns(pl.lit("").alias("topics_matched"))
    topics = accounts.select(pl.col("id").cast(pl.String), pl.col("topics"))
    if not isinstance(topics.schema["topics"], pl.List):
        topics = topics.with_columns(pl.col("topics").cast(pl.String).str.split(";"))
    topics = topics.explode("topics").with_columns(pl.col("topics").str.strip_chars())
    if topic is not None:
        wanted = [topic] if isinstance(topic, str) else list(topic)
        lowered = [item.strip().lower() for item in wanted]
        topics = topics.filter(pl.col("topics").str.to_lowercase().is_in(lowered))
    matched = (
        topics.filter(pl.col("topics").is_not_null() & (pl.col("topics") != ""))
        .group_by("id", maintain_order=True)
        .agg(pl.col("topics").str.join(";").alias("topics_matched"))
    )
    return table.join(matched, on="id", how="left").with_columns(
        pl.col("topics_matched").fill_null("")
    )
