"""PageRank contributions, explanations and influence paths: by hand, against references."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.algorithms.pagerank import pagerank
from graphkit.algorithms.paths import influence_paths, pagerank_contributions
from graphkit.analysis import select_audience
from graphkit.analysis.explain import CONTRIBUTOR_COLUMNS, PATH_COLUMNS, explain, path_table
from graphkit.data import demo_folder
from graphkit.errors import ParameterError
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset, load_dataset

IDS = [f"n{i}" for i in range(7)]


def weighted_graph(edges: list[tuple[str, str, float]], ids: list[str] = IDS) -> SocialGraph:
    """Follow edges with weights, over the given accounts."""
    return build_graph(
        Dataset(
            accounts=pa.table({"id": ids}),
            follows=pa.table(
                {
                    "follower": [a for a, _, _ in edges],
                    "followed": [b for _, b, _ in edges],
                    "weight": [w for _, _, w in edges],
                }
            ),
        )
    )


def node(graph: SocialGraph, account: str) -> int:
    return int(graph.index_of([account])[0])


# ---------------------------------------------------------------------------------------------
# Slow reference (candidate for tests/reference.py).


def influence_paths_reference(
    edges: list[tuple[str, str, float]], source: str, target: str, k: int
) -> list[float]:
    """The k largest products of w(u, v) / out_weight(u) over all simple source-target paths,
    enumerated by networkx; duplicate records add up and self-loops are dropped."""
    weights: dict[tuple[str, str], float] = {}
    for a, b, w in edges:
        if a != b:
            weights[(a, b)] = weights.get((a, b), 0.0) + w
    out_weight: dict[str, float] = {}
    for (a, _), w in weights.items():
        out_weight[a] = out_weight.get(a, 0.0) + w
    graph = nx.DiGraph()
    graph.add_nodes_from([source, target])
    graph.add_edges_from(weights)
    influences = [
        float(np.prod([weights[(a, b)] / out_weight[a] for a, b in itertools.pairwise(path)]))
        for path in nx.all_simple_paths(graph, source, target)
    ]
    return sorted(influences, reverse=True)[:k]


# ---------------------------------------------------------------------------------------------


def test_contributions_by_hand():
    # a -> c, b -> c, c -> a (all weight 1, no dangling node), damping 0.85, teleport 0.05 each:
    #   s_b = 0.05; s_a = 0.05 + 0.85 s_c; s_c = 0.05 + 0.85 (s_a + s_b)
    #   => s_c = 0.135 / 0.2775 = 0.486486..., s_a = 0.05 + 0.85 s_c = 0.463514...
    # c receives 0.85 s_a = 0.393986 from a, 0.85 s_b = 0.0425 from b and 0.05 by teleport.
    graph = weighted_graph([("a", "c", 1.0), ("b", "c", 1.0), ("c", "a", 1.0)], ["a", "b", "c"])
    scores = pagerank(graph)
    s_c = 0.135 / 0.2775
    s_a = 0.05 + 0.85 * s_c
    assert scores[node(graph, "c")] == pytest.approx(s_c, abs=1e-9)
    parts = pagerank_contributions(graph, node(graph, "c"), scores)
    amount_of = {
        str(graph.ids[int(u)]): amount
        for u, amount in zip(parts.sources, parts.amounts, strict=True)
    }
    assert amount_of == {
        "a": pytest.approx(0.85 * s_a, abs=1e-9),
        "b": pytest.approx(0.85 * 0.05, abs=1e-9),
    }
    assert parts.teleport == pytest.approx(0.05)


def test_explain_by_hand():
    # x splits its attention 3:1 between t and y; y gives all of its attention to t.
    graph = weighted_graph([("x", "t", 3.0), ("x", "y", 1.0), ("y", "t", 1.0)], ["x", "y", "t"])
    scores = pagerank(graph)
    audience = np.zeros(graph.n_nodes, dtype=bool)
    audience[node(graph, "x")] = True
    membership = np.zeros(graph.n_nodes, dtype=np.int64)
    why = explain(graph, "t", scores, audience=None, membership=membership)
    assert (why.rank, why.n_accounts, why.in_neighbors) == (1, 3, 2)
    assert (why.community, why.community_rank) == (0, 1)
    table = why.contributors
    assert table.columns == list(CONTRIBUTOR_COLUMNS)
    # t is dangling, so its score is spread like the teleport: s_x = (0.15 + 0.85 s_t) / 3,
    # s_y = s_x + 0.85 * s_x / 4. x gives t 0.85 * s_x * 3/4 = 0.6375 s_x; y gives t
    # 0.85 * s_y = 1.0306 s_x, more: y is the top contributor.
    x, y, t = (scores[node(graph, name)] for name in ("x", "y", "t"))
    assert x == pytest.approx((0.15 + 0.85 * t) / 3, abs=1e-9)
    assert y == pytest.approx(x * (1 + 0.85 / 4), abs=1e-9)
    assert table.select("id", "attention_share", "via").rows() == [
        ("y", 1.0, "follow"),
        ("x", 0.75, "follow"),
    ]
    assert table["contribution"].to_list() == pytest.approx([0.85 * y, 0.85 * x * 0.75])
    assert table["share"].sum() + why.teleport_share == pytest.approx(1.0, abs=1e-8)
    assert why.audience_share is None
    # Personalized on x: x teleports everything, and passes 3/4 of its attention to t directly.
    personalized = pagerank(graph, personalization=audience.astype(float))
    focused = explain(graph, "t", personalized, audience=audience, top=1)
    assert focused.contributors.height == 1
    x_share = 0.85 * personalized[node(graph, "x")] * 0.75 / personalized[node(graph, "t")]
    assert focused.audience_share == pytest.approx(x_share)
    assert focused.teleport_share == pytest.approx(0.0)


edges = st.lists(
    st.tuples(st.sampled_from(IDS), st.sampled_from(IDS), st.integers(1, 5).map(float)),
    min_size=1,
    max_size=18,
)


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(edges=edges, audience_ids=st.sets(st.sampled_from(IDS), min_size=1))
def test_contributions_add_up_to_the_score(edges, audience_ids):
    graph = weighted_graph(edges)
    audience = np.zeros(graph.n_nodes, dtype=bool)
    audience[graph.index_of(sorted(audience_ids))] = True
    for personalization in (None, audience.astype(float)):
        scores = pagerank(graph, personalization=personalization, tolerance=1e-13)
        for account in range(graph.n_nodes):
            parts = pagerank_contributions(graph, account, scores, personalization=personalization)
            assert parts.amounts.sum() + parts.teleport == pytest.approx(scores[account], abs=1e-11)


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(edges=edges, ends=st.permutations(IDS), k=st.integers(1, 6))
def test_influence_paths_match_all_simple_paths(edges, ends, k):
    source, target = ends[0], ends[1]
    graph = weighted_graph(edges)
    found = influence_paths(graph, node(graph, source), node(graph, target), k=k)
    expected = influence_paths_reference(edges, source, target, k)
    assert [path.influence for path in found] == pytest.approx(expected, rel=1e-9)
    for path in found:
        assert path.nodes[0] == node(graph, source)
        assert path.nodes[-1] == node(graph, target)
        assert np.unique(path.nodes).shape[0] == path.nodes.shape[0]  # simple
        assert path.hops == path.nodes.shape[0] - 1


def test_path_table_by_hand():
    # buyer gives 3/4 of its attention to analyst and 1/4 to brand; analyst gives brand 1/2
    # (and 1/2 to blog, which gives brand all): buyer > analyst > brand = 3/4 * 1/2 = 0.375,
    # buyer > analyst > blog > brand = 0.375, buyer > brand = 0.25.
    graph = weighted_graph(
        [
            ("buyer", "analyst", 3.0),
            ("buyer", "brand", 1.0),
            ("analyst", "brand", 1.0),
            ("analyst", "blog", 1.0),
            ("blog", "brand", 2.0),
            ("brand", "buyer", 1.0),
        ],
        ["buyer", "analyst", "brand", "blog", "loner"],
    )
    table = path_table(graph, "buyer", "brand", k=5)
    assert table.columns == list(PATH_COLUMNS)
    assert table["influence"].to_list() == pytest.approx([0.375, 0.375, 0.25])
    assert set(table["path"].head(2)) == {
        "buyer > analyst > brand",
        "buyer > analyst > blog > brand",
    }
    assert table.row(2, named=True)["path"] == "buyer > brand"
    assert table["hops"].to_list() == [len(path.split(" > ")) - 1 for path in table["path"]]
    assert path_table(graph, "buyer", "loner").height == 0
    assert path_table(graph, "buyer", "brand", k=1).height == 1


def test_errors():
    graph = weighted_graph([("a", "b", 1.0)], ["a", "b"])
    with pytest.raises(ParameterError, match="account 'zz' is not in the graph"):
        explain(graph, "zz", pagerank(graph))
    with pytest.raises(ParameterError, match="same account"):
        path_table(graph, "a", "a")
    with pytest.raises(ParameterError, match="k must be at least 1"):
        path_table(graph, "a", "b", k=0)
    with pytest.raises(ParameterError, match="one value per node"):
        explain(graph, "a", np.ones(5))


@pytest.fixture(scope="module")
def demo() -> SocialGraph:
    return build_graph(load_dataset(demo_folder()))


@pytest.mark.slow
def test_demo_executives_make_the_architect(demo):
    audience = select_audience(demo, ["title~CTO|CIO|CISO"])
    scores = pagerank(demo, personalization=audience.astype(float))
    why = explain(demo, "u2044", scores, audience=audience, top=5)
    assert why.audience_share > 0.9
    titles = why.contributors["title"].to_list()
    assert all(title in ("CTO", "CIO", "CISO") for title in titles)


def test_demo_buyer_reaches_the_brand_through_the_expert(demo):
    table = path_table(demo, "u0855", "b001", k=5)
    assert table["path"][0] == "u0855 > b001"
    assert table["path"][1] == "u0855 > u2044 > b001"
    assert table["handles"][1] == "victor_bianchi > dreyes_secarch > northwindcloud"
    assert (table["influence"].diff().drop_nulls() <= 0).all()
    assert table.filter(pl.col("hops") > 1)["path"].str.contains("u2044").all()
