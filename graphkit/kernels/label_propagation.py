"""Weighted label propagation with a modularity penalty, multi-level, thread-count invariant.

Each node adopts the label ``c`` of largest gain ``w(v, c) - resolution * k_v * S_c / 2W``:
the edge weight from ``v`` to nodes labelled ``c``, less what a random graph with the same
weighted degrees would put there (``k_v`` is v's weighted degree, ``S_c`` the total weighted
degree of label ``c`` without ``v``, ``W`` the total edge weight). This is label propagation
for modularity (LPAm, Barber & Clark 2009); the penalty stops one label from flooding a dense
core, the failure of plain label propagation (``resolution = 0``). A node keeps its label when
no other gains more, and otherwise takes the smallest of the labels of equal gain; a node alone
in its label joins another lone node only if that label is smaller.

Nodes are visited in a seeded order, cut into about 64 blocks of equal work (edges to read)
that depend only on the graph and the order. Within a block every node chooses from the labels
as they were when the block started, in parallel, the block's work split among the threads by
edges; the choices are then applied in order. A choice depends only on those labels
and on the node's own neighbours, so any number of threads gives the same labels, and a sweep
behaves almost like the classic one-node-at-a-time propagation, which converges where fully
synchronous updates oscillate. Two neighbours in one block can still choose each other's
labels and swap them back and forth, so a node that moved on its last visit moves again only
on a seeded coin flip. Only nodes whose neighbourhood changed since their last visit are
visited again; propagation ends when none is left.

When the labels settle, each label becomes one node of a smaller graph (edge weights between
labels summed, weight inside a label kept as a self-loop) and propagation runs again there, as
in Louvain's multi-level scheme, until a level merges nothing. A last round on the original
graph, started from the final communities, lets single nodes move to a better community.
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel
from graphkit.kernels.csr import csr_by_row
from graphkit.kernels.hashing import GOLDEN, mix64

# Blocks per sweep: nodes in the same block see each other's labels one block late.
_BLOCKS = 64
# Below this many edges to read per worker a block runs on one thread (same result, no wait).
MIN_WORK_PER_WORKER = 2048
_EMPTY = -1
# Markers of a visit that chose no label: the node was inactive, or held back by the coin.
_SKIP = -1
_HELD = -2
# 2**64 / golden ratio: Fibonacci hashing spreads consecutive labels over the table.
_FIBONACCI = np.uint64(11400714819323198485)


@numba.njit(**JIT_OPTIONS)
def _best_label(
    node: int,
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    labels: np.ndarray,
    label_strength: np.ndarray,
    label_size: np.ndarray,
    strength: np.ndarray,
    penalty: float,
    keys: np.ndarray,
    totals: np.ndarray,
    touched: np.ndarray,
) -> int:
    """The label of largest gain at ``node`` (its own on a tie, else the smallest tied)."""
    start, stop = indptr[node], indptr[node + 1]
    current = labels[node]
    bits = 1
    while (1 << bits) < 2 * (stop - start):
        bits += 1
    mask = np.int64((1 << bits) - 1)
    shift = np.uint64(64 - bits)
    n_touched = 0
    for edge in range(start, stop):
        neighbor = neighbors[edge]
        if neighbor == node:  # a self-loop holds weight already inside the node
            continue
        label = labels[neighbor]
        slot = np.int64((np.uint64(label) * _FIBONACCI) >> shift)
        while keys[slot] != _EMPTY and keys[slot] != label:
            slot = (slot + 1) & mask
        if keys[slot] == _EMPTY:
            keys[slot] = label
            totals[slot] = weights[edge]
            touched[n_touched] = slot
            n_touched += 1
        else:
            totals[slot] += weights[edge]
    # Staying is a candidate even when no neighbour shares the current label.
    own = strength[node]
    scale = penalty * own
    current_gain = -scale * (label_strength[current] - own)
    alone = label_size[current] == 1
    best_label = current
    best_gain = current_gain
    for position in range(n_touched):
        slot = touched[position]
        label = keys[slot]
        keys[slot] = _EMPTY
        if label == current:
            gain = totals[slot] + current_gain
            current_gain = gain
        elif alone and label > current and label_size[label] == 1:
            # Two lone nodes would swap labels forever if they moved together.
            continue
        else:
            gain = totals[slot] - scale * label_strength[label]
        if gain > best_gain or (gain == best_gain and label < best_label):
            best_gain = gain
            best_label = label
    if current_gain >= best_gain:
        return current
    return best_label


@numba.njit(**JIT_OPTIONS)
def _row_total(indptr: np.ndarray, weights: np.ndarray, node: int) -> float:
    """Weighted degree of ``node``, summed in edge order."""
    total = 0.0
    for edge in range(indptr[node], indptr[node + 1]):
        total += weights[edge]
    return total


@numba.njit(**JIT_OPTIONS)
def _coin(seed: int, node: int, sweep: int) -> bool:
    """A fair coin flip determined by (seed, node, sweep): splitmix64's finaliser."""
    value = (
        np.uint64(seed)
        + np.uint64(node) * GOLDEN
        + np.uint64(sweep) * np.uint64(0xD1B54A32D192ED03)
    )
    return (mix64(value) & np.uint64(1)) == np.uint64(1)


