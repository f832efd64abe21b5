"""Distinct-follower counting on the in-edge CSR, exact and by HyperLogLog sketch.

Every kernel reads the in-edges of the accounts it is asked about: ``sources[e]`` for ``e`` in
``indptr[v]:indptr[v + 1]`` are the accounts paying attention to ``v``, and an edge counts as a
follow when ``flags[e] & flag_mask``. Exact set work marks accounts in arrays of node length
instead of building sets: a *stamp* array holds, per account, the number of the query that
last marked it, so one array serves many queries without being cleared in between and a query
costs only the edges it reads.

The HyperLogLog sketch (Flajolet, Fusy, Gandouet & Meunier 2007) estimates the size of a union
from ``m = 2**precision`` one-byte registers with a relative standard error of
``1.04 / sqrt(m)``; the registers of two sets merge by element-wise maximum, so a sketch of a
union costs ``m`` operations however large the sets are.
"""

from __future__ import annotations

import numba
import numpy as np

from graphkit.config import JIT_OPTIONS, parallel_kernel

_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_TOP_BIT = np.uint64(1) << np.uint64(63)


@numba.njit(**JIT_OPTIONS)
def _follower_mask_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    accounts: np.ndarray,
    excluded: np.ndarray,
) -> np.ndarray:
    """Mark the accounts following any of ``accounts`` that are not ``excluded``."""
    marked = np.zeros(indptr.shape[0] - 1, dtype=np.bool_)
    for account in accounts:
        for edge in range(indptr[account], indptr[account + 1]):
            if flags[edge] & flag_mask and not excluded[sources[edge]]:
                marked[sources[edge]] = True
    return marked


@numba.njit(**JIT_OPTIONS)
def _overlap_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    first: np.ndarray,
    second: np.ndarray,
    excluded: np.ndarray,
) -> tuple[int, int, int]:
    """Return (followers of ``first``, followers of ``second``, followers of both)."""
    # 1: follows the first set only, 2: the second only, 3: both.
    seen = np.zeros(indptr.shape[0] - 1, dtype=np.uint8)
    first_count = 0
    for account in first:
        for edge in range(indptr[account], indptr[account + 1]):
            follower = sources[edge]
            if flags[edge] & flag_mask and not excluded[follower] and seen[follower] == 0:
                seen[follower] = 1
                first_count += 1
    second_count = 0
    both = 0
    for account in second:
        for edge in range(indptr[account], indptr[account + 1]):
            follower = sources[edge]
            if not flags[edge] & flag_mask or excluded[follower]:
                continue
            if seen[follower] == 1:
                seen[follower] = 3
                second_count += 1
                both += 1
            elif seen[follower] == 0:
                seen[follower] = 2
                second_count += 1
    return first_count, second_count, both


