"""The MinHash sketch's error against exact Jaccard similarity, on generated and real graphs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from graphkit.analysis.lookalikes import find_lookalikes
from graphkit.graph import SocialGraph, build_graph
from graphkit.graph.social import FOLLOW_FLAG
from graphkit.io import Dataset, load_dataset
from graphkit.kernels import lookalikes as kernels
from graphkit.kernels.lookalikes import (
    EMPTY_SLOT,
    audience_mask,
    minhash_signatures,
    shared_followers,
    signature_agreement,
)

HASHES = 128
SLACK = 0.01  # one chance agreement of 32-bit hashes in 128 positions is 0.008


def estimates_and_exact(
    graph: SocialGraph, seeds: np.ndarray, hashes: int = HASHES, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """MinHash estimate and exact Jaccard of every non-seed account with followers."""
    arrays = (graph.in_indptr, graph.in_sources, graph.in_flags, FOLLOW_FLAG)
    member = audience_mask(*arrays, seeds)
    shared, followers = shared_followers(*arrays, member)
    candidates = np.flatnonzero(followers > 0)
    candidates = candidates[~np.isin(candidates, seeds)]
    exact = shared[candidates] / (followers[candidates] + member.sum() - shared[candidates])
    signatures = minhash_signatures(*arrays, candidates, hashes=hashes, seed=seed)
    union = minhash_signatures(*arrays, seeds, hashes=hashes, seed=seed).min(axis=0)
    return signature_agreement(signatures, union), exact


def within_bound(estimate: np.ndarray, exact: np.ndarray, hashes: int = HASHES) -> float:
    """Share of estimates within 4 standard errors (plus SLACK) of the exact value."""
    bound = 4 * np.sqrt(exact * (1 - exact) / hashes) + SLACK
    return float(np.mean(np.abs(estimate - exact) <= bound))


def planted_graph(rng: np.random.Generator, accounts: int = 400) -> SocialGraph:
    """Account "seed" followed by a random audience; every other account by a mix of part of
    that audience and outsiders, so similarities spread over [0, 1]."""
    universe = np.array([f"f{i}" for i in range(3_000)])
    audience = rng.choice(universe, size=600, replace=False)
    follower, followed = list(audience), ["seed"] * audience.size
    for account in range(accounts):
        inside = rng.choice(audience, size=rng.integers(0, 600), replace=False)
        outside = rng.choice(universe, size=rng.integers(1, 600), replace=False)
        chosen = np.union1d(inside, outside)
        follower += list(chosen)
        followed += [f"a{account}"] * chosen.size
    return build_graph(Dataset(follows=pa.table({"follower": follower, "followed": followed})))


def test_estimates_within_four_standard_errors_on_planted_audiences() -> None:
    graph = planted_graph(np.random.default_rng(7))
    estimate, exact = estimates_and_exact(graph, graph.index_of(["seed"]))
    assert exact.size == 400
    assert exact.min() < 0.1
    assert exact.max() > 0.6
    assert within_bound(estimate, exact) >= 0.99
    # The spread matches the binomial model: the mean squared error is near J(1-J)/k.
    expected = float(np.mean(exact * (1 - exact) / HASHES))
    assert 0.5 * expected < float(np.mean((estimate - exact) ** 2)) < 1.5 * expected


def test_estimates_are_unbiased_over_hash_seeds() -> None:
    # One seed's hash functions serve every account, so its errors are correlated across
    # accounts: unbiasedness shows per account, averaged over independent seeds.
    graph = planted_graph(np.random.default_rng(11), accounts=100)
    seeds, runs = graph.index_of(["seed"]), 30
    draws = [estimates_and_exact(graph, seeds, seed=run) for run in range(runs)]
    exact = draws[0][1]
    mean = np.mean([estimate for estimate, _ in draws], axis=0)
    bound = 4 * np.sqrt(exact * (1 - exact) / (HASHES * runs)) + 0.002
    assert np.mean(np.abs(mean - exact) <= bound) >= 0.99


def test_signatures_of_a_union_are_the_minimum_of_the_parts() -> None:
    graph = planted_graph(np.random.default_rng(3), accounts=20)
    arrays = (graph.in_indptr, graph.in_sources, graph.in_flags, FOLLOW_FLAG)
    parts = graph.index_of(["a1", "a2", "a3"])
    signatures = minhash_signatures(*arrays, parts, hashes=64, seed=5)
    # Identical sets agree everywhere; a set agrees with itself from a separate call.
    again = minhash_signatures(*arrays, parts[:1], hashes=64, seed=5)
    assert (again[0] == signatures[0]).all()
    assert signature_agreement(signatures, signatures[0]).tolist()[0] == 1.0
    # Another seed gives other hash functions.
    assert (minhash_signatures(*arrays, parts[:1], hashes=64, seed=6) != again).any()
    # A follower-less account has the empty signature.
    empty = minhash_signatures(*arrays, graph.index_of(["f0"]), hashes=8, seed=5)
    assert graph.followers[graph.index_of(["f0"])[0]] == 0
    assert (empty == EMPTY_SLOT).all()


def _email_graph(shared_data: Path) -> SocialGraph:
    return build_graph(load_dataset(follows=shared_data / "email-eu-core" / "email-Eu-core.txt"))


@pytest.mark.shared_data
def test_estimates_within_bound_on_a_real_graph(shared_data: Path) -> None:
    graph = _email_graph(shared_data)
    order = np.argsort(-graph.followers, kind="stable")
    for seeds in (order[:1], order[[10]], order[[3, 30, 300]]):
        estimate, exact = estimates_and_exact(graph, seeds.astype(np.int64))
        assert exact.size > 500
        assert within_bound(estimate, exact) >= 0.99


def top_overlap(graph: SocialGraph, seeds: list[str], top: int) -> float:
    exact = find_lookalikes(graph, seeds, top=top, method="exact").table["id"]
    sketched = find_lookalikes(graph, seeds, top=top, method="minhash").table["id"]
    return len(set(exact) & set(sketched)) / max(len(exact), 1)


@pytest.mark.shared_data
def test_minhash_ranking_agrees_with_exact_on_a_real_graph(shared_data: Path) -> None:
    graph = _email_graph(shared_data)
    popular = graph.ids_of(np.argsort(-graph.followers, kind="stable")[:3]).to_list()
    # Re-scored exactly, the rows MinHash returns are exact; its top 100 is the exact top 100.
    for seeds in ([popular[0]], popular):
        assert top_overlap(graph, seeds, 100) == 1.0


@pytest.mark.slow
@pytest.mark.shared_data
def test_minhash_error_and_ranking_on_ego_twitter(shared_data: Path) -> None:
    graph = build_graph(load_dataset(follows=shared_data / "ego-twitter" / "twitter_combined.txt"))
    order = np.argsort(-graph.followers, kind="stable")
    middle = order[graph.followers[order] >= 100][-1]  # a seed with about 100 followers
    for seeds in (order[:1], np.array([middle])):
        estimate, exact = estimates_and_exact(graph, seeds.astype(np.int64))
        assert exact.size > 10_000
        assert within_bound(estimate, exact) >= 0.99
        seed_ids = graph.ids_of(seeds).to_list()
        assert top_overlap(graph, seed_ids, 100) >= 0.95


@pytest.mark.slow
def test_parallel_and_serial_kernels_agree() -> None:
    # Graphs of over a million edges run the parallel twins; both must give the same bits.
    graph = planted_graph(np.random.default_rng(5), accounts=60)
    arrays = (graph.in_indptr, graph.in_sources, graph.in_flags, FOLLOW_FLAG)
    seeds = graph.index_of(["seed"])
    member = audience_mask(*arrays, seeds)
    nodes = np.arange(graph.n_nodes, dtype=np.int64)
    keys, multipliers, increments = kernels._hash_parameters_kernel(32, graph.n_nodes, 9)
    cases = (
        (kernels._shared_followers_kernel, (*arrays, member, nodes)),
        (kernels._shared_followers_kernel, (*arrays, member, nodes[::3])),
        (kernels._signatures_kernel, (*arrays, nodes, keys, multipliers, increments)),
    )
    for kernel, arguments in cases:
        serial, parallel = kernel.serial(*arguments), kernel.parallel(*arguments)
        for one, other in zip(np.atleast_1d(serial), np.atleast_1d(parallel), strict=True):
            assert np.array_equal(one, other)
    signatures = kernels._signatures_kernel.serial(*cases[2][1])
    assert np.array_equal(
        kernels._agreement_kernel.serial(signatures, signatures[0]),
        kernels._agreement_kernel.parallel(signatures, signatures[0]),
    )
