"""String interning straight from Arrow buffers, with cache-sized hash tables.

Every string gets a 64-bit hash (in parallel). The strings are then grouped by the top bits of
their hash into ``B`` buckets (a stable counting sort that also carries each string's key: its
first 23 bytes and length), and each bucket is looked up in its own small open-addressing table,
one bucket per task: a bucket's table and keys fit in a core's cache, so lookups do not wait on
memory. Two strings are the same entry when hash and key are equal, so strings of up to 23
bytes are compared exactly in the table; longer ones are also compared byte by byte with the
dictionary afterwards. A sequential pass numbers the new strings in order of first appearance
and appends their bytes to the dictionary. Ids do not depend on the number of threads.
"""

from __future__ import annotations

from typing import Final

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel
from graphkit.kernels.csr import part_cursors
from graphkit.kernels.hashing import mix64
from graphkit.kernels.memory import load_word

_EMPTY: Final = -1
# Records per part of the parallel passes; parts are contiguous, so the result does not depend
# on how many there are.
_PART_RECORDS: Final = 1 << 14
# Strings interned per round: the round's work arrays (about 50 bytes a string) stay in cache.
_ROUND_RECORDS: Final = 1 << 23
# Bytes of a string held in its key (with one byte of length); longer strings are compared
# with the dictionary as well.
KEY_BYTES: Final = 23
_K1 = np.uint64(0xBF58476D1CE4E5B9)


@numba.njit(inline="always", **JIT_OPTIONS)
def _mix(value: np.uint64, word: np.uint64) -> np.uint64:
    value = (value ^ word) * _K1
    return value ^ (value >> np.uint64(29))


@numba.njit(inline="always", **JIT_OPTIONS)
def _key_words(data: np.ndarray, begin: int, end: int) -> tuple[np.uint64, np.uint64, np.uint64]:
    """The first 23 bytes of a string and its length (capped at 255), in three words."""
    length = end - begin
    first = load_word(data, begin, min(8, length))
    second = load_word(data, begin + 8, min(8, length - 8))
    third = load_word(data, begin + 16, min(KEY_BYTES - 16, length - 16))
    return first, second, third | (np.uint64(min(length, 255)) << np.uint64(56))


@numba.njit(inline="always", **JIT_OPTIONS)
def _string_hash(data: np.ndarray, begin: int, end: int, seed: np.uint64) -> np.uint64:
    """Hash of ``data[begin:end]``: its key words, then any further bytes eight at a time,
    with a splitmix64 finaliser so that both the high (bucket) and low (slot) bits spread."""
    first, second, third = _key_words(data, begin, end)
    value = _mix(_mix(_mix(seed, first), second), third)
    position = begin + KEY_BYTES
    while position < end:
        value = _mix(value, load_word(data, position, min(8, end - position)))
        position += 8
    return mix64(value)


