"""Communities (niches) of the influence graph: Leiden, Louvain and label propagation.

Every method works on the weighted undirected projection of the influence graph: the weight
between ``u`` and ``v`` is ``w(u -> v) + w(v -> u)``, so mutual attention binds two accounts
twice as strongly as one-way attention. The projection is built once per graph (with the CSR
kernels, no Python loop over edges) and cached on the graph, so several seeds or methods on one
graph build it once; every method runs on its CSR arrays directly (numba kernels: no igraph
graph is built).

Every method is deterministic for a given seed and gives the same partition on any number of
threads: Leiden and Louvain (:mod:`graphkit.kernels.leiden`) visit the nodes in seeded orders,
label propagation (:mod:`graphkit.kernels.label_propagation`) likewise.

Every community is connected in the projection: Leiden's are by construction, and a label
propagation or Louvain community whose nodes are joined only through other communities is
split into its connected pieces (which never lowers modularity) before the modularity is
computed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Final, Literal

import numpy as np

from graphkit.errors import ParameterError
from graphkit.graph.social import SocialGraph
from graphkit.kernels.csr import symmetric_sum
from graphkit.kernels.label_propagation import connected_pieces, multilevel_label_propagation
from graphkit.kernels.leiden import community_weights, leiden

Method = Literal["leiden", "louvain", "label_propagation"]
METHODS: Final = ("leiden", "louvain", "label_propagation")
DEFAULT_LABEL_PROPAGATION_SWEEPS: Final = 100
# igraph's default: a third iteration rarely adds 0.2 % modularity and costs as much again.
DEFAULT_LEIDEN_ITERATIONS: Final = 2
# One multilevel pass, as igraph's community_multilevel.
DEFAULT_LOUVAIN_ITERATIONS: Final = 1
DEFAULT_STABILITY_SEEDS: Final = (0, 1, 2, 3, 4)
# max_iter that repeats Leiden / Louvain iterations, or label-propagation sweeps, until one
# changes nothing (igraph's n_iterations=-1).
UNTIL_STABLE: Final = -1

_PROJECTION_KEY: Final = "undirected_projection"
# The kernels multiply two strengths (each up to 2W): totals outside this range are scaled
# by a power of two first, or those products overflow to inf or underflow to 0.
_KERNEL_TOTAL_RANGE: Final = (2.0**-200, 2.0**200)


@dataclass(frozen=True)
class UndirectedProjection:
    """The weighted undirected projection as a symmetric CSR adjacency.

    Attributes
    ----------
    indptr
        int64, length ``n + 1``: the neighbours of ``u`` are ``indptr[u]:indptr[u + 1]``.
    neighbors
        int32 neighbour of each entry, ascending within a row; each edge appears in both rows.
    weights
        float64 ``w(u -> v) + w(v -> u)`` of each entry; pairs of weight 0 are left out.
    """

    indptr: np.ndarray
    neighbors: np.ndarray
    weights: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.indptr.shape[0] - 1)

    @property
    def total_weight(self) -> float:
        """Sum of the undirected edge weights (each edge counted once)."""
        return float(self.weights.sum()) / 2.0

    def strength(self) -> np.ndarray:
        """float64 weighted degree of each node."""
        return np.bincount(self.rows(), weights=self.weights, minlength=self.n_nodes).astype(
            np.float64
        )

    def rows(self) -> np.ndarray:
        """int32 row (first end) of each entry, aligned with ``neighbors``."""
        return np.repeat(np.arange(self.n_nodes, dtype=np.int32), np.diff(self.indptr))

    def pairs(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each undirected edge once, as ``(low end, high end, weight)`` arrays."""
        rows = self.rows()
        upper = self.neighbors > rows
        return rows[upper], self.neighbors[upper], self.weights[upper]


@dataclass(frozen=True)
class CommunityResult:
    """A partition of the nodes into communities, with its quality.

    Communities are numbered ``0 .. k-1`` by size (largest first), ties by their smallest node.

    Attributes
    ----------
    membership
        int64 community of each node.
    sizes
        int64 number of nodes of each community.
    contributions
        float64 modularity contribution of each community (resolution 1): the share of edge
        weight inside it minus the share expected at random; they sum to ``modularity``.
    modularity
        Newman's weighted modularity (resolution 1) on the undirected projection; NaN for a
        graph without edges.
    method, resolution, seed
        How the partition was found.
    """

    membership: np.ndarray
    sizes: np.ndarray
    contributions: np.ndarray
    modularity: float
    method: str
    resolution: float
    seed: int

    @property
    def n_communities(self) -> int:
        """Number of communities."""
        return int(self.sizes.shape[0])


