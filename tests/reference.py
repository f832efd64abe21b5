"""Slow, obviously-correct reference implementations the kernels are tested against."""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def pagerank_reference(
    n: int,
    edges: list[tuple[int, int, float]],
    *,
    damping: float = 0.85,
    personalization: np.ndarray | None = None,
    iterations: int = 2000,
) -> np.ndarray:
    """PageRank by dense power iteration, straight from the definition.

    ``x' = d * (W^T x + dangling(x) * p) + (1 - d) * p`` where W is the row-normalised weight
    matrix, dangling nodes (no out-weight) spread their score by p, and p is the
    personalization (uniform when None). Duplicate edges add up; self-loops count as given.
    """
    teleport = (
        np.full(n, 1.0 / n) if personalization is None else personalization / personalization.sum()
    )
    weight = np.zeros((n, n))
    for source, target, value in edges:
        weight[source, target] += value
    out = weight.sum(axis=1)
    transition = np.divide(weight, out[:, None], out=np.zeros_like(weight), where=out[:, None] > 0)
    scores = np.full(n, 1.0 / n)
    for _ in range(iterations):
        dangling = scores[out == 0].sum()
        scores = damping * (transition.T @ scores + dangling * teleport) + (1 - damping) * teleport
    return scores


def distinct_followers_reference(edges: list[tuple[str, str]]) -> dict[str, int]:
    """Distinct followers of each followed account, ignoring self-follows."""
    followers: dict[str, set[str]] = defaultdict(set)
    for follower, followed in edges:
        if follower != followed:
            followers[followed].add(follower)
    return {account: len(accounts) for account, accounts in followers.items()}
