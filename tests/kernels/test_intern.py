"""String interning against a dict-based reference, with forced hash collisions and growth."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.config import set_threads
from graphkit.kernels.intern import KEY_BYTES, StringInterner


def _reference(chunks: list[list[str]]) -> tuple[list[list[int]], list[str]]:
    """Ids by first appearance, the obviously-correct way."""
    ids: dict[str, int] = {}
    codes = [[ids.setdefault(value, len(ids)) for value in chunk] for chunk in chunks]
    return codes, list(ids)


def _intern(chunks: list[list[str]], **options: int) -> tuple[list[np.ndarray], list[str]]:
    interner = StringInterner(**options)
    codes = []
    for chunk in chunks:
        array = pa.array(chunk, pa.string())
        _, offsets, data = array.buffers()
        positions = np.frombuffer(offsets, dtype=np.int32)[: len(array) + 1]
        raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.empty(0, np.uint8)
        codes.append(interner.add(positions, raw))
    offsets, data = interner.finish()
    strings = [bytes(data[offsets[i] : offsets[i + 1]]).decode() for i in range(len(offsets) - 1)]
    return codes, strings


def _assert_consistent(chunks: list[list[str]], codes: list[np.ndarray], strings: list[str]):
    """Same string, same id; different strings, different ids; each id names its string."""
    seen: dict[str, int] = {}
    for chunk, chunk_codes in zip(chunks, codes, strict=True):
        for value, code in zip(chunk, chunk_codes.tolist(), strict=True):
            assert seen.setdefault(value, code) == code
            assert strings[code] == value
    assert len(strings) == len(seen)


ids = st.text(alphabet=st.sampled_from("ab€é0_"), max_size=30)
chunk_lists = st.lists(st.lists(ids, max_size=60), min_size=1, max_size=4)


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(chunks=chunk_lists, expected=st.sampled_from([1, 16, 1 << 16]))
def test_ids_are_first_appearance_order(chunks, expected):
    codes, strings = _intern(chunks, expected_unique=expected)
    reference_codes, reference_strings = _reference(chunks)
    assert strings == reference_strings
    for got, want in zip(codes, reference_codes, strict=True):
        assert got.tolist() == want


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(chunks=chunk_lists, mask=st.sampled_from([0x8000000000000001, 0xF00000000000000F]))
def test_forced_hash_collisions_stay_exact(chunks, mask):
    # With only a few distinct hash values, different strings constantly share one; strings
    # of up to KEY_BYTES bytes are told apart by their key, longer ones by the byte check.
    codes, strings = _intern(chunks, expected_unique=16, _hash_mask=mask)
    _assert_consistent(chunks, codes, strings)
    short = [[value for value in chunk if len(value.encode()) <= KEY_BYTES] for chunk in chunks]
    short_codes, short_strings = _intern(short, expected_unique=16, _hash_mask=mask)
    reference_codes, reference_strings = _reference(short)
    assert short_strings == reference_strings
    assert [chunk.tolist() for chunk in short_codes] == reference_codes


def test_long_ids_sharing_a_prefix_with_colliding_hashes():
    prefix = "x" * 40
    chunks = [[f"{prefix}{i % 7}" for i in range(100)], [f"{prefix}{i % 11}" for i in range(50)]]
    codes, strings = _intern(chunks, _hash_mask=0)  # every string has hash 0
    _assert_consistent(chunks, codes, strings)
    assert len(strings) == 11


@pytest.mark.parametrize("threads", [1, 2])
def test_large_input_grows_tables_and_ignores_thread_count(threads):
    rng = np.random.default_rng(7)
    values = [f"user{value}" for value in rng.zipf(1.3, 300_000) % 50_000]
    try:
        set_threads(threads)
        codes, strings = _intern([values[:200_000], values[200_000:]], expected_unique=1024)
    finally:
        set_threads(0)
    reference_codes, reference_strings = _reference([values[:200_000], values[200_000:]])
    assert strings == reference_strings
    assert np.concatenate(codes).tolist() == reference_codes[0] + reference_codes[1]


def test_empty_chunk_and_empty_strings():
    codes, strings = _intern([[], ["", "a", ""], []])
    assert [chunk.tolist() for chunk in codes] == [[], [0, 1, 0], []]
    assert strings == ["", "a"]