def undirected_projection(graph: SocialGraph) -> UndirectedProjection:
    """The weighted undirected projection of ``graph`` (built once, then cached on it).

    Parameters
    ----------
    graph
        The influence graph.

    Returns
    -------
    UndirectedProjection
        Weight ``w(u -> v) + w(v -> u)`` between every pair joined by an edge either way.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "b", "a"], "followed": ["b", "a", "c"]})
    >>> projection = undirected_projection(build_graph(Dataset(follows=follows)))
    >>> projection.total_weight
    3.0
    >>> [array.tolist() for array in projection.pairs()]
    [[0, 0], [1, 2], [2.0, 1.0]]
    """
    cached = graph._cache.get(_PROJECTION_KEY)
    if isinstance(cached, UndirectedProjection):
        return cached
    n = graph.n_nodes
    # The in-edge matrix (row: target, columns: its sources, ascending) plus its transpose.
    # Equal weights travel as one number: a pair joined both ways gets twice it.
    weights: np.ndarray | float = (
        float(graph.in_weights[0]) if graph.uniform_weights and graph.n_edges else graph.in_weights
    )
    indptr, neighbors, merged = symmetric_sum(graph.in_indptr, graph.in_sources, weights)
    if (merged <= 0.0).any():
        keep = merged > 0.0
        counts = np.bincount(np.repeat(np.arange(n), np.diff(indptr))[keep], minlength=n).astype(
            np.int64
        )
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        neighbors, merged = neighbors[keep], merged[keep]
    projection = UndirectedProjection(indptr, neighbors, merged)
    graph._cache[_PROJECTION_KEY] = projection
    return projection


def communities(
    graph: SocialGraph,
    *,
    method: Method = "leiden",
    resolution: float = 1.0,
    seed: int = 0,
    max_iter: int | None = None,
    on_progress: Callable[[int, int | None, str], None] | None = None,
) -> CommunityResult:
    """Partition the accounts into communities that maximise weighted modularity.

    Parameters
    ----------
    graph
        The influence graph; communities are found on its weighted undirected projection.
    method
        ``leiden`` (Leiden for modularity: connected, well-connected communities),
        ``louvain`` (the same without Leiden's refinement), both
        :mod:`graphkit.kernels.leiden`, or ``label_propagation``: graphkit's parallel,
        multi-level label propagation for modularity, the fastest on large graphs (see
        :mod:`graphkit.kernels.label_propagation`).
    resolution
        Modularity resolution: above 1 gives more, smaller communities.
    seed
        Seed of the random choices; the same seed gives the same partition.
    max_iter
        Leiden iterations (``None``: 2, igraph's default; fewer if one changes nothing),
        Louvain passes (``None``: 1, as igraph's multilevel) or label-propagation sweeps per
        level (``None``: 100); :data:`UNTIL_STABLE` (-1) repeats them until one changes
        nothing. Each Leiden iteration starts from the last one's partition and never lowers
        its modularity.
    on_progress
        ``on_progress(levels, None, detail)`` after each level (the levels done and the
        communities the last one left).

    Returns
    -------
    CommunityResult
        Membership numbered by size, the modularity and each community's contribution.
        Every community is connected in the undirected projection (see the module's notes).

    Raises
    ------
    ParameterError
        For an unknown method or out-of-range parameters.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> pairs = [("a", "b"), ("b", "c"), ("c", "a"), ("x", "y"), ("y", "z"), ("z", "x"),
    ...          ("c", "x")]
    >>> follows = pa.table({"follower": [a for a, _ in pairs], "followed": [b for _, b in pairs]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> result = communities(graph, seed=1)
    >>> sorted(sorted(str(graph.ids[i]) for i in np.flatnonzero(result.membership == c))
    ...        for c in range(result.n_communities))
    [['a', 'b', 'c'], ['x', 'y', 'z']]
    >>> round(result.modularity, 4)
    0.3571
    >>> lpa = communities(graph, method="label_propagation")
    >>> bool((lpa.membership == result.membership).all())
    True
    """
    if method not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    if not (np.isfinite(resolution) and resolution > 0):
        raise ParameterError(f"resolution must be a positive number, got {resolution}")
    if not isinstance(seed, int | np.integer) or seed < 0:
        raise ParameterError(f"seed must be an integer >= 0, got {seed!r}")
    if max_iter is not None and (
        not isinstance(max_iter, int | np.integer) or (max_iter < 1 and max_iter != UNTIL_STABLE)
    ):
        raise ParameterError(
            f"max-iter must be at least 1, or {UNTIL_STABLE} to run until nothing changes, "
            f"got {max_iter}"
        )
    projection = undirected_projection(graph)
    weights = _kernel_weights(projection)
    if method == "label_propagation":
        sweeps = DEFAULT_LABEL_PROPAGATION_SWEEPS if max_iter is None else int(max_iter)
        raw = multilevel_label_propagation(
            projection.indptr,
            projection.neighbors,
            weights,
            seed=int(seed),
            resolution=float(resolution),
            # Propagation ends by itself once no label changes.
            max_sweeps=np.iinfo(np.int64).max if sweeps == UNTIL_STABLE else sweeps,
            on_progress=on_progress,
        )
    else:
        default = DEFAULT_LEIDEN_ITERATIONS if method == "leiden" else DEFAULT_LOUVAIN_ITERATIONS
        iterations = default if max_iter is None else int(max_iter)
        raw, _ = leiden(
            projection.indptr,
            projection.neighbors,
            weights,
            seed=int(seed),
            resolution=float(resolution),
            max_iterations=0 if iterations == UNTIL_STABLE else iterations,  # 0: until stable
            refine=method == "leiden",
            on_progress=on_progress,
        )
    # Label propagation and Louvain may leave a community in pieces (Leiden does not).
    pieces, _ = connected_pieces(projection.indptr, projection.neighbors, raw)
    membership, sizes = canonical_membership(pieces)
    contributions = _contributions(projection, membership, sizes.shape[0])
    return CommunityResult(
        membership=membership,
        sizes=sizes,
        contributions=contributions,
        modularity=float(contributions.sum()) if projection.total_weight > 0 else float("nan"),
        method=method,
        resolution=float(resolution),
        seed=int(seed),
    )


