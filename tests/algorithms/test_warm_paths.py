"""Warm paths (graphkit/algorithms/warm_paths.py, its kernel and graphkit.warm_paths): by hand,
against the brute-force enumeration in tests/reference.py on awkward and random graphs,
against networkx's simple paths on a real graph, and across thread counts."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import networkx as nx
import numba
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graphkit
from graphkit.algorithms.warm_paths import WarmPaths, id_ranks, warm_paths
from graphkit.app.selectors import SELECTORS
from graphkit.app.warm_paths import WARM_PATH_COLUMNS, find_organization
from graphkit.errors import ParameterError
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset
from graphkit.kernels.warm_paths import _warm_paths_search_kernel, _warm_paths_setup_kernel
from tests.algorithms.test_pagerank_differential import built
from tests.reference import warm_paths_reference
from tests.strategies import GeneratedData, generated_data

Paths = dict[str, list[tuple[tuple[str, ...], float]]]


def weighted_graph(edges: list[tuple[str, str, float]], ids: list[str] = ()) -> SocialGraph:
    """Follow edges with weights, plus accounts ``ids`` that may have no edge."""
    return build_graph(
        Dataset(
            accounts=pa.table({"id": pa.array(list(ids), pa.string())}) if ids else None,
            follows=pa.table(
                {
                    "follower": [a for a, _, _ in edges],
                    "followed": [b for _, b, _ in edges],
                    "weight": [float(w) for _, _, w in edges],
                }
            ),
        )
    )


def as_dict(graph: SocialGraph, found: WarmPaths, targets: list[str]) -> Paths:
    """The paths found, by target id (ids along each path, strength)."""
    ids = graph.ids.to_pylist()
    result: Paths = {target: [] for target in targets}
    for row in range(found.targets.shape[0]):
        path = tuple(ids[node] for node in found.nodes[row] if node >= 0)
        assert found.ranks[row] == len(result[path[0]]) + 1
        assert found.hops[row] == len(path) - 1
        result[path[0]].append((path, float(found.strengths[row])))
    return result


def reference(
    graph: SocialGraph, colleagues: list[str], targets: list[str], per_target: int, max_hops: int
) -> Paths:
    """The brute-force answer on the graph's own edge weights and out-weights."""
    ids = graph.ids.to_pylist()
    sources = graph.in_sources.tolist()
    ends = graph.edge_targets().tolist()
    weights = {
        (ids[s], ids[t]): w
        for s, t, w in zip(sources, ends, graph.in_weights.tolist(), strict=True)
    }
    out_weight = dict(zip(ids, graph.out_weight.tolist(), strict=True))
    return warm_paths_reference(
        weights,
        out_weight,
        set(colleagues),
        targets,
        per_target=per_target,
        max_hops=max_hops,
    )


def run(
    graph: SocialGraph,
    colleagues: list[str],
    targets: list[str],
    per_target: int = 3,
    max_hops: int = 3,
) -> Paths:
    found = warm_paths(
        graph,
        graph.index_of(colleagues),
        graph.index_of(targets),
        per_target=per_target,
        max_hops=max_hops,
    )
    return as_dict(graph, found, targets)


# ---------------------------------------------------------------------------------------------
# By hand.

# buyer gives analyst 1/2 of its attention, maya and blog 1/4 each; analyst gives maya and dan
# 1/4 each and blog 1/2; blog gives dan and buyer 1/2 each; maya (a colleague) gives dan all.
HAND_EDGES = [
    ("buyer", "analyst", 2), ("buyer", "maya", 1), ("buyer", "blog", 1),
    ("analyst", "maya", 1), ("analyst", "dan", 1), ("analyst", "blog", 2),
    ("blog", "dan", 1), ("blog", "buyer", 1),
    ("maya", "dan", 1),
]  # fmt: skip
HAND_IDS = ["buyer", "analyst", "maya", "blog", "dan", "loner"]


