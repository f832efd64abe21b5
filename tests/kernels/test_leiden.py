"""The numba Leiden / Louvain kernel: hand-computed cases, properties checked by slow
references (modularity, single-node moves, connectivity, aggregation), quality against igraph
and the ground truth, and determinism across seeds and thread counts.

``pytest -s`` prints the quality table of the kernel against igraph's Leiden.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import igraph as ig
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.algorithms.communities import undirected_projection
from graphkit.config import set_threads
from graphkit.kernels.leiden import _aggregate_kernel, leiden, workspace_for
from tests.algorithms.test_communities import (
    GROUND_TRUTH,
    _csr,
    _random_rows,
    _rows,
    _scores,
    igraph_leiden_cases,
)

Rows = list[list[tuple[int, float]]]


# --- slow references ---------------------------------------------------------------------


def modularity_reference(rows: Rows, membership: list[int], resolution: float = 1.0) -> float:
    """Newman's weighted modularity by its definition, one edge at a time."""
    twice_total = sum(weight for row in rows for _, weight in row)
    if twice_total == 0:
        return float("nan")
    inside: dict[int, float] = defaultdict(float)
    strength: dict[int, float] = defaultdict(float)
    for node, row in enumerate(rows):
        for neighbor, weight in row:
            strength[membership[node]] += weight
            if membership[neighbor] == membership[node]:
                inside[membership[node]] += weight
    return sum(
        inside[c] / twice_total - resolution * (strength[c] / twice_total) ** 2 for c in strength
    )


def best_single_move_gain(rows: Rows, membership: list[int], resolution: float = 1.0) -> float:
    """Largest modularity gain of moving one node to another community (or a new one)."""
    twice_total = sum(weight for row in rows for _, weight in row)
    if twice_total == 0:
        return 0.0
    strength = [sum(weight for _, weight in row) for row in rows]
    total_of: dict[int, float] = defaultdict(float)
    for node, label in enumerate(membership):
        total_of[label] += strength[node]
    best = 0.0
    for node, row in enumerate(rows):
        own = membership[node]
        weight_to: dict[int, float] = defaultdict(float)
        for neighbor, weight in row:
            weight_to[membership[neighbor]] += weight
        scale = resolution * strength[node] / twice_total
        stay = weight_to[own] - scale * (total_of[own] - strength[node])
        for label, weight in [*weight_to.items(), (-1, 0.0)]:
            if label != own:
                gain = weight - scale * (total_of[label] if label >= 0 else 0.0)
                best = max(best, 2.0 * (gain - stay) / twice_total)
    return best


def disconnected_communities(rows: Rows, membership: list[int]) -> list[int]:
    """Communities whose nodes are not all reachable from each other inside the community."""
    members: dict[int, list[int]] = defaultdict(list)
    for node, label in enumerate(membership):
        members[label].append(node)
    broken = []
    for label, nodes in members.items():
        reached = {nodes[0]}
        stack = [nodes[0]]
        while stack:
            for neighbor, _ in rows[stack.pop()]:
                if membership[neighbor] == label and neighbor not in reached:
                    reached.add(neighbor)
                    stack.append(neighbor)
        if len(reached) != len(nodes):
            broken.append(label)
    return broken


def _cliques(count: int, size: int, *, ring: bool) -> Rows:
    edges = [
        (c * size + a, c * size + b, 1.0)
        for c in range(count)
        for a in range(size)
        for b in range(a + 1, size)
    ]
    joints = count if ring else count - 1
    edges += [(c * size + size - 1, ((c + 1) % count) * size, 1.0) for c in range(joints)]
    return _rows(count * size, edges)


@pytest.fixture(params=[1, 2], ids=["1-thread", "2-threads"])
def threads(request: pytest.FixtureRequest):
    set_threads(request.param)
    yield request.param
    set_threads(0)


# --- hand-computed cases -----------------------------------------------------------------


@pytest.mark.parametrize("refine", [True, False], ids=["leiden", "louvain"])
def test_two_cliques_joined_by_an_edge(refine):
    rows = _cliques(2, 5, ring=False)
    for seed in range(5):
        membership, iterations = leiden(*_csr(rows), seed=seed, refine=refine)
        assert membership.tolist() == [0] * 5 + [1] * 5
        assert iterations >= 1
    # 21 edges; each clique holds 10 inside and strength 21: Q = 2 (10/21 - 1/4).
    assert modularity_reference(rows, membership.tolist()) == pytest.approx(2 * (10 / 21 - 0.25))


