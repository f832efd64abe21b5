"""Top-K warm paths of at most three hops from many targets to a set of colleagues.

The in-edge CSR holds ``u -> v`` (u pays attention to v) under ``v``; a path runs from a target
along edges to the first colleague it reaches, so its intermediaries are never colleagues.
Strength is the product of the shares ``w(u, v) / out_weight(u)`` along it, multiplied from the
colleague's end back to the target (``s(t, x) * (s(x, y) * s(y, c))``) everywhere, so that a
path's strength is the same number whichever list it is found in.

Lists grow backwards from the colleagues:

- ``first`` (one hop): for every non-colleague ``y`` paying attention to a colleague, its ``K``
  best paths ``y > c``;
- ``second`` (two hops): for every account needed (the targets and, with three hops, the
  accounts they pay attention to), its ``2K`` best paths ``x > y > c`` (``y`` a non-colleague
  with a ``first`` list; only those ``K`` paths per ``y`` can be among them);
- a target ``t`` takes its ``first`` and ``second`` lists and, for each ``x`` it pays attention
  to, ``s(t, x)`` times the entries of ``second[x]`` that do not pass through ``t`` itself (the
  one way such a path could repeat an account). At most ``K`` entries of ``second[x]`` pass
  through ``t`` (one per colleague of ``first[t]``), so ``2K`` entries leave the ``K`` best of
  the rest.

Paths are ordered by strength (descending), then hops (fewer first), then the ranks of their
accounts' ids from the first hop on (``rank``: each node's position among the ids sorted), a
strict total order, so every list is unique whatever order its candidates arrive in; results
do not depend on the number of threads. Paths of strength 0 (no attention, or a product that
underflows) are left out.
"""

from __future__ import annotations

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel

NONE = np.int64(-1)  # no account: the padding after a path's end
# Hop counts as int64 values, not literals: one compiled _insert serves every call.
ONE, TWO, THREE = np.int64(1), np.int64(2), np.int64(3)


@numba.njit(**JIT_OPTIONS)
def _ahead(
    strength: float,
    hops: int,
    first: int,
    second: int,
    third: int,
    other_strength: float,
    other_hops: int,
    other_first: int,
    other_second: int,
    other_third: int,
    rank: np.ndarray,
) -> bool:
    """Whether one path comes strictly before another (nodes after the start, -1 padded)."""
    if strength != other_strength:
        return strength > other_strength
    if hops != other_hops:
        return hops < other_hops
    if first != other_first:
        return rank[first] < rank[other_first]
    if second != other_second:
        return rank[second] < rank[other_second]
    if third != other_third:
        return rank[third] < rank[other_third]
    return False


@numba.njit(**JIT_OPTIONS)
def _insert(
    row: int,
    strength: float,
    hops: int,
    first: int,
    second: int,
    third: int,
    strengths: np.ndarray,
    hop_counts: np.ndarray,
    nodes: np.ndarray,
    counts: np.ndarray,
    rank: np.ndarray,
) -> None:
    """Put a path into the sorted bounded list ``row`` if it is among its best."""
    capacity = strengths.shape[1]
    count = counts[row]
    if count == capacity:
        last = capacity - 1
        if not _ahead(
            strength, hops, first, second, third,
            strengths[row, last], hop_counts[row, last],
            nodes[row, last, 0], nodes[row, last, 1], nodes[row, last, 2], rank,
        ):  # fmt: skip
            return
        position = last
    else:
        position = count
        counts[row] = count + 1
    while position > 0 and _ahead(
        strength, hops, first, second, third,
        strengths[row, position - 1], hop_counts[row, position - 1],
        nodes[row, position - 1, 0], nodes[row, position - 1, 1], nodes[row, position - 1, 2],
        rank,
    ):  # fmt: skip
        strengths[row, position] = strengths[row, position - 1]
        hop_counts[row, position] = hop_counts[row, position - 1]
        nodes[row, position, :] = nodes[row, position - 1, :]
        position -= 1
    strengths[row, position] = strength
    hop_counts[row, position] = hops
    nodes[row, position, 0] = first
    nodes[row, position, 1] = second
    nodes[row, position, 2] = third


