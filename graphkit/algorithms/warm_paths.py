"""Warm paths: for many target accounts at once, the strongest short paths of attention from
each target to a set of colleagues (an organization's people).

An edge ``u -> v`` means *u pays attention to v*, and influence flows against it: a colleague
``c`` reaches a target ``t`` when ``t`` pays attention to ``c``, directly or through
intermediaries, ``t -> x -> y -> c``. The strength of such a path is the influence weight of
:func:`graphkit.algorithms.paths.influence_paths`: the product of the normalised weights
``w(u, v) / out_weight(u)`` along it, the chance that a walk from the target following its
attention takes exactly that path. Paths

- have at most ``max_hops`` edges (3 by default) and never repeat an account;
- end at the first colleague they reach: no intermediary is a colleague (the path through
  a colleague to another is that first colleague's path);
- have a strength above 0 (edges of weight 0 carry no attention; a product that underflows
  to 0 is left out);
- are ordered by strength, then fewer hops, then the ids of their accounts from the first
  hop on, so results are the same on every run and thread count.

A target that is itself a colleague has no path.

Each account's lists are cut to their best paths before they are extended by another hop
(see :mod:`graphkit.kernels.warm_paths`). Multiplying keeps the order of strengths, so the
strengths listed are exactly the best; only where two strengths differ in their last bit
before a multiplication and round to the same number after it is the path kept the one
that was stronger before, rather than the one first by ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow.compute as pc

from graphkit.errors import ParameterError
from graphkit.graph.social import SocialGraph
from graphkit.io.schema import integer_array
from graphkit.kernels.warm_paths import _warm_paths_search_kernel, _warm_paths_setup_kernel

DEFAULT_PER_TARGET: Final = 3
DEFAULT_MAX_HOPS: Final = 3
MAX_HOPS: Final = 3
MAX_PER_TARGET: Final = 20
"""Most paths per target: lists of twice as many paths (21 bytes a path) are kept for every
target and every account a target pays attention to."""


@dataclass(frozen=True)
class WarmPaths:
    """The best paths of each target, one row per path, by target then path rank.

    Attributes
    ----------
    targets
        int64 target of each path.
    ranks
        int64 rank of the path among its target's (1 = strongest).
    strengths
        float64 product of the normalised weights along the path, in (0, 1].
    hops
        int64 edges of the path (1 to ``max_hops``).
    nodes
        int64 ``(paths, max_hops + 1)``: the target, its intermediaries, then the colleague;
        -1 beyond the path's end.
    """

    targets: np.ndarray
    ranks: np.ndarray
    strengths: np.ndarray
    hops: np.ndarray
    nodes: np.ndarray

    @property
    def colleagues(self) -> np.ndarray:
        """int64 colleague each path ends at."""
        ends: np.ndarray = self.nodes[np.arange(self.nodes.shape[0]), self.hops]
        return ends


def id_ranks(graph: SocialGraph, nodes: np.ndarray, ranks: np.ndarray) -> None:
    """Set ``ranks[nodes]`` to the positions of the nodes' ids among theirs sorted (by code
    point): ranks of nodes ranked together are comparable, those of others are not."""
    order = np.asarray(pc.sort_indices(graph.ids.take(integer_array(nodes))), dtype=np.int64)
    ranks[nodes[order]] = np.arange(nodes.shape[0], dtype=np.int64)


def warm_paths(
    graph: SocialGraph,
    colleagues: np.ndarray,
    targets: np.ndarray,
    *,
    per_target: int = DEFAULT_PER_TARGET,
    max_hops: int = DEFAULT_MAX_HOPS,
) -> WarmPaths:
    """The ``per_target`` strongest paths of at most ``max_hops`` hops from each target to
    the colleagues (see the module's description for the rules).

    Parameters
    ----------
    graph
        The influence graph; paths follow its edges (``u -> v``: u pays attention to v).
    colleagues
        Nodes of the organization's people: where paths end.
    targets
        Nodes the paths start from (repeats are searched once).
    per_target
        Most paths kept per target, 1 to :data:`MAX_PER_TARGET`.
    max_hops
        Longest path, 1 to 3 edges.

    Returns
    -------
    WarmPaths
        Targets in ascending node order; targets without a path have no row.

    Raises
    ------
    ParameterError
        When a node is out of range, or ``per_target`` or ``max_hops`` is.

    Examples
    --------
    ``buyer`` gives 3 parts of its attention to ``analyst`` and 1 to ``maya``; the analyst
    pays all its attention to ``maya``.

    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["buyer", "buyer", "analyst"],
    ...                     "followed": ["analyst", "maya", "maya"], "weight": [3.0, 1.0, 1.0]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> maya, buyer = graph.index_of(["maya", "buyer"])
    >>> found = warm_paths(graph, np.array([maya]), np.array([buyer]))
    >>> [[str(graph.ids[i]) for i in row if i >= 0] for row in found.nodes], found.strengths
    ([['buyer', 'analyst', 'maya'], ['buyer', 'maya']], array([0.75, 0.25]))
    """
    per_target, max_hops = check_limits(per_target, max_hops)
    colleague_nodes = _nodes(graph, colleagues, "colleague")
    target_nodes = np.unique(_nodes(graph, targets, "target"))
    is_colleague = np.zeros(graph.n_nodes, dtype=np.bool_)
    is_colleague[colleague_nodes] = True
    colleague_nodes = np.unique(colleague_nodes)
    # Paths are compared by ids only at the same step, so ids are ranked among the accounts
    # that can stand there: the colleagues first (one-hop lists), then everyone in a list.
    rank = np.zeros(graph.n_nodes, dtype=np.int64)
    id_ranks(graph, colleague_nodes, rank)
    setup = _warm_paths_setup_kernel(
        graph.in_indptr,
        graph.in_sources,
        graph.in_weights,
        graph.out_weight,
        colleague_nodes,
        is_colleague,
        target_nodes,
        rank,
        per_target,
        max_hops,
    )
    first_row, first_strengths, _, first_nodes, first_counts = setup[:5]
    needed, needed_row, out_indptr, out_targets, out_shares = setup[5:]
    listed = np.union1d(np.union1d(colleague_nodes, np.flatnonzero(first_row >= 0)), needed)
    id_ranks(graph, listed, rank)
    strengths, hops, nodes, counts = _warm_paths_search_kernel(
        first_row,
        first_strengths,
        first_nodes,
        first_counts,
        needed,
        needed_row,
        out_indptr,
        out_targets,
        out_shares,
        target_nodes,
        is_colleague,
        rank,
        per_target,
        max_hops,
    )
    kept = np.arange(per_target)[None, :] < counts[:, None]
    rows, positions = np.nonzero(kept)
    path_nodes = np.full((rows.shape[0], max_hops + 1), -1, dtype=np.int64)
    path_nodes[:, 0] = target_nodes[rows]
    path_nodes[:, 1:] = nodes[rows, positions, :max_hops]
    return WarmPaths(
        targets=target_nodes[rows],
        ranks=positions.astype(np.int64) + 1,
        strengths=strengths[rows, positions],
        hops=hops[rows, positions].astype(np.int64),
        nodes=path_nodes,
    )


def check_limits(per_target: int, max_hops: int) -> tuple[int, int]:
    """``per_target`` and ``max_hops`` as ints (numpy integers accepted).

    Raises
    ------
    ParameterError
        Unless both are whole numbers in range.
    """
    for name, value, most in (
        ("max_hops", max_hops, MAX_HOPS),
        ("per_target", per_target, MAX_PER_TARGET),
    ):
        if (
            isinstance(value, bool | np.bool_)
            or not isinstance(value, int | np.integer)
            or not 1 <= value <= most
        ):
            raise ParameterError(f"{name} must be 1 to {most}, got {value!r}")
    return int(per_target), int(max_hops)


def _nodes(graph: SocialGraph, values: np.ndarray, what: str) -> np.ndarray:
    nodes = np.asarray(values)
    if nodes.ndim != 1 or (nodes.size and not np.issubdtype(nodes.dtype, np.integer)):
        raise ParameterError(f"{what} nodes must be a 1-d array of node numbers")
    nodes = nodes.astype(np.int64)
    outside = (nodes < 0) | (nodes >= graph.n_nodes)
    if outside.any():
        raise ParameterError(
            f"{what} node {int(nodes[outside][0])} is outside 0..{graph.n_nodes - 1}"
        )
    return nodes