@pytest.mark.slow
@pytest.mark.parametrize("refine", [True, False], ids=["leiden", "louvain"])
def test_ring_of_cliques_is_split_into_its_cliques(refine):
    # 8 cliques of 5 in a ring: 88 edges, each clique 10 inside and strength 22. Below the
    # resolution limit (8 < sqrt(88)) the cliques are the optimum: Q = 8 (10/88 - (22/176)^2).
    rows = _cliques(8, 5, ring=True)
    for seed in range(5):
        membership, _ = leiden(*_csr(rows), seed=seed, refine=refine)
        assert membership.tolist() == [c for c in range(8) for _ in range(5)]
    assert modularity_reference(rows, membership.tolist()) == pytest.approx(
        8 * (10 / 88 - (22 / 176) ** 2)
    )


def test_ring_of_cliques_merges_pairs_at_low_resolution():
    # At resolution 0.25 neighbouring cliques pair up: four communities of ten nodes.
    rows = _cliques(8, 5, ring=True)
    membership, _ = leiden(*_csr(rows), seed=3, resolution=0.25)
    sizes = np.bincount(membership)
    assert sizes.tolist() == [10, 10, 10, 10]
    assert not disconnected_communities(rows, membership.tolist())


def test_graphs_without_edges():
    empty = leiden(np.zeros(1, dtype=np.int64), np.zeros(0, np.int32), np.zeros(0), seed=0)
    assert empty[0].shape == (0,)
    isolated = leiden(np.zeros(5, dtype=np.int64), np.zeros(0, np.int32), np.zeros(0), seed=0)
    assert isolated[0].tolist() == [0, 1, 2, 3]
    # Isolated nodes beside an edge stay on their own.
    membership, _ = leiden(*_csr(_rows(4, [(1, 2, 1.0)])), seed=0)
    assert membership.tolist() == [0, 1, 1, 2]


def test_aggregation_matches_a_dict_reference():
    rows = _random_rows(2, 300, 1_500, groups=9)
    indptr, neighbors, weights = _csr(rows)
    labels = np.random.default_rng(1).integers(0, 40, 300).astype(np.int32)
    labels = np.unique(labels, return_inverse=True)[1].astype(np.int32)
    n_labels = int(labels.max()) + 1
    out = workspace_for(neighbors.shape[0])
    for n_workers, min_work in [(1, 0), (2, 0), (3, 0)]:
        new_indptr = _aggregate_kernel(
            indptr, neighbors, weights, labels, n_labels, out[0], out[1], n_workers, min_work
        )
        expected: list[dict[int, float]] = [defaultdict(float) for _ in range(n_labels)]
        for node, row in enumerate(rows):
            for neighbor, weight in row:
                expected[labels[node]][int(labels[neighbor])] += weight
        for label in range(n_labels):
            span = slice(new_indptr[label], new_indptr[label + 1])
            found = dict(zip(out[0][span].tolist(), out[1][span].tolist(), strict=True))
            assert len(found) == new_indptr[label + 1] - new_indptr[label]
            assert found == pytest.approx(dict(expected[label]), abs=1e-9)


# --- properties on random graphs ---------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 40),
    raw_edges=st.lists(
        st.tuples(st.integers(0, 39), st.integers(0, 39), st.sampled_from([0.5, 1.0, 2.0, 3.0])),
        max_size=150,
    ),
    seed=st.integers(0, 2**32),
    resolution=st.sampled_from([0.5, 1.0, 2.0]),
    refine=st.booleans(),
)
def test_converged_partition_is_node_optimal_and_connected(n, raw_edges, seed, resolution, refine):
    rows = _rows(n, [(a % n, b % n, w) for a, b, w in raw_edges])
    membership, _ = leiden(*_csr(rows), seed=seed, resolution=resolution, refine=refine)
    labels = membership.tolist()
    assert sorted(set(labels)) == list(range(len(set(labels))))
    assert best_single_move_gain(rows, labels, resolution) <= 1e-12
    if refine:
        assert not disconnected_communities(rows, labels)
    if any(rows):
        assert modularity_reference(rows, labels, resolution) >= modularity_reference(
            rows, list(range(n)), resolution
        )


