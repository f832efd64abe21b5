"""Audience affinities and segments against set-based references, scipy and hand counts."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import graphkit
from graphkit.analysis.affinity import (
    AFFINITY_COLUMNS,
    SEGMENT_COLUMNS,
    UNCONNECTED,
    affinity_table,
    audience_segments,
    member_links,
)
from graphkit.errors import ParameterError
from graphkit.kernels.affinity import binomial_statistics
from tests.algorithms.test_pagerank_differential import built
from tests.conftest import follows_graph
from tests.reference import (
    ReferenceGraph,
    audience_affinity_reference,
    audience_co_attention_reference,
    audience_interconnections_reference,
)
from tests.strategies import GeneratedData, generated_data

EXAMPLES = settings(max_examples=60, deadline=None)


def attention_of(reference: ReferenceGraph) -> dict[str, set[str]]:
    """Every account paying attention (any edge of positive weight) to each account."""
    return reference.attention_of()


def links_by_id(
    ids: list[str], links: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> dict[frozenset[str], float]:
    first, second, weight = links
    return {
        frozenset((ids[i], ids[j])): w
        for i, j, w in zip(first.tolist(), second.tolist(), weight.tolist(), strict=True)
    }


@pytest.mark.slow
@EXAMPLES
@given(generated_data(), st.data())
def test_affinities_match_sets(data: GeneratedData, draw: st.DataObject) -> None:
    graph, reference = built(data)
    ids = graph.ids.to_pylist()
    chosen = set(draw.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4)))
    min_support = draw.draw(st.integers(1, 3))
    mask = np.isin(np.asarray(ids, dtype=object), list(chosen))
    attention = attention_of(reference)
    active = set().union(*attention.values())
    if active and active <= chosen:
        with pytest.raises(ParameterError, match="no base rate"):
            affinity_table(graph, mask, min_support=min_support)
        return
    table = affinity_table(graph, mask, min_support=min_support)
    assert table.columns == list(AFFINITY_COLUMNS)
    if not active & chosen:
        assert table.is_empty()
        return
    expected = audience_affinity_reference(attention, chosen, min_support=min_support)
    found = sorted(
        table.select(
            "id", "audience_followers", "audience_share", "base_followers", "base_share", "lift"
        ).rows()
    )
    assert [row[:2] + row[3:4] for row in found] == [row[:2] + row[3:4] for row in expected]
    for got, want in zip(found, expected, strict=True):
        assert got[2] == pytest.approx(want[2], rel=1e-12)
        assert got[4] == pytest.approx(want[4], rel=1e-12)
        assert got[5] == pytest.approx(want[5], rel=1e-12)
    # Sorted by lift_low, then audience followers, then id; ranks 1..n; all finite.
    keys = list(zip(table["lift_low"], table["audience_followers"], table["id"], strict=True))
    assert keys == sorted(keys, key=lambda key: (-key[0], -key[1], key[2]))
    assert table["rank"].to_list() == list(range(1, table.height + 1))
    numbers = table.select(pl.col(pl.Float64)).to_numpy()
    assert np.isfinite(numbers).all()
    assert ((table["p_value"] >= 0) & (table["p_value"] <= 1)).all()
    assert (table["lift_low"] >= 0).all()
    assert (table["lift_low"] <= table["lift"]).all()


@pytest.mark.slow
@EXAMPLES
@given(generated_data(), st.data())
def test_member_graphs_match_sets(data: GeneratedData, draw: st.DataObject) -> None:
    graph, reference = built(data)
    ids = graph.ids.to_pylist()
    chosen = set(draw.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=6)))
    mask = np.isin(np.asarray(ids, dtype=object), list(chosen))
    members = [ids[node] for node in np.flatnonzero(mask)]
    inside = links_by_id(members, member_links(graph, mask, by="interconnections"))
    expected = audience_interconnections_reference(reference.weights, chosen)
    assert set(inside) == set(expected)
    for pair, weight in expected.items():
        assert inside[pair] == pytest.approx(weight, rel=1e-9)
    max_shared = draw.draw(st.integers(2, 4))
    shared = links_by_id(members, member_links(graph, mask, by="followings", max_shared=max_shared))
    expected = audience_co_attention_reference(
        attention_of(reference), chosen, max_shared=max_shared
    )
    assert shared.keys() == expected.keys()
    for pair, weight in expected.items():
        assert shared[pair] == pytest.approx(weight, rel=1e-12)
    for by in ("interconnections", "followings"):
        result = audience_segments(graph, mask, by=by, max_shared=max_shared)
        assert result.members["id"].sort().to_list() == sorted(members)
        assert result.table["size"].sum() == len(members)
        assert result.table.columns == list(SEGMENT_COLUMNS)
        # A member is unconnected exactly when it has no link in the members' graph.
        linked = set().union(*(inside if by == "interconnections" else shared)) or set()
        unconnected = set(result.members.filter(pl.col("segment") == UNCONNECTED)["id"])
        assert unconnected == set(members) - linked


def test_statistics_match_scipy() -> None:
    rng = np.random.default_rng(7)
    trials = rng.integers(1, 3_000, size=200)
    successes = np.minimum(rng.integers(1, 200, size=200), trials)
    successes[:5] = trials[:5]  # every one a success
    trials[5:10] = 1
    successes[5:10] = 1
    for p, alpha in ((0.01, 0.05), (0.3, 0.01), (0.9, 0.2)):
        tails, bounds = binomial_statistics(successes, trials, p, alpha)
        for k, n, tail, bound in zip(successes, trials, tails, bounds, strict=True):
            expected_tail = stats.binomtest(int(k), int(n), p, alternative="greater").pvalue
            assert tail == pytest.approx(expected_tail, rel=1e-8, abs=1e-300)
            expected_bound = stats.beta.ppf(alpha, k, n - k + 1)
            assert bound == pytest.approx(expected_bound, rel=1e-9, abs=1e-15)


def test_small_case_by_hand() -> None:
    # Audience {a, b, c}; base: d, e, f, g (h pays attention to nobody).
    pairs = [
        ("a", "x"), ("b", "x"), ("c", "x"), ("d", "x"),  # x: 3 of 3 audience, 1 of 4 base
        ("a", "y"), ("b", "y"), ("d", "y"), ("e", "y"), ("f", "y"), ("g", "y"),
        ("a", "z"), ("e", "h"), ("a", "b"),  # b is in the audience: never listed
    ]  # fmt: skip
    graph = follows_graph(pairs)
    ids = graph.ids.to_pylist()
    mask = np.isin(np.asarray(ids, dtype=object), ["a", "b", "c"])
    table = affinity_table(graph, mask, min_support=1, level=0.9)
    rows = {row["id"]: row for row in table.iter_rows(named=True)}
    assert set(rows) == {"x", "y", "z"}
    assert rows["x"]["audience_followers"] == 3
    assert rows["x"]["audience_share"] == 1.0
    assert rows["x"]["base_share"] == 0.25
    assert rows["x"]["lift"] == 4.0
    assert rows["y"]["lift"] == pytest.approx((2 / 3) / 1.0)
    assert rows["z"]["lift"] == pytest.approx((1 / 3) / (1 / 4))  # no base: counted as one
    # lift_low from the exact conditional test: a | a + b ~ Binomial(a + b, pi).
    pi_low = stats.beta.ppf(0.1, 3, 2)
    assert rows["x"]["lift_low"] == pytest.approx(pi_low * 4 / (3 * (1 - pi_low)), rel=1e-9)
    expected_p = stats.binomtest(3, 4, 3 / 7, alternative="greater").pvalue
    assert rows["x"]["p_value"] == pytest.approx(expected_p, rel=1e-9)
    assert table["id"].to_list()[0] == "x"
    assert affinity_table(graph, mask, min_support=3)["id"].to_list() == ["x"]


def test_edge_cases() -> None:
    graph = follows_graph([("a", "x"), ("b", "x"), ("x", "a")])
    ids = np.asarray(graph.ids.to_pylist(), dtype=object)
    with pytest.raises(ParameterError, match="no base rate"):
        affinity_table(graph, np.ones(graph.n_nodes, dtype=bool))
    empty = affinity_table(graph, np.zeros(graph.n_nodes, dtype=bool))
    assert empty.is_empty()
    assert empty.columns == list(AFFINITY_COLUMNS)
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ParameterError, match="min_support"):
            affinity_table(graph, ids == "a", min_support=bad)  # type: ignore[arg-type]
    for level in (0.0, 1.0, float("nan")):
        with pytest.raises(ParameterError, match="level"):
            affinity_table(graph, ids == "a", level=level)
    for bad in (-1, 2.5, True):
        with pytest.raises(ParameterError, match="top"):
            affinity_table(graph, ids == "a", top=bad)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="boolean mask"):
        affinity_table(graph, np.ones(2, dtype=bool))
    with pytest.raises(ParameterError, match="segments are by"):
        audience_segments(graph, ids == "a", by="nonsense")  # type: ignore[arg-type]
    alone = audience_segments(graph, ids == "b")
    assert alone.table.select("segment", "size").rows() == [(UNCONNECTED, 1)]


def test_segments_find_planted_groups_and_are_deterministic() -> None:
    # Two cliques of members following two disjoint sets of niche accounts.
    first = [f"p{i}" for i in range(6)]
    second = [f"q{i}" for i in range(6)]
    pairs = [(u, v) for group in (first, second) for u in group for v in group if u != v]
    pairs += [(u, f"niche-p{k}") for u in first for k in range(3)]
    pairs += [(u, f"niche-q{k}") for u in second for k in range(3)]
    pairs += [(u, "celebrity") for u in first + second] + [("p0", "q0")]
    graph = follows_graph(pairs)
    ids = np.asarray(graph.ids.to_pylist(), dtype=object)
    mask = np.isin(ids, first + second)
    for by in ("interconnections", "followings"):
        result = audience_segments(graph, mask, by=by, seed=3)
        groups = result.members.group_by("segment").agg(pl.col("id").sort()).sort("segment")
        assert sorted(groups["id"].to_list()) == [first, second]
        assert result.table["size"].to_list() == [6, 6]
        assert result.modularity > 0.3
        for leaders in result.table["leaders"]:
            assert "celebrity" not in leaders.split("; ")[:1]
        again = audience_segments(graph, mask, by=by, seed=3)
        assert again.members.equals(result.members)
        assert again.table.equals(result.table)


def test_segment_themes_from_accounts() -> None:
    follows = pl.DataFrame(
        [("a", "b"), ("b", "a"), ("c", "d"), ("d", "c")], schema=["follower", "followed"],
        orient="row",
    )  # fmt: skip
    accounts = pl.DataFrame(
        {
            "id": ["a", "b", "c", "d"],
            "name": ["Ann", "", None, "Dee"],
            "handle": ["ann", "bee", "cee", None],
            "title": ["CTO", "CTO", "CISO", None],
            "topics": [["cloud"], ["cloud", "ai"], ["security"], []],
        }
    )
    result = graphkit.audience_segments(follows=follows, accounts=accounts, audience="id=a,b,c,d")
    rows = {row["segment"]: row for row in result.table.iter_rows(named=True)}
    assert rows[0]["dominant_titles"] == "CTO (2)"
    assert rows[0]["dominant_topics"] == "cloud (2); ai (1)"
    assert rows[0]["leader_names"] == "Ann; bee"  # empty name: the handle
    assert rows[1]["dominant_titles"] == "CISO (1)"
    joined = result.leaders.group_by("segment", maintain_order=True).agg(
        pl.col("leader").str.join("; ")
    )
    assert joined.rows() == result.table.select("segment", "leaders").rows()
    assert set(rows[1]["leader_names"].split("; ")) == {"cee", "Dee"}


def test_public_function_reads_selectors() -> None:
    pairs = [("a", "x"), ("b", "x"), ("a", "y"), ("c", "y"), ("d", "y"), ("e", "y")]
    follows = pl.DataFrame(pairs, schema=["follower", "followed"], orient="row")
    table = graphkit.audience_affinities(
        follows=follows, audience=["id=a", "id=b"], min_support=1, top=1
    )
    assert table["id"].to_list() == ["x"]
    with pytest.raises(ParameterError, match="selects no account"):
        graphkit.audience_affinities(follows=follows, audience="id=zz")
    with pytest.raises(ParameterError, match="give an audience"):
        graphkit.audience_affinities(follows=follows, audience=[])


def test_lift_low_is_conservative_on_random_audiences() -> None:
    """An audience drawn at random has no real affinity: lift_low above 1 is rare (about
    the test's error rate), and the p-values are not small more often than chance allows."""
    rng = np.random.default_rng(1)
    sources = rng.integers(0, 400, size=6_000)
    targets = rng.integers(0, 60, size=6_000)
    pairs = [(f"u{s}", f"t{t}") for s, t in zip(sources, targets, strict=True)]
    graph = follows_graph(pairs)
    ids = np.asarray(graph.ids.to_pylist(), dtype=object)
    users = [name for name in ids if name.startswith("u")]
    mask = np.isin(ids, rng.choice(users, size=80, replace=False))
    table = affinity_table(graph, mask, min_support=1, level=0.95)
    assert table.height == 60
    assert (table["lift_low"] > 1).sum() <= 8  # 5 % of 60 is 3
    assert (table["p_value"] < 0.05).sum() <= 8
    assert not math.isnan(float(table["lift"].mean()))  # type: ignore[arg-type]


def test_lift_low_stays_below_lift_at_every_level() -> None:
    # x: 2 of 2 audience members, no base account (lift is a floor there); y: 2 of 2, 1 of 2.
    pairs = [("a", "x"), ("b", "x"), ("a", "y"), ("b", "y"), ("c", "y"), ("d", "z")]
    graph = follows_graph(pairs)
    audience = np.isin(np.asarray(graph.ids.to_pylist(), dtype=object), ["a", "b"])
    previous = None
    for level in (0.5, 0.55, 0.6, 0.9, 0.99, 1 - 1e-12):
        table = affinity_table(graph, audience, min_support=1, level=level).sort("id")
        assert (table["lift_low"] <= table["lift"]).all(), level
        assert (table["lift_low"] > 0).all()
        if previous is not None:  # a higher level, a lower bound
            assert (table["lift_low"] <= previous).all()
        previous = table["lift_low"]
    # Below 0.5 the "lower bound" lies above the estimate (it was 2e8 for a lift of 2).
    for level in (0.4, 0.01, 1e-300):
        with pytest.raises(ParameterError, match=r"level must be at least 0\.5"):
            affinity_table(graph, audience, level=level)


def test_counts_beyond_any_size_and_numpy_scalars() -> None:
    graph = follows_graph([("a", "x"), ("b", "x"), ("c", "y")])
    audience = np.isin(np.asarray(graph.ids.to_pylist(), dtype=object), ["a", "b"])
    table = affinity_table(graph, audience, min_support=1, top=10**30)
    assert table["id"].to_list() == ["x"]
    assert affinity_table(graph, audience, level=np.float32(0.9), min_support=1).height == 1  # type: ignore[arg-type]
    segments = audience_segments(graph, audience, leaders=10**30)
    assert segments.table["leaders"].to_list() == ["x"]
