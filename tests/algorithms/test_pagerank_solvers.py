"""The default PageRank solver (dangling accounts lumped, Anderson mixing, power steps to
finish) against plain power steps: the same scores, fewer iterations, the same stopping rule,
the same bits on any thread count."""

from __future__ import annotations

import importlib
from unittest import mock

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings

from graphkit.algorithms.pagerank import pagerank_run
from graphkit.config import set_threads
from graphkit.errors import ConvergenceError
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset
from graphkit.kernels import anderson
from tests.algorithms.test_pagerank_differential import built
from tests.reference import pagerank_reference
from tests.strategies import GeneratedData, generated_data

pytestmark = pytest.mark.slow


def dangling_heavy(
    n: int, dangling_share: float, seed: int, communities: int = 10, inside: float = 0.97
) -> SocialGraph:
    """Followers in communities that mostly follow inside (slow mixing), and accounts that
    are only followed (dangling: 40-60% of the accounts), a few follows each."""
    rng = np.random.default_rng(seed)
    active = max(2, int(n * (1 - dangling_share)))
    community = rng.integers(0, communities, active)
    members = [np.flatnonzero(community == c) for c in range(communities)]
    size = active * 4
    followers = rng.integers(0, active, size)
    within = rng.random(size) < inside
    followed = rng.integers(0, active, size)
    for c, group in enumerate(members):
        pick = within & (community[followers] == c)
        followed[pick] = group[rng.integers(0, group.shape[0], int(pick.sum()))]
    extra = active * 3 // 2
    popular = rng.integers(0, n - active, extra)
    follower = np.concatenate([followers, rng.integers(0, active, extra)])
    target = np.concatenate([followed, active + popular])
    table = pa.table({"follower": follower.astype(str), "followed": target.astype(str)})
    return build_graph(Dataset(follows=table))


@pytest.mark.parametrize("share", [0.5, 0.9])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("damping", [0.85, 0.95])
def test_fewer_iterations_same_scores_on_dangling_heavy_graphs(share, seed, damping):
    graph = dangling_heavy(3_000, share, seed)
    assert (graph.out_weight == 0).mean() > 0.4  # the shape asked for: many dangling accounts
    power = pagerank_run(graph, solver="power", damping=damping, tolerance=1e-12)
    mixed = pagerank_run(graph, damping=damping, tolerance=1e-12)
    assert mixed.iterations < power.iterations
    assert mixed.change < 1e-12  # the same stopping rule, on a power step
    # Both within d r / (1 - d) of the exact scores (r < 1e-12).
    assert np.abs(mixed.scores - power.scores).sum() < 2 * damping * 1e-12 / (1 - damping)
    order = np.lexsort((np.arange(graph.n_nodes), -power.scores))[:50]
    assert np.lexsort((np.arange(graph.n_nodes), -mixed.scores))[:50].tolist() == order.tolist()


