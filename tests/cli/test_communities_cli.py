"""``graphkit communities`` end to end: the demo, real data, output formats, help and errors."""

from __future__ import annotations

import io

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.algorithms.communities import normalized_mutual_information
from graphkit.cli.main import cli

COLUMNS = [
    "id", "handle", "name", "title", "community", "community_size", "community_rank",
    "is_leader", "pagerank",
]  # fmt: skip
SUMMARY = [
    "community", "size", "share", "modularity_contribution", "pagerank_share", "leaders",
    "leader_handles", "top_titles", "top_topics",
]  # fmt: skip


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _csv(text: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(text), schema_overrides={"id": pl.String})


def test_demo_table_ranks_everyone_inside_their_community(tmp_path):
    out = tmp_path / "niches.parquet"
    result = _run("communities", "--demo", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out)
    assert table.columns == COLUMNS
    assert table.height == 3_000
    assert table["id"].n_unique() == 3_000
    sizes = table.group_by("community").agg(pl.len(), pl.col("community_size").first())
    assert (sizes["len"] == sizes["community_size"]).all()
    assert table["community"].to_list() == sorted(table["community"].to_list())
    for _, members in table.group_by("community"):
        assert members["community_rank"].to_list() == list(range(1, members.height + 1))
        assert (members["pagerank"].diff().drop_nulls() <= 0).all()
    assert (table["is_leader"] == (table["community_rank"] <= 3)).all()
    assert table["pagerank"].sum() == pytest.approx(1.0)
    assert "communities of 3,000 accounts, modularity 0." in result.stderr
    assert "(leiden, seed 0)" in result.stderr


@pytest.mark.slow
def test_demo_only_leaders_as_csv_on_stdout():
    result = _run("communities", "--demo", "--only-leaders", "--leaders", "2", "-q")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == COLUMNS
    assert table["is_leader"].all()
    assert table["community_rank"].max() == 2
    assert table.group_by("community").len()["len"].max() <= 2
    assert result.stderr == ""


def test_demo_summary_names_leaders_titles_and_topics():
    result = _run("communities", "--demo", "--summary", "--method", "label_propagation", "-q")
    assert result.exit_code == 0, result.output
    summary = _csv(result.stdout)
    assert summary.columns == SUMMARY
    assert summary["community"].to_list() == list(range(summary.height))
    assert summary["size"].sum() == 3_000
    assert (summary["size"].diff().drop_nulls() <= 0).all()
    assert summary["pagerank_share"].sum() == pytest.approx(1.0)
    assert summary["modularity_contribution"].sum() > 0.2
    big = summary.row(0, named=True)
    assert len(big["leaders"].split("; ")) == 3
    assert len(big["leader_handles"].split("; ")) == 3
    assert big["top_titles"].count("(") == 3
    assert big["top_topics"].count("(") == 3


@pytest.mark.slow
def test_same_seed_gives_identical_bytes_other_seeds_may_not(tmp_path):
    outputs = []
    for seed in ("3", "3"):
        out = tmp_path / f"run{len(outputs)}.csv"
        result = _run("communities", "--demo", "--seed", seed, "-o", str(out), "-q")
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_threads_do_not_change_label_propagation(tmp_path):
    outputs = []
    for threads in ("1", "2"):
        out = tmp_path / f"threads{threads}.csv"
        result = _run("communities", "--demo", "--method", "label_propagation",
                      "--threads", threads, "-o", str(out), "-q")  # fmt: skip
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


