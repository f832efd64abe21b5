"""The influencer table: every account ranked by (personalized) PageRank."""

from __future__ import annotations

from typing import Final

import numpy as np
import polars as pl

from graphkit.algorithms.communities import CommunityResult
from graphkit.algorithms.pagerank import (
    DEFAULT_DAMPING,
    DEFAULT_MAX_ITER,
    DEFAULT_TOLERANCE,
    pagerank_run,
)
from graphkit.checks import check_frame
from graphkit.errors import ParameterError
from graphkit.graph.social import SocialGraph

ACCOUNT_COLUMNS: Final = ("handle", "name", "kind", "organization", "title")
RANK_COLUMNS: Final = (
    "rank",
    "id",
    *ACCOUNT_COLUMNS,
    "score",
    "pagerank",
    "followers",
    "followers_count",
    "interactions_received",
    "engagement_rate",
)


# PageRanks within this relative difference (as a difference of logarithms) count as equal.
_EQUAL_LOG_SPAN: Final = 1e-9


def influence_score(scores: np.ndarray) -> np.ndarray:
    """Map PageRank to a 0-100 score on a log scale.

    ``score = 100 * log(p / p_min) / log(p_max / p_min)`` over the positive scores, so the
    top account scores 100, the least-attended account 0, and each step of equal score is the
    same multiple of attention. Accounts with zero PageRank (unreachable from a personalized
    audience) score 0. Rounded to 2 decimals.

    Examples
    --------
    >>> influence_score(np.array([0.01, 0.1, 1.0, 0.0])).tolist()
    [0.0, 50.0, 100.0, 0.0]
    >>> influence_score(np.array([1 / 3, 1 / 3 + 1e-17, 1 / 3 - 1e-17])).tolist()
    [100.0, 100.0, 100.0]
    """
    result = np.zeros(scores.shape[0])
    positive = scores > 0
    if not positive.any():
        return result
    logs = np.log(scores[positive])
    low, high = logs.min(), logs.max()
    # Equal PageRanks (a ring, a clique) differ only by rounding: all of them score 100.
    equal = high - low <= _EQUAL_LOG_SPAN
    result[positive] = 100.0 if equal else 100.0 * (logs - low) / (high - low)
    return np.round(result, 2)


def rank_influencers(
    graph: SocialGraph,
    *,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    audience: np.ndarray | None = None,
    kind: str | None = None,
    top: int | None = None,
    communities: CommunityResult | None = None,
) -> pl.DataFrame:
    """Rank every account by the attention it receives.

    Parameters
    ----------
    graph
        The influence graph.
    damping, tolerance, max_iter
        PageRank settings (see :func:`graphkit.algorithms.pagerank`).
    audience
        Boolean mask or weights of the audience to personalize on: the ranking then says whom
        this audience pays attention to, directly and indirectly.
    kind
        Keep only accounts of this kind (``person`` or ``brand``) in the table.
    top
        Keep the first ``top`` rows; ``None`` or 0 keeps all.
    communities
        A partition of the graph (:func:`graphkit.algorithms.communities`): adds the columns
        ``community`` and ``community_rank`` (1 = most PageRank in the community, ties by id).

    Returns
    -------
    polars.DataFrame
        Columns ``rank, id, handle, name, kind, organization, title, score, pagerank,
        followers, followers_count, interactions_received, engagement_rate`` and any other
        account column, sorted by PageRank (descending), ties by id. ``followers`` counts
        distinct followers in the data, ``followers_count`` is the platform's declared count,
        ``engagement_rate`` the type-weighted interactions received per follower (null
        without followers).
    """
    if kind is not None and kind not in ("person", "brand"):
        raise ParameterError(f"kind must be person or brand, got {kind!r}")
    if top is not None and top < 0:
        raise ParameterError(f"top must be >= 0, got {top}")
    personalization = None if audience is None else np.asarray(audience, dtype=np.float64)
    result = pagerank_run(
        graph,
        damping=damping,
        tolerance=tolerance,
        max_iter=max_iter,
        personalization=personalization,
    )
    followers = graph.followers
    engagement = np.divide(
        graph.engagement_received,
        followers,
        out=np.full(graph.n_nodes, np.nan),
        where=followers > 0,
    )
    table = pl.DataFrame(
        {
            "id": pl.Series("id", graph.ids),
            "score": influence_score(result.scores),
            "pagerank": result.scores,
            "followers": followers,
            "interactions_received": graph.interactions_received,
            "engagement_rate": engagement,
        }
    ).with_columns(pl.col("engagement_rate").fill_nan(None))
    if communities is not None:
        table = table.with_columns(
            pl.Series("community", communities.membership, dtype=pl.Int64)
        ).with_columns(
            pl.struct(pl.col("pagerank").neg(), "id")
            .rank("ordinal")
            .over("community")
            .cast(pl.Int64)
            .alias("community_rank")
        )
    table = _with_accounts(table, graph.accounts)
    if kind is not None:
        table = table.filter(pl.col("kind") == kind)
    table = table.sort(["pagerank", "id"], descending=[True, False])
    if top:
        table = table.head(top)
    table = table.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    extra = [name for name in table.columns if name not in RANK_COLUMNS]
    return check_frame(table.select([*RANK_COLUMNS, *extra]))


def _with_accounts(table: pl.DataFrame, accounts: pl.DataFrame | None) -> pl.DataFrame:
    if accounts is not None:
        attributes = accounts.with_columns(
            pl.col(name).list.join(";")
            for name, dtype in accounts.schema.items()
            if isinstance(dtype, pl.List)
        )
        # An account column named like a result column (score, rank, ...) gives way to it.
        reserved = {*table.columns, *RANK_COLUMNS} - {"id", "followers_count", *ACCOUNT_COLUMNS}
        attributes = attributes.drop([name for name in attributes.columns if name in reserved])
        table = table.join(attributes, on="id", how="left", maintain_order="left")
    missing = [
        pl.lit(None, dtype=pl.Int64 if name == "followers_count" else pl.String).alias(name)
        for name in (*ACCOUNT_COLUMNS, "followers_count")
        if name not in table.columns
    ]
    return table.with_columns(missing) if missing else table
