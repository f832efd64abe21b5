"""``graphkit rank`` end to end: real graphs, the demo, output formats and help."""

from __future__ import annotations

import csv
import subprocess
import sys

import click
import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.cli.main import cli

COLUMNS = [
    "rank", "id", "handle", "name", "kind", "organization", "title", "score", "pagerank",
    "followers", "followers_count", "interactions_received", "engagement_rate",
]  # fmt: skip


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.slow
@pytest.mark.shared_data
def test_ego_twitter_all_accounts_match_networkx(shared_data, tmp_path, ego_twitter_reference):
    out = tmp_path / "out.csv"
    follows = shared_data / "ego-twitter" / "twitter_combined.txt"
    result = _run("rank", "--follows", str(follows), "--tolerance", "1e-10", "--top", "0",
                  "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out, schema_overrides={"id": pl.String})
    assert table.columns[: len(COLUMNS)] == COLUMNS
    assert table.height == 81_306
    assert table["id"].n_unique() == 81_306
    assert table["pagerank"].sum() == pytest.approx(1.0, abs=1e-9)
    expected = np.array([ego_twitter_reference[node] for node in table["id"]])
    assert np.abs(table["pagerank"].to_numpy() - expected).max() < 1e-8
    assert table["rank"].to_list() == list(range(1, 81_307))
    assert (table["pagerank"].diff().drop_nulls() <= 0).all()
    assert table["score"][0] == 100.0


@pytest.mark.slow
@pytest.mark.shared_data
def test_higgs_retweets_weighted_via_cli(shared_data, tmp_path, higgs_retweet_reference):
    out = tmp_path / "out.parquet"
    path = shared_data / "higgs-twitter" / "higgs-retweet_network.edgelist"
    result = _run("rank", "--interactions", str(path), "--interaction-type", "repost",
                  "--tolerance", "1e-10", "--top", "0", "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out)
    assert table.height == 256_491
    expected = np.array([higgs_retweet_reference[node] for node in table["id"]])
    assert np.abs(table["pagerank"].to_numpy() - expected).max() < 1e-8
    # interactions received count the retweets (the file's weight column), loops excluded
    top = table.row(0, named=True)
    assert top["interactions_received"] > 0


def test_demo_prints_a_ranked_table():
    result = _run("rank", "--demo", "--top", "10", "--format", "table")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    header = next(line for line in lines if "rank" in line and "score" in line)
    assert header.split()[:3] == ["rank", "id", "handle"]
    assert sum(1 for line in lines if line.split() and line.split()[0].isdigit()) == 10
    assert "Top 10 of 3,000 accounts" in result.stdout


def test_demo_csv_on_stdout_when_piped():
    result = _run("rank", "--demo", "--top", "5")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(result.stdout.splitlines()))
    assert [row["rank"] for row in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0]["score"] == "100.0"
    assert all(row["kind"] in ("person", "brand") for row in rows)


@pytest.mark.slow
def test_demo_audience_of_ctos_ranks_whom_they_follow(tmp_path):
    out = tmp_path / "cto.json"
    result = _run("rank", "--demo", "--audience", "title~^(CTO|CIO|CISO)$", "--kind", "person",
                  "--top", "10", "-o", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pl.read_json(out)
    assert table.height == 10
    assert set(table["kind"]) == {"person"}
    overall = pl.read_csv(_run("rank", "--demo", "--kind", "person", "--top", "0").stdout.encode())
    # The audience changes who leads: the personalized top 10 is not the overall top 10.
    assert table["id"].to_list() != overall["id"].head(10).to_list()


@pytest.mark.slow
def test_same_input_gives_identical_bytes(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    assert _run("rank", "--demo", "--top", "0", "-o", str(first)).exit_code == 0
    assert _run("rank", "--demo", "--top", "0", "-o", str(second), "--threads", "1").exit_code == 0
    assert first.read_bytes() == second.read_bytes()


def test_weights_and_half_life_change_the_ranking(tmp_path):
    base = _run("rank", "--demo", "--top", "0").stdout
    decayed = _run("rank", "--demo", "--top", "0", "--half-life", "7d", "--weights", "follow=0.1")
    assert decayed.exit_code == 0, decayed.output
    assert decayed.stdout != base


def test_config_file_sets_weights(tmp_path):
    config = tmp_path / "graphkit.toml"
    config.write_text('half_life = "30d"\n[weights]\nlike = 0\nfollow = 0.5\n')
    from_file = _run("rank", "--demo", "--top", "20", "--config", str(config)).stdout
    from_options = _run("rank", "--demo", "--top", "20", "--half-life", "30d",
                        "--weights", "like=0,follow=0.5").stdout  # fmt: skip
    assert from_file == from_options


@pytest.mark.parametrize("command", [[], ["rank"]])
def test_every_command_has_help_with_examples(command):
    result = _run(*command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.stdout


def test_all_registered_commands_have_examples():
    context = click.Context(cli)
    names = cli.list_commands(context)
    assert {"rank", "communities", "brands", "experts", "report", "import"} <= set(names)
    for name in names:
        command = cli.get_command(context, name)
        assert command is not None, name
        assert command.name == name
        assert "Example" in (command.help or ""), name


def test_version():
    result = _run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("graphkit, version ")


@pytest.mark.slow
def test_communities_columns(tmp_path):
    out = tmp_path / "ranked.csv"
    result = _run("rank", "--demo", "--communities", "--top", "0", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    assert {"community", "community_rank"} <= set(table.columns)
    leaders = table.filter(pl.col("community_rank") == 1)
    assert leaders.height == table["community"].n_unique()
    # inside each community, rank 1 has the most PageRank
    best = table.group_by("community").agg(pl.col("pagerank").max().alias("best"))
    joined = leaders.join(best, on="community")
    assert (joined["pagerank"] == joined["best"]).all()


@pytest.mark.slow
def test_rank_starts_without_pandas_and_sets_numba_up_on_a_thread(tmp_path):
    """pyarrow imports pandas when handed numpy arrays (0.3 s of start-up where pandas is
    installed); a rank never hands it one. numba's set-up runs on a thread of its own."""
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\na,b\nb,c\nc,a\n")
    out = tmp_path / "out.csv"
    probe = f"""
import os, sys, threading
started = []
start = threading.Thread.start
def recording_start(self):
    started.append(self.name)
    start(self)
threading.Thread.start = recording_start
leave = os._exit
def report(status):
    print("pandas" in sys.modules, "graphkit-jit-setup" in started, flush=True)
    leave(status)
os._exit = report
from graphkit.cli.main import main
sys.argv = ["graphkit", "rank", "--follows", {str(follows)!r}, "-o", {str(out)!r}, "-q"]
main()
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
    assert pl.read_csv(out)["id"].sort().to_list() == ["a", "b", "c"]
