"""Compressed sparse row construction: counting sort by target and duplicate merging."""

from __future__ import annotations

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS


@numba.njit(**JIT_OPTIONS)
def _scatter_by_row_kernel(
    rows: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray,
    flags: np.ndarray,
    indptr: np.ndarray,
    out_columns: np.ndarray,
    out_weights: np.ndarray,
    out_flags: np.ndarray,
) -> None:
    """Place edge ``e`` in row ``rows[e]``, keeping input order within each row (stable)."""
    cursor = indptr[:-1].copy()
    for edge in range(rows.shape[0]):
        row = rows[edge]
        position = cursor[row]
        cursor[row] = position + 1
        out_columns[position] = columns[edge]
        out_weights[position] = weights[edge]
        out_flags[position] = flags[edge]


@numba.njit(**JIT_OPTIONS)
def _merge_duplicates_kernel(
    indptr: np.ndarray, columns: np.ndarray, weights: np.ndarray, flags: np.ndarray, n_columns: int
) -> np.ndarray:
    """Merge repeated columns within each row in place: weights add up, flags are OR-ed.

    Returns the new ``indptr``; the merged entries occupy the front of the arrays, each row
    keeping the order of first occurrence.
    """
    n_rows = indptr.shape[0] - 1
    last_row = np.full(n_columns, -1, dtype=np.int64)
    slot = np.zeros(n_columns, dtype=np.int64)
    merged_indptr = np.zeros(n_rows + 1, dtype=np.int64)
    write = 0
    for row in range(n_rows):
        for edge in range(indptr[row], indptr[row + 1]):
            column = columns[edge]
            if last_row[column] == row:
                target = slot[column]
                weights[target] += weights[edge]
                flags[target] |= flags[edge]
            else:
                last_row[column] = row
                slot[column] = write
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


def csr_by_row(
    rows: np.ndarray,
    columns: np.ndarray,
    weights: np.ndarray,
    flags: np.ndarray,
    n_rows: int,
    n_columns: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Build a duplicate-free CSR matrix from coordinate arrays.

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
    counts = np.bincount(rows, minlength=n_rows)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    out_columns = np.empty(rows.shape[0], dtype=np.int32)
    out_weights = np.empty(rows.shape[0], dtype=np.float64)
    out_flags = np.empty(rows.shape[0], dtype=np.uint8)
    _scatter_by_row_kernel(
        rows, columns, weights, flags, indptr, out_columns, out_weights, out_flags
    )
    merged_indptr = _merge_duplicates_kernel(indptr, out_columns, out_weights, out_flags, n_columns)
    size = int(merged_indptr[-1])
    if size < out_columns.shape[0]:
        out_columns = out_columns[:size].copy()
        out_weights = out_weights[:size].copy()
        out_flags = out_flags[:size].copy()
    return merged_indptr, out_columns, out_weights, out_flags


def count_flagged(indptr: np.ndarray, flags: np.ndarray, mask: int) -> np.ndarray:
    """Count, per row, the entries whose flags share a bit with ``mask``."""
    return _count_flagged_kernel(indptr, flags, mask)
