"""The kernels' memory helpers: prefetch hints change no result and never fault; pages are
touched on a thread."""

from __future__ import annotations

import llvmlite.binding as llvm
import numba
import numpy as np
import pytest

from graphkit.kernels.memory import PAGE_BYTES, prefetch, touch_pages_in_background


@numba.njit
def _sum_with_prefetches(values: np.ndarray, ahead: int) -> float:
    total = 0.0
    for index in range(values.shape[0]):
        prefetch(values, index + ahead)  # far outside the array near the end
        prefetch(values, index - ahead)  # and before its start
        total += values[index]
    return total


def test_prefetch_changes_nothing_and_does_not_fault_outside_the_array():
    values = np.arange(1_000, dtype=np.float64)
    for ahead in (0, 8, 1 << 20, 1 << 40):
        assert _sum_with_prefetches(values, ahead) == float(values.sum())


def test_prefetch_emits_the_cpu_hint():
    instruction = {"x86_64": "prefetcht0", "aarch64": "prfm"}.get(
        llvm.get_process_triple().split("-")[0]
    )
    if instruction is None:
        pytest.skip("no known prefetch instruction for this CPU (the hint may be dropped)")
    _sum_with_prefetches(np.ones(16), 1)
    assembly = _sum_with_prefetches.inspect_asm(_sum_with_prefetches.signatures[0])
    assert instruction in assembly


def test_touch_pages_writes_one_zero_per_page_and_nothing_else():
    arrays = [np.full(5_000, 7, dtype=np.int32), np.full(3_000, 7.0), np.zeros(0)]
    touch_pages_in_background(arrays).join()
    for array in arrays:
        step = PAGE_BYTES // array.itemsize
        touched = np.zeros(array.shape[0], dtype=bool)
        touched[::step] = True
        assert (array[touched] == 0).all()
        assert (array[~touched] == 7).all()
