"""PageRank over the accounts that pass attention on (dangling accounts lumped), accelerated
by Anderson mixing; deterministic across threads.

**Lumping.** Let ``N`` be the accounts with out-edges and ``D`` the dangling ones. A power step
``x' = d M x + (d s_D + 1 - d) p`` (``s_D`` the dangling accounts' total score) gives, for
scores summing to 1, ``x'_N = d M_NN x_N + (1 - d sum(x_N)) p_N`` (the sum over the accounts
that pass attention on: a reweighted copy of the graph may leave some of ``N`` with none). The
scores of ``N`` evolve on their own, from the in-edges of ``N``'s rows only (every edge starts
in ``N``). The iterates
are those of the power method restricted to ``N``; the scores of ``D`` follow from ``x_N`` in
one pass over their in-edges. On follower graphs where most accounts only appear as followed, most
rows and their in-edges drop out of every iteration.

**Anderson mixing** (Walker & Ni 2011, type II, memory ``m``): with ``g_k`` the step from
``x_k`` and ``f_k = g_k - x_k``, the next iterate is ``g_k - dG gamma`` where ``gamma``
minimises ``|f_k - dF gamma|_2`` over the last ``m`` differences ``dF`` of ``f`` and ``dG`` of
``g``. On a linear map this is GMRES in disguise: on slowly mixing graphs (communities,
chains) it needs a third to a half of the power method's iterations. It starts only once plain
steps shrink the residual slowly (:data:`SLOW_RATE`): on fast-mixing graphs it gains nothing
and costs memory traffic. A step that makes the residual grow tenfold restarts the memory.
The caller finishes with plain power steps, so the scores returned meet exactly the power
method's stopping rule.

State lives in arrays the caller owns (:data:`STATE_*` indices), so a run split into chunks
(for progress reports) is the same arithmetic as one run: the same bits. Reductions are summed
per block, then over blocks in order.
"""

from __future__ import annotations

from typing import Final

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel
from graphkit.kernels.pagerank import _block_sums

# Slots of the integer state: columns of history held, the slot written next, whether the
# last step's f and g are held.
STATE_FILLED: Final = 0
STATE_SLOT: Final = 1
STATE_HAVE_PREVIOUS: Final = 2
# ... and how many steps in a row brought no new smallest residual (rounding has the last word).
STATE_STALLED: Final = 3
STALL_STEPS: Final = 10
# ... whether mixing is on, and the steps run so far.
STATE_MIXING: Final = 4
STATE_STEPS: Final = 5
COUNT_SLOTS: Final = 6
# Slots of the float state: sum of the current iterate, smallest residual seen.
STATE_SUM: Final = 0
STATE_BEST: Final = 1
STATE_LAST_CHANGE: Final = 2
SUM_SLOTS: Final = 3
# Mixing starts once a plain step shrinks the residual by less than this factor (after a few
# steps, for the rate to show): on fast-mixing graphs (random, expander-like) power steps are
# as good and cost less.
SLOW_RATE: Final = 0.5
WARMUP_STEPS: Final = 4
# A step that makes the L1 residual grow this much over the best one restarts the memory.
RESTART_GROWTH: Final = 10.0
# Ridge added to the normal equations, relative to their largest diagonal entry.
RIDGE: Final = 1e-12


@parallel_kernel
def _lumped_degree_kernel(
    in_indptr: np.ndarray, in_sources: np.ndarray, rows: np.ndarray, position: np.ndarray
) -> np.ndarray:
    """In-edges of each of ``rows`` from accounts with a ``position`` (>= 0): the edges that
    carry attention (an edge of weight 0 may start at an account that passes none on)."""
    degree = np.zeros(rows.shape[0], dtype=np.int64)
    for row in numba.prange(rows.shape[0]):
        node = rows[row]
        count = 0
        for edge in range(in_indptr[node], in_indptr[node + 1]):
            if position[in_sources[edge]] >= 0:
                count += 1
        degree[row] = count
    return degree


@parallel_kernel
def _lumped_rows_kernel(
    in_indptr: np.ndarray,
    in_sources: np.ndarray,
    rows: np.ndarray,
    position: np.ndarray,
    indptr: np.ndarray,
    sources: np.ndarray,
    edge_of: np.ndarray,
) -> None:
    """Copy the in-edges of ``rows`` from accounts with a ``position`` (renumbered by it)
    into ``indptr``/``sources``; ``edge_of`` records each copied edge's index in the full
    arrays."""
    for row in numba.prange(rows.shape[0]):
        node = rows[row]
        at = indptr[row]
        for edge in range(in_indptr[node], in_indptr[node + 1]):
            source = position[in_sources[edge]]
            if source >= 0:
                sources[at] = source
                edge_of[at] = edge
                at += 1


