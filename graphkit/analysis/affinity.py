"""Audience affinity: the accounts an audience pays attention to far above the base rate, and
the audience's segments.

Definitions (``A`` = the audience, a set of accounts):

- An account *pays attention* to ``v`` when it has an edge to ``v`` in the influence graph:
  it follows ``v`` or interacts with it (repost, quote, reply, mention, like, comment),
  counted once however many records there are. An edge of weight 0 (records weighing 0, or
  a type weighted 0) passes no PageRank and pays no attention here either.
- *Active* accounts pay attention to at least one account. Only active accounts can follow
  anything, so both populations count active accounts only: the audience size ``n_A`` is the
  number of active audience members, the base size ``n_B`` the number of active accounts
  outside the audience. The audience's own members never make the base.
- For each account ``v`` outside the audience: ``audience_followers`` = ``a`` = distinct
  audience members paying attention to ``v``; ``base_followers`` = ``b`` = distinct accounts
  outside the audience paying attention to ``v``; ``audience_share = a / n_A``;
  ``base_share = b / n_B``; ``lift = audience_share / base_share``. Where no base account pays
  attention (``b = 0``), ``lift`` is computed as if one did (``b = 1``): a floor, since the
  ratio itself is unbounded.
- Significance treats attention as rare events (a Poisson model per population): given the
  ``t = a + b`` accounts paying attention to ``v``, ``a ~ Binomial(t, pi)`` with
  ``pi = n_A R / (n_A R + n_B)``, where ``R`` is the true lift. ``p_value`` is the exact
  one-sided binomial test of ``R <= 1`` (``pi0 = n_A / (n_A + n_B)``); ``lift_low`` is the
  lift at the exact (Clopper-Pearson) lower bound of ``pi`` at ``level``:
  ``lift_low = pi_low n_B / (n_A (1 - pi_low))``, capped at ``lift`` (where ``b = 0`` the
  floor of ``lift`` can be the lower of the two). Both are finite for every row, ``b = 0``
  included. ``level`` is at least 0.5: a lower "bound" at a lower level lies above the
  estimate. Both are per account, not adjusted for the many accounts tested: at level 0.95
  up to one account in twenty without any real affinity still shows ``lift_low`` above 1
  (raise ``level`` for long tables). Sorting by ``lift_low`` keeps accounts followed by a
  few members by chance from the top.

Audience members are left out of the affinity table (an audience follows itself far above
the base rate by construction); the segments show who leads inside the audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import polars as pl

from graphkit.algorithms.communities import DEFAULT_LEIDEN_ITERATIONS, canonical_membership
from graphkit.analysis.accounts import with_account_text
from graphkit.analysis.audience import attention_edges
from graphkit.checks import check_frame
from graphkit.errors import ParameterError
from graphkit.graph.social import SocialGraph
from graphkit.kernels.affinity import binomial_statistics, co_attention_pairs
from graphkit.kernels.leiden import leiden

DEFAULT_MIN_SUPPORT: Final = 3
DEFAULT_LEVEL: Final = 0.95
MIN_LEVEL: Final = 0.5
DEFAULT_LEADERS: Final = 3
DEFAULT_THEMES: Final = 3
# Followings shared by more audience members than this do not link them in the co-attention
# graph (they tell few members apart and would add k^2 / 2 pairs each) ...
DEFAULT_MAX_SHARED: Final = 500
# ... and at most this many member pairs are formed (the cap is lowered until they fit).
MAX_PAIRS: Final = 20_000_000
SegmentBy = Literal["interconnections", "followings"]
SEGMENT_BY: Final = ("interconnections", "followings")
UNCONNECTED: Final = -1
"""The segment of audience members linked to no other member (see :func:`audience_segments`)."""

AFFINITY_COLUMNS: Final = (
    "rank",
    "id",
    "handle",
    "name",
    "kind",
    "audience_followers",
    "audience_share",
    "base_followers",
    "base_share",
    "lift",
    "lift_low",
    "p_value",
)
SEGMENT_COLUMNS: Final = (
    "segment",
    "size",
    "share",
    "leaders",
    "leader_names",
    "dominant_titles",
    "dominant_topics",
)


@dataclass(frozen=True)
class AudienceCounts:
    """Per node counts behind the affinity table.

    Attributes
    ----------
    audience_followers, base_followers
        int64 distinct audience members, and accounts outside the audience, paying attention
        to each node.
    audience_size, base_size
        Active accounts (paying attention to someone) inside and outside the audience.
    """

    audience_followers: np.ndarray
    base_followers: np.ndarray
    audience_size: int
    base_size: int


def audience_counts(graph: SocialGraph, audience: np.ndarray) -> AudienceCounts:
    """Count, for every node, the audience members and the others paying attention to it."""
    audience = _checked_mask(graph, audience)
    n = graph.n_nodes
    sources, targets = graph.in_sources, graph.edge_targets()
    paying = attention_edges(graph)
    if paying is not None:
        sources, targets = sources[paying], targets[paying]
    from_audience = audience[sources]
    audience_followers = np.bincount(targets[from_audience], minlength=n).astype(np.int64)
    base_followers = np.bincount(targets, minlength=n).astype(np.int64) - audience_followers
    active = np.bincount(sources, minlength=n) > 0
    audience_size = int(np.count_nonzero(active & audience))
    base_size = int(np.count_nonzero(active & ~audience))
    return AudienceCounts(audience_followers, base_followers, audience_size, base_size)


def affinity_table(
    graph: SocialGraph,
    audience: np.ndarray,
    *,
    min_support: int = DEFAULT_MIN_SUPPORT,
    level: float = DEFAULT_LEVEL,
    top: int | None = None,
) -> pl.DataFrame:
    """The accounts an audience pays attention to far above the base rate.

    Parameters
    ----------
    graph
        The influence graph.
    audience
        Boolean mask of the audience's nodes.
    min_support
        Least ``audience_followers`` of a row (at least 1).
    level
        Confidence level of ``lift_low``, in [0.5, 1).
    top
        Rows to keep (``None`` or 0: all).

    Returns
    -------
    polars.DataFrame
        :data:`AFFINITY_COLUMNS` (see the module's description), one row per account outside
        the audience with at least ``min_support`` audience followers, by ``lift_low``
        (largest first), then ``audience_followers`` (largest first), then ``id``. Empty when
        no audience member pays attention to anyone.

    Raises
    ------
    ParameterError
        For out-of-range parameters, or when every account that pays attention to anyone is
        in the audience (there is no base rate to compare with).

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> pairs = [("a", "x"), ("b", "x"), ("a", "y"), ("c", "y"), ("d", "y"), ("e", "y")]
    >>> follows = pa.table({"follower": [p for p, _ in pairs], "followed": [q for _, q in pairs]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> audience = np.isin(np.asarray(graph.ids.to_pylist()), ["a", "b"])
    >>> affinity_table(graph, audience, min_support=1).select("id", "audience_share", "lift").rows()
    [('x', 1.0, 3.0), ('y', 0.5, 0.5)]
    """
    if isinstance(min_support, bool) or not isinstance(min_support, int | np.integer):
        raise ParameterError(f"min_support must be a whole number, got {min_support!r}")
    if min_support < 1:
        raise ParameterError(f"min_support must be at least 1, got {min_support}")
    if not (isinstance(level, float | int | np.floating) and MIN_LEVEL <= float(level) < 1.0):
        raise ParameterError(f"level must be at least {MIN_LEVEL} and below 1, got {level!r}")
    if top is not None and (
        isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 0
    ):
        raise ParameterError(f"top must be a whole number >= 0, got {top!r}")
    counts = audience_counts(graph, audience)
    audience = np.asarray(audience, dtype=bool)
    if counts.audience_size == 0:
        return empty_affinity_table()
    if counts.base_size == 0:
        raise ParameterError(
            "every account that pays attention to others is in the audience: there is no base "
            "rate to compare it with; choose a smaller audience"
        )
    keep = np.flatnonzero((counts.audience_followers >= min_support) & ~audience)
    a = counts.audience_followers[keep]
    b = counts.base_followers[keep]
    n_audience, n_base = counts.audience_size, counts.base_size
    pi0 = n_audience / (n_audience + n_base)
    p_values, pi_low = binomial_statistics(a, a + b, pi0, 1.0 - float(level))
    audience_share = a / n_audience
    base_share = b / n_base
    lift = audience_share / (np.maximum(b, 1) / n_base)
    lift_low = np.minimum(pi_low * n_base / (n_audience * (1.0 - pi_low)), lift)
    table = pl.DataFrame(
        {
            "id": graph.ids_of(keep),
            "audience_followers": a,
            "audience_share": audience_share,
            "base_followers": b,
            "base_share": base_share,
            "lift": lift,
            "lift_low": lift_low,
            "p_value": p_values,
        },
        schema_overrides={"audience_followers": pl.Int64, "base_followers": pl.Int64},
    )
    table = table.sort(
        ["lift_low", "audience_followers", "id"], descending=[True, True, False]
    ).with_row_index("rank", offset=1)
    if top:
        table = table.head(min(int(top), table.height))
    table = _with_account_columns(table, graph)
    return check_frame(table.with_columns(pl.col("rank").cast(pl.Int64)).select(AFFINITY_COLUMNS))


def empty_affinity_table() -> pl.DataFrame:
    """An affinity table without rows."""
    text = dict.fromkeys(("id", "handle", "name", "kind"), pl.String)
    counts = dict.fromkeys(("rank", "audience_followers", "base_followers"), pl.Int64)
    return (
        pl.DataFrame(schema={**text, **counts})
        .with_columns(
            pl.lit(None, pl.Float64).alias(name)
            for name in ("audience_share", "base_share", "lift", "lift_low", "p_value")
        )
        .select(AFFINITY_COLUMNS)
    )


def _with_account_columns(table: pl.DataFrame, graph: SocialGraph) -> pl.DataFrame:
    table = with_account_text(table, graph.accounts)
    accounts = graph.accounts
    if accounts is not None and "kind" in accounts.columns:
        kinds = accounts.select(pl.col("id").cast(pl.String), pl.col("kind").cast(pl.String))
        return table.join(kinds, on="id", how="left", maintain_order="left")
    return table.with_columns(pl.lit(None, pl.String).alias("kind"))


def _checked_mask(graph: SocialGraph, audience: np.ndarray) -> np.ndarray:
    mask = np.asarray(audience)
    if mask.dtype != np.bool_ or mask.shape != (graph.n_nodes,):
        raise ParameterError(
            f"audience must be a boolean mask of the {graph.n_nodes:,} nodes, "
            f"got {mask.dtype} of shape {mask.shape}"
        )
    return mask


# -- segments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AudienceSegments:
    """An audience split into segments.

    Attributes
    ----------
    table
        One row per segment: :data:`SEGMENT_COLUMNS` (see :func:`audience_segments`).
    members
        ``id, segment`` of every audience member, by segment then id.
    by
        ``interconnections`` or ``followings``.
    modularity
        Modularity of the split on the members' graph (0 when it has no links).
    leaders
        ``segment, leader`` (an id), each segment's leaders in the order ``table`` names
        them: for callers that must not split ``table.leaders`` on ``"; "`` (an id may hold it).
    """

    table: pl.DataFrame
    members: pl.DataFrame
    by: str
    modularity: float
    leaders: pl.DataFrame


def audience_segments(
    graph: SocialGraph,
    audience: np.ndarray,
    *,
    by: SegmentBy = "interconnections",
    seed: int = 0,
    resolution: float = 1.0,
    leaders: int = DEFAULT_LEADERS,
    max_shared: int = DEFAULT_MAX_SHARED,
) -> AudienceSegments:
    """Split an audience into segments (Leiden communities of a graph of its members).

    Parameters
    ----------
    graph
        The influence graph.
    audience
        Boolean mask of the audience's nodes.
    by
        ``interconnections``: the members' graph is the subgraph the audience induces, edges
        weighted ``w(u -> v) + w(v -> u)`` as for :func:`graphkit.algorithms.communities`.
        ``followings``: members are linked by the accounts both pay attention to, each shared
        account adding ``1 / log(k)`` where ``k`` (>= 2) is the number of members paying
        attention to it (Adamic-Adar: a niche account says more than a popular one); accounts
        shared by more than ``max_shared`` members are left out (lowered further so that at
        most :data:`MAX_PAIRS` member pairs are formed).
    seed, resolution
        Leiden's seed and modularity resolution: the same seed gives the same segments.
    leaders
        Accounts named as each segment's leaders.
    max_shared
        See ``by``.

    Returns
    -------
    AudienceSegments
        ``table``: per segment ``segment`` (0, 1, ... by size, largest first, ties by the
        smallest member; :data:`UNCONNECTED` (-1) gathers the members linked to no other),
        ``size``, ``share`` (of the audience), ``leaders`` (ids joined by ``"; "``: the
        accounts the segment's members pay attention to, ranked by ``c * c / a``, where ``c``
        counts the segment's members paying attention to the account and ``a`` the whole
        audience's: many of the segment, and mostly the segment; at least two members in
        segments of three or more; ties by id), ``leader_names`` (their names, else handles, else
        ids), ``dominant_titles`` and ``dominant_topics`` (the commonest titles and topics of
        the members with their counts, ``"CTO (4); CEO (2)"``; null without that column).

    Raises
    ------
    ParameterError
        For out-of-range parameters.
    """
    audience = _checked_mask(graph, audience)
    if by not in SEGMENT_BY:
        raise ParameterError(f"segments are by {' or '.join(SEGMENT_BY)}, got {by!r}")
    for name, value, least in (
        ("seed", seed, 0),
        ("leaders", leaders, 1),
        ("max_shared", max_shared, 2),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ParameterError(f"{name} must be a whole number >= {least}, got {value!r}")
    if not (isinstance(resolution, float | int) and np.isfinite(resolution) and resolution > 0):
        raise ParameterError(f"resolution must be a positive number, got {resolution!r}")
    nodes = np.flatnonzero(audience)
    first, second, weight = member_links(graph, audience, by=by, max_shared=max_shared)
    membership, modularity = _leiden_segments(
        nodes.shape[0], first, second, weight, seed, resolution
    )
    members = pl.DataFrame({"id": graph.ids_of(nodes), "segment": membership}).sort(
        ["segment", "id"]
    )
    table, named = _segment_table(graph, audience, nodes, membership, leaders)
    return AudienceSegments(
        table=check_frame(table, keys=("segment",)),
        members=check_frame(members),
        by=by,
        modularity=modularity,
        leaders=named,
    )


def member_links(
    graph: SocialGraph,
    audience: np.ndarray,
    *,
    by: SegmentBy = "interconnections",
    max_shared: int = DEFAULT_MAX_SHARED,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The graph of the members that :func:`audience_segments` splits: each linked pair once
    as ``(first, second, weight)``, ``first < second`` numbering the members in node order
    (``np.flatnonzero(audience)``), ordered by ``(first, second)``."""
    audience = _checked_mask(graph, audience)
    nodes = np.flatnonzero(audience)
    local = np.full(graph.n_nodes, -1, dtype=np.int64)
    local[nodes] = np.arange(nodes.shape[0], dtype=np.int64)
    if by == "interconnections":
        return _interconnections(graph, audience, local)
    return _co_attention(graph, audience, local, max_shared)


def _interconnections(
    graph: SocialGraph, audience: np.ndarray, local: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges among members as local (first < second, weight) pairs, both directions summed."""
    targets = graph.edge_targets()
    inside = audience[graph.in_sources] & audience[targets]
    sources = local[graph.in_sources[inside]]
    ends = local[targets[inside]]
    first = np.minimum(sources, ends)
    second = np.maximum(sources, ends)
    return _merged(first, second, graph.in_weights[inside], int(audience.sum()))


def _co_attention(
    graph: SocialGraph, audience: np.ndarray, local: np.ndarray, max_shared: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Member pairs weighted by the accounts both pay attention to (Adamic-Adar)."""
    from_audience = _from_audience(graph, audience)
    members = local[graph.in_sources[from_audience]]
    targets = graph.edge_targets()[from_audience]  # grouped by target, members ascending
    if targets.shape[0] == 0:
        return _merged(targets, targets, np.zeros(0), 0)
    sizes = np.bincount(targets, minlength=graph.n_nodes).astype(np.int64)
    pairs = sizes * (sizes - 1) // 2
    cap = int(max_shared)
    # Lower the cap until the pairs fit: by the pair count of each group size.
    by_size = np.bincount(sizes, weights=pairs.astype(np.float64))
    cumulative = np.cumsum(by_size)
    if cumulative[min(cap, cumulative.shape[0] - 1)] > MAX_PAIRS:
        cap = int(np.searchsorted(cumulative, MAX_PAIRS, side="right")) - 1
    used = (sizes >= 2) & (sizes <= cap)
    entry_used = used[targets]
    group_sizes = sizes[used]
    starts = np.zeros(group_sizes.shape[0] + 1, dtype=np.int64)
    np.cumsum(group_sizes, out=starts[1:])
    weights = 1.0 / np.log(group_sizes.astype(np.float64))
    total = int(pairs[used].sum())
    first, second, weight = co_attention_pairs(
        starts, np.ascontiguousarray(members[entry_used]), weights, total
    )
    return _merged(first, second, weight, int(audience.sum()))


def _from_audience(graph: SocialGraph, audience: np.ndarray) -> np.ndarray:
    """Which in-edges are attention an audience member pays."""
    from_audience: np.ndarray = audience[graph.in_sources]
    paying = attention_edges(graph)
    return from_audience if paying is None else from_audience & paying


def _merged(
    first: np.ndarray, second: np.ndarray, weight: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs with repeats summed, ordered by (first, second)."""
    if first.shape[0] == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.float64)
    keys = first.astype(np.int64) * max(n, 1) + second.astype(np.int64)
    unique, inverse = np.unique(keys, return_inverse=True)
    summed = np.bincount(inverse.reshape(-1), weights=weight, minlength=unique.shape[0])
    positive = summed > 0
    unique, summed = unique[positive], summed[positive]
    return unique // max(n, 1), unique % max(n, 1), summed


def _leiden_segments(
    n: int, first: np.ndarray, second: np.ndarray, weight: np.ndarray, seed: int, resolution: float
) -> tuple[np.ndarray, float]:
    """Segment of each member (:data:`UNCONNECTED` for members without links) and the
    modularity of the split."""
    membership = np.full(n, UNCONNECTED, dtype=np.int64)
    if first.shape[0] == 0:
        return membership, 0.0
    rows = np.concatenate([first, second])
    columns = np.concatenate([second, first])
    weights = np.concatenate([weight, weight])
    order = np.lexsort((columns, rows))
    rows, columns, weights = rows[order], columns[order], weights[order]
    linked = np.unique(rows)
    compact = np.full(n, -1, dtype=np.int64)
    compact[linked] = np.arange(linked.shape[0])
    indptr = np.zeros(linked.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(compact[rows], minlength=linked.shape[0]), out=indptr[1:])
    neighbors = compact[columns].astype(np.int32)
    # Modularity is scale-free: weights scaled to sum to 1 keep the kernel's products
    # moderate; pairs whose sum overflowed count as the largest, tiny ones stay positive.
    finite = np.minimum(weights, np.finfo(np.float64).max)
    tiny = np.finfo(np.float64).smallest_subnormal
    scaled = np.maximum(finite / finite.max(), tiny)
    scaled = np.maximum(scaled / scaled.sum(), tiny)
    labels, _ = leiden(
        indptr, neighbors, scaled, seed=int(seed), resolution=float(resolution),
        max_iterations=DEFAULT_LEIDEN_ITERATIONS,
    )  # fmt: skip
    segments, _ = canonical_membership(labels)
    membership[linked] = segments
    # Modularity (resolution 1) of the segments on the members' graph.
    strength = np.bincount(compact[rows], weights=scaled, minlength=linked.shape[0])
    same = segments[compact[rows]] == segments[compact[columns]]
    inside = float(scaled[same].sum())
    by_segment = np.bincount(segments, weights=strength)
    modularity = inside - float((by_segment**2).sum())
    return membership, modularity


def _segment_table(
    graph: SocialGraph,
    audience: np.ndarray,
    nodes: np.ndarray,
    membership: np.ndarray,
    leaders: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The segment table, and ``segment, leader`` in the table's order."""
    size = nodes.shape[0]
    members = pl.DataFrame({"node": nodes, "segment": membership})
    sizes = members.group_by("segment").agg(pl.len().cast(pl.Int64).alias("size"))
    sizes = sizes.with_columns((pl.col("size") / max(size, 1)).alias("share"))
    # Who each member pays attention to, by segment.
    segment_of = np.full(graph.n_nodes, UNCONNECTED - 1, dtype=np.int64)
    segment_of[nodes] = membership
    from_audience = _from_audience(graph, audience)
    attention = pl.DataFrame(
        {
            "segment": segment_of[graph.in_sources[from_audience]],
            "target": graph.edge_targets()[from_audience].astype(np.int64),
        }
    )
    counted = attention.group_by("segment", "target").agg(pl.len().alias("c"))
    overall = attention.group_by("target").agg(pl.len().alias("a"))
    counted = counted.join(overall, on="target").join(sizes.select("segment", "size"), on="segment")
    counted = counted.filter((pl.col("c") >= 2) | (pl.col("size") <= 2))
    counted = counted.with_columns(
        (pl.col("c").cast(pl.Float64) ** 2 / pl.col("a")).alias("score"),
        graph.ids_of(counted["target"].to_numpy()).alias("leader"),
    ).sort(["segment", "score", "c", "leader"], descending=[False, True, True, False])
    top = counted.group_by("segment", maintain_order=True).head(min(leaders, counted.height))
    labels = _labels(graph, top["leader"])
    top = top.join(labels, left_on="leader", right_on="id", how="left", maintain_order="left")
    named = top.group_by("segment", maintain_order=True).agg(
        pl.col("leader").str.join("; ").alias("leaders"),
        pl.col("label").str.join("; ").alias("leader_names"),
    )
    table = sizes.join(named, on="segment", how="left")
    table = table.join(_themes(graph, members, "title"), on="segment", how="left")
    table = table.join(_themes(graph, members, "topics"), on="segment", how="left")
    table = table.rename({"title": "dominant_titles", "topics": "dominant_topics"})
    # Segments by number, the unconnected members last.
    order = pl.when(pl.col("segment") == UNCONNECTED).then(1).otherwise(0)
    return table.sort(order, pl.col("segment")).select(SEGMENT_COLUMNS), top.select(
        "segment", "leader"
    )


def _labels(graph: SocialGraph, ids: pl.Series) -> pl.DataFrame:
    """``id, label``: name, else handle, else id."""
    table = with_account_text(pl.DataFrame({"id": ids.cast(pl.String)}).unique(), graph.accounts)
    named = pl.when(pl.col("name").str.strip_chars() != "").then(pl.col("name"))
    handled = pl.when(pl.col("handle").str.strip_chars() != "").then(pl.col("handle"))
    return table.select("id", pl.coalesce(named, handled, pl.col("id")).alias("label"))


def _themes(graph: SocialGraph, members: pl.DataFrame, column: str) -> pl.DataFrame:
    """``segment, <column>``: the commonest values among each segment's members."""
    accounts = graph.accounts
    if accounts is None or column not in accounts.columns:
        return pl.DataFrame(schema={"segment": pl.Int64, column: pl.String})
    values = accounts.select(pl.col("id").cast(pl.String), pl.col(column))
    if isinstance(values.schema[column], pl.List):
        values = values.explode(column)
    values = values.with_columns(pl.col(column).cast(pl.String).str.strip_chars())
    values = values.filter(pl.col(column).is_not_null() & (pl.col(column) != ""))
    ids = members.with_columns(graph.ids_of(members["node"].to_numpy()).alias("id"))
    joined = ids.join(values, on="id")
    counted = (
        joined.group_by("segment", column)
        .agg(pl.len().alias("n"))
        .sort(["segment", "n", column], descending=[False, True, False])
        .group_by("segment", maintain_order=True)
        .head(DEFAULT_THEMES)
    )
    return counted.group_by("segment", maintain_order=True).agg(
        pl.format("{} ({})", pl.col(column), pl.col("n")).str.join("; ").alias(column)
    )
