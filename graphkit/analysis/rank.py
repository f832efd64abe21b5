"""The influencer table: every account ranked by (personalized) PageRank."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from graphkit.algorithms.bootstrap import DEFAULT_LEVEL, bootstrap_pagerank, check_confidence
from graphkit.algorithms.communities import CommunityResult
from graphkit.algorithms.pagerank import (
    DEFAULT_DAMPING,
    DEFAULT_MAX_ITER,
    DEFAULT_TOLERANCE,
    certain_order,
    certified_prefix,
    pagerank_run,
    score_error_bounds,
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


# Columns added by confidence intervals (rank_low ... pagerank_high) and by the certified order.
INTERVAL_COLUMNS: Final = (
    "rank_low",
    "rank_high",
    "score_low",
    "score_high",
    "pagerank_low",
    "pagerank_high",
)
CERTAIN_COLUMN: Final = "order_certain"


# PageRanks within this relative difference (as a difference of logarithms) count as equal.
_EQUAL_LOG_SPAN: Final = 1e-9


def influence_score(scores: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Map PageRank to a 0-100 score on a log scale.

    ``score = 100 * log(p / p_min) / log(p_max / p_min)`` over the positive scores, so the
    top account scores 100, the least-attended account 0, and each step of equal score is the
    same multiple of attention. Accounts with zero PageRank (unreachable from a personalized
    audience) score 0. Rounded to 2 decimals. With ``reference``, ``p_min`` and ``p_max``
    come from it instead (to put other values, such as interval bounds, on the same scale;
    the result is then clipped to 0-100).

    Examples
    --------
    >>> influence_score(np.array([0.01, 0.1, 1.0, 0.0])).tolist()
    [0.0, 50.0, 100.0, 0.0]
    >>> influence_score(np.array([1 / 3, 1 / 3 + 1e-17, 1 / 3 - 1e-17])).tolist()
    [100.0, 100.0, 100.0]
    """
    result = np.zeros(scores.shape[0])
    base = scores if reference is None else reference
    positive = scores > 0
    if not positive.any() or not (base > 0).any():
        return result
    logs = np.log(scores[positive])
    base_logs = np.log(base[base > 0])
    low, high = base_logs.min(), base_logs.max()
    # Equal PageRanks (a ring, a clique) differ only by rounding: all of them score 100.
    equal = high - low <= _EQUAL_LOG_SPAN
    result[positive] = 100.0 if equal else 100.0 * (logs - low) / (high - low)
    return np.round(np.clip(result, 0.0, 100.0), 2)


@dataclass(frozen=True)
class Ranking:
    """The influencer table with how sure it is.

    Attributes
    ----------
    table
        The table :func:`rank_influencers` returns.
    iterations
        PageRank iterations of the full run (fewer with a good warm start).
    certified
        How many leading rows of the ranking (before ``top``) are certainly in the order of
        the exact PageRank, from the solver's error bound (``None`` unless asked for).
    replicates, level
        Bootstrap replicates behind the interval columns (0: none) and their level.
    """

    table: pl.DataFrame
    iterations: int
    certified: int | None
    replicates: int = 0
    level: float = DEFAULT_LEVEL


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
    start: np.ndarray | None = None,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    certify: bool = False,
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
    start
        Starting scores of PageRank (a warm start, e.g. an earlier run's scores); the result
        is the same to the tolerance.
    confidence
        Bootstrap replicates (see :mod:`graphkit.algorithms.bootstrap`; the graph must be
        built with ``square_weights=True``): adds ``rank_low, rank_high`` (among the ranked
        accounts, as ``rank``), ``score_low, score_high`` (on the ``score`` scale) and
        ``pagerank_low, pagerank_high``, and ``order_certain``. 0: none.
    level, seed
        Confidence level of the intervals and seed of the resampling.
    certify
        Add ``order_certain``: whether the row's rank is certain given PageRank's numerical
        error (:func:`graphkit.algorithms.pagerank.certain_order`).

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
    return rank_table(
        graph, damping=damping, tolerance=tolerance, max_iter=max_iter, audience=audience,
        kind=kind, top=top, communities=communities, start=start, confidence=confidence,
        level=level, seed=seed, certify=certify,
    ).table  # fmt: skip


def rank_table(
    graph: SocialGraph,
    *,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    audience: np.ndarray | None = None,
    kind: str | None = None,
    top: int | None = None,
    communities: CommunityResult | None = None,
    start: np.ndarray | None = None,
    confidence: int = 0,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    certify: bool = False,
    prefix: bool = False,
    on_progress: Callable[[int, int | None, str], None] | None = None,
    on_replicate: Callable[[int], None] | None = None,
) -> Ranking:
    """:func:`rank_influencers` with the iterations, the certified prefix (with ``prefix``,
    ``certify`` or ``confidence``: it costs a pass over the edges) and the bootstrap settings
    (:class:`Ranking`). ``on_progress`` hears PageRank's iterations (see
    :func:`graphkit.algorithms.pagerank.pagerank_run`), ``on_replicate`` the bootstrap
    replicates done."""
    if kind is not None and kind not in ("person", "brand"):
        raise ParameterError(f"kind must be person or brand, got {kind!r}")
    if top is not None and top < 0:
        raise ParameterError(f"top must be >= 0, got {top}")
    check_confidence(confidence, level)
    personalization = None if audience is None else np.asarray(audience, dtype=np.float64)
    result = pagerank_run(
        graph,
        damping=damping,
        tolerance=tolerance,
        max_iter=max_iter,
        personalization=personalization,
        start=start,
        on_progress=on_progress,
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
            "_node": np.arange(graph.n_nodes, dtype=np.int64),
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
    ranked = table.get_column("_node").to_numpy()
    certified = None
    if prefix or certify or confidence:
        bounds = score_error_bounds(graph, result, damping=damping, personalization=personalization)
        certain = certain_order(result.scores[ranked], bounds[ranked])
        certified = certified_prefix(certain)
    if certify or confidence:
        table = table.with_columns(pl.Series(CERTAIN_COLUMN, certain))
    if top:
        table = table.head(top)
    table = table.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    added: list[str] = []
    if confidence:
        intervals = bootstrap_pagerank(
            graph,
            result.scores,
            nodes=table.get_column("_node").to_numpy(),
            candidates=ranked,
            replicates=confidence,
            level=level,
            seed=seed,
            damping=damping,
            tolerance=tolerance,
            max_iter=max_iter,
            personalization=personalization,
            on_replicate=on_replicate,
        )
        table = table.with_columns(
            pl.Series("rank_low", intervals.rank_low, dtype=pl.Int64),
            pl.Series("rank_high", intervals.rank_high, dtype=pl.Int64),
            pl.Series("score_low", influence_score(intervals.score_low, result.scores)),
            pl.Series("score_high", influence_score(intervals.score_high, result.scores)),
            pl.Series("pagerank_low", intervals.score_low),
            pl.Series("pagerank_high", intervals.score_high),
        )
        added.extend(INTERVAL_COLUMNS)
    if CERTAIN_COLUMN in table.columns:
        added.append(CERTAIN_COLUMN)
    table = table.drop("_node")
    extra = [name for name in table.columns if name not in (*RANK_COLUMNS, *added)]
    return Ranking(
        table=check_frame(table.select([*RANK_COLUMNS, *added, *extra])),
        iterations=result.iterations,
        certified=certified,
        replicates=confidence,
        level=float(level),
    )


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
