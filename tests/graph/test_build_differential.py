"""build_graph and intern_ids against the dict-built reference graph, on awkward datasets."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings

from graphkit.errors import InputError
from graphkit.graph import SocialGraph, Weighting, intern_ids
from tests.reference import ReferenceGraph, influence_graph_reference
from tests.strategies import GeneratedData, generated_data

pytestmark = pytest.mark.slow

EXAMPLES = settings(max_examples=60, deadline=None)


def reference_graph(data: GeneratedData) -> ReferenceGraph:
    """The reference graph of a generated dataset with its weighting."""
    return influence_graph_reference(
        data.rows("follows"),
        data.rows("interactions"),
        accounts=data.rows("accounts"),
        identities=data.rows("identities"),
        type_weights=data.weighting.type_weights,
        half_life=data.weighting.half_life,
        as_of=data.weighting.as_of,
        missing_time=data.weighting.missing_time,
        undirected=data.undirected,
    )


def edge_dicts(
    graph: SocialGraph,
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], int]]:
    """The graph's edges by id pair: weight and flags."""
    ids = graph.ids.to_pylist()
    targets = graph.edge_targets()
    weights, flags = {}, {}
    for source, target, weight, flag in zip(
        graph.in_sources.tolist(),
        targets.tolist(),
        graph.in_weights.tolist(),
        graph.in_flags.tolist(),
        strict=True,
    ):
        weights[(ids[source], ids[target])] = weight
        flags[(ids[source], ids[target])] = flag
    return weights, flags


def close(got: float, want: float) -> bool:
    return math.isclose(got, want, rel_tol=1e-12, abs_tol=0.0)


def assert_matches_reference(graph: SocialGraph, reference: ReferenceGraph) -> None:
    ids = graph.ids.to_pylist()
    assert len(ids) == len(set(ids)) == graph.n_nodes
    assert set(ids) == reference.nodes
    weights, flags = edge_dicts(graph)
    assert len(weights) == graph.n_edges, "an edge is listed twice"
    assert weights.keys() == reference.weights.keys()
    for edge, weight in reference.weights.items():
        assert close(weights[edge], weight), (edge, weights[edge], weight)
    assert flags == reference.flags
    out_weight = reference.out_weight()
    followers = reference.followers_of()
    for node, account in enumerate(ids):
        assert close(graph.out_weight[node], out_weight[account]), account
        assert graph.followers[node] == len(followers[account]), account
        assert close(
            graph.interactions_received[node], reference.interactions_received.get(account, 0.0)
        )
        assert close(
            graph.engagement_received[node], reference.engagement_received.get(account, 0.0)
        )
    assert graph.self_loops == reference.self_loops
    assert graph.records == reference.records
    # CSR invariants: sources strictly ascending within each target, no self-loops.
    assert graph.in_indptr[0] == 0
    assert (np.diff(graph.in_indptr) >= 0).all()
    for node in range(graph.n_nodes):
        sources = graph.in_sources[graph.in_indptr[node] : graph.in_indptr[node + 1]]
        assert (np.diff(sources) > 0).all()
        assert node not in sources


@EXAMPLES
@given(generated_data(nonempty=False))
def test_build_matches_reference(data: GeneratedData) -> None:
    if data.n_records == 0:
        with pytest.raises(InputError, match="no follow or interaction records"):
            data.build()
        return
    try:
        reference = reference_graph(data)
    except ValueError:  # a half-life without the times it needs
        with pytest.raises(InputError, match=r"half-life|timestamp"):
            data.build()
        return
    assert_matches_reference(data.build(), reference)


@EXAMPLES
@given(generated_data(interactions=False, follow_weights=False))
def test_uniform_build_equals_weighted_build(data: GeneratedData) -> None:
    """Follows without weights take the fast uniform path; a weight column of ones takes the
    weighted one. Both are the same graph, and the reference's."""
    assert data.follows is not None
    ones = data.follows.append_column("weight", pa.array([1.0] * data.follows.num_rows))
    weighting = Weighting(type_weights=data.weighting.type_weights)  # no half-life
    data = dataclasses.replace(data, weighting=weighting)
    uniform = data.build()
    weighted = dataclasses.replace(data, follows=ones).build()
    assert uniform.ids.equals(weighted.ids)
    assert np.array_equal(uniform.in_indptr, weighted.in_indptr)
    assert np.array_equal(uniform.in_sources, weighted.in_sources)
    assert np.allclose(uniform.in_weights, weighted.in_weights, rtol=1e-12, atol=0)
    assert np.allclose(uniform.out_weight, weighted.out_weight, rtol=1e-12, atol=0)
    assert np.array_equal(uniform.followers, weighted.followers)
    assert_matches_reference(uniform, reference_graph(data))


@EXAMPLES
@given(generated_data(nonempty=False))
def test_intern_ids_matches_dict(data: GeneratedData) -> None:
    """Ids numbered in order of first appearance, across columns and chunks."""
    columns = []
    for name, table in (("follows", data.follows), ("interactions", data.interactions)):
        if table is None:
            continue
        for column in table.column_names[:2]:
            values = table.column(column).combine_chunks()
            half = len(values) // 2  # two chunks, the second one a slice with an offset
            columns.append(pa.chunked_array([values[:half], values[half:]], pa.string()))
        assert name
    ids, codes = intern_ids(columns)
    number: dict[str, int] = {}
    expected = [[number.setdefault(value, len(number)) for value in c.to_pylist()] for c in columns]
    assert ids.to_pylist() == list(number)
    assert [part.tolist() for part in codes] == expected
    assert all(part.dtype == np.int32 for part in codes)
