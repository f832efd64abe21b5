"""String interning straight from Arrow buffers: hash partitions, one open-addressing table each.

Each string is hashed (in parallel), then sent to partition ``hash % P``; each partition is
owned by one thread, which numbers its new strings in order of first appearance. A final merge
renumbers all strings by global first appearance, so the ids do not depend on ``P``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, PARALLEL_JIT_OPTIONS

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_EMPTY = -1
_BATCH = 64

# Status codes returned by _insert_kernel when a buffer must grow before it can go on.
DONE = 0
GROW_SLOTS = 1
GROW_IDS = 2
GROW_BYTES = 3


@numba.njit(inline="always", **JIT_OPTIONS)
def _partition_of(value: np.uint64, n_partitions: int) -> np.int64:
    """Partition from the high 32 bits (multiply-shift, no division); slots use the low bits."""
    return np.int64(((value >> np.uint64(32)) * np.uint64(n_partitions)) >> np.uint64(32))


@numba.njit(**PARALLEL_JIT_OPTIONS)
def _hash_kernel(offsets: np.ndarray, data: np.ndarray, out: np.ndarray) -> None:
    """FNV-1a over each string's bytes, then a murmur3 finaliser to spread the low bits."""
    for index in numba.prange(out.shape[0]):
        value = _FNV_OFFSET
        for position in range(offsets[index], offsets[index + 1]):
            value = (value ^ np.uint64(data[position])) * _FNV_PRIME
        value ^= value >> np.uint64(33)
        value *= np.uint64(0xFF51AFD7ED558CCD)
        value ^= value >> np.uint64(33)
        out[index] = value


@numba.njit(**JIT_OPTIONS)
def _insert_kernel(
    offsets: np.ndarray,
    data: np.ndarray,
    hashes: np.ndarray,
    partition: int,
    n_partitions: int,
    first_index: int,
    start: int,
    codes: np.ndarray,
    slots: np.ndarray,
    id_hash: np.ndarray,
    id_offsets: np.ndarray,
    id_bytes: np.ndarray,
    id_first: np.ndarray,
    counts: np.ndarray,
) -> tuple[int, int]:
    """Look up or insert the strings of this partition, from ``start`` on.

    ``codes[i]`` receives the partition-local id; each partition has its own ``codes`` array,
    so that threads never write to the same cache line. ``counts`` holds
    ``[ids, bytes used]`` of the partition. Returns ``(status, position)``: ``DONE``, or the
    buffer to grow and where to resume.
    """
    mask = np.uint64(slots.shape[0] - 1)
    n_ids = counts[0]
    used = counts[1]
    batch_end = start
    touched = 0
    for index in range(start, hashes.shape[0]):
        if index >= batch_end:
            batch_end = min(hashes.shape[0], index + _BATCH)
            touched += _warm_partition(
                offsets, data, hashes, index, batch_end, partition, n_partitions, slots,
                id_hash, id_offsets, id_bytes,
            )  # fmt: skip
        value = hashes[index]
        if _partition_of(value, n_partitions) != partition:
            continue
        begin = offsets[index]
        length = offsets[index + 1] - begin
        if 2 * (n_ids + 1) > slots.shape[0]:
            counts[0] = n_ids
            counts[1] = used
            return GROW_SLOTS, index
        slot = value & mask
        while True:
            candidate = slots[slot]
            if candidate == _EMPTY:
                if n_ids >= id_hash.shape[0]:
                    counts[0] = n_ids
                    counts[1] = used
                    return GROW_IDS, index
                if used + length > id_bytes.shape[0]:
                    counts[0] = n_ids
                    counts[1] = used
                    return GROW_BYTES, index
                slots[slot] = n_ids
                id_hash[n_ids] = value
                id_first[n_ids] = first_index + index
                for offset in range(length):
                    id_bytes[used + offset] = data[begin + offset]
                used += length
                id_offsets[n_ids + 1] = used
                codes[index] = n_ids
                n_ids += 1
                break
            if id_hash[candidate] == value:
                stored = id_offsets[candidate]
                if id_offsets[candidate + 1] - stored == length:
                    same = True
                    for offset in range(length):
                        if id_bytes[stored + offset] != data[begin + offset]:
                            same = False
                            break
                    if same:
                        codes[index] = candidate
                        break
            slot = (slot + np.uint64(1)) & mask
    counts[0] = n_ids
    counts[1] = used
    counts[2] = touched  # keeps the warming loads from being optimised away
    return DONE, hashes.shape[0]


