"""The community table and summary: ranks inside communities, leaders, themes."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

from graphkit.algorithms.communities import communities
from graphkit.algorithms.pagerank import pagerank
from graphkit.analysis.communities import (
    COMMUNITY_COLUMNS,
    SUMMARY_COLUMNS,
    community_summary,
    community_table,
)
from graphkit.data import demo_folder
from graphkit.errors import ParameterError
from graphkit.graph import build_graph
from graphkit.io import Dataset, load_dataset
from tests.conftest import follows_graph


@pytest.fixture(scope="module")
def demo():
    graph = build_graph(load_dataset(demo_folder()))
    return graph, communities(graph, seed=2), pagerank(graph)


def test_contract_on_tiny_graphs(tiny_graph):
    result = communities(tiny_graph)
    scores = pagerank(tiny_graph)
    table = community_table(tiny_graph, result, scores, leaders=2)
    assert table.columns == list(COMMUNITY_COLUMNS)
    assert table.height == tiny_graph.n_nodes
    assert sorted(table["id"].to_list()) == sorted(tiny_graph.ids.to_pylist())
    for community, members in table.group_by("community", maintain_order=True):
        assert members["community_size"].to_list() == [result.sizes[community[0]]] * members.height
        assert members["community_rank"].to_list() == list(range(1, members.height + 1))
    assert (table["is_leader"] == (table["community_rank"] <= 2)).all()
    assert table["handle"].null_count() == table.height
    summary = community_summary(tiny_graph, result, scores)
    assert summary.columns == list(SUMMARY_COLUMNS)
    assert summary.height == result.n_communities
    assert summary["top_titles"].null_count() == summary.height


def test_ties_in_pagerank_rank_by_id():
    # Everyone follows everyone: equal PageRank, one community, ranked by id.
    graph = follows_graph([(a, b) for a in "dcab" for b in "dcab" if a != b])
    result = communities(graph)
    table = community_table(graph, result, np.full(graph.n_nodes, 0.25), leaders=1)
    assert table["id"].to_list() == ["a", "b", "c", "d"]
    assert table["is_leader"].to_list() == [True, False, False, False]


def test_no_leaders():
    graph = follows_graph([("a", "b")])
    table = community_table(graph, communities(graph), pagerank(graph), leaders=0)
    assert not table["is_leader"].any()
    summary = community_summary(graph, communities(graph), pagerank(graph), leaders=0)
    assert summary["leaders"].null_count() == summary.height


@pytest.mark.slow
def test_demo_table_agrees_with_the_partition_and_pagerank(demo):
    graph, result, scores = demo
    table = community_table(graph, result, scores)
    node = graph.index_of(table["id"].to_arrow())
    assert np.array_equal(table["community"].to_numpy(), result.membership[node])
    assert np.array_equal(table["pagerank"].to_numpy(), scores[node])
    accounts = graph.accounts
    assert accounts is not None
    handles = dict(zip(accounts["id"], accounts["handle"], strict=True))
    assert table["handle"].to_list() == [handles.get(i) for i in table["id"]]


def test_demo_summary_matches_a_plain_count(demo):
    graph, result, scores = demo
    table = community_table(graph, result, scores)
    summary = community_summary(graph, result, scores, top=2)
    assert summary["modularity_contribution"].sum() == pytest.approx(result.modularity)
    assert summary["pagerank_share"].sum() == pytest.approx(1.0)
    assert summary["share"].sum() == pytest.approx(1.0)
    accounts = graph.accounts
    assert accounts is not None
    title_of = dict(zip(accounts["id"], accounts["title"], strict=True))
    topics_of = dict(zip(accounts["id"], accounts["topics"].to_list(), strict=True))
    for row in summary.iter_rows(named=True):
        members = table.filter(table["community"] == row["community"])
        assert row["size"] == members.height
        leaders = members.filter(members["is_leader"])
        assert row["leaders"] == "; ".join(leaders["id"])
        assert row["leader_handles"] == "; ".join(leaders["handle"])
        titles = Counter(title_of[i] for i in members["id"] if title_of.get(i))
        topics = Counter(t for i in members["id"] for t in (topics_of.get(i) or []))
        for counts, column in ((titles, "top_titles"), (topics, "top_topics")):
            expected = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:2]
            text = "; ".join(f"{value} ({count})" for value, count in expected)
            assert row[column] == (text or None)


def test_accounts_without_titles_or_topics():
    follows = pa.table({"follower": ["a", "b"], "followed": ["b", "a"]})
    accounts = pa.table({"id": ["a", "b"], "handle": ["alpha", None]})
    graph = build_graph(Dataset(follows=follows, accounts=accounts))
    result = communities(graph)
    summary = community_summary(graph, result, pagerank(graph), leaders=2)
    assert summary["leader_handles"].to_list() == ["alpha"]
    assert summary["top_titles"].to_list() == [None]
    assert summary["top_topics"].to_list() == [None]


def test_bad_arguments():
    graph = follows_graph([("a", "b"), ("b", "c")])
    other = follows_graph([("a", "b")])
    result = communities(graph)
    scores = pagerank(graph)
    with pytest.raises(ParameterError, match="the partition has 2 nodes but the graph has 3"):
        community_table(graph, communities(other), scores)
    with pytest.raises(ParameterError, match=r"one score per node \(3\)"):
        community_table(graph, result, scores[:2])
    with pytest.raises(ParameterError, match="leaders must be >= 0, got -1"):
        community_table(graph, result, scores, leaders=-1)
    with pytest.raises(ParameterError, match="top must be at least 1, got 0"):
        community_summary(graph, result, scores, top=0)
