"""Follower-set similarity on the in-edge CSR: exact shared-follower counts and MinHash.

Every kernel reads in-edges: ``sources[e]`` for ``e`` in ``indptr[v]:indptr[v + 1]`` are the
accounts paying attention to ``v`` (distinct, merged at build), and an edge counts when
``flags[e] & flag_mask``.

The exact kernel marks the seed audience ``F`` in an array of node length and counts, for every
account, the followers that are marked: one pass over the edges, accounts in parallel. (The
graph holds in-edges only; walking ``F``'s out-edges would need the transposed CSR, whose
construction reads every edge once as well.)

MinHash (Broder 1997): with ``k`` hash functions, an account's signature holds, per function,
the smallest hash of its followers. Two sets' signatures agree in each position with
probability equal to their Jaccard similarity ``J``, so the fraction of agreeing positions
estimates ``J`` with standard error ``sqrt(J (1 - J) / k)``; the signature of a union is the
element-wise minimum of its parts' signatures.
"""

from __future__ import annotations

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel
from graphkit.kernels.hashing import GOLDEN, mix64

EMPTY_SLOT = np.uint32(0xFFFFFFFF)  # the signature of an empty set, in every position


@numba.njit(**JIT_OPTIONS)
def _audience_mask_kernel(
    indptr: np.ndarray, sources: np.ndarray, flags: np.ndarray, flag_mask: int, seeds: np.ndarray
) -> np.ndarray:
    """Mark the accounts following any of ``seeds``: the seed audience."""
    marked = np.zeros(indptr.shape[0] - 1, dtype=np.bool_)
    for seed in seeds:
        for edge in range(indptr[seed], indptr[seed + 1]):
            if flags[edge] & flag_mask:
                marked[sources[edge]] = True
    return marked


@parallel_kernel
def _shared_followers_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    member: np.ndarray,
    nodes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Per account of ``nodes``: (followers that are ``member``s, followers)."""
    shared = np.zeros(nodes.shape[0], dtype=np.int64)
    followers = np.zeros(nodes.shape[0], dtype=np.int64)
    for row in numba.prange(nodes.shape[0]):
        node = nodes[row]
        in_audience = 0
        counted = 0
        for edge in range(indptr[node], indptr[node + 1]):
            if flags[edge] & flag_mask:
                counted += 1
                if member[sources[edge]]:
                    in_audience += 1
        shared[row] = in_audience
        followers[row] = counted
    return shared, followers


@numba.njit(**JIT_OPTIONS)
def _hash_parameters_kernel(
    hashes: int, n: int, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-account 64-bit keys and the ``hashes`` (odd multiplier, increment) pairs."""
    state = mix64(np.uint64(seed) * GOLDEN + np.uint64(1))
    keys = np.empty(n, dtype=np.uint64)
    for node in range(n):
        keys[node] = mix64(state ^ (np.uint64(node) * GOLDEN))
    multipliers = np.empty(hashes, dtype=np.uint64)
    increments = np.empty(hashes, dtype=np.uint64)
    for slot in range(hashes):
        state = mix64(state + GOLDEN)
        multipliers[slot] = state | np.uint64(1)
        state = mix64(state + GOLDEN)
        increments[slot] = state
    return keys, multipliers, increments


@parallel_kernel
def _signatures_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    nodes: np.ndarray,
    keys: np.ndarray,
    multipliers: np.ndarray,
    increments: np.ndarray,
) -> np.ndarray:
    """MinHash signature (``uint32``, one row per account of ``nodes``) of follower sets.

    Hash ``j`` of follower ``u`` is the top 32 bits of ``multipliers[j] * keys[u] +
    increments[j]`` (mod 2**64): a multiply-shift hash of a well-mixed key, two operations.
    """
    hashes = multipliers.shape[0]
    signatures = np.full((nodes.shape[0], hashes), EMPTY_SLOT, dtype=np.uint32)
    for row in numba.prange(nodes.shape[0]):
        node = nodes[row]
        signature = signatures[row]
        for edge in range(indptr[node], indptr[node + 1]):
            if flags[edge] & flag_mask:
                key = keys[sources[edge]]
                for slot in range(hashes):
                    value = np.uint32((multipliers[slot] * key + increments[slot]) >> np.uint64(32))
                    if value < signature[slot]:
                        signature[slot] = value
    return signatures


@parallel_kernel
def _agreement_kernel(signatures: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Fraction of positions where each signature row equals ``target``."""
    rows, hashes = signatures.shape
    agreement = np.zeros(rows)
    for row in numba.prange(rows):
        equal = 0
        for slot in range(hashes):
            if signatures[row, slot] == target[slot]:
                equal += 1
        agreement[row] = equal / hashes
    return agreement


def audience_mask(
    indptr: np.ndarray, sources: np.ndarray, flags: np.ndarray, flag_mask: int, seeds: np.ndarray
) -> np.ndarray:
    """Boolean mask of the accounts following any of ``seeds`` (int64 node numbers)."""
    return _audience_mask_kernel(indptr, sources, flags, flag_mask, seeds)


def shared_followers(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    member: np.ndarray,
    nodes: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(followers in ``member``, followers) of every account, or of ``nodes`` (int64)."""
    if nodes is None:
        nodes = np.arange(indptr.shape[0] - 1, dtype=np.int64)
    return _shared_followers_kernel(indptr, sources, flags, flag_mask, member, nodes)


def minhash_signatures(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    nodes: np.ndarray,
    *,
    hashes: int,
    seed: int,
) -> np.ndarray:
    """MinHash signatures (``len(nodes) x hashes``, uint32) of the follower sets of ``nodes``.

    The same ``seed`` and graph give the same hash functions, so signatures built in
    separate calls compare (and merge by element-wise minimum).
    """
    keys, multipliers, increments = _hash_parameters_kernel(hashes, indptr.shape[0] - 1, seed)
    return _signatures_kernel(
        indptr, sources, flags, flag_mask, nodes, keys, multipliers, increments
    )


def signature_agreement(signatures: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The MinHash estimate of Jaccard similarity between each signature row and ``target``."""
    return _agreement_kernel(signatures, target)
