"""Kernels of audience affinity: binomial tail probabilities and bounds, co-attention pairs.

The binomial upper tail ``P(X >= k)``, ``X ~ Binomial(n, p)``, is the regularized incomplete
beta function ``I_p(k, n - k + 1)``, evaluated by its continued fraction (Lentz's method, as in
Numerical Recipes' ``betai``); the exact (Clopper-Pearson) lower confidence bound on ``p`` is
the ``p`` where that tail equals ``alpha``, found by bisection. No scipy at run time: the tests
compare both with ``scipy.stats``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS

_CONTINUED_FRACTION_STEPS = 100_000
_CONTINUED_FRACTION_EPS = 1e-15
_TINY = 1e-300
_BISECTIONS = 200


@numba.njit(**JIT_OPTIONS)
def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _TINY:
        d = _TINY
    d = 1.0 / d
    h = d
    for m in range(1, _CONTINUED_FRACTION_STEPS + 1):
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _TINY:
            d = _TINY
        c = 1.0 + aa / c
        if abs(c) < _TINY:
            c = _TINY
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _CONTINUED_FRACTION_EPS:
            break
    return h


@numba.njit(**JIT_OPTIONS)
def incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta ``I_x(a, b)`` for ``a, b > 0``, ``0 <= x <= 1``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        value = math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    else:
        value = 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b
    return min(1.0, max(0.0, value))


@numba.njit(**JIT_OPTIONS)
def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """``P(X >= k)`` for ``X ~ Binomial(n, p)``."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return incomplete_beta(float(k), float(n - k + 1), p)


@numba.njit(**JIT_OPTIONS)
def binomial_lower_bound(k: int, n: int, alpha: float) -> float:
    """Exact (Clopper-Pearson) one-sided lower confidence bound on ``p`` at level
    ``1 - alpha`` after ``k`` successes in ``n`` trials: the ``p`` with ``P(X >= k) = alpha``."""
    if k <= 0:
        return 0.0
    if k >= n:
        return alpha ** (1.0 / n)  # P(X >= n) = p ** n
    low = 0.0
    high = 1.0
    for _ in range(_BISECTIONS):
        middle = 0.5 * (low + high)
        if middle <= low or middle >= high:
            break
        if binomial_upper_tail(k, n, middle) < alpha:
            low = middle
        else:
            high = middle
    return low


@numba.njit(**JIT_OPTIONS)
def binomial_statistics(
    successes: np.ndarray, trials: np.ndarray, p: float, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """For each row: ``P(X >= successes)`` under ``Binomial(trials, p)`` and the exact lower
    bound on the success probability at level ``1 - alpha``."""
    rows = successes.shape[0]
    tails = np.empty(rows, dtype=np.float64)
    bounds = np.empty(rows, dtype=np.float64)
    for row in range(rows):
        k = int(successes[row])
        n = int(trials[row])
        tails[row] = binomial_upper_tail(k, n, p)
        bounds[row] = binomial_lower_bound(k, n, alpha)
    return tails, bounds


@numba.njit(**JIT_OPTIONS)
def co_attention_pairs(
    starts: np.ndarray, members: np.ndarray, weights: np.ndarray, total: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair of members in each group, with the group's weight.

    Parameters
    ----------
    starts
        int64 group boundaries: group ``g`` holds ``members[starts[g]:starts[g + 1]]``
        (distinct, ascending).
    members
        int64 member of each entry.
    weights
        float64 weight of each group.
    total
        Number of pairs, ``sum k (k - 1) / 2`` over the groups' sizes ``k``.

    Returns
    -------
    first, second, weight
        int64 lower and higher member of each pair and its group's weight.
    """
    first = np.empty(total, dtype=np.int64)
    second = np.empty(total, dtype=np.int64)
    weight = np.empty(total, dtype=np.float64)
    at = 0
    for group in range(starts.shape[0] - 1):
        begin = starts[group]
        end = starts[group + 1]
        for i in range(begin, end):
            for j in range(i + 1, end):
                first[at] = members[i]
                second[at] = members[j]
                weight[at] = weights[group]
                at += 1
    return first, second, weight