@parallel_kernel
def _dangling_scores_kernel(
    in_indptr: np.ndarray,
    in_sources: np.ndarray,
    in_weights: np.ndarray,
    uniform_weights: bool,
    scaled: np.ndarray,
    rows: np.ndarray,
    teleport: np.ndarray,
    uniform_teleport: bool,
    uniform_share: float,
    damping: float,
    spread: float,
    scores: np.ndarray,
) -> None:
    """Set ``scores`` of the dangling ``rows`` to what a power step from ``scaled`` (scores
    times ``1 / out_weight``) gives them, summing each row's in-edges in the power kernel's
    order; ``spread`` is the step's teleport and dangling mass."""
    for row in numba.prange(rows.shape[0]):
        node = rows[row]
        total = 0.0
        for edge in range(in_indptr[node], in_indptr[node + 1]):
            value = scaled[in_sources[edge]]
            if not uniform_weights:
                value *= in_weights[edge]
            total = value + total
        share = uniform_share if uniform_teleport else teleport[node]
        scores[node] = damping * total + spread * share


@numba.njit(**JIT_OPTIONS)
def _solve_small(matrix: np.ndarray, rhs: np.ndarray, size: int) -> tuple[np.ndarray, bool]:
    """Solve ``matrix[:size, :size] x = rhs[:size]`` by Gaussian elimination with partial
    pivoting; ``ok`` is False when a pivot vanishes (the caller restarts its memory)."""
    a = matrix[:size, :size].copy()
    b = rhs[:size].copy()
    scale = 0.0
    for i in range(size):
        scale = max(scale, abs(a[i, i]))
    for i in range(size):
        a[i, i] += RIDGE * scale
    for column in range(size):
        pivot = column
        for row in range(column + 1, size):
            if abs(a[row, column]) > abs(a[pivot, column]):
                pivot = row
        if not abs(a[pivot, column]) > 1e-300:
            return b, False
        if pivot != column:
            for k in range(size):
                a[column, k], a[pivot, k] = a[pivot, k], a[column, k]
            b[column], b[pivot] = b[pivot], b[column]
        for row in range(column + 1, size):
            factor = a[row, column] / a[column, column]
            for k in range(column, size):
                a[row, k] -= factor * a[column, k]
            b[row] -= factor * b[column]
    for row in range(size - 1, -1, -1):
        total = b[row]
        for k in range(row + 1, size):
            total -= a[row, k] * b[k]
        b[row] = total / a[row, row]
    ok = True
    for row in range(size):
        if not np.isfinite(b[row]):
            ok = False
    return b, ok


