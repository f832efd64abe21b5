"""The SME finder on a hand-built company and on the demo dataset."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from graphkit.analysis import C_LEVEL, select_audience
from graphkit.analysis.experts import EXPERT_COLUMNS, expert_table
from graphkit.data import demo_folder
from graphkit.errors import ParameterError
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset, load_dataset
from tests.reference import pagerank_reference

# Brand b employs arch (security) and adv (cloud). cto1 and cto2 are the audience.
#   cto1 -> arch, cto2 -> arch, cto1 -> dev, dev -> adv, fan -> adv, dev -> b
ACCOUNTS = pa.table(
    {
        "id": ["b", "arch", "adv", "cto1", "cto2", "dev", "fan"],
        "handle": ["brand", "arch_h", "adv_h", "cto_1", "cto_2", "dev_h", "fan_h"],
        "kind": ["brand", "person", "person", "person", "person", "person", "person"],
        "organization": [None, "b", "b", None, None, None, None],
        "title": [None, "Security Architect", "Developer Advocate", "CTO",
                  "Chief Information Officer", "Engineer", None],
        "topics": [[], ["security", "cloud"], ["cloud"], [], [], [], []],
    }
)  # fmt: skip
EDGES = [
    ("cto1", "arch"),
    ("cto2", "arch"),
    ("cto1", "dev"),
    ("dev", "adv"),
    ("fan", "adv"),
    ("dev", "b"),
]


@pytest.fixture
def company() -> SocialGraph:
    follows = pa.table({"follower": [a for a, _ in EDGES], "followed": [b for _, b in EDGES]})
    return build_graph(Dataset(accounts=ACCOUNTS, follows=follows))


def test_expert_table_by_hand(company):
    graph = company
    table = expert_table(graph, "b")
    assert table.columns == list(EXPERT_COLUMNS)
    assert table["id"].to_list() == ["arch", "adv"]
    arch, adv = table.rows(named=True)
    # arch: followed by cto1 and cto2 (both audience), nobody follows them -> 2 within 2 hops.
    # adv: followed by dev and fan; dev is followed by cto1 -> 1 audience account within 2.
    assert (arch["audience_followers"], arch["audience_reached"]) == (2, 2)
    assert (adv["audience_followers"], adv["audience_reached"]) == (0, 1)
    assert (arch["followers"], adv["followers"]) == (2, 2)
    assert arch["topics_matched"] == "security;cloud"
    # Personalized PageRank, teleporting to {cto1, cto2} (the default C-level audience).
    ids = [str(i) for i in graph.ids.to_pylist()]
    index = {account: position for position, account in enumerate(ids)}
    teleport = np.zeros(graph.n_nodes)
    teleport[[index["cto1"], index["cto2"]]] = 0.5
    expected = pagerank_reference(
        graph.n_nodes, [(index[a], index[b], 1.0) for a, b in EDGES], personalization=teleport
    )
    assert arch["audience_influence"] == pytest.approx(expected[index["arch"]], abs=1e-9)
    assert adv["audience_influence"] == pytest.approx(expected[index["adv"]], abs=1e-9)
    # Direct attention: cto1 splits its attention over arch and dev, cto2 gives all to arch.
    direct = 0.85 * (expected[index["cto1"]] / 2 + expected[index["cto2"]])
    assert arch["audience_attention"] == pytest.approx(direct, abs=1e-9)
    assert adv["audience_attention"] == 0.0  # no audience member follows adv directly


def test_topic_filter_and_explicit_audience(company):
    graph = company
    assert expert_table(graph, "b", topic="CLOUD")["topics_matched"].to_list() == [
        "cloud",
        "cloud",
    ]
    assert expert_table(graph, "b", topic=["security"])["id"].to_list() == ["arch"]
    assert expert_table(graph, "b", topic="fintech").height == 0
    fans = select_audience(graph, ["id=fan"])
    table = expert_table(graph, "b", audience_mask=fans)
    assert table["id"].to_list() == ["adv", "arch"]
    assert table["audience_followers"].to_list() == [1, 0]


def test_sort_by(company):
    graph = company
    fans = select_audience(graph, ["id=fan,cto2"])
    for key in ("audience_followers", "audience_reached", "audience_attention"):
        table = expert_table(graph, "b", audience_mask=fans, sort_by=key)
        assert table[key].is_sorted(descending=True)
        assert table["rank"].to_list() == list(range(1, table.height + 1))


def test_errors(company):
    graph = company
    with pytest.raises(ParameterError, match="unknown organization 'x'"):
        expert_table(graph, "x")
    with pytest.raises(ParameterError, match="sort_by must be one of"):
        expert_table(graph, "b", sort_by="followers")
    with pytest.raises(ParameterError, match="selects no account"):
        expert_table(graph, "b", audience_mask=np.zeros(graph.n_nodes, dtype=bool))


@pytest.fixture(scope="module")
def demo() -> SocialGraph:
    return build_graph(load_dataset(demo_folder()))


def test_demo_security_architect_reaches_the_executives(demo):
    table = expert_table(demo, "b001")
    assert table.height == 40
    expert = table.filter(pl.col("id") == "u2044").row(0, named=True)
    assert expert["handle"] == "dreyes_secarch"
    # u2044 has the most C-level followers of b001's people and receives the most attention
    # directly from them.
    assert expert["audience_followers"] == table["audience_followers"].max()
    assert expert["audience_attention"] == table["audience_attention"].max()
    assert expert_table(demo, "b001", sort_by="audience_attention")["id"][0] == "u2044"
    # By personalized PageRank (damping 0.85) the star maya_builds ranks first: influencers
    # the executives follow (u0664 gives her 29 % of its attention) pass her their score.
    assert table["id"].head(2).to_list() == ["u0313", "u2044"]
    assert expert["audience_influence"] > 2 * table.row(2, named=True)["audience_influence"]


def test_demo_security_topic_puts_the_architect_first(demo):
    table = expert_table(demo, "b001", topic="security")
    assert table["id"][0] == "u2044"
    assert (table["topics_matched"] == "security").all()


def test_demo_default_audience_is_c_level(demo):
    explicit = expert_table(demo, "b001", audience_mask=select_audience(demo, [C_LEVEL]))
    assert explicit.equals(expert_table(demo, "b001"))