@numba.njit(**JIT_OPTIONS)
def _warm_partition(
    offsets: np.ndarray,
    data: np.ndarray,
    hashes: np.ndarray,
    begin: int,
    end: int,
    partition: int,
    n_partitions: int,
    slots: np.ndarray,
    id_hash: np.ndarray,
    id_offsets: np.ndarray,
    id_bytes: np.ndarray,
) -> int:
    """Touch, as independent loads, the entries the lookups of ``begin:end`` will read.

    A lookup is a chain of dependent cache misses (slot, stored hash, stored string); loading
    a whole batch's entries first, stage by stage, lets the memory system serve them at once.
    """
    mask = np.uint64(slots.shape[0] - 1)
    touched = 0
    found = np.empty(end - begin, dtype=np.int32)
    for index in range(begin, end):
        value = hashes[index]
        candidate = np.int32(_EMPTY)
        if _partition_of(value, n_partitions) == partition:
            candidate = slots[value & mask]
        found[index - begin] = candidate
    for position in range(end - begin):
        candidate = found[position]
        if candidate >= 0:
            touched += np.int64(id_hash[candidate] & np.uint64(1)) + id_offsets[candidate]
    for position in range(end - begin):
        candidate = found[position]
        if candidate >= 0:
            touched += id_bytes[id_offsets[candidate]]
    return touched


@numba.njit(**JIT_OPTIONS)
def _rehash_kernel(id_hash: np.ndarray, n_ids: int, capacity: int) -> np.ndarray:
    slots = np.full(capacity, _EMPTY, dtype=np.int32)
    mask = np.uint64(capacity - 1)
    for local in range(n_ids):
        slot = id_hash[local] & mask
        while slots[slot] != _EMPTY:
            slot = (slot + np.uint64(1)) & mask
        slots[slot] = local
    return slots


@numba.njit(**PARALLEL_JIT_OPTIONS)
def _combine_kernel(hashes: np.ndarray, partition_codes: np.ndarray, out: np.ndarray) -> None:
    """``out[i] = local_id * P + partition`` of string ``i``, from its partition's codes."""
    n_partitions = partition_codes.shape[0]
    for index in numba.prange(hashes.shape[0]):
        partition = _partition_of(hashes[index], n_partitions)
        out[index] = partition_codes[partition, index] * n_partitions + partition


@numba.njit(**PARALLEL_JIT_OPTIONS)
def _remap_kernel(codes: np.ndarray, mapping: np.ndarray, out: np.ndarray) -> None:
    for index in numba.prange(codes.shape[0]):
        out[index] = mapping[codes[index]]


@numba.njit(**JIT_OPTIONS)
def _gather_strings_kernel(
    starts: np.ndarray, ends: np.ndarray, data: np.ndarray, out_offsets: np.ndarray, out: np.ndarray
) -> None:
    used = 0
    for index in range(starts.shape[0]):
        for position in range(starts[index], ends[index]):
            out[used] = data[position]
            used += 1
        out_offsets[index + 1] = used