@numba.njit(**JIT_OPTIONS)
def _share(weight: float, out_weight: float) -> float:
    """The share of its source's attention an edge carries (0 for no attention)."""
    if weight > 0 and out_weight > 0:
        return weight / out_weight
    return 0.0


@numba.njit(**JIT_OPTIONS)
def _warm_paths_setup_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    weights: np.ndarray,
    out_weight: np.ndarray,
    colleagues: np.ndarray,
    is_colleague: np.ndarray,
    targets: np.ndarray,
    rank: np.ndarray,
    per_target: int,
    max_hops: int,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
]:  # fmt: skip
    """One-hop lists, the accounts that need two-hop lists, and their out-edges.

    Returns
    -------
    first_row
        int64 per node: its row of the one-hop lists, -1 for none.
    first_strengths, first_hops, first_nodes, first_counts
        The one-hop lists (``first_nodes[row, 0]`` the colleague).
    needed
        int64 nodes that get two-hop lists: targets and (``max_hops`` 3) the non-colleagues
        they pay attention to, ascending.
    needed_row
        int64 per node: its position in ``needed``, -1 for none.
    out_indptr, out_targets, out_shares
        Out-edges of the needed accounts, by their position in ``needed``, to non-colleagues
        holding a one-hop list or needed themselves; shares > 0 only.
    """
    n_nodes = indptr.shape[0] - 1
    first_row = np.full(n_nodes, -1, dtype=np.int64)
    for colleague in colleagues:
        for edge in range(indptr[colleague], indptr[colleague + 1]):
            source = sources[edge]
            if not is_colleague[source] and _share(weights[edge], out_weight[source]) > 0:
                first_row[source] = 0
    rows = 0
    for node in range(n_nodes):
        if first_row[node] == 0:
            first_row[node] = rows
            rows += 1
    first_strengths = np.zeros((rows, per_target), dtype=np.float64)
    first_hops = np.zeros((rows, per_target), dtype=np.int8)
    first_nodes = np.full((rows, per_target, 3), -1, dtype=np.int32)
    first_counts = np.zeros(rows, dtype=np.int64)
    for colleague in colleagues:
        for edge in range(indptr[colleague], indptr[colleague + 1]):
            source = sources[edge]
            share = _share(weights[edge], out_weight[source])
            if not is_colleague[source] and share > 0:
                _insert(
                    first_row[source], share, ONE, np.int64(colleague), NONE, NONE,
                    first_strengths, first_hops, first_nodes, first_counts, rank,
                )  # fmt: skip

    is_needed = np.zeros(n_nodes, dtype=np.bool_)
    is_target = np.zeros(n_nodes, dtype=np.bool_)
    for target in targets:
        if not is_colleague[target]:
            is_needed[target] = True
            is_target[target] = True
    if max_hops >= 3:
        for node in range(n_nodes):
            if is_colleague[node] or is_needed[node]:
                continue
            for edge in range(indptr[node], indptr[node + 1]):
                source = sources[edge]
                if is_target[source] and _share(weights[edge], out_weight[source]) > 0:
                    is_needed[node] = True
                    break
    needed = np.flatnonzero(is_needed).astype(np.int64)
    needed_row = np.full(n_nodes, -1, dtype=np.int64)
    for position in range(needed.shape[0]):
        needed_row[needed[position]] = position

    # Out-edges of the needed accounts: counted, then placed, in order of their target.
    out_indptr = np.zeros(needed.shape[0] + 1, dtype=np.int64)
    if max_hops >= 2:
        for node in range(n_nodes):
            if is_colleague[node] or (first_row[node] < 0 and not is_needed[node]):
                continue
            for edge in range(indptr[node], indptr[node + 1]):
                source = sources[edge]
                if is_needed[source] and _share(weights[edge], out_weight[source]) > 0:
                    out_indptr[needed_row[source] + 1] += 1
    for position in range(needed.shape[0]):
        out_indptr[position + 1] += out_indptr[position]
    cursor = out_indptr[:-1].copy()
    out_targets = np.empty(out_indptr[-1], dtype=np.int32)
    out_shares = np.empty(out_indptr[-1], dtype=np.float64)
    if max_hops >= 2:
        for node in range(n_nodes):
            if is_colleague[node] or (first_row[node] < 0 and not is_needed[node]):
                continue
            for edge in range(indptr[node], indptr[node + 1]):
                source = sources[edge]
                share = _share(weights[edge], out_weight[source])
                if is_needed[source] and share > 0:
                    place = cursor[needed_row[source]]
                    out_targets[place] = node
                    out_shares[place] = share
                    cursor[needed_row[source]] = place + 1
    return (
        first_row, first_strengths, first_hops, first_nodes, first_counts,
        needed, needed_row, out_indptr, out_targets, out_shares,
    )  # fmt: skip