def test_by_hand():
    graph = weighted_graph(HAND_EDGES, HAND_IDS)
    found = run(graph, ["maya", "dan"], ["buyer", "blog", "maya", "loner"], per_target=5)
    # buyer > maya > dan is no path: maya is a colleague, reached first. Ties at 1/8: two hops
    # before three, then by the ids after the target.
    assert found["buyer"] == [
        (("buyer", "maya"), 0.25),
        (("buyer", "analyst", "dan"), 0.125),
        (("buyer", "analyst", "maya"), 0.125),
        (("buyer", "blog", "dan"), 0.125),
        (("buyer", "analyst", "blog", "dan"), 0.125),
    ]
    # blog > buyer > blog > dan repeats blog: buyer's own two-hop path through blog is skipped.
    assert found["blog"] == [
        (("blog", "dan"), 0.5),
        (("blog", "buyer", "maya"), 0.125),
        (("blog", "buyer", "analyst", "dan"), 0.0625),
        (("blog", "buyer", "analyst", "maya"), 0.0625),
    ]
    assert found["maya"] == []  # a colleague
    assert found["loner"] == []  # no edges
    assert run(graph, ["maya", "dan"], ["buyer"], per_target=2)["buyer"] == found["buyer"][:2]
    assert run(graph, ["maya", "dan"], ["buyer"], max_hops=1)["buyer"] == [
        (("buyer", "maya"), 0.25)
    ]
    two_hops = run(graph, ["maya", "dan"], ["buyer"], per_target=5, max_hops=2)["buyer"]
    assert two_hops == [path for path in found["buyer"] if len(path[0]) <= 3]


def test_result_arrays_line_up():
    graph = weighted_graph(HAND_EDGES, HAND_IDS)
    colleagues = graph.index_of(["maya", "dan"])
    found = warm_paths(graph, colleagues, graph.index_of(["blog", "buyer", "buyer"]))
    assert np.isin(found.colleagues, colleagues).all()
    assert (found.nodes[:, 0] == found.targets).all()
    assert np.all(np.diff(found.targets) >= 0)  # by target, then rank
    assert found.strengths.dtype == np.float64
    assert found.nodes.shape == (found.targets.shape[0], 4)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"per_target": 0}, "per_target must be 1 to 20, got 0"),
        ({"per_target": 21}, "per_target must be 1 to 20, got 21"),
        ({"max_hops": 4}, "max_hops must be 1 to 3, got 4"),
        ({"max_hops": 0}, "max_hops must be 1 to 3, got 0"),
        ({"max_hops": 2.5}, "max_hops must be 1 to 3, got 2.5"),
        ({"per_target": True}, "per_target must be 1 to 20, got True"),
        ({"targets": np.array([99])}, "target node 99 is outside 0..5"),
        ({"colleagues": np.array([-1])}, "colleague node -1 is outside 0..5"),
        ({"targets": np.array([0.5])}, "target nodes must be a 1-d array of node numbers"),
    ],
)
def test_bad_parameters(change, message):
    graph = weighted_graph(HAND_EDGES, HAND_IDS)
    arguments = {"colleagues": np.array([0]), "targets": np.array([1]), **change}
    with pytest.raises(ParameterError) as error:
        warm_paths(graph, **arguments)
    assert str(error.value) == message


def test_no_colleagues_or_no_targets_find_nothing():
    graph = weighted_graph(HAND_EDGES, HAND_IDS)
    assert run(graph, [], ["buyer"]) == {"buyer": []}
    found = warm_paths(graph, graph.index_of(["maya"]), np.zeros(0, np.int64))
    assert found.targets.shape == (0,)


def test_id_ranks_follow_code_points():
    graph = weighted_graph([("é", "b", 1), ("B", "a", 1), ("😀", "a", 1)])
    ranks = np.full(graph.n_nodes, -1)
    id_ranks(graph, np.arange(graph.n_nodes), ranks)
    ids = graph.ids.to_pylist()
    assert [ids[node] for node in np.argsort(ranks)] == sorted(ids)


# ---------------------------------------------------------------------------------------------
# Against the brute-force reference.


@pytest.mark.slow
@settings(max_examples=120, deadline=None)
@given(generated_data(), st.data())
def test_matches_enumeration_on_awkward_graphs(data: GeneratedData, draw: st.DataObject) -> None:
    graph, _ = built(data)
    ids = graph.ids.to_pylist()
    colleagues = draw.draw(st.lists(st.sampled_from(ids), unique=True, min_size=1, max_size=2))
    per_target = draw.draw(st.integers(1, 4))
    max_hops = draw.draw(st.integers(1, 3))
    expected = reference(graph, colleagues, ids, per_target, max_hops)
    assert run(graph, colleagues, ids, per_target, max_hops) == expected


