"""The benchmark graph models: deterministic, valid follow tables, and shaped as promised.

The realistic model must mix as slowly as real follower graphs (many PageRank power
iterations, high modularity, follow-backs); the dangling model must leave most accounts
following nobody; the power-law model stays what every earlier benchmark measured.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from benchmarks.generate import (
    DATA_FOLDER,
    MODELS,
    dataset_folder,
    ensure_dataset,
    generate,
    main,
    read_manifest,
)
from benchmarks.graphs import (
    GraphProfile,
    edge_arrays,
    profile_graph,
    reciprocity,
    simple_undirected,
)
from graphkit.graph import SocialGraph, build_graph
from graphkit.io import load_dataset

ig = pytest.importorskip("igraph")

EDGES = 20_000


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("models")
    return {
        model: Path(generate(EDGES, root / model, seed=3, model=model, quiet=True).folder)
        for model in MODELS
    }


@pytest.fixture(scope="module")
def profiles(datasets: dict[str, Path]) -> dict[str, GraphProfile]:
    return {
        model: profile_graph(model, "generated", _graph(folder))
        for model, folder in datasets.items()
    }


def _graph(folder: Path) -> SocialGraph:
    return build_graph(load_dataset(follows=folder / "follows.parquet"))


@pytest.mark.parametrize("model", MODELS)
def test_follows_are_distinct_pairs_without_self_follows(
    datasets: dict[str, Path], model: str
) -> None:
    folder = datasets[model]
    follows = pl.read_csv(folder / "follows.csv")
    assert follows.height == EDGES
    assert follows.unique().height == EDGES
    assert follows.filter(pl.col("follower") == pl.col("followed")).height == 0
    assert pl.read_parquet(folder / "follows.parquet").equals(follows)
    accounts = pl.read_csv(folder / "accounts.csv")
    assert set(follows["follower"]) | set(follows["followed"]) <= set(accounts["id"])
    manifest = read_manifest(folder)
    assert manifest is not None
    assert manifest.model == model
    assert manifest.edges == EDGES


@pytest.mark.parametrize("model", MODELS)
def test_employees_follow_their_brand(datasets: dict[str, Path], model: str) -> None:
    folder = datasets[model]
    accounts = pl.read_csv(folder / "accounts.csv").filter(pl.col("organization").is_not_null())
    assert accounts.height > 0
    follows = pl.read_csv(folder / "follows.csv")
    joined = accounts.join(
        follows, left_on=["id", "organization"], right_on=["follower", "followed"], how="anti"
    )
    assert joined.height == 0


@pytest.mark.parametrize("model", MODELS)
def test_same_seed_same_files_other_seed_other_files(tmp_path: Path, model: str) -> None:
    first = generate(5_000, tmp_path / "a", seed=11, model=model, quiet=True)
    again = generate(5_000, tmp_path / "b", seed=11, model=model, quiet=True)
    other = generate(5_000, tmp_path / "c", seed=12, model=model, quiet=True)
    for name in ("follows.csv", "accounts.csv", "interactions.csv"):
        first_bytes = (Path(first.folder) / name).read_bytes()
        assert first_bytes == (Path(again.folder) / name).read_bytes()
        assert first_bytes != (Path(other.folder) / name).read_bytes()


def test_realistic_chunks_hold_whole_communities(tmp_path: Path) -> None:
    # Many small chunks: a follow-back or a duplicate across chunks would show here.
    dataset = generate(
        EDGES, tmp_path / "r", seed=5, model="realistic", chunk_edges=2_000, quiet=True
    )
    follows = pl.read_csv(Path(dataset.folder) / "follows.csv")
    assert follows.height == EDGES
    assert follows.unique().height == EDGES
    assert follows.filter(pl.col("follower") == pl.col("followed")).height == 0


def test_dangling_model_leaves_most_accounts_following_nobody(datasets: dict[str, Path]) -> None:
    folder = datasets["dangling"]
    accounts = pl.read_csv(folder / "accounts.csv")
    followers = pl.read_csv(folder / "follows.csv")["follower"].n_unique()
    assert (accounts.height - followers) / accounts.height >= 0.85


def test_realistic_model_mixes_slowly_like_real_graphs(profiles: dict[str, GraphProfile]) -> None:
    realistic, powerlaw = profiles["realistic"], profiles["powerlaw"]
    # ego-Twitter and Higgs need 114-124 power iterations, the power-law graph about 25.
    assert 90 <= realistic.pagerank_iterations <= 130
    assert realistic.pagerank_iterations >= 3 * powerlaw.pagerank_iterations
    # Real graphs: modularity 0.43-0.97, reciprocity 0.005-0.71, dangling 0-0.31.
    assert 0.7 <= realistic.modularity <= 0.95
    assert realistic.modularity >= powerlaw.modularity + 0.4
    assert 0.25 <= realistic.reciprocity <= 0.6
    assert powerlaw.reciprocity < 0.05
    assert 0.05 <= realistic.dangling_share <= 0.3
    assert realistic.clustering > powerlaw.clustering


def test_default_model_and_folders_keep_the_power_law_graph(tmp_path: Path) -> None:
    assert dataset_folder(10_000_000) == DATA_FOLDER / "10M"
    assert dataset_folder(1_000_000, "dangling") == DATA_FOLDER / "1M-dangling"
    with pytest.raises(ValueError, match="unknown model"):
        dataset_folder(1_000, "erdos")
    with pytest.raises(ValueError, match="unknown model"):
        generate(1_000, tmp_path / "x", model="erdos", quiet=True)
    # A manifest written before there were models reads as the power-law graph.
    dataset = generate(2_000, tmp_path / "old", seed=2, quiet=True)
    record = asdict(dataset)
    del record["model"]
    (tmp_path / "old" / "manifest.json").write_text(json.dumps(record))
    manifest = read_manifest(tmp_path / "old")
    assert manifest is not None
    assert manifest.model == "powerlaw"
    assert ensure_dataset(2_000, seed=2, folder=tmp_path / "old").seconds == dataset.seconds
    # Asking for another model in that folder regenerates it.
    assert ensure_dataset(2_000, seed=2, folder=tmp_path / "old", model="realistic").model == (
        "realistic"
    )


def test_command_line_writes_the_model_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--edges", "3k", "--model", "dangling", "--out", str(tmp_path / "d"), "-q"]) == 0
    assert json.loads(capsys.readouterr().out)["model"] == "dangling"
    with pytest.raises(SystemExit):
        main(["--edges", "3k", "--model", "nope", "--out", str(tmp_path / "e")])
    assert "invalid choice: 'nope'" in capsys.readouterr().err
    # Too few accounts for the follows asked: one line, no traceback, no folder.
    assert main(["--edges", "999", "--model", "dangling", "--out", str(tmp_path / "f")]) == 1
    assert capsys.readouterr().err == (
        "error: the dangling model cannot place 999 follows: only 10 of the 100 accounts "
        "follow anyone; generate more edges\n"
    )
    assert not (tmp_path / "f").exists()


def test_reciprocity_matches_igraph(datasets: dict[str, Path]) -> None:
    graph = _graph(datasets["realistic"])
    sources, targets = edge_arrays(graph)
    expected = ig.Graph(
        n=graph.n_nodes, edges=np.column_stack([sources, targets]).tolist(), directed=True
    )
    assert reciprocity(sources, targets, graph.n_nodes) == pytest.approx(expected.reciprocity())
    assert expected.reciprocity() > 0.2
    # The chunked simple undirected graph is igraph's own collapse of the directed one.
    expected.to_undirected(mode="collapse")
    undirected = simple_undirected(sources, targets, graph.n_nodes)
    assert undirected.ecount() == expected.ecount() < sources.shape[0]
    assert undirected.get_edgelist() == sorted(expected.get_edgelist())
    assert undirected.transitivity_undirected() == pytest.approx(expected.transitivity_undirected())
