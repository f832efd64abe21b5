"""Gephi subgraphs against an independent networkx construction from the raw records."""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from graphkit.analysis import rank_influencers
from graphkit.errors import ParameterError
from graphkit.export import graph_tables, write_gephi
from graphkit.export.visual import MAX_LAYOUT_NODES, OTHER_COLOUR, PALETTE, layout
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import DEFAULT_TYPE_WEIGHTS, Dataset
from tests.conftest import follows_graph

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


def drawn_table() -> tuple[SocialGraph, pl.DataFrame]:
    """Eleven communities (one more than the palette) and accounts without one."""
    edges = [(f"c{c}m{m}", f"c{c}m{(m + 1) % 3}") for c in range(11) for m in range(3)]
    edges += [("c0m0", "loner"), ("handle_only", "c1m1"), ("bare", "c2m2")]
    graph = follows_graph(edges)
    ranked = rank_influencers(graph, top=0)
    community = {f"c{c}m{m}": c for c in range(11) for m in range(3)}
    names = {account: f"Name {account}" for account in community} | {"loner": ""}
    table = ranked.with_columns(
        pl.col("id").replace_strict(community, default=None, return_dtype=pl.Int64)
        .alias("community"),
        pl.col("id").replace_strict(names, default=None, return_dtype=pl.String).alias("name"),
        pl.when(pl.col("id") == "handle_only").then(pl.lit("@only")).alias("handle"),
        pl.lit(7).alias("size"),  # an attribute Gephi's GraphML importer would take as size
    )  # fmt: skip
    return graph, table


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_networkx_reads_labels_colours_sizes_and_positions(tmp_path: Path, suffix: str) -> None:
    graph, table = drawn_table()
    path = tmp_path / f"drawn{suffix}"
    write_gephi(graph, table, path)
    written = nx.read_gexf(path) if suffix == ".gexf" else nx.read_graphml(path)
    # Community c gets the palette colour of its rank by size (ties: lower id first); all
    # eleven communities have three accounts, so community 10 is the first left grey.
    expected_colour = {c: PALETTE[c] for c in range(10)}
    positions = []
    for row in table.iter_rows(named=True):
        node = written.nodes[row["id"]]
        label = row["name"] or row["handle"] or row["id"]
        colour = expected_colour.get(row["community"], OTHER_COLOUR)
        rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
        size = 5.0 + 45.0 * row["score"] / 100.0
        if suffix == ".gexf":
            viz = node["viz"]
            assert node["label"] == label
            assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"]) == rgb
            assert viz["size"] == pytest.approx(size, abs=0.006)
            positions.append((viz["position"]["x"], viz["position"]["y"]))
        else:
            assert node["label"] == label
            assert (node["r"], node["g"], node["b"]) == rgb
            assert node["size"] == pytest.approx(size, abs=0.006)
            assert node["size_attribute"] == 7
            positions.append((node["x"], node["y"]))
    spread = np.asarray(positions)
    assert np.isfinite(spread).all()
    assert len({tuple(point) for point in spread}) == table.height  # no two nodes stacked
    assert np.abs(spread).max() == pytest.approx(1000.0)
    # Linked accounts sit closer than accounts of different communities, on average.
    index = {account: number for number, account in enumerate(table["id"])}
    linked = [np.linalg.norm(spread[index[f"c{c}m0"]] - spread[index[f"c{c}m1"]])
              for c in range(11)]  # fmt: skip
    apart = [np.linalg.norm(spread[index[f"c{c}m0"]] - spread[index[f"c{c + 1}m0"]])
             for c in range(10)]  # fmt: skip
    assert np.mean(linked) < np.mean(apart)


def test_the_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    graph, table = drawn_table()
    for suffix in (".gexf", ".graphml"):
        first, second = tmp_path / f"1{suffix}", tmp_path / f"2{suffix}"
        write_gephi(graph, table, first)
        write_gephi(graph, table, second)
        assert first.read_bytes() == second.read_bytes()
    other = tmp_path / "3.gexf"
    write_gephi(graph, table, other, seed=1)
    assert other.read_bytes() != (tmp_path / "1.gexf").read_bytes()


