"""graphkit.algorithms.bootstrap: the Poisson draws, the per-edge spread of the records, the
intervals' determinism, and their coverage of the true rank on planted graphs."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from graphkit.algorithms.bootstrap import (
    _ranks,
    basic_intervals,
    bootstrap_pagerank,
    bootstrap_replicates,
    check_confidence,
    resampling_spread,
)
from graphkit.algorithms.pagerank import pagerank_run
from graphkit.config import set_threads
from graphkit.errors import ParameterError
from graphkit.graph import build_graph
from graphkit.graph.social import SQUARE_WEIGHTS_KEY
from graphkit.io import Dataset
from graphkit.kernels.resample import poisson_weights
from tests.algorithms.test_pagerank import _dataset, weighted_graphs
from tests.conftest import TINY_GRAPHS, follows_graph

TYPE_WEIGHTS = {"like": 0.5, "reply": 2.0, "repost": 3.0}


@pytest.mark.parametrize("mean", [0.3, 1.0, 7.5, 16.0, 37.0])
def test_poisson_draws_follow_the_poisson_law(mean):
    draws = poisson_weights(np.full(200_000, mean), np.ones(200_000), key=11)
    assert (draws == np.round(draws)).all()
    support = np.arange(int(mean + 8 * np.sqrt(mean) + 10))
    observed = np.bincount(draws.astype(np.int64), minlength=support.shape[0])[: support.shape[0]]
    expected = stats.poisson.pmf(support, mean) * draws.shape[0]
    kept = expected > 20  # cells with enough expected draws for a chi-square test
    chi2 = (((observed[kept] - expected[kept]) ** 2) / expected[kept]).sum()
    assert stats.chi2.sf(chi2, kept.sum() - 1) > 1e-4
    assert draws.mean() == pytest.approx(mean, rel=0.01)


def test_poisson_draws_depend_on_key_and_edge_only():
    means = np.linspace(0.0, 40.0, 50_001)
    units = np.linspace(1.0, 2.0, 50_001)
    try:
        set_threads(1)
        one = poisson_weights(means, units, key=5)
        set_threads(2)
        two = poisson_weights(means, units, key=5)
    finally:
        set_threads(0)
    assert one.tobytes() == two.tobytes()
    assert one[0] == 0.0  # a mean of 0 draws nothing
    assert not np.array_equal(one, poisson_weights(means, units, key=6))
    assert np.array_equal(poisson_weights(means[:1000], units[:1000], key=5), one[:1000])


@st.composite
def interaction_records(draw):
    n = draw(st.integers(2, 6))
    records = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, n - 1),
                st.sampled_from(sorted(TYPE_WEIGHTS)),
                st.one_of(st.none(), st.floats(0.0, 1e3, allow_nan=False)),
            ),
            min_size=1,
            max_size=30,
        )
    )
    return n, records


@settings(max_examples=60, deadline=None)
@given(interaction_records(), st.booleans())
@example((2, [(0, 1, "like", 1.5e-162)] * 3), False)  # squares below the normal range
@example((2, [(0, 1, "like", 3e-161)] * 3), False)  # subnormal squares
def test_square_weights_match_the_records(spec, with_follows):
    n, records = spec
    names = [f"u{i}" for i in range(n)]
    interactions = pa.table(
        {
            "source": [names[s] for s, _, _, _ in records],
            "target": [names[t] for _, t, _, _ in records],
            "type": [kind for _, _, kind, _ in records],
            "weight": pa.array([w for _, _, _, w in records], pa.float64()),
        }
    )
    follows = pa.table({"follower": [names[0], names[0]], "followed": [names[1], names[1]]})
    dataset = Dataset(interactions=interactions, follows=follows if with_follows else None)
    graph = build_graph(dataset, square_weights=True)
    expected_sum: dict[tuple[str, str], float] = defaultdict(float)
    expected_squares: dict[tuple[str, str], float] = defaultdict(float)
    rows = [(names[s], names[t], TYPE_WEIGHTS[k] * (1.0 if w is None else w))
            for s, t, k, w in records]  # fmt: skip
    if with_follows:
        rows += [(names[0], names[1], 1.0)] * 2
    for source, target, weight in rows:
        if source != target:
            expected_sum[source, target] += weight
            expected_squares[source, target] += weight * weight
    ids = graph.ids.to_pylist()
    targets = graph.edge_targets()
    squares = graph._cache[SQUARE_WEIGHTS_KEY]
    for edge in range(graph.n_edges):
        key = (ids[graph.in_sources[edge]], ids[targets[edge]])
        assert graph.in_weights[edge] == pytest.approx(expected_sum[key], rel=1e-12)
        assert squares[edge] == pytest.approx(expected_squares[key], rel=1e-12)
    means, units = resampling_spread(graph)
    # Squares below floating point's normal range (weights under 1e-154) are not kept to
    # 1e-12: such an edge is resampled as one record of its whole weight.
    underflow = (graph.in_weights > 0) & (squares < np.finfo(np.float64).tiny)
    assert (means[underflow] == 1.0).all()
    assert (units[underflow] == graph.in_weights[underflow]).all()
    positive = (graph.in_weights > 0) & ~underflow
    # The draw's mean and variance are the record bootstrap's: W and the sum of squares.
    np.testing.assert_allclose((means * units)[positive], graph.in_weights[positive], rtol=1e-12)
    np.testing.assert_allclose((means * units * units)[positive], squares[positive], rtol=1e-12)


def test_equal_records_resample_as_their_count():
    graph = follows_graph([("a", "b"), ("a", "b"), ("a", "b"), ("c", "b")])
    with pytest.raises(ParameterError, match="square_weights=True"):
        resampling_spread(graph)
    follows = pa.table({"follower": ["a", "a", "a", "c"], "followed": ["b", "b", "b", "b"]})
    graph = build_graph(Dataset(follows=follows), square_weights=True)
    means, units = resampling_spread(graph)
    assert sorted(means.tolist()) == [1.0, 3.0]
    assert units.tolist() == [1.0, 1.0]


def _planted(seed: int, n: int = 2000, degree: int = 8):
    """A sparse support of u -> v pairs with known Poisson rates (mean 1.5 records)."""
    rng = np.random.default_rng(seed)
    popularity = rng.pareto(1.2, n) + 1.0
    sources = np.repeat(np.arange(n), degree)
    targets = rng.choice(n, size=sources.shape[0], p=popularity / popularity.sum())
    keep = sources != targets
    pairs = np.unique(sources[keep] * n + targets[keep])
    return pairs // n, pairs % n, rng.gamma(2.0, 0.75, pairs.shape[0])


def _planted_graph(names, sources, targets, weights, *, repeat: bool):
    if repeat:  # one row per record, each of weight 1
        counts = weights.astype(np.int64)
        sources, targets = np.repeat(sources, counts), np.repeat(targets, counts)
        columns = {}
    else:
        columns = {"weight": weights}
    interactions = pa.table(
        {"source": names[sources], "target": names[targets],
         "type": ["mention"] * sources.shape[0], **columns}
    )  # fmt: skip
    return build_graph(
        Dataset(accounts=pa.table({"id": names}), interactions=interactions),
        square_weights=repeat,
    )


@pytest.mark.slow
def test_intervals_cover_the_true_rank_of_planted_graphs():
    # Records u -> v arrive as Poisson counts of known rates: the true ranking is PageRank of
    # the rates. Over 20 independent draws the 90% intervals of the true top 100 must cover
    # their true rank 85-97% of the time (measured: 85.3% with the log-scale mirror, 90.2%
    # with the linear one, which put mid-ranked accounts at "possibly first"; percentile
    # intervals alone covered 78%, see graphkit.algorithms.bootstrap). This population, the
    # accounts the data understates most, is the hardest: the full-data top 100 is covered
    # at 94%, all accounts at 88%.
    n = 2000
    names = np.array([f"a{i:05d}" for i in range(n)])
    covered = 0
    checked = 0
    try:
        set_threads(1)
        for draw in range(20):
            sources, targets, rates = _planted(1000 + draw, n)
            truth_graph = _planted_graph(names, sources, targets, rates, repeat=False)
            truth = pagerank_run(truth_graph, tolerance=1e-13).scores
            truth = truth[truth_graph.index_of(list(names))]
            true_rank = np.empty(n, dtype=np.int64)
            true_rank[np.lexsort((np.arange(n), -truth))] = np.arange(1, n + 1)
            counts = np.random.default_rng(draw).poisson(rates).astype(np.float64)
            graph = _planted_graph(names, sources, targets, counts, repeat=True)
            full = pagerank_run(graph)
            top = np.argsort(true_rank)[:100]
            intervals = bootstrap_pagerank(
                graph, full.scores, nodes=graph.index_of(list(names[top])), replicates=100,
                seed=draw,
            )  # fmt: skip
            truth_top = true_rank[top]
            inside = (intervals.rank_low <= truth_top) & (truth_top <= intervals.rank_high)
            covered += int(inside.sum())
            checked += top.shape[0]
    finally:
        set_threads(0)
    assert 0.85 <= covered / checked <= 0.97


def test_same_seed_same_intervals_on_any_thread_count():
    graph = build_graph(
        Dataset(follows=pa.table({"follower": [a for a, _ in TINY_GRAPHS["two_cliques"]],
                                  "followed": [b for _, b in TINY_GRAPHS["two_cliques"]]})),
        square_weights=True,
    )  # fmt: skip
    scores = pagerank_run(graph).scores
    nodes = np.arange(graph.n_nodes)
    try:
        set_threads(1)
        one = bootstrap_replicates(graph, scores, nodes=nodes, replicates=30, seed=4)
        set_threads(2)
        two = bootstrap_replicates(graph, scores, nodes=nodes, replicates=30, seed=4)
    finally:
        set_threads(0)
    assert one.scores.tobytes() == two.scores.tobytes()
    assert np.array_equal(one.ranks, two.ranks)
    other = bootstrap_replicates(graph, scores, nodes=nodes, replicates=30, seed=5)
    assert not np.array_equal(one.scores, other.scores)
    # Each replicate is a ranking of all the candidates: ranks 1..n, once each.
    assert (np.sort(one.ranks, axis=1) == np.arange(1, graph.n_nodes + 1)).all()
    np.testing.assert_allclose(one.scores.sum(axis=1), 1.0, atol=1e-9)
    intervals = bootstrap_pagerank(graph, scores, nodes=nodes, replicates=30, seed=4)
    assert (intervals.rank_low <= one.rank).all()
    assert (one.rank <= intervals.rank_high).all()
    assert (intervals.score_low <= scores).all()
    assert (scores <= intervals.score_high).all()


def test_basic_intervals_contain_the_percentile_interval():
    rng = np.random.default_rng(0)
    replicates = rng.normal(5.0, 1.0, size=(400, 3)) + np.array([0.0, 2.0, -2.0])
    estimate = np.array([5.0, 5.0, 5.0])
    low, high = basic_intervals(estimate, replicates, 0.9)
    q_low, q_high = np.quantile(replicates, [0.05, 0.95], axis=0)
    assert (low <= q_low).all()
    assert (high >= q_high).all()
    # Replicates shifted up by 2 say the estimate is biased up: the basic interval moves down
    # (mirrored on the log scale: the estimate is the geometric mean of the two ends).
    assert low[1] == pytest.approx(5.0 * 5.0 / q_high[1])
    assert high[2] == pytest.approx(5.0 * 5.0 / q_low[2])


def test_a_long_upper_tail_is_not_mirrored_below_zero_or_rank_one():
    # A mid-ranked account (371st) that some replicates drop far down (to 2,536th, as on the
    # demo): mirrored on the linear scale, 2 * 371 - 2536 < 1 said "possibly first".
    replicates = np.concatenate([np.full(90, 371.0), np.linspace(371.0, 3000.0, 10)])
    replicates = np.column_stack([replicates, replicates * 1e-6])
    low, high = basic_intervals(np.array([371.0, 371e-6]), replicates, 0.9)
    assert low[0] > 1.0
    assert low[1] > 0.0  # a PageRank bound of 0 is below any replicate's teleport share
    assert (high >= np.quantile(replicates, 0.95, axis=0)).all()
    # Where a quantile is 0 (an account an audience may not reach), the linear mirror.
    zero = np.array([[0.0], [0.0], [1.0], [2.0]])
    low, high = basic_intervals(np.array([1.0]), zero, 0.5)
    assert np.isfinite(high).all()
    assert low[0] <= 0.0 <= 1.0 <= high[0]


@pytest.mark.parametrize(
    ("replicates", "level", "message"),
    [
        (-1, 0.9, "confidence must be >= 0"),
        (2.5, 0.9, "whole number of replicates"),
        (True, 0.9, "whole number of replicates"),
        (10, 0.0, "level must be between 0 and 1"),
        (10, 1.0, "level must be between 0 and 1"),
        (10, float("nan"), "level must be between 0 and 1"),
        (10, "0.9", "level must be between 0 and 1"),
    ],
)
def test_rejects_bad_confidence(replicates, level, message):
    with pytest.raises(ParameterError, match=message):
        check_confidence(replicates, level)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=1, max_size=40),
    st.booleans(),
    st.randoms(use_true_random=False),
)
def test_replicate_ranks_match_a_sort_by_score_then_id(values, continuous, random):
    n = len(values)
    scores = np.array(values, dtype=float)
    if continuous:
        scores += np.array([random.random() for _ in range(n)])
    tracked = np.array(random.sample(range(n), random.randint(1, n)), dtype=np.int64)
    ranks = _ranks(scores, tracked, np.empty(n, dtype=np.int64), np.arange(1, n + 1))
    expected = sorted(range(n), key=lambda position: (-scores[position], position))
    assert ranks.tolist() == [expected.index(position) + 1 for position in tracked]


@settings(max_examples=10, deadline=None)
@given(weighted_graphs(), st.booleans(), st.sampled_from([0.5, 0.9, 0.99]))
def test_intervals_hold_the_estimate_and_stay_in_range(graph_spec, personalize, level):
    from graphkit.analysis.rank import rank_table

    n, edges = graph_spec
    graph = build_graph(_dataset(n, edges), square_weights=True)
    audience = (np.arange(graph.n_nodes) % 3 == 0).astype(float) if personalize else None
    try:
        set_threads(1)
        table = rank_table(graph, audience=audience, confidence=7, level=level, seed=1)
    finally:
        set_threads(0)
    table = table.table
    assert (table["rank_low"] >= 1).all()
    assert (table["rank_high"] <= table.height).all()
    for low, value, high in [
        ("rank_low", "rank", "rank_high"),
        ("pagerank_low", "pagerank", "pagerank_high"),
        ("score_low", "score", "score_high"),
    ]:
        assert (table[low] <= table[value]).all()
        assert (table[value] <= table[high]).all()
    assert (table["pagerank_low"] >= 0).all()
    assert (table["pagerank_high"] <= 1).all()
    if audience is None:  # every replicate gives each account its teleport share
        assert (table["pagerank_low"] > 0).all()