def _kernel_weights(projection: UndirectedProjection) -> np.ndarray:
    """The projection's weights, scaled by a power of two where the total is extreme.

    Modularity does not change when all weights are multiplied by one factor, and a power of
    two multiplies exactly, so the kernels find what they find at a moderate scale; weights
    that would fall below the smallest float stay positive (the kernels need that).
    """
    total = projection.total_weight
    low, high = _KERNEL_TOTAL_RANGE
    if total == 0 or low <= total <= high:
        return projection.weights
    _, exponent = np.frexp(total)
    scaled = np.ldexp(projection.weights, -int(exponent))
    return np.asarray(np.maximum(scaled, np.finfo(np.float64).smallest_subnormal))


def canonical_membership(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Renumber communities ``0 .. k-1`` by size (largest first), ties by smallest node.

    Parameters
    ----------
    labels
        Any integer label per node; equal labels mean the same community.

    Returns
    -------
    membership, sizes
        int64 community of each node and int64 size of each community.

    Examples
    --------
    >>> membership, sizes = canonical_membership(np.array([7, 3, 3, 9, 7, 7]))
    >>> membership.tolist(), sizes.tolist()
    ([0, 1, 1, 2, 0, 0], [3, 2, 1])
    """
    labels = np.asarray(labels)
    if labels.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    _, first, compact = np.unique(labels, return_index=True, return_inverse=True)
    compact = compact.reshape(-1)
    sizes = np.bincount(compact)
    order = np.lexsort((first, -sizes))
    renumber = np.empty(order.shape[0], dtype=np.int64)
    renumber[order] = np.arange(order.shape[0], dtype=np.int64)
    return renumber[compact], sizes[order].astype(np.int64)


def modularity(graph: SocialGraph, membership: np.ndarray, *, resolution: float = 1.0) -> float:
    """Weighted modularity of a partition on the undirected projection of ``graph``.

    ``Q = sum_c [W_c / W - resolution * (S_c / 2W)^2]`` with ``W`` the total undirected edge
    weight, ``W_c`` the weight inside community ``c`` and ``S_c`` the weighted degree of its
    nodes. NaN for a graph without edges.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "c"], "followed": ["b", "d"]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> pairs_together = np.zeros(graph.n_nodes, dtype=np.int64)
    >>> pairs_together[graph.index_of(["c", "d"])] = 1
    >>> modularity(graph, pairs_together)
    0.5
    >>> modularity(graph, np.zeros(graph.n_nodes, dtype=np.int64))
    0.0
    """
    projection = undirected_projection(graph)
    labels = np.asarray(membership)
    if labels.shape != (projection.n_nodes,):
        raise ParameterError(
            f"membership must have one community per node ({projection.n_nodes}), "
            f"got shape {labels.shape}"
        )
    if projection.total_weight <= 0:
        return float("nan")
    compact, sizes = canonical_membership(labels)
    return float(_contributions(projection, compact, sizes.shape[0], resolution).sum())


def _contributions(
    projection: UndirectedProjection,
    membership: np.ndarray,
    n_communities: int,
    resolution: float = 1.0,
) -> np.ndarray:
    total = projection.total_weight
    if total <= 0:
        return np.zeros(n_communities)
    # Both sums see each edge from both ends: 2 W_c and S_c.
    internal, strength = community_weights(
        projection.indptr,
        projection.neighbors,
        projection.weights,
        np.ascontiguousarray(membership, dtype=np.int64),
        n_communities,
    )
    return np.asarray(
        internal / (2.0 * total) - resolution * (strength / (2.0 * total)) ** 2, dtype=np.float64
    )


def stability(
    graph: SocialGraph,
    *,
    method: Method = "leiden",
    seeds: Sequence[int] = DEFAULT_STABILITY_SEEDS,
    resolution: float = 1.0,
    max_iter: int | None = None,
) -> float:
    """How little the partition depends on the seed: mean pairwise NMI over several seeds.

    Parameters
    ----------
    graph
        The influence graph.
    method, resolution, max_iter
        As for :func:`communities`.
    seeds
        At least two distinct seeds; one partition is found per seed.

    Returns
    -------
    float
        Mean :func:`normalized_mutual_information` over all pairs of partitions: 1 when every
        seed finds the same communities.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "b", "c", "x", "y"],
    ...                     "followed": ["b", "c", "a", "y", "x"]})
    >>> stability(build_graph(Dataset(follows=follows)), seeds=(0, 1, 2))
    1.0
    """
    if len(set(seeds)) < 2:
        raise ParameterError("stability needs at least two distinct seeds")
    partitions = [
        communities(graph, method=method, seed=seed, resolution=resolution, max_iter=max_iter)
        for seed in dict.fromkeys(seeds)
    ]
    scores = [
        normalized_mutual_information(first.membership, second.membership)
        for first, second in combinations(partitions, 2)
    ]
    return float(np.mean(scores))


def normalized_mutual_information(first: np.ndarray, second: np.ndarray) -> float:
    """Normalised mutual information of two partitions: ``2 I(X; Y) / (H(X) + H(Y))``.

    The arithmetic-mean normalisation of Danon et al. (as igraph and scikit-learn use); 1 for
    identical partitions up to renumbering, 0 for independent ones, and 1 when both put
    every node in one community.

    Examples
    --------
    >>> normalized_mutual_information(np.array([0, 0, 1, 1]), np.array([5, 5, 2, 2]))
    1.0
    >>> normalized_mutual_information(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    0.0
    """
    joint, rows, columns, n = _contingency(first, second)
    if n == 0:
        return 1.0
    entropy_first = _entropy(rows, n)
    entropy_second = _entropy(columns, n)
    if entropy_first + entropy_second == 0.0:
        return 1.0
    mutual = entropy_first + entropy_second - _entropy(joint, n)
    return float(min(1.0, max(0.0, 2.0 * mutual / (entropy_first + entropy_second))))


def adjusted_rand_index(first: np.ndarray, second: np.ndarray) -> float:
    """Adjusted Rand index of two partitions (Hubert & Arabie): 1 identical, ~0 at random.

    Examples
    --------
    >>> adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0]))
    1.0
    >>> round(adjusted_rand_index(np.array([0, 0, 1, 1]), np.array([0, 0, 0, 1])), 4)
    0.0
    """
    joint, rows, columns, n = _contingency(first, second)
    if n < 2:
        return 1.0
    pairs_joint = float((joint * (joint - 1)).sum()) / 2.0
    pairs_rows = float((rows * (rows - 1)).sum()) / 2.0
    pairs_columns = float((columns * (columns - 1)).sum()) / 2.0
    expected = pairs_rows * pairs_columns / (n * (n - 1) / 2.0)
    maximum = (pairs_rows + pairs_columns) / 2.0
    if maximum == expected:
        return 1.0
    return float((pairs_joint - expected) / (maximum - expected))


def _contingency(
    first: np.ndarray, second: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Non-zero cell counts of the contingency table, its row and column sums, and n."""
    first, second = np.asarray(first), np.asarray(second)
    if first.shape != second.shape or first.ndim != 1:
        raise ParameterError(
            f"partitions must be 1-d and of equal length, got {first.shape} and {second.shape}"
        )
    _, first_codes = np.unique(first, return_inverse=True)
    _, second_codes = np.unique(second, return_inverse=True)
    n_second = int(second_codes.max()) + 1 if second_codes.shape[0] else 1
    cells = first_codes.reshape(-1).astype(np.int64) * n_second + second_codes.reshape(-1)
    _, joint = np.unique(cells, return_counts=True)
    rows = np.bincount(first_codes.reshape(-1)).astype(np.float64)
    columns = np.bincount(second_codes.reshape(-1)).astype(np.float64)
    return joint.astype(np.float64), rows, columns, int(first.shape[0])


def _entropy(counts: np.ndarray, n: int) -> float:
    share = counts[counts > 0] / n
    return float(-(share * np.log(share)).sum())
