"""Weighted PageRank by power iteration over in-edges (pull), deterministic across threads.

Each iteration is one parallel pass over fixed blocks of rows, balanced by edges. Within a block
the in-edges are summed as one flat run over the edge array, restarting at each new target
(``targets[e]``, the row of edge ``e`` counted from its block's first row, in 16 bits), in two
independent halves: no loop per row, so short rows cost no branch
mispredictions, and two chains of additions keep the gathers overlapping. The same pass updates
the scores, the L1 change and the dangling mass of its block. Reductions are summed per block
and then over blocks in order, so the result does not depend on the number of threads.
"""

from __future__ import annotations

import itertools
from typing import Final

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel

# Work (edges + rows) per block: enough to amortise the scheduling, small enough that the
# block's rows stay in cache between the edge run and the row updates.
BLOCK_WORK: Final = 1 << 16
# Rows of a block are numbered in 16 bits; 0xFFFF marks "no row yet".
MAX_BLOCK_ROWS: Final = 0xFFFF
_NO_TARGET = np.uint16(0xFFFF)


def row_blocks(indptr: np.ndarray, work: int = BLOCK_WORK) -> np.ndarray:
    """Row boundaries of blocks of about ``work`` edges plus rows each, and of at most
    :data:`MAX_BLOCK_ROWS` rows (uint64, ascending)."""
    n_rows = indptr.shape[0] - 1
    cost = indptr + np.arange(n_rows + 1, dtype=np.int64)
    n_blocks = max(1, -(-int(cost[-1]) // work))
    cuts = np.searchsorted(cost, np.arange(1, n_blocks, dtype=np.int64) * (cost[-1] / n_blocks))
    bounds = np.unique(np.concatenate([[0], cuts, [n_rows]]).astype(np.int64))
    sizes = np.diff(bounds)
    if sizes.shape[0] and sizes.max() > MAX_BLOCK_ROWS:
        pieces = [
            np.arange(start, stop, MAX_BLOCK_ROWS) for start, stop in itertools.pairwise(bounds)
        ]
        bounds = np.concatenate([*pieces, [n_rows]])
    return bounds.astype(np.uint64)


@parallel_kernel
def _block_targets_kernel(indptr: np.ndarray, blocks: np.ndarray, targets: np.ndarray) -> None:
    for block in numba.prange(blocks.shape[0] - 1):
        first_row = blocks[block]
        for row in range(first_row, blocks[block + 1]):
            for edge in range(indptr[row], indptr[row + 1]):
                targets[edge] = row - first_row


def block_targets(indptr: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """uint16 row of each edge, counted from the first row of its block."""
    targets = np.empty(int(indptr[-1]), dtype=np.uint16)
    _block_targets_kernel(indptr.view(np.uint64), blocks, targets)
    return targets


@numba.njit(inline="always", **JIT_OPTIONS)
def _block_sums(
    indptr: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    scaled: np.ndarray,
    totals: np.ndarray,
    first_row: np.uint64,
    end_row: np.uint64,
    uniform_weights: bool,
) -> None:
    """``totals[v]`` = sum over the in-edges ``e`` of each row ``v`` of the block with any edge
    of ``weights[e] * scaled[sources[e]]`` (``weights`` unread when uniform)."""
    middle = (first_row + end_row) // np.uint64(2)
    begin = indptr[first_row]
    split = indptr[middle]
    end = indptr[end_row]
    common = min(split - begin, end - split)
    running_a = 0.0
    running_b = 0.0
    target_a = _NO_TARGET
    target_b = _NO_TARGET
    for step in range(common):
        edge_a = begin + step
        edge_b = split + step
        row_a = targets[edge_a]
        row_b = targets[edge_b]
        value_a = scaled[sources[edge_a]]
        value_b = scaled[sources[edge_b]]
        if not uniform_weights:
            value_a *= weights[edge_a]
            value_b *= weights[edge_b]
        running_a = value_a + (running_a if row_a == target_a else 0.0)
        running_b = value_b + (running_b if row_b == target_b else 0.0)
        totals[first_row + row_a] = running_a
        totals[first_row + row_b] = running_b
        target_a = row_a
        target_b = row_b
    for edge in range(begin + common, split):
        row = targets[edge]
        value = scaled[sources[edge]] * (1.0 if uniform_weights else weights[edge])
        running_a = value + (running_a if row == target_a else 0.0)
        totals[first_row + row] = running_a
        target_a = row
    for edge in range(split + common, end):
        row = targets[edge]
        value = scaled[sources[edge]] * (1.0 if uniform_weights else weights[edge])
        running_b = value + (running_b if row == target_b else 0.0)
        totals[first_row + row] = running_b
        target_b = row


@parallel_kernel
def _pagerank_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    inverse_out: np.ndarray,
    teleport: np.ndarray,
    uniform_teleport: bool,
    damping: float,
    tolerance: float,
    max_iter: int,
    uniform_weights: bool,
    blocks: np.ndarray,
    start: np.ndarray,
    uniform_start: bool,
) -> tuple[np.ndarray, int, float]:
    """Return (scores, iterations, last L1 change).

    ``indptr`` (uint64), ``sources`` (uint32) and ``targets`` (uint16, from
    :func:`block_targets`) give the in-edges by target;
    ``inverse_out[u]`` is what one unit of ``u``'s score passes along one unit of edge weight
    (``1 / out_weight``; times the common weight when ``uniform_weights``, in which case
    ``weights`` is not read), 0 for dangling nodes. Dangling nodes spread their score by the
    teleport vector (``teleport``, or ``1 / n`` everywhere when ``uniform_teleport``). Stops
    when the L1 change is below ``tolerance``; ``iterations == max_iter`` with a larger change
    means no convergence. ``blocks`` are row boundaries from :func:`row_blocks`. The iteration
    starts from ``start`` (non-negative, summing to 1), or from ``1 / n`` everywhere when
    ``uniform_start`` (``start`` then not read).
    """
    n = indptr.shape[0] - 1
    n_blocks = blocks.shape[0] - 1
    uniform_share = 1.0 / n
    scores = np.full(n, uniform_share) if uniform_start else start.copy()
    totals = np.zeros(n)  # rows without in-edges are never written and stay 0
    scaled = np.empty(n)
    scaled_next = np.empty(n)
    block_change = np.zeros(n_blocks)
    block_dangling = np.zeros(n_blocks)
    for block in numba.prange(n_blocks):
        dangling = 0.0
        for node in range(blocks[block], blocks[block + 1]):
            scaled[node] = scores[node] * inverse_out[node]
            if inverse_out[node] == 0.0:
                dangling += scores[node]
        block_dangling[block] = dangling
    change = np.inf
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        dangling_mass = 0.0
        for block in range(n_blocks):
            dangling_mass += block_dangling[block]
        spread = damping * dangling_mass + (1.0 - damping)
        for block in numba.prange(n_blocks):
            first_row = blocks[block]
            end_row = blocks[block + 1]
            _block_sums(
                indptr, sources, targets, weights, scaled, totals, first_row, end_row,
                uniform_weights,
            )  # fmt: skip
            local_change = 0.0
            dangling = 0.0
            for node in range(first_row, end_row):
                share = uniform_share if uniform_teleport else teleport[node]
                value = damping * totals[node] + spread * share
                local_change += abs(value - scores[node])
                scores[node] = value
                scaled_next[node] = value * inverse_out[node]
                if inverse_out[node] == 0.0:
                    dangling += value
            block_change[block] = local_change
            block_dangling[block] = dangling
        change = 0.0
        for block in range(n_blocks):
            change += block_change[block]
        scaled, scaled_next = scaled_next, scaled
        if change < tolerance:
            break
    return scores, iterations, change


@parallel_kernel
def _largest_share_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    weights: np.ndarray,
    out_weight: np.ndarray,
    largest: np.ndarray,
) -> None:
    for row in numba.prange(indptr.shape[0] - 1):
        best = 0.0
        for edge in range(indptr[row], indptr[row + 1]):
            out = out_weight[sources[edge]]
            share = weights[edge] / out if out > 0.0 else 0.0
            best = share if edge == indptr[row] or share > best else best
        largest[row] = best


def largest_incoming_share(
    indptr: np.ndarray, sources: np.ndarray, weights: np.ndarray, out_weight: np.ndarray
) -> np.ndarray:
    """Per row of an in-edge CSR, the largest ``weights[e] / out_weight[sources[e]]`` of its
    edges (0 where the source gives no weight; 0 for a row without edges)."""
    largest = np.zeros(indptr.shape[0] - 1)
    _largest_share_kernel(indptr, sources, weights, out_weight, largest)
    return largest
