"""CSR construction against a sort-based reference, on one and two threads."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.config import set_threads
from graphkit.kernels.csr import csr_by_row, source_sums, symmetric_sum, uniform_values


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


def _dense_symmetric_sum(indptr, columns, weights, n):
    dense = np.zeros((n, n))
    for row in range(n):
        for edge in range(indptr[row], indptr[row + 1]):
            dense[row, columns[edge]] += weights[edge]
    return dense + dense.T, (dense != 0) | (dense.T != 0)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("uniform", [False, True], ids=["weights", "one-weight"])
def test_symmetric_sum_matches_a_dense_reference(threads, uniform):
    rng = np.random.default_rng(8)
    n, m = 300, 200_000  # enough entries for two parts of the transpose
    rows = rng.integers(0, n, m).astype(np.int32)
    columns = (rng.zipf(1.3, m) % n).astype(np.int32)
    indptr, columns, weights, _ = csr_by_row(rows, columns, rng.random(m) + 0.5, 0, n, n)
    entry_weights = np.full(columns.shape[0], 1.5) if uniform else weights
    try:
        set_threads(threads)
        out_indptr, out_columns, out_weights = symmetric_sum(
            indptr, columns, 1.5 if uniform else weights
        )
    finally:
        set_threads(0)
    expected, present = _dense_symmetric_sum(indptr, columns, entry_weights, n)
    assert out_indptr.tolist() == [0, *np.cumsum(present.sum(axis=1)).tolist()]
    for row in range(n):
        span = slice(out_indptr[row], out_indptr[row + 1])
        assert out_columns[span].tolist() == np.flatnonzero(present[row]).tolist()
        np.testing.assert_allclose(out_weights[span], expected[row, present[row]], rtol=1e-12)


def test_symmetric_sum_of_an_empty_matrix():
    indptr, columns, weights = symmetric_sum(
        np.zeros(4, dtype=np.int64), np.zeros(0, np.int32), 1.0
    )
    assert indptr.tolist() == [0, 0, 0, 0]
    assert columns.size == 0
    assert weights.size == 0


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 40), max_size=300),
    st.sampled_from(["ones", "one value", "varied", "extreme"]),
    st.integers(0, 2**32 - 1),
)
def test_source_sums_are_bincount_bit_for_bit(sources, weighting, seed):
    rng = np.random.default_rng(seed)
    sources = np.array(sources, dtype=np.int32)
    size = sources.shape[0]
    weights = {
        "ones": uniform_values(1.0, size, np.float64),
        "one value": uniform_values(0.1, size, np.float64),
        "varied": rng.random(size),
        "extreme": rng.choice([1e-320, 1e308, 0.0, 3.0, 1e-300], size),
    }[weighting]
    n = 50
    with np.errstate(over="ignore"):
        expected = np.bincount(sources, weights=np.ascontiguousarray(weights), minlength=n)
        found = source_sums(sources, weights, n)
    assert found.tobytes() == expected.tobytes()