POOL = ["a", "b", "c", "d", "é", "e\u0301", "😀", "x y"]
EXTREME_WEIGHTS = [1.0, 1.0, 2.0, 3.0, 0.0, 1e-300, 5e-324, 1e300, 0.1]


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    edges=st.lists(
        st.tuples(st.sampled_from(POOL), st.sampled_from(POOL), st.sampled_from(EXTREME_WEIGHTS)),
        min_size=15,
        max_size=40,
    ),
    colleagues=st.lists(st.sampled_from(POOL), unique=True, min_size=1, max_size=3),
    per_target=st.integers(1, 4),
    max_hops=st.integers(1, 3),
)
def test_matches_enumeration_on_dense_graphs(edges, colleagues, per_target, max_hops):
    # Repeated pairs add up, self-loops drop; weights of 0, subnormals and 1e300 give shares
    # of 0, products that underflow and exact ties. Of 150 examples, measured once: 131 with
    # paths, 44 with three-hop paths, 45 filling a list, 71 with tied strengths.
    graph = weighted_graph(edges, POOL)
    assert run(graph, colleagues, POOL, per_target, max_hops) == reference(
        graph, colleagues, POOL, per_target, max_hops
    )


@pytest.mark.parametrize("seed", range(6))
def test_matches_enumeration_on_random_graphs(seed):
    # Small integer weights: many exact ties, so the order by hops and ids decides often.
    rng = np.random.default_rng(seed)
    n_nodes, n_edges = 40, 260
    sources = rng.integers(0, n_nodes, n_edges)
    targets = rng.integers(0, n_nodes, n_edges)
    weights = rng.integers(1, 4, n_edges) if seed % 2 else rng.random(n_edges)
    names = [f"n{node:02d}" for node in range(n_nodes)]
    edges = [(names[a], names[b], w) for a, b, w in zip(sources, targets, weights, strict=True)]
    graph = weighted_graph(edges, names)
    colleagues = sorted(rng.choice(names, 5, replace=False).tolist())
    per_target = int(rng.integers(1, 6))
    expected = reference(graph, colleagues, names, per_target, 3)
    assert run(graph, colleagues, names, per_target) == expected
    assert any(len(path) == 4 for paths in expected.values() for path, _ in paths)


# ---------------------------------------------------------------------------------------------
# Against networkx on a real graph.


@pytest.mark.slow
def test_matches_networkx_simple_paths_on_congress(shared_data: Path) -> None:
    rows = [
        line.split()
        for line in (shared_data / "congress-twitter" / "congress.edgelist")
        .read_text()
        .splitlines()
        if line.strip()
    ]
    edges = [(a, b, float(w)) for a, b, w in rows if a != b]
    graph = weighted_graph(edges)
    network = nx.DiGraph()
    network.add_weighted_edges_from(edges)
    out_weight = dict(network.out_degree(weight="weight"))
    rng = np.random.default_rng(20)
    nodes = sorted(network.nodes)
    colleagues = set(rng.choice(nodes, 20, replace=False).tolist())
    targets = sorted(rng.choice(sorted(set(nodes) - colleagues), 10, replace=False).tolist())
    found = run(graph, sorted(colleagues), targets)
    reached = 0
    for target in targets:
        strengths = {}
        for path in nx.all_simple_paths(network, target, colleagues, cutoff=3):
            if colleagues.isdisjoint(path[1:-1]):
                strengths[tuple(path)] = math.prod(
                    network[u][v]["weight"] / out_weight[u] for u, v in itertools.pairwise(path)
                )
        best = sorted(strengths.values(), reverse=True)[:3]
        assert [strength for _, strength in found[target]] == pytest.approx(best, rel=1e-12)
        for path, strength in found[target]:
            assert strengths[path] == pytest.approx(strength, rel=1e-12)
        reached += bool(found[target])
    assert reached >= 5  # the test compares paths, not only empty lists


# ---------------------------------------------------------------------------------------------
# Threads.


@pytest.mark.slow
def test_same_paths_on_any_number_of_threads():
    rng = np.random.default_rng(3)
    n_nodes, n_edges = 3000, 30000
    names = [f"a{node}" for node in range(n_nodes)]
    sources = rng.integers(0, n_nodes, n_edges)
    ends = rng.integers(0, n_nodes, n_edges)
    weights = rng.integers(1, 3, n_edges)
    graph = weighted_graph(
        [(names[a], names[b], w) for a, b, w in zip(sources, ends, weights, strict=True)], names
    )
    colleagues = np.unique(rng.choice(graph.n_nodes, 60, replace=False))
    is_colleague = np.zeros(graph.n_nodes, dtype=np.bool_)
    is_colleague[colleagues] = True
    targets = np.arange(graph.n_nodes, dtype=np.int64)
    ranks = np.zeros(graph.n_nodes, dtype=np.int64)
    id_ranks(graph, np.arange(graph.n_nodes), ranks)
    setup = _warm_paths_setup_kernel(
        graph.in_indptr, graph.in_sources, graph.in_weights, graph.out_weight,
        colleagues, is_colleague, targets, ranks, 3, 3,
    )  # fmt: skip
    first_row, first_strengths, _, first_nodes, first_counts = setup[:5]
    arguments = (
        first_row, first_strengths, first_nodes, first_counts, *setup[5:],
        targets, is_colleague, ranks, 3, 3,
    )  # fmt: skip
    expected = _warm_paths_search_kernel.serial(*arguments)
    threads = numba.get_num_threads()
    try:
        for count in sorted({1, 2, threads}):
            numba.set_num_threads(count)
            result = _warm_paths_search_kernel.parallel(*arguments)
            for got, want in zip(result, expected, strict=True):
                np.testing.assert_array_equal(got, want)
    finally:
        numba.set_num_threads(threads)
    assert expected[3].sum() > n_nodes  # most targets have paths


