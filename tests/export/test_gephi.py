"""Gephi subgraphs against an independent networkx construction from the raw records."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from graphkit.analysis import rank_influencers
from graphkit.errors import ParameterError
from graphkit.export import graph_tables, write_gephi
from graphkit.graph import build_graph
from graphkit.io import DEFAULT_TYPE_WEIGHTS, Dataset

RNG = np.random.default_rng(7)
IDS = [f"a{i:02d}" for i in range(40)]
FOLLOWS = [(IDS[i], IDS[j]) for i, j in RNG.integers(0, 40, size=(150, 2))]
TYPES = ["repost", "reply", "like", "mention"]
ENDS, KINDS = RNG.integers(0, 40, size=(2, 120)), RNG.integers(0, 4, 120)
INTERACTIONS = [(IDS[i], IDS[j], TYPES[t]) for i, j, t in zip(*ENDS, KINDS, strict=True)]


def reference_graph() -> nx.DiGraph:
    """Summed type weights and relation per (u, v), self-loops dropped (README "What goes in")."""
    graph = nx.DiGraph()
    for u, v in FOLLOWS:
        if u != v:
            data = graph.get_edge_data(u, v, {"weight": 0.0, "kinds": set()})
            graph.add_edge(u, v, weight=data["weight"] + 1.0, kinds=data["kinds"] | {"follow"})
    for u, v, kind in INTERACTIONS:
        if u != v:
            data = graph.get_edge_data(u, v, {"weight": 0.0, "kinds": set()})
            graph.add_edge(u, v, weight=data["weight"] + DEFAULT_TYPE_WEIGHTS[kind],
                           kinds=data["kinds"] | {"interaction"})  # fmt: skip
    return graph


@pytest.fixture(scope="module")
def social():
    accounts = pa.table({"id": IDS, "name": [f"Name {i}" for i in range(40)],
                         "kind": ["person"] * 40, "topics": [["ai", "x"]] * 40})  # fmt: skip
    follows = pa.table({"follower": [u for u, _ in FOLLOWS], "followed": [v for _, v in FOLLOWS]})
    interactions = pa.table({"source": [u for u, _, _ in INTERACTIONS],
                             "target": [v for _, v, _ in INTERACTIONS],
                             "type": [t for *_, t in INTERACTIONS]})  # fmt: skip
    return build_graph(Dataset(accounts=accounts, follows=follows, interactions=interactions))


@pytest.mark.slow
@pytest.mark.parametrize("top", [0, 10])
@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_induced_subgraph_matches_networkx(social, tmp_path: Path, top: int, suffix: str) -> None:
    table = rank_influencers(social, top=top)
    path = tmp_path / f"g{suffix}"
    n_nodes, n_edges = write_gephi(social, table, path)
    written = nx.read_gexf(path) if suffix == ".gexf" else nx.read_graphml(path)
    expected = reference_graph().subgraph(table["id"].to_list())
    assert n_nodes == written.number_of_nodes() == table.height
    assert n_edges == written.number_of_edges() == expected.number_of_edges()
    assert set(written.edges) == set(expected.edges)
    for u, v, data in expected.edges(data=True):
        edge = written.edges[u, v]
        assert edge["weight"] == pytest.approx(data["weight"])
        kinds = sorted(data["kinds"], key=["follow", "interaction"].index)
        assert edge["relation"] == "+".join(kinds)
    for row in table.iter_rows(named=True):
        node = written.nodes[row["id"]]
        assert node["rank"] == row["rank"]
        assert node["pagerank"] == pytest.approx(row["pagerank"], rel=1e-12)
        assert node["topics"] == "ai;x"  # account attributes come along
    if top == 0:
        assert n_edges == social.n_edges


def test_tables_that_are_not_one_row_per_account_are_refused(social) -> None:
    with pytest.raises(ParameterError, match="repeats accounts"):
        graph_tables(social, pl.DataFrame({"id": ["a00", "a00"]}))
    with pytest.raises(ParameterError, match="account 'zz' of the table is not in the graph"):
        graph_tables(social, pl.DataFrame({"id": ["a00", "zz"]}))
