"""Poisson resampling of edge weights, reproducible whatever the number of threads.

Each draw takes its uniform numbers from a counter-based generator (SplitMix64 of the
replicate's key and the edge number), not from a stream shared by threads: edge ``e`` of a
replicate gets the same draw on one thread or sixteen.
"""

from __future__ import annotations

import math
from typing import Final

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, PARALLEL_JIT_OPTIONS

# Poisson(mean) is drawn as a sum of Poisson draws of means at most this (Poisson laws add),
# each by inversion: a few dozen steps at most, and exp(-mean) far from underflow.
POISSON_PIECE: Final = 16.0
# Inversion stops here even if rounding keeps the sum of probabilities below the uniform
# number; P(Poisson(16) > 120) is below 1e-60.
_POISSON_STEPS: Final = 120
_GOLDEN: Final = np.uint64(0x9E3779B97F4A7C15)


@numba.njit(inline="always", **JIT_OPTIONS)
def _splitmix64(state: np.uint64) -> np.uint64:
    value = state + _GOLDEN
    value = (value ^ (value >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    value = (value ^ (value >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return value ^ (value >> np.uint64(31))


@numba.njit(inline="always", **JIT_OPTIONS)
def _uniform(key: np.uint64, edge: np.uint64, piece: np.uint64) -> float:
    """A uniform number in [0, 1) for this replicate key, edge and piece of its draw."""
    mixed = _splitmix64(key ^ _splitmix64(edge * np.uint64(4096) + piece))
    return float(mixed >> np.uint64(11)) * (1.0 / 9007199254740992.0)


_PIECE_START: Final = math.exp(-POISSON_PIECE)


def piece_starts(means: np.ndarray) -> np.ndarray:
    """``exp(-m)`` for the last (or only) piece ``m`` of each mean (see :data:`POISSON_PIECE`),
    computed once for all replicates."""
    full = np.floor(means / POISSON_PIECE)
    last = means - full * POISSON_PIECE
    last = np.where((last == 0.0) & (means > 0.0), POISSON_PIECE, last)
    starts: np.ndarray = np.exp(-last)
    return starts


@numba.njit(inline="always", **JIT_OPTIONS)
def _poisson(mean: float, start: float, key: np.uint64, edge: np.uint64) -> float:
    """Poisson(mean): pieces of POISSON_PIECE, then the rest, whose exp(-rest) is ``start``."""
    total = 0.0
    remaining = mean
    piece = np.uint64(0)
    while remaining > 0.0:
        part = min(remaining, POISSON_PIECE)
        uniform = _uniform(key, edge, piece)
        probability = _PIECE_START if remaining > POISSON_PIECE else start
        cumulative = probability
        count = 0
        while uniform >= cumulative and count < _POISSON_STEPS:
            count += 1
            probability *= part / count
            cumulative += probability
        total += count
        remaining -= part
        piece += np.uint64(1)
    return total


@numba.njit(**PARALLEL_JIT_OPTIONS)
def _poisson_weights_kernel(
    means: np.ndarray,
    starts: np.ndarray,
    unit_weights: np.ndarray,
    key: np.uint64,
    out: np.ndarray,
) -> None:
    """``out[e] = unit_weights[e] * Poisson(means[e])``, drawn from ``key`` and ``e``."""
    for edge in numba.prange(means.shape[0]):
        mean = means[edge]
        if mean > 0.0:
            count = _poisson(mean, starts[edge], key, np.uint64(edge))
            out[edge] = unit_weights[edge] * count
        else:
            out[edge] = 0.0


def poisson_weights(
    means: np.ndarray,
    unit_weights: np.ndarray,
    key: int,
    *,
    starts: np.ndarray | None = None,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """One resampled weight per edge: ``unit_weights * Poisson(means)``, the draws fixed by
    ``key`` (an unsigned 64-bit number) whatever the number of threads. ``starts`` is
    :func:`piece_starts` of ``means`` (computed when not given); ``out`` receives the weights."""
    if starts is None:
        starts = piece_starts(means)
    if out is None:
        out = np.empty(means.shape[0])
    _poisson_weights_kernel(means, starts, unit_weights, np.uint64(key), out)
    return out
