"""Integer account ids numbered by direct addressing (or through a hash table), and in-edges
placed from a stream of record batches: the two passes of a graph build that never holds the
records whole.

Each pass splits the id (or node) range into parts, one task each; every task reads the whole
batch and touches only the slots of its own part, so there are no races and the result does
not depend on the number of tasks.
"""

from __future__ import annotations

import secrets
from typing import Final

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel
from graphkit.kernels.hashing import GOLDEN, mix64

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
    self-loop, each id's records as follower and as followed. Returns the batch's self-loops
    and the first row holding an id outside ``0 .. slots - 1`` (``rows`` if none; that row
    and those after it are not recorded)."""
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


# Codes are int32 node numbers: at most this many ids.
MAX_CODES: Final = 2**31 - 1


class IdTable:
    """Integer ids numbered in order of first appearance through an open-addressing table
    that grows as they come (kept at most half full)."""

    def __init__(self) -> None:
        self.keys = np.empty(1 << 16, dtype=np.int64)
        self.codes = np.full(1 << 16, -1, dtype=np.int32)
        self.count = 0
        # Buckets from a secret seed: ids crafted to collide cannot make the table slow. The
        # codes do not depend on it (they number ids in order of first appearance).
        self.seed = np.uint64(secrets.randbits(64))

    def intern(self, ids: np.ndarray) -> np.ndarray:
        """The int64 code of each of ``ids`` (int64), numbering new ones.

        Raises
        ------
        OverflowError
            When the codes could pass :data:`MAX_CODES`.
        """
        needed = self.count + ids.shape[0]
        if needed > MAX_CODES:
            raise OverflowError("more ids than int32 node numbers address")
        if 2 * needed > self.keys.shape[0]:
            self._grow(needed)
        out = np.empty(ids.shape[0], dtype=np.int64)
        self.count = intern_ids_kernel(ids, self.keys, self.codes, self.count, out, self.seed)
        return out

    def look_up(self, ids: np.ndarray) -> np.ndarray:
        """The int64 code of each of ``ids``, -1 for ids never interned."""
        out = np.empty(ids.shape[0], dtype=np.int64)
        look_up_ids_kernel(ids, self.keys, self.codes, out, self.seed)
        return out

    def ids_by_code(self) -> np.ndarray:
        """The id of each code, as int64."""
        ids = np.empty(self.count, dtype=np.int64)
        taken = self.codes >= 0
        ids[self.codes[taken]] = self.keys[taken]
        return ids

    def _grow(self, needed: int) -> None:
        size = self.keys.shape[0]
        while size < 2 * needed:
            size *= 2
        keys = np.empty(size, dtype=np.int64)
        codes = np.full(size, -1, dtype=np.int32)
        rehash_kernel(self.keys, self.codes, keys, codes, self.seed)
        self.keys, self.codes = keys, codes


@numba.njit(inline="always", **JIT_OPTIONS)
def _bucket(key: np.int64, shift: np.uint64, seed: np.uint64) -> np.int64:
    return np.int64(mix64(np.uint64(key) ^ seed) * GOLDEN >> shift)


@numba.njit(**JIT_OPTIONS)
def pairs_checksum(followers: np.ndarray, followed: np.ndarray) -> np.uint64:
    """A sum of a hash of each (follower, followed) record, independent of their order: the
    two readings of a file must agree on it."""
    total = np.uint64(0)
    for row in range(followers.shape[0]):
        total += mix64(mix64(np.uint64(followers[row])) ^ np.uint64(followed[row]))
    return total


@numba.njit(inline="always", **JIT_OPTIONS)
def _shift(size: int) -> np.uint64:
    """64 minus log2 of a power-of-two table size: the top bits of a hash pick a bucket."""
    bits = 0
    while (1 << bits) < size:
        bits += 1
    return np.uint64(64 - bits)


@numba.njit(**JIT_OPTIONS)
def intern_ids_kernel(
    ids: np.ndarray,
    keys: np.ndarray,
    codes: np.ndarray,
    count: int,
    out: np.ndarray,
    seed: np.uint64,
) -> int:
    """Number ``ids`` through an open-addressing table (``keys``, ``codes`` of -1 where
    empty; a power-of-two size with room for every new id): a known id gets its code, a
    new one the next code, in order of first appearance. Returns the codes given in all."""
    shift = _shift(keys.shape[0])
    mask = keys.shape[0] - 1
    for index in range(ids.shape[0]):
        key = ids[index]
        bucket = _bucket(key, shift, seed)
        while True:
            code = codes[bucket]
            if code < 0:
                keys[bucket] = key
                codes[bucket] = count
                out[index] = count
                count += 1
                break
            if keys[bucket] == key:
                out[index] = code
                break
            bucket = (bucket + 1) & mask
    return count


@parallel_kernel
def look_up_ids_kernel(
    ids: np.ndarray, keys: np.ndarray, codes: np.ndarray, out: np.ndarray, seed: np.uint64
) -> None:
    """The code of each of ``ids`` in the table of :func:`intern_ids_kernel`, -1 for an id
    it does not hold."""
    shift = _shift(keys.shape[0])
    mask = keys.shape[0] - 1
    for index in numba.prange(ids.shape[0]):
        key = ids[index]
        bucket = _bucket(key, shift, seed)
        found = -1
        while True:
            code = codes[bucket]
            if code < 0:
                break
            if keys[bucket] == key:
                found = code
                break
            bucket = (bucket + 1) & mask
        out[index] = found


@numba.njit(**JIT_OPTIONS)
def rehash_kernel(
    keys: np.ndarray,
    codes: np.ndarray,
    new_keys: np.ndarray,
    new_codes: np.ndarray,
    seed: np.uint64,
) -> None:
    """Move every entry of a table into an empty larger one."""
    shift = _shift(new_keys.shape[0])
    mask = new_keys.shape[0] - 1
    for slot in range(keys.shape[0]):
        if codes[slot] < 0:
            continue
        bucket = _bucket(keys[slot], shift, seed)
        while new_codes[bucket] >= 0:
            bucket = (bucket + 1) & mask
        new_keys[bucket] = keys[slot]
        new_codes[bucket] = codes[slot]
