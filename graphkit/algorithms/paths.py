"""Where an account's influence comes from: one-step PageRank contributions and influence paths.

PageRank passes a node's score along its edges in proportion to their weight: ``u`` hands
``v`` the share ``w(u, v) / out_weight(u)`` of its attention. That share is the *normalised*
weight of the edge; the influence weight of a path ``u -> ... -> v`` is the product of the
normalised weights along it, the probability that a random walk from ``u`` that never
teleports takes exactly that path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graphkit.algorithms.pagerank import DEFAULT_DAMPING
from graphkit.errors import ParameterError
from graphkit.graph.social import SocialGraph
from graphkit.kernels.reach import _reaching_kernel


@dataclass(frozen=True)
class Contributions:
    """What makes up one node's PageRank score.

    Attributes
    ----------
    sources
        int64 in-neighbours of the node (accounts paying attention to it).
    amounts
        float64 score each of them passes on: ``damping * score[u] * w(u, v) / out_weight[u]``.
    teleport
        Score received by teleporting and from dangling nodes: ``(damping * dangling mass +
        1 - damping) * p[v]`` for the personalization ``p``. At convergence
        ``amounts.sum() + teleport`` equals the node's score.
    """

    sources: np.ndarray
    amounts: np.ndarray
    teleport: float


@dataclass(frozen=True)
class InfluencePath:
    """One path of attention from a source account to a target account.

    Attributes
    ----------
    nodes
        int64 nodes from the source to the target.
    influence
        Product of the normalised weights ``w(u, v) / out_weight[u]`` of its edges, in (0, 1].
    """

    nodes: np.ndarray
    influence: float

    @property
    def hops(self) -> int:
        """Number of edges."""
        return int(self.nodes.shape[0] - 1)


def pagerank_contributions(
    graph: SocialGraph,
    node: int,
    scores: np.ndarray,
    *,
    damping: float = DEFAULT_DAMPING,
    personalization: np.ndarray | None = None,
) -> Contributions:
    """Split a node's PageRank into what each in-neighbour passes on and the teleport share.

    Parameters
    ----------
    graph
        The influence graph.
    node
        The node explained.
    scores
        PageRank of every node, computed with the same ``damping`` and ``personalization``.
    damping
        The damping factor the scores were computed with.
    personalization
        The teleport weights the scores were computed with (``None``: uniform).

    Returns
    -------
    Contributions

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.algorithms.pagerank import pagerank
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "b", "c"], "followed": ["c", "c", "a"]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> scores = pagerank(graph)
    >>> c = int(graph.index_of(["c"])[0])
    >>> parts = pagerank_contributions(graph, c, scores)
    >>> sorted(str(graph.ids[i]) for i in parts.sources)
    ['a', 'b']
    >>> abs(float(parts.amounts.sum() + parts.teleport - scores[c])) < 1e-9  # converged to 1e-10
    True
    """
    if not 0 <= node < graph.n_nodes:
        raise ParameterError(f"node {node} is outside 0..{graph.n_nodes - 1}")
    if scores.shape != (graph.n_nodes,):
        raise ParameterError(f"scores must have one value per node ({graph.n_nodes})")
    start, end = int(graph.in_indptr[node]), int(graph.in_indptr[node + 1])
    sources = graph.in_sources[start:end].astype(np.int64)
    amounts = damping * scores[sources] * graph.attention_shares(slice(start, end))
    if personalization is None:
        teleport_weight = 1.0 / graph.n_nodes
    else:
        teleport_weight = float(personalization[node] / personalization.sum())
    dangling_mass = float(scores[graph.out_weight <= 0].sum())
    teleport = (damping * dangling_mass + 1.0 - damping) * teleport_weight
    return Contributions(sources, amounts, teleport)


def influence_paths(
    graph: SocialGraph, source: int, target: int, *, k: int = 5
) -> list[InfluencePath]:
    """The ``k`` simple paths from ``source`` to ``target`` of the largest influence weight.

    The influence weight is the product of normalised edge weights along the path, so the
    best paths are the shortest ones under the cost ``-log(w(u, v) / out_weight[u])``; they
    are found by Yen's k-shortest simple paths (igraph) on the part of the graph that can
    reach ``target``.

    Parameters
    ----------
    graph
        The influence graph; paths follow its edges (``u -> v``: u pays attention to v).
    source, target
        Node numbers, e.g. a buyer and a brand.
    k
        Most paths returned.

    Returns
    -------
    list of InfluencePath
        Best first; empty when no path exists.

    Raises
    ------
    ParameterError
        When a node is out of range, ``source == target`` or ``k < 1``.

    Examples
    --------
    ``buyer`` splits its attention between ``analyst`` (3 parts) and ``brand`` (1 part); the
    analyst pays all its attention to the brand.

    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["buyer", "buyer", "analyst"],
    ...                     "followed": ["analyst", "brand", "brand"], "weight": [3.0, 1.0, 1.0]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> buyer, brand = graph.index_of(["buyer", "brand"]).tolist()
    >>> for path in influence_paths(graph, buyer, brand, k=3):
    ...     print([str(graph.ids[i]) for i in path.nodes], path.influence)
    ['buyer', 'analyst', 'brand'] 0.75
    ['buyer', 'brand'] 0.25
    """
    for name, value in (("source", source), ("target", target)):
        if not 0 <= value < graph.n_nodes:
            raise ParameterError(f"{name} node {value} is outside 0..{graph.n_nodes - 1}")
    if source == target:
        raise ParameterError("source and target are the same account")
    if k < 1:
        raise ParameterError(f"k must be at least 1, got {k}")
    reaching = _reaching_kernel(graph.in_indptr, graph.in_sources, int(target))
    if not reaching[source]:
        return []
    import igraph as ig

    targets = graph.edge_targets()
    keep = reaching[targets] & (graph.in_weights > 0)
    keep &= reaching[graph.in_sources]
    edge_sources = graph.in_sources[keep].astype(np.int64)
    edge_targets = targets[keep].astype(np.int64)
    share = graph.attention_shares(keep)
    nodes = np.flatnonzero(reaching)
    local = np.full(graph.n_nodes, -1, dtype=np.int64)
    local[nodes] = np.arange(nodes.shape[0])
    subgraph = ig.Graph(
        n=nodes.shape[0],
        edges=np.column_stack([local[edge_sources], local[edge_targets]]),
        directed=True,
    )
    # -log(w / out) from the logarithms: a share too small for a float (1e-324) still has a
    # finite cost, so its path is found (with an influence that rounds to 0).
    cost = np.maximum(np.log(graph.out_weight[edge_sources]) - np.log(graph.in_weights[keep]), 0.0)
    edge_paths = subgraph.get_k_shortest_paths(
        int(local[source]), int(local[target]), k=k, weights=cost.tolist(), output="epath"
    )
    paths = []
    for edges in edge_paths:
        if not edges:
            continue
        edges = np.asarray(edges, dtype=np.int64)
        path_nodes = np.concatenate([[edge_sources[edges[0]]], edge_targets[edges]])
        paths.append(
            (float(cost[edges].sum()), InfluencePath(path_nodes, float(np.prod(share[edges]))))
        )
    paths.sort(key=lambda pair: pair[0])  # stable: igraph's order among equal costs
    return [path for _, path in paths]
