"""graphkit.algorithms.pagerank: against a dense reference on tiny and random graphs, and
against networkx and igraph on the real graphs in the shared data folder."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.algorithms import pagerank, pagerank_run
from graphkit.config import set_threads
from graphkit.errors import ConvergenceError, ParameterError
from graphkit.graph import build_graph
from graphkit.io import Dataset, load_dataset
from tests.conftest import TINY_GRAPHS, follows_graph
from tests.reference import pagerank_reference


def _as_int_edges(graph):
    targets = graph.edge_targets()
    return [
        (int(s), int(t), float(w))
        for s, t, w in zip(graph.in_sources, targets, graph.in_weights, strict=True)
    ]


@pytest.mark.slow
def test_contract_on_tiny_graphs(tiny_graph):
    scores = pagerank(tiny_graph, tolerance=1e-14)
    assert scores.shape == (tiny_graph.n_nodes,)
    assert np.isfinite(scores).all()
    assert (scores >= 0).all()
    assert scores.sum() == pytest.approx(1.0, abs=1e-12)
    expected = pagerank_reference(tiny_graph.n_nodes, _as_int_edges(tiny_graph))
    np.testing.assert_allclose(scores, expected, atol=1e-12)


def test_star_hub_ranks_first_and_leaves_tie():
    graph = follows_graph(TINY_GRAPHS["star"])
    scores = pagerank(graph)
    ids = graph.ids.to_pylist()
    assert ids[int(scores.argmax())] == "hub"
    leaves = scores[[ids.index(name) for name in "abcd"]]
    assert np.ptp(leaves) == 0.0


def test_hand_computed_two_node_graph():
    # a -> b only; b is dangling and spreads its score uniformly, a receives only that:
    # xa = 0.15/2 + 0.85 * xb/2 and xa + xb = 1, so xb = 0.925 / 1.425.
    graph = follows_graph([("a", "b")])
    scores = pagerank(graph, tolerance=1e-15)
    xb = 0.925 / 1.425
    np.testing.assert_allclose(scores, [1 - xb, xb], atol=1e-13)


@st.composite
def weighted_graphs(draw):
    n = draw(st.integers(2, 12))
    edges = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, n - 1),
                st.floats(0.1, 10, allow_nan=False, allow_infinity=False),
            ),
            min_size=1,
            max_size=40,
        )
    )
    return n, edges


def _dataset(n, edges):
    names = [f"n{i}" for i in range(n)]
    interactions = pa.table(
        {
            "source": [names[s] for s, _, _ in edges],
            "target": [names[t] for _, t, _ in edges],
            "type": ["mention"] * len(edges),
            "weight": [w for _, _, w in edges],
        }
    )
    accounts = pa.table({"id": names})
    return Dataset(accounts=accounts, interactions=interactions)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(weighted_graphs(), st.floats(0.0, 0.95), st.booleans())
def test_matches_reference_on_random_weighted_graphs(graph_spec, damping, personalize):
    n, edges = graph_spec
    graph = build_graph(_dataset(n, edges))
    personalization = None
    if personalize:
        personalization = np.arange(1, n + 1, dtype=np.float64) % 3
        if personalization.sum() == 0:
            personalization[0] = 1.0
    node_of_name = graph.index_of([f"n{i}" for i in range(n)])
    if personalization is not None:
        teleport = np.zeros(n)
        teleport[node_of_name] = personalization
    else:
        teleport = None
    scores = pagerank(graph, damping=damping, tolerance=1e-14, personalization=teleport)
    scores = scores[node_of_name]
    kept = [(s, t, w) for s, t, w in edges if s != t]  # self-loops are dropped
    expected = pagerank_reference(n, kept, damping=damping, personalization=personalization)
    np.testing.assert_allclose(scores, expected, atol=1e-11)
    assert scores.sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(weighted_graphs(), st.randoms(use_true_random=False))
def test_invariant_under_relabelling(graph_spec, random):
    n, edges = graph_spec
    permutation = list(range(n))
    random.shuffle(permutation)
    relabelled = [(permutation[s], permutation[t], w) for s, t, w in edges]
    names = [f"n{i}" for i in range(n)]
    original_graph = build_graph(_dataset(n, edges))
    moved_graph = build_graph(_dataset(n, relabelled))
    original = pagerank(original_graph, tolerance=1e-14)[original_graph.index_of(names)]
    moved = pagerank(moved_graph, tolerance=1e-14)[moved_graph.index_of(names)]
    np.testing.assert_allclose(moved[permutation], original, atol=1e-12)


def test_same_bits_on_one_and_two_threads():
    rng = np.random.default_rng(7)
    n, m = 20_000, 200_000
    edges = [
        (int(s), int(t), float(w))
        for s, t, w in zip(
            rng.integers(0, n, m), rng.zipf(1.8, m) % n, rng.random(m) + 0.1, strict=True
        )
    ]
    graph = build_graph(_dataset(n, edges))
    try:
        set_threads(1)
        one = pagerank_run(graph)
        set_threads(2)
        two = pagerank_run(graph)
    finally:
        set_threads(0)
    assert one.iterations == two.iterations
    assert one.scores.tobytes() == two.scores.tobytes()


def test_convergence_error_names_the_fix():
    graph = follows_graph(TINY_GRAPHS["two_cliques"])
    with pytest.raises(ConvergenceError, match="did not converge in 2 iterations"):
        pagerank(graph, max_iter=2, tolerance=1e-15)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"damping": 1.0}, "damping must be in"),
        ({"tolerance": 0.0}, "tolerance must be a positive finite number"),
        ({"tolerance": float("inf")}, "tolerance must be a positive finite number"),
        ({"max_iter": 0}, "max-iter must be at least 1"),
        ({"personalization": np.zeros(4)}, "selects no node"),
        ({"personalization": np.ones(3)}, "one weight per node"),
        ({"personalization": -np.ones(4)}, "finite and >= 0"),
    ],
)
def test_rejects_bad_parameters(options, message):
    graph = follows_graph(TINY_GRAPHS["path"])
    with pytest.raises(ParameterError, match=message):
        pagerank(graph, **options)


def test_personalized_mass_stays_in_reach_of_the_audience():
    # Audience {a}; a follows b, b follows c; d and e are unreachable from a.
    graph = follows_graph([("a", "b"), ("b", "c"), ("d", "e")])
    ids = graph.ids.to_pylist()
    audience = np.array([name == "a" for name in ids], dtype=float)
    scores = pagerank(graph, personalization=audience, tolerance=1e-14)
    assert scores[ids.index("d")] == 0.0
    assert scores[ids.index("e")] == 0.0
    assert scores[ids.index("b")] > 0
    assert scores[ids.index("c")] > 0


def _aligned(graph, reference):
    return np.array([reference[node] for node in graph.ids.to_pylist()])


@pytest.mark.slow
@pytest.mark.shared_data
def test_ego_twitter_matches_networkx(shared_data, ego_twitter_reference):
    dataset = load_dataset(follows=shared_data / "ego-twitter" / "twitter_combined.txt")
    graph = build_graph(dataset)
    assert graph.n_nodes == 81_306
    assert graph.self_loops == 14
    result = pagerank_run(graph, tolerance=1e-10)
    expected = _aligned(graph, ego_twitter_reference)
    assert np.abs(result.scores - expected).max() < 1e-8
    assert result.scores.sum() == pytest.approx(1.0, abs=1e-12)
    top = np.argsort(-expected, kind="stable")[:100]
    assert np.argsort(-result.scores, kind="stable")[:100].tolist() == top.tolist()


@pytest.mark.slow
@pytest.mark.shared_data
def test_higgs_retweets_weighted_match_networkx(shared_data, higgs_retweet_reference):
    path = shared_data / "higgs-twitter" / "higgs-retweet_network.edgelist"
    graph = build_graph(load_dataset(interactions=path, interaction_type="repost"))
    assert graph.n_nodes == 256_491
    scores = pagerank(graph, tolerance=1e-10)
    expected = _aligned(graph, higgs_retweet_reference)
    assert np.abs(scores - expected).max() < 1e-8


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("relative", "interaction_type"),
    [
        ("congress-twitter/congress.edgelist", "mention"),
        ("email-eu-core/email-Eu-core.txt", None),
        ("higgs-twitter/higgs-reply_network.edgelist", "reply"),
    ],
)
def test_matches_igraph_prpack(shared_data, relative, interaction_type):
    path = shared_data / relative
    if interaction_type is None:
        graph = build_graph(load_dataset(follows=path))
    else:
        graph = build_graph(load_dataset(interactions=path, interaction_type=interaction_type))
    scores = pagerank(graph, tolerance=1e-12)
    edges = np.column_stack([graph.in_sources, graph.edge_targets()])
    reference = ig.Graph(n=graph.n_nodes, edges=edges, directed=True)
    reference.es["weight"] = graph.in_weights.tolist()
    expected = np.array(reference.pagerank(damping=0.85, weights="weight", implementation="prpack"))
    assert np.abs(scores - expected).max() < 1e-9
