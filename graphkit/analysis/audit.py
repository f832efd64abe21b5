"""Audience quality: how suspicious each account looks as a follower, from the graph alone.

Each signal is a score in [0, 1] per account:

``no_followers``
    1 when no one follows the account.
``mass_following``
    Follows many and is followed by few: ``log10(following / (10 (followers + 1)))``
    clipped to [0, 1], for accounts following at least 20 (0 below ten times their followers,
    1 at a hundred times).
``unreciprocated``
    The share of its follows that are not followed back, for accounts following at least 10.
``never_interacts``
    1 for an account that follows and never reposts, replies, mentions or likes; only when the
    data has interactions from at least 10% of the accounts that follow (otherwise it would
    flag everyone whose interactions were not exported).
``burst``
    Follows made close together, when follow times (``since``) are known: with ``peak`` the
    most follows within one hour and ``count`` the follows with a time,
    ``clip((peak - 5) / 15, 0, 1) * peak / count``. Times that cannot show a burst count as
    unknown (:func:`usable_follow_times`: dates without a time of day, and one time shared
    by many accounts' follows, an export's own time).
``low_trust``
    Trust propagation from trusted seeds (SybilRank's early-terminated walk, Cao et al. 2012):
    trust starts on the seeds and, for ``ceil(log2 n)`` steps, each account passes its trust
    to the accounts it pays attention to (follows or interacts with), split evenly, with a
    share 0.15 a step returning to the seeds. An account's trust divided by its in-degree is
    compared with the median over the accounts reached: 1 when no trust reached it, else
    ``log10(median / trust_per_follower) / 6`` clipped to [0, 1] (0.5 at a thousandth of the
    median, 1 at a millionth). Trust flows from follower to followed, not along undirected
    edges: a farm's accounts follow real ones, and nothing real follows them, so no trust
    reaches them however many edges they send (SybilRank's undirected walk would hand trust
    back across every one of those edges). Seeds (``trusted``): by default the
    ``ceil(sqrt n)`` accounts with the most followers (ties by id) among those with a
    follower that also interact, or among all accounts when no one interacts; seeds have
    ``low_trust`` 0. With no seeds (a graph without edges) the signal is 0 everywhere.
``weak_followers``
    The share of its followers whose ``low_trust`` is at least 0.5 (the followers of the
    follower: farm accounts follow each other to look followed).
``ring``
    Dense follow rings: among (up to 50 of) its followers, the share of ordered pairs in which
    one follows the other, divided by 0.3 and clipped to [0, 1], times ``weak_followers``.

``no_followers``, ``low_trust``, ``weak_followers`` and ``ring`` read who follows the
follower, and :func:`audit_accounts` scores them only when the data shows it: not on a graph
without follows (interactions alone: most accounts are never replied to or reposted, which
says nothing about them), and not when fewer than 10% of the accounts that follow have a
follower themselves (the data holds some accounts' followers but not theirs, as an export of
one account's followers does: every follower would look fake). :attr:`Audit.unscored` then
says why, and those signals are 0.

The signals combine into ``suspicion = 1 / (1 + exp(-z))`` with
``z = -4 + sum(WEIGHTS[signal] * score)`` (:data:`WEIGHTS`): no single weak signal makes an
account suspicious (each alone gives ``z < 0``, ``suspicion < 0.5``), an account no trust
reaches that also has no followers, or only untrusted followers, is (``z >= 0.5``). The
weights are set by hand, not trained, and the same for every graph. ``reasons`` lists the
signals scoring at least 0.5. The follow signals read follow edges; a graph without follows
reads all its edges as follows.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import polars as pl

from graphkit.errors import InputError, ParameterError
from graphkit.graph.social import (
    ALIASES_KEY,
    DISCOUNT_KEY,
    FOLLOW_FLAG,
    IDENTITIES_KEY,
    INTERACTION_FLAG,
    SQUARE_WEIGHTS_KEY,
    SocialGraph,
)
from graphkit.kernels.audit import (
    follower_density,
    out_csr,
    reciprocal_edges,
    trust_walk,
    window_peaks,
)

WEIGHTS: Final = {
    "no_followers": 2.5,
    "mass_following": 1.5,
    "unreciprocated": 1.0,
    "never_interacts": 0.5,
    "burst": 2.0,
    "low_trust": 3.0,
    "weak_followers": 2.0,
    "ring": 1.0,
}
"""Weight of each signal in the suspicion's logistic combination."""
SIGNALS: Final = tuple(WEIGHTS)
BIAS: Final = -4.0
REASON_LEVEL: Final = 0.5
DEFAULT_THRESHOLD: Final = 0.5
TRUST_DAMPING: Final = 0.85
BURST_WINDOW_SECONDS: Final = 3600.0
RING_FOLLOWERS: Final = 50
_INTERACTING_SHARE: Final = 0.1
FOLLOWER_SIGNALS: Final = ("no_followers", "low_trust", "weak_followers", "ring")
"""The signals that read who follows the follower (scored only where the data shows it)."""
_FOLLOWED_SHARE: Final = 0.1
_PLACEHOLDER_SHARE: Final = 0.1
_DAY_MICROS: Final = 86_400_000_000


