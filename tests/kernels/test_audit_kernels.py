"""The audit's kernels and signals against the slow reference, on generated graphs."""

from __future__ import annotations

import dataclasses
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.analysis.audit import SIGNALS, score_accounts
from graphkit.graph import SocialGraph, Weighting
from graphkit.graph.social import FOLLOW_FLAG, INTERACTION_FLAG
from graphkit.kernels.audit import out_csr, reciprocal_edges, trust_walk, window_peaks
from tests.reference import audit_reference
from tests.strategies import GeneratedData, generated_data

EXAMPLES = settings(max_examples=50, deadline=None)
SHAPES: Counter[str] = Counter()


def edge_list(graph: SocialGraph) -> list[tuple[int, int, bool, bool]]:
    """The graph's distinct edges ``(u, v, is_follow, is_interaction)``, read one by one."""
    edges = []
    for target in range(graph.n_nodes):
        for edge in range(graph.in_indptr[target], graph.in_indptr[target + 1]):
            flags = int(graph.in_flags[edge])
            edges.append(
                (
                    int(graph.in_sources[edge]),
                    target,
                    bool(flags & FOLLOW_FLAG),
                    bool(flags & INTERACTION_FLAG),
                )
            )
    return edges


@st.composite
def audited(draw: st.DrawFn) -> tuple[GeneratedData, list[tuple[int, float]], list[int] | None]:
    """A generated dataset, follow times of some of its nodes (NaN: no time) and, half the
    time, trusted nodes (``None``: the default rule)."""
    # The signals read the edges, not their weights: no half-life, which may not build.
    data = dataclasses.replace(draw(generated_data()), weighting=Weighting())
    n_nodes = data.build().n_nodes
    nodes = st.integers(0, n_nodes - 1)
    seconds = st.one_of(st.floats(0, 20_000), st.just(float("nan")), st.sampled_from([0.0, 3600.0]))
    times = draw(st.lists(st.tuples(nodes, seconds), max_size=40))
    if draw(st.booleans()):  # a burst: many follows of one account within minutes
        node, start = draw(nodes), draw(st.floats(0, 20_000))
        times += [(node, start + 30.0 * i) for i in range(draw(st.integers(5, 25)))]
    trusted = None
    if draw(st.booleans()):
        trusted = draw(st.lists(nodes, min_size=1, max_size=3, unique=True))
    return data, times, trusted


@EXAMPLES
@given(audited())
def test_signals_match_the_reference(case: tuple[GeneratedData, list, list[int] | None]) -> None:
    data, times, trusted_nodes = case
    graph = data.build()
    n_nodes = graph.n_nodes
    trusted = None
    if trusted_nodes is not None:
        trusted = np.zeros(n_nodes, dtype=bool)
        trusted[trusted_nodes] = True
    follow_times = None
    if times:
        follow_times = (
            np.array([node for node, _ in times], dtype=np.int64),
            np.array([seconds for _, seconds in times]) * 1e6,
        )
    audit = score_accounts(graph, trusted=trusted, follow_times=follow_times)
    ids = graph.ids.to_pylist()
    signals, suspicion = audit_reference(
        n_nodes,
        edge_list(graph),
        ids,
        trusted=None if trusted_nodes is None else set(trusted_nodes),
        follow_times=times,
    )
    for name in SIGNALS:
        np.testing.assert_allclose(audit.signals[name], signals[name], atol=1e-9, err_msg=name)
        if np.any(audit.signals[name] > 0):
            SHAPES[name] += 1
    np.testing.assert_allclose(audit.suspicion, suspicion, atol=1e-9)
    assert np.all((audit.suspicion > 0) & (audit.suspicion < 1))
    if audit.trusted.any():
        assert audit.trust.sum() == pytest.approx(1.0)


def test_generated_graphs_exercise_each_signal() -> None:
    """Most signals fire on some generated graph (counted by the property test)."""
    if not SHAPES:
        pytest.skip("run with test_signals_match_the_reference")
    fired = {name for name in SIGNALS if SHAPES[name]}
    assert {"no_followers", "low_trust", "weak_followers", "burst"} <= fired


def test_window_peaks_counts_the_fullest_window() -> None:
    nodes = np.array([0, 0, 0, 0, 2, 2], dtype=np.int64)
    times = np.array([0.0, 10.0, 3600.0, 3601.0, 5.0, 5.0])
    peaks, counts = window_peaks(nodes, times, 3, 3600.0)
    assert peaks.tolist() == [3, 0, 2]  # 0, 10, 3600 fall in one closed hour
    assert counts.tolist() == [4, 0, 2]


def test_reciprocal_edges_and_out_csr_on_a_cycle_with_one_mutual_pair() -> None:
    # in-edges: 1 <- 0, 0 <- 1, 2 <- 1, 0 <- 2 (edges 0->1, 1->0, 1->2, 2->0)
    indptr = np.array([0, 2, 3, 4], dtype=np.int64)
    sources = np.array([1, 2, 0, 1], dtype=np.int32)
    mask = np.ones(4, dtype=bool)
    assert reciprocal_edges(indptr, sources, mask).tolist() == [True, False, True, False]
    out_indptr, targets = out_csr(indptr, sources, mask, 3)
    assert out_indptr.tolist() == [0, 1, 3, 4]
    assert targets.tolist() == [1, 0, 2, 0]


def test_trust_stays_a_distribution_and_never_reaches_an_unfollowed_farm() -> None:
    # 0 <-> 1 real; 2 and 3 (a farm) follow 0 and each other; nothing real follows them.
    indptr = np.array([0, 3, 4, 5, 6], dtype=np.int64)
    sources = np.array([1, 2, 3, 0, 3, 2], dtype=np.int32)
    mask = np.ones(6, dtype=bool)
    out_degree = np.bincount(sources, minlength=4).astype(np.float64)
    seeds = np.array([1.0, 0.0, 0.0, 0.0])
    trust = trust_walk(indptr, sources, mask, out_degree, seeds, 0.85, 10)
    assert trust.sum() == pytest.approx(1.0)
    assert trust[2] == trust[3] == 0.0
    assert trust[1] > 0
