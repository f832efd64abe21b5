"""The influencer table and audience selectors on small hand-built graphs."""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from graphkit.analysis import RANK_COLUMNS, influence_score, rank_influencers, select_audience
from graphkit.errors import ParameterError
from graphkit.graph import build_graph
from graphkit.io import Dataset
from tests.conftest import TINY_GRAPHS, follows_graph


@pytest.fixture
def company_graph():
    accounts = pa.table(
        {
            "id": ["cto1", "cto2", "dev", "brand", "expert", "star", "fan"],
            "kind": ["person", "person", "person", "brand", "person", "person", "person"],
            "title": ["CTO", "Chief Information Officer", "Engineer", None, "Architect",
                      "Advocate", None],
            "organization": [None, None, None, None, "brand", "brand", None],
            "topics": [["cloud"], ["security"], ["cloud"], [], ["security"], ["cloud"], []],
            "crm_owner": ["ann", None, None, None, None, None, None],
        }
    )  # fmt: skip
    follows = pa.table(
        {
            "follower": ["cto1", "cto2", "cto1", "dev", "fan", "fan", "dev", "x1", "x2"],
            "followed": [
                "expert",
                "expert",
                "brand",
                "star",
                "star",
                "brand",
                "brand",
                "star",
                "star",
            ],
        }
    )
    interactions = pa.table(
        {"source": ["cto1", "dev"], "target": ["expert", "star"], "type": ["reply", "like"]}
    )
    return build_graph(Dataset(accounts=accounts, follows=follows, interactions=interactions))


@pytest.mark.slow
def test_columns_order_ties_and_attributes(company_graph):
    table = rank_influencers(company_graph)
    assert table.columns == [*RANK_COLUMNS, "topics", "crm_owner"]
    assert table["rank"].to_list() == list(range(1, 10))
    ordered = table.select("pagerank", "id").rows()
    assert ordered == sorted(ordered, key=lambda row: (-row[0], row[1]))
    # cto1, cto2, dev and fan receive nothing: equal PageRank, listed by id.
    tail = table.filter(pl.col("followers") == 0)["id"].to_list()
    assert tail == sorted(tail)
    assert table.filter(pl.col("id") == "x1")["kind"].to_list() == [None]  # only in edges
    expert = table.filter(pl.col("id") == "expert").row(0, named=True)
    assert expert["followers"] == 2
    assert expert["interactions_received"] == 1.0
    assert expert["engagement_rate"] == pytest.approx(2.0 / 2)  # one reply (2) per 2 followers
    assert table.filter(pl.col("id") == "cto1")["engagement_rate"].to_list() == [None]
    assert table["topics"].dtype == pl.String


@pytest.mark.slow
def test_kind_and_top(company_graph):
    people = rank_influencers(company_graph, kind="person", top=3)
    assert people.height == 3
    assert set(people["kind"]) == {"person"}
    assert people["rank"].to_list() == [1, 2, 3]
    with pytest.raises(ParameterError, match="kind must be person or brand"):
        rank_influencers(company_graph, kind="bot")


def test_score_scale():
    scores = np.array([1e-4, 1e-3, 1e-2, 0.0])
    assert influence_score(scores).tolist() == [0.0, 50.0, 100.0, 0.0]
    assert influence_score(np.full(3, 1 / 3)).tolist() == [100.0] * 3


def test_graph_without_accounts_has_empty_attribute_columns():
    table = rank_influencers(follows_graph(TINY_GRAPHS["star"]))
    assert table["id"][0] == "hub"
    assert table["handle"].null_count() == table.height
    assert table["score"][0] == 100.0


def _selected(graph, *selectors):
    mask = select_audience(graph, list(selectors))
    ids = graph.ids.to_pylist()
    return sorted(ids[i] for i in np.flatnonzero(mask))


def test_selectors(company_graph, tmp_path):
    assert _selected(company_graph, "title~^CTO$|chief") == ["cto1", "cto2"]
    assert _selected(company_graph, "topic=security") == ["cto2", "expert"]
    assert _selected(company_graph, "org=brand") == ["expert", "star"]
    assert _selected(company_graph, "id=dev, fan") == ["dev", "fan"]
    assert _selected(company_graph, "topic=cloud&kind=person") == ["cto1", "dev", "star"]
    assert _selected(company_graph, "title=cto", "id=fan") == ["cto1", "fan"]
    ids = tmp_path / "audience.txt"
    ids.write_text("# buyers\ncto2\nnobody\n")
    assert _selected(company_graph, str(ids)) == ["cto2"]


@pytest.mark.parametrize(
    ("selector", "message"),
    [
        ("colour=red", "unknown audience field 'colour'"),
        ("title~(", "bad regular expression"),
        ("title=Intern", "selects no account"),
        ("just-words", "expected a file of ids"),
    ],
)
def test_bad_selectors(company_graph, selector, message):
    with pytest.raises(ParameterError, match=message):
        select_audience(company_graph, [selector])


def test_selector_needs_accounts():
    with pytest.raises(ParameterError, match="needs an accounts table"):
        select_audience(follows_graph(TINY_GRAPHS["path"]), ["title~CTO"])


def test_audience_ranking_favours_what_the_audience_follows(company_graph):
    audience = select_audience(company_graph, ["title~CTO|chief"])
    table = rank_influencers(company_graph, audience=audience, kind="person")
    assert table["id"][0] == "expert"
    overall = rank_influencers(company_graph, kind="person")
    assert overall["id"][0] == "star"
