"""The SME finder: which of an organization's people reach the decision makers it sells to."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Final

import numpy as np
import polars as pl

from graphkit.algorithms.bootstrap import DEFAULT_LEVEL, bootstrap_pagerank, check_confidence
from graphkit.algorithms.pagerank import (
    DEFAULT_DAMPING,
    DEFAULT_MAX_ITER,
    DEFAULT_TOLERANCE,
    certain_order,
    pagerank_run,
    score_error_bounds,
)
from graphkit.algorithms.reach import reach_2hop
from graphkit.analysis.accounts import account_text
from graphkit.analysis.audience import C_LEVEL, attention_edges, attention_flags, select_audience
from graphkit.analysis.brands import organizations
from graphkit.checks import check_frame
from graphkit.errors import ParameterError, UsageError
from graphkit.graph.social import FOLLOW_FLAG, SocialGraph

SORT_KEYS: Final = (
    "audience_influence",
    "audience_attention",
    "audience_followers",
    "audience_reached",
)
EXPERT_COLUMNS: Final = (
    "rank",
    "organization",
    "id",
    "handle",
    "name",
    "title",
    "topics_matched",
    "audience_influence",
    "audience_attention",
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
    sort_by: str = "audience_influence",
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
) -> pl.DataFrame:
    """Rank an organization's people by the attention a target audience pays them.

    The default ranking is personalized PageRank teleporting to the audience: it counts
    attention the audience pays a person directly and through the accounts the audience
    listens to, so a person amplified by influencers the audience follows ranks high even
    with few followers in the audience. ``audience_attention`` keeps only the last, direct
    step: the part of that score passed on by audience members themselves.

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
    sort_by
        Column to rank by: ``audience_influence`` (default), ``audience_attention``,
        ``audience_followers`` or ``audience_reached``; ties by ``audience_influence``,
        then id.
    damping, tolerance, max_iter
        PageRank settings.
    confidence, level, seed
        Bootstrap replicates, level and seed (:mod:`graphkit.algorithms.bootstrap`; the
        graph built with ``square_weights=True``; ranking by ``audience_influence`` only):
        adds ``rank_low, rank_high`` (among the people listed) and ``score_low,
        score_high`` (of ``audience_influence``), and ``order_certain`` (the rank is
        certain given PageRank's numerical error). 0: none.

    Returns
    -------
    polars.DataFrame
        Columns ``rank, organization, id, handle, name, title, topics_matched,
        audience_influence, audience_attention, audience_followers, audience_reached,
        followers, engagement``, best first by ``sort_by``. ``audience_influence`` is the
        personalized PageRank (summing to 1 over all accounts), ``audience_attention`` the
        part of it received directly from audience members' edges,
        ``audience_followers`` counts audience accounts following the person,
        ``audience_reached`` distinct audience accounts within two follow hops (follows by
        edges of positive weight: an edge of weight 0 passes no PageRank and counts for
        neither),
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
    if sort_by not in SORT_KEYS:
        raise ParameterError(f"sort_by must be one of {', '.join(SORT_KEYS)}, got {sort_by!r}")
    check_confidence(confidence, level)
    if confidence and sort_by != "audience_influence":
        raise UsageError(
            "confidence intervals need the ranking by audience_influence (the default sort)"
        )
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
    personalization = audience.astype(np.float64)
    result = pagerank_run(
        graph,
        damping=damping,
        tolerance=tolerance,
        max_iter=max_iter,
        personalization=personalization,
    )
    scores = result.scores
    audience_followers, attention = _direct_audience(graph, people, audience, scores, damping)
    table = pl.DataFrame(
        {
            "organization": pl.Series([org] * people.shape[0], dtype=pl.String),
            "id": graph.ids_of(people),
            "audience_influence": scores[people],
            "audience_attention": attention,
            "audience_followers": audience_followers,
            "audience_reached": reach_2hop(_paying(graph), people, audience=audience),
            "followers": graph.followers[people],
            "engagement": graph.engagement_received[people],
        }
    )
    table = table.join(_topics(graph, table["id"], topic), on="id", how="left")
    if topic is not None:
        table = table.filter(pl.col("topics_matched") != "")
    keys = list(dict.fromkeys([sort_by, "audience_influence", "id"]))
    table = (
        table.sort(keys, descending=[key != "id" for key in keys])
        .with_row_index("rank", offset=1)
        .with_columns(pl.col("rank").cast(pl.Int64))
    )
    table = table.join(
        account_text(graph, table["id"]), on="id", how="left", maintain_order="left"
    )  # in rank order: order_certain reads the scores in this order
    table = table.select(EXPERT_COLUMNS)
    if confidence and table.height:
        nodes = graph.index_of(table.get_column("id").to_arrow())
        bounds = score_error_bounds(graph, result, damping=damping, personalization=personalization)
        intervals = bootstrap_pagerank(
            graph, scores, nodes=nodes, candidates=nodes, replicates=confidence, level=level,
            seed=seed, damping=damping, tolerance=tolerance, max_iter=max_iter,
            personalization=personalization,
        )  # fmt: skip
        table = table.with_columns(
            pl.Series("rank_low", intervals.rank_low, dtype=pl.Int64),
            pl.Series("rank_high", intervals.rank_high, dtype=pl.Int64),
            pl.Series("score_low", intervals.score_low),
            pl.Series("score_high", intervals.score_high),
            pl.Series("order_certain", certain_order(scores[nodes], bounds[nodes])),
        )
    elif confidence:  # nobody to rank: the columns all the same
        table = table.with_columns(
            pl.lit(None, dtype=pl.Int64).alias("rank_low"),
            pl.lit(None, dtype=pl.Int64).alias("rank_high"),
            pl.lit(None, dtype=pl.Float64).alias("score_low"),
            pl.lit(None, dtype=pl.Float64).alias("score_high"),
            pl.lit(None, dtype=pl.Boolean).alias("order_certain"),
        )
    return check_frame(table)


def _paying(graph: SocialGraph) -> SocialGraph:
    """``graph`` without its edges of weight 0 as follows: they pass no PageRank, so they
    reach nobody (:func:`graphkit.analysis.audience.attention_edges`)."""
    if attention_edges(graph) is None:
        return graph
    return dataclasses.replace(graph, in_flags=attention_flags(graph), _cache={})


def _direct_audience(
    graph: SocialGraph,
    people: np.ndarray,
    audience: np.ndarray,
    scores: np.ndarray,
    damping: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Per person: audience accounts following them (by edges of positive weight), and the
    score audience edges pass on."""
    followers = np.zeros(people.shape[0], dtype=np.int64)
    attention = np.zeros(people.shape[0])
    flags = attention_flags(graph)
    for position, person in enumerate(people):
        edges = slice(int(graph.in_indptr[person]), int(graph.in_indptr[person + 1]))
        sources = graph.in_sources[edges]
        from_audience = audience[sources]
        follows = (flags[edges] & FOLLOW_FLAG) > 0
        followers[position] = np.count_nonzero(follows & from_audience)
        # What PageRank passes along u -> person: damping * score[u] * w / out_weight[u].
        passed = damping * scores[sources] * graph.attention_shares(edges)
        attention[position] = passed[from_audience].sum()
    return followers, attention


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
