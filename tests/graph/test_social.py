"""Building the influence graph: interning, weighting, merging, counting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.errors import InputError
from graphkit.graph import Weighting, build_graph
from graphkit.graph.weights import parse_duration, parse_type_weights
from graphkit.io import Dataset
from graphkit.io.schema import TIMESTAMP_TYPE, integer_array
from tests.conftest import follows_graph
from tests.reference import distinct_followers_reference


def _edges(graph):
    ids = graph.ids.to_pylist()
    return {
        (ids[s], ids[t]): w
        for s, t, w in zip(graph.in_sources, graph.edge_targets(), graph.in_weights, strict=True)
    }


def _interactions(rows, with_time=False):
    columns = {
        "source": [r[0] for r in rows],
        "target": [r[1] for r in rows],
        "type": [r[2] for r in rows],
    }
    if with_time:
        columns["timestamp"] = pa.array([r[3] for r in rows], TIMESTAMP_TYPE)
    return pa.table(columns)


def test_nodes_are_numbered_by_out_degree_then_first_appearance():
    graph = follows_graph([("b", "a"), ("c", "a"), ("a", "d"), ("c", "d")])
    assert graph.ids.to_pylist() == ["c", "b", "a", "d"]
    assert graph.n_nodes == 4
    assert graph.n_edges == 4
    for row in range(graph.n_nodes):
        sources = graph.in_sources[graph.in_indptr[row] : graph.in_indptr[row + 1]]
        assert sources.tolist() == sorted(sources.tolist())


def test_accounts_come_first_and_isolated_accounts_are_nodes():
    follows = pa.table({"follower": ["x"], "followed": ["y"]})
    accounts = pa.table({"id": ["lonely", "y"]})
    graph = build_graph(Dataset(accounts=accounts, follows=follows))
    assert graph.ids.to_pylist() == ["x", "lonely", "y"]
    assert graph.followers.tolist() == [0, 0, 1]


def test_self_loops_are_dropped_and_counted():
    graph = follows_graph([("a", "a"), ("a", "b"), ("b", "b"), ("b", "b")])
    assert graph.self_loops == 3
    assert _edges(graph) == {("a", "b"): 1.0}
    assert graph.records == 4


def test_duplicate_records_add_up_and_followers_stay_distinct():
    follows = pa.table({"follower": ["a", "a", "c"], "followed": ["b", "b", "b"]})
    interactions = _interactions([("a", "b", "repost"), ("a", "b", "like"), ("d", "b", "reply")])
    graph = build_graph(Dataset(follows=follows, interactions=interactions))
    edges = _edges(graph)
    # two follows (1 + 1) + repost 3 + like 0.5
    assert edges[("a", "b")] == pytest.approx(5.5)
    assert edges[("c", "b")] == 1.0
    assert edges[("d", "b")] == 2.0
    b = graph.ids.to_pylist().index("b")
    assert graph.followers[b] == 2
    assert graph.interactions_received[b] == 3.0
    assert graph.engagement_received[b] == pytest.approx(5.5)
    assert graph.out_weight[graph.ids.to_pylist().index("a")] == pytest.approx(5.5)


def test_custom_type_weights_and_record_weights():
    interactions = _interactions([("a", "b", "repost"), ("a", "c", "like")]).append_column(
        "weight", pa.array([2.0, 4.0])
    )
    weighting = Weighting(type_weights=parse_type_weights("repost=1,like=0"))
    edges = _edges(build_graph(Dataset(interactions=interactions), weighting))
    assert edges == {("a", "b"): 2.0, ("a", "c"): 0.0}


def test_half_life_decay_from_newest_record():
    now = datetime(2026, 1, 31, tzinfo=UTC)
    rows = [
        ("a", "b", "mention", now),
        ("a", "c", "mention", now - timedelta(days=30)),
        ("a", "d", "mention", now - timedelta(days=60)),
        ("a", "e", "mention", None),
    ]
    weighting = Weighting(half_life=parse_duration("30d"))
    edges = _edges(build_graph(Dataset(interactions=_interactions(rows, True)), weighting))
    assert edges[("a", "b")] == pytest.approx(1.0)
    assert edges[("a", "c")] == pytest.approx(0.5)
    assert edges[("a", "d")] == pytest.approx(0.25)
    assert edges[("a", "e")] == pytest.approx(1.0)  # no time: no decay


def test_half_life_as_of_and_future_records():
    now = datetime(2026, 1, 31, tzinfo=UTC)
    rows = [("a", "b", "mention", now), ("a", "c", "mention", now + timedelta(days=5))]
    weighting = Weighting(half_life=timedelta(days=10), as_of=now - timedelta(days=10))
    edges = _edges(build_graph(Dataset(interactions=_interactions(rows, True)), weighting))
    assert edges[("a", "b")] == pytest.approx(1.0)  # newer than as-of counts as age 0
    assert edges[("a", "c")] == pytest.approx(1.0)


def test_identity_merge_joins_accounts_of_one_person():
    follows = pa.table({"follower": ["x", "y", "x"], "followed": ["ann_x", "ann_li", "ann_li"]})
    identities = pa.table({"account": ["ann_x", "ann_li"], "person": ["ann", "ann"]})
    accounts = pa.table(
        {"id": ["ann_x", "ann_li"], "handle": ["@ann", "Ann L."], "followers_count": [10, 5]}
    )
    graph = build_graph(Dataset(accounts=accounts, follows=follows, identities=identities))
    ids = graph.ids.to_pylist()
    assert "ann_x" not in ids
    assert "ann_li" not in ids
    ann = ids.index("ann")
    assert graph.followers[ann] == 2
    assert _edges(graph)[("x", "ann")] == 2.0
    assert graph.accounts is not None
    row = graph.accounts.filter(graph.accounts["id"] == "ann").to_dicts()
    assert row == [{"id": "ann", "handle": "@ann", "followers_count": 15}]


def test_conflicting_identities_are_an_error():
    follows = pa.table({"follower": ["x"], "followed": ["a"]})
    identities = pa.table({"account": ["a", "a"], "person": ["p", "q"]})
    with pytest.raises(InputError, match="mapped to more than one person"):
        build_graph(Dataset(follows=follows, identities=identities))


def test_no_edges_is_an_error():
    with pytest.raises(InputError, match="no follow or interaction records"):
        build_graph(
            Dataset(
                follows=pa.table(
                    {"follower": pa.array([], pa.string()), "followed": pa.array([], pa.string())}
                )
            )
        )


@pytest.mark.slow
@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("abcdefg"), st.sampled_from("abcdefg")), min_size=1, max_size=60
    )
)
def test_followers_and_weights_match_reference(edges):
    graph = follows_graph(edges)
    expected = distinct_followers_reference(edges)
    ids = graph.ids.to_pylist()
    assert {ids[i]: int(c) for i, c in enumerate(graph.followers) if c} == expected
    counts: dict[tuple[str, str], float] = {}
    for follower, followed in edges:
        if follower != followed:
            counts[(follower, followed)] = counts.get((follower, followed), 0.0) + 1.0
    assert _edges(graph) == counts
    assert graph.in_indptr[-1] == len(counts)
    assert np.all(np.diff(graph.in_indptr) >= 0)


def test_ids_of_lists_ids_in_the_order_asked():
    graph = follows_graph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "a")])
    ids = graph.ids.to_pylist()
    nodes = np.array([3, 0, 0, 2], dtype=np.int32)
    series = graph.ids_of(nodes)
    assert series.dtype == pl.String
    assert series.to_list() == [ids[3], ids[0], ids[0], ids[2]]
    assert graph.ids_of(np.zeros(0, dtype=np.int64)).to_list() == []


def test_integer_array_shares_numpy_memory_and_refuses_floats():
    values = np.array([5, 1, 7], dtype=np.int32)
    array = integer_array(values)
    assert array.type == pa.int32()
    assert array.to_pylist() == [5, 1, 7]
    assert array.buffers()[1].address == values.ctypes.data
    assert integer_array(values[::2]).to_pylist() == [5, 7]  # strided input is copied first
    with pytest.raises(TypeError, match="integers"):
        integer_array(np.array([1.0]))
