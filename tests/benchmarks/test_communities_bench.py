"""Smoke test of ``benchmarks.communities`` on a tiny realistic graph.

Timings are not checked (they live in the benchmark results); only that every side runs, that
every partition is scored the same way, and that the reports state the targets.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from benchmarks.communities import (
    IGRAPH_LABEL,
    NETWORKIT_LABEL,
    dataset_label,
    igraph_graph,
    main,
    networkit_graph,
)
from benchmarks.generate import generate

pytest.importorskip("igraph")
pytest.importorskip("networkit")
pytestmark = pytest.mark.slow

SIZE = "20k"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    data = tmp_path_factory.mktemp("data")
    generate(20_000, data / dataset_label(SIZE, "realistic"), model="realistic", quiet=True)
    out = tmp_path_factory.mktemp("results")
    arguments = ["--size", SIZE, "--model", "realistic", "--data", str(data), "--out", str(out)]
    assert main([*arguments, "--repeats", "1", "--peers", "networkit,igraph"]) == 0
    return out, json.loads((out / "communities.json").read_text())


def test_every_side_runs_and_is_scored(results: tuple[Path, dict]) -> None:
    _, recorded = results
    figures = recorded["20k-realistic"]
    ours = figures["graphkit"]["best"]
    assert ours["seconds"]["total"] > 0
    # The realistic model has communities: every side finds them, scored by the same function.
    assert ours["modularity"] == pytest.approx(ours["modularity_graphkit"], abs=1e-9)
    assert ours["modularity"] > 0.5
    for label in (NETWORKIT_LABEL, IGRAPH_LABEL):
        run = figures["others"][label]["best"]
        assert run["seconds"]["build"] > 0
        assert run["modularity"] == pytest.approx(run["modularity_graphkit"], abs=1e-9)
        assert run["modularity"] > 0.5
    assert figures["machine"]["networkit"]["parallel_leiden_defaults"]["iterations"] == "3"
    assert set(figures["targets"]) == {"speed_up", "modularity"}


def test_reports_state_the_targets(results: tuple[Path, dict]) -> None:
    out, _ = results
    report = (out / "communities-20k-realistic.md").read_text()
    assert "| graphkit >= 2x faster, graph build included |" in report
    assert "NetworKit's (best of its runs) - 0.002" in report
    summary = (out / "communities.md").read_text()
    assert "[20k-realistic](communities-20k-realistic.md)" in summary


def test_peers_build_the_same_undirected_graph() -> None:
    low = np.array([0, 0, 1, 2], dtype=np.int32)
    high = np.array([1, 3, 2, 3], dtype=np.int32)
    weights = np.array([2.0, 1.0, 3.0, 0.5])
    pairs = (5, low, high, weights)
    networkit = networkit_graph(pairs)
    reference = igraph_graph(pairs)
    assert networkit.numberOfNodes() == reference.vcount() == 5
    assert networkit.numberOfEdges() == reference.ecount() == 4
    assert networkit.totalEdgeWeight() == pytest.approx(sum(reference.es["weight"]))
    for u, v, weight in zip(low.tolist(), high.tolist(), weights.tolist(), strict=True):
        assert networkit.weight(u, v) == networkit.weight(v, u) == weight
        assert reference.es[reference.get_eid(u, v)]["weight"] == weight


def test_unknown_peer_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as error:
        main(["--peers", "networkit,gephi"])
    assert error.value.code == 2
    assert "peers must be a comma-separated choice of networkit, igraph" in capsys.readouterr().err