@numba.njit(**JIT_OPTIONS)
def _group_reach_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    corporate_indptr: np.ndarray,
    corporate: np.ndarray,
    people_indptr: np.ndarray,
    people: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Reach of groups made of corporate accounts and people, counting outsiders only.

    Group ``g`` has the corporate accounts ``corporate[corporate_indptr[g]:...]`` and the
    people ``people[people_indptr[g]:...]`` (each listed once); its members are both, and a
    member's followers count only when they are not members of the same group.

    Returns
    -------
    corporate_reach, personal_reach, overlap
        Per group: distinct followers of the corporate accounts, of the people, of both.
    member_reach, member_unique_reach
        Per person (aligned with ``people``): distinct followers, and those followed by no
        other person of the group and by no corporate account.
    """
    n = indptr.shape[0] - 1
    n_groups = corporate_indptr.shape[0] - 1
    member_stamp = np.zeros(n, dtype=np.int64)
    corporate_stamp = np.zeros(n, dtype=np.int64)
    personal_stamp = np.zeros(n, dtype=np.int64)
    people_covering = np.zeros(n, dtype=np.int32)
    corporate_reach = np.zeros(n_groups, dtype=np.int64)
    personal_reach = np.zeros(n_groups, dtype=np.int64)
    overlap = np.zeros(n_groups, dtype=np.int64)
    member_reach = np.zeros(people.shape[0], dtype=np.int64)
    member_unique_reach = np.zeros(people.shape[0], dtype=np.int64)
    for group in range(n_groups):
        stamp = group + 1
        for position in range(corporate_indptr[group], corporate_indptr[group + 1]):
            member_stamp[corporate[position]] = stamp
        for position in range(people_indptr[group], people_indptr[group + 1]):
            member_stamp[people[position]] = stamp
        for position in range(corporate_indptr[group], corporate_indptr[group + 1]):
            account = corporate[position]
            for edge in range(indptr[account], indptr[account + 1]):
                follower = sources[edge]
                if (
                    flags[edge] & flag_mask
                    and member_stamp[follower] != stamp
                    and corporate_stamp[follower] != stamp
                ):
                    corporate_stamp[follower] = stamp
                    corporate_reach[group] += 1
        # In-edges are distinct per row, so each person counts once per follower.
        for position in range(people_indptr[group], people_indptr[group + 1]):
            account = people[position]
            for edge in range(indptr[account], indptr[account + 1]):
                follower = sources[edge]
                if not flags[edge] & flag_mask or member_stamp[follower] == stamp:
                    continue
                member_reach[position] += 1
                if personal_stamp[follower] != stamp:
                    personal_stamp[follower] = stamp
                    people_covering[follower] = 1
                    personal_reach[group] += 1
                    if corporate_stamp[follower] == stamp:
                        overlap[group] += 1
                else:
                    people_covering[follower] += 1
        for position in range(people_indptr[group], people_indptr[group + 1]):
            account = people[position]
            for edge in range(indptr[account], indptr[account + 1]):
                follower = sources[edge]
                if (
                    flags[edge] & flag_mask
                    and member_stamp[follower] != stamp
                    and people_covering[follower] == 1
                    and corporate_stamp[follower] != stamp
                ):
                    member_unique_reach[position] += 1
    return corporate_reach, personal_reach, overlap, member_reach, member_unique_reach


@numba.njit(**JIT_OPTIONS)
def _greedy_coverage_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    candidates: np.ndarray,
    covered: np.ndarray,
    excluded: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Greedy maximum coverage with lazy evaluation (CELF, Leskovec et al. 2007).

    Picks up to ``k`` candidates, each time the one whose followers add the most accounts
    not yet ``covered`` (nor ``excluded``), ties to the earlier candidate; stops early when no
    candidate adds any. A candidate's last computed gain bounds its gain now (coverage is
    submodular), so only the candidate with the largest bound is re-evaluated, until the
    largest bound is fresh. ``covered`` is updated in place.

    Returns
    -------
    chosen, gains
        Positions in ``candidates`` in the order picked, and the accounts each added.
    """
    n_candidates = candidates.shape[0]
    bound = np.empty(n_candidates, dtype=np.int64)
    evaluated_at = np.full(n_candidates, -1, dtype=np.int64)
    available = np.ones(n_candidates, dtype=np.bool_)
    for position in range(n_candidates):
        account = candidates[position]
        bound[position] = indptr[account + 1] - indptr[account] + 1  # above any gain
    chosen = np.empty(min(k, n_candidates), dtype=np.int64)
    gains = np.empty(min(k, n_candidates), dtype=np.int64)
    picked = 0
    while picked < chosen.shape[0]:
        best = -1
        for position in range(n_candidates):
            if available[position] and (best < 0 or bound[position] > bound[best]):
                best = position
        if best < 0:
            break
        if evaluated_at[best] != picked:
            account = candidates[best]
            gain = 0
            for edge in range(indptr[account], indptr[account + 1]):
                follower = sources[edge]
                if flags[edge] & flag_mask and not covered[follower] and not excluded[follower]:
                    gain += 1
            bound[best] = gain
            evaluated_at[best] = picked
            continue
        if bound[best] == 0:
            break
        account = candidates[best]
        for edge in range(indptr[account], indptr[account + 1]):
            if flags[edge] & flag_mask and not excluded[sources[edge]]:
                covered[sources[edge]] = True
        available[best] = False
        chosen[picked] = best
        gains[picked] = bound[best]
        picked += 1
    return chosen[:picked], gains[:picked]


