"""GEXF and GraphML files read back by networkx: nodes, edges, attributes and their types."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.errors import InputError
from graphkit.io.graphfiles import Drawing, write_graph

HOSTILE = ['=HYPERLINK("x")', 'a "quoted" <b>&amp;</b>', "tab\there", "line\nbreak",
           "cr\rhere", "陈静 🚀", "]]><!--", "nul\x00bell\x07"]  # fmt: skip


def nodes_and_edges() -> tuple[pl.DataFrame, pl.DataFrame]:
    nodes = pl.DataFrame(
        {
            "id": ["a", "b", "c&d", "007"],
            "name": HOSTILE[:4],
            "rank": [1, 2, 3, None],
            "score": [1.5, None, 0.25, float("nan")],
            "is_leader": [True, False, None, True],
            "topics": [["x", "y"], [], None, ["z"]],
        }
    )
    edges = pl.DataFrame(
        {
            "source": ["a", "b", "c&d", "007"],
            "target": ["b", "a", "a", "c&d"],
            "weight": [1.0, 3.5, 0.5, 2.0],
            "relation": ["follow", "interaction", "follow+interaction", None],
        }
    )
    return nodes, edges


def read(path: Path) -> nx.DiGraph:
    if path.suffix == ".gexf":
        return nx.read_gexf(path, node_type=str)
    return nx.read_graphml(path, node_type=str)


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_networkx_reads_back_nodes_edges_and_typed_attributes(tmp_path: Path, suffix: str) -> None:
    nodes, edges = nodes_and_edges()
    path = write_graph(nodes, edges, tmp_path / f"g{suffix}", label="name")
    graph = read(path)
    assert graph.is_directed()
    assert sorted(graph.nodes) == sorted(nodes["id"])
    assert sorted(graph.edges) == sorted(zip(edges["source"], edges["target"], strict=True))
    a, b, cd, bond = (graph.nodes[n] for n in ("a", "b", "c&d", "007"))
    assert a["rank"] == 1
    assert isinstance(a["rank"], int)
    assert a["score"] == 1.5
    assert isinstance(a["score"], float)
    assert a["is_leader"] is True
    assert b["is_leader"] is False
    assert a["topics"] == "x;y"
    assert "score" not in b
    assert "rank" not in bond
    assert "score" not in bond
    assert cd["name"] == "tab\there"
    assert graph.nodes["b"]["name"] == HOSTILE[1]
    if suffix == ".gexf":
        assert a["label"] == HOSTILE[0]
    assert graph.edges["b", "a"]["weight"] == 3.5
    assert graph.edges["c&d", "a"]["relation"] == "follow+interaction"
    assert "relation" not in graph.edges["007", "c&d"]


@pytest.mark.slow
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=10), min_size=1, max_size=8, unique=True))
def test_any_text_survives_the_round_trip(tmp_path: Path, names: list[str]) -> None:
    nodes = pl.DataFrame({"id": [f"n{i}" for i in range(len(names))], "name": names})
    edges = pl.DataFrame({"source": ["n0"], "target": [f"n{len(names) - 1}"], "weight": [1.0]})
    forbidden = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\ufffe", "\uffff"}
    for suffix in (".gexf", ".graphml"):
        graph = read(write_graph(nodes, edges, tmp_path / f"g{suffix}"))
        for index, name in enumerate(names):
            expected = written(name, forbidden)  # XML cannot hold these: written out
            assert graph.nodes[f"n{index}"].get("name", "") == expected


def test_other_suffix_and_missing_columns_are_refused(tmp_path: Path) -> None:
    nodes, edges = nodes_and_edges()
    with pytest.raises(InputError, match=r"graph files end in \.gexf or \.graphml"):
        write_graph(nodes, edges, tmp_path / "g.xml")
    with pytest.raises(InputError, match="lacks the column 'source'"):
        write_graph(nodes, edges.drop("source"), tmp_path / "g.gexf")
    assert list(tmp_path.iterdir()) == []


def written(text: str, forbidden: set[str]) -> str:
    """``text`` as a graph file holds it: characters XML forbids as ``\\xNN``/``\\uNNNN``."""
    return "".join(ascii(ch)[1:-1] if ch in forbidden else ch for ch in text)


ODD_IDS = [
    "a\x01",
    "a\x02",
    "\x01\x02",
    "\x00",
    "\ufffe",
    "q\"<&>'",
    "陈静",
    "tab\there",
    "cr\rlf\n",
]


@pytest.mark.parametrize("suffix", [".gexf", ".graphml"])
def test_ids_with_characters_xml_forbids_stay_distinct_nodes(tmp_path: Path, suffix: str) -> None:
    nodes = pl.DataFrame({"id": ODD_IDS, "name": ODD_IDS})
    edges = pl.DataFrame({"source": ODD_IDS[:-1], "target": ODD_IDS[1:]})
    path = write_graph(nodes, edges, tmp_path / f"g{suffix}")
    graph = nx.read_gexf(path) if suffix == ".gexf" else nx.read_graphml(path)
    forbidden = {chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\ufffe", "\uffff"}
    expected = [written(node, forbidden) for node in ODD_IDS]
    assert sorted(graph.nodes()) == sorted(expected)
    assert "" not in graph.nodes()
    assert graph.number_of_edges() == len(ODD_IDS) - 1
    assert ("a\\x01", "a\\x02") in graph.edges()


def test_ids_that_would_become_one_node_are_refused(tmp_path: Path) -> None:
    nodes = pl.DataFrame({"id": ["a\x01", "a\\x01"]})
    edges = pl.DataFrame({"source": ["a\x01"], "target": ["a\\x01"]})
    with pytest.raises(InputError, match="would stand for 2 accounts"):
        write_graph(nodes, edges, tmp_path / "g.gexf")
    assert list(tmp_path.iterdir()) == []


def test_drawings_that_gephi_could_not_read_are_refused(tmp_path: Path) -> None:
    nodes = pl.DataFrame(
        {
            "id": ["a", "b"],
            "colour": ["#00FF7f", "red"],
            "size": [1.0, -0.5],
            "x": [0.0, float("inf")],
            "y": [1.0, 2.0],
        }
    )
    edges = pl.DataFrame({"source": ["a"], "target": ["b"]})
    cases = [
        (Drawing(colour="colour"), "node 'b': not a #rrggbb colour for drawing it"),
        (Drawing(size="size"), "node 'b': not a finite size >= 0 for drawing it"),
        (Drawing(x="x", y="y"), "node 'b': not a finite x for drawing it"),
        (Drawing(x="x"), "a position needs both an x and a y column"),
        (Drawing(size="area"), "the node table lacks the column 'area'"),
    ]
    for drawing, message in cases:
        with pytest.raises(InputError) as caught:
            write_graph(nodes, edges, tmp_path / "g.gexf", drawing=drawing)
        assert str(caught.value) == f"{tmp_path / 'g.gexf'}: {message}"
    assert list(tmp_path.iterdir()) == []
    fine = nodes.head(1)
    path = write_graph(fine, edges.head(0), tmp_path / "g.gexf", drawing=Drawing("colour", "size"))
    viz = nx.read_gexf(path).nodes["a"]["viz"]
    assert (viz["color"]["r"], viz["color"]["g"], viz["color"]["b"], viz["size"]) == (
        0,
        255,
        127,
        1.0,
    )
