"""PageRank, plain and personalized, against the dense reference and networkx on awkward
graphs: duplicate rows, merges, self-loops, dangling nodes, zero and extreme weights."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.algorithms import pagerank
from graphkit.analysis import rank_influencers
from graphkit.errors import GraphkitError
from graphkit.graph import SocialGraph
from tests.graph.test_build_differential import reference_graph
from tests.reference import ReferenceGraph, graph_pagerank_reference
from tests.strategies import GeneratedData, generated_data

pytestmark = pytest.mark.slow

EXAMPLES = settings(max_examples=60, deadline=None)
DAMPINGS = st.sampled_from([0.0, 0.5, 0.85, 0.85, 0.95])


def built(data: GeneratedData) -> tuple[SocialGraph, ReferenceGraph]:
    """Graphkit's graph and the reference graph; datasets a half-life rejects are skipped by
    building a copy without the half-life (the build test covers the rejection)."""
    try:
        reference = reference_graph(data)
    except ValueError:
        data = GeneratedData(
            data.follows, data.interactions, data.accounts, data.identities,
            type(data.weighting)(type_weights=data.weighting.type_weights), data.undirected,
        )  # fmt: skip
        reference = reference_graph(data)
    return data.build(), reference


def personalizations(ids: list[str]) -> st.SearchStrategy[dict[str, float] | None]:
    weights = st.lists(
        st.sampled_from([0.0, 0.0, 1.0, 2.0, 1e-3]), min_size=len(ids), max_size=len(ids)
    ).map(lambda values: dict(zip(ids, [*values[:-1], values[-1] or 1.0], strict=True)))
    return st.one_of(st.none(), weights)


def networkx_pagerank(
    reference: ReferenceGraph, damping: float, personalization: dict[str, float] | None
) -> dict[str, float] | None:
    """networkx's PageRank, or ``None`` where networkx cannot give one: at tol=1e-15 its own
    rounding can keep its L1 change above N * tol forever (a two-account cycle at damping
    0.95), so the tolerance is loosened once; a subnormal weight (5e-324) makes its inverse
    out-weight infinite and its scores NaN, which never converge."""
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(reference.nodes))
    graph.add_weighted_edges_from((u, v, w) for (u, v), w in reference.weights.items())
    for tol in (1e-15, 1e-13):
        try:
            return nx.pagerank(
                graph, alpha=damping, personalization=personalization, tol=tol, max_iter=10_000
            )
        except nx.PowerIterationFailedConvergence:
            continue
    return None


@EXAMPLES
@given(generated_data(), DAMPINGS, st.data())
def test_pagerank_matches_reference_and_networkx(
    data: GeneratedData, damping: float, draw: st.DataObject
) -> None:
    graph, reference = built(data)
    ids = graph.ids.to_pylist()
    personalization = draw.draw(personalizations(ids))
    teleport = None if personalization is None else np.array([personalization[i] for i in ids])
    scores = pagerank(graph, damping=damping, personalization=teleport)
    assert np.isfinite(scores).all()
    assert abs(scores.sum() - 1.0) < 1e-9
    want = graph_pagerank_reference(reference, damping=damping, personalization=personalization)
    assert sum(abs(scores[node] - want[account]) for node, account in enumerate(ids)) < 1e-9
    oracle = networkx_pagerank(reference, damping, personalization)
    if oracle is None:  # networkx failed (see networkx_pagerank); the dense reference held
        out_weight: dict[str, float] = {}
        for (source, _), weight in reference.weights.items():
            out_weight[source] = out_weight.get(source, 0.0) + weight
        assert damping > 0.9 or any(0.0 < w < 1e-300 for w in out_weight.values())
        return
    assert sum(abs(scores[node] - oracle[account]) for node, account in enumerate(ids)) < 1e-9


@EXAMPLES
@given(generated_data(overflow=True))
def test_overflowing_weights_are_an_error_or_finite(data: GeneratedData) -> None:
    """Weights whose products or sums overflow: an input error, never NaN scores."""
    try:
        graph, _ = built(data)
        scores = pagerank(graph)
    except GraphkitError:
        return
    assert np.isfinite(scores).all()
    assert abs(scores.sum() - 1.0) < 1e-9


@settings(max_examples=50, deadline=None)
@given(generated_data())
def test_rank_influencers_columns_match_reference(data: GeneratedData) -> None:
    graph, reference = built(data)
    table = rank_influencers(graph)
    want = graph_pagerank_reference(reference)
    followers = reference.followers_of()
    assert table["id"].n_unique() == table.height == graph.n_nodes
    assert table["rank"].to_list() == list(range(1, table.height + 1))
    for row in table.iter_rows(named=True):
        account = row["id"]
        assert row["pagerank"] == pytest.approx(want[account], abs=1e-9)
        assert row["followers"] == len(followers[account])
        received = reference.interactions_received.get(account, 0.0)
        assert row["interactions_received"] == pytest.approx(received, rel=1e-12)
        if followers[account]:
            engagement = reference.engagement_received.get(account, 0.0) / len(followers[account])
            assert row["engagement_rate"] == pytest.approx(engagement, rel=1e-12)
        else:
            assert row["engagement_rate"] is None
    pageranks = table["pagerank"].to_list()
    assert pageranks == sorted(pageranks, reverse=True)