@dataclass(frozen=True)
class Audit:
    """The audit of every account of a graph.

    Attributes
    ----------
    suspicion
        float64 in [0, 1] per node.
    signals
        Each signal's score in [0, 1] per node, by name (:data:`SIGNALS`).
    followers, following
        Follow in- and out-degree per node.
    trusted
        Boolean mask of the trust seeds.
    trust
        The trust each node holds after the walk (sums to 1).
    follow_mask
        Which in-edges the follow signals read.
    unscored
        Why :data:`FOLLOWER_SIGNALS` were not scored (``""`` when they were).
    """

    suspicion: np.ndarray
    signals: dict[str, np.ndarray]
    followers: np.ndarray
    following: np.ndarray
    trusted: np.ndarray
    trust: np.ndarray
    follow_mask: np.ndarray
    unscored: str = ""

    def reasons(self) -> pl.Series:
        """The signals scoring at least 0.5 per node, joined by ``;`` (``""`` for none)."""
        frame = pl.DataFrame({name: self.signals[name] >= REASON_LEVEL for name in SIGNALS})
        return frame.select(
            pl.concat_str(
                [pl.when(pl.col(name)).then(pl.lit(name)) for name in SIGNALS],
                separator=";",
                ignore_nulls=True,
            ).alias("reasons")
        ).to_series()


def combine(signals: dict[str, np.ndarray]) -> np.ndarray:
    """The suspicion of each node from its signal scores (see the module's description)."""
    z = np.full(next(iter(signals.values())).shape[0], BIAS)
    for name in SIGNALS:
        z += WEIGHTS[name] * signals[name]
    suspicion: np.ndarray = 1.0 / (1.0 + np.exp(-z))
    return suspicion


def follow_edges(graph: SocialGraph) -> np.ndarray:
    """The in-edges the follow signals read: follows, or every edge when there are none."""
    mask = (np.asarray(graph.in_flags) & FOLLOW_FLAG) != 0
    if mask.shape[0] != graph.n_edges:  # flags held as one value for a follows-only build
        mask = np.full(graph.n_edges, bool(mask.all()))
    if not mask.any():
        mask = np.ones(graph.n_edges, dtype=bool)
    follows: np.ndarray = mask
    return follows


def interacting(graph: SocialGraph) -> np.ndarray:
    """Boolean per node: it gives at least one interaction."""
    flags = np.asarray(graph.in_flags)
    if flags.shape[0] != graph.n_edges:
        return np.zeros(graph.n_nodes, dtype=bool)
    given = np.bincount(graph.in_sources[(flags & INTERACTION_FLAG) != 0], minlength=graph.n_nodes)
    result: np.ndarray = given > 0
    return result


