"""The benchmark graph models: deterministic, valid follow tables, and shaped as promised.

The realistic model must mix as slowly as real follower graphs (many PageRank power
iterations, high modularity, follow-backs); the dangling model must leave most accounts
following nobody; the power-law model stays what every earlier benchmark measured.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import benchmarks.generate as generate_module
from benchmarks.generate import (
    DATA_FOLDER,
    MODELS,
    GeneratedDataset,
    dataset_folder,
    ensure_dataset,
    format_size,
    generate,
    main,
    parse_size,
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


# sha256 prefixes of the files of the `datasets` fixture (20k follows, seed 3) as written before
# integer ids and --accounts existed: those options must leave the existing graphs unchanged.
# (Parquet is left out: its bytes name the pyarrow version that wrote them.)
UNCHANGED_FILES = {
    "powerlaw": ("20a3e9306d2a3cf2", "5a4502f5d1daf966", "d4e4af34bb7d7b18"),
    "realistic": ("e4cd6fc9da3d55bd", "fe1b2131d038e413", "cb48e64c6a755b77"),
    "dangling": ("be756973d003e1f6", "81e6eee90483d515", "3597c62da66b65ba"),
}


@pytest.mark.parametrize("model", MODELS)
def test_existing_models_write_the_same_files(datasets: dict[str, Path], model: str) -> None:
    digests = tuple(
        hashlib.sha256((datasets[model] / name).read_bytes()).hexdigest()[:16]
        for name in ("follows.csv", "accounts.csv", "interactions.csv")
    )
    assert digests == UNCHANGED_FILES[model]


@pytest.fixture(scope="module")
def integer_dataset(tmp_path_factory: pytest.TempPathFactory) -> GeneratedDataset:
    folder = tmp_path_factory.mktemp("integer") / "realistic-int"
    return generate(
        30_000,
        folder,
        seed=4,
        model="realistic",
        accounts=1_500,
        integer_ids=True,
        chunk_edges=4_000,
        quiet=True,
    )


def test_integer_ids_write_only_follows_as_int64_pairs(integer_dataset: GeneratedDataset) -> None:
    folder = Path(integer_dataset.folder)
    assert sorted(path.name for path in folder.iterdir()) == ["follows.parquet", "manifest.json"]
    assert list(integer_dataset.files) == ["follows.parquet"]
    assert integer_dataset.integer_ids
    assert integer_dataset.interactions == 0
    parquet = pq.ParquetFile(folder / "follows.parquet")
    assert parquet.schema_arrow == pa.schema([("follower", pa.int64()), ("followed", pa.int64())])
    follows = pl.read_parquet(folder / "follows.parquet")
    assert follows.height == integer_dataset.edges == 30_000
    assert follows.unique().height == follows.height
    assert follows.filter(pl.col("follower") == pl.col("followed")).height == 0
    ids = pl.concat([follows["follower"], follows["followed"]]).unique()
    assert ids.min() >= 1
    assert ids.max() <= integer_dataset.nodes == 1_500
    # Accounts in no follow appear nowhere; the manifest counts those that do.
    assert ids.len() == integer_dataset.accounts_in_follows <= integer_dataset.nodes
    assert integer_dataset.max_followers == follows["followed"].value_counts()["count"].max()
    assert integer_dataset.max_following == follows["follower"].value_counts()["count"].max()


def test_integer_ids_come_in_sorted_row_groups_one_per_chunk(
    integer_dataset: GeneratedDataset,
) -> None:
    parquet = pq.ParquetFile(Path(integer_dataset.folder) / "follows.parquet")
    assert parquet.metadata.num_row_groups >= 5
    followers_seen: set[int] = set()
    for group in range(parquet.metadata.num_row_groups):
        rows = pl.from_arrow(parquet.read_row_group(group))
        assert isinstance(rows, pl.DataFrame)
        assert rows.equals(rows.sort("follower", "followed"))
        # A chunk holds every follow of its followers.
        followers = set(rows["follower"].unique().to_list())
        assert not followers & followers_seen
        followers_seen |= followers


def test_integer_ids_hide_the_community_order(integer_dataset: GeneratedDataset) -> None:
    # Communities are ranges of the generator's node numbers and most follows stay inside
    # one; the ids, a random permutation, must not keep those follows between near numbers.
    follows = pl.read_parquet(Path(integer_dataset.folder) / "follows.parquet")
    gaps = (follows["follower"] - follows["followed"]).abs()
    assert gaps.median() > integer_dataset.nodes / 10


def test_integer_ids_are_seeded(tmp_path: Path) -> None:
    def follows_bytes(seed: int, name: str) -> bytes:
        dataset = generate(
            4_000, tmp_path / name, seed=seed, accounts=500, integer_ids=True, quiet=True
        )
        return (Path(dataset.folder) / "follows.parquet").read_bytes()

    first = follows_bytes(8, "a")
    assert first == follows_bytes(8, "b")
    assert first != follows_bytes(9, "c")


def test_accounts_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "int"
    assert main(["--edges", "3k", "--accounts", "2.5k", "--integer-ids", "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["nodes"] == 2_500
    manifest = read_manifest(out)
    assert manifest is not None
    assert manifest.integer_ids
    assert pl.read_parquet(out / "follows.parquet")["followed"].max() <= 2_500
    # With handles, the accounts table has that many rows.
    dataset = generate(3_000, tmp_path / "handles", accounts=700, model="dangling", quiet=True)
    assert pl.read_csv(Path(dataset.folder) / "accounts.csv").height == dataset.nodes == 700
    assert ensure_dataset(3_000, folder=dataset.folder, accounts=700, model="dangling") == dataset
    # Too few accounts for the follows: one line, no traceback, no folder.
    assert main(["--edges", "3k", "--accounts", "40", "--out", str(tmp_path / "dense")]) == 1
    assert capsys.readouterr().err == (
        "error: 3,000 follows among 40 accounts is too dense (at most 390); give more accounts\n"
    )
    assert not (tmp_path / "dense").exists()
    with pytest.raises(ValueError, match="accounts must be between 10"):
        generate(3_000, tmp_path / "few", accounts=9)


def test_twitter_sized_labels_and_folder() -> None:
    assert parse_size("1.47B") == 1_470_000_000
    assert parse_size("41.7M") == 41_700_000
    assert format_size(1_470_000_000) == "1.47B"
    assert format_size(41_700_000) == "41.7M"
    for size in (300, 20_000, 1_500_000, 10_000_000, 1_234_000, 2_000_000_000):
        assert parse_size(format_size(size)) == size
    folder = dataset_folder(1_470_000_000, "realistic", accounts=41_700_000, integer_ids=True)
    assert folder == DATA_FOLDER / "1.47B-realistic-41.7M-accounts-int"
    # The default number of accounts adds nothing to the name.
    assert dataset_folder(10_000_000, accounts=1_000_000, integer_ids=True).name == "10M-int"
    for bad in ("inf", "nan", "-3", "1.5", "x"):
        with pytest.raises(ValueError, match="size"):
            parse_size(bad)


@pytest.mark.parametrize("integer_ids", [False, True])
def test_a_failed_run_leaves_no_partial_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, integer_ids: bool
) -> None:
    draw_chunk = generate_module._follow_chunk
    calls = []

    def failing_chunk(*arguments: Any) -> tuple[np.ndarray, np.ndarray]:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the graph is too dense for its size")
        return draw_chunk(*arguments)

    monkeypatch.setattr(generate_module, "_follow_chunk", failing_chunk)
    with pytest.raises(RuntimeError, match="too dense"):
        generate(5_000, tmp_path / "new", integer_ids=integer_ids, chunk_edges=1_000, quiet=True)
    assert len(calls) == 3
    assert not (tmp_path / "new").exists()
    # In a folder that was there, the files of an earlier dataset stay, without a manifest.
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.txt").write_text("kept")
    calls.clear()
    with pytest.raises(RuntimeError, match="too dense"):
        generate(5_000, tmp_path / "old", integer_ids=integer_ids, chunk_edges=1_000, quiet=True)
    assert [path.name for path in (tmp_path / "old").iterdir()] == ["notes.txt"]