# ---------------------------------------------------------------------------------------------
# graphkit.warm_paths: organizations, targets and the table.

ACCOUNTS = pl.DataFrame(
    {
        "id": ["acme", "acme-eu", "maya", "dan", "ana", "bob", "cy", "other", "other2"],
        "name": ["Acme", "Acme EU", "Maya", "Dan", "Ana", None, "Cy", "Twin", "Twin"],
        "handle": ["acme_hq", None, None, None, None, "@bob", None, None, None],
        "kind": ["brand", "brand", "person", "person", "person", "person", "person", "brand",
                 "brand"],
        "organization": [None, "acme", "acme", "acme", None, None, None, None, None],
        "title": [None, None, "CTO", None, "Analyst", "CTO", "CTO", None, None],
    }
)  # fmt: skip
FOLLOWS = pl.DataFrame(
    {
        "follower": ["bob", "bob", "ana", "ana", "bob", "other"],
        "followed": ["ana", "acme", "maya", "acme", "maya", "acme"],
    }
)


def test_table_for_an_organization():
    table = graphkit.warm_paths(
        accounts=ACCOUNTS, follows=FOLLOWS, organization="acme", targets="title~CTO"
    )
    assert table.columns == list(WARM_PATH_COLUMNS)
    # maya is a target (title CTO) but one of acme's own: left out. cy has no path.
    assert table.rows() == [
        ("bob", "@bob", 1, 1 / 3, "maya", "Maya", 1, "", "bob > maya"),
        ("bob", "@bob", 2, 1 / 6, "maya", "Maya", 2, "Ana", "bob > ana > maya"),
        ("cy", "Cy", None, None, None, None, None, None, None),
    ]


def test_the_brand_account_introduces_nobody():
    # Only the brand is followed: no colleague is reached, though the brand is acme's.
    follows = pl.DataFrame({"follower": ["bob", "ana"], "followed": ["acme", "acme"]})
    table = graphkit.warm_paths(
        accounts=ACCOUNTS, follows=follows, organization="acme", targets="id=bob,ana", max_hops=1
    )
    assert table.get_column("path").null_count() == 2


@pytest.mark.parametrize("name", ["acme", "Acme", " ACME ", "acme_hq", "acme eu", "acme-eu"])
def test_organization_by_id_name_or_handle(name):
    graph = build_graph(Dataset(accounts=ACCOUNTS.to_arrow(), follows=FOLLOWS.to_arrow()))
    group = find_organization(graph, name)
    assert group.id == "acme"
    assert sorted(graph.ids_of(group.people).to_list()) == ["dan", "maya"]


@pytest.mark.parametrize(
    ("organization", "targets", "message"),
    [
        ("nobody", "title~CTO",
         "unknown organization 'nobody': no brand account has that id, name or handle and no "
         "account names it as its organization"),
        ("Twin", "title~CTO",
         "organization 'Twin' is the name of several brand accounts (other, other2): give the "
         "brand's id"),
        ("other", "title~CTO", "organization 'other' has no people in the graph"),
        ("acme", "title~Nobody", "audience 'title~Nobody' selects no account in the graph"),
        ("acme", "id=maya,acme-eu", "every target belongs to the organization 'acme'"),
        ("acme", [], "give the targets: a file of ids or a selector such as title~CTO"),
        (None, "title~CTO", "organization must be a brand's id or name, got None"),
    ],
)  # fmt: skip
def test_errors(organization, targets, message):
    with pytest.raises(ParameterError) as error:
        graphkit.warm_paths(
            accounts=ACCOUNTS, follows=FOLLOWS, organization=organization, targets=targets
        )
    assert str(error.value) == message


