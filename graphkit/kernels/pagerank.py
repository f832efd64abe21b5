"""Weighted PageRank by power iteration over in-edges (pull), deterministic across threads.

Reductions (dangling mass, L1 change) are summed per fixed-size block and then over blocks in
order, so the result does not depend on the number of threads.
"""

from __future__ import annotations

import numba
import numpy as np

from graphkit.config import PARALLEL_JIT_OPTIONS

_BLOCK = 4096


@numba.njit(**PARALLEL_JIT_OPTIONS)
def _pagerank_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    weights: np.ndarray,
    out_weight: np.ndarray,
    personalization: np.ndarray,
    damping: float,
    tolerance: float,
    max_iter: int,
    uniform_weights: bool,
) -> tuple[np.ndarray, int, float]:
    """Return (scores, iterations, last L1 change).

    ``weights[e]`` is the weight of in-edge ``e`` of its row; a node's out-weight normalises
    what it passes on. Nodes without out-weight (dangling) spread their score by
    ``personalization``, as does the teleport. Stops when the L1 change is below
    ``tolerance``; ``iterations == max_iter`` with a larger change means no convergence.
    With ``uniform_weights`` every edge weighs the same and ``weights`` is not read, which
    saves two thirds of the memory traffic per edge.
    """
    n = indptr.shape[0] - 1
    n_blocks = (n + _BLOCK - 1) // _BLOCK
    scores = np.full(n, 1.0 / n)
    updated = np.empty(n)
    scaled = np.empty(n)
    inverse_out = np.zeros(n)
    edge_weight = weights[0] if uniform_weights and weights.shape[0] > 0 else 1.0
    for node in range(n):
        if out_weight[node] > 0.0:
            inverse_out[node] = (edge_weight if uniform_weights else 1.0) / out_weight[node]
    block_sums = np.zeros(n_blocks)
    change = np.inf
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        for block in numba.prange(n_blocks):
            dangling = 0.0
            for node in range(block * _BLOCK, min(n, (block + 1) * _BLOCK)):
                scaled[node] = scores[node] * inverse_out[node]
                if out_weight[node] <= 0.0:
                    dangling += scores[node]
            block_sums[block] = dangling
        dangling_mass = 0.0
        for block in range(n_blocks):
            dangling_mass += block_sums[block]
        spread = damping * dangling_mass + (1.0 - damping)
        for block in numba.prange(n_blocks):
            block_change = 0.0
            for node in range(block * _BLOCK, min(n, (block + 1) * _BLOCK)):
                total = 0.0
                if uniform_weights:
                    for edge in range(indptr[node], indptr[node + 1]):
                        total += scaled[sources[edge]]
                else:
                    for edge in range(indptr[node], indptr[node + 1]):
                        total += weights[edge] * scaled[sources[edge]]
                value = damping * total + spread * personalization[node]
                block_change += abs(value - scores[node])
                updated[node] = value
            block_sums[block] = block_change
        change = 0.0
        for block in range(n_blocks):
            change += block_sums[block]
        scores, updated = updated, scores
        if change < tolerance:
            break
    return scores, iterations, change
