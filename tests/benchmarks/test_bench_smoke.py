"""Smoke test of the benchmarks: the generator and the harness at a tiny size.

Timings are not checked (they live in the benchmark results); only that every stage runs for
graphkit and igraph, and that their PageRank scores agree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from benchmarks.generate import GeneratedDataset, generate, read_manifest
from benchmarks.harness import main, make_snapshot, source_fingerprint
from benchmarks.stages import STAGES

pytest.importorskip("igraph")
pytestmark = pytest.mark.slow

SMOKE_EDGES = 20_000
SMOKE_LABEL = "20k"


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="module")
def dataset(data_folder: Path) -> GeneratedDataset:
    return generate(SMOKE_EDGES, data_folder / SMOKE_LABEL, seed=1, quiet=True)


@pytest.fixture(scope="module")
def harness_results(
    data_folder: Path, dataset: GeneratedDataset, tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, Path, dict[str, Any]]:
    results_folder = tmp_path_factory.mktemp("results")
    exit_status = main(
        [
            "--sizes",
            SMOKE_LABEL,
            "--peers",
            "igraph",
            "--data",
            str(data_folder),
            "--out",
            str(results_folder),
            "--stream-bytes",
            "16M",
            "--gather-count",
            "1M",
            "--no-warm-up",
            "--no-snapshot",
            "--idle-wait",
            "0",
            "--stage-timeout",
            "300",
            "--quiet",
        ]
    )
    results = json.loads((results_folder / "results.json").read_text())
    return exit_status, results_folder, results


def test_generator_writes_a_valid_dataset(dataset: GeneratedDataset) -> None:
    folder = Path(dataset.folder)
    assert read_manifest(folder) == dataset
    follows = pl.read_csv(folder / "follows.csv")
    assert follows.columns == ["follower", "followed"]
    assert follows.height == SMOKE_EDGES
    assert follows.unique().height == SMOKE_EDGES
    assert follows.filter(pl.col("follower") == pl.col("followed")).height == 0
    assert pl.read_parquet(folder / "follows.parquet").equals(follows)
    accounts = pl.read_csv(folder / "accounts.csv")
    assert accounts.columns == ["id", "handle", "kind", "organization", "title"]
    assert accounts.get_column("id").n_unique() == accounts.height == dataset.nodes
    brands = accounts.filter(pl.col("kind") == "brand")
    assert brands.height == dataset.brands >= 3
    staff = accounts.filter(pl.col("organization").is_not_null())
    assert staff.height == dataset.employees > 0
    assert staff.join(brands, left_on="organization", right_on="id").height == staff.height
    staff_follows = staff.join(
        follows, left_on=["id", "organization"], right_on=["follower", "followed"]
    )
    assert staff_follows.height == staff.height
    interactions = pl.read_csv(folder / "interactions.csv")
    assert interactions.columns == ["source", "target", "type", "timestamp"]
    assert interactions.height == dataset.interactions == SMOKE_EDGES // 10


def test_generator_is_seeded(dataset: GeneratedDataset, tmp_path: Path) -> None:
    again = generate(SMOKE_EDGES, tmp_path, seed=1, quiet=True)
    original = Path(dataset.folder)
    for name in ("follows.csv", "accounts.csv", "interactions.csv"):
        assert (tmp_path / name).read_bytes() == (original / name).read_bytes()
    assert again.edges == dataset.edges


def test_harness_measures_every_stage(harness_results: tuple[int, Path, dict[str, Any]]) -> None:
    exit_status, _, results = harness_results
    size = results["sizes"][SMOKE_LABEL]
    for stage in STAGES:
        for tool in ("graphkit", "igraph"):
            record = size["stages"][stage][tool]
            assert record["error"] is None, (stage, tool, record["error"])
            assert record["seconds"] > 0, (stage, tool)
            assert record["peak_rss_bytes"] > 0, (stage, tool)
    pagerank = size["stages"]["pagerank"]["graphkit"]
    assert pagerank["iterations"] > 0
    assert pagerank["seconds_per_iteration"] > 0
    assert exit_status == 0


def test_harness_checks_agreement_and_bounds(
    harness_results: tuple[int, Path, dict[str, Any]],
) -> None:
    _, results_folder, results = harness_results
    size = results["sizes"][SMOKE_LABEL]
    agreement = size["agreement"]["igraph"]
    assert agreement["passed"], agreement
    assert agreement["same_nodes"]
    assert agreement["top_order_same"]
    assert size["end_to_end_check"]["top_same_as_graphkit"] == {"igraph": True}
    assert size["streaming_bound"]["bound_seconds"]["minimum"] > 0
    assert results["bandwidth"]["read_gbps"] > 0
    assert results["machine"]["logical_cores"] >= 1
    report = (results_folder / "results.md").read_text()
    assert "| PageRank |" in report
    assert "| end to end (CSV -> ranked CSV) |" in report


def test_snapshot_copies_the_code_it_runs(tmp_path: Path) -> None:
    snapshot = make_snapshot(tmp_path / "snapshot")
    for module in ("graphkit/__init__.py", "graphkit/cli/main.py", "benchmarks/stages.py"):
        assert (snapshot / module).is_file(), module
    assert not list(snapshot.rglob("__pycache__"))
    assert len(source_fingerprint(snapshot)) == 16
