"""Leiden (and Louvain) for weighted modularity, deterministic for a seed on any thread count.

The algorithm of Traag, Waltman & van Eck (2019), "From Louvain to Leiden: guaranteeing
well-connected communities", on a symmetric CSR adjacency (each edge in the rows of both its
ends; a self-loop once, holding twice the weight inside the node, as aggregation leaves it):

1. *Local moving*: nodes are taken from a queue, first in a seeded order; each moves to the
   neighbouring community (or an empty one) of largest gain
   ``w(v, C) - resolution * k_v * K_C / 2W`` if that gain is strictly larger than staying.
   A node that moves puts its neighbours outside its new community back on the queue.
2. *Refinement*: inside each community, starting from single nodes, a node still on its own
   and well connected to its community joins the well-connected sub-community of largest
   positive gain (the greedy limit of Leiden's randomised choice). Sub-communities are thus
   connected pieces of a community.
3. *Aggregation*: each sub-community becomes one node (weights between them summed, the
   weight inside kept as a self-loop), starting in the community its piece came from, and the
   three steps repeat on the smaller graph until local moving leaves every community one node.

An *iteration* is one pass of these levels; the next iteration starts from the partition the
last one found, which lets pieces of communities move again. Leiden stops after an iteration
that changed nothing (or after ``max_iterations``). Louvain is the same without refinement:
aggregation by the communities themselves.

Local moving runs one node at a time in the seeded order (the queue makes each move depend on
all earlier ones), prefetching the memory of the next visits; refinement handles the
communities independently and aggregation the new nodes independently, so those two are split
among ``workers`` parts with results that do not depend on their number. Every float sum runs
in a fixed order, so one seed gives one partition.

Refinement and aggregation are compiled with numba's ``parallel`` (``PARALLEL``), one part
per thread: two parallel regions per level. (The local moving once gathered candidates ahead on
several threads, in thousands of short parallel regions between which OpenMP's idle workers
spun: on the 2-core benchmark machine with another process busy, Leiden on two threads took
2-3x as long as on one. At 10M edges two threads take refinement and aggregation from 8.0 s
to 4.4-4.8 s.)
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel
from graphkit.kernels.label_propagation import node_order
from graphkit.kernels.memory import prefetch, touch_pages_in_background

# Split the refinement and aggregation among numba's threads (see above); their parallel
# twins compile only for graphs large enough to use them (graphkit.config.SizedKernel).
PARALLEL = True

# Below this many edges to read per worker, refinement and aggregation run on one thread.
MIN_WORK_PER_WORKER = 1 << 16
# Prefetching (see below): how many visits ahead each stage works, and the entries of a row
# each stage fetches (a longer row prefetches along itself, ROW_STRIDE entries ahead).
AHEAD_ROW_POINTER, AHEAD_ROW, AHEAD_LABELS, AHEAD_TABLE = 24, 16, 10, 5
PREFETCH_ENTRIES = 64
ROW_STRIDE = 16


@numba.njit(**JIT_OPTIONS)
def _node_strength(indptr: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted degree of each node (a self-loop entry counts once, as stored)."""
    n = indptr.shape[0] - 1
    strength = np.zeros(n)
    for node in range(n):
        total = 0.0
        for edge in range(indptr[node], indptr[node + 1]):
            total += weights[edge]
        strength[node] = total
    return strength


# Prefetching. The local moving and the aggregation visit nodes in an order unrelated to
# memory: each visit reads a row, then per entry a label of the neighbour, then a table row of
# that label, and waiting on those misses one at a time is most of their time. (Passes that
# read the rows in sequence only fetch the labels ahead.)
# While visiting a node, each asks for what later visits will read, in stages: the row pointer
# of the node AHEAD_ROW_POINTER visits on, the row of one AHEAD_ROW on, the neighbours' labels
# for one AHEAD_LABELS on, and their table rows for one AHEAD_TABLE on, each stage reading
# what the one before fetched. Measured at 10M edges: the local moving 1.6-1.8x faster, same moves.


