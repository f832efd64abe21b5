"""Personal vs corporate brands: hand-computed tables, references on random graphs, the demo."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.algorithms.pagerank import pagerank
from graphkit.analysis.brands import (
    BRAND_COLUMNS,
    PEOPLE_COLUMNS,
    ROSTER_COLUMNS,
    brand_table,
    organizations,
    people_table,
    roster,
)
from graphkit.data import demo_folder
from graphkit.errors import ParameterError
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset, load_dataset

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def at(hours: int) -> datetime:
    return T0 + timedelta(hours=hours)


# Organization b: brand b, its regional account b2, people p and q (p also posts as p_li).
# Organization c: brand c and person s. Outsiders: u, w, x, y, z.
ACCOUNTS = pa.table(
    {
        "id": ["b", "b2", "p", "p_li", "q", "c", "s", "u", "w", "x", "y", "z"],
        "handle": ["brand_b", "brand_b_emea", "pat", "pat_li", "quinn", "brand_c", "sam",
                   "uma", "wes", "xia", "yan", "zed"],
        "name": ["B Corp", "B EMEA", "Pat", "Pat", "Quinn", "C Corp", "Sam", "Uma", "Wes",
                 "Xia", "Yan", "Zed"],
        "kind": ["brand", "brand", "person", "person", "person", "brand", "person",
                 "person", "person", "person", "person", "person"],
        "organization": [None, "b", "b", "b", "b", None, "c", None, None, None, None, None],
        "title": [None, None, "Architect", "Architect", "Advocate", None, "CTO", None, None,
                  None, None, None],
    }
)  # fmt: skip
FOLLOWS = [
    ("x", "b"), ("y", "b2"), ("x", "p"), ("z", "p"), ("s", "p"),
    ("w", "q"), ("z", "q"), ("q", "b"), ("u", "c"), ("x", "s"),
]  # fmt: skip
INTERACTIONS = [
    ("x", "p", at(1)), ("x", "b", at(2)),  # x: a person first
    ("y", "b2", at(1)), ("y", "q", at(3)),  # y: the brand (its regional account) first
    ("z", "p", at(1)),  # z: a person only, not counted
    ("q", "b", at(0)),  # q is a colleague, not audience
    ("w", "q", at(5)), ("w", "b", at(5)),  # w: a tie is not "a person first"
    ("u", "p_li", at(1)), ("u", "b", at(2)),  # u: a person first, via p's merged account
]  # fmt: skip
IDENTITIES = pa.table({"account": ["p_li"], "person": ["p"]})


def company_dataset() -> Dataset:
    return Dataset(
        accounts=ACCOUNTS,
        follows=pa.table(
            {"follower": [a for a, _ in FOLLOWS], "followed": [b for _, b in FOLLOWS]}
        ),
        interactions=pa.table(
            {
                "source": [a for a, _, _ in INTERACTIONS],
                "target": [b for _, b, _ in INTERACTIONS],
                "type": ["reply"] * len(INTERACTIONS),
                "timestamp": pa.array([t for _, _, t in INTERACTIONS], pa.timestamp("us", "UTC")),
            }
        ),
        identities=IDENTITIES,
    )


@pytest.fixture
def company() -> tuple[SocialGraph, Dataset]:
    dataset = company_dataset()
    return build_graph(dataset), dataset


def test_organizations_hold_brand_accounts_and_people(company):
    graph, _ = company
    found = {
        org.id: (
            [str(graph.ids[i]) for i in org.corporate],
            [str(graph.ids[i]) for i in org.people],
        )
        for org in organizations(graph)
    }
    # p_li is merged into p by the identities table.
    assert found == {"b": (["b", "b2"], ["p", "q"]), "c": (["c"], ["s"])}


def test_brand_table_by_hand(company):
    graph, dataset = company
    table = brand_table(graph, dataset=dataset)
    assert table.columns == list(BRAND_COLUMNS)
    b, c = table.rows(named=True)
    # Org b, members {b, b2, p, q}: corporate followers {x, q} | {y} minus members = {x, y}: 2.
    # People: p {x, z, s} | q {w, z} = {x, z, s, w}: 4; overlap {x}: 1; combined 2 + 4 - 1 = 5.
    assert (b["organization"], b["name"], b["people"]) == ("b", "B Corp", 2)
    assert b["corporate_reach"] == 2
    assert b["personal_reach"] == 4
    assert b["overlap"] == 1
    assert b["combined_reach"] == 5
    assert b["personal_only_reach"] == 3
    assert b["personal_share"] == pytest.approx(4 / 5)
    # Dual-engaged outsiders: x (p at 1h, b at 2h), y (b2 at 1h, q at 3h), w (tie at 5h),
    # u (p_li = p at 1h, b at 2h): a person first for x and u -> 2 / 4.
    assert b["people_first_share"] == pytest.approx(0.5)
    # Org c, members {c, s}: corporate {u}: 1; personal {x}: 1; no overlap; combined 2.
    assert (c["corporate_reach"], c["personal_reach"], c["overlap"], c["combined_reach"]) == (
        1,
        1,
        0,
        2,
    )
    assert c["personal_share"] == pytest.approx(0.5)
    assert c["people_first_share"] is None  # nobody engaged both s and c
    scores = pagerank(graph)
    index = dict(zip(map(str, graph.ids.to_pylist()), range(graph.n_nodes), strict=True))
    assert b["pagerank_corporate"] == pytest.approx(scores[index["b"]] + scores[index["b2"]])
    assert b["pagerank_people"] == pytest.approx(scores[index["p"]] + scores[index["q"]])


def test_brand_table_without_timestamps_or_dataset(company):
    graph, dataset = company
    assert brand_table(graph)["people_first_share"].null_count() == 2
    no_times = Dataset(
        accounts=dataset.accounts,
        interactions=dataset.interactions.drop_columns(["timestamp"]),
        identities=IDENTITIES,
    )
    assert brand_table(graph, dataset=no_times)["people_first_share"].null_count() == 2


def test_brand_table_selected_orgs_and_given_scores(company):
    graph, _ = company
    scores = np.full(graph.n_nodes, 1.0 / graph.n_nodes)
    table = brand_table(graph, orgs=["c"], pagerank_scores=scores)
    assert table["organization"].to_list() == ["c"]
    assert table["pagerank_corporate"][0] == pytest.approx(1.0 / graph.n_nodes)


def test_people_table_by_hand(company):
    graph, _ = company
    table = people_table(graph, orgs=["b"])
    assert table.columns == list(PEOPLE_COLUMNS)
    # p: {x, z, s} -> 3, unique {s} (x follows b, z follows q); q: {w, z} -> 2, unique {w}.
    # Equal unique reach: p ranks first on reach.
    assert table.select("rank", "id", "handle", "followers", "reach", "unique_reach").rows() == [
        (1, "p", "pat", 3, 3, 1),
        (2, "q", "quinn", 2, 2, 1),
    ]
    assert table["departure_impact_reach"].to_list() == [1, 1]
    # q follows and replies to b: without q, b loses that attention.
    assert table.filter(pl.col("id") == "q")["departure_impact_pagerank"][0] > 0


def test_people_table_departure_pagerank_for_the_top_people_only(company):
    graph, _ = company
    table = people_table(graph, departure_top=0)
    assert table["departure_impact_pagerank"].null_count() == table.height == 3
    assert table["organization"].to_list() == ["b", "b", "c"]
    first_only = people_table(graph, departure_top=1)
    assert first_only.filter(pl.col("departure_impact_pagerank").is_not_null())["id"].to_list() == [
        "p",
        "s",
    ]
    with pytest.raises(ParameterError, match="departure_top must be >= 0"):
        people_table(graph, departure_top=-1)


def test_roster_by_hand(company):
    graph, _ = company
    table = roster(graph, "b", 5)
    assert table.columns == list(ROSTER_COLUMNS)
    # Start from the corporate audience {x, y}: p adds {z, s}, q adds {w, z}: a tie, p first
    # (ids in order); then q adds {w}. Combined reach 5.
    assert table.select("step", "id", "gain", "coverage", "coverage_share").rows() == [
        (1, "p", 2, 4, 0.8),
        (2, "q", 1, 5, 1.0),
    ]
    alone = roster(graph, "b", 1, include_corporate=False)
    # From nothing: p adds {x, z, s} = 3 of 5.
    assert alone.select("id", "gain", "coverage", "coverage_share").rows() == [("p", 3, 3, 0.6)]


def test_errors(company):
    graph, _ = company
    with pytest.raises(ParameterError, match="unknown organization 'nope'"):
        brand_table(graph, orgs=["nope"])
    follows_only = build_graph(Dataset(follows=pa.table({"follower": ["a"], "followed": ["b"]})))
    with pytest.raises(ParameterError, match="needs an accounts table with an organization"):
        brand_table(follows_only)
    with pytest.raises(ParameterError, match="one score per node"):
        brand_table(graph, pagerank_scores=np.ones(3))


# ---------------------------------------------------------------------------------------------
# Slow references (candidates for tests/reference.py).


def people_first_share_reference(
    members: dict[str, tuple[set[str], set[str]]],
    interactions: list[tuple[str, str, datetime]],
) -> dict[str, float | None]:
    """Per organization (corporate ids, people ids): the share of outsiders engaging both
    whose earliest interaction with a person precedes their earliest with the brand."""
    result: dict[str, float | None] = {}
    for org, (corporate, people) in members.items():
        first_person: dict[str, datetime] = {}
        first_brand: dict[str, datetime] = {}
        for source, target, when in interactions:
            if source in corporate or source in people:
                continue
            if target in people:
                first_person[source] = min(when, first_person.get(source, when))
            elif target in corporate:
                first_brand[source] = min(when, first_brand.get(source, when))
        both = sorted(set(first_person) & set(first_brand))
        result[org] = (
            sum(first_person[s] < first_brand[s] for s in both) / len(both) if both else None
        )
    return result


def departure_pagerank_reference(dataset: Dataset, person: str, brands: list[str]) -> float:
    """Brand PageRank before minus after rebuilding the graph without the person."""
    follows = pl.from_arrow(dataset.follows)
    interactions = pl.from_arrow(dataset.interactions)
    accounts = pl.from_arrow(dataset.accounts)
    reduced = Dataset(
        accounts=accounts.filter(pl.col("id") != person).to_arrow(),
        follows=follows.filter(
            (pl.col("follower") != person) & (pl.col("followed") != person)
        ).to_arrow(),
        interactions=interactions.filter(
            (pl.col("source") != person) & (pl.col("target") != person)
        ).to_arrow(),
    )

    def brand_score(data: Dataset) -> float:
        if data.follows.num_rows + data.interactions.num_rows == 0:
            return len(brands) / data.accounts.num_rows  # isolated accounts: uniform scores
        graph = build_graph(data)
        nodes = graph.index_of(brands)
        return float(pagerank(graph)[nodes[nodes >= 0]].sum())

    return brand_score(dataset) - brand_score(reduced)


IDS = [f"a{i}" for i in range(10)]
records = st.lists(
    st.tuples(st.sampled_from(IDS), st.sampled_from(IDS), st.integers(0, 20)),
    min_size=1,
    max_size=40,
)


@st.composite
def random_company(draw: st.DrawFn) -> Dataset:
    """Ten accounts: a0 and a1 are brands, the others work for one of them or for nobody."""
    employer = draw(st.lists(st.sampled_from([None, "a0", "a1"]), min_size=8, max_size=8))
    follows = draw(records)
    interactions = draw(records)
    return Dataset(
        accounts=pa.table(
            {
                "id": IDS,
                "kind": ["brand", "brand", *["person"] * 8],
                "organization": [None, None, *employer],
            }
        ),
        follows=pa.table(
            {"follower": [a for a, _, _ in follows], "followed": [b for _, b, _ in follows]}
        ),
        interactions=pa.table(
            {
                "source": [a for a, _, _ in interactions],
                "target": [b for _, b, _ in interactions],
                "type": ["repost"] * len(interactions),
                "timestamp": pa.array(
                    [at(h) for _, _, h in interactions], pa.timestamp("us", "UTC")
                ),
            }
        ),
    )


def _members(dataset: Dataset) -> dict[str, tuple[set[str], set[str]]]:
    accounts = pl.from_arrow(dataset.accounts)
    return {
        org: ({org}, set(accounts.filter(pl.col("organization") == org)["id"].to_list()))
        for org in ("a0", "a1")
    }


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(dataset=random_company())
def test_people_first_share_matches_reference(dataset):
    graph = build_graph(dataset)
    table = brand_table(graph, dataset=dataset)
    interactions = [
        (row["source"], row["target"], row["timestamp"])
        for row in pl.from_arrow(dataset.interactions).iter_rows(named=True)
        if row["source"] != row["target"]
    ]
    expected = people_first_share_reference(_members(dataset), interactions)
    found = dict(zip(table["organization"], table["people_first_share"], strict=True))
    assert found.keys() == expected.keys()
    for org, share in expected.items():
        assert found[org] == (None if share is None else pytest.approx(share))


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(dataset=random_company())
def test_departure_pagerank_matches_rebuilding_without_the_person(dataset):
    graph = build_graph(dataset)
    table = people_table(graph, departure_top=None)
    for row in table.iter_rows(named=True):
        expected = departure_pagerank_reference(dataset, row["id"], [row["organization"]])
        assert row["departure_impact_pagerank"] == pytest.approx(expected, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# The demo dataset's stories.


@pytest.fixture(scope="module")
def demo() -> tuple[SocialGraph, Dataset]:
    dataset = load_dataset(demo_folder())
    return build_graph(dataset), dataset


@pytest.mark.slow
def test_demo_people_outreach_northwind_but_not_contoso(demo):
    graph, dataset = demo
    table = brand_table(graph, dataset=dataset)
    assert table.height == 12
    northwind = table.filter(pl.col("organization") == "b001").row(0, named=True)
    assert northwind["name"] == "Northwind Cloud"
    assert (northwind["corporate_reach"], northwind["personal_reach"]) == (217, 1472)
    assert northwind["personal_share"] > 0.9
    assert northwind["pagerank_people"] > 4 * northwind["pagerank_corporate"]
    contoso = table.filter(pl.col("organization") == "b002").row(0, named=True)
    assert contoso["corporate_reach"] > 2 * contoso["personal_reach"]
    assert contoso["pagerank_corporate"] > contoso["pagerank_people"]


@pytest.mark.slow
def test_demo_star_departure_costs_the_most(demo):
    graph, _ = demo
    table = people_table(graph, orgs=["b001"], departure_top=None)
    assert table.height == 40
    star = table.row(0, named=True)
    assert (star["id"], star["handle"], star["rank"]) == ("u0313", "maya_builds", 1)
    assert star["departure_impact_reach"] == table["departure_impact_reach"].max()
    assert star["departure_impact_pagerank"] == table["departure_impact_pagerank"].max()
    assert star["unique_reach"] > 0.7 * star["reach"]
    assert star["unique_reach"] > 217  # more than the brand's whole outside audience


def test_demo_roster_starts_with_the_star(demo):
    graph, _ = demo
    table = roster(graph, "b001", 5)
    assert table["id"][0] == "u0313"
    assert (table["gain"].diff().drop_nulls() <= 0).all()
    assert table["coverage"][0] == 217 + table["gain"][0]
    assert table["coverage_share"].is_sorted()
