"""PageRank and personalized PageRank on a SocialGraph."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np

from graphkit.checks import check_scores
from graphkit.errors import ConvergenceError, ParameterError
from graphkit.graph.social import SocialGraph
from graphkit.io import rules
from graphkit.kernels import anderson
from graphkit.kernels.pagerank import (
    _pagerank_kernel,
    block_targets,
    largest_incoming_share,
    row_blocks,
)

DEFAULT_DAMPING = 0.85
# L1 change per iteration; tight enough that the top of the ranking equals the converged one.
DEFAULT_TOLERANCE = 1e-10
DEFAULT_MAX_ITER = 1000
PULL_LAYOUT_KEY = "pagerank_pull_layout"
# From this many edges the lumped phase shares the full layout's per-edge rows and blocks
# (saving 2 bytes an edge: 2.9 GB at 1.47B edges); below, it has blocks of its own, and its
# scores are those of a copied layout, bit for bit.
SHARED_ROWS_EDGES: Final = 1 << 28
LUMPED_LAYOUT_KEY = "pagerank_lumped_layout"
SOLVERS: Final = ("anderson", "power")
# Anderson mixing's memory: more columns cut iterations further on slowly mixing graphs but
# cost two vectors each per step (see benchmarks/results/solvers.md).
ANDERSON_MEMORY: Final = 5
# The accelerated phase stops at this fraction of the tolerance, so that the power steps that
# finish the run (the first recovers the dangling accounts' scores) meet the tolerance at once.
ANDERSON_TOLERANCE_SHARE: Final = 0.5
# With a progress callback the kernel runs in chunks of iterations, each continuing from the
# last one's scores (the same arithmetic in the same order: the same bits), sized to report
# about this often; the first chunk has this many iterations, and none fewer.
PROGRESS_SECONDS: Final = 0.25
PROGRESS_MIN_ITERATIONS: Final = 10


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
    start: np.ndarray | None = None,
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
    start
        Non-negative starting score per node (normalised here), e.g. the scores of an earlier
        run (a warm start): fewer iterations when it is near the answer, the same fixed point
        to the tolerance either way. ``None`` (or all zeros) starts from ``1 / n`` everywhere.

    Returns
    -------
    numpy.ndarray
        float64 scores indexed by node, summing to 1.

    Raises
    ------
    ParameterError
        For out-of-range parameters, or a personalization or start of the wrong shape, not
        finite or negative, or a personalization of all zeros.
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
        start=start,
    ).scores


def pagerank_run(
    graph: SocialGraph,
    *,
    damping: float = DEFAULT_DAMPING,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iter: int = DEFAULT_MAX_ITER,
    personalization: np.ndarray | None = None,
    start: np.ndarray | None = None,
    on_progress: Callable[[int, int | None, str], None] | None = None,
    solver: str = "anderson",
) -> PageRankResult:
    """:func:`pagerank` with the iteration count and final change. ``on_progress(done,
    total, detail)`` hears the iterations done, the iterations expected from the rate of
    convergence so far (``None`` before there is one) and the L1 change, a few times a
    second; the scores are the same bits with it as without.

    ``solver="anderson"`` (default) iterates over the accounts that pass attention on only
    (dangling accounts lumped) with Anderson mixing, then finishes with power steps;
    ``"power"`` runs power steps alone. Both stop by the same rule: the scores returned are
    one power step from the previous ones, with an L1 change below ``tolerance`` (see
    :mod:`graphkit.kernels.anderson`)."""
    rules.check_pagerank_parameters(damping, tolerance, max_iter)
    if solver not in SOLVERS:
        raise ParameterError(f"solver must be one of {', '.join(SOLVERS)}, got {solver!r}")
    n = graph.n_nodes
    if n == 0:
        return PageRankResult(np.zeros(0), 0, 0.0)
    uniform_teleport = personalization is None
    teleport = np.empty(0) if uniform_teleport else _teleport_vector(personalization, n)
    first = _start_vector(start, n)
    inverse_out = _inverse_out_weight(graph)
    if not np.isfinite(inverse_out).all():
        # An out-weight so small (1e-310) that its inverse overflows: rank on each edge's
        # share of its source's attention instead, which PageRank depends on alone.
        graph = graph.with_weights(graph.attention_shares(slice(None)))
        inverse_out = _inverse_out_weight(graph)
    indptr, sources, targets, blocks = _pull_layout(graph)

    def iterate(iterations: int, scores: np.ndarray | None) -> tuple[np.ndarray, int, float]:
        return _pagerank_kernel(  # type: ignore[no-any-return]
            indptr, sources, targets, graph.in_weights, inverse_out, teleport,
            uniform_teleport, float(damping), float(tolerance), iterations,
            graph.uniform_weights, blocks, np.empty(0) if scores is None else scores,
            scores is None,
        )  # fmt: skip

    mixed = 0
    if solver == "anderson" and first is not None:
        # A warm start may already be converged: one power step tells, as without mixing.
        stepped, mixed, change = iterate(1, first)
        if change < tolerance:
            if on_progress is not None:
                on_progress(mixed, mixed, f"change {change:.1e}")
            return _checked(stepped, mixed, change, tolerance)
        first = stepped
    # The mixed phase leaves the last iteration of the budget to a power step, so that a run
    # out of budget reports a power step's change (the mixed phase's is no power step's).
    if solver == "anderson" and mixed + 1 < max_iter and (inverse_out > 0.0).any():
        accelerate, rows = _anderson_phase(
            graph, inverse_out, teleport, first, float(damping), float(tolerance)
        )
        lumped, steps, change = _run(
            accelerate, None, int(max_iter) - mixed - 1, tolerance * ANDERSON_TOLERANCE_SHARE,
            on_progress, mixed, 1,
        )  # fmt: skip
        first = _full_start(graph, lumped, rows, inverse_out, teleport, float(damping))
        mixed += steps
    if mixed < max_iter:
        scores, iterations, change = _run(
            iterate, first, int(max_iter) - mixed, float(tolerance), on_progress, mixed
        )
    else:  # max_iter 1, spent on checking a warm start (``change`` is that step's)
        scores, iterations = stepped, 0
    iterations += mixed
    return _checked(scores, iterations, change, tolerance)


def _checked(
    scores: np.ndarray, iterations: int, change: float, tolerance: float
) -> PageRankResult:
    """The result, normalised, once it is certain to be finite and converged."""
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


Iterate = Callable[[int, np.ndarray | None], tuple[np.ndarray, int, float]]


def _run(
    iterate: Iterate,
    first: np.ndarray | None,
    max_iter: int,
    tolerance: float,
    on_progress: Callable[[int, int | None, str], None] | None,
    done_before: int,
    done_after: int = 0,
) -> tuple[np.ndarray, int, float]:
    """``iterate(max_iter, first)``, in chunks that report progress when asked to (expecting
    ``done_after`` more iterations after these: the mixed phase's power steps)."""
    if on_progress is None:
        return iterate(max_iter, first)
    return _iterate_reporting(
        iterate, first, max_iter, tolerance, on_progress, done_before, done_after
    )


def _anderson_phase(
    graph: SocialGraph,
    inverse_out: np.ndarray,
    teleport: np.ndarray,
    first: np.ndarray | None,
    damping: float,
    tolerance: float,
) -> tuple[Iterate, np.ndarray]:
    """The accelerated phase as an ``iterate`` function, and the rows it scores: each call
    continues the same run (its state held here) and returns those rows' scores (see
    :func:`_full_start` for every account's)."""
    n = graph.n_nodes
    rows, indptr, sources, targets, blocks, edge_of = _lumped_layout(graph)
    size = rows.shape[0]
    weights = graph.in_weights if graph.uniform_weights else graph.in_weights[edge_of]
    uniform_teleport = teleport.shape[0] == 0
    row_teleport = np.empty(0) if uniform_teleport else teleport[rows]
    row_inverse = np.ascontiguousarray(inverse_out[rows])
    scores = np.full(size, 1.0 / n) if first is None else first[rows]
    memory = ANDERSON_MEMORY
    state = (
        scores,
        scores * row_inverse,
        np.zeros(size),
        np.zeros(size),
        np.zeros((memory, size)),
        np.zeros((memory, size)),
        np.zeros((memory, memory)),
        np.zeros(anderson.COUNT_SLOTS, dtype=np.int64),
        np.array([float(scores[row_inverse > 0.0].sum()), np.inf, np.inf]),
    )

    def iterate(iterations: int, _: np.ndarray | None) -> tuple[np.ndarray, int, float]:
        steps, change = anderson._anderson_kernel(
            indptr, sources, targets, weights, row_inverse, row_teleport, uniform_teleport,
            1.0 / n, damping, tolerance * ANDERSON_TOLERANCE_SHARE, iterations,
            graph.uniform_weights, blocks, *state,
        )  # fmt: skip
        return scores, steps, change

    return iterate, rows


def _full_start(
    graph: SocialGraph,
    lumped: np.ndarray,
    rows: np.ndarray,
    inverse_out: np.ndarray,
    teleport: np.ndarray,
    damping: float,
) -> np.ndarray:
    """Every account's score from the lumped scores: the dangling accounts get what a power
    step gives them (so that the power steps that follow find the run converged)."""
    n = graph.n_nodes
    full = np.zeros(n)
    full[rows] = np.maximum(lumped, 0.0)
    dangling = np.ones(n, dtype=np.bool_)
    dangling[rows] = False
    dangling_rows = np.flatnonzero(dangling)
    if dangling_rows.shape[0]:
        spread = 1.0 - damping * float(full[inverse_out > 0.0].sum())
        anderson._dangling_scores_kernel(
            graph.in_indptr, graph.in_sources, graph.in_weights, graph.uniform_weights,
            full * inverse_out, dangling_rows, teleport, teleport.shape[0] == 0, 1.0 / n,
            damping, spread, full,
        )  # fmt: skip
        np.maximum(full, 0.0, out=full)
    full /= full.sum()
    return full


def _lumped_layout(
    graph: SocialGraph,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | slice]:
    """The in-edges of the accounts that pass attention on, renumbered among themselves
    (every edge starts at one of them): rows, indptr, sources, block targets, blocks and
    each edge's index in the full arrays (a slice when they are a prefix of them). Made once
    per graph and shared by reweighted copies while no account outside it passes attention
    on (a bootstrap replicate's zero weights leave accounts of it with none: the kernel treats
    those as dangling)."""
    layout = graph._cache.get(LUMPED_LAYOUT_KEY)
    if isinstance(layout, tuple):
        outside = np.ones(graph.n_nodes, dtype=np.bool_)
        outside[layout[0]] = False
        if (graph.out_weight[outside] > 0.0).any():
            layout = None
    if not isinstance(layout, tuple):
        rows = np.flatnonzero(graph.out_weight > 0.0)
        layout = _prefix_layout(graph, rows)
    if not isinstance(layout, tuple):
        position = np.full(graph.n_nodes, -1, dtype=np.int64)
        position[rows] = np.arange(rows.shape[0])
        degree = anderson._lumped_degree_kernel(graph.in_indptr, graph.in_sources, rows, position)
        indptr = np.zeros(rows.shape[0] + 1, dtype=np.int64)
        np.cumsum(degree, out=indptr[1:])
        sources = np.empty(int(indptr[-1]), dtype=np.uint32)
        edge_of = np.empty(int(indptr[-1]), dtype=np.int64)
        anderson._lumped_rows_kernel(
            graph.in_indptr, graph.in_sources, rows, position, indptr, sources, edge_of
        )
        blocks = row_blocks(indptr)
        layout = (
            rows,
            indptr.view(np.uint64),
            sources,
            block_targets(indptr, blocks),
            blocks,
            edge_of,
        )
        graph._cache[LUMPED_LAYOUT_KEY] = layout
    return layout


def _prefix_layout(
    graph: SocialGraph, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, slice] | None:
    """The lumped layout as views of the full one, when the accounts that pass attention on
    are the first ones and receive edges from no other account (what numbering by out-degree
    gives unless some edges weigh nothing): each lumped edge is then the full edge of the
    same index, and no second copy of the edges is made. ``None`` otherwise."""
    size = rows.shape[0]
    if size == 0 or int(rows[-1]) != size - 1:
        return None
    starts, ends = graph.in_indptr[:size], graph.in_indptr[1 : size + 1]
    last_sources = graph.in_sources[ends[ends > starts] - 1]  # rows hold sources ascending
    if last_sources.shape[0] and int(last_sources.max()) >= size:
        return None
    indptr, sources, targets, blocks = _pull_layout(graph)
    end = int(graph.in_indptr[size])
    lumped_indptr = indptr[: size + 1]
    if end < SHARED_ROWS_EDGES:
        # Blocks of the lumped rows' own, as in a copied layout: the same sums, bit for bit.
        lumped_blocks = row_blocks(graph.in_indptr[: size + 1])
        lumped_targets = block_targets(graph.in_indptr[: size + 1], lumped_blocks)
    else:
        # The full layout's blocks up to the last lumped row: the same row of each edge within
        # its block, so the full layout's per-edge rows serve both (2 bytes an edge less; the
        # blocks' partial sums add up in another order, which moves the last bits).
        lumped_blocks = np.append(blocks[blocks < size], np.uint64(size))
        lumped_targets = targets[:end]
    return rows, lumped_indptr, sources[:end], lumped_targets, lumped_blocks, slice(0, end)


def _iterate_reporting(
    iterate: Iterate,
    first: np.ndarray | None,
    max_iter: int,
    tolerance: float,
    on_progress: Callable[[int, int | None, str], None],
    done_before: int = 0,
    done_after: int = 0,
) -> tuple[np.ndarray, int, float]:
    """Run ``iterate(iterations, start)`` in chunks up to ``max_iter`` iterations in all,
    reporting after each (counting ``done_before`` iterations already run, and ``done_after``
    to run after these: a bar never shows done before the run is); the same result as one
    call (see :data:`PROGRESS_SECONDS`)."""
    scores = first
    done = 0
    chunk = PROGRESS_MIN_ITERATIONS
    previous: tuple[int, float] | None = None
    while True:
        began = time.perf_counter()
        asked = min(chunk, max_iter - done)
        scores, ran, change = iterate(asked, scores)
        done += ran
        if change < tolerance or done >= max_iter or ran < asked:  # stopped: converged
            break
        expected = _expected_iterations(previous, done, change, tolerance, max_iter)
        total = None if expected is None else done_before + expected + done_after
        on_progress(done_before + done, total, f"change {change:.1e}")
        previous = (done, change)
        elapsed = time.perf_counter() - began
        chunk = max(PROGRESS_MIN_ITERATIONS, int(ran * PROGRESS_SECONDS / max(elapsed, 1e-6)))
    on_progress(done_before + done, done_before + done + done_after, f"change {change:.1e}")
    return scores, done, change


def _expected_iterations(
    previous: tuple[int, float] | None, done: int, change: float, tolerance: float, limit: int
) -> int | None:
    """Iterations to reach ``tolerance`` if the change keeps shrinking at the rate it shrank
    since ``previous`` (iterations, change); ``None`` without a rate."""
    if previous is None or not 0.0 < change < previous[1]:
        return None
    rate = math.log(change / previous[1]) / (done - previous[0])  # < 0: log per iteration
    remaining = math.ceil(math.log(tolerance / change) / rate)
    return min(limit, done + max(1, remaining))


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


def _start_vector(start: np.ndarray | None, n: int) -> np.ndarray | None:
    """``start`` normalised to sum to 1, or ``None`` for the uniform start (also when all
    zeros: no information to start from)."""
    if start is None:
        return None
    values = np.asarray(start, dtype=np.float64)
    if values.shape != (n,):
        raise ParameterError(f"start must have one score per node ({n}), got {values.shape}")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ParameterError("start scores must be finite and >= 0")
    largest = values.max(initial=0.0)
    if largest == 0.0:
        return None
    values = values / largest  # scaled first, so that the sum cannot overflow
    return np.ascontiguousarray(values / values.sum())


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


# Unit roundoff of float64, doubled: every floating-point operation below errs by at most this.
_ROUNDING: Final = 2.0**-52


def score_error_bounds(
    graph: SocialGraph,
    result: PageRankResult,
    *,
    damping: float = DEFAULT_DAMPING,
    personalization: np.ndarray | None = None,
) -> np.ndarray:
    """A rigorous bound on each score's distance to the exact PageRank, from the solver's
    last L1 change.

    One power iteration is the map ``G(x) = d M x + (1 - d) p`` with ``M`` column-stochastic
    (column ``j`` holds ``j``'s attention shares, or the teleport vector ``p`` for a dangling
    ``j``). For two score vectors summing to 1, ``G(x) - G(y) = d M (x - y)``: each step
    shrinks the L1 distance by ``d`` at least, so from the last step ``x_k -> x_{k+1}`` of L1
    change ``r``, ``|x_k - x*|_1 <= r + d |x_k - x*|_1``, i.e. ``|x_k - x*|_1 <= r / (1 - d)``,
    and ``|x_{k+1} - x*|_1 <= d r / (1 - d)``. Per score, ``|x_{k+1, i} - x*_i| = d |(M (x_k -
    x*))_i| <= d m_i |x_k - x*|_1`` where ``m_i`` is the largest entry of row ``i`` of ``M``
    (the largest share of attention any account gives ``i``; ``p_i`` too when an account is
    dangling), which is at most 1: the bound is ``d m_i r / (1 - d)``, never more than the
    L1 bound and much less for accounts that receive many small shares.

    Floating point adds to that: summing ``k`` non-negative terms errs by at most ``k`` roundings
    of the total, so each computed score differs from ``G`` of the previous one by at most
    ``(in_degree_i + 3) * eps * x_i``; these errors (their L1 sum too) and that of the final
    normalisation are added, so the bound holds for the scores as returned.

    Parameters
    ----------
    graph
        The graph ranked.
    result
        What :func:`pagerank_run` returned for it.
    damping, personalization
        The settings of that run.

    Returns
    -------
    numpy.ndarray
        float64 bound per node: ``|result.scores[i] - exact[i]| <= bound[i]``.
    """
    n = graph.n_nodes
    scores = result.scores
    if n == 0:
        return np.zeros(0)
    degree = np.diff(graph.in_indptr).astype(np.float64)
    rounding = (degree + 3.0) * _ROUNDING * scores  # per score, in the last iteration
    total_rounding = float(rounding.sum()) * (1.0 + n * _ROUNDING)
    change = float(result.change) * (1.0 + (n + 1) * _ROUNDING) + total_rounding
    largest_share = _largest_incoming_share(graph)
    if (graph.out_weight == 0.0).any():
        teleport = _teleport_vector(personalization, n)
        np.maximum(largest_share, teleport, out=largest_share)
    distance = (change + total_rounding) / (1.0 - damping)  # |x_k - x*|_1, bounded
    l1_bound = damping * distance + total_rounding
    normalisation = scores * (l1_bound + n * _ROUNDING) * 1.01
    bound: np.ndarray = damping * largest_share * distance + rounding + normalisation
    return bound


def _largest_incoming_share(graph: SocialGraph) -> np.ndarray:
    """Per node, the largest share of its attention any account gives it (0 without in-edges)."""
    return largest_incoming_share(
        graph.in_indptr, graph.in_sources, graph.in_weights, graph.out_weight
    )


def certain_order(scores: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Which positions of a ranking are certain, given each score's error bound.

    ``scores`` and ``bounds`` are in ranking order (best first). Position ``k`` is certain
    when its score's lowest possible value exceeds the highest possible value of every score
    below it, and its highest possible value is below the lowest possible value of every
    score above it: whatever the exact scores, the account ranks exactly ``k``-th (within
    this list). Equal scores are never certain.

    Examples
    --------
    >>> certain_order(np.array([0.5, 0.3, 0.1, 0.1]), np.full(4, 0.01)).tolist()
    [True, True, False, False]
    """
    size = scores.shape[0]
    if size == 0:
        return np.zeros(0, dtype=np.bool_)
    low = scores - bounds
    high = scores + bounds
    # Highest possible score below each position, lowest possible above it.
    high_below = np.full(size, -np.inf)
    high_below[:-1] = np.maximum.accumulate(high[::-1])[::-1][1:]
    low_above = np.full(size, np.inf)
    low_above[1:] = np.minimum.accumulate(low)[:-1]
    certain: np.ndarray = (low > high_below) & (high < low_above)
    return certain


def certified_prefix(certain: np.ndarray) -> int:
    """How many leading positions of a ranking are certain (see :func:`certain_order`).

    >>> certified_prefix(np.array([True, True, False, True]))
    2
    """
    uncertain = np.flatnonzero(~np.asarray(certain, dtype=np.bool_))
    return int(uncertain[0]) if uncertain.shape[0] else int(np.asarray(certain).shape[0])
