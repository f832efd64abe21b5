"""Kernels of the audience audit (fake-follower signals) on the in-edge CSR.

Every kernel reads in-edges: ``sources[e]`` for ``e`` in ``indptr[v]:indptr[v + 1]`` are the
accounts paying attention to ``v``, distinct and ascending (merged at build); an edge counts
when ``mask[e]`` is true (follow edges, or every edge).

- :func:`reciprocal_edges`: whether ``v -> u`` exists for each counted edge ``u -> v`` (a
  binary search in ``u``'s sorted in-edges).
- :func:`trust_walk`: trust propagated from trusted seeds for a fixed, small number of steps
  (SybilRank's early termination, Cao et al. 2012) along the edges: an account passes its
  trust to the accounts it follows, split evenly; trust that reaches an account following
  no one, and a share ``1 - damping`` each step, returns to the seeds.
- :func:`window_peaks`: per account, the most records within any window of given length
  (follow bursts).
- :func:`follower_density`: per account, the share of ordered pairs of (up to ``limit`` of)
  its followers in which one follows the other (dense follow rings).
"""

from __future__ import annotations

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel


@numba.njit(inline="always", **JIT_OPTIONS)
def _find(values: np.ndarray, start: np.int64, stop: np.int64, wanted: np.int64) -> np.int64:
    """Position of ``wanted`` in the ascending ``values[start:stop]``, or -1."""
    low = start
    high = stop
    while low < high:
        middle = (low + high) // 2
        if values[middle] < wanted:
            low = middle + 1
        else:
            high = middle
    if low < stop and values[low] == wanted:
        return low
    return np.int64(-1)


@parallel_kernel
def reciprocal_edges(indptr: np.ndarray, sources: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``result[e]``: edge ``e`` (``u -> v``) is counted and ``v -> u`` is a counted edge too."""
    n_nodes = indptr.shape[0] - 1
    result = np.zeros(sources.shape[0], dtype=np.bool_)
    for target in numba.prange(n_nodes):
        for edge in range(indptr[target], indptr[target + 1]):
            if not mask[edge]:
                continue
            source = np.int64(sources[edge])
            back = _find(sources, indptr[source], indptr[source + 1], np.int64(target))
            if back >= 0 and mask[back]:
                result[edge] = True
    return result


@parallel_kernel
def trust_walk(
    indptr: np.ndarray,
    sources: np.ndarray,
    mask: np.ndarray,
    out_degree: np.ndarray,
    seeds: np.ndarray,
    damping: float,
    steps: int,
) -> np.ndarray:
    """Trust after ``steps`` steps from ``seeds`` (a distribution over nodes, summing to 1).

    One step: ``t'[v] = damping * sum(t[u] / out_degree[u] for counted u -> v)
    + (damping * dangling + 1 - damping) * seeds[v]``, where ``dangling`` is the trust of
    accounts with ``out_degree`` 0. Trust stays a distribution.
    """
    n_nodes = indptr.shape[0] - 1
    trust = seeds.copy()
    share = np.zeros(n_nodes)
    for _ in range(steps):
        dangling = 0.0
        for node in range(n_nodes):
            if out_degree[node] > 0:
                share[node] = trust[node] / out_degree[node]
            else:
                share[node] = 0.0
                dangling += trust[node]
        back = damping * dangling + 1.0 - damping
        following = np.empty(n_nodes)
        for target in numba.prange(n_nodes):
            total = 0.0
            for edge in range(indptr[target], indptr[target + 1]):
                if mask[edge]:
                    total += share[sources[edge]]
            following[target] = damping * total + back * seeds[target]
        trust = following
    return trust


@numba.njit(**JIT_OPTIONS)
def window_peaks(
    nodes: np.ndarray, times: np.ndarray, n_nodes: int, window: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per node: the most records within any closed window of length ``window``, and the
    records with a time. ``nodes`` ascending, ``times`` ascending within each node."""
    peaks = np.zeros(n_nodes, dtype=np.int64)
    counts = np.zeros(n_nodes, dtype=np.int64)
    start = 0
    size = nodes.shape[0]
    while start < size:
        node = nodes[start]
        stop = start
        while stop < size and nodes[stop] == node:
            stop += 1
        first = start
        best = 0
        for last in range(start, stop):
            while times[last] - times[first] > window:
                first += 1
            best = max(best, last - first + 1)
        peaks[node] = best
        counts[node] = stop - start
        start = stop
    return peaks, counts


@parallel_kernel
def follower_density(
    indptr: np.ndarray,
    sources: np.ndarray,
    mask: np.ndarray,
    out_indptr: np.ndarray,
    out_targets: np.ndarray,
    limit: int,
) -> np.ndarray:
    """Per node ``v``: among its first ``limit`` counted followers ``F`` (lowest numbers), the
    share of ordered pairs ``(f, g)``, ``f != g``, with a counted edge ``f -> g``; 0 for fewer
    than 2. ``out_targets[out_indptr[f]:out_indptr[f + 1]]`` are ``f``'s counted targets,
    ascending."""
    n_nodes = indptr.shape[0] - 1
    density = np.zeros(n_nodes)
    for target in numba.prange(n_nodes):
        chosen = np.empty(limit, dtype=np.int64)
        size = 0
        for edge in range(indptr[target], indptr[target + 1]):
            if size == limit:
                break
            if mask[edge]:
                chosen[size] = sources[edge]
                size += 1
        if size < 2:
            continue
        linked = 0
        for i in range(size):
            follower = chosen[i]
            start = out_indptr[follower]
            stop = out_indptr[follower + 1]
            for j in range(size):
                if j != i and _find(out_targets, start, stop, chosen[j]) >= 0:
                    linked += 1
        density[target] = linked / (size * (size - 1))
    return density


@numba.njit(**JIT_OPTIONS)
def out_csr(
    indptr: np.ndarray, sources: np.ndarray, mask: np.ndarray, n_nodes: int
) -> tuple[np.ndarray, np.ndarray]:
    """The counted edges by source (a counting sort): ``out_indptr`` and the targets of each
    source, ascending (the in-edges are read by ascending target)."""
    out_indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    for edge in range(sources.shape[0]):
        if mask[edge]:
            out_indptr[sources[edge] + 1] += 1
    for node in range(n_nodes):
        out_indptr[node + 1] += out_indptr[node]
    cursor = out_indptr[:-1].copy()
    targets = np.empty(out_indptr[n_nodes], dtype=np.int32)
    for target in range(n_nodes):
        for edge in range(indptr[target], indptr[target + 1]):
            if mask[edge]:
                source = sources[edge]
                targets[cursor[source]] = target
                cursor[source] += 1
    return out_indptr, targets
