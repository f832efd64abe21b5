"""Compressed sparse row construction: counting sort by row and duplicate merging; the sum of
a matrix and its transpose.

Entries are placed under their row by a parallel stable counting sort (each contiguous part
of the input writes from its own cursors, so the result does not depend on the number of
parts), each row is then sorted by column in cache, and equal neighbours merge. Node numbers
can be relabelled on the way, and entries that all weigh the same carry no weights or flags
until the merge, which counts them.
"""

from __future__ import annotations

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel

_PART_ENTRIES = 1 << 16


@numba.njit(inline="always", **JIT_OPTIONS)
def _label(relabel: np.ndarray, value: np.int64) -> np.int64:
    return np.int64(relabel[value]) if relabel.shape[0] else np.int64(value)


@parallel_kernel
def _count_by_part_kernel(
    keys: np.ndarray, relabel: np.ndarray, n_keys: int, n_parts: int
) -> np.ndarray:
    """``counts[p, k]``: entries with (relabelled) key ``k`` in the ``p``-th part of ``keys``."""
    counts = np.zeros((n_parts, n_keys), dtype=np.int64)
    size = keys.shape[0]
    for part in numba.prange(n_parts):
        for entry in range(size * part // n_parts, size * (part + 1) // n_parts):
            counts[part, _label(relabel, keys[entry])] += 1
    return counts


@parallel_kernel
def _scatter_by_part_kernel(
    keys: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray,
    flags: np.ndarray,
    relabel: np.ndarray,
    carry: bool,
    cursors: np.ndarray,
    out_columns: np.ndarray,
    out_weights: np.ndarray,
    out_flags: np.ndarray,
) -> None:
    """Place entry ``e`` under its key, keeping input order within each key (stable).

    ``cursors[p, k]`` is where part ``p`` writes its next entry of key ``k`` (from
    :func:`part_cursors`). Weights and flags move along only when ``carry``.
    """
    n_parts = cursors.shape[0]
    size = keys.shape[0]
    for part in numba.prange(n_parts):
        for entry in range(size * part // n_parts, size * (part + 1) // n_parts):
            key = _label(relabel, keys[entry])
            position = cursors[part, key]
            cursors[part, key] = position + 1
            out_columns[position] = _label(relabel, columns[entry])
            if carry:
                out_weights[position] = weights[entry]
                out_flags[position] = flags[entry]


@parallel_kernel
def _sort_rows_kernel(
    indptr: np.ndarray, columns: np.ndarray, weights: np.ndarray, flags: np.ndarray, carry: bool
) -> None:
    """Sort each row's entries by column, stably (equal columns keep their order)."""
    for row in numba.prange(indptr.shape[0] - 1):
        start, end = indptr[row], indptr[row + 1]
        if end - start <= 32:
            for edge in range(start + 1, end):  # insertion sort: short rows, in cache
                column = columns[edge]
                weight = weights[edge] if carry else 0.0
                flag = flags[edge] if carry else 0
                position = edge - 1
                while position >= start and columns[position] > column:
                    columns[position + 1] = columns[position]
                    if carry:
                        weights[position + 1] = weights[position]
                        flags[position + 1] = flags[position]
                    position -= 1
                columns[position + 1] = column
                if carry:
                    weights[position + 1] = weight
                    flags[position + 1] = flag
        else:
            order = _stable_order(columns, start, end)
            row_columns = columns[start:end].copy()
            row_weights = weights[start:end].copy() if carry else weights[:0]
            row_flags = flags[start:end].copy() if carry else flags[:0]
            for position in range(end - start):
                columns[start + position] = row_columns[order[position]]
                if carry:
                    weights[start + position] = row_weights[order[position]]
                    flags[start + position] = row_flags[order[position]]


@numba.njit(**JIT_OPTIONS)
def _stable_order(keys: np.ndarray, start: int, end: int) -> np.ndarray:
    """Positions (from ``start``) of ``keys[start:end]`` in stable ascending order: a
    bottom-up merge sort of (key, position) pairs over runs of 16 sorted by insertion.

    Written out rather than ``np.argsort(kind="mergesort")``, which took 2-4 s to compile
    (with the fancy indexing around it), most of a first run's build. The keys move with
    their positions, so every comparison reads memory in order.
    """
    size = end - start
    values = keys[start:end].copy()
    order = np.arange(size)
    run = 16
    for first in range(0, size, run):
        for index in range(first + 1, min(first + run, size)):
            value = values[index]
            moving = order[index]
            position = index - 1
            while position >= first and values[position] > value:
                values[position + 1] = values[position]
                order[position + 1] = order[position]
                position -= 1
            values[position + 1] = value
            order[position + 1] = moving
    merged_values = np.empty_like(values)
    merged_order = np.empty_like(order)
    width = run
    while width < size:
        for left in range(0, size, 2 * width):
            middle = min(left + width, size)
            right = min(left + 2 * width, size)
            a, b, out = left, middle, left
            while a < middle and b < right:
                if values[b] < values[a]:  # ties take the left run's first: stable
                    merged_values[out] = values[b]
                    merged_order[out] = order[b]
                    b += 1
                else:
                    merged_values[out] = values[a]
                    merged_order[out] = order[a]
                    a += 1
                out += 1
            while a < middle:
                merged_values[out] = values[a]
                merged_order[out] = order[a]
                a += 1
                out += 1
            while b < right:
                merged_values[out] = values[b]
                merged_order[out] = order[b]
                b += 1
                out += 1
        values, merged_values = merged_values, values
        order, merged_order = merged_order, order
        width *= 2
    return order


@parallel_kernel
def _distinct_per_row_kernel(indptr: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Distinct columns of each row (rows sorted by column)."""
    n_rows = indptr.shape[0] - 1
    distinct = np.zeros(n_rows, dtype=np.int64)
    for row in numba.prange(n_rows):
        count = 0
        for edge in range(indptr[row], indptr[row + 1]):
            if edge == indptr[row] or columns[edge] != columns[edge - 1]:
                count += 1
        distinct[row] = count
    return distinct


@parallel_kernel
def _merge_rows_kernel(
    indptr: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray,
    flags: np.ndarray,
    carry: bool,
    merged_indptr: np.ndarray,
    out_columns: np.ndarray,
    out_weights: np.ndarray,
    out_flags: np.ndarray,
) -> None:
    """Merge equal neighbouring columns of each row into the output arrays.

    Weights add up (in input order) and flags are OR-ed; without ``carry``, ``out_weights``
    receives the number of entries merged.
    """
    for row in numba.prange(indptr.shape[0] - 1):
        write = merged_indptr[row] - 1
        for edge in range(indptr[row], indptr[row + 1]):
            if edge == indptr[row] or columns[edge] != columns[edge - 1]:
                write += 1
                out_columns[write] = columns[edge]
                out_weights[write] = weights[edge] if carry else 1.0
                if carry:
                    out_flags[write] = flags[edge]
            elif carry:
                out_weights[write] += weights[edge]
                out_flags[write] |= flags[edge]
            else:
                out_weights[write] += 1.0


@parallel_kernel
def _transpose_scatter_kernel(
    indptr: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray,
    carry: bool,
    cursors: np.ndarray,
    out_columns: np.ndarray,
    out_weights: np.ndarray,
) -> None:
    """Write each entry ``(r, c)`` as ``(c, r)``; rows in order, so each output row ascends.

    Part ``p`` takes the ``p``-th contiguous run of entries, as :func:`_count_by_part_kernel`
    counted them, and writes from ``cursors[p]``.
    """
    n_parts = cursors.shape[0]
    size = columns.shape[0]
    for part in numba.prange(n_parts):
        first, last = size * part // n_parts, size * (part + 1) // n_parts
        row = np.searchsorted(indptr, first, side="right") - 1
        for edge in range(first, last):
            while indptr[row + 1] <= edge:  # past the end of this row (or of empty ones)
                row += 1
            column = columns[edge]
            position = cursors[part, column]
            cursors[part, column] = position + 1
            out_columns[position] = row
            if carry:
                out_weights[position] = weights[edge]


@parallel_kernel
def _union_sizes_kernel(
    indptr: np.ndarray, columns: np.ndarray, t_indptr: np.ndarray, t_columns: np.ndarray
) -> np.ndarray:
    """Distinct columns in each row of two matrices with ascending rows, taken together."""
    n_rows = indptr.shape[0] - 1
    sizes = np.zeros(n_rows, dtype=np.int64)
    for row in numba.prange(n_rows):
        left, left_end = indptr[row], indptr[row + 1]
        right, right_end = t_indptr[row], t_indptr[row + 1]
        count = 0
        while left < left_end and right < right_end:
            a, b = columns[left], t_columns[right]
            left += a <= b
            right += b <= a
            count += 1
        sizes[row] = count + (left_end - left) + (right_end - right)
    return sizes


@parallel_kernel
def _union_kernel(
    indptr: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray,
    t_indptr: np.ndarray,
    t_columns: np.ndarray,
    t_weights: np.ndarray,
    carry: bool,
    common: float,
    out_indptr: np.ndarray,
    out_columns: np.ndarray,
    out_weights: np.ndarray,
) -> None:
    """Merge each row of the two matrices; a column in both gets the sum of its two weights
    (without ``carry``, every entry weighs ``common``)."""
    for row in numba.prange(indptr.shape[0] - 1):
        left, left_end = indptr[row], indptr[row + 1]
        right, right_end = t_indptr[row], t_indptr[row + 1]
        write = out_indptr[row]
        while left < left_end or right < right_end:
            a = columns[left] if left < left_end else np.iinfo(np.int64).max
            b = t_columns[right] if right < right_end else np.iinfo(np.int64).max
            weight = 0.0
            if a <= b:
                weight += weights[left] if carry else common
                left += 1
            if b <= a:
                weight += t_weights[right] if carry else common
                right += 1
            out_columns[write] = min(a, b)
            out_weights[write] = weight
            write += 1


def symmetric_sum(
    indptr: np.ndarray, columns: np.ndarray, weights: np.ndarray | float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``A + A^T`` of a square CSR matrix ``A`` whose rows list their columns ascending.

    A transpose by a stable counting sort (its rows come out ascending) and a merge of each
    row with the same row of the transpose: no sorting. Row ``u`` of the result holds each
    ``v`` with ``A[u, v]`` or ``A[v, u]`` once, weighing their sum (a diagonal entry twice).

    Parameters
    ----------
    indptr, columns
        int64 row pointers and int32 columns (ascending within each row, no duplicates).
    weights
        float64 value of each entry, or one value for all.

    Returns
    -------
    indptr, columns, weights
        The symmetric matrix, columns ascending within each row.

    Examples
    --------
    >>> indptr, columns, weights = symmetric_sum(
    ...     np.array([0, 2, 2, 3]), np.array([1, 2, 0], dtype=np.int32), 1.0
    ... )
    >>> indptr.tolist(), columns.tolist(), weights.tolist()
    ([0, 2, 3, 4], [1, 2, 0, 0], [1.0, 2.0, 1.0, 2.0])
    """
    n = indptr.shape[0] - 1
    size = int(indptr[-1])
    carry = isinstance(weights, np.ndarray)
    entry_weights = np.ascontiguousarray(weights, dtype=np.float64) if carry else np.empty(0)
    common = 0.0 if carry else float(weights)
    n_parts = max(1, min(numba.get_num_threads(), size // _PART_ENTRIES))
    counts = _count_by_part_kernel(columns[:size], np.empty(0, dtype=np.int32), n, n_parts)
    t_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=t_indptr[1:])
    t_columns = np.empty(size, dtype=columns.dtype)
    t_weights = np.empty(size if carry else 0)
    _transpose_scatter_kernel(
        indptr, columns[:size], entry_weights, carry, part_cursors(counts, t_indptr), t_columns,
        t_weights,
    )  # fmt: skip
    del counts
    out_indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(_union_sizes_kernel(indptr, columns, t_indptr, t_columns), out=out_indptr[1:])
    out_columns = np.empty(int(out_indptr[-1]), dtype=columns.dtype)
    out_weights = np.empty(int(out_indptr[-1]))
    _union_kernel(
        indptr, columns, entry_weights, t_indptr, t_columns, t_weights, carry, common,
        out_indptr, out_columns, out_weights,
    )  # fmt: skip
    return out_indptr, out_columns, out_weights


@numba.njit(**JIT_OPTIONS)
def _count_flagged_kernel(indptr: np.ndarray, flags: np.ndarray, mask: int) -> np.ndarray:
    """Count, per row, the entries whose flags share a bit with ``mask``."""
    n_rows = indptr.shape[0] - 1
    counts = np.zeros(n_rows, dtype=np.int64)
    for row in range(n_rows):
        total = 0
        for edge in range(indptr[row], indptr[row + 1]):
            if flags[edge] & mask:
                total += 1
        counts[row] = total
    return counts


@numba.njit(**JIT_OPTIONS)
def _descending_order_kernel(values: np.ndarray) -> np.ndarray:
    """Positions of ``values`` (integers >= 0) from largest to smallest, ties in order."""
    n = values.shape[0]
    largest = 0
    for index in range(n):
        largest = max(largest, values[index])
    starts = np.zeros(largest + 2, dtype=np.int64)
    for index in range(n):
        starts[largest - values[index] + 1] += 1
    for value in range(1, largest + 2):
        starts[value] += starts[value - 1]
    order = np.empty(n, dtype=np.int64)
    for index in range(n):
        slot = largest - values[index]
        order[starts[slot]] = index
        starts[slot] += 1
    return order


def part_cursors(counts: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Where each part of a stable counting sort writes its first entry of each key.

    ``counts[p, k]`` counts the entries of key ``k`` in part ``p``; key ``k`` starts at
    ``starts[k]``, and each part writes after the parts before it, so the sort is stable
    whatever the number of parts.

    Examples
    --------
    >>> part_cursors(np.array([[1, 0], [2, 1]]), np.array([0, 3])).tolist()
    [[0, 3], [1, 3]]
    """
    cursors: np.ndarray = np.cumsum(counts, axis=0) - counts + starts[: counts.shape[1]]
    return cursors


def descending_order(values: np.ndarray) -> np.ndarray:
    """Stable order of non-negative integers from largest to smallest (a counting sort).

    Examples
    --------
    >>> descending_order(np.array([1, 3, 0, 3])).tolist()
    [1, 3, 0, 2]
    """
    return _descending_order_kernel(np.ascontiguousarray(values, dtype=np.int64))


def csr_by_row(
    rows: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray | float,
    flags: np.ndarray | int,
    n_rows: int,
    n_columns: int,
    *,
    relabel: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Build a duplicate-free CSR matrix, columns ascending within each row.

    Parameters
    ----------
    rows, columns
        int32 row and column of each entry.
    weights
        float64 value of each entry, or one value for all; duplicates add up.
    flags
        uint8 bit flags of each entry, or the flags of all; duplicates are OR-ed.
    n_rows, n_columns
        Matrix shape.
    relabel
        int32 new number of each row and column number (a permutation), applied on the way.

    Returns
    -------
    indptr, columns, weights, flags
        int64 ``indptr`` of length ``n_rows + 1`` and the merged entries; without per-entry
        weights and no duplicates, weights and flags are read-only views of one value
        (:func:`uniform_values`).
    """
    size = rows.shape[0]
    carry = isinstance(weights, np.ndarray) or isinstance(flags, np.ndarray)
    if carry:
        weights = np.broadcast_to(np.asarray(weights, dtype=np.float64), (size,))
        flags = np.broadcast_to(np.asarray(flags, dtype=np.uint8), (size,))
        weights, flags = np.ascontiguousarray(weights), np.ascontiguousarray(flags)
    else:
        common_weight, common_flags = float(weights), int(flags)
        weights, flags = np.empty(0), np.empty(0, dtype=np.uint8)
    labels = np.empty(0, dtype=np.int32) if relabel is None else relabel
    n_parts = max(1, min(numba.get_num_threads(), size // _PART_ENTRIES))
    counts = _count_by_part_kernel(rows, labels, n_rows, n_parts)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=indptr[1:])
    out_columns = np.empty(size, dtype=columns.dtype)
    out_weights = np.empty(size if carry else 0, dtype=np.float64)
    out_flags = np.empty(size if carry else 0, dtype=np.uint8)
    _scatter_by_part_kernel(
        rows, columns, weights, flags, labels, carry, part_cursors(counts, indptr), out_columns,
        out_weights, out_flags,
    )  # fmt: skip
    del counts
    _sort_rows_kernel(indptr, out_columns, out_weights, out_flags, carry)
    merged_indptr = distinct_per_row(indptr, out_columns)
    merged = int(merged_indptr[-1])
    if merged < size:
        out_columns, out_weights, out_flags = merge_rows(
            indptr, out_columns, out_weights, out_flags, merged_indptr
        )
        if not carry:
            out_weights *= common_weight
    elif not carry:
        out_weights = uniform_values(common_weight, merged, np.float64)
    if not carry:
        out_flags = uniform_values(common_flags, merged, np.uint8)
    return merged_indptr, out_columns, out_weights, out_flags


def merge_rows(
    indptr: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray,
    flags: np.ndarray,
    merged_indptr: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries of rows sorted by column with equal neighbours merged (``merged_indptr``
    from :func:`distinct_per_row`): weights add up and flags are OR-ed; without weights
    (empty ``weights`` and ``flags``) each merged entry weighs the number of entries merged."""
    carry = weights.shape[0] > 0
    merged = int(merged_indptr[-1])
    out_columns = np.empty(merged, dtype=columns.dtype)
    out_weights = np.empty(merged, dtype=np.float64)
    out_flags = np.empty(merged if carry else 0, dtype=np.uint8)
    _merge_rows_kernel(
        indptr, columns, weights, flags, carry, merged_indptr, out_columns, out_weights, out_flags
    )
    return out_columns, out_weights, out_flags


def distinct_per_row(indptr: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """int64 indptr of the rows (sorted by column) once equal neighbours are merged."""
    merged_indptr = np.zeros(indptr.shape[0], dtype=np.int64)
    np.cumsum(_distinct_per_row_kernel(indptr, columns), out=merged_indptr[1:])
    return merged_indptr


def sort_rows(indptr: np.ndarray, columns: np.ndarray) -> None:
    """Sort each row's columns ascending, in place (rows of entries without weights)."""
    _sort_rows_kernel(indptr, columns, np.empty(0), np.empty(0, dtype=np.uint8), False)


@numba.njit(**JIT_OPTIONS)
def _source_sums_kernel(sources: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    sums = np.zeros(n)
    for edge in range(sources.shape[0]):
        sums[sources[edge]] += weights[edge]
    return sums


def source_sums(sources: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """float64 sum of the weights of each source's entries, added in entry order: the sums
    ``np.bincount(sources, weights)`` gives, bit for bit, without the int64 copy of
    ``sources`` it makes (12 GB at 1.47B entries)."""
    return _source_sums_kernel(sources, weights, n)


def uniform_values(value: float, size: int, dtype: type) -> np.ndarray:
    """``size`` copies of ``value`` that take no memory: a read-only view of one element
    (what an edge array is when every edge weighs the same; see
    :attr:`graphkit.graph.SocialGraph.uniform_weights`)."""
    return np.broadcast_to(np.asarray(value, dtype=dtype), (size,))


def count_flagged(indptr: np.ndarray, flags: np.ndarray, mask: int) -> np.ndarray:
    """Count, per row, the entries whose flags share a bit with ``mask``."""
    return _count_flagged_kernel(indptr, flags, mask)