def default_trusted(graph: SocialGraph, followers: np.ndarray) -> np.ndarray:
    """The default trust seeds: the ``ceil(sqrt n)`` accounts with the most followers (ties by
    id) among those with a follower that interact, or among all when no one interacts."""
    candidates = followers > 0
    interacts = interacting(graph) & candidates
    if interacts.any():
        candidates = interacts
    nodes = np.flatnonzero(candidates)
    mask = np.zeros(graph.n_nodes, dtype=bool)
    if nodes.shape[0] == 0:
        return mask
    count = math.ceil(math.sqrt(graph.n_nodes))
    chosen = (
        pl.DataFrame({"node": nodes, "followers": followers[nodes], "id": graph.ids_of(nodes)})
        .sort(["followers", "id"], descending=[True, False])
        .head(count)
        .get_column("node")
        .to_numpy()
    )
    mask[chosen] = True
    return mask


def audit_accounts(
    graph: SocialGraph,
    *,
    trusted: np.ndarray | None = None,
    follow_times: tuple[np.ndarray, np.ndarray] | None = None,
) -> Audit:
    """Score every account of ``graph`` (see the module's description): :func:`score_accounts`,
    with :data:`FOLLOWER_SIGNALS` at 0 where the data does not show who follows the followers.

    Parameters and errors as for :func:`score_accounts`.
    """
    audit = score_accounts(graph, trusted=trusted, follow_times=follow_times)
    why = _follower_signals_unfounded(graph, audit)
    if not why:
        return audit
    signals = {**audit.signals, **{name: np.zeros(graph.n_nodes) for name in FOLLOWER_SIGNALS}}
    unscored = f"{', '.join(FOLLOWER_SIGNALS)} not scored: {why}"
    return dataclasses.replace(
        audit, signals=signals, suspicion=combine(signals), unscored=unscored
    )


def _follower_signals_unfounded(graph: SocialGraph, audit: Audit) -> str:
    """Why the data cannot show who follows the followers (``""`` when it can)."""
    if not np.any((np.asarray(graph.in_flags) & FOLLOW_FLAG) != 0):
        return "the data has no follows, and interactions alone do not show who is followed"
    following = audit.following > 0
    followed = np.count_nonzero(following & (audit.followers > 0))
    if followed < _FOLLOWED_SHARE * np.count_nonzero(following):
        return (
            f"only {followed:,} of the {np.count_nonzero(following):,} accounts that follow have "
            "followers in the data (under 10%): it holds their follows, not their followers"
        )
    return ""


