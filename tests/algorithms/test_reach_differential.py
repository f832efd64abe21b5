"""Reach, overlap, group reach, greedy coverage and 2-hop reach against set-based references
and networkx ego graphs, on awkward graphs (duplicates, merges, mixed edges, isolated ids)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.algorithms import (
    follower_mask,
    greedy_coverage,
    group_reach,
    overlap,
    reach,
    reach_2hop,
    reach_2hop_estimate,
    two_hop_audience,
    unique_reach,
)
from tests.algorithms.test_pagerank_differential import built
from tests.reference import (
    followers_reference,
    greedy_coverage_reference,
    group_reach_reference,
    two_hop_reference,
)
from tests.strategies import GeneratedData, generated_data

pytestmark = pytest.mark.slow

EXAMPLES = settings(max_examples=60, deadline=None)


@EXAMPLES
@given(generated_data(), st.data())
def test_reach_matches_sets(data: GeneratedData, draw: st.DataObject) -> None:
    graph, reference = built(data)
    ids = graph.ids.to_pylist()
    followers_of = reference.followers_of()
    subsets = st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))
    first, second, excluded = draw.draw(subsets), draw.draw(subsets), draw.draw(subsets)
    exclude = np.zeros(graph.n_nodes, dtype=bool)
    exclude[graph.index_of(excluded)] = True

    def marked(mask: np.ndarray) -> set[str]:
        return {ids[node] for node in np.flatnonzero(mask)}

    first_audience = followers_reference(followers_of, first, excluded)
    second_audience = followers_reference(followers_of, second, excluded)
    assert marked(follower_mask(graph, graph.index_of(first), exclude=exclude)) == first_audience
    assert reach(graph, graph.index_of(first), exclude=exclude) == len(first_audience)
    shared = overlap(graph, graph.index_of(first), graph.index_of(second), exclude=exclude)
    assert (shared.first_reach, shared.second_reach, shared.both) == (
        len(first_audience),
        len(second_audience),
        len(first_audience & second_audience),
    )
    assert marked(two_hop_audience(graph, graph.index_of(first))) == two_hop_reference(
        followers_of, first
    )
    audience = ~exclude
    counts = reach_2hop(graph, graph.index_of(ids), audience=audience)
    for account, count in zip(ids, counts.tolist(), strict=True):
        assert count == len(two_hop_reference(followers_of, [account]) - set(excluded))


@EXAMPLES
@given(generated_data(), st.data())
def test_group_reach_and_coverage_match_sets(data: GeneratedData, draw: st.DataObject) -> None:
    graph, reference = built(data)
    ids = graph.ids.to_pylist()
    followers_of = reference.followers_of()
    subsets = st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))
    groups = draw.draw(st.lists(st.tuples(subsets, subsets), max_size=3))
    result = group_reach(
        graph,
        corporate=[graph.index_of(corporate) for corporate, _ in groups],
        people=[graph.index_of(people) for _, people in groups],
    )
    for position, (corporate, people) in enumerate(groups):
        corporate_reach, personal_reach, both, member_reach, member_unique = group_reach_reference(
            followers_of, corporate, people
        )
        assert result.corporate_reach[position] == corporate_reach
        assert result.personal_reach[position] == personal_reach
        assert result.overlap[position] == both
        start = sum(len(p) for _, p in groups[:position])
        assert result.member_reach[start : start + len(people)].tolist() == member_reach
        assert result.member_unique_reach[start : start + len(people)].tolist() == member_unique
        if not corporate:
            assert unique_reach(graph, graph.index_of(people)).tolist() == member_unique
    candidates, covered, excluded = draw.draw(subsets), draw.draw(subsets), draw.draw(subsets)
    k = draw.draw(st.integers(0, len(ids) + 1))
    covered_mask = np.zeros(graph.n_nodes, dtype=bool)
    covered_mask[graph.index_of(covered)] = True
    exclude = np.zeros(graph.n_nodes, dtype=bool)
    exclude[graph.index_of(excluded)] = True
    picks = greedy_coverage(
        graph, graph.index_of(candidates), k, covered=covered_mask, exclude=exclude
    )
    chosen, gains = greedy_coverage_reference(
        followers_of, candidates, k, covered=covered, exclude=excluded
    )
    assert [ids[node] for node in picks.chosen] == chosen
    assert picks.gains.tolist() == gains


@EXAMPLES
@given(generated_data())
def test_two_hop_reach_matches_networkx_ego_graphs(data: GeneratedData) -> None:
    graph, reference = built(data)
    ids = graph.ids.to_pylist()
    attention = nx.DiGraph()  # follower -> followed, reversed: followed -> its followers
    attention.add_nodes_from(reference.nodes)
    attention.add_edges_from(edge for edge, flag in reference.flags.items() if flag & 1)
    audiences = attention.reverse(copy=True)
    counts = reach_2hop(graph, graph.index_of(ids))
    estimates = reach_2hop_estimate(graph, graph.index_of(ids))
    for account, count, estimate in zip(ids, counts.tolist(), estimates.tolist(), strict=True):
        ego = nx.ego_graph(audiences, account, radius=2)
        assert count == ego.number_of_nodes() - 1
        assert abs(estimate - count) <= 2 + 0.1 * count  # HyperLogLog, exact-ish when small
        direct = nx.ego_graph(audiences, account, radius=1).number_of_nodes() - 1
        assert reach(graph, graph.index_of([account])) == direct
