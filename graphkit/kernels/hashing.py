"""splitmix64's finalizer, the one 64-bit mixing step the kernels hash with."""

from __future__ import annotations

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)


@numba.njit(inline="always", **JIT_OPTIONS)
def mix64(value: np.uint64) -> np.uint64:
    """SplitMix64's finalizer: a bijection of 64-bit words that mixes every bit."""
    value = (value ^ (value >> np.uint64(30))) * _MIX_1
    value = (value ^ (value >> np.uint64(27))) * _MIX_2
    return value ^ (value >> np.uint64(31))
