"""Reach, overlap, unique reach, greedy coverage and 2-hop audiences: hand-built graphs with
hand-computed counts, slow set-based references on random graphs, and the HyperLogLog bound."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.algorithms.reach import (
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
from graphkit.errors import ParameterError
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset

N_ACCOUNTS = 12
ACCOUNT_IDS = [f"n{i}" for i in range(N_ACCOUNTS)]

# ---------------------------------------------------------------------------------------------
# Slow, obviously-correct references (candidates for tests/reference.py): plain Python sets
# over the input records, never the CSR.


def followers_reference(follows: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Distinct followers of every account, self-follows ignored."""
    followers: dict[str, set[str]] = {account: set() for account in ACCOUNT_IDS}
    for follower, followed in follows:
        if follower != followed:
            followers.setdefault(followed, set()).add(follower)
            followers.setdefault(follower, set())
    return followers


def union_reference(followers: dict[str, set[str]], accounts: list[str]) -> set[str]:
    """Followers of any of the accounts."""
    return set().union(*(followers[account] for account in accounts))


def group_reach_reference(
    followers: dict[str, set[str]], corporate: list[str], people: list[str]
) -> dict[str, object]:
    """Corporate/personal/overlap, per-person reach, unique reach, and departure impact.

    The departure impact is computed by literally removing the person (and their edges) and
    counting the group's combined reach again.
    """
    members = set(corporate) | set(people)
    corporate_audience = union_reference(followers, corporate) - members
    personal_audience = union_reference(followers, people) - members
    combined = corporate_audience | personal_audience
    unique, departure = [], []
    for person in people:
        others = [other for other in people if other != person]
        own = followers[person] - members
        unique.append(len(own - corporate_audience - union_reference(followers, others)))
        remaining = members - {person}
        without = {
            account: {f for f in accounts if f != person}
            for account, accounts in followers.items()
            if account != person
        }
        combined_without = union_reference(without, [*corporate, *others]) - remaining
        departure.append(len(combined) - len(combined_without))
    return {
        "corporate_reach": len(corporate_audience),
        "personal_reach": len(personal_audience),
        "overlap": len(corporate_audience & personal_audience),
        "member_reach": [len(followers[person] - members) for person in people],
        "unique": unique,
        "departure": departure,
    }


def greedy_coverage_reference(
    followers: dict[str, set[str]],
    candidates: list[str],
    k: int,
    covered: set[str],
    excluded: set[str],
) -> tuple[list[str], list[int]]:
    """Plain greedy max coverage: re-count every candidate each step; ties to the earlier."""
    covered = set(covered)
    chosen: list[str] = []
    gains: list[int] = []
    remaining = list(candidates)
    while remaining and len(chosen) < k:
        gain_of = [len(followers[c] - covered - excluded) for c in remaining]
        best = max(range(len(remaining)), key=lambda i: (gain_of[i], -i))
        if gain_of[best] == 0:
            break
        chosen.append(remaining[best])
        gains.append(gain_of[best])
        covered |= followers[remaining[best]] - excluded
        del remaining[best]
    return chosen, gains


def two_hop_reference(followers: dict[str, set[str]], accounts: list[str]) -> set[str]:
    """Followers of the accounts and their followers, the accounts themselves left out."""
    first = union_reference(followers, accounts)
    return (first | union_reference(followers, sorted(first))) - set(accounts)


# ---------------------------------------------------------------------------------------------


def make_graph(
    follows: list[tuple[str, str]], interactions: list[tuple[str, str]] = ()
) -> SocialGraph:
    """A graph over n0..n11 (all present as accounts) from follow and reply records."""
    accounts = pa.table({"id": ACCOUNT_IDS})
    follow_table = pa.table(
        {"follower": [a for a, _ in follows], "followed": [b for _, b in follows]},
        schema=pa.schema([("follower", pa.string()), ("followed", pa.string())]),
    )
    interaction_table = pa.table(
        {
            "source": [a for a, _ in interactions],
            "target": [b for _, b in interactions],
            "type": ["reply"] * len(interactions),
        },
        schema=pa.schema([("source", pa.string()), ("target", pa.string()), ("type", pa.string())]),
    )
    return build_graph(
        Dataset(accounts=accounts, follows=follow_table, interactions=interaction_table)
    )


def nodes(graph: SocialGraph, ids: list[str]) -> np.ndarray:
    return graph.index_of(ids)