@numba.njit(**JIT_OPTIONS)
def _two_hop_mask_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    accounts: np.ndarray,
) -> np.ndarray:
    """Mark the accounts within two follow hops of ``accounts`` (followers and theirs).

    The accounts themselves are left unmarked.
    """
    n = indptr.shape[0] - 1
    # 0: unseen, 1: within two hops, 2: a follower (its own followers are marked too).
    state = np.zeros(n, dtype=np.uint8)
    followers = np.empty(n, dtype=np.int64)
    n_followers = 0
    for account in accounts:
        for edge in range(indptr[account], indptr[account + 1]):
            follower = sources[edge]
            if flags[edge] & flag_mask and state[follower] != 2:
                state[follower] = 2
                followers[n_followers] = follower
                n_followers += 1
    for position in range(n_followers):
        follower = followers[position]
        for edge in range(indptr[follower], indptr[follower + 1]):
            second = sources[edge]
            if flags[edge] & flag_mask and state[second] == 0:
                state[second] = 1
    marked = state > 0
    for account in accounts:
        marked[account] = False
    return marked


@numba.njit(**JIT_OPTIONS)
def _two_hop_counts_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    accounts: np.ndarray,
    counted: np.ndarray,
) -> np.ndarray:
    """Per account: distinct ``counted`` accounts within two follow hops, itself excluded."""
    n = indptr.shape[0] - 1
    stamp_of = np.zeros(n, dtype=np.int64)
    counts = np.zeros(accounts.shape[0], dtype=np.int64)
    for position in range(accounts.shape[0]):
        account = accounts[position]
        stamp = position + 1
        stamp_of[account] = stamp
        total = 0
        for edge in range(indptr[account], indptr[account + 1]):
            if not flags[edge] & flag_mask:
                continue
            follower = sources[edge]
            if stamp_of[follower] != stamp:
                stamp_of[follower] = stamp
                if counted[follower]:
                    total += 1
            for second_edge in range(indptr[follower], indptr[follower + 1]):
                second = sources[second_edge]
                if flags[second_edge] & flag_mask and stamp_of[second] != stamp:
                    stamp_of[second] = stamp
                    if counted[second]:
                        total += 1
        counts[position] = total
    return counts


@numba.njit(**JIT_OPTIONS)
def _hash_account(account: int) -> np.uint64:
    """splitmix64 of the account number: 64 well-mixed bits."""
    value = np.uint64(account) * _GOLDEN + _GOLDEN
    value = (value ^ (value >> np.uint64(30))) * _MIX_1
    value = (value ^ (value >> np.uint64(27))) * _MIX_2
    return value ^ (value >> np.uint64(31))


@numba.njit(**JIT_OPTIONS)
def _sketch_add(registers: np.ndarray, account: int, precision: int) -> None:
    """Add an account to a HyperLogLog sketch (registers of length ``2**precision``)."""
    value = _hash_account(account)
    register = np.int64(value >> np.uint64(64 - precision))
    rest = value << np.uint64(precision)
    rank = 1
    limit = 64 - precision + 1
    while rank < limit and not (rest & _TOP_BIT):
        rank += 1
        rest = rest << np.uint64(1)
    if rank > registers[register]:
        registers[register] = rank