@parallel_kernel
def _warm_paths_search_kernel(
    first_row: np.ndarray,
    first_strengths: np.ndarray,
    first_nodes: np.ndarray,
    first_counts: np.ndarray,
    needed: np.ndarray,
    needed_row: np.ndarray,
    out_indptr: np.ndarray,
    out_targets: np.ndarray,
    out_shares: np.ndarray,
    targets: np.ndarray,
    is_colleague: np.ndarray,
    rank: np.ndarray,
    per_target: int,
    max_hops: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two-hop lists of the needed accounts, then each target's ``per_target`` best paths.

    Returns
    -------
    strengths, hops, nodes, counts
        Per target (rows in the order of ``targets``): the strengths and hop counts of its
        paths, best first, their accounts after the target (``nodes[row, j, :hops]``), and
        how many it has (0 for a colleague or an account without a path).
    """
    n_needed = needed.shape[0]
    capacity = 2 * per_target
    second_strengths = np.zeros((n_needed if max_hops >= 2 else 0, capacity), dtype=np.float64)
    second_hops = np.zeros(second_strengths.shape, dtype=np.int8)
    second_nodes = np.full((second_strengths.shape[0], capacity, 3), -1, dtype=np.int32)
    second_counts = np.zeros(second_strengths.shape[0], dtype=np.int64)
    for position in numba.prange(second_strengths.shape[0]):
        for edge in range(out_indptr[position], out_indptr[position + 1]):
            middle = out_targets[edge]
            row = first_row[middle]
            if row < 0:
                continue
            for entry in range(first_counts[row]):
                strength = out_shares[edge] * first_strengths[row, entry]
                if strength > 0:
                    _insert(
                        position, strength, TWO,
                        np.int64(middle), np.int64(first_nodes[row, entry, 0]), NONE,
                        second_strengths, second_hops, second_nodes, second_counts, rank,
                    )  # fmt: skip

    n_targets = targets.shape[0]
    strengths = np.zeros((n_targets, per_target), dtype=np.float64)
    hops = np.zeros((n_targets, per_target), dtype=np.int8)
    nodes = np.full((n_targets, per_target, 3), -1, dtype=np.int32)
    counts = np.zeros(n_targets, dtype=np.int64)
    for index in numba.prange(n_targets):
        target = targets[index]
        if is_colleague[target]:
            continue
        row = first_row[target]
        if row >= 0:
            for entry in range(first_counts[row]):
                _insert(
                    index, first_strengths[row, entry], ONE, np.int64(first_nodes[row, entry, 0]),
                    NONE, NONE,
                    strengths, hops, nodes, counts, rank,
                )  # fmt: skip
        if max_hops < 2:
            continue
        own = needed_row[target]
        for entry in range(second_counts[own]):
            _insert(
                index, second_strengths[own, entry], TWO,
                np.int64(second_nodes[own, entry, 0]), np.int64(second_nodes[own, entry, 1]), NONE,
                strengths, hops, nodes, counts, rank,
            )  # fmt: skip
        if max_hops < 3:
            continue
        for edge in range(out_indptr[own], out_indptr[own + 1]):
            neighbour = out_targets[edge]
            position = needed_row[neighbour]
            if position < 0:
                continue
            for entry in range(second_counts[position]):
                middle = second_nodes[position, entry, 0]
                if middle == target:
                    continue
                strength = out_shares[edge] * second_strengths[position, entry]
                if strength > 0:
                    _insert(
                        index, strength, THREE, np.int64(neighbour), np.int64(middle),
                        np.int64(second_nodes[position, entry, 1]),
                        strengths, hops, nodes, counts, rank,
                    )  # fmt: skip
    return strengths, hops, nodes, counts