def names(graph: SocialGraph, mask_or_nodes: np.ndarray) -> set[str]:
    chosen = np.flatnonzero(mask_or_nodes) if mask_or_nodes.dtype == bool else mask_or_nodes
    return {str(graph.ids[int(i)]) for i in chosen}


pairs = st.lists(
    st.tuples(st.sampled_from(ACCOUNT_IDS), st.sampled_from(ACCOUNT_IDS)), min_size=1, max_size=70
)


@st.composite
def split_groups(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """Disjoint corporate accounts (0-2) and people (0-6), people in a random order."""
    shuffled = draw(st.permutations(ACCOUNT_IDS))
    n_corporate = draw(st.integers(0, 2))
    n_people = draw(st.integers(0, 6))
    return shuffled[:n_corporate], shuffled[n_corporate : n_corporate + n_people]


# A brand b with people p and q, and a colleague-free outside audience:
#   x follows b and p; y follows p; z follows p and q; w follows q;
#   q follows b (a colleague: never counted); v only *interacts* with p (not a follower).
HAND_FOLLOWS = [("x", "b"), ("x", "p"), ("y", "p"), ("z", "p"), ("z", "q"), ("w", "q"), ("q", "b")]


@pytest.fixture
def hand_graph() -> SocialGraph:
    follows = pa.table(
        {"follower": [a for a, _ in HAND_FOLLOWS], "followed": [b for _, b in HAND_FOLLOWS]}
    )
    interactions = pa.table(
        {"source": ["v"], "target": ["p"], "type": ["repost"]},
    )
    return build_graph(Dataset(follows=follows, interactions=interactions))


def test_reach_and_overlap_by_hand(hand_graph):
    graph = hand_graph
    # followers(b) = {x, q}; followers(p) = {x, y, z} (v only reposts); followers(q) = {z, w}
    assert reach(graph, nodes(graph, ["b"])) == 2
    assert reach(graph, nodes(graph, ["p", "q"])) == 4  # {x, y, z, w}: z counted once
    assert names(graph, follower_mask(graph, nodes(graph, ["p"]))) == {"x", "y", "z"}
    shared = overlap(graph, nodes(graph, ["b"]), nodes(graph, ["p", "q"]))
    # {x, q} vs {x, y, z, w}: both = {x}; union = 2 + 4 - 1 = 5
    assert (shared.first_reach, shared.second_reach, shared.both, shared.union) == (2, 4, 1, 5)
    excluded = np.zeros(graph.n_nodes, dtype=bool)
    excluded[nodes(graph, ["q"])] = True
    assert reach(graph, nodes(graph, ["b"]), exclude=excluded) == 1  # x only


@pytest.mark.slow
def test_group_reach_by_hand(hand_graph):
    graph = hand_graph
    result = group_reach(graph, corporate=[nodes(graph, ["b"])], people=[nodes(graph, ["p", "q"])])
    # Members {b, p, q}. Corporate: followers(b) - members = {x} -> 1.
    # Personal: {x, y, z} | {z, w} = {x, y, z, w} -> 4; overlap {x} -> 1; combined 1 + 4 - 1 = 4.
    assert result.corporate_reach.tolist() == [1]
    assert result.personal_reach.tolist() == [4]
    assert result.overlap.tolist() == [1]
    assert result.combined_reach.tolist() == [4]
    assert result.personal_only_reach.tolist() == [3]
    # p: {x, y, z} -> 3, unique {y} (x also follows b, z also follows q) -> 1
    # q: {z, w} -> 2, unique {w} -> 1
    assert result.member_reach.tolist() == [3, 2]
    assert result.member_unique_reach.tolist() == [1, 1]
    assert unique_reach(graph, nodes(graph, ["p", "q"])).tolist() == [2, 1]  # no brand: x too


def test_group_reach_of_several_groups_matches_one_at_a_time(hand_graph):
    graph = hand_graph
    corporate = [nodes(graph, ["b"]), nodes(graph, ["x"]), np.zeros(0, np.int64)]
    people = [nodes(graph, ["p", "q"]), nodes(graph, ["z"]), nodes(graph, ["b", "p"])]
    together = group_reach(graph, corporate=corporate, people=people)
    offset = 0
    for group in range(3):
        alone = group_reach(graph, corporate=[corporate[group]], people=[people[group]])
        size = people[group].shape[0]
        assert together.corporate_reach[group] == alone.corporate_reach[0]
        assert together.personal_reach[group] == alone.personal_reach[0]
        assert together.overlap[group] == alone.overlap[0]
        assert (
            together.member_unique_reach[offset : offset + size] == alone.member_unique_reach
        ).all()
        offset += size


def test_greedy_coverage_by_hand(hand_graph):
    graph = hand_graph
    members = np.zeros(graph.n_nodes, dtype=bool)
    members[nodes(graph, ["b", "p", "q"])] = True
    brand_audience = follower_mask(graph, nodes(graph, ["b"]), exclude=members)  # {x}
    picks = greedy_coverage(
        graph, nodes(graph, ["q", "p"]), 5, covered=brand_audience, exclude=members
    )
    # p adds {y, z} = 2 (x covered), q adds {z, w} = 2: tie -> q (listed first);
    # then p adds {y} = 1.
    assert names(graph, picks.chosen) == {"q", "p"}
    assert [str(graph.ids[int(i)]) for i in picks.chosen] == ["q", "p"]
    assert picks.gains.tolist() == [2, 1]
    assert picks.curve.tolist() == [2, 3]
    assert not brand_audience[nodes(graph, ["y"])].any()  # the caller's mask is left alone


def test_two_hop_by_hand():
    # n1 follows n0, n2 follows n1, n3 follows n2, n0 follows n1 (mutual), n4 follows n3
    graph = make_graph([("n1", "n0"), ("n2", "n1"), ("n3", "n2"), ("n0", "n1"), ("n4", "n3")])
    # 2 hops of n0: followers {n1}, theirs {n2, n0}; minus n0 -> {n1, n2}
    assert names(graph, two_hop_audience(graph, nodes(graph, ["n0"]))) == {"n1", "n2"}
    # per account: n0 -> {n1, n2} = 2; n1 -> {n2, n0} | followers(n2) {n3} | followers(n0)
    # {n1}, minus n1 itself = {n0, n2, n3} = 3; n4 is three hops from n1.
    assert reach_2hop(graph, nodes(graph, ["n0", "n1"])).tolist() == [2, 3]
    audience = np.zeros(graph.n_nodes, dtype=bool)
    audience[nodes(graph, ["n3"])] = True
    assert reach_2hop(graph, nodes(graph, ["n0", "n1"]), audience=audience).tolist() == [0, 1]


@pytest.mark.slow
def test_interactions_are_not_reach():
    graph = make_graph([("n1", "n0")], interactions=[("n2", "n0"), ("n1", "n0")])
    assert reach(graph, nodes(graph, ["n0"])) == 1
    assert reach_2hop(graph, nodes(graph, ["n0"])).tolist() == [1]


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(follows=pairs, interactions=pairs, groups=split_groups())
def test_group_reach_matches_reference(follows, interactions, groups):
    corporate, people = groups
    graph = make_graph(follows, interactions)
    expected = group_reach_reference(followers_reference(follows), corporate, people)
    result = group_reach(graph, corporate=[nodes(graph, corporate)], people=[nodes(graph, people)])
    assert result.corporate_reach.tolist() == [expected["corporate_reach"]]
    assert result.personal_reach.tolist() == [expected["personal_reach"]]
    assert result.overlap.tolist() == [expected["overlap"]]
    assert result.member_reach.tolist() == expected["member_reach"]
    assert result.member_unique_reach.tolist() == expected["unique"]
    # Unique reach is the departure impact on combined reach, by construction.
    assert result.member_unique_reach.tolist() == expected["departure"]


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(follows=pairs, groups=split_groups())
def test_union_and_overlap_match_reference(follows, groups):
    first, second = groups
    graph = make_graph(follows)
    followers = followers_reference(follows)
    assert names(graph, follower_mask(graph, nodes(graph, second))) == union_reference(
        followers, second
    )
    shared = overlap(graph, nodes(graph, first), nodes(graph, second))
    first_audience = union_reference(followers, first)
    second_audience = union_reference(followers, second)
    assert shared.first_reach == len(first_audience)
    assert shared.second_reach == len(second_audience)
    assert shared.both == len(first_audience & second_audience)
    assert shared.union == len(first_audience | second_audience)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(follows=pairs, groups=split_groups(), k=st.integers(0, 7))
def test_celf_matches_plain_greedy(follows, groups, k):
    already, candidates = groups
    graph = make_graph(follows)
    followers = followers_reference(follows)
    covered_ids = union_reference(followers, already)
    covered = np.zeros(graph.n_nodes, dtype=bool)
    covered[nodes(graph, sorted(covered_ids))] = True
    excluded = np.zeros(graph.n_nodes, dtype=bool)
    excluded[nodes(graph, candidates)] = True
    picks = greedy_coverage(graph, nodes(graph, candidates), k, covered=covered, exclude=excluded)
    chosen, gains = greedy_coverage_reference(
        followers, candidates, k, covered_ids, set(candidates)
    )
    assert [str(graph.ids[int(i)]) for i in picks.chosen] == chosen
    assert picks.gains.tolist() == gains


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(follows=pairs, interactions=pairs, groups=split_groups())
def test_two_hop_matches_reference(follows, interactions, groups):
    seeds, audience_ids = groups
    graph = make_graph(follows, interactions)
    followers = followers_reference(follows)
    assert names(graph, two_hop_audience(graph, nodes(graph, seeds))) == two_hop_reference(
        followers, seeds
    )
    audience = np.zeros(graph.n_nodes, dtype=bool)
    audience[nodes(graph, audience_ids)] = True
    expected = [len(two_hop_reference(followers, [seed]) & set(audience_ids)) for seed in seeds]
    assert reach_2hop(graph, nodes(graph, seeds), audience=audience).tolist() == expected


def test_sketch_is_exact_enough_on_small_sets():
    follows = [(f"n{a}", f"n{b}") for a in range(N_ACCOUNTS) for b in range(3) if a != b]
    graph = make_graph(follows)
    exact = reach_2hop(graph, nodes(graph, ["n0", "n1", "n5"]))
    estimate = reach_2hop_estimate(graph, nodes(graph, ["n0", "n1", "n5"]), precision=12)
    # Linear counting is near-exact this far below m = 4096 registers.
    assert np.abs(estimate - exact).max() <= 1


@pytest.mark.slow
@pytest.mark.parametrize("precision", [8, 10, 12])
def test_sketch_error_is_within_the_stated_bound(precision):
    rng = np.random.default_rng(precision)
    n, n_edges = 20_000, 200_000
    followers = rng.integers(0, n, n_edges)
    followed = np.minimum((rng.pareto(1.1, n_edges) * 20).astype(np.int64), n - 1)
    graph = build_graph(
        Dataset(
            follows=pa.table({"follower": followers.astype(str), "followed": followed.astype(str)})
        )
    )
    accounts = np.argsort(-graph.followers, kind="stable")[:300]
    exact = reach_2hop(graph, accounts).astype(float)
    estimate = reach_2hop_estimate(graph, accounts, precision=precision)
    relative_error = estimate / exact - 1
    bound = 1.04 / np.sqrt(2**precision)
    assert np.sqrt(np.mean(relative_error**2)) < 2 * bound
    assert np.abs(relative_error).max() < 6 * bound
    audience = np.zeros(graph.n_nodes, dtype=bool)
    audience[rng.choice(graph.n_nodes, graph.n_nodes // 2, replace=False)] = True
    exact = reach_2hop(graph, accounts, audience=audience).astype(float)
    estimate = reach_2hop_estimate(graph, accounts, audience=audience, precision=precision)
    assert np.sqrt(np.mean((estimate / exact - 1) ** 2)) < 2 * bound


def test_sketch_of_every_node_by_default():
    graph = make_graph([("n1", "n0"), ("n2", "n1")])
    estimate = reach_2hop_estimate(graph)
    assert estimate.shape == (graph.n_nodes,)
    assert round(float(estimate[nodes(graph, ["n0"])[0]])) == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: reach(g, np.array([99])), "outside 0..11"),
        (lambda g: reach(g, np.array([-1])), "outside 0..11"),
        (lambda g: reach(g, np.array([0.5])), "1-d array of node numbers"),
        (lambda g: reach(g, [0], exclude=np.zeros(3, bool)), "boolean mask of length 12"),
        (lambda g: greedy_coverage(g, [0, 0], 1), "candidates must be distinct"),
        (lambda g: greedy_coverage(g, [0], -1), "k must be >= 0"),
        (lambda g: group_reach(g, corporate=[[0]], people=[[1, 1]]), "lists a person more"),
        (lambda g: group_reach(g, corporate=[], people=[[1]]), "the same groups"),
        (lambda g: reach_2hop_estimate(g, precision=3), r"precision must be in \[4, 16\]"),
    ],
)
def test_bad_parameters(call, message):
    graph = make_graph([("n1", "n0")])
    with pytest.raises(ParameterError, match=message):
        call(graph)


def test_empty_sets():
    graph = make_graph([("n1", "n0")])
    assert reach(graph, []) == 0
    assert overlap(graph, [], []).union == 0
    assert greedy_coverage(graph, [], 3).chosen.tolist() == []
    assert reach_2hop(graph, []).tolist() == []
    assert not two_hop_audience(graph, []).any()
