"""PageRank and personalized PageRank on a SocialGraph."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from graphkit.checks import check_scores
from graphkit.errors import ConvergenceError, ParameterError
from graphkit.graph.social import SocialGraph
from graphkit.io import rules
from graphkit.kernels.pagerank import _pagerank_kernel, block_targets, row_blocks

DEFAULT_DAMPING = 0.85
# L1 change per iteration; tight enough that the top of the ranking equals the converged one.
DEFAULT_TOLERANCE = 1e-10
DEFAULT_MAX_ITER = 1000
PULL_LAYOUT_KEY = "pagerank_pull_layout"


@dataclass(frozen=True)
class PageRankResult:
    """Scores with how they were reached.

    Attributes
    ----------
    scores
        float64 score of each node, summing to 1.
    iterations
        Power iterations run.
    change
        L1 change of the last iteration.
    """

    scores: np.ndarray
    iterations: int
    change: float


def pagerank(
    graph: SocialGraph,
    *,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    personalization: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted PageRank of every node: who receives attention, directly and indirectly.

    Parameters
    ----------
    graph
        The influence graph; rank flows against its edges, to the accounts paid attention to.
    damping
        Probability of following an edge rather than teleporting, in [0, 1).
    tolerance
        Stop when the L1 change between iterations falls below this.
    max_iter
        Most iterations before :class:`ConvergenceError`.
    personalization
        Non-negative teleport weight per node (normalised here); also receives the score of
        dangling nodes. ``None`` means uniform.

    Returns
    -------
    numpy.ndarray
        float64 scores indexed by node, summing to 1.

    Raises
    ------
    ParameterError
        For out-of-range parameters or a personalization of the wrong shape or all zeros.
    ConvergenceError
        When ``tolerance`` is not reached within ``max_iter`` iterations.

    Examples
    --------
    >>> import pyarrow as pa
    >>> from graphkit.graph import build_graph
    >>> from graphkit.io import Dataset
    >>> follows = pa.table({"follower": ["a", "b", "c"], "followed": ["c", "c", "a"]})
    >>> graph = build_graph(Dataset(follows=follows))
    >>> scores = pagerank(graph)
    >>> [str(graph.ids[i]) for i in scores.argsort()[::-1]]
    ['c', 'a', 'b']
    >>> round(float(scores.sum()), 12)
    1.0
    """
    return pagerank_run(
        graph,
        damping=damping,
        tolerance=tolerance,
        max_iter=max_iter,
        personalization=personalization,
    ).scores


def pagerank_run(
    graph: SocialGraph,
    *,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    personalization: np.ndarray | None = None,
) -> PageRankResult:
    """:func:`pagerank` with the iteration count and final change."""
    rules.check_pagerank_parameters(damping, tolerance, max_iter)
    n = graph.n_nodes
    if n == 0:
        return PageRankResult(np.zeros(0), 0, 0.0)
    uniform_teleport = personalization is None
    teleport = np.empty(0) if uniform_teleport else _teleport_vector(personalization, n)
    inverse_out = _inverse_out_weight(graph)
    if not np.isfinite(inverse_out).all():
        # An out-weight so small (1e-310) that its inverse overflows: rank on each edge's
        # share of its source's attention instead, which PageRank depends on alone.
        graph = graph.with_weights(graph.attention_shares(slice(None)))
        inverse_out = _inverse_out_weight(graph)
    indptr, sources, targets, blocks = _pull_layout(graph)
    scores, iterations, change = _pagerank_kernel(
        indptr,
        sources,
        targets,
        graph.in_weights,
        inverse_out,
        teleport,
        uniform_teleport,
        float(damping),
        float(tolerance),
        int(max_iter),
        graph.uniform_weights,
        blocks,
    )
    if not np.isfinite(change) or not np.isfinite(scores).all():
        # A NaN change compares false against any tolerance: it must never pass as converged.
        raise ConvergenceError(
            f"PageRank produced non-finite scores after {iterations} iterations (edge weights "
            "too large or too small to combine in floating point?); rescale the weight column"
        )
    if not change < tolerance:
        raise ConvergenceError(rules.not_converged(iterations, change, tolerance))
    scores /= scores.sum()
    check_scores(scores)
    return PageRankResult(scores, int(iterations), float(change))


def _pull_layout(graph: SocialGraph) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The in-edge arrays as the kernel reads them (unsigned views, each edge's row within its
    block, the row blocks), made once per graph and shared by its reweighted copies."""
    layout = graph._cache.get(PULL_LAYOUT_KEY)
    if not isinstance(layout, tuple):
        blocks = row_blocks(graph.in_indptr)
        layout = (
            graph.in_indptr.view(np.uint64),
            graph.in_sources.view(np.uint32),
            block_targets(graph.in_indptr, blocks),
            blocks,
        )
        graph._cache[PULL_LAYOUT_KEY] = layout
    return layout


def _inverse_out_weight(graph: SocialGraph) -> np.ndarray:
    """What one unit of score passes along one unit of edge weight; 0 for dangling nodes.

    With uniform weights the kernel reads no weights, so the common weight is folded in here.
    """
    out_weight = graph.out_weight
    scale = graph.in_weights[0] if graph.uniform_weights and graph.n_edges else 1.0
    inverse = np.zeros(out_weight.shape[0])
    with np.errstate(over="ignore"):  # the caller handles an inverse that overflows
        np.divide(scale, out_weight, out=inverse, where=out_weight > 0.0)
    return inverse


def _teleport_vector(personalization: np.ndarray | None, n: int) -> np.ndarray:
    if personalization is None:
        return np.full(n, 1.0 / n)
    weights = np.asarray(personalization, dtype=np.float64)
    if weights.shape != (n,):
        raise ParameterError(
            f"personalization must have one weight per node ({n}), got {weights.shape}"
        )
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ParameterError(rules.PERSONALIZATION_RANGE)
    total = weights.sum()
    if total <= 0:
        raise ParameterError(rules.PERSONALIZATION_EMPTY)
    return np.ascontiguousarray(weights / total)
