"""explain, influence paths, brands (brand table, people, roster) and experts against the
references and networkx, on awkward datasets."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.algorithms import pagerank
from graphkit.analysis import brand_table, expert_table, explain, path_table, people_table, roster
from tests.algorithms.test_pagerank_differential import built
from tests.reference import (
    FOLLOW,
    INTERACTION,
    followers_reference,
    graph_pagerank_reference,
    greedy_coverage_reference,
    group_reach_reference,
    influence_paths_reference,
    organizations_reference,
    two_hop_reference,
    without_account,
)
from tests.strategies import GeneratedData, generated_data

pytestmark = pytest.mark.slow

EXAMPLES = settings(max_examples=40, deadline=None)
VIA = {FOLLOW: "follow", INTERACTION: "interaction", FOLLOW | INTERACTION: "follow+interaction"}


@EXAMPLES
@given(generated_data(), st.data())
def test_explain_matches_reference(data: GeneratedData, draw: st.DataObject) -> None:
    graph, reference = built(data)
    ids = graph.ids.to_pylist()
    account = draw.draw(st.sampled_from(ids))
    scores = pagerank(graph)
    want = graph_pagerank_reference(reference)
    why = explain(graph, account, scores, top=0)
    out_weight = reference.out_weight()
    expected = []
    for (source, target), weight in reference.weights.items():
        if target == account:
            share = weight / out_weight[source] if out_weight[source] > 0 else 0.0
            expected.append(
                (source, 0.85 * want[source] * share, share, reference.flags[(source, target)])
            )
    assert why.in_neighbors == len(expected)
    assert why.rank == 1 + sum(
        1 for other in ids if scores[ids.index(other)] > scores[ids.index(account)]
    )
    rows = {row["id"]: row for row in why.contributors.iter_rows(named=True)}
    assert rows.keys() == {source for source, *_ in expected}
    for source, contribution, attention, flag in expected:
        row = rows[source]
        assert math.isfinite(row["contribution"]), row
        assert row["contribution"] == pytest.approx(contribution, abs=1e-9)
        assert row["attention_share"] == pytest.approx(attention, rel=1e-9)
        assert row["via"] == VIA[flag]
    contributions = why.contributors["contribution"].to_list()
    assert contributions == sorted(contributions, reverse=True)
    total = sum(row["contribution"] for row in rows.values()) + why.teleport_share * why.score
    assert total == pytest.approx(want[account], abs=1e-9)


@EXAMPLES
@given(generated_data(), st.data())
def test_influence_paths_match_all_simple_paths(data: GeneratedData, draw: st.DataObject) -> None:
    graph, reference = built(data)
    ids = graph.ids.to_pylist()
    if len(ids) < 2:
        return
    source, target = draw.draw(st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True))
    k = draw.draw(st.integers(1, 4))
    table = path_table(graph, source, target, k=k)
    every = influence_paths_reference(reference, source, target)
    assert table["influence"].to_list() == pytest.approx([i for _, i in every[:k]], rel=1e-9)
    positive = nx.DiGraph()
    positive.add_nodes_from(reference.nodes)
    positive.add_edges_from(edge for edge, weight in reference.weights.items() if weight > 0)
    simple = {tuple(path) for path in nx.all_simple_paths(positive, source, target)}
    assert {path for path, _ in every} == simple
    influence = dict(every)
    for row in table.iter_rows(named=True):
        path = tuple(row["path"].split(" > ")) if " > " not in source + target else None
        if path is not None and len(path) == row["hops"] + 1:
            assert influence[path] == pytest.approx(row["influence"], rel=1e-9)


@EXAMPLES
@given(generated_data(identities=False))
def test_brands_match_reference(data: GeneratedData) -> None:
    graph, reference = built(data)
    if graph.accounts is None:
        return
    orgs = organizations_reference(reference)
    followers_of = reference.followers_of()
    scores = graph_pagerank_reference(reference)
    brands = {row["organization"]: row for row in brand_table(graph).iter_rows(named=True)}
    assert brands.keys() == orgs.keys()
    people = people_table(graph, departure_top=None)
    for org, (corporate, members) in orgs.items():
        row = brands[org]
        corporate_reach, personal_reach, both, member_reach, member_unique = group_reach_reference(
            followers_of, corporate, members
        )
        assert row["people"] == len(members)
        assert (row["corporate_reach"], row["personal_reach"], row["overlap"]) == (
            corporate_reach,
            personal_reach,
            both,
        )
        assert row["pagerank_corporate"] == pytest.approx(
            sum(scores[a] for a in corporate), abs=1e-9
        )
        assert row["pagerank_people"] == pytest.approx(sum(scores[a] for a in members), abs=1e-9)
        mine = people.filter(people["organization"] == org)
        assert sorted(mine["id"].to_list()) == members
        for person_row in mine.iter_rows(named=True):
            position = members.index(person_row["id"])
            assert person_row["reach"] == member_reach[position]
            assert person_row["unique_reach"] == member_unique[position]
            assert person_row["followers"] == len(followers_of[person_row["id"]])
            remaining = without_account(reference, person_row["id"])
            if remaining.nodes:
                after = graph_pagerank_reference(remaining)
                lost = sum(scores[a] for a in corporate) - sum(after.get(a, 0.0) for a in corporate)
                assert person_row["departure_impact_pagerank"] == pytest.approx(lost, abs=1e-9)
        insiders = set(corporate) | set(members)
        corporate_audience = followers_reference(followers_of, corporate, insiders)
        chosen, gains = greedy_coverage_reference(
            followers_of, members, len(members), covered=corporate_audience, exclude=insiders
        )
        table = roster(graph, org, len(members))
        assert table["id"].to_list() == chosen
        assert table["gain"].to_list() == gains


@EXAMPLES
@given(generated_data(identities=False), st.data())
def test_experts_match_reference(data: GeneratedData, draw: st.DataObject) -> None:
    graph, reference = built(data)
    if graph.accounts is None:
        return
    orgs = organizations_reference(reference)
    if not orgs:
        return
    org = draw.draw(st.sampled_from(sorted(orgs)))
    ids = graph.ids.to_pylist()
    audience = draw.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    mask = np.zeros(graph.n_nodes, dtype=bool)
    mask[graph.index_of(audience)] = True
    table = expert_table(graph, org, audience_mask=mask)
    personalization = {account: float(account in audience) for account in ids}
    scores = graph_pagerank_reference(reference, personalization=personalization)
    followers_of = reference.attention_of(FOLLOW)  # by edges of positive weight
    out_weight = reference.out_weight()
    _, members = orgs[org]
    assert sorted(table["id"].to_list()) == members
    for row in table.iter_rows(named=True):
        person = row["id"]
        assert row["audience_influence"] == pytest.approx(scores[person], abs=1e-9)
        assert row["audience_followers"] == len(followers_of[person] & set(audience))
        assert row["audience_reached"] == len(
            two_hop_reference(followers_of, [person]) & set(audience)
        )
        attention = sum(
            0.85 * scores[u] * weight / out_weight[u]
            for (u, v), weight in reference.weights.items()
            if v == person and u in audience and out_weight[u] > 0
        )
        assert math.isfinite(row["audience_attention"]), row
        assert row["audience_attention"] == pytest.approx(attention, abs=1e-9)
