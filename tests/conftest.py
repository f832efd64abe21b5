"""Shared fixtures: the real data folder and tiny named graphs."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pytest

from graphkit.graph import SocialGraph, build_graph
from graphkit.io import Dataset

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """The real social-network data: $GRAPHKIT_SHARED_DATA, else ../shared/data."""
    return Path(os.environ.get("GRAPHKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real graphs; tests using it skip where it is absent (a fresh clone)."""
    folder = shared_data_dir()
    if not (folder / "README.md").is_file():
        pytest.skip(
            f"real data not found at {folder}: set GRAPHKIT_SHARED_DATA to the shared/data folder"
        )
    return folder


def follows_graph(edges: list[tuple[str, str]]) -> SocialGraph:
    """A graph of follow edges given as (follower, followed) pairs."""
    follows = pa.table(
        {"follower": [a for a, _ in edges], "followed": [b for _, b in edges]},
        schema=pa.schema([("follower", pa.string()), ("followed", pa.string())]),
    )
    return build_graph(Dataset(follows=follows))


TINY_GRAPHS = {
    # a -> b -> c -> d: attention flows to the end of the path.
    "path": [("a", "b"), ("b", "c"), ("c", "d")],
    # Everyone follows the hub.
    "star": [("a", "hub"), ("b", "hub"), ("c", "hub"), ("d", "hub")],
    # Two 3-cliques joined by one edge.
    "two_cliques": [
        ("a", "b"), ("b", "a"), ("a", "c"), ("c", "a"), ("b", "c"), ("c", "b"),
        ("x", "y"), ("y", "x"), ("x", "z"), ("z", "x"), ("y", "z"), ("z", "y"),
        ("c", "x"),
    ],
    # d follows nobody (dangling) and e is followed by nobody.
    "dangling": [("a", "b"), ("b", "c"), ("c", "a"), ("a", "d"), ("e", "a")],
    # A single edge.
    "edge": [("a", "b")],
}  # fmt: skip


@pytest.fixture(params=sorted(TINY_GRAPHS))
def tiny_graph(request: pytest.FixtureRequest) -> SocialGraph:
    """Each tiny named graph in turn."""
    return follows_graph(TINY_GRAPHS[request.param])
