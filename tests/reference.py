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


_MASK64 = (1 << 64) - 1
_XXH_PRIME1 = 0x9E3779B185EBCA87
_XXH_PRIME2 = 0xC2B2AE3D27D4EB4F
_XXH_PRIME3 = 0x165667B19E3779F9
_XXH_PRIME4 = 0x85EBCA77C2B2AE63
_XXH_PRIME5 = 0x27D4EB2F165667C5


def _rotate_left(value: int, bits: int) -> int:
    return ((value << bits) | (value >> (64 - bits))) & _MASK64


def xxhash64_longs(*values: int, seed: int = 42) -> int:
    """Spark's ``xxhash64`` of long columns: XXH64 of each value's 8 bytes, chained through
    the seed (42 first), as a signed 64-bit integer."""
    state = seed & _MASK64
    for value in values:
        word = value & _MASK64
        hashed = (state + _XXH_PRIME5 + 8) & _MASK64
        hashed ^= (_rotate_left((word * _XXH_PRIME2) & _MASK64, 31) * _XXH_PRIME1) & _MASK64
        hashed = (_rotate_left(hashed, 27) * _XXH_PRIME1 + _XXH_PRIME4) & _MASK64
        hashed ^= hashed >> 33
        hashed = (hashed * _XXH_PRIME2) & _MASK64
        hashed ^= hashed >> 29
        hashed = (hashed * _XXH_PRIME3) & _MASK64
        hashed ^= hashed >> 32
        state = hashed
    return state - (1 << 64) if state >> 63 else state


def synchronous_label_propagation_reference(
    edges: dict[tuple[str, str], float],
    ids: list[str],
    *,
    seed: int = 0,
    resolution: float = 1.0,
    max_iter: int = 100,
) -> dict[str, int]:
    """The Spark engine's label propagation, one node at a time in plain Python.

    ``edges`` are the directed edge weights (duplicates summed, no self-loops); ``ids`` every
    account. Nodes are numbered in id order and start in their own label; each iteration
    every node, from the labels at the start of the iteration, takes the label of largest
    gain ``w(v, c) - resolution * k_v * S_c / 2W`` (smallest label on ties) if it beats
    staying (``w(v, own) - resolution * k_v * (S_own - k_v) / 2W``); a lone node skips larger
    lone labels; a node that wanted to move last iteration moves only if
    ``xxhash64(seed, node, iteration)`` is odd. Returns the community of each id, numbered
    by size (largest first), ties by smallest member.
    """
    order = sorted(ids)
    number = {account: index for index, account in enumerate(order)}
    n = len(order)
    undirected: dict[tuple[int, int], float] = defaultdict(float)
    for (source, target), weight in edges.items():
        undirected[(number[source], number[target])] += weight
        undirected[(number[target], number[source])] += weight
    neighbours: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for (u, v), weight in undirected.items():
        if weight > 0:
            neighbours[u].append((v, weight))
    strength = [sum(weight for _, weight in neighbours[u]) for u in range(n)]
    two_w = sum(strength)
    penalty = resolution / two_w if two_w > 0 else 0.0
    labels = list(range(n))
    wanted = [False] * n
    for iteration in range(1, max_iter + 1 if two_w > 0 else 1):
        label_strength: dict[int, float] = defaultdict(float)
        label_size: dict[int, int] = defaultdict(int)
        for node in range(n):
            label_strength[labels[node]] += strength[node]
            label_size[labels[node]] += 1
        new_labels = labels[:]
        new_wanted = [False] * n
        for node in range(n):
            toward: dict[int, float] = defaultdict(float)
            for neighbour, weight in neighbours[node]:
                toward[labels[neighbour]] += weight
            current = labels[node]
            scale = penalty * strength[node]
            stay = toward.get(current, 0.0) - scale * (label_strength[current] - strength[node])
            best: tuple[float, int] | None = None
            for label, weight in toward.items():
                if label == current:
                    continue
                if label_size[current] == 1 and label > current and label_size[label] == 1:
                    continue
                candidate = (weight - scale * label_strength[label], -label)
                best = candidate if best is None or candidate > best else best
            wants = best is not None and best[0] > stay
            heads = xxhash64_longs(seed, node, iteration) & 1 == 1
            if best is not None and wants and (not wanted[node] or heads):
                new_labels[node] = -best[1]
            new_wanted[node] = wants
        labels, wanted = new_labels, new_wanted
        if not any(wanted):
            break
    members: dict[int, list[int]] = defaultdict(list)
    for node, label in enumerate(labels):
        members[label].append(node)
    ranked = sorted(members.values(), key=lambda group: (-len(group), min(group)))
    return {order[node]: index for index, group in enumerate(ranked) for node in group}
