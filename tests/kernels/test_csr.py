"""CSR construction against a sort-based reference, on one and two threads."""

from __future__ import annotations

import numpy as np
import pytest

from graphkit.config import set_threads
from graphkit.kernels.csr import csr_by_row


def _reference(rows, columns, weights, flags, n_rows):
    keys = rows.astype(np.int64) * (columns.max() + 1) + columns
    unique, inverse = np.unique(keys, return_inverse=True)
    summed = np.bincount(inverse, weights=weights)
    merged_flags = np.zeros(unique.shape[0], dtype=np.uint8)
    np.bitwise_or.at(merged_flags, inverse, flags)
    unique_rows = unique // (columns.max() + 1)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(unique_rows, minlength=n_rows), out=indptr[1:])
    return indptr, unique % (columns.max() + 1), summed, merged_flags


@pytest.mark.parametrize("threads", [1, 2])
def test_matches_sort_reference(threads):
    rng = np.random.default_rng(3)
    n, m = 5_000, 300_000
    rows = rng.integers(0, n, m).astype(np.int32)
    columns = (rng.zipf(1.5, m) % n).astype(np.int32)
    weights = rng.random(m)
    flags = rng.integers(1, 3, m).astype(np.uint8)
    try:
        set_threads(threads)
        indptr, out_columns, out_weights, out_flags = csr_by_row(
            rows, columns, weights, flags, n, n
        )
    finally:
        set_threads(0)
    expected = _reference(rows, columns, weights, flags, n)
    np.testing.assert_array_equal(indptr, expected[0])
    np.testing.assert_array_equal(out_columns, expected[1])
    np.testing.assert_allclose(out_weights, expected[2], rtol=1e-12)
    np.testing.assert_array_equal(out_flags, expected[3])


def test_same_bits_on_one_and_two_threads():
    rng = np.random.default_rng(4)
    n, m = 2_000, 200_000
    rows = rng.integers(0, n, m).astype(np.int32)
    columns = rng.integers(0, n, m).astype(np.int32)
    weights = rng.random(m)
    flags = np.ones(m, dtype=np.uint8)
    results = []
    for threads in (1, 2):
        try:
            set_threads(threads)
            results.append(csr_by_row(rows, columns, weights, flags, n, n))
        finally:
            set_threads(0)
    for one, two in zip(*results, strict=True):
        assert one.tobytes() == two.tobytes()