@parallel_kernel
def _hash_kernel(
    offsets: np.ndarray,
    data: np.ndarray,
    seed: np.uint64,
    mask: np.uint64,
    bucket_shift: np.uint64,
    hashes: np.ndarray,
    counts: np.ndarray,
) -> None:
    """Hash every string; ``counts[part, bucket]`` counts the strings of each part and bucket."""
    n_parts, n_buckets = counts.shape
    size = hashes.shape[0]
    for part in numba.prange(n_parts):
        for bucket in range(n_buckets):
            counts[part, bucket] = 0
        for index in range(size * part // n_parts, size * (part + 1) // n_parts):
            value = _string_hash(data, offsets[index], offsets[index + 1], seed) & mask
            hashes[index] = value
            counts[part, value >> bucket_shift] += 1


@parallel_kernel
def _group_kernel(
    offsets: np.ndarray,
    data: np.ndarray,
    hashes: np.ndarray,
    bucket_shift: np.uint64,
    cursors: np.ndarray,
    grouped: np.ndarray,
    grouped_index: np.ndarray,
) -> None:
    """Stable counting sort of ``(hash, key)`` rows and string positions by bucket, each part
    writing from its cursors (:func:`graphkit.kernels.csr.part_cursors`)."""
    n_parts = cursors.shape[0]
    size = hashes.shape[0]
    for part in numba.prange(n_parts):
        for index in range(size * part // n_parts, size * (part + 1) // n_parts):
            value = hashes[index]
            bucket = value >> bucket_shift
            position = cursors[part, bucket]
            first, second, third = _key_words(data, offsets[index], offsets[index + 1])
            grouped[position, 0] = value
            grouped[position, 1] = first
            grouped[position, 2] = second
            grouped[position, 3] = third
            grouped_index[position] = index
            cursors[part, bucket] = position + 1


@parallel_kernel
def _lookup_kernel(
    grouped: np.ndarray,
    grouped_index: np.ndarray,
    bucket_starts: np.ndarray,
    resume: np.ndarray,
    slots: np.ndarray,
    entry_hash: np.ndarray,
    entry_key: np.ndarray,
    entry_count: np.ndarray,
    grouped_entry: np.ndarray,
    entry_of: np.ndarray,
    is_new: np.ndarray,
) -> bool:
    """Find or add every string in its bucket's table, by hash and key.

    Bucket ``b`` owns ``slots[b * C:(b + 1) * C]`` and entries ``b * C // 2`` on;
    ``grouped_entry[p]`` receives the entry of the string at grouped position ``p``; where a
    string adds its entry, ``is_new[i]`` (cleared by the caller) is set and ``entry_of[i]``
    written. A bucket whose table is half full stops;
    ``resume[b]`` says where it goes on after the tables grow. Returns whether every bucket
    finished.
    """
    n_buckets = bucket_starts.shape[0] - 1
    capacity = slots.shape[0] // n_buckets
    entries = capacity // 2
    slot_mask = np.uint64(capacity - 1)
    finished = np.ones(n_buckets, dtype=np.bool_)
    for bucket in numba.prange(n_buckets):
        table = bucket * capacity
        first_entry = bucket * entries
        count = entry_count[bucket]
        stop = bucket_starts[bucket + 1]
        position = resume[bucket]
        while position < stop:
            value = grouped[position, 0]
            first = grouped[position, 1]
            second = grouped[position, 2]
            third = grouped[position, 3]
            slot = value & slot_mask
            entry = slots[table + slot]
            while entry != _EMPTY and not (
                entry_hash[entry] == value
                and entry_key[entry, 0] == first
                and entry_key[entry, 1] == second
                and entry_key[entry, 2] == third
            ):
                slot = (slot + np.uint64(1)) & slot_mask
                entry = slots[table + slot]
            added = entry == _EMPTY
            if added:
                if count == entries:
                    finished[bucket] = False
                    break
                entry = first_entry + count
                slots[table + slot] = entry
                entry_hash[entry] = value
                entry_key[entry, 0] = first
                entry_key[entry, 1] = second
                entry_key[entry, 2] = third
                count += 1
                is_new[grouped_index[position]] = True
                entry_of[grouped_index[position]] = entry
            grouped_entry[position] = entry
            position += 1
        resume[bucket] = position
        entry_count[bucket] = count
    return bool(finished.all())


@numba.njit(**JIT_OPTIONS)
def _number_kernel(
    offsets: np.ndarray,
    data: np.ndarray,
    is_new: np.ndarray,
    entry_of: np.ndarray,
    entry_id: np.ndarray,
    n_ids: int,
    id_offsets: np.ndarray,
    id_bytes: np.ndarray,
) -> int:
    """Number the entries added by this round in order of first appearance and append their
    bytes to the dictionary; returns the new number of ids."""
    used = id_offsets[n_ids]
    for index in range(is_new.shape[0]):
        if is_new[index]:
            entry_id[entry_of[index]] = n_ids
            for position in range(offsets[index], offsets[index + 1]):
                id_bytes[used] = data[position]
                used += 1
            n_ids += 1
            id_offsets[n_ids] = used
    return n_ids


@parallel_kernel
def _code_kernel(
    offsets: np.ndarray,
    data: np.ndarray,
    grouped: np.ndarray,
    grouped_index: np.ndarray,
    grouped_entry: np.ndarray,
    is_new: np.ndarray,
    entry_id: np.ndarray,
    id_offsets: np.ndarray,
    id_bytes: np.ndarray,
    codes: np.ndarray,
) -> int:
    """``codes[i]``: the id of string ``i``; -1 for a string of more than 23 bytes whose bytes
    differ from its entry's (same hash and key, different string). Returns how many.

    Runs in grouped order, so that the entries are read from cache and only ``codes`` is
    written out of order.
    """
    size = codes.shape[0]
    n_parts = max(1, (size + _PART_RECORDS - 1) // _PART_RECORDS)
    mismatches = np.zeros(n_parts, dtype=np.int64)
    for part in numba.prange(n_parts):
        for position in range(size * part // n_parts, size * (part + 1) // n_parts):
            index = grouped_index[position]
            code = entry_id[grouped_entry[position]]
            if grouped[position, 3] >> np.uint64(56) > KEY_BYTES and not is_new[index]:
                begin = offsets[index]
                length = offsets[index + 1] - begin
                stored = id_offsets[code]
                same = id_offsets[code + 1] - stored == length
                if same:
                    for offset in range(KEY_BYTES, length):
                        if id_bytes[stored + offset] != data[begin + offset]:
                            same = False
                            break
                if not same:
                    code = -1
                    mismatches[part] += 1
            codes[index] = code
    return int(mismatches.sum())


@numba.njit(**JIT_OPTIONS)
def _rehash_kernel(
    entry_hash: np.ndarray,
    entry_key: np.ndarray,
    entry_id: np.ndarray,
    entry_count: np.ndarray,
    old_entries: int,
    capacity: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Tables for ``capacity`` slots a bucket, entries keeping their order within each bucket;
    returns ``(slots, entry_hash, entry_key, entry_id, old_to_new)``."""
    n_buckets = entry_count.shape[0]
    entries = capacity // 2
    slots = np.full(n_buckets * capacity, _EMPTY, dtype=np.int32)
    moved_hash = np.zeros(n_buckets * entries, dtype=np.uint64)
    moved_key = np.zeros((n_buckets * entries, 3), dtype=np.uint64)
    moved_id = np.zeros(n_buckets * entries, dtype=np.int32)
    old_to_new = np.empty(n_buckets * old_entries, dtype=np.int32)
    slot_mask = np.uint64(capacity - 1)
    for bucket in range(n_buckets):
        for local in range(entry_count[bucket]):
            old = bucket * old_entries + local
            entry = bucket * entries + local
            value = entry_hash[old]
            moved_hash[entry] = value
            moved_key[entry] = entry_key[old]
            moved_id[entry] = entry_id[old]
            old_to_new[old] = entry
            slot = value & slot_mask
            while slots[bucket * capacity + slot] != _EMPTY:
                slot = (slot + np.uint64(1)) & slot_mask
            slots[bucket * capacity + slot] = entry
    return slots, moved_hash, moved_key, moved_id, old_to_new


class StringInterner:
    """Numbers distinct byte strings in order of first appearance, chunk by chunk.

    Feed chunks with :meth:`add`, which returns the id of each string; :meth:`finish` gives the
    distinct strings in id order. Ids follow the order of first appearance, with one exception
    too rare to meet by chance: a string of more than 23 bytes that shares its first 23 bytes,
    its length and its 64-bit hash with an earlier string is numbered after the other new
    strings of its round.

    Parameters
    ----------
    expected_unique
        A guess of the number of distinct strings, to size the tables.
    """

    def __init__(self, *, expected_unique: int = 1 << 16, _hash_mask: int = 2**64 - 1) -> None:
        # About 4,096 distinct strings a bucket: its table and keys stay in a core's cache.
        self.n_buckets = 1 << min(12, max(1, (int(expected_unique) >> 13).bit_length()))
        self.bucket_shift = np.uint64(64 - (self.n_buckets.bit_length() - 1))
        self.capacity = 1 << max(4, (2 * int(expected_unique) // self.n_buckets).bit_length())
        n_entries = self.n_buckets * self.capacity // 2
        self.slots = np.full(self.n_buckets * self.capacity, _EMPTY, dtype=np.int32)
        self.entry_hash = np.zeros(n_entries, dtype=np.uint64)
        self.entry_key = np.zeros((n_entries, 3), dtype=np.uint64)
        self.entry_id = np.zeros(n_entries, dtype=np.int32)
        self.entry_count = np.zeros(self.n_buckets, dtype=np.int64)
        self.n_ids = 0
        self.id_offsets = np.zeros(1 << 10, dtype=np.int64)
        self.id_bytes = np.empty(1 << 14, dtype=np.uint8)
        self.hash_mask = np.uint64(_hash_mask)  # tests narrow it to force collisions
        self.seed = np.uint64(0x243F6A8885A308D3)
        self.collided: dict[bytes, int] = {}
        self._work_arrays: tuple[np.ndarray, ...] | None = None

    def add(self, offsets: np.ndarray, data: np.ndarray) -> np.ndarray:
        """Intern one chunk in Arrow layout (string ``i`` is ``data[offsets[i]:offsets[i+1]]``).

        Returns
        -------
        numpy.ndarray
            int32 id of each string.

        Raises
        ------
        OverflowError
            When there are more distinct strings than int32 ids can number.
        """
        length = offsets.shape[0] - 1
        codes = np.empty(length, dtype=np.int32)
        data = _read_only(data)
        for start in range(0, length, _ROUND_RECORDS):
            stop = min(length, start + _ROUND_RECORDS)
            round_offsets = _read_only(offsets[start : stop + 1].astype(np.int64, copy=False))
            self._add_round(round_offsets, data, codes[start:stop])
        return codes

    def finish(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the distinct strings in id order, as Arrow offsets (int64) and bytes."""
        self._work_arrays = None
        offsets = self.id_offsets[: self.n_ids + 1].copy()
        return offsets, self.id_bytes[: int(offsets[-1])].copy()

    def _add_round(self, offsets: np.ndarray, data: np.ndarray, codes: np.ndarray) -> None:
        length = codes.shape[0]
        n_parts = max(1, (length + _PART_RECORDS - 1) // _PART_RECORDS)
        hashes, grouped, grouped_index, grouped_entry, entry_of, is_new = self._work(length)
        counts = np.empty((n_parts, self.n_buckets), dtype=np.int64)
        _hash_kernel(offsets, data, self.seed, self.hash_mask, self.bucket_shift, hashes, counts)
        bucket_starts = np.zeros(self.n_buckets + 1, dtype=np.int64)
        np.cumsum(counts.sum(axis=0), out=bucket_starts[1:])
        _group_kernel(
            offsets, data, hashes, self.bucket_shift, part_cursors(counts, bucket_starts),
            grouped, grouped_index,
        )  # fmt: skip
        is_new[:] = False
        resume = bucket_starts[:-1].copy()
        while not _lookup_kernel(
            grouped, grouped_index, bucket_starts, resume, self.slots, self.entry_hash,
            self.entry_key, self.entry_count, grouped_entry, entry_of, is_new,
        ):  # fmt: skip
            self._grow(grouped_index, grouped_entry, entry_of, is_new, resume, bucket_starts)
        self._reserve(length, int(offsets[-1] - offsets[0]))
        self.n_ids = _number_kernel(
            offsets, data, is_new, entry_of, self.entry_id, self.n_ids, self.id_offsets,
            self.id_bytes,
        )  # fmt: skip
        if self.n_ids >= 2**31 - length:
            raise OverflowError(f"more than {2**31 - 1:,} distinct ids")
        mismatches = _code_kernel(
            offsets, data, grouped, grouped_index, grouped_entry, is_new, self.entry_id,
            self.id_offsets, self.id_bytes, codes,
        )  # fmt: skip
        if mismatches:
            self._resolve_collisions(offsets, data, codes)

    def _work(self, length: int) -> tuple[np.ndarray, ...]:
        """Per-string work arrays of one round, kept from round to round: a fresh array costs
        the kernel's page zeroing, about as much as the round's own work."""
        if self._work_arrays is None or self._work_arrays[0].shape[0] < length:
            self._work_arrays = (
                np.empty(length, dtype=np.uint64),  # hashes
                np.empty((length, 4), dtype=np.uint64),  # grouped hash and key
                np.empty(length, dtype=np.int32),  # grouped string positions
                np.empty(length, dtype=np.int32),  # grouped entries
                np.empty(length, dtype=np.int32),  # entry of each new string
                np.empty(length, dtype=np.bool_),  # whether a string is new
            )
        return tuple(array[:length] for array in self._work_arrays)

    def _grow(
        self,
        grouped_index: np.ndarray,
        grouped_entry: np.ndarray,
        entry_of: np.ndarray,
        is_new: np.ndarray,
        resume: np.ndarray,
        bucket_starts: np.ndarray,
    ) -> None:
        old_entries = self.capacity // 2
        self.capacity *= 2
        if self.n_buckets * self.capacity >= 2**31:
            raise OverflowError(f"more than {2**30:,} distinct ids")
        self.slots, self.entry_hash, self.entry_key, self.entry_id, old_to_new = _rehash_kernel(
            self.entry_hash, self.entry_key, self.entry_id, self.entry_count, old_entries,
            self.capacity,
        )  # fmt: skip
        # Strings of this round looked up before the growth point hold old entry numbers.
        done = np.concatenate(
            [np.arange(start, stop) for start, stop in zip(bucket_starts[:-1], resume, strict=True)]
        )
        grouped_entry[done] = old_to_new[grouped_entry[done]]
        added = grouped_index[done][is_new[grouped_index[done]]]
        entry_of[added] = old_to_new[entry_of[added]]

    def _reserve(self, strings: int, size: int) -> None:
        needed_ids = self.n_ids + strings + 1
        if needed_ids > self.id_offsets.shape[0]:
            self.id_offsets = _grown(self.id_offsets, max(needed_ids, 2 * self.id_offsets.shape[0]))
        needed_bytes = int(self.id_offsets[self.n_ids]) + size
        if needed_bytes > self.id_bytes.shape[0]:
            self.id_bytes = _grown(self.id_bytes, max(needed_bytes, 2 * self.id_bytes.shape[0]))

    def _resolve_collisions(self, offsets: np.ndarray, data: np.ndarray, codes: np.ndarray) -> None:
        """Give the long strings that met a different string of the same hash and key their
        own ids (plain Python: it takes a 64-bit hash collision to get here)."""
        for index in np.flatnonzero(codes < 0):
            key = data[offsets[index] : offsets[index + 1]].tobytes()
            code = self.collided.get(key)
            if code is None:
                self._reserve(1, len(key))
                used = int(self.id_offsets[self.n_ids])
                self.id_bytes[used : used + len(key)] = np.frombuffer(key, dtype=np.uint8)
                code = self.n_ids
                self.n_ids += 1
                self.id_offsets[self.n_ids] = used + len(key)
                self.collided[key] = code
            codes[index] = code


def _read_only(array: np.ndarray) -> np.ndarray:
    """A read-only view of ``array``: Arrow's buffers arrive read-only, and kernels given
    read-only int64 offsets and bytes always compile once, whatever a string column holds
    (numba compiles a kernel again for each new combination of array types)."""
    view = array.view()
    view.flags.writeable = False
    return view


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    larger = np.empty(size, dtype=array.dtype)
    larger[: array.shape[0]] = array
    return larger