def test_communities_tables_are_sized_by_their_pagerank(tmp_path: Path) -> None:
    graph = follows_graph([("a", "b"), ("c", "b"), ("b", "d")])
    table = pl.DataFrame({"id": ["a", "b", "c", "d"], "pagerank": [0.1, 0.4, 0.1, 0.4 / 3]})
    write_gephi(graph, table, tmp_path / "c.gexf")
    sizes = {n: d["viz"]["size"] for n, d in nx.read_gexf(tmp_path / "c.gexf").nodes(data=True)}
    assert sizes["b"] == 50.0
    assert sizes["a"] == sizes["c"] == 5.0
    assert 5.0 < sizes["d"] < 50.0


@pytest.mark.slow
def test_graphs_beyond_the_layout_limit_have_no_positions(tmp_path: Path) -> None:
    ids = [f"n{i}" for i in range(MAX_LAYOUT_NODES + 1)]
    graph = follows_graph(list(itertools.pairwise(ids)))
    table = pl.DataFrame({"id": ids, "score": np.linspace(0, 100, len(ids))})
    n_nodes, _ = write_gephi(graph, table, tmp_path / "big.gexf")
    assert n_nodes == MAX_LAYOUT_NODES + 1
    written = nx.read_gexf(tmp_path / "big.gexf")
    viz = written.nodes["n0"]["viz"]
    assert "position" not in viz
    assert viz["size"] == 5.0
    assert written.nodes[ids[-1]]["viz"]["size"] == 50.0


def test_layout_refuses_what_it_cannot_place() -> None:
    edge = np.array([0])
    with pytest.raises(ParameterError, match="layout places 0 to 10,000 nodes, got 10,001"):
        layout(MAX_LAYOUT_NODES + 1, edge, edge)
    with pytest.raises(ParameterError, match=r"outside 0 \.\. n_nodes - 1"):
        layout(2, np.array([0]), np.array([2]))
    with pytest.raises(ParameterError, match="finite and >= 0"):
        layout(2, np.array([0]), np.array([1]), np.array([np.inf]))
    assert layout(1, np.zeros(0), np.zeros(0)).tolist() == [[0.0, 0.0]]
    isolated = layout(3, np.zeros(0), np.zeros(0))
    assert np.isfinite(isolated).all()
    assert np.abs(isolated).max() == 1000.0


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_attributes_named_as_a_reader_draws_nodes_keep_their_values(
    tmp_path: Path, suffix: str
) -> None:
    # networkx's GEXF reader puts the drawing under "viz"; Gephi's GraphML importer takes
    # color, z, xpos, ypos and d3 for a node's colour, position and label.
    graph = follows_graph([("a", "b")])
    names = ["viz", "color", "z", "xpos", "ypos", "d3", "Label"]
    table = pl.DataFrame({"id": ["a", "b"], "score": [100.0, 0.0],
                          **{name: [f"{name}-a", f"{name}-b"] for name in names}})  # fmt: skip
    path = tmp_path / f"named{suffix}"
    write_gephi(graph, table, path)
    written = nx.read_gexf(path) if suffix == ".gexf" else nx.read_graphml(path)
    node = written.nodes["a"]
    renamed = {"viz", "Label"} if suffix == ".gexf" else set(names) - {"viz"}
    for name in names:
        key = f"{name}_attribute" if name in renamed else name
        assert node[key] == f"{name}-a"
    assert node["label"] == "a"
    size = node["viz"]["size"] if suffix == ".gexf" else node["size"]
    assert size == 50.0


def test_the_python_api_refuses_wrong_types(tmp_path: Path) -> None:
    graph = follows_graph([("a", "b")])
    table = pl.DataFrame({"id": ["a", "b"]})
    with pytest.raises(ParameterError, match="polars DataFrame"):
        write_gephi(graph, table.to_pandas(), tmp_path / "p.gexf")
    with pytest.raises(ParameterError, match="SocialGraph"):
        write_gephi(None, table, tmp_path / "p.gexf")  # type: ignore[arg-type]
    for seed in (-1, 2.5, float("nan"), "1", True):
        with pytest.raises(ParameterError, match="seed is a whole number >= 0"):
            write_gephi(graph, table, tmp_path / "p.gexf", seed=seed)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="iterations is a whole number >= 1"):
        layout(2, np.array([0]), np.array([1]), iterations=0)
    assert not (tmp_path / "p.gexf").exists()