def score_accounts(
    graph: SocialGraph,
    *,
    trusted: np.ndarray | None = None,
    follow_times: tuple[np.ndarray, np.ndarray] | None = None,
) -> Audit:
    """Every signal of every account of ``graph`` as its formula gives it (see the module's
    description), whatever the data shows.

    Parameters
    ----------
    graph
        The influence graph.
    trusted
        Boolean mask of the trust seeds (default: :func:`default_trusted`).
    follow_times
        ``(nodes, micros)``: the follower node and time (microseconds since the epoch) of each
        follow record with a time, for the ``burst`` signal (0 without).

    Raises
    ------
    ParameterError
        When ``trusted`` selects no account or has the wrong length.
    """
    n_nodes = graph.n_nodes
    indptr, sources = graph.in_indptr, graph.in_sources
    follows = follow_edges(graph)
    followers = _per_target(indptr, follows.astype(np.float64)).astype(np.int64)
    following = np.bincount(sources[follows], minlength=n_nodes).astype(np.int64)
    reciprocated = np.bincount(
        sources, weights=reciprocal_edges(indptr, sources, follows), minlength=n_nodes
    )
    signals: dict[str, np.ndarray] = {}
    signals["no_followers"] = (followers == 0).astype(np.float64)
    with np.errstate(divide="ignore"):
        ratio = following / (10.0 * (followers + 1.0))
        signals["mass_following"] = np.where(
            following >= 20, np.clip(np.log10(np.maximum(ratio, 1e-300)), 0.0, 1.0), 0.0
        )
    signals["unreciprocated"] = np.where(
        following >= 10, 1.0 - reciprocated / np.maximum(following, 1), 0.0
    )
    interacts = interacting(graph)
    follows_someone = following > 0
    never = np.zeros(n_nodes)
    if follows_someone.any() and (
        np.count_nonzero(interacts & follows_someone)
        >= _INTERACTING_SHARE * np.count_nonzero(follows_someone)
    ):
        never = (follows_someone & ~interacts).astype(np.float64)
    signals["never_interacts"] = never
    signals["burst"] = _burst(follow_times, n_nodes)

    if trusted is None:
        trusted = default_trusted(graph, followers)
    else:
        trusted = np.asarray(trusted, dtype=bool)
        if trusted.shape != (n_nodes,):
            raise ParameterError(f"trusted must be a mask of {n_nodes} accounts")
        if not trusted.any():
            raise ParameterError("the trusted accounts select no account of the graph")
    trust = np.zeros(n_nodes)
    signals["low_trust"] = np.zeros(n_nodes)  # no one followed, no seeds: no evidence
    if trusted.any():
        every_edge = np.ones(graph.n_edges, dtype=bool)
        out_degree = np.bincount(sources, minlength=n_nodes).astype(np.float64)
        seeds = trusted / np.count_nonzero(trusted)
        steps = max(1, math.ceil(math.log2(max(n_nodes, 2))))
        trust = trust_walk(indptr, sources, every_edge, out_degree, seeds, TRUST_DAMPING, steps)
        signals["low_trust"] = _low_trust(trust, np.diff(indptr), trusted)

    weak = (signals["low_trust"] >= REASON_LEVEL).astype(np.float64)
    weak_share = _per_target(indptr, np.where(follows, weak[sources], 0.0)) / np.maximum(
        followers, 1
    )
    signals["weak_followers"] = weak_share
    out_indptr, out_targets = out_csr(indptr, sources, follows, n_nodes)
    density = follower_density(indptr, sources, follows, out_indptr, out_targets, RING_FOLLOWERS)
    signals["ring"] = np.clip(density / 0.3, 0.0, 1.0) * weak_share
    return Audit(
        suspicion=combine(signals),
        signals=signals,
        followers=followers,
        following=following,
        trusted=trusted,
        trust=trust,
        follow_mask=follows,
    )