@numba.njit(**JIT_OPTIONS)
def _visit(
    node: int,
    sweep: int,
    seed: int,
    active: np.ndarray,
    recent: np.ndarray,
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    labels: np.ndarray,
    label_strength: np.ndarray,
    label_size: np.ndarray,
    strength: np.ndarray,
    penalty: float,
    keys: np.ndarray,
    totals: np.ndarray,
    touched: np.ndarray,
) -> int:
    """The label ``node`` chooses this sweep, or ``_SKIP`` (inactive) or ``_HELD``."""
    if not active[node]:
        return _SKIP
    choice = _best_label(
        node, indptr, neighbors, weights, labels, label_strength, label_size, strength,
        penalty, keys, totals, touched,
    )  # fmt: skip
    # A node that moved on its last visit moves again only on heads: neighbours that chose
    # each other's labels in the same block would otherwise swap them forever.
    if choice != labels[node] and recent[node] and not _coin(seed, node, sweep):
        return _HELD
    return choice


@parallel_kernel
def _propagate_kernel(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    order: np.ndarray,
    blocks: np.ndarray,
    initial: np.ndarray,
    resolution: float,
    max_sweeps: int,
    seed: int,
    n_workers: int,
    min_work: int,
) -> tuple[np.ndarray, int]:
    """Return (label of each node, sweeps run), starting from the labels ``initial``.

    ``indptr``/``neighbors``/``weights`` hold a symmetric adjacency (each edge in the rows of
    both ends; a self-loop once, with twice the weight inside the node). A node is visited
    while active: at the start, and after a neighbour changed label. Stops when no node is
    active, or after ``max_sweeps``.
    """
    n = indptr.shape[0] - 1
    labels = initial.copy()
    strength = np.zeros(n)
    if n_workers == 1 or indptr[n] < min_work * n_workers:
        for node in range(n):
            strength[node] = _row_total(indptr, weights, node)
    else:
        for node in numba.prange(n):
            strength[node] = _row_total(indptr, weights, node)
    max_degree = 0
    total = 0.0
    for node in range(n):
        max_degree = max(max_degree, indptr[node + 1] - indptr[node])
        total += strength[node]
    label_strength = np.zeros(n)
    label_size = np.zeros(n, dtype=np.int64)
    for node in range(n):
        label_strength[labels[node]] += strength[node]
        label_size[labels[node]] += 1
    # total is 2W, so penalty * k_v * S_c is resolution * k_v * S_c / 2W.
    penalty = resolution / total if total > 0.0 else 0.0
    capacity = 2
    while capacity < 2 * max_degree:
        capacity *= 2
    keys = np.full((n_workers, capacity), _EMPTY, dtype=np.int32)
    totals = np.zeros((n_workers, capacity))
    touched = np.zeros((n_workers, max(1, max_degree)), dtype=np.int64)
    active = np.ones(n, dtype=np.uint8)
    recent = np.zeros(n, dtype=np.uint8)
    longest = 1
    for index in range(blocks.shape[0] - 1):
        longest = max(longest, blocks[index + 1] - blocks[index])
    pending = np.empty(longest, dtype=np.int32)
    work = np.zeros(longest + 1, dtype=np.int64)
    moved = np.empty(longest, dtype=np.int64)
    sweeps = 0
    while sweeps < max_sweeps:
        sweeps += 1
        unsettled = 0
        for index in range(blocks.shape[0] - 1):
            start = blocks[index]
            count = blocks[index + 1] - start
            # Split the block among workers by work (edges to read), not by nodes: hubs.
            for position in range(count):
                node = order[start + position]
                cost = 1 + indptr[node + 1] - indptr[node] if active[node] else 0
                work[position + 1] = work[position] + cost
            total_work = work[count]
            if n_workers == 1 or total_work < min_work * n_workers:
                for position in range(count):
                    pending[position] = _visit(
                        order[start + position], sweeps, seed, active, recent, indptr,
                        neighbors, weights, labels, label_strength, label_size, strength,
                        penalty, keys[0], totals[0], touched[0],
                    )  # fmt: skip
            else:
                for worker in numba.prange(n_workers):
                    first = np.searchsorted(work[:count], total_work * worker // n_workers)
                    last = np.searchsorted(work[:count], total_work * (worker + 1) // n_workers)
                    if worker == n_workers - 1:
                        last = count
                    for position in range(first, last):
                        pending[position] = _visit(
                            order[start + position], sweeps, seed, active, recent, indptr,
                            neighbors, weights, labels, label_strength, label_size, strength,
                            penalty, keys[worker], totals[worker], touched[worker],
                        )  # fmt: skip
            n_moved = 0
            moved_work = 0
            for position in range(count):
                node = order[start + position]
                choice = pending[position]
                if choice == _SKIP:
                    continue
                if choice == _HELD:
                    unsettled += 1
                    continue
                active[node] = 0
                old = labels[node]
                if choice == old:
                    recent[node] = 0
                    continue
                label_strength[old] -= strength[node]
                label_strength[choice] += strength[node]
                label_size[old] -= 1
                label_size[choice] += 1
                labels[node] = choice
                recent[node] = 1
                unsettled += 1
                moved[n_moved] = node
                n_moved += 1
                moved_work += indptr[node + 1] - indptr[node]
            # The neighbours of moved nodes (in this block too) look again; setting a flag is
            # the same in any order, so threads may share this.
            if n_workers == 1 or moved_work < min_work * n_workers:
                for index in range(n_moved):
                    node = moved[index]
                    for edge in range(indptr[node], indptr[node + 1]):
                        active[neighbors[edge]] = 1
            else:
                for worker in numba.prange(n_workers):
                    for index in range(
                        n_moved * worker // n_workers, n_moved * (worker + 1) // n_workers
                    ):
                        node = moved[index]
                        for edge in range(indptr[node], indptr[node + 1]):
                            active[neighbors[edge]] = 1
        if unsettled == 0:
            break
    return labels, sweeps


def propagate_labels(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    order: np.ndarray,
    *,
    initial: np.ndarray | None = None,
    resolution: float = 1.0,
    max_sweeps: int = 100,
    seed: int = 0,
    min_work: int = MIN_WORK_PER_WORKER,
) -> tuple[np.ndarray, int]:
    """One level of label propagation over a symmetric CSR adjacency.

    Parameters
    ----------
    indptr, neighbors, weights
        int64 row pointers, int32 neighbours and float64 positive weights; every edge appears
        in the rows of both its ends, a self-loop once.
    order
        int64 permutation of the nodes: the order in which they update each sweep.
    initial
        int32 starting label of each node, in ``0 .. n-1``; ``None``: each node its own.
    resolution
        Weight of the modularity penalty; 0 gives plain weighted label propagation.
    max_sweeps
        Most sweeps over all nodes.
    seed
        Seed of the coin that holds back nodes that keep moving.
    min_work
        Blocks with fewer edges to read per thread run on one thread; the labels do not
        depend on it (tests set 0 to run every block on all threads).

    Returns
    -------
    labels, sweeps
        int32 label of each node (the number of some node of its community) and the sweeps
        run; ``sweeps == max_sweeps`` may mean labels were still changing.
    """
    n_workers = max(1, int(numba.get_num_threads()))
    n = indptr.shape[0] - 1
    labels = np.arange(n, dtype=np.int32) if initial is None else initial.astype(np.int32)
    return _propagate_kernel(
        indptr,
        neighbors,
        weights,
        order,
        block_starts(indptr, order),
        labels,
        float(resolution),
        int(max_sweeps),
        int(seed),
        n_workers,
        int(min_work),
    )


def node_order(n: int, rng: np.random.Generator) -> np.ndarray:
    """A seeded visiting order: runs of consecutive nodes, the runs shuffled.

    Runs (up to 256 nodes, one per 1024 nodes of the graph) keep the row pointers, degrees and
    labels a sweep reads in cache; on small graphs every run is one node, a full shuffle.
    (Visiting hubs first, or last, lowered the modularity on ego-Twitter or on the 10M-edge
    benchmark graph and was no faster.)
    """
    run = max(1, min(256, n // 1024))
    starts = rng.permutation((n + run - 1) // run) * run
    order = (starts[:, None] + np.arange(run)[None, :]).reshape(-1)
    return np.ascontiguousarray(order[order < n], dtype=np.int64)


def block_starts(indptr: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Cut ``order`` into about ``_BLOCKS`` blocks of equal work (1 + degree per node).

    Returns the start of each block in ``order`` and, last, its length; a node heavier than
    a block's share ends its block. Fewer blocks mean fewer waits for the slowest thread and
    labels one block staler: at 10M edges 64 blocks took 12 s on 16 threads (modularity 0.1806)
    where 256 took 17 s (0.1813).
    """
    if order.shape[0] == 0:
        return np.zeros(1, dtype=np.int64)
    cost = np.cumsum(1 + np.diff(indptr)[order])
    share = max(1, int(cost[-1]) // _BLOCKS)
    block = (cost - 1) // share
    starts = np.flatnonzero(np.diff(block, prepend=-1))
    return np.append(starts, order.shape[0]).astype(np.int64)


def multilevel_label_propagation(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    *,
    seed: int,
    resolution: float = 1.0,
    max_sweeps: int = 100,
    max_levels: int = 32,
    on_progress: Callable[[int, int | None, str], None] | None = None,
) -> np.ndarray:
    """Label propagation, then again on the graph of labels, until a level merges nothing.

    Parameters
    ----------
    indptr, neighbors, weights
        Symmetric CSR adjacency as for :func:`propagate_labels`.
    seed
        Seed of the node order of every level.
    resolution, max_sweeps
        As for :func:`propagate_labels` (``max_sweeps`` per level).
    max_levels
        Most levels.
    on_progress
        ``on_progress(levels, None, detail)`` after each level: the levels done and the
        communities the last one left.

    Returns
    -------
    numpy.ndarray
        int64 community label of each node; equal labels mean the same community.
    """
    rng = np.random.default_rng(seed)
    original = (indptr, neighbors, weights)
    n = indptr.shape[0] - 1
    membership = np.arange(n, dtype=np.int64)
    for level in range(max_levels):
        n_level = indptr.shape[0] - 1
        labels, _ = propagate_labels(
            indptr,
            neighbors,
            weights,
            node_order(indptr.shape[0] - 1, rng),
            resolution=resolution,
            max_sweeps=max_sweeps,
            seed=int(rng.integers(2**62)),
        )
        _, first, compact = np.unique(labels, return_index=True, return_inverse=True)
        # Number labels by their smallest node, independent of np.unique's label order.
        renumber = np.empty(first.shape[0], dtype=np.int32)
        renumber[np.argsort(first, kind="stable")] = np.arange(first.shape[0], dtype=np.int32)
        level_labels = renumber[compact.reshape(-1)]
        membership = level_labels[membership]
        n_merged = first.shape[0]
        if on_progress is not None:
            on_progress(level + 1, None, f"level {level + 1}: {n_merged:,} communities")
        if n_merged == n_level:
            break
        rows = np.repeat(level_labels, np.diff(indptr))
        columns = level_labels[neighbors]
        flags = np.zeros(rows.shape[0], dtype=np.uint8)
        indptr, neighbors, weights, _ = csr_by_row(
            rows, columns, weights, flags, n_merged, n_merged
        )
    # Last, let single nodes of the original graph move between the final communities.
    labels, _ = propagate_labels(
        *original,
        node_order(n, rng),
        initial=membership.astype(np.int32),
        resolution=resolution,
        max_sweeps=max_sweeps,
        seed=int(rng.integers(2**62)),
    )
    return np.asarray(labels, dtype=np.int64)


@numba.njit(**JIT_OPTIONS)
def _connected_pieces_kernel(
    indptr: np.ndarray, neighbors: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, int]:
    """(piece of each node, number of pieces): the connected parts of each label's nodes."""
    n = indptr.shape[0] - 1
    pieces = np.full(n, -1, dtype=np.int64)
    stack = np.empty(max(1, n), dtype=np.int64)  # each node is pushed once
    count = 0
    for start in range(n):
        if pieces[start] >= 0:
            continue
        label = labels[start]
        pieces[start] = count
        stack[0] = start
        top = 1
        while top > 0:
            top -= 1
            node = stack[top]
            for edge in range(indptr[node], indptr[node + 1]):
                neighbor = neighbors[edge]
                if pieces[neighbor] < 0 and labels[neighbor] == label:
                    pieces[neighbor] = count
                    stack[top] = neighbor
                    top += 1
        count += 1
    return pieces, count


def connected_pieces(
    indptr: np.ndarray, neighbors: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, int]:
    """Split every community into its connected pieces.

    Label propagation, like Louvain, can leave a community whose nodes are joined only
    through other communities (a node that linked two parts moved away). Splitting such a
    community never lowers modularity: no edge runs between its pieces, and the expected
    weight between them, ``S_a S_b / 2W``, is no longer subtracted.

    Parameters
    ----------
    indptr, neighbors
        Symmetric CSR adjacency (each edge in the rows of both its ends).
    labels
        Community label of each node; equal labels mean the same community.

    Returns
    -------
    pieces, count
        int64 piece of each node, numbered ``0 .. count-1`` in order of each piece's smallest
        node (one serial pass: the same on any number of threads), and the number of pieces.

    Examples
    --------
    >>> indptr = np.array([0, 1, 2, 3, 4])
    >>> neighbors = np.array([1, 0, 3, 2], dtype=np.int32)  # edges 0-1 and 2-3
    >>> pieces, count = connected_pieces(indptr, neighbors, np.array([5, 5, 5, 5]))
    >>> pieces.tolist(), count
    ([0, 0, 1, 1], 2)
    """
    return _connected_pieces_kernel(
        np.ascontiguousarray(indptr, dtype=np.int64),
        np.ascontiguousarray(neighbors, dtype=np.int32),
        np.ascontiguousarray(labels, dtype=np.int64),
    )