@numba.njit(**JIT_OPTIONS)
def _sketch_estimate(registers: np.ndarray) -> float:
    """HyperLogLog cardinality estimate, with linear counting for small sets."""
    m = registers.shape[0]
    if m == 16:
        alpha = 0.673
    elif m == 32:
        alpha = 0.697
    elif m == 64:
        alpha = 0.709
    else:
        alpha = 0.7213 / (1.0 + 1.079 / m)
    inverse_sum = 0.0
    zeros = 0
    for register in range(m):
        inverse_sum += 2.0 ** -float(registers[register])
        if registers[register] == 0:
            zeros += 1
    estimate = alpha * m * m / inverse_sum
    if estimate <= 2.5 * m and zeros > 0:
        estimate = m * np.log(m / zeros)
    return estimate


@parallel_kernel
def _two_hop_sketch_kernel(
    indptr: np.ndarray,
    sources: np.ndarray,
    flags: np.ndarray,
    flag_mask: int,
    accounts: np.ndarray,
    counted: np.ndarray,
    precision: int,
) -> np.ndarray:
    """Per account: estimated distinct ``counted`` accounts within two follow hops.

    A follower with more followers than the sketch has registers contributes its own sketch
    (built once, ``m`` bytes, reused by every account it follows); a smaller follower adds its
    followers one by one. Each (account, follower) pair thus costs at most ``m`` steps, and
    the extra memory is at most one byte per edge. Accounts are estimated in parallel.
    """
    n = indptr.shape[0] - 1
    m = 1 << precision
    # Followers of the accounts, and which of them are large enough to sketch once.
    sketch_row = np.full(n, -1, dtype=np.int64)
    is_follower = np.zeros(n, dtype=np.bool_)
    for account in accounts:
        for edge in range(indptr[account], indptr[account + 1]):
            if flags[edge] & flag_mask:
                is_follower[sources[edge]] = True
    n_sketched = 0
    for node in range(n):
        if is_follower[node] and indptr[node + 1] - indptr[node] > m:
            sketch_row[node] = n_sketched
            n_sketched += 1
    sketched = np.empty(n_sketched, dtype=np.int64)
    for node in range(n):
        if sketch_row[node] >= 0:
            sketched[sketch_row[node]] = node
    sketches = np.zeros((n_sketched, m), dtype=np.uint8)
    for row in numba.prange(n_sketched):
        node = sketched[row]
        for edge in range(indptr[node], indptr[node + 1]):
            if flags[edge] & flag_mask and counted[sources[edge]]:
                _sketch_add(sketches[row], sources[edge], precision)
    estimates = np.zeros(accounts.shape[0])
    for position in numba.prange(accounts.shape[0]):
        account = accounts[position]
        registers = np.zeros(m, dtype=np.uint8)
        for edge in range(indptr[account], indptr[account + 1]):
            if not flags[edge] & flag_mask:
                continue
            follower = sources[edge]
            if counted[follower]:
                _sketch_add(registers, follower, precision)
            row = sketch_row[follower]
            if row >= 0:
                for register in range(m):
                    if sketches[row, register] > registers[register]:
                        registers[register] = sketches[row, register]
            else:
                for second_edge in range(indptr[follower], indptr[follower + 1]):
                    second = sources[second_edge]
                    if flags[second_edge] & flag_mask and counted[second] and second != account:
                        _sketch_add(registers, second, precision)
        estimates[position] = _sketch_estimate(registers)
    return estimates


@numba.njit(**JIT_OPTIONS)
def _reaching_kernel(indptr: np.ndarray, sources: np.ndarray, target: int) -> np.ndarray:
    """Mark the nodes with a directed path to ``target`` along any edge (``target`` too)."""
    n = indptr.shape[0] - 1
    marked = np.zeros(n, dtype=np.bool_)
    queue = np.empty(n, dtype=np.int64)
    marked[target] = True
    queue[0] = target
    head = 0
    tail = 1
    while head < tail:
        node = queue[head]
        head += 1
        for edge in range(indptr[node], indptr[node + 1]):
            source = sources[edge]
            if not marked[source]:
                marked[source] = True
                queue[tail] = source
                tail += 1
    return marked