@pytest.mark.slow
@pytest.mark.parametrize("refine", [True, False], ids=["leiden", "louvain"])
def test_planted_partition_same_on_any_threads_and_parts(refine):
    # min_work 0 splits even this graph into parts (refinement, aggregation).
    rows = _random_rows(5, 3_000, 15_000, groups=30)
    csr = _csr(rows)
    expected = {seed: leiden(*csr, seed=seed, refine=refine)[0] for seed in (0, 1)}
    try:
        for count in (1, 2):
            set_threads(count)
            for seed in (0, 1):
                assert np.array_equal(expected[seed], leiden(*csr, seed=seed, refine=refine)[0])
                for workers in (2, 3):
                    split = leiden(*csr, seed=seed, refine=refine, min_work=0, workers=workers)[0]
                    assert np.array_equal(expected[seed], split)
    finally:
        set_threads(0)
    labels = expected[0].tolist()
    assert best_single_move_gain(rows, labels) <= 1e-12
    if refine:
        assert not disconnected_communities(rows, labels)


# --- real graphs: igraph and the ground truth --------------------------------------------

SEEDS = (0, 1, 2, 3, 4)


def _kernel_on(graph, seed: int, **options) -> np.ndarray:
    projection = undirected_projection(graph)
    return leiden(
        projection.indptr, projection.neighbors, projection.weights, seed=seed, **options
    )[0]


def _reference_rows(reference: ig.Graph) -> Rows:
    return _rows(
        reference.vcount(),
        [
            (a, b, w)
            for (a, b), w in zip(reference.get_edgelist(), reference.es["weight"], strict=True)
        ],
    )


@pytest.fixture(scope="module")
def classic(shared_data: Path):
    """Per dataset: graph, truth, igraph reference, and igraph Leiden's figures per seed."""
    return igraph_leiden_cases(shared_data)


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize("refine", [True, False], ids=["leiden", "louvain"])
@pytest.mark.parametrize("name", list(GROUND_TRUTH))
def test_quality_against_igraph_leiden_and_ground_truth(classic, name, refine):
    graph, truth, reference, igraph_figures = classic[name]
    reference_q, reference_nmi, reference_ari = igraph_figures.mean(axis=0)
    rows = _reference_rows(reference)
    figures = []
    for seed in SEEDS:
        membership = _kernel_on(graph, seed, refine=refine)
        q = reference.modularity(membership.tolist(), weights="weight")
        assert q == pytest.approx(modularity_reference(rows, membership.tolist()), abs=1e-12)
        assert q >= 0.99 * reference_q
        if refine:
            assert not disconnected_communities(rows, membership.tolist())
        figures.append((q, *_scores(truth, membership)))
    q, nmi, ari = np.mean(figures, axis=0)
    print(
        f"\n{name:14s} {'leiden' if refine else 'louvain':8s} Q {q:.4f} "
        f"(igraph {reference_q:.4f}, ratio {q / reference_q:.4f})  "
        f"NMI {nmi:.4f} ({reference_nmi:.4f})  ARI {ari:.4f} ({reference_ari:.4f})"
    )
    assert q >= 0.99 * reference_q
    assert nmi >= reference_nmi - 0.02


@pytest.mark.shared_data
def test_same_seed_same_partition_on_email(classic):
    graph = classic["email-Eu-core"][0]
    first = _kernel_on(graph, 7)
    assert np.array_equal(first, _kernel_on(graph, 7))
    assert any(not np.array_equal(first, _kernel_on(graph, seed)) for seed in range(1, 4))


@pytest.mark.slow
@pytest.mark.shared_data
def test_threads_and_parts_agree_on_higgs(shared_data):
    from graphkit.graph import build_graph
    from graphkit.io import load_dataset

    path = shared_data / "higgs-twitter" / "higgs-retweet_network.edgelist"
    graph = build_graph(load_dataset(interactions=path, interaction_type="repost"))
    found = {}
    try:
        for count in (1, 2):
            set_threads(count)
            found[count] = _kernel_on(graph, 4)
    finally:
        set_threads(0)
    assert np.array_equal(found[1], found[2])
    assert np.array_equal(found[1], _kernel_on(graph, 4, workers=2, min_work=0))
    assert int(found[1].max()) + 1 > 1_000
