"""Warm starts of graphkit.algorithms.pagerank: the same fixed point as a cold start, fewer
iterations from a nearby vector, and the start validated like the personalization."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.algorithms import pagerank, pagerank_run
from graphkit.config import set_threads
from graphkit.errors import ParameterError
from graphkit.graph import build_graph
from tests.algorithms.test_pagerank import _dataset, weighted_graphs
from tests.conftest import TINY_GRAPHS, follows_graph
from tests.reference import pagerank_reference


@pytest.fixture(autouse=True)
def one_thread():
    """Small graphs: one thread is faster than waking two (the bits are the same)."""
    set_threads(1)
    yield
    set_threads(0)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(
    weighted_graphs(),
    st.lists(st.floats(0.0, 1e6, allow_nan=False), min_size=12, max_size=12),
    st.booleans(),
)
def test_any_start_reaches_the_cold_fixed_point(graph_spec, start_weights, personalize):
    n, edges = graph_spec
    graph = build_graph(_dataset(n, edges))
    start = np.asarray(start_weights[: graph.n_nodes])
    personalization = (np.arange(graph.n_nodes) % 2 + 0.5) if personalize else None
    cold = pagerank_run(graph, tolerance=1e-13, personalization=personalization)
    warm = pagerank_run(graph, tolerance=1e-13, personalization=personalization, start=start)
    assert np.abs(warm.scores - cold.scores).sum() <= 1e-9
    node_of_name = graph.index_of([f"n{i}" for i in range(n)])
    kept = [(s, t, w) for s, t, w in edges if s != t]
    teleport = None if personalization is None else personalization[node_of_name]
    expected = pagerank_reference(n, kept, personalization=teleport)
    np.testing.assert_allclose(warm.scores[node_of_name], expected, atol=1e-11)


@pytest.mark.parametrize("solver", ["anderson", "power"])
def test_converged_start_stops_at_once_and_a_perturbed_one_soon(solver):
    rng = np.random.default_rng(3)
    n, m = 5_000, 40_000
    edges = list(
        zip(rng.integers(0, n, m).tolist(), (rng.zipf(1.7, m) % n).tolist(), [1.0] * m, strict=True)
    )
    graph = build_graph(_dataset(n, edges))
    cold = pagerank_run(graph, solver=solver)
    again = pagerank_run(graph, start=cold.scores, solver=solver)
    assert again.iterations == 1
    assert np.abs(again.scores - cold.scores).sum() <= 1e-9
    nudged = cold.scores * (1.0 + 1e-5 * rng.random(graph.n_nodes))
    warm = pagerank_run(graph, start=nudged, solver=solver)
    # Power steps: the distance to go sets the count. Mixing: one step to check the start
    # and two power steps to finish come on top of the mixed steps.
    assert warm.iterations < (cold.iterations / 2 if solver == "power" else cold.iterations - 4)
    assert np.abs(warm.scores - cold.scores).sum() <= 1e-9
    order = np.lexsort((np.arange(graph.n_nodes), -cold.scores))[:100]
    assert np.lexsort((np.arange(graph.n_nodes), -warm.scores))[:100].tolist() == order.tolist()


def test_warm_start_same_bits_on_one_and_two_threads():
    graph = follows_graph(TINY_GRAPHS["two_cliques"])
    start = np.arange(1.0, graph.n_nodes + 1.0)
    try:
        set_threads(1)
        one = pagerank_run(graph, start=start)
        set_threads(2)
        two = pagerank_run(graph, start=start)
    finally:
        set_threads(0)
    assert one.scores.tobytes() == two.scores.tobytes()


def test_all_zero_start_is_the_uniform_start():
    graph = follows_graph(TINY_GRAPHS["dangling"])
    cold = pagerank_run(graph)
    zero = pagerank_run(graph, start=np.zeros(graph.n_nodes))
    assert zero.iterations == cold.iterations
    assert zero.scores.tobytes() == cold.scores.tobytes()


def test_huge_start_values_do_not_overflow():
    graph = follows_graph(TINY_GRAPHS["path"])
    scores = pagerank(graph, start=np.full(graph.n_nodes, 1e308))
    np.testing.assert_allclose(scores, pagerank(graph), atol=1e-9)


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (np.ones(3), "start must have one score per node"),
        (-np.ones(4), "start scores must be finite and >= 0"),
        (np.array([1.0, np.nan, 1.0, 1.0]), "start scores must be finite and >= 0"),
        (np.array([1.0, np.inf, 1.0, 1.0]), "start scores must be finite and >= 0"),
    ],
)
def test_rejects_bad_start(start, message):
    graph = follows_graph(TINY_GRAPHS["path"])
    with pytest.raises(ParameterError, match=message):
        pagerank(graph, start=start)


@pytest.mark.shared_data
def test_warm_start_after_an_update_matches_the_cold_run_on_a_real_graph(shared_data):
    import polars as pl
    import pyarrow as pa

    from graphkit.app.confidence import warm_start
    from graphkit.io import Dataset, load_dataset

    follows = load_dataset(follows=shared_data / "email-eu-core" / "email-Eu-core.txt").follows
    held_out = np.random.default_rng(0).random(follows.num_rows) < 0.01
    before = build_graph(Dataset(follows=follows.filter(pa.array(~held_out))))
    after = build_graph(Dataset(follows=follows))
    earlier = pagerank_run(before)
    previous = pl.DataFrame(
        {"id": pl.Series(before.ids).cast(pl.String), "pagerank": earlier.scores}
    )
    start, matched = warm_start(after, previous)
    assert matched == before.n_nodes
    cold = pagerank_run(after)
    warm = pagerank_run(after, start=start)
    assert warm.iterations < cold.iterations
    assert np.abs(warm.scores - cold.scores).sum() <= 1e-9
    ids = np.array(after.ids.to_pylist())
    assert (
        ids[np.lexsort((ids, -warm.scores))][:200] == ids[np.lexsort((ids, -cold.scores))][:200]
    ).all()
