"""The hash table that numbers integer ids against a dictionary that numbers them."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.kernels.direct import IdTable


def first_appearance_codes(batches: list[np.ndarray]) -> tuple[list[np.ndarray], list[int]]:
    """Codes by a dictionary, in order of first appearance, and the id of each code."""
    numbers: dict[int, int] = {}
    codes = []
    for batch in batches:
        codes.append(np.array([numbers.setdefault(int(i), len(numbers)) for i in batch]))
    return codes, list(numbers)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(
            st.one_of(
                st.integers(-(2**63), 2**63 - 1),
                st.integers(-5, 5),
                st.sampled_from([0, -1, 2**63 - 1, -(2**63), 2**32, 1 << 16]),
            ),
            max_size=200,
        ),
        max_size=6,
    ),
    st.integers(0, 3),
)
def test_ids_are_numbered_in_order_of_first_appearance(batches, repeats):
    arrays = [np.array(batch, dtype=np.int64) for batch in batches] * (repeats + 1)
    expected, ids = first_appearance_codes(arrays)
    table = IdTable()
    for array, codes in zip(arrays, expected, strict=True):
        np.testing.assert_array_equal(table.intern(array), codes)
    assert table.count == len(ids)
    np.testing.assert_array_equal(table.ids_by_code(), np.array(ids, dtype=np.int64))
    unknown = np.array([i for i in (7, -7, 2**40) if i not in set(ids)], dtype=np.int64)
    np.testing.assert_array_equal(table.look_up(unknown), -1)
    for array, codes in zip(arrays, expected, strict=True):
        np.testing.assert_array_equal(table.look_up(array), codes)


def test_the_table_grows_past_its_first_size_and_keeps_every_code():
    rng = np.random.default_rng(5)
    ids = rng.integers(-(2**62), 2**62, 300_000)
    table = IdTable()
    first = np.concatenate([table.intern(part) for part in np.array_split(ids, 7)])
    assert table.keys.shape[0] >= 2 * np.unique(ids).shape[0]  # grown, at most half full
    np.testing.assert_array_equal(table.look_up(ids), first)
    _, expected = np.unique(ids, return_index=True)
    assert sorted(first[expected].tolist()) == list(range(table.count))
