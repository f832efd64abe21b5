"""Lookalikes against a set-based reference, networkx and the public function."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphkit
from graphkit.analysis.lookalikes import LOOKALIKE_COLUMNS, find_lookalikes
from graphkit.errors import InputError, MemoryLimitError, ParameterError
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import load_dataset
from tests.algorithms.test_pagerank_differential import built
from tests.conftest import follows_graph
from tests.reference import FOLLOW, INTERACTION, ReferenceGraph, lookalikes_reference
from tests.strategies import GeneratedData, generated_data

EXAMPLES = settings(max_examples=60, deadline=None)


def attention_of(reference: ReferenceGraph) -> dict[str, set[str]]:
    """Every account paying attention (any edge of positive weight) to each account."""
    return reference.attention_of()


def rows(table: pl.DataFrame) -> list[tuple[str, float, int, int, float]]:
    return table.select("id", "similarity", "shared_followers", "followers", "overlap").rows()


@pytest.mark.slow
@EXAMPLES
@given(generated_data(), st.data())
def test_exact_matches_sets(data: GeneratedData, draw: st.DataObject) -> None:
    graph, reference = built(data)
    ids = graph.ids.to_pylist()
    seeds = draw.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4))
    edges = draw.draw(st.sampled_from(["follows", "attention"]))
    min_shared = draw.draw(st.integers(1, 3))
    min_followers = draw.draw(st.integers(1, 3))
    audiences = reference.attention_of(FOLLOW if edges == "follows" else FOLLOW | INTERACTION)
    expected = lookalikes_reference(
        audiences, seeds, min_shared=min_shared, min_followers=min_followers
    )
    found = find_lookalikes(
        graph, seeds, top=0, method="exact", edges=edges, min_shared=min_shared,
        min_followers=min_followers,
    )  # fmt: skip
    assert rows(found.table) == expected
    assert found.table["rank"].to_list() == list(range(1, len(expected) + 1))
    assert found.seed_audience == len(set().union(*(audiences[seed] for seed in seeds)))
    top = draw.draw(st.integers(1, 5))
    cut = find_lookalikes(graph, seeds, top=top, method="exact", edges=edges,
                          min_shared=min_shared, min_followers=min_followers)  # fmt: skip
    assert rows(cut.table) == expected[:top]
    # MinHash re-scores exactly: with a pool larger than the graph it finds every account
    # whose estimate is not 0, and its rows are exact.
    sketched = find_lookalikes(graph, seeds, top=top, method="minhash", edges=edges,
                               min_shared=min_shared, min_followers=min_followers)  # fmt: skip
    assert set(rows(sketched.table)) <= set(expected)
    estimated = sketched.table["estimated_similarity"].to_numpy()
    assert ((estimated > 0) & (estimated <= 1)).all()


def test_small_graph_by_hand() -> None:
    graph = follows_graph(
        [("a", "x"), ("b", "x"), ("c", "x"), ("a", "y"), ("b", "y"), ("d", "y"), ("c", "z"),
         ("x", "y"), ("e", "w")]
    )  # fmt: skip
    table = find_lookalikes(graph, ["x"]).table
    assert table.columns == list(LOOKALIKE_COLUMNS)
    # x's audience {a, b, c}; y's {a, b, d, x}: 2 shared of 5; z's {c}: 1 of 3.
    assert rows(table) == [("y", 2 / 5, 2, 4, 2 / 3), ("z", 1 / 3, 1, 1, 1.0)]
    both = find_lookalikes(graph, ["x", "z"]).table
    assert rows(both) == [("y", 2 / 5, 2, 4, 2 / 3)]  # seeds are left out
    assert find_lookalikes(graph, ["x"], min_shared=2).table["id"].to_list() == ["y"]


def test_ties_by_id_and_top_keeps_order() -> None:
    graph = follows_graph([("a", "s"), ("a", "q"), ("a", "p"), ("a", "r")])
    assert find_lookalikes(graph, ["s"]).table["id"].to_list() == ["p", "q", "r"]
    assert find_lookalikes(graph, ["s"], top=2).table["id"].to_list() == ["p", "q"]


def test_unknown_seed_is_named() -> None:
    graph = follows_graph([("a", "b")])
    with pytest.raises(InputError, match=r"^account 'nobody' is not in the graph$"):
        find_lookalikes(graph, ["b", "nobody"])
    with pytest.raises(ParameterError, match="at least one seed"):
        find_lookalikes(graph, [])
    with pytest.raises(ParameterError, match=r"^a seed account id is missing \(None\)$"):
        find_lookalikes(graph, ["b", None])  # type: ignore[list-item]
    with pytest.raises(ParameterError, match=r"^seeds: expected account ids \(text\), got None "):
        graphkit.lookalikes(follows=pl.DataFrame({"follower": ["a"], "followed": ["b"]}),
                            seeds=[None])  # type: ignore[list-item]  # fmt: skip


@pytest.mark.parametrize(
    ("option", "value"),
    [("top", -1), ("min_shared", 0), ("min_followers", 0), ("hashes", 0), ("method", "lsh"),
     ("edges", "likes"), ("top", 1.5), ("top", True), ("seed", -1), ("seed", 2**63),
     ("seed", 1.5), ("hashes", 4097), ("hashes", 10**30)],
)  # fmt: skip
def test_bad_parameters(option: str, value: object) -> None:
    graph = follows_graph([("a", "b")])
    with pytest.raises(ParameterError, match=option):
        find_lookalikes(graph, ["b"], **{option: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["exact", "minhash"])
def test_seeds_without_followers_give_an_empty_table(method: str) -> None:
    graph = follows_graph([("a", "b"), ("b", "c")])
    found = find_lookalikes(graph, ["a"], method=method)  # type: ignore[arg-type]
    assert found.table.height == 0
    assert found.table.columns[: len(LOOKALIKE_COLUMNS)] == list(LOOKALIKE_COLUMNS)
    assert found.note == "the seed accounts have no followers: no audience to compare with"
    assert found.seed_audience == 0


def test_auto_is_exact_on_small_graphs_and_minhash_states_its_error() -> None:
    graph = follows_graph([(f"f{i}", "x") for i in range(30)] + [(f"f{i}", "y") for i in range(20)])
    assert find_lookalikes(graph, ["x"]).method == "exact"
    sketched = find_lookalikes(graph, ["x"], method="minhash", hashes=64)
    assert sketched.facts()["method"] == "minhash"
    assert sketched.hashes == 64
    row = sketched.table.row(0, named=True)
    assert (row["id"], row["similarity"], row["shared_followers"]) == ("y", 20 / 30, 20)
    agreeing = row["estimated_similarity"] * 64
    stated_at = (agreeing + 0.5) / 65
    assert row["similarity_error"] == pytest.approx(np.sqrt(stated_at * (1 - stated_at) / 64))


def test_same_input_same_output() -> None:
    edges = [(f"u{i % 37}", f"v{(i * 7) % 23}") for i in range(400)]
    graph = follows_graph(edges)
    for method in ("exact", "minhash"):
        first = find_lookalikes(graph, ["v1"], method=method, top=10).table
        again = find_lookalikes(follows_graph(edges), ["v1"], method=method, top=10).table
        assert first.equals(again)


def test_public_function_reads_tables_and_names_columns() -> None:
    follows = pl.DataFrame({"follower": ["a", "b", "c", "a"], "followed": ["x", "x", "y", "y"]})
    accounts = pl.DataFrame({"id": ["y"], "handle": ["why"], "name": ["Y Corp"], "kind": ["brand"]})
    table = graphkit.lookalikes(follows=follows, accounts=accounts, seeds=["x"])
    assert table.row(0, named=True) == {
        "rank": 1, "id": "y", "handle": "why", "name": "Y Corp", "kind": "brand",
        "similarity": 1 / 3, "shared_followers": 1, "followers": 2, "overlap": 0.5,
    }  # fmt: skip


def _email_graph(shared_data: Path) -> SocialGraph:
    return build_graph(load_dataset(follows=shared_data / "email-eu-core" / "email-Eu-core.txt"))


@pytest.mark.shared_data
def test_shared_followers_match_networkx_predecessors(shared_data: Path) -> None:
    graph = _email_graph(shared_data)
    network = nx.DiGraph()
    for line in (shared_data / "email-eu-core" / "email-Eu-core.txt").read_text().splitlines():
        source, target = line.split()
        if source != target:
            network.add_edge(source, target)
    ids = graph.ids_of(np.argsort(-graph.followers)[[0, 5, 50]]).to_list()
    audience = set().union(*(set(network.predecessors(seed)) for seed in ids))
    found = find_lookalikes(graph, ids, top=0, method="exact").table
    expected = {}
    for account in network.nodes:
        followers = set(network.predecessors(account))
        shared = len(followers & audience)
        if account not in ids and shared:
            expected[account] = (shared, len(followers), shared / len(followers | audience))
    assert {row[0]: (row[2], row[3], row[1]) for row in rows(found)} == expected
    assert found.height == len(expected) > 100


def test_minhash_refuses_signatures_larger_than_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    import graphkit.analysis.lookalikes as module

    monkeypatch.setattr(module, "available_memory", lambda: 1_000)
    graph = follows_graph([(f"f{i}", f"v{i % 7}") for i in range(50)])
    with pytest.raises(MemoryLimitError, match=r"7 accounts x 128 hashes need"):
        find_lookalikes(graph, ["v1"], method="minhash")
    assert find_lookalikes(graph, ["v1"], method="exact").seed_audience > 0


def test_hostile_small_graph_by_hand() -> None:
    # Repeated rows and self-loops count once and never; the seeds follow each other; q is
    # followed by no one and r by its own self-loop only.
    graph = follows_graph(
        [("a", "x"), ("a", "x"), ("b", "x"), ("x", "x"), ("y", "x"), ("x", "y"), ("b", "y"),
         ("c", "y"), ("a", "z"), ("c", "z"), ("d", "z"), ("z", "z"), ("q", "a"), ("r", "r")]
    )  # fmt: skip
    # Seed audience {a, b, y} | {x, b, c} = {a, b, c, x, y}; z's {a, c, d}: 2 shared of 6.
    expected = [("z", 2 / 6, 2, 3, 2 / 3)]
    for seeds in (["x", "y"], ["y", "x", "x", "y"]):
        for method in ("exact", "minhash"):
            found = find_lookalikes(graph, seeds, method=method)
            assert rows(found.table) == expected
            assert found.seed_audience == 5


@pytest.mark.parametrize("method", ["exact", "minhash"])
def test_top_beyond_int64_keeps_every_row(method: str) -> None:
    graph = follows_graph([("a", "x"), ("b", "x"), ("a", "y"), ("b", "z")])
    found = find_lookalikes(graph, ["x"], top=10**30, method=method)  # type: ignore[arg-type]
    assert found.table["id"].to_list() == ["y", "z"]


def test_a_handle_given_as_seed_names_its_account() -> None:
    follows = pl.DataFrame({"follower": ["a", "b"], "followed": ["x", "y"]})
    accounts = pl.DataFrame({"id": ["x", "y"], "handle": ["@Xavier", "why"]})
    message = (
        "account '@xavier' is not in the graph; it is the handle of account 'x' (seeds are "
        "account ids)"
    )
    with pytest.raises(InputError, match=f"^{re.escape(message)}$"):
        graphkit.lookalikes(follows=follows, accounts=accounts, seeds=["@xavier"])
    with pytest.raises(InputError, match=r"^account 'nobody' is not in the graph$"):
        graphkit.lookalikes(follows=follows, accounts=accounts, seeds=["nobody"])
    message = (
        "account 'x, y' is not in the graph; give several seeds as separate arguments: 'x' 'y'"
    )
    with pytest.raises(InputError, match=f"^{re.escape(message)}$"):
        graphkit.lookalikes(follows=follows, accounts=accounts, seeds=["x, y"])
    with pytest.raises(InputError, match=r"^account 'x,nobody' is not in the graph$"):
        graphkit.lookalikes(follows=follows, accounts=accounts, seeds=["x,nobody"])


@pytest.mark.parametrize("method", ["exact", "minhash"])
def test_an_empty_table_says_why(method: str) -> None:
    graph = follows_graph([("a", "x"), ("b", "x"), ("a", "y"), ("c", "z")])
    everyone = find_lookalikes(graph, ["x", "y", "z", "a", "b", "c"], method=method)  # type: ignore[arg-type]
    assert everyone.table.is_empty()
    assert everyone.note.startswith(
        "no account besides the seeds shares 1 or more follower with the seed audience"
    )
    few = find_lookalikes(graph, ["x"], min_followers=2, min_shared=2, method=method)  # type: ignore[arg-type]
    assert few.table.is_empty()
    assert few.note.startswith(
        "no account besides the seeds shares 2 or more followers with the seed audience and "
        "has 2 or more followers"
    )
    assert find_lookalikes(graph, ["x"], method=method).note == ""  # type: ignore[arg-type]


def test_similarity_error_is_never_zero_and_within_bounds() -> None:
    # y's audience equals x's: every hash agrees, and the plain estimate's error would be 0.
    edges = [(f"f{i}", target) for i in range(40) for target in ("x", "y")]
    edges += [(f"f{i}", "z") for i in range(0, 80, 2)] + [("g", "w")] * 3 + [("f0", "w")]
    graph = follows_graph(edges)
    table = find_lookalikes(graph, ["x"], method="minhash", hashes=32, top=0).table
    assert table.row(0, named=True)["id"] == "y"
    assert table.row(0, named=True)["estimated_similarity"] == 1.0
    error = table["similarity_error"].to_numpy()
    estimate = table["estimated_similarity"].to_numpy()
    assert ((error > 0) & (error <= 0.5)).all()
    assert ((estimate >= 0) & (estimate <= 1)).all()
    stated_at = (estimate * 32 + 0.5) / 33
    assert np.allclose(error, np.sqrt(stated_at * (1 - stated_at) / 32))


def test_seed_named_by_a_merged_account_means_its_person() -> None:
    follows = pl.DataFrame(
        {"follower": ["a", "b", "c", "a", "b", "d", "c"],
         "followed": ["x", "x", "x2", "y", "y", "y", "z"]}
    )  # fmt: skip
    identities = pl.DataFrame({"account": ["x", "x2"], "person": ["px", "px"]})
    # px's audience {a, b, c}; y's {a, b, d}: 2 of 4.
    expected = [("y", 2 / 4, 2, 3, 2 / 3), ("z", 1 / 3, 1, 1, 1.0)]
    for seeds in (["x"], ["x2"], ["px"], ["x", "x2", "px"]):
        table = graphkit.lookalikes(follows=follows, identities=identities, seeds=seeds)
        assert rows(table) == expected