@numba.njit(**JIT_OPTIONS)
def _fetch_row(indptr: np.ndarray, neighbors: np.ndarray, weights: np.ndarray, node: int) -> None:
    """Prefetch the start of ``node``'s row (its pointer was fetched before)."""
    first = indptr[node]
    prefetch(neighbors, first)
    prefetch(weights, first)
    prefetch(weights, first + 8)


@numba.njit(**JIT_OPTIONS)
def _fetch_labels(
    indptr: np.ndarray, neighbors: np.ndarray, weights: np.ndarray, labels: np.ndarray, node: int
) -> None:
    """Prefetch the labels of the first neighbours of ``node`` (its row was fetched before)."""
    first = indptr[node]
    for edge in range(first, min(indptr[node + 1], first + PREFETCH_ENTRIES)):
        prefetch(labels, neighbors[edge])
    prefetch(weights, first + 16)


@numba.njit(**JIT_OPTIONS)
def _fetch_label_rows(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    labels: np.ndarray,
    table: np.ndarray,
    width: int,
    node: int,
) -> None:
    """Prefetch the rows of a flat ``width``-column table for the first neighbours' labels."""
    first = indptr[node]
    for edge in range(first, min(indptr[node + 1], first + PREFETCH_ENTRIES)):
        prefetch(table, width * labels[neighbors[edge]])


@numba.njit(**JIT_OPTIONS)
def _move_nodes_kernel(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    strength: np.ndarray,
    membership: np.ndarray,
    order: np.ndarray,
    penalty: float,
) -> tuple[int, int]:
    """Local moving, in place on ``membership`` (labels ``0 .. n-1``), until no node moves.

    ``penalty`` is ``resolution / 2W``. Returns the moves made and the edges read.

    Each move depends on all earlier ones, so the visits run one at a time, each prefetching
    for the next ones (see Prefetching above); a hub's row, longer than the stages fetch,
    prefetches along itself.
    """
    n = indptr.shape[0] - 1
    # Per community: its total strength (column 0) and the sum of the edge weights from the
    # node being visited (column 1; zero between visits). One row holds all a candidate
    # community needs, so reading it costs one cache miss.
    table = np.zeros((n, 2))
    flat_table = table.reshape(-1)
    community_size = np.zeros(n, dtype=np.int32)
    for node in range(n):
        table[membership[node], 0] += strength[node]
        community_size[membership[node]] += 1
    # Empty communities on a stack: a node may always move to one of them (gain 0).
    empty = np.empty(n + 1, dtype=np.int32)
    n_empty = 0
    for community in range(n - 1, -1, -1):
        if community_size[community] == 0:
            empty[n_empty] = community
            n_empty += 1
    max_degree = 0
    for node in range(n):
        max_degree = max(max_degree, indptr[node + 1] - indptr[node])
    candidates = np.empty(max_degree + 1, dtype=np.int32)
    candidate_weights = np.empty(max_degree + 1)
    queue = order.astype(np.int32)
    on_queue = np.ones(n, dtype=np.bool_)
    head = 0
    n_queued = n
    moves = 0
    work = 0
    while n_queued > 0:
        if n_queued > AHEAD_ROW_POINTER:  # the stages of the prefetching, from far to near
            at = head + AHEAD_ROW_POINTER
            prefetch(indptr, queue[at - n if at >= n else at])
            at = head + AHEAD_ROW
            ahead = queue[at - n if at >= n else at]
            _fetch_row(indptr, neighbors, weights, ahead)
            prefetch(strength, ahead)
            prefetch(membership, ahead)
            at = head + AHEAD_LABELS
            _fetch_labels(indptr, neighbors, weights, membership, queue[at - n if at >= n else at])
            at = head + AHEAD_TABLE
            _fetch_label_rows(
                indptr, neighbors, membership, flat_table, 2, queue[at - n if at >= n else at]
            )
        node = queue[head]
        head = head + 1 if head + 1 < n else 0
        n_queued -= 1
        on_queue[node] = False
        # Each community next to the node with the weight to it, in the order first met.
        count = 0
        last = indptr[node + 1]
        long_row = last - indptr[node] > PREFETCH_ENTRIES
        for edge in range(indptr[node], last):
            if long_row and edge + 2 * ROW_STRIDE < last:
                prefetch(membership, neighbors[edge + 2 * ROW_STRIDE])
                prefetch(flat_table, 2 * membership[neighbors[edge + ROW_STRIDE]])
            neighbor = neighbors[edge]
            if neighbor == node:
                continue
            community = membership[neighbor]
            sum_so_far = table[community, 1]
            candidates[count] = community
            count += sum_so_far == 0.0  # weights are positive: zero means not met yet
            table[community, 1] = sum_so_far + weights[edge]
        work += indptr[node + 1] - indptr[node]
        current = membership[node]
        stay = 0.0
        for index in range(count):
            community = candidates[index]
            candidate_weights[index] = table[community, 1]
            table[community, 1] = 0.0
            if community == current:
                stay = candidate_weights[index]
        node_weight = strength[node]
        table[current, 0] -= node_weight
        community_size[current] -= 1
        if community_size[current] == 0:
            empty[n_empty] = current
            n_empty += 1
        spare = empty[n_empty - 1]
        scale = node_weight * penalty
        best = current
        best_gain = stay - scale * table[current, 0]
        if spare != current and best_gain < 0.0:
            best = spare
            best_gain = 0.0
        for index in range(count):
            community = candidates[index]
            if community != current:
                gain = candidate_weights[index] - scale * table[community, 0]
                if gain > best_gain:
                    best = community
                    best_gain = gain
        table[best, 0] += node_weight
        community_size[best] += 1
        if best == spare:
            n_empty -= 1
        if best != current:
            membership[node] = best
            moves += 1
            for edge in range(indptr[node], indptr[node + 1]):
                neighbor = neighbors[edge]
                if not on_queue[neighbor] and membership[neighbor] != best:
                    on_queue[neighbor] = True
                    tail = head + n_queued
                    queue[tail - n if tail >= n else tail] = neighbor
                    n_queued += 1
    return moves, work


