"""``graphkit trend`` end to end: the demo's windows, the long table, and the one-line errors."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.cli.main import cli


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.slow
def test_demo_trend_writes_one_ranking_per_window(tmp_path):
    out = tmp_path / "trend.parquet"
    result = _run("trend", "--demo", "--window", "90d", "--step", "60d", "--top", "10",
                  "-o", str(out), "-v")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "follows without a since time count from the start" not in result.output
    assert "PageRank iterations per window" in result.output
    table = pl.read_parquet(out)
    assert table.columns == ["window_start", "window_end", "id", "rank", "score", "pagerank"]
    starts = table["window_start"].unique().sort().to_list()
    assert starts[0] == datetime(2025, 11, 1, tzinfo=UTC)
    assert [(b - a).days for a, b in itertools.pairwise(starts)] == [60] * (len(starts) - 1)
    assert len(starts) == 6  # the last one reaches past the latest interaction (2026-10-31)
    per_window = table.group_by("window_start").agg(
        pl.len(), pl.col("rank").min().alias("first"), pl.col("score").max().alias("best")
    )
    assert per_window["len"].to_list() == [10] * 6
    assert per_window["first"].to_list() == [1] * 6
    assert per_window["best"].to_list() == [100.0] * 6
    assert ((table["window_end"] - table["window_start"]).dt.total_days() == 90).all()


def test_trend_of_a_file_with_since_and_untimed_rows(tmp_path):
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed,since\na,b,2026-01-01\nc,b,\nd,e,2026-01-20\n")
    interactions = tmp_path / "interactions.csv"
    interactions.write_text(
        "source,target,type,timestamp\nb,e,repost,2026-01-02\ne,a,reply,\na,e,like,2026-01-25\n"
    )
    result = _run("trend", "--follows", str(follows), "--interactions", str(interactions),
                  "--window", "2w", "--step", "2w", "--top", "0", "--format", "csv",
                  "-v")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Left out 1 interactions without a timestamp" in result.stderr
    assert "1 follows without a since time count from the start" in result.stderr
    table = pl.read_csv(result.stdout.encode(), try_parse_dates=True)
    windows = table.group_by("window_start", maintain_order=True).agg(pl.col("id"))
    # First window (Jan 2-16): a->b, c->b follows and b->e; second: every follow and a->e.
    assert sorted(windows["id"][0]) == ["a", "b", "c", "e"]
    assert sorted(windows["id"][1]) == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--window", "30x"], "Error: Invalid value for '--window': bad duration '30x'"),
        (["--step", "0d"], "Error: Invalid value for '--step': bad duration '0d'"),
        (["--start", "yesterday"], "Error: Invalid value for '--start': bad time 'yesterday'"),
        (["--as-of", "2026-01-01"], "Error: a trend measures ages from each window's end"),
        (["--start", "2026-02-01", "--end", "2026-01-01"], "Error: --start (2026-02-01) must be"),
        (["--seed", "-1"], "Error: Invalid value for '--seed': -1 is not in the range x>=0"),
    ],
)
def test_bad_options_are_usage_errors(args, line):
    result = _run("trend", "--demo", *args)
    assert result.exit_code == 2, result.output
    assert line in result.stderr
    assert "Traceback" not in result.output


def test_interactions_without_timestamps_are_one_line_errors(tmp_path):
    interactions = tmp_path / "interactions.csv"
    interactions.write_text("source,target,type\na,b,repost\n")
    result = _run("trend", "--interactions", str(interactions))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {interactions}, column 'timestamp': no interaction has a timestamp: a trend "
        "ranks the interactions of each time window; give a timestamp column\n"
    )
    result = _run("trend", "--demo", "--start", "2030-01-01")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the windows start at 2030-01-01T00:00:00Z, not before")


def test_help_has_examples():
    result = _run("trend", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "--window" in result.output


def test_times_near_the_year_9999_and_windows_that_miss_the_data(tmp_path):
    interactions = tmp_path / "interactions.csv"
    interactions.write_text(
        "source,target,type,timestamp\na,b,repost,2026-01-02\nb,c,reply,9999-12-31T23:59:59\n"
    )
    result = _run("trend", "--interactions", str(interactions), "--window", "30d", "--step",
                  "3650d", "--top", "1", "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "Left out 1 interactions outside every window" in result.stderr
    result = _run("trend", "--interactions", str(interactions), "--window", "1h", "--step",
                  "1h", "--start", "9999-12-31T23:30:00", "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "9999-12-31T23:59:59.999999+0000" in result.stdout  # the last window stops there
    result = _run("trend", "--interactions", str(interactions), "--start", "2030-01-01",
                  "--end", "2030-03-01", "--format", "csv")  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no window holds any follow or interaction")
    assert result.stdout == ""


def test_a_bad_record_is_named_by_its_row_in_the_file_not_in_the_window(tmp_path):
    interactions = tmp_path / "interactions.csv"
    interactions.write_text(
        "source,target,type,timestamp,weight\na,b,repost,2026-01-05,1\n"
        "b,c,reply,2026-01-02,1e308\nc,a,like,2026-01-03,1\n"
    )
    result = _run("trend", "--interactions", str(interactions), "--weights", "reply=10")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {interactions}, row 3, column 'weight': ")
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed,since,weight\na,b,2026-01-09,1\nb,c,2026-01-01,1e308\n")
    for extra in ([], ["--undirected"]):
        result = _run("trend", "--follows", str(follows), "--weights", "follow=10", *extra)
        assert result.exit_code == 1
        assert result.stderr.startswith(f"Error: {follows}, row 3, column 'weight': ")


def test_missing_time_error_refuses_an_interaction_without_a_timestamp(tmp_path):
    interactions = tmp_path / "interactions.csv"
    interactions.write_text(
        "source,target,type,timestamp\na,b,repost,2026-01-02\nc,d,like,2026-01-03\nb,c,reply,\n"
    )
    args = ["trend", "--interactions", str(interactions), "--half-life", "7d", "--format", "csv"]
    result = _run(*args, "--missing-time", "error")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {interactions}, row 4, column 'timestamp': no timestamp, and --missing-time "
        "error refuses it"
    )
    result = _run(*args, "--missing-time", "drop")
    assert result.exit_code == 0, result.output
    assert "Left out 1 interactions without a timestamp" in result.stderr