class _Partition:
    """The growing table and dictionary of one hash partition."""

    def __init__(self, capacity: int, n_partitions: int) -> None:
        self.n_partitions = n_partitions
        self.slots = np.full(capacity, _EMPTY, dtype=np.int32)
        self.id_hash = np.empty(capacity // 2, dtype=np.uint64)
        self.id_offsets = np.zeros(capacity // 2 + 1, dtype=np.int64)
        self.id_bytes = np.empty(capacity * 8, dtype=np.uint8)
        self.id_first = np.empty(capacity // 2, dtype=np.int64)
        self.counts = np.zeros(3, dtype=np.int64)

    @property
    def size(self) -> int:
        return int(self.counts[0])

    def insert(
        self,
        offsets: np.ndarray,
        data: np.ndarray,
        hashes: np.ndarray,
        partition: int,
        first_index: int,
        codes: np.ndarray,
    ) -> None:
        position = 0
        while True:
            status, position = _insert_kernel(
                offsets, data, hashes, partition, self.n_partitions, first_index, position,
                codes, self.slots, self.id_hash, self.id_offsets, self.id_bytes, self.id_first,
                self.counts,
            )  # fmt: skip
            if status == DONE:
                return
            self._grow(status)

    def _grow(self, status: int) -> None:
        if status == GROW_SLOTS:
            capacity = self.slots.shape[0] * 2
            self.slots = _rehash_kernel(self.id_hash, self.size, capacity)
        elif status == GROW_IDS:
            size = self.id_hash.shape[0] * 2
            self.id_hash = _grown(self.id_hash, size)
            self.id_first = _grown(self.id_first, size)
            self.id_offsets = _grown(self.id_offsets, size + 1)
        else:
            self.id_bytes = _grown(self.id_bytes, self.id_bytes.shape[0] * 2)


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    larger = np.empty(size, dtype=array.dtype)
    larger[: array.shape[0]] = array
    return larger


class StringInterner:
    """Numbers distinct byte strings in order of first appearance, chunk by chunk.

    Feed chunks with :meth:`add`, which returns provisional codes; :meth:`finish` then gives
    the mapping from provisional to final ids (global first appearance, independent of the
    thread count) and the distinct strings in id order.

    Parameters
    ----------
    expected_unique
        A guess of the number of distinct strings, to size the tables.
    """

    def __init__(self, *, expected_unique: int = 1 << 16) -> None:
        self.n_partitions = max(1, numba.get_num_threads())
        capacity = 1 << max(10, int(2 * expected_unique / self.n_partitions).bit_length())
        self.partitions = [
            _Partition(capacity, self.n_partitions) for _ in range(self.n_partitions)
        ]
        self.seen = 0
        self._pool = ThreadPoolExecutor(max_workers=self.n_partitions)

    def add(self, offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
        """Intern one chunk in Arrow layout (string ``i`` is ``data[offsets[i]:offsets[i+1]]``).

        Returns
        -------
        numpy.ndarray
            int32 provisional code of each string; pass it through :meth:`finish`'s mapping.
        """
        length = offsets.shape[0] - 1
        hashes = np.empty(length, dtype=np.uint64)
        _hash_kernel(offsets, data, hashes)
        partition_codes = np.empty((self.n_partitions, length), dtype=np.int32)
        jobs = [
            self._pool.submit(
                part.insert, offsets, data, hashes, index, self.seen, partition_codes[index]
            )
            for index, part in enumerate(self.partitions)
        ]
        for job in jobs:
            job.result()
        codes = np.empty(length, dtype=np.int32)
        _combine_kernel(hashes, partition_codes, codes)
        self.seen += length
        return codes

    def finish(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return ``(mapping, dictionary_offsets, dictionary_bytes)``.

        ``mapping[code]`` is the final id of a provisional code; the distinct strings follow in
        final id order, as Arrow offsets (int64) and bytes.
        """
        self._pool.shutdown()
        partitions = self.partitions
        n_partitions = self.n_partitions
        sizes = [part.size for part in partitions]
        if max(sizes) * n_partitions >= 2**31:
            raise OverflowError(f"more than {2**31 // n_partitions:,} distinct ids per partition")
        firsts = np.concatenate([part.id_first[: part.size] for part in partitions])
        order = np.argsort(firsts, kind="stable")
        local_ids = np.concatenate([np.arange(size, dtype=np.int64) for size in sizes])
        owners = np.repeat(np.arange(n_partitions, dtype=np.int64), sizes)
        mapping = np.empty(max(sizes) * n_partitions, dtype=np.int32)
        mapping[local_ids[order] * n_partitions + owners[order]] = np.arange(
            len(order), dtype=np.int32
        )
        bases = np.cumsum([0] + [int(part.counts[1]) for part in partitions])
        starts = np.concatenate(
            [
                part.id_offsets[: part.size] + base
                for part, base in zip(partitions, bases, strict=False)
            ]
        )
        lengths = np.concatenate([np.diff(part.id_offsets[: part.size + 1]) for part in partitions])
        all_bytes = np.concatenate([part.id_bytes[: int(part.counts[1])] for part in partitions])
        dictionary_offsets = np.zeros(len(order) + 1, dtype=np.int64)
        dictionary_bytes = np.empty(int(bases[-1]), dtype=np.uint8)
        _gather_strings_kernel(
            starts[order],
            starts[order] + lengths[order],
            all_bytes,
            dictionary_offsets,
            dictionary_bytes,
        )
        return mapping, dictionary_offsets, dictionary_bytes


def remap(codes: np.ndarray, mapping: np.ndarray) -> None:
    """Replace provisional codes by final ids, in place (parallel)."""
    _remap_kernel(codes, mapping, codes)