@numba.njit(**JIT_OPTIONS)
def _group_by_label(
    labels: np.ndarray, n_labels: int, order: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(start of each label, nodes grouped by label, each group in the sequence ``order``)."""
    starts = np.zeros(n_labels + 1, dtype=np.int64)
    for node in range(labels.shape[0]):
        starts[labels[node] + 1] += 1
    for label in range(n_labels):
        starts[label + 1] += starts[label]
    cursor = starts[:-1].copy()
    grouped = np.empty(labels.shape[0], dtype=np.int32)
    for index in range(order.shape[0]):
        node = order[index]
        label = labels[node]
        grouped[cursor[label]] = node
        cursor[label] += 1
    return starts, grouped


@numba.njit(**JIT_OPTIONS)
def _split_by_work(
    starts: np.ndarray, grouped: np.ndarray, indptr: np.ndarray, parts: int
) -> tuple[np.ndarray, int]:
    """Group boundaries that cut the groups into ``parts`` runs of about equal edge work."""
    n_groups = starts.shape[0] - 1
    work = np.zeros(n_groups + 1, dtype=np.int64)
    for group in range(n_groups):
        total = 0
        for index in range(starts[group], starts[group + 1]):
            node = grouped[index]
            total += 1 + indptr[node + 1] - indptr[node]
        work[group + 1] = work[group] + total
    bounds = np.empty(parts + 1, dtype=np.int64)
    for part in range(parts + 1):
        bounds[part] = np.searchsorted(work, work[n_groups] * part // parts)
    bounds[parts] = n_groups
    return bounds, work[n_groups]


@numba.njit(**JIT_OPTIONS)
def _refine_community(
    first: int,
    last: int,
    stop: int,
    grouped: np.ndarray,
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    strength: np.ndarray,
    membership: np.ndarray,
    penalty: float,
    refined: np.ndarray,
    pieces: np.ndarray,
    piece_size: np.ndarray,
    column: int,
    candidates: np.ndarray,
) -> None:
    """Merge the nodes ``grouped[first:last]`` (one community) into well-connected pieces.

    Per piece, ``pieces`` holds its strength (column 0), the weight from it to the rest of its
    community (column 1; on entry, of each single node) and, in ``column``, the sums of edge
    weights to it (zeros on entry and exit; a zero marks a piece not met yet).

    The nodes of a community lie anywhere in memory, so each visit prefetches for the visits
    ahead (see Prefetching above), up to ``grouped[stop - 1]``, the worker's last node.
    """
    community = membership[grouped[first]]
    total = 0.0
    for index in range(first, last):
        if index + AHEAD_ROW < last:
            prefetch(strength, grouped[index + AHEAD_ROW])
        total += strength[grouped[index]]
    flat_pieces = pieces.reshape(-1)
    width = pieces.shape[1]
    for index in range(first, last):
        if index + AHEAD_ROW_POINTER < stop:  # the stages of the prefetching
            prefetch(indptr, grouped[index + AHEAD_ROW_POINTER])
            ahead = grouped[index + AHEAD_ROW]
            _fetch_row(indptr, neighbors, weights, ahead)
            prefetch(refined, ahead)
            ahead = grouped[index + AHEAD_LABELS]
            prefetch(flat_pieces, width * ahead)
            prefetch(piece_size, ahead)
            _fetch_labels(indptr, neighbors, weights, membership, ahead)
            _fetch_labels(indptr, neighbors, weights, refined, ahead)
            ahead = grouped[index + AHEAD_TABLE]
            _fetch_label_rows(indptr, neighbors, refined, flat_pieces, width, ahead)
        node = grouped[index]
        current = refined[node]
        node_weight = strength[node]
        if piece_size[current] != 1:
            continue
        own_external = pieces[current, 1]
        if own_external < node_weight * (total - node_weight) * penalty:
            continue  # not well connected to the rest of its community: stays alone
        pieces[current, 0] = 0.0
        piece_size[current] = 0
        candidates[0] = current
        n_candidates = 1
        for edge in range(indptr[node], indptr[node + 1]):
            neighbor = neighbors[edge]
            if neighbor == node or membership[neighbor] != community:
                continue
            piece = refined[neighbor]
            if pieces[piece, column] == 0.0:
                candidates[n_candidates] = piece
                n_candidates += 1
            pieces[piece, column] += weights[edge]
        best = current
        best_gain = 0.0
        best_weight = 0.0
        for position in range(n_candidates):
            piece = candidates[position]
            size = pieces[piece, 0]
            if pieces[piece, 1] >= size * (total - size) * penalty:
                gain = pieces[piece, column] - node_weight * size * penalty
                if gain > best_gain:
                    best = piece
                    best_gain = gain
                    best_weight = pieces[piece, column]
            pieces[piece, column] = 0.0
        pieces[best, 0] += node_weight
        piece_size[best] += 1
        if best != current:
            refined[node] = best
            pieces[best, 1] += own_external - 2.0 * best_weight


@parallel_kernel
def _refine_kernel(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    strength: np.ndarray,
    membership: np.ndarray,
    n_communities: int,
    order: np.ndarray,
    penalty: float,
    n_workers: int,
    min_work: int,
) -> tuple[np.ndarray, int]:
    """Refined labels ``0 .. k-1`` (numbered by community, then by first node in ``order``)."""
    n = indptr.shape[0] - 1
    starts, grouped = _group_by_label(membership, n_communities, order)
    bounds, total_work = _split_by_work(starts, grouped, indptr, n_workers)
    refined = np.arange(n, dtype=np.int32)
    # Per piece: strength, weight to the rest of its community, each worker's sums (one row).
    pieces = np.zeros((n, 2 + n_workers))
    for node in range(n):  # a loop, not pieces[:, 0] = strength: no shape check to compile
        pieces[node, 0] = strength[node]
    piece_size = np.ones(n, dtype=np.int32)
    serial = n_workers == 1 or total_work < min_work * n_workers
    for part in numba.prange(1 if serial else n_workers):
        parts = 1 if serial else n_workers
        end = indptr[n * (part + 1) // parts]
        for node in range(n * part // parts, n * (part + 1) // parts):
            community = membership[node]
            inside = 0.0
            for edge in range(indptr[node], indptr[node + 1]):
                if edge + ROW_STRIDE < end:  # rows come in sequence: only labels to fetch
                    prefetch(membership, neighbors[edge + ROW_STRIDE])
                neighbor = neighbors[edge]
                if neighbor != node and membership[neighbor] == community:
                    inside += weights[edge]
            pieces[node, 1] = inside
    candidates = np.empty((n_workers, n + 1), dtype=np.int32)
    # One call site, so that _refine_community compiles once (a literal column 2 in a
    # serial branch compiled it a second time); serially, worker 0 takes every community.
    for worker in numba.prange(1 if serial else n_workers):
        first_community = 0 if serial else bounds[worker]
        end_community = n_communities if serial else bounds[worker + 1]
        for community in range(first_community, end_community):
            _refine_community(
                starts[community], starts[community + 1], starts[end_community], grouped,
                indptr, neighbors, weights, strength, membership, penalty, refined, pieces,
                piece_size, 2 + worker, candidates[worker],
            )  # fmt: skip
    number = np.full(n, -1, dtype=np.int32)
    n_pieces = 0
    for index in range(n):
        piece = refined[grouped[index]]
        if number[piece] < 0:
            number[piece] = n_pieces
            n_pieces += 1
    for node in range(n):
        refined[node] = number[refined[node]]
    return refined, n_pieces


@parallel_kernel
def _aggregate_kernel(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    labels: np.ndarray,
    n_labels: int,
    out_neighbors: np.ndarray,
    out_weights: np.ndarray,
    n_workers: int,
    min_work: int,
) -> np.ndarray:
    """The graph of the labels, written to ``out_neighbors``/``out_weights``; returns indptr.

    One node per label, the weights between labels summed; the weight inside a label becomes a
    self-loop entry of its row. Rows list their neighbours in the order first met (members
    ascending, each member's row in order). The outputs need room for ``neighbors.shape[0]``
    entries: each label's row is first written where its members' rows would fit, then all
    rows are moved down into place.
    """
    n = indptr.shape[0] - 1
    order = np.arange(n, dtype=np.int32)
    starts, members = _group_by_label(labels, n_labels, order)
    bound = np.zeros(n_labels + 1, dtype=np.int64)
    for label in range(n_labels):
        total = 0
        for index in range(starts[label], starts[label + 1]):
            node = members[index]
            total += indptr[node + 1] - indptr[node]
        bound[label + 1] = bound[label] + total
    counts = np.zeros(n_labels, dtype=np.int64)
    parts = 1 if n_workers == 1 or bound[n_labels] < min_work * n_workers else n_workers
    cuts = np.empty(parts + 1, dtype=np.int64)
    for part in range(parts + 1):
        cuts[part] = np.searchsorted(bound, bound[n_labels] * part // parts)
    cuts[parts] = n_labels
    position = np.full((parts, n_labels), -1, dtype=np.int32)
    for part in numba.prange(parts):
        slot = position[part]
        stop = starts[cuts[part + 1]]
        for label in range(cuts[part], cuts[part + 1]):
            base = bound[label]
            count = 0
            for index in range(starts[label], starts[label + 1]):
                if index + AHEAD_ROW_POINTER < stop:  # the stages of the prefetching
                    prefetch(indptr, members[index + AHEAD_ROW_POINTER])
                    _fetch_row(indptr, neighbors, weights, members[index + AHEAD_ROW])
                    _fetch_labels(indptr, neighbors, weights, labels, members[index + AHEAD_LABELS])
                    ahead = members[index + AHEAD_TABLE]
                    _fetch_label_rows(indptr, neighbors, labels, slot, 1, ahead)
                node = members[index]
                for edge in range(indptr[node], indptr[node + 1]):
                    other = labels[neighbors[edge]]
                    at = slot[other]
                    if at < 0:
                        slot[other] = count
                        out_neighbors[base + count] = other
                        out_weights[base + count] = weights[edge]
                        count += 1
                    else:
                        out_weights[base + at] += weights[edge]
            for index in range(count):
                slot[out_neighbors[base + index]] = -1
            counts[label] = count
    new_indptr = np.zeros(n_labels + 1, dtype=np.int64)
    for label in range(n_labels):
        new_indptr[label + 1] = new_indptr[label] + counts[label]
        source = bound[label]
        target = new_indptr[label]
        if target < source:  # moving down, in label order, never overwrites a later row
            for index in range(counts[label]):
                out_neighbors[target + index] = out_neighbors[source + index]
                out_weights[target + index] = out_weights[source + index]
    return new_indptr


@numba.njit(**JIT_OPTIONS)
def _compact(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Labels (each in ``0 .. n-1``) renumbered ``0 .. k-1`` in order of their smallest node."""
    n = labels.shape[0]
    number = np.full(n, -1, dtype=np.int32)
    compact = np.empty(n, dtype=np.int32)
    count = 0
    for node in range(n):
        label = labels[node]
        if number[label] < 0:
            number[label] = count
            count += 1
        compact[node] = number[label]
    return compact, count


def leiden_iteration(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    membership: np.ndarray,
    rng: np.random.Generator,
    workspace: tuple[np.ndarray, ...],
    *,
    resolution: float = 1.0,
    refine: bool = True,
    min_work: int = MIN_WORK_PER_WORKER,
    workers: int | None = None,
    on_level: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, bool]:
    """One Leiden (or, with ``refine=False``, Louvain) iteration from ``membership``.

    Parameters
    ----------
    indptr, neighbors, weights
        int64 row pointers, int32 neighbours and float64 positive weights of a symmetric
        adjacency.
    membership
        int32 starting community of each node, in ``0 .. n-1``.
    rng
        Source of the node order of every level.
    workspace
        Room for two aggregated graphs: int32, float64, int32, float64 arrays of
        ``neighbors.shape[0]`` entries (see :func:`workspace_for`).
    resolution
        Modularity resolution.
    refine
        Aggregate by refined (well-connected) pieces of communities (Leiden) or by the
        communities themselves (Louvain).
    min_work
        Work per part below which the split steps run as one part.
    workers
        Parts the refinement and aggregation are split into (``None``: numba's thread count
        where ``PARALLEL``, else 1). ``min_work`` and ``workers`` change how the work is
        shared, not the result.
    on_level
        Called after each level with the level's number (from 1) and the communities it
        found (progress).

    Returns
    -------
    membership, changed
        int32 community of each node (numbered by smallest node) and whether any node moved.
    """
    if workers is None:
        workers = int(numba.get_num_threads()) if PARALLEL else 1
    n_workers = max(1, int(workers))
    strength = _node_strength(indptr, weights)
    total = float(strength.sum())
    penalty = resolution / total if total > 0 else 0.0
    communities, _ = _compact(membership)
    node_of = np.arange(indptr.shape[0] - 1, dtype=np.int32)  # level node of each node
    changed = False
    level_graph = (indptr, neighbors, weights)
    level = 0
    while True:
        n_level = level_graph[0].shape[0] - 1
        order = visiting_order(n_level, rng)
        if level == 0:  # map the aggregated graphs' memory meanwhile (a no-op once mapped)
            touching = touch_pages_in_background(workspace)
        moves, _ = _move_nodes_kernel(*level_graph, strength, communities, order, penalty)
        if level == 0:
            touching.join()
        changed = changed or moves > 0
        communities, n_communities = _compact(communities)
        if on_level is not None:
            on_level(level + 1, n_communities)
        if n_communities == n_level:
            break
        if refine:
            pieces, n_pieces = _refine_kernel(
                *level_graph, strength, communities, n_communities, order, penalty,
                n_workers, min_work,
            )  # fmt: skip
        if not refine or n_pieces == n_level:
            pieces, n_pieces = communities, n_communities
        piece_community = np.empty(n_pieces, dtype=np.int32)
        piece_community[pieces] = communities
        node_of = pieces[node_of]
        out_neighbors, out_weights = workspace[2 * (level % 2)], workspace[2 * (level % 2) + 1]
        level_indptr = _aggregate_kernel(
            *level_graph, pieces, n_pieces, out_neighbors, out_weights, n_workers, min_work
        )
        size = int(level_indptr[-1])
        level_graph = (level_indptr, out_neighbors[:size], out_weights[:size])
        strength = np.bincount(pieces, weights=strength, minlength=n_pieces)
        communities = piece_community
        level += 1
    return _compact(communities[node_of])[0], changed


@numba.njit(**JIT_OPTIONS)
def community_weights(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    membership: np.ndarray,
    n_communities: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per community, the weight of the entries inside it and the strength of its nodes.

    On a symmetric adjacency both see each edge from both ends (``2 W_c`` and ``S_c``, the two
    terms of modularity). One pass, the entries summed in their order.
    """
    inside = np.zeros(n_communities)
    strength = np.zeros(n_communities)
    end = indptr[indptr.shape[0] - 1]
    for node in range(indptr.shape[0] - 1):
        community = membership[node]
        for edge in range(indptr[node], indptr[node + 1]):
            if edge + ROW_STRIDE < end:  # rows come in sequence: only labels to fetch
                prefetch(membership, neighbors[edge + ROW_STRIDE])
            strength[community] += weights[edge]
            if membership[neighbors[edge]] == community:
                inside[community] += weights[edge]
    return inside, strength


def workspace_for(n_entries: int) -> tuple[np.ndarray, ...]:
    """Room for two aggregated graphs of up to ``n_entries`` entries each."""
    return (
        np.empty(n_entries, dtype=np.int32),
        np.empty(n_entries),
        np.empty(n_entries, dtype=np.int32),
        np.empty(n_entries),
    )


def visiting_order(n: int, rng: np.random.Generator) -> np.ndarray:
    """int32 seeded order of ``n`` nodes: runs of consecutive nodes, the runs shuffled.

    Runs (up to 256 nodes, one per 1024 nodes of the graph) read row pointers and rows from
    memory in sequence; on small graphs every run is one node, a full shuffle.
    """
    return node_order(n, rng).astype(np.int32)


def leiden(
    indptr: np.ndarray,
    neighbors: np.ndarray,
    weights: np.ndarray,
    *,
    seed: int,
    resolution: float = 1.0,
    max_iterations: int = 0,
    refine: bool = True,
    min_work: int = MIN_WORK_PER_WORKER,
    workers: int | None = None,
    on_progress: Callable[[int, int | None, str], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Communities of largest modularity found by Leiden iterations (or Louvain).

    Parameters
    ----------
    indptr, neighbors, weights
        Symmetric CSR adjacency as for :func:`leiden_iteration`.
    seed
        Seed of the node orders.
    resolution
        Modularity resolution.
    max_iterations
        Most iterations; 0 iterates until one changes nothing.
    refine, min_work, workers
        As for :func:`leiden_iteration`.
    on_progress
        ``on_progress(levels, None, detail)`` after each level of each iteration: the
        levels done in all (how many are left is not known ahead) and where the last one
        left the partition.

    Returns
    -------
    membership, iterations
        int64 community of each node (numbered by smallest node) and the iterations run.
    """
    rng = np.random.default_rng(seed)
    membership = np.arange(indptr.shape[0] - 1, dtype=np.int32)
    workspace = workspace_for(neighbors.shape[0])
    iterations = 0
    levels = 0

    def on_level(level: int, n_communities: int) -> None:
        nonlocal levels
        levels += 1
        if on_progress is not None:
            on_progress(
                levels, None,
                f"iteration {iterations + 1}, level {level}: {n_communities:,} communities",
            )  # fmt: skip

    while max_iterations == 0 or iterations < max_iterations:
        membership, changed = leiden_iteration(
            indptr, neighbors, weights, membership, rng, workspace,
            resolution=resolution, refine=refine, min_work=min_work, workers=workers,
            on_level=on_level,
        )  # fmt: skip
        iterations += 1
        if not changed:
            break
    return membership.astype(np.int64), iterations
