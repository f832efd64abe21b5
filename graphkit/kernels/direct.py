"""Integer account ids numbered by direct addressing, and in-edges placed from a stream of
record batches: the two passes of a graph build that never holds the records whole.

Each pass splits the id (or node) range into parts, one task each; every task reads the whole
batch and touches only the slots of its own part, so there are no races and the result does
not depend on the number of tasks.
"""

from __future__ import annotations

from typing import Final

import numba
import numpy as np

from graphkit.config import parallel_kernel

# A slot never seen: larger than any position.
UNSEEN: Final = np.iinfo(np.int64).max
# Slots (or nodes) per part of a pass: at least this many, so that small inputs run as one.
_PART_SLOTS: Final = 1 << 16


def part_count(slots: int) -> int:
    """Parts of a pass over ``slots`` slots: one per thread, none smaller than a minimum."""
    return max(1, min(numba.get_num_threads(), slots // _PART_SLOTS))


@parallel_kernel
def count_batch_kernel(
    followers: np.ndarray,
    followed: np.ndarray,
    follower_base: int,
    followed_base: int,
    first_seen: np.ndarray,
    out_count: np.ndarray,
    in_count: np.ndarray,
    n_parts: int,
) -> tuple[int, int]:
    """Record one batch of edge records: the first position of each id (the follower of a
    batch's row at ``follower_base + row``, its followed account at ``followed_base + row``:
    the order in which the string interning meets them) and, for records that are no
    self-loop, each
    id's records as follower and as followed. Returns the batch's self-loops and the first
    row holding an id outside ``0 .. slots - 1`` (``rows`` if none; that row and those after
    it are not recorded)."""
    rows = followers.shape[0]
    slots = first_seen.shape[0]
    loops = np.zeros(n_parts, dtype=np.int64)
    outside = rows
    for row in range(rows):
        if not (0 <= followers[row] < slots and 0 <= followed[row] < slots):
            outside = row
            break
    for part in numba.prange(n_parts):
        low = slots * part // n_parts
        high = slots * (part + 1) // n_parts
        for row in range(outside):
            source = followers[row]
            target = followed[row]
            if low <= source < high:
                if follower_base + row < first_seen[source]:
                    first_seen[source] = follower_base + row
                if source == target:
                    loops[part] += 1
                else:
                    out_count[source] += 1
            if low <= target < high:
                if followed_base + row < first_seen[target]:
                    first_seen[target] = followed_base + row
                if source != target:
                    in_count[target] += 1
    return int(loops.sum()), outside


@parallel_kernel
def place_batch_kernel(
    followers: np.ndarray,
    followed: np.ndarray,
    node_of: np.ndarray,
    cursors: np.ndarray,
    ends: np.ndarray,
    sources: np.ndarray,
    n_parts: int,
) -> int:
    """Place the source node of each record of a batch (self-loops left out) under its target
    node, at the target's cursor (advanced). Parts split the ids, not the nodes: each record
    is claimed by the part of its target id before any lookup. Returns the first row whose
    ids the first pass did not count (a file changed between the passes; ``rows`` if none);
    no record is placed beyond a node's end (``ends``) either way."""
    slots = node_of.shape[0]
    rows = followers.shape[0]
    unknown = np.full(n_parts, rows, dtype=np.int64)
    for part in numba.prange(n_parts):
        low = slots * part // n_parts
        high = slots * (part + 1) // n_parts
        for row in range(rows):
            source = followers[row]
            target = followed[row]
            if part == 0 and not 0 <= target < slots:  # claimed by no part
                unknown[part] = min(unknown[part], row)
            if source == target or not low <= target < high:
                continue
            node = node_of[target]
            known = 0 <= source < slots and node >= 0 and node_of[source] >= 0
            if not known or cursors[node] >= ends[node]:
                unknown[part] = min(unknown[part], row)
                continue
            position = cursors[node]
            sources[position] = node_of[source]
            cursors[node] = position + 1
    return int(unknown.min())
