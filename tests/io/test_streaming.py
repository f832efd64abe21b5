"""Streaming large edge files piece by piece gives the same graph and the same error rows."""

from __future__ import annotations

import numpy as np
import pytest

import graphkit.io.readers as readers
from graphkit.algorithms import pagerank
from graphkit.errors import InputError
from graphkit.graph import Weighting, build_graph, parse_duration
from graphkit.io import load_dataset


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 4 KiB, so that a 100 KB file arrives in many pieces."""
    monkeypatch.setattr(readers, "_CSV_BLOCK_SIZE", 1 << 12)
    monkeypatch.setattr(readers, "_STREAM_PIECE_BYTES", 1 << 12)


def _edges_file(tmp_path, rows=8_000, bad_row=None):
    rng = np.random.default_rng(5)
    sources = rng.integers(0, 900, rows)
    targets = rng.zipf(1.7, rows) % 900
    lines = ["source,target,type,timestamp"]
    for index, (source, target) in enumerate(zip(sources, targets, strict=True)):
        kind = "like" if index % 3 else "repost"
        lines.append(f"u{source},u{target},{kind},2026-01-{1 + index % 28:02d}T00:00:00Z")
    if bad_row is not None:
        lines[bad_row - 1] = "u1,u2,teleport,2026-01-01T00:00:00Z"
    path = tmp_path / "interactions.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _by_id(graph, values):
    return dict(zip(graph.ids.to_pylist(), values.tolist(), strict=True))


@pytest.mark.slow
def test_streamed_graph_equals_whole_read(tmp_path, small_blocks):
    path = _edges_file(tmp_path)
    whole = load_dataset(interactions=path, stream=False)
    streamed = load_dataset(interactions=path, stream=True)
    assert streamed.interactions is None
    assert len(list(streamed.pieces("interactions"))) > 5
    weighting = Weighting(half_life=parse_duration("7d"))
    whole_graph = build_graph(whole, weighting)
    streamed_graph = build_graph(streamed, weighting)
    assert whole_graph.n_edges == streamed_graph.n_edges
    assert _by_id(whole_graph, whole_graph.interactions_received) == _by_id(
        streamed_graph, streamed_graph.interactions_received
    )
    expected = _by_id(whole_graph, pagerank(whole_graph, tolerance=1e-13))
    got = _by_id(streamed_graph, pagerank(streamed_graph, tolerance=1e-13))
    assert expected.keys() == got.keys()
    assert max(abs(expected[key] - got[key]) for key in expected) < 1e-12


@pytest.mark.slow
def test_streamed_errors_name_the_right_row(tmp_path, small_blocks):
    path = _edges_file(tmp_path, bad_row=6_543)
    dataset = load_dataset(interactions=path, stream=True)
    with pytest.raises(InputError) as caught:
        build_graph(dataset)
    assert caught.value.row == 6_543
    assert caught.value.column == "type"


def test_streamed_file_must_exist(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_dataset(follows=tmp_path / "missing.csv", stream=True)