@pytest.mark.slow
def test_stability_is_reported():
    result = _run("communities", "--demo", "--summary", "--stability", "3", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Stability over 3 seeds (mean pairwise NMI): " in result.stderr
    score = float(result.stderr.split("(mean pairwise NMI): ")[1].split()[0])
    assert 0.5 < score <= 1.0


def test_resolution_changes_the_number_of_communities():
    counts = []
    for resolution in ("0.5", "2"):
        result = _run("communities", "--demo", "--summary", "--resolution", resolution, "-q")
        assert result.exit_code == 0, result.output
        counts.append(_csv(result.stdout).height)
    assert counts[0] < counts[1]


def _modularity(stderr: str) -> float:
    return float(stderr.split("modularity ")[1].split()[0])


@pytest.mark.slow
def test_iterations_default_is_unchanged_and_until_stable_is_no_worse(tmp_path):
    outputs = {}
    for label, extra in (
        ("default", []),
        ("two", ["--iterations", "2"]),
        ("stable", ["--iterations", "-1"]),
    ):
        out = tmp_path / f"{label}.csv"
        result = _run("communities", "--demo", *extra, "-o", str(out))
        assert result.exit_code == 0, result.output
        outputs[label] = (out.read_bytes(), _modularity(result.stderr))
    assert outputs["two"] == outputs["default"]
    assert outputs["stable"][1] >= outputs["default"][1]


@pytest.mark.slow
def test_iterations_reach_the_algorithm_and_the_stability(tmp_path):
    from graphkit.algorithms.communities import communities
    from graphkit.graph import build_graph
    from graphkit.io import load_dataset
    from tests.conftest import ROOT

    path = ROOT / "tests" / "data" / "communities" / "label_propagation_splits.csv"
    graph = build_graph(load_dataset(follows=path))
    for iterations in ("1", "-1"):
        result = _run(
            "communities", "--follows", str(path), "--iterations", iterations, "--stability", "2"
        )
        assert result.exit_code == 0, result.output
        table = _csv(result.stdout)
        expected = communities(graph, seed=0, max_iter=int(iterations))
        community_of = dict(zip(graph.ids.to_pylist(), expected.membership.tolist(), strict=True))
        assert [community_of[account] for account in table["id"]] == table["community"].to_list()
        assert f"modularity {expected.modularity:.4f} (leiden, seed 0)" in result.stderr
        assert "Stability over 2 seeds" in result.stderr


def test_help_names_the_iterations():
    result = _run("communities", "--help")
    assert "--iterations N" in result.stdout
    assert "-1 repeats them until one" in result.stdout


@pytest.mark.shared_data
def test_email_departments_recovered(shared_data):
    path = shared_data / "email-eu-core" / "email-Eu-core.txt"
    result = _run("communities", "--follows", str(path), "--method", "label_propagation", "-q")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    departments = np.loadtxt(path.parent / "email-Eu-core-department-labels.txt", dtype=np.int64)
    truth = dict(departments.tolist())
    labels = np.array([truth[int(account)] for account in table["id"]])
    assert normalized_mutual_information(labels, table["community"].to_numpy()) > 0.55


def test_help_has_examples():
    result = _run("communities", "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert "graphkit communities --demo --summary" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--method", "walktrap"], "Invalid value for '--method': 'walktrap' is not one of"),
        (["--resolution", "0"], "Invalid value for '--resolution': 0.0 is not in the range x>0."),
        (["--leaders", "0"], "Invalid value for '--leaders': 0 is not in the range x>=1."),
        (["--seed", "-1"], "Invalid value for '--seed': -1 is not in the range x>=0."),
        (["--stability", "1"], "Invalid value for '--stability': 1 is not in the range x>=2."),
        (
            ["--iterations", "0"],
            "Invalid value for '--iterations': 0 is not a number of iterations: give at least "
            "1, or -1 to repeat until nothing changes",
        ),
        (["--iterations", "-2"], "Invalid value for '--iterations': -2 is not in the range x>=-1."),
        (
            ["--engine", "spark", "--iterations", "3"],
            "--iterations is not available with --engine spark",
        ),
    ],
)
def test_bad_options_are_usage_errors(args, message):
    result = _run("communities", "--demo", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_input_is_one_error_line(tmp_path):
    result = _run("communities", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {tmp_path / 'nope.csv'}: file or folder not found"
    no_input = _run("communities")
    assert no_input.exit_code == 2
    assert "Error: no input: give a dataset folder or file" in no_input.stderr
