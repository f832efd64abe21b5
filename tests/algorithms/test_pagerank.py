"""PageRank against networkx and igraph on the real graphs in the shared data folder."""

from __future__ import annotations

import igraph as ig
import numpy as np
import pytest

from graphkit.algorithms import pagerank, pagerank_run
from graphkit.graph import build_graph
from graphkit.io import load_dataset

pytestmark = pytest.mark.shared_data


def _aligned(graph, reference):
    return np.array([reference[node] for node in graph.ids.to_pylist()])


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


def test_higgs_retweets_weighted_match_networkx(shared_data, higgs_retweet_reference):
    path = shared_data / "higgs-twitter" / "higgs-retweet_network.edgelist"
    graph = build_graph(load_dataset(interactions=path, interaction_type="repost"))
    assert graph.n_nodes == 256_491
    scores = pagerank(graph, tolerance=1e-10)
    expected = _aligned(graph, higgs_retweet_reference)
    assert np.abs(scores - expected).max() < 1e-8


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