def test_targets_from_a_file(tmp_path):
    ids = tmp_path / "targets.txt"
    ids.write_text("# buyers\nbob\nnot-in-the-graph\n\ncy\n")
    table = graphkit.warm_paths(
        accounts=ACCOUNTS, follows=FOLLOWS, organization="acme", targets=str(ids), per_target=1
    )
    assert table.select("target", "path_rank").rows() == [("bob", 1), ("cy", None)]


# ---------------------------------------------------------------------------------------------
# Hostile and careless input (review of the first version).


def test_numpy_integers_are_accepted_as_limits():
    graph = weighted_graph(HAND_EDGES, HAND_IDS)
    colleagues, targets = graph.index_of(["maya", "dan"]), graph.index_of(["buyer"])
    found = warm_paths(graph, colleagues, targets, per_target=np.int64(2), max_hops=np.int32(2))
    assert found.ranks.tolist() == [1, 2]
    assert found.hops.max() <= 2
    table = graphkit.warm_paths(
        accounts=ACCOUNTS, follows=FOLLOWS, organization="acme", targets="id=bob",
        per_target=np.int64(1), max_hops=np.int8(1),
    )  # fmt: skip
    assert table.select("target", "path_rank", "hops").rows() == [("bob", 1, 1)]


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ([1, 2], f"targets: expected {SELECTORS}, got 1 (int): ids are text, write 'id=1'"),
        (b"title~CTO", f"targets: expected {SELECTORS}, got b'title~CTO' (bytes)"),
        (7, f"targets: expected {SELECTORS}, got 7 (int): ids are text, write 'id=7'"),
        (None, "give the targets: a file of ids or a selector such as title~CTO"),
        ({"per_target": np.bool_(True)}, "per_target must be 1 to 20, got np.True_"),
    ],
)  # fmt: skip
def test_targets_that_are_not_selectors(targets, message):
    arguments = (
        {"targets": "id=bob", **targets} if isinstance(targets, dict) else {"targets": targets}
    )
    with pytest.raises(ParameterError) as error:
        graphkit.warm_paths(accounts=ACCOUNTS, follows=FOLLOWS, organization="acme", **arguments)
    assert str(error.value) == message


def test_targets_as_paths(tmp_path):
    ids = tmp_path / "targets.txt"
    ids.write_text("bob\n")
    table = graphkit.warm_paths(
        accounts=ACCOUNTS, follows=FOLLOWS, organization="acme", targets=[ids, "id=cy"]
    )
    assert table.select("target", "path_rank").rows() == [("bob", 1), ("bob", 2), ("cy", None)]


@pytest.mark.parametrize(
    ("organization", "message"),
    [
        ("maya", "unknown organization 'maya': no brand account has that id, name or handle and "
         "no account names it as its organization ('maya' is an account of the organization "
         "'acme': give that)"),
        ("ana", "unknown organization 'ana': no brand account has that id, name or handle and no "
         "account names it as its organization ('ana' is an account that is not a brand)"),
    ],
)  # fmt: skip
def test_a_person_given_as_the_organization(organization, message):
    with pytest.raises(ParameterError) as error:
        graphkit.warm_paths(
            accounts=ACCOUNTS, follows=FOLLOWS, organization=organization, targets="title~CTO"
        )
    assert str(error.value) == message


def test_a_target_merged_with_a_colleague_is_left_out():
    # maya-x (a CTO following ana) is maya's second account: merged, it is one of acme's own,
    # and no target; unmerged, it would have the path maya-x > ana > maya.
    accounts = pl.concat(
        [ACCOUNTS, pl.DataFrame({"id": ["maya-x"], "title": ["CTO"]})], how="diagonal_relaxed"
    )
    follows = pl.concat([FOLLOWS, pl.DataFrame({"follower": ["maya-x"], "followed": ["ana"]})])
    unmerged = graphkit.warm_paths(
        accounts=accounts, follows=follows, organization="acme", targets="title~CTO"
    )
    assert "maya-x > ana > maya" in unmerged["path"].to_list()
    identities = pl.DataFrame({"account": ["maya", "maya-x"], "person": ["maya", "maya"]})
    table = graphkit.warm_paths(
        accounts=accounts, follows=follows, identities=identities, organization="acme",
        targets="title~CTO",
    )  # fmt: skip
    assert set(table["target"]) == {"bob", "cy"}
    assert table.filter(pl.col("target") == "bob")["strength"].to_list() == [1 / 3, 1 / 6]
