"""Compressed sparse row construction: counting sort by target and duplicate merging."""

from __future__ import annotations

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, PARALLEL_JIT_OPTIONS


@numba.njit(**PARALLEL_JIT_OPTIONS)
def _count_by_part_kernel(keys: np.ndarray, n_keys: int, n_parts: int) -> np.ndarray:
    """``counts[p, k]``: entries with key ``k`` in the ``p``-th contiguous part of ``keys``."""
    counts = np.zeros((n_parts, n_keys), dtype=np.int64)
    size = keys.shape[0]
    for part in numba.prange(n_parts):
        for entry in range(size * part // n_parts, size * (part + 1) // n_parts):
            counts[part, keys[entry]] += 1
    return counts


@numba.njit(**PARALLEL_JIT_OPTIONS)
def _scatter_by_part_kernel(
    keys: np.ndarray,
    counts: np.ndarray,
    indptr: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray,
    flags: np.ndarray,
    out_columns: np.ndarray,
    out_weights: np.ndarray,
    out_flags: np.ndarray,
) -> None:
    """Place entry ``e`` under key ``keys[e]``, keeping input order within each key (stable).

    Each part writes from its own cursor per key, placed after the entries of the parts
    before it, so the result is the same whatever the number of parts.
    """
    n_parts, n_keys = counts.shape
    size = keys.shape[0]
    cursors = np.empty((n_parts, n_keys), dtype=np.int64)
    for key in numba.prange(n_keys):
        position = indptr[key]
        for part in range(n_parts):
            cursors[part, key] = position
            position += counts[part, key]
    for part in numba.prange(n_parts):
        for entry in range(size * part // n_parts, size * (part + 1) // n_parts):
            key = keys[entry]
            position = cursors[part, key]
            cursors[part, key] = position + 1
            out_columns[position] = columns[entry]
            out_weights[position] = weights[entry]
            out_flags[position] = flags[entry]


@numba.njit(**PARALLEL_JIT_OPTIONS)
def _sort_rows_kernel(
    indptr: np.ndarray, columns: np.ndarray, weights: np.ndarray, flags: np.ndarray
) -> None:
    """Sort each row's entries by column, stably (equal columns keep their order)."""
    for row in numba.prange(indptr.shape[0] - 1):
        start, end = indptr[row], indptr[row + 1]
        if end - start <= 32:
            for edge in range(start + 1, end):  # insertion sort: short rows, in cache
                column, weight, flag = columns[edge], weights[edge], flags[edge]
                position = edge - 1
                while position >= start and columns[position] > column:
                    columns[position + 1] = columns[position]
                    weights[position + 1] = weights[position]
                    flags[position + 1] = flags[position]
                    position -= 1
                columns[position + 1] = column
                weights[position + 1] = weight
                flags[position + 1] = flag
        else:
            order = np.argsort(columns[start:end], kind="mergesort")
            columns[start:end] = columns[start:end][order]
            weights[start:end] = weights[start:end][order]
            flags[start:end] = flags[start:end][order]


@numba.njit(**JIT_OPTIONS)
def _merge_adjacent_kernel(
    indptr: np.ndarray, columns: np.ndarray, weights: np.ndarray, flags: np.ndarray
) -> np.ndarray:
    """Merge equal neighbouring columns within each row in place (rows sorted by column).

    Weights add up and flags are OR-ed; returns the new ``indptr``.
    """
    n_rows = indptr.shape[0] - 1
    merged_indptr = np.zeros(n_rows + 1, dtype=np.int64)
    write = 0
    for row in range(n_rows):
        row_start = write
        for edge in range(indptr[row], indptr[row + 1]):
            column = columns[edge]
            if write > row_start and columns[write - 1] == column:
                weights[write - 1] += weights[edge]
                flags[write - 1] |= flags[edge]
            else:
                columns[write] = column
                weights[write] = weights[edge]
                flags[write] = flags[edge]
                write += 1
        merged_indptr[row + 1] = write
    return merged_indptr


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


def _stable_scatter(
    keys: np.ndarray,
    n_keys: int,
    columns: np.ndarray,
    weights: np.ndarray,
    flags: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Counting sort of the entries by ``keys``, keeping their order within each key."""
    n_parts = max(1, min(numba.get_num_threads(), keys.shape[0] // 65536))
    counts = _count_by_part_kernel(keys, n_keys, n_parts)
    indptr = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(counts.sum(axis=0), out=indptr[1:])
    out_columns = np.empty(keys.shape[0], dtype=columns.dtype)
    out_weights = np.empty(keys.shape[0], dtype=np.float64)
    out_flags = np.empty(keys.shape[0], dtype=np.uint8)
    _scatter_by_part_kernel(
        keys, counts, indptr, columns, weights, flags, out_columns, out_weights, out_flags
    )
    return indptr, out_columns, out_weights, out_flags


def csr_by_row(
    rows: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray,
    flags: np.ndarray,
    n_rows: int,
    n_columns: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Build a duplicate-free CSR matrix, columns ascending within each row.

    A stable counting sort by row, then a stable sort of each row by column (in parallel
    over rows, in cache), so duplicates are neighbours and merge in one pass.

    Parameters
    ----------
    rows, columns
        int32 row and column of each entry.
    weights
        float64 value of each entry; duplicates add up.
    flags
        uint8 bit flags of each entry; duplicates are OR-ed.
    n_rows, n_columns
        Matrix shape.

    Returns
    -------
    indptr, columns, weights, flags
        int64 ``indptr`` of length ``n_rows + 1`` and the merged entries.
    """
    indptr, out_columns, out_weights, out_flags = _stable_scatter(
        rows, n_rows, columns, weights, flags
    )
    _sort_rows_kernel(indptr, out_columns, out_weights, out_flags)
    merged_indptr = _merge_adjacent_kernel(indptr, out_columns, out_weights, out_flags)
    size = int(merged_indptr[-1])
    if size < out_columns.shape[0]:
        out_columns = out_columns[:size].copy()
        out_weights = out_weights[:size].copy()
        out_flags = out_flags[:size].copy()
    return merged_indptr, out_columns, out_weights, out_flags


def count_flagged(indptr: np.ndarray, flags: np.ndarray, mask: int) -> np.ndarray:
    """Count, per row, the entries whose flags share a bit with ``mask``."""
    return _count_flagged_kernel(indptr, flags, mask)
