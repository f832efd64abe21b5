"""How sure a ranking is: bootstrap intervals for PageRank ranks and scores.

The evidence behind a ranking is its follow and interaction records. A Poisson bootstrap
gives each record a Poisson(1) multiplicity in each replicate and ranks again; the spread of
the replicates' ranks and scores is the ranking's sampling noise.

Records are not kept once the graph is built; each edge keeps the sum ``W`` of its records'
weights and the sum ``S`` of their squares (``build_graph(square_weights=True)``). An edge's
resampled weight is drawn as ``(S / W) * Poisson(W**2 / S)``:

* when the records of an edge weigh the same (follows, interactions of one type without
  decay, the planted graphs of the tests), ``W**2 / S`` is their number ``c`` and ``S / W``
  their weight ``w``, and ``w * Poisson(c)`` is exactly the sum of ``c`` independent
  Poisson(1) multiplicities (Poisson laws add): the record bootstrap itself;
* when they weigh differently, the draw has the record bootstrap's mean ``W`` and variance
  ``S`` (``W**2 / S`` is Kish's effective number of records), and edges stay independent as
  they are under the record bootstrap. PageRank is a smooth function of the edge weights, so
  to first order (the delta method) the replicates' scores then have the record bootstrap's
  covariance.

A record whose ``weight`` column says 5 is one record of weight 5, not five records: the
bootstrap resamples rows as the data gives them, which is the cautious reading of an
aggregated export (wider intervals).

Each replicate's PageRank starts from the full data's scores and runs to the same tolerance
as the full run. The warm start saves little where edges rest on one record each (a follow
graph: a replicate drops about a third of the edges, and its scores lie about 0.4 from the
full ones in L1; measured on the 1M-edge benchmark graph, 31 iterations instead of 32).
Ranks in a replicate are counted among the candidate accounts, ties broken by id as in the
ranking itself.

**Intervals.** What is estimated is the true ranking (PageRank of the expected weights), and
the full-data ranking is a biased estimate of it: noise lifts some accounts into the top and
pushes others down, and the replicates, resampled from the full data, scatter around the
full-data ranks, not around the true ones. Percentile intervals of the replicates' ranks
therefore under-cover the true rank; *basic* (reverse percentile) intervals, which mirror the
replicates' quantiles ``q_low``, ``q_high`` (at ``(1 - level) / 2`` and ``1 - (1 - level) /
2``) about the full-data value ``r``, correct the bias to first order. Ranks and PageRanks are
positive and their replicates skewed (an account that loses its main follower in a replicate
drops far), so the mirror is taken on the log scale, ``[r**2 / q_high, r**2 / q_low]``: on the
linear scale, ``2 r - q_high`` put the 371st account of the demo at "possibly first" and a
PageRank at "possibly 0" (below any replicate's teleport share). Where a PageRank or its
quantile is 0, and for the PageRanks of accounts outside an audience (which can drop to 0:
one replicate at a millionth of the score would put the upper end a million times higher),
the linear mirror is used. The
intervals are the union of the percentile and the basic ones; a rank interval also reaches
the ranks the ends of the score interval take among the full-data scores (so that the two
agree); all clipped to the possible range.

Measured on planted graphs (2,000 accounts, 8 targets each, Poisson counts of known rates; 20
draws of 100 replicates; 90% intervals), coverage of the true rank with 1.5 records per pair
on average: of the true top 100 (the test), percentile 78%, linear union 90%, this rule 85%;
of the full-data top 100 (the rows shown), 90%, 95% and 94%; of all accounts, 65%, 75% and
88%; accounts ranked below 100 given a lower bound of 1: none, 294 and 0.5 per draw. With 5
records per pair: true top 100, 90%, 95% and 94%; all accounts, 76%, 88% and 93%. The
PageRank intervals cover the true PageRank of the true top 100 at 85% (linear union: 81%).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numba
import numpy as np
import pyarrow.compute as pc

from graphkit.algorithms.pagerank import (
    DEFAULT_DAMPING,
    DEFAULT_MAX_ITER,
    DEFAULT_TOLERANCE,
    pagerank_run,
)
from graphkit.errors import ParameterError
from graphkit.graph.social import SQUARE_WEIGHTS_KEY, SocialGraph
from graphkit.io.preflight import available_memory, gib
from graphkit.kernels.resample import piece_starts, poisson_weights

DEFAULT_LEVEL: Final = 0.9
# More replicates than this refine nothing a ranking needs (a 90% interval's ends are
# quantiles; 1,000 replicates place them well) and only take time.
MAX_REPLICATES: Final = 100_000
# Graphs with fewer edges resample on one thread (measured: the demo's 52,515 edges take
# 0.75 s for 100 replicates on one thread, several times longer on two busy cores).
PARALLEL_MIN_EDGES: Final = 1 << 20


@dataclass(frozen=True)
class Intervals:
    """Bootstrap intervals of some accounts' ranks and scores.

    Attributes
    ----------
    nodes
        The accounts (node numbers) the intervals are for.
    rank_low, rank_high
        int64 bounds of each account's rank among the candidates (1 = first).
    score_low, score_high
        float64 bounds of each account's PageRank.
    replicates, level
        Bootstrap replicates drawn and the intervals' confidence level.
    """

    nodes: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    score_low: np.ndarray
    score_high: np.ndarray
    replicates: int
    level: float


def check_confidence(replicates: object, level: object) -> None:
    """Raise ParameterError unless ``replicates`` is an int >= 0 and ``0 < level < 1``.

    >>> check_confidence(100, 0.9)
    >>> check_confidence(100, 1.0)
    Traceback (most recent call last):
    ...
    graphkit.errors.ParameterError: level must be between 0 and 1 (exclusive), got 1.0
    """
    if isinstance(replicates, bool) or not isinstance(replicates, int | np.integer):
        raise ParameterError(f"confidence must be a whole number of replicates, got {replicates!r}")
    if replicates < 0:
        raise ParameterError(f"confidence must be >= 0 replicates, got {replicates}")
    if replicates > MAX_REPLICATES:
        raise ParameterError(
            f"confidence must be at most {MAX_REPLICATES:,} replicates, got {replicates:,}"
        )
    if (
        isinstance(level, bool)
        or not isinstance(level, int | float | np.floating)
        or not 0.0 < float(level) < 1.0
    ):
        raise ParameterError(f"level must be between 0 and 1 (exclusive), got {level!r}")


def few_replicates(replicates: int, level: float) -> str | None:
    """A warning when ``replicates`` are too few for intervals at ``level``: the ends then
    rest on the most extreme replicates (a quantile at ``(1 - level) / 2`` of fewer than
    ``2 / (1 - level) + 1`` values is interpolated towards the smallest), else ``None``.

    >>> few_replicates(100, 0.9) is None
    True
    >>> print(few_replicates(5, 0.9))  # doctest: +NORMALIZE_WHITESPACE
    5 bootstrap replicates are too few for 90% intervals: their ends rest on the most extreme
    replicates (ask for at least 21)
    """
    needed = math.ceil(2.0 / (1.0 - level) - 1e-9) + 1
    if replicates <= 0 or replicates >= needed:
        return None
    return (
        f"{replicates:,} bootstrap replicates are too few for {level:.0%} intervals: their ends "
        f"rest on the most extreme replicates (ask for at least {needed:,})"
    )


def resampling_spread(graph: SocialGraph) -> tuple[np.ndarray, np.ndarray]:
    """Per edge, the Poisson mean ``W**2 / S`` and the weight per unit ``S / W`` of its
    resampled weight (see the module's description); 0 and 0 for edges of no weight.

    Raises
    ------
    ParameterError
        When the graph was built without ``square_weights=True``.
    """
    squares = graph._cache.get(SQUARE_WEIGHTS_KEY)
    if not isinstance(squares, np.ndarray) or squares.shape != graph.in_weights.shape:
        raise ParameterError(
            "bootstrap intervals need each edge's squared record weights: build the graph "
            "with build_graph(..., square_weights=True)"
        )
    weights = graph.in_weights
    usable = weights > 0.0
    normal = squares >= np.finfo(np.float64).tiny  # subnormal squares lose their precision
    safe_squares = np.where(usable & normal, squares, 1.0)
    safe_weights = np.where(usable, weights, 1.0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        means = np.where(usable, safe_weights * (safe_weights / safe_squares), 0.0)
        units = np.where(usable, safe_squares / safe_weights, 0.0)
    # Squares beyond floating point (weights near 1e154, or below 1e-154): the edge is then
    # resampled as one record of its whole weight.
    broken = usable & ~(
        normal & np.isfinite(means) & np.isfinite(units) & (means > 0.0) & (units > 0.0)
    )
    means[broken] = 1.0
    units[broken] = weights[broken]
    return means, units


def bootstrap_pagerank(
    graph: SocialGraph,
    scores: np.ndarray,
    *,
    nodes: np.ndarray,
    candidates: np.ndarray | None = None,
    replicates: int,
    level: float = DEFAULT_LEVEL,
    seed: int = 0,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    personalization: np.ndarray | None = None,
    on_replicate: Callable[[int], None] | None = None,
) -> Intervals:
    """Bootstrap intervals of the ranks and PageRanks of ``nodes``.

    Parameters
    ----------
    graph
        The influence graph, built with ``square_weights=True``.
    scores
        Its PageRank with the same settings (the replicates start from it).
    nodes
        The accounts to report intervals for.
    candidates
        The accounts ranks count among (default: all); must include ``nodes``.
    replicates
        Bootstrap replicates (> 0).
    level
        Confidence level of the intervals, in (0, 1).
    seed
        Seed of the resampling: the same seed gives the same intervals, whatever the
        number of threads.
    damping, tolerance, max_iter, personalization
        PageRank settings, as for the full run.
    on_replicate
        Called with the number of replicates done after each one (progress).

    Returns
    -------
    Intervals
    """
    check_confidence(replicates, level)
    draws = bootstrap_replicates(
        graph, scores, nodes=nodes, candidates=candidates, replicates=replicates, seed=seed,
        damping=damping, tolerance=tolerance, max_iter=max_iter,
        personalization=personalization, on_replicate=on_replicate,
    )  # fmt: skip
    rank_low, rank_high = basic_intervals(draws.rank.astype(np.float64), draws.ranks, level)
    # PageRanks are mirrored on the log scale where every replicate gives the account a
    # share of the teleport; one an audience may not reach can drop to 0 (on the log scale,
    # a replicate at 1e-6 of its score would say "up to a million times higher").
    teleported = np.ones(draws.nodes.shape[0], dtype=np.bool_)
    if personalization is not None:
        teleported = np.asarray(personalization, dtype=np.float64)[draws.nodes] > 0.0
    score_low, score_high = basic_intervals(
        scores[draws.nodes], draws.scores, level, logarithmic=teleported
    )
    # The ranks the ends of each score interval take among the candidates' full-data scores.
    pool = scores if candidates is None else scores[np.unique(np.asarray(candidates, np.int64))]
    ordered = np.sort(pool)
    above_high = ordered.shape[0] - np.searchsorted(ordered, score_high, side="right")
    at_least_low = ordered.shape[0] - np.searchsorted(ordered, score_low, side="left")
    rank_low = np.minimum(rank_low, above_high + 1)
    rank_high = np.maximum(rank_high, at_least_low)
    return Intervals(
        nodes=draws.nodes,
        rank_low=np.clip(np.floor(rank_low), 1, draws.candidates).astype(np.int64),
        rank_high=np.clip(np.ceil(rank_high), 1, draws.candidates).astype(np.int64),
        score_low=np.clip(score_low, 0.0, 1.0),
        score_high=np.clip(score_high, 0.0, 1.0),
        replicates=replicates,
        level=float(level),
    )


@dataclass(frozen=True)
class Replicates:
    """The bootstrap replicates of some accounts' ranks and scores.

    Attributes
    ----------
    nodes
        The accounts followed.
    rank
        int64 full-data rank of each among the candidates.
    ranks, scores
        One row per replicate: each account's rank among the candidates and its PageRank.
    candidates
        How many accounts ranks count among.
    """

    nodes: np.ndarray
    rank: np.ndarray
    ranks: np.ndarray
    scores: np.ndarray
    candidates: int


def bootstrap_replicates(
    graph: SocialGraph,
    scores: np.ndarray,
    *,
    nodes: np.ndarray,
    candidates: np.ndarray | None = None,
    replicates: int,
    seed: int = 0,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    personalization: np.ndarray | None = None,
    on_replicate: Callable[[int], None] | None = None,
) -> Replicates:
    """The replicates :func:`bootstrap_pagerank` makes its intervals of (same parameters)."""
    if isinstance(replicates, bool) or not isinstance(replicates, int | np.integer):
        raise ParameterError(f"replicates must be a whole number, got {replicates!r}")
    if replicates < 1:
        raise ParameterError("bootstrap replicates must be at least 1")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed must be a whole number >= 0, got {seed!r}")
    nodes = np.asarray(nodes, dtype=np.int64)
    means, units = resampling_spread(graph)
    starts = piece_starts(means)
    pool = (
        np.arange(graph.n_nodes, dtype=np.int64)
        if candidates is None
        else np.unique(np.asarray(candidates, dtype=np.int64))
    )
    by_id = _by_id(graph, pool)  # candidates in id order: a stable sort breaks ties by id
    position = np.full(graph.n_nodes, -1, dtype=np.int64)
    position[by_id] = np.arange(by_id.shape[0])
    tracked = position[nodes]
    if (tracked < 0).any():
        raise ParameterError("every account with an interval must be among the candidates")
    needed = replicates * nodes.shape[0] * 16  # a rank and a score per replicate and account
    available = available_memory()
    if available is not None and needed > available // 2:
        raise ParameterError(
            f"{replicates:,} replicates of {nodes.shape[0]:,} accounts need {gib(needed)} and "
            f"{gib(available)} is available: ask for fewer replicates or fewer rows (--top)"
        )
    keys = np.random.default_rng(seed).integers(0, 2**64, size=replicates, dtype=np.uint64)
    replicate_ranks = np.empty((replicates, nodes.shape[0]), dtype=np.int64)
    replicate_scores = np.empty((replicates, nodes.shape[0]))
    weights = np.empty(graph.n_edges)
    rank_of = np.empty(by_id.shape[0], dtype=np.int64)
    counting = np.arange(1, by_id.shape[0] + 1, dtype=np.int64)
    threads = numba.get_num_threads()
    if graph.n_edges < PARALLEL_MIN_EDGES:
        # The kernels give the same bits on any number of threads; on small graphs one thread
        # is faster than waking several for each of the many short iterations.
        numba.set_num_threads(1)
    try:
        for replicate, key in enumerate(keys):
            poisson_weights(means, units, int(key), starts=starts, out=weights)
            result = pagerank_run(
                graph.with_weights(weights),
                damping=damping,
                tolerance=tolerance,
                max_iter=max_iter,
                personalization=personalization,
                start=scores,
            )
            replicate_ranks[replicate] = _ranks(result.scores[by_id], tracked, rank_of, counting)
            replicate_scores[replicate] = result.scores[nodes]
            if on_replicate is not None:
                on_replicate(replicate + 1)
    finally:
        numba.set_num_threads(threads)
    rank_of[np.argsort(-scores[by_id], kind="stable")] = counting
    return Replicates(
        nodes, rank_of[tracked].copy(), replicate_ranks, replicate_scores, int(by_id.shape[0])
    )


def basic_intervals(
    estimate: np.ndarray,
    replicates: np.ndarray,
    level: float,
    *,
    logarithmic: np.ndarray | bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """The union of the basic and the percentile bootstrap intervals of each column, the
    basic one on the log scale (``[e**2 / q_high, e**2 / q_low]``) for the columns of
    ``logarithmic`` whose estimate ``e`` and quantiles are positive, on the linear scale
    (``2 e - q``) elsewhere.

    ``replicates`` has one row per replicate and one column per quantity; ``estimate`` is
    the full-data value of each quantity.

    >>> low, high = basic_intervals(np.array([2.0]), np.array([[1.0], [2.0], [4.0]]), 0.5)
    >>> float(low[0]), float(high[0])
    (1.3333333333333333, 3.0)
    """
    tail = (1.0 - level) / 2.0
    q_low, q_high = np.quantile(replicates, [tail, 1.0 - tail], axis=0)
    logarithmic = logarithmic & (estimate > 0.0) & (q_low > 0.0)
    safe_low = np.where(logarithmic, q_low, 1.0)
    safe_high = np.where(logarithmic, q_high, 1.0)
    with np.errstate(over="ignore"):
        mirror_low = np.where(logarithmic, estimate * (estimate / safe_high), 2 * estimate - q_high)
        mirror_high = np.where(logarithmic, estimate * (estimate / safe_low), 2 * estimate - q_low)
    return np.minimum(q_low, mirror_low), np.maximum(q_high, mirror_high)


def _ranks(
    scores: np.ndarray, tracked: np.ndarray, rank_of: np.ndarray, counting: np.ndarray
) -> np.ndarray:
    """The rank (1 = highest score, ties by position) of the positions ``tracked`` of
    ``scores``, which are in id order; ``rank_of`` is scratch space, ``counting`` 1..n.

    A few tracked positions are ranked by counting on the sorted scores (a sort, not a stable
    arg-sort: about half the time); many, or many ties, by ranking every position.
    """
    if tracked.shape[0] <= _COUNTED_RANKS:
        ordered = np.sort(scores)
        values = scores[tracked]
        above = ordered.shape[0] - np.searchsorted(ordered, values, side="right")
        equal = np.searchsorted(ordered, values, side="right") - np.searchsorted(
            ordered, values, side="left"
        )
        tied = np.flatnonzero(equal > 1)
        if np.unique(values[tied]).shape[0] <= _TIED_VALUES:
            ranks: np.ndarray = above + 1
            for value in np.unique(values[tied]):
                same = np.flatnonzero(scores == value)  # positions in id order, ascending
                members = tied[values[tied] == value]
                ranks[members] += np.searchsorted(same, tracked[members])
            return ranks
    order = np.argsort(-scores, kind="stable")
    rank_of[order] = counting
    ranked: np.ndarray = rank_of[tracked]
    return ranked


# Up to this many tracked accounts are ranked by counting (see _ranks), with ties at up to
# this many distinct scores.
_COUNTED_RANKS: Final = 4096
_TIED_VALUES: Final = 16


def _by_id(graph: SocialGraph, nodes: np.ndarray) -> np.ndarray:
    """``nodes`` sorted by their ids (as strings, by code point)."""
    ids = graph.ids.take(nodes)
    order = np.asarray(pc.sort_indices(ids).to_numpy(), dtype=np.int64)
    sorted_nodes: np.ndarray = nodes[order]
    return sorted_nodes