@parallel_kernel
def _anderson_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    targets: np.ndarray,
    weights: np.ndarray,
    inverse_out: np.ndarray,
    teleport: np.ndarray,
    uniform_teleport: bool,
    uniform_share: float,
    damping: float,
    tolerance: float,
    max_iter: int,
    uniform_weights: bool,
    blocks: np.ndarray,
    scores: np.ndarray,
    scaled: np.ndarray,
    previous_f: np.ndarray,
    previous_g: np.ndarray,
    delta_f: np.ndarray,
    delta_g: np.ndarray,
    gram: np.ndarray,
    counts: np.ndarray,
    sums: np.ndarray,
) -> tuple[int, float]:
    """Run up to ``max_iter`` mixed steps of the lumped iteration; return (steps, L1 residual
    of the last step). Stops when the residual is below ``tolerance``, leaving the step's
    result in ``scores``, or after :data:`STALL_STEPS` steps without a new smallest residual
    (rounding error dominates: the caller's power steps take over).

    ``indptr`` (uint64), ``sources`` (uint32), ``targets`` (uint16) and ``weights`` are the
    in-edges of the lumped rows (all of them pass attention on); ``inverse_out`` their
    ``1 / out_weight`` (times the common weight when ``uniform_weights``); ``teleport`` their
    teleport shares (``uniform_share`` each when ``uniform_teleport``). ``scores``/``scaled``
    hold the iterate and ``scores * inverse_out``; ``previous_f``, ``previous_g``,
    ``delta_f``, ``delta_g`` (memory x rows), ``gram`` (memory x memory), ``counts`` and
    ``sums`` the mixing state (see the module's description), all updated in place;
    ``sums[STATE_SUM]`` is the total score of the rows with ``inverse_out > 0``.
    """
    n = indptr.shape[0] - 1
    n_blocks = blocks.shape[0] - 1
    memory = delta_f.shape[0]
    totals = np.zeros(n)
    spare = np.empty(n)  # plain steps write the next scaled scores here, then swap
    current = scaled
    swapped = False
    block_change = np.zeros(n_blocks)
    block_dots = np.zeros((n_blocks, 2 * memory))
    block_sum = np.zeros(n_blocks)
    change = np.inf
    steps = 0
    while steps < max_iter:
        steps += 1
        spread = 1.0 - damping * sums[STATE_SUM]
        mixing = counts[STATE_MIXING] == 1
        have_previous = mixing and counts[STATE_HAVE_PREVIOUS] == 1
        slot = counts[STATE_SLOT]
        filled = min(counts[STATE_FILLED] + (1 if have_previous else 0), memory)
        for block in numba.prange(n_blocks):
            first_row = blocks[block]
            end_row = blocks[block + 1]
            _block_sums(
                indptr, sources, targets, weights, current, totals, first_row, end_row,
                uniform_weights,
            )  # fmt: skip
            local_change = 0.0
            local_sum = 0.0
            for column in range(2 * memory):
                block_dots[block, column] = 0.0
            for node in range(first_row, end_row):
                share = uniform_share if uniform_teleport else teleport[node]
                step_value = damping * totals[node] + spread * share
                residual = step_value - scores[node]
                local_change += abs(residual)
                if not mixing:  # a plain step, as the power kernel's: the result is the iterate
                    scores[node] = step_value
                    spare[node] = step_value * inverse_out[node]
                    if inverse_out[node] > 0.0:  # (reweighted to 0: dangling now)
                        local_sum += step_value
                    continue
                if have_previous:
                    new_f = residual - previous_f[node]
                    delta_f[slot, node] = new_f
                    delta_g[slot, node] = step_value - previous_g[node]
                    for column in range(filled):
                        block_dots[block, column] += new_f * delta_f[column, node]
                        block_dots[block, memory + column] += delta_f[column, node] * residual
                previous_f[node] = residual
                previous_g[node] = step_value
            block_change[block] = local_change
            block_sum[block] = local_sum
        change = 0.0
        for block in range(n_blocks):
            change += block_change[block]
        counts[STATE_STEPS] += 1
        if not mixing:
            current, spare = spare, current
            swapped = not swapped
            total = 0.0
            for block in range(n_blocks):
                total += block_sum[block]
            sums[STATE_SUM] = total
            if change < tolerance or not np.isfinite(change):
                break
            rate = change / sums[STATE_LAST_CHANGE]
            sums[STATE_LAST_CHANGE] = change
            sums[STATE_BEST] = min(sums[STATE_BEST], change)
            if counts[STATE_STEPS] >= WARMUP_STEPS and rate > SLOW_RATE:
                counts[STATE_MIXING] = 1  # the next step starts the memory
                counts[STATE_HAVE_PREVIOUS] = 0
            continue
        if change < tolerance or not np.isfinite(change):
            for node in range(n):
                scores[node] = previous_g[node]
            break
        gamma = np.zeros(memory)
        use_memory = False
        if change > RESTART_GROWTH * sums[STATE_BEST]:
            counts[STATE_FILLED] = 0
            counts[STATE_SLOT] = 0
            counts[STATE_HAVE_PREVIOUS] = 0
        else:
            if change < sums[STATE_BEST]:
                sums[STATE_BEST] = change
                counts[STATE_STALLED] = 0
            else:
                counts[STATE_STALLED] += 1
            if have_previous:
                rhs = np.zeros(memory)
                for column in range(filled):
                    dot = 0.0
                    projection = 0.0
                    for block in range(n_blocks):
                        dot += block_dots[block, column]
                        projection += block_dots[block, memory + column]
                    gram[slot, column] = dot
                    gram[column, slot] = dot
                    rhs[column] = projection
                gamma, use_memory = _solve_small(gram, rhs, filled)
                counts[STATE_FILLED] = filled
                counts[STATE_SLOT] = (slot + 1) % memory
                if not use_memory:
                    counts[STATE_FILLED] = 0
                    counts[STATE_SLOT] = 0
            counts[STATE_HAVE_PREVIOUS] = 1 if use_memory or not have_previous else 0
        for block in numba.prange(n_blocks):
            local_sum = 0.0
            for node in range(blocks[block], blocks[block + 1]):
                value = previous_g[node]
                if use_memory:
                    for column in range(filled):
                        value -= gamma[column] * delta_g[column, node]
                scores[node] = value
                current[node] = value * inverse_out[node]
                if inverse_out[node] > 0.0:  # (reweighted to 0: dangling now)
                    local_sum += value
            block_sum[block] = local_sum
        total = 0.0
        for block in range(n_blocks):
            total += block_sum[block]
        sums[STATE_SUM] = total
        if counts[STATE_STALLED] >= STALL_STEPS:
            break
    if swapped:  # the caller's array holds the scaled scores for the next call
        scaled[:] = current
    return steps, change