def test_same_scores_as_the_dense_reference_with_personalization_and_weights():
    rng = np.random.default_rng(7)
    n, m = 400, 3_000
    follows = pa.table(
        {
            "follower": rng.integers(0, n // 2, m).astype(str),
            "followed": rng.integers(0, n, m).astype(str),
        }
    )
    interactions = pa.table(
        {
            "source": rng.integers(0, n, 500).astype(str),
            "target": rng.integers(0, n, 500).astype(str),
            "type": rng.choice(["like", "repost", "reply"], 500),
        }
    )
    graph = build_graph(Dataset(follows=follows, interactions=interactions))
    teleport = rng.random(graph.n_nodes) * (rng.random(graph.n_nodes) < 0.2)
    teleport[0] += 1.0
    result = pagerank_run(graph, personalization=teleport, tolerance=1e-13)
    targets = np.repeat(np.arange(graph.n_nodes), np.diff(graph.in_indptr))
    edges = list(
        zip(graph.in_sources.tolist(), targets.tolist(), graph.in_weights.tolist(), strict=True)
    )
    expected = pagerank_reference(graph.n_nodes, edges, personalization=teleport)
    np.testing.assert_allclose(result.scores, expected, atol=1e-11)
    assert (result.scores >= 0).all()


@settings(max_examples=40, deadline=None)
@given(generated_data())
def test_mixed_and_power_agree_on_generated_shapes(data: GeneratedData):
    graph, _ = built(data)
    power = pagerank_run(graph, solver="power", tolerance=1e-12)
    mixed = pagerank_run(graph, tolerance=1e-12)
    assert np.abs(mixed.scores - power.scores).sum() <= 2e-11
    assert mixed.iterations <= power.iterations + 3  # never much worse, even where fast


def test_a_reweighted_copy_with_new_dangling_accounts_keeps_the_answer():
    graph = dangling_heavy(2_000, 0.5, 4)
    weights = graph.in_weights.copy()
    weights[::3] = 0.0  # some accounts now pass no attention on (a bootstrap replicate's zeros)
    zeroed = dangling_heavy(2_000, 0.5, 4).with_weights(weights)
    assert np.isfinite(pagerank_run(zeroed).scores).all()  # its own, smaller layout
    assert np.isfinite(pagerank_run(graph).scores).all()  # the lumped layout is cached now
    copy = graph.with_weights(weights)  # shares it
    power = pagerank_run(copy, solver="power", tolerance=1e-12)
    mixed = pagerank_run(copy, tolerance=1e-12)
    assert np.abs(mixed.scores - power.scores).sum() < 2e-11
    assert mixed.iterations < power.iterations
    # Weight again on edges the copy's layout left out (their sources passed nothing on).
    revived = zeroed.with_weights(weights + 1.0)
    assert (zeroed.out_weight == 0).sum() > (revived.out_weight == 0).sum()
    power = pagerank_run(revived, solver="power", tolerance=1e-12)
    mixed = pagerank_run(revived, tolerance=1e-12)
    assert np.abs(mixed.scores - power.scores).sum() < 2e-11
    assert mixed.iterations < power.iterations


def test_same_bits_on_one_and_two_threads_in_the_parallel_kernels(monkeypatch):
    import graphkit.config

    monkeypatch.setattr(graphkit.config, "SERIAL_BELOW", 0)  # the parallel twins, however small
    graph = dangling_heavy(5_000, 0.7, 3)
    try:
        set_threads(1)
        one = pagerank_run(graph)
        set_threads(2)
        two = pagerank_run(graph)
    finally:
        set_threads(None)
    assert anderson._anderson_kernel.choose(np.empty(3)) is anderson._anderson_kernel.parallel
    assert one.scores.tobytes() == two.scores.tobytes()
    assert one.iterations == two.iterations


def test_a_run_out_of_budget_in_the_mixed_phase_does_not_pass_as_converged():
    graph = dangling_heavy(2_000, 0.5, 0)
    with pytest.raises(Exception, match="did not converge in 3 iterations"):
        pagerank_run(graph, max_iter=3)


@pytest.mark.parametrize("max_iter", [1, 2])
def test_a_warm_start_out_of_budget_reports_its_power_step_change(max_iter):
    # Once said "non-finite scores (edge weights too large or too small ...)": the mixed
    # phase ran 0 steps and its change of inf was reported as the run's.
    graph = dangling_heavy(2_000, 0.5, 0)
    start = np.zeros(graph.n_nodes)
    start[0] = 1.0
    with pytest.raises(ConvergenceError, match=rf"did not converge in {max_iter} iterations"):
        pagerank_run(graph, start=start, max_iter=max_iter)


def chain(length: int) -> SocialGraph:
    follower = [str(i) for i in range(length - 1)]
    followed = [str(i + 1) for i in range(length - 1)]
    return build_graph(Dataset(follows=pa.table({"follower": follower, "followed": followed})))


@pytest.mark.parametrize(
    "graph", [dangling_heavy(2_000, 0.5, 0), chain(200)], ids=["dangling_heavy", "chain"]
)
def test_the_last_iteration_of_a_budget_is_a_power_step(graph):
    # A budget one short of the run's used to end in the mixed phase and raise "L1 change
    # 1e-10 > tolerance 1e-10" (the tolerance standing in for a change no power step had
    # measured); the last iteration is now always a power step, which may confirm the answer.
    needed = pagerank_run(graph).iterations
    result = pagerank_run(graph, max_iter=needed - 1)
    assert result.iterations <= needed - 1
    assert result.change < 1e-10
    power = pagerank_run(graph, solver="power", tolerance=1e-12)
    assert np.abs(result.scores - power.scores).sum() < 2 * 0.85 * 1e-10 / 0.15
    with pytest.raises(ConvergenceError) as caught:
        pagerank_run(graph, max_iter=needed // 3)
    assert f"did not converge in {needed // 3} iterations" in str(caught.value)
    assert "change 1e-10 >" not in str(caught.value)


def test_progress_never_shows_done_before_the_power_steps_that_finish(monkeypatch):
    # The mixed phase's last report once said (27, 27): a full bar, then a 28th iteration.
    pagerank_module = importlib.import_module("graphkit.algorithms.pagerank")
    monkeypatch.setattr(pagerank_module, "PROGRESS_MIN_ITERATIONS", 1)
    monkeypatch.setattr(pagerank_module, "PROGRESS_SECONDS", 0.0)
    graph = dangling_heavy(5_000, 0.7, 3)
    calls: list[tuple[int, int | None, str]] = []
    reported = pagerank_run(graph, on_progress=lambda *call: calls.append(call))
    quiet = pagerank_run(graph)
    assert reported.scores.tobytes() == quiet.scores.tobytes()
    assert calls[-1][:2] == (quiet.iterations, quiet.iterations)
    assert len(calls) == quiet.iterations  # one report per iteration: the mixed phase ran
    assert all(total is None or total > done for done, total, _ in calls[:-1])


def _lumped_edges(layout: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(account, source, full edge index) of each lumped edge, in the layout's order."""
    rows, indptr, sources, _, _, edge_of = layout
    indptr = indptr.astype(np.int64)
    row_of_edge = np.repeat(rows, np.diff(indptr))
    full_index = np.arange(int(indptr[-1]))[edge_of]
    return row_of_edge, rows[sources.astype(np.int64)], full_index


@settings(max_examples=60, deadline=None)
@given(generated_data())
def test_the_lumped_layout_as_views_equals_the_copied_one(data: GeneratedData):
    module = importlib.import_module("graphkit.algorithms.pagerank")

    graph, _ = built(data)
    rows = np.flatnonzero(graph.out_weight > 0.0)
    viewed = module._prefix_layout(graph, rows)
    if viewed is None:
        return
    with mock.patch.object(module, "_prefix_layout", return_value=None):
        copied = module._lumped_layout(dataclasses_copy(graph))
    for fast, slow in zip(_lumped_edges(viewed), _lumped_edges(copied), strict=True):
        np.testing.assert_array_equal(fast, slow)
    # Below the sharing size: the copied layout's blocks and rows, so the same bits.
    np.testing.assert_array_equal(viewed[4], copied[4])
    np.testing.assert_array_equal(viewed[3], copied[3])
    # Above it, the full layout's.
    with mock.patch.object(module, "SHARED_ROWS_EDGES", 0):
        viewed = module._prefix_layout(graph, rows)
    assert viewed is not None
    # Each edge's row within its block, as the kernels read it.
    _, indptr, _, targets, blocks, _ = viewed
    expected_rows = np.repeat(np.arange(rows.shape[0]), np.diff(indptr.astype(np.int64)))
    firsts = blocks[np.searchsorted(blocks, expected_rows, side="right") - 1].astype(np.int64)
    np.testing.assert_array_equal(targets.astype(np.int64), expected_rows - firsts)


def dataclasses_copy(graph: SocialGraph) -> SocialGraph:
    import dataclasses

    return dataclasses.replace(graph, _cache={})


def test_the_lumped_layout_is_a_view_unless_zero_weights_break_the_prefix():
    module = importlib.import_module("graphkit.algorithms.pagerank")

    graph = dangling_heavy(2_000, 0.5, 4)
    layout = module._lumped_layout(graph)
    assert isinstance(layout[5], slice)
    assert np.shares_memory(layout[2], graph.in_sources)
    weights = graph.in_weights.copy()
    weights[::3] = 0.0
    zeroed = dangling_heavy(2_000, 0.5, 4).with_weights(weights)
    assert isinstance(module._lumped_layout(zeroed)[5], np.ndarray)
    # Sharing the full layout's blocks (large graphs) moves only the last bits.
    own = pagerank_run(dangling_heavy(2_000, 0.5, 4), tolerance=1e-12)
    with mock.patch.object(module, "SHARED_ROWS_EDGES", 0):
        shared = pagerank_run(dangling_heavy(2_000, 0.5, 4), tolerance=1e-12)
    np.testing.assert_allclose(shared.scores, own.scores, rtol=1e-9, atol=1e-15)