def _per_target(indptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The sum of ``values`` (one per in-edge) over each node's in-edges."""
    sums = np.concatenate(([0.0], np.cumsum(values)))
    result: np.ndarray = sums[indptr[1:]] - sums[indptr[:-1]]
    return result


def _low_trust(trust: np.ndarray, in_degree: np.ndarray, trusted: np.ndarray) -> np.ndarray:
    per_follower = trust / np.maximum(in_degree, 1)
    reached = per_follower > 0
    score = np.ones(trust.shape[0])
    if reached.any():
        median = float(np.median(per_follower[reached]))
        with np.errstate(divide="ignore"):
            score[reached] = np.clip(np.log10(median / per_follower[reached]) / 6.0, 0.0, 1.0)
    score[trusted] = 0.0
    return score


def _burst(follow_times: tuple[np.ndarray, np.ndarray] | None, n_nodes: int) -> np.ndarray:
    if follow_times is None:
        return np.zeros(n_nodes)
    nodes, micros = follow_times
    timed = np.isfinite(micros) & (nodes >= 0)
    nodes, seconds = nodes[timed].astype(np.int64), micros[timed] / 1e6
    order = np.lexsort((seconds, nodes))
    peaks, counts = window_peaks(nodes[order], seconds[order], n_nodes, BURST_WINDOW_SECONDS)
    score: np.ndarray = np.clip((peaks - 5) / 15.0, 0.0, 1.0) * peaks / np.maximum(counts, 1)
    return score


def usable_follow_times(nodes: np.ndarray, micros: np.ndarray) -> np.ndarray:
    """``micros`` (follow times, microseconds since the epoch, one per record, by follower
    node) with NaN where a time cannot show a burst: a time at midnight UTC (a date without
    a time of day), and a time that at least 10% of the timed records share, from more than
    one follower (an export's or a crawl's own time standing in for the follow's)."""
    micros = np.asarray(micros, dtype=np.float64)
    timed = np.isfinite(micros)
    usable = micros.copy()
    usable[timed & (np.mod(micros, _DAY_MICROS) == 0)] = np.nan
    if np.count_nonzero(timed) >= 2:
        shared = (
            pl.DataFrame({"node": nodes[timed], "time": micros[timed]})
            .group_by("time")
            .agg(records=pl.len(), followers=pl.col("node").n_unique())
            .filter(
                (pl.col("records") >= _PLACEHOLDER_SHARE * np.count_nonzero(timed))
                & (pl.col("followers") > 1)
            )
            .get_column("time")
            .to_numpy()
        )
        usable[np.isin(micros, shared)] = np.nan
    return usable


def accounts_table(graph: SocialGraph, audit: Audit) -> pl.DataFrame:
    """Every account: ``id, name, followers, following, suspicion, reasons``, by suspicion
    (descending, ties by id)."""
    frame = pl.DataFrame(
        {
            "id": graph.ids_of(np.arange(graph.n_nodes)),
            "followers": audit.followers,
            "following": audit.following,
            "suspicion": audit.suspicion,
            "reasons": audit.reasons(),
        }
    )
    return _with_names(graph, frame).sort(["suspicion", "id"], descending=[True, False])


def quality_table(
    graph: SocialGraph, audit: Audit, nodes: np.ndarray, threshold: float = DEFAULT_THRESHOLD
) -> pl.DataFrame:
    """Per node of ``nodes``: ``id, name, followers, suspicious_followers, audience_quality``
    (the share of followers with suspicion below ``threshold``; null without followers) and,
    per signal, ``reason_<signal>``: the suspicious followers for which it fired."""
    if not 0.0 <= threshold <= 1.0:
        raise ParameterError(f"threshold must be in [0, 1], got {threshold}")
    suspicious = audit.suspicion >= threshold
    fired = {name: audit.signals[name] >= REASON_LEVEL for name in SIGNALS}
    # One pass over the edges per column: as fast for a million audited accounts as for one.
    bad_edge = audit.follow_mask & suspicious[graph.in_sources]

    def per_node(edge_values: np.ndarray) -> np.ndarray:
        sums = _per_target(graph.in_indptr, edge_values.astype(np.float64))
        counts: np.ndarray = sums[nodes].astype(np.int64)
        return counts

    rows = {"suspicious_followers": per_node(bad_edge)}
    for name in SIGNALS:
        rows[f"reason_{name}"] = per_node(bad_edge & fired[name][graph.in_sources])
    followers = audit.followers[nodes]
    frame = pl.DataFrame(
        {"id": graph.ids_of(nodes), "followers": followers, **rows},
        schema_overrides=dict.fromkeys(rows, pl.Int64),
    ).with_columns(
        audience_quality=pl.when(pl.col("followers") > 0).then(
            1.0 - pl.col("suspicious_followers") / pl.col("followers")
        )
    )
    order = ["id", "followers", "suspicious_followers", "audience_quality"]
    frame = frame.select(*order, *(f"reason_{name}" for name in SIGNALS))
    return _with_names(graph, frame)


def top_followed(audit: Audit, graph: SocialGraph, count: int) -> np.ndarray:
    """The ``count`` nodes with the most followers (ties by id)."""
    nodes = np.arange(graph.n_nodes)
    chosen: np.ndarray = (
        pl.DataFrame({"node": nodes, "followers": audit.followers, "id": graph.ids_of(nodes)})
        .sort(["followers", "id"], descending=[True, False])
        .head(count)
        .get_column("node")
        .to_numpy()
    )
    return chosen


def discounted(
    graph: SocialGraph, audit: Audit | None = None, threshold: float = DEFAULT_THRESHOLD
) -> SocialGraph:
    """``graph`` with each edge ``u -> v`` weighted by ``1 - suspicion[u]``, and the edges of
    accounts with ``suspicion[u] >= threshold`` removed (``audit`` computed when not given).

    PageRank passes on an account's score in proportion to its edges' weights: scaling all
    of an account's edges by one factor changes nothing there, so the accounts at or above
    the threshold lose their edges: they become dangling, and their score spreads as a
    dangling account's does (by the teleport vector) instead of going to the accounts they
    follow. Follower counts stay those of the data. What was done is kept under
    :data:`DISCOUNT_KEY` in the graph's cache, for run manifests: the accounts at or above
    ``threshold``, the edges removed and the share of the edge weight removed.

    Raises
    ------
    InputError
        When every account with an edge is at or above ``threshold``: nothing would be left.
    """
    audit = audit or audit_accounts(graph)
    suspicious = audit.suspicion >= threshold
    kept_edges = ~suspicious[graph.in_sources]
    if graph.n_edges and not kept_edges.any():
        givers = np.count_nonzero(graph.out_degree())
        raise InputError(
            f"all {givers:,} accounts that follow or interact have suspicion >= {threshold:g}: "
            "discounting them leaves no edge (graphkit audit --all says why)"
        )
    sources = graph.in_sources[kept_edges]
    weights = graph.in_weights[kept_edges] * (1.0 - audit.suspicion[sources])
    counts = _per_target(graph.in_indptr, kept_edges.astype(np.float64)).astype(np.int64)
    indptr = np.zeros(graph.n_nodes + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    flags = np.asarray(graph.in_flags)
    result = dataclasses.replace(
        graph,
        in_indptr=indptr,
        in_sources=np.ascontiguousarray(sources),
        in_weights=weights,
        in_flags=flags[kept_edges] if flags.shape[0] == graph.n_edges else flags,
        out_weight=np.bincount(sources, weights=weights, minlength=graph.n_nodes),
        _cache={},
    )
    squares = graph._cache.get(SQUARE_WEIGHTS_KEY)
    if isinstance(squares, np.ndarray):
        scale = 1.0 - audit.suspicion[sources]
        result._cache[SQUARE_WEIGHTS_KEY] = squares[kept_edges] * scale * scale
    for key in (ALIASES_KEY, IDENTITIES_KEY):  # the accounts are the same
        if key in graph._cache:
            result._cache[key] = graph._cache[key]
    total = float(graph.in_weights.sum())
    removed = total - float(weights.sum())
    result._cache[DISCOUNT_KEY] = {
        "suspicious_accounts": int(np.count_nonzero(suspicious)),
        "threshold": threshold,
        "edges_removed": int(graph.n_edges - sources.shape[0]),
        "weight_removed_share": removed / total if total > 0 else 0.0,
        **({"unscored": audit.unscored} if audit.unscored else {}),
    }
    return result


def _with_names(graph: SocialGraph, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with the accounts' ``name`` after ``id`` when the accounts table has one."""
    accounts = graph.accounts
    if accounts is None or "name" not in accounts.columns:
        return frame
    names = accounts.select("id", pl.col("name").cast(pl.String))
    joined = frame.join(names, on="id", how="left", maintain_order="left")
    return joined.select("id", "name", *[c for c in frame.columns if c != "id"])
