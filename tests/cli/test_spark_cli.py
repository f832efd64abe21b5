"""``--engine spark`` through the CLI: same tables as the local engine, URIs, errors, Connect."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.cli.main import cli
from graphkit.errors import GraphkitError


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _csv(text: str) -> pl.DataFrame:
    import io

    return pl.read_csv(io.StringIO(text), schema_overrides={"id": pl.String})


def _same_ranking(ours: pl.DataFrame, theirs: pl.DataFrame) -> None:
    assert ours.columns == theirs.columns
    assert ours["id"].to_list() == theirs["id"].to_list()
    # Spark runs power steps, the local engine mixes them (graphkit.kernels.anderson): both
    # stop at the same L1 change, within about 1e-12 of each other per score on the demo.
    assert np.abs(ours["pagerank"].to_numpy() - theirs["pagerank"].to_numpy()).max() < 1e-11
    for name in ("rank", "score", "followers", "interactions_received", "handle", "title"):
        assert ours[name].to_list() == theirs[name].to_list(), name


def test_demo_ranking_equals_local_engine(spark):
    local = _run("rank", "--demo", "--top", "100", "--format", "csv", "-q")
    ours = _run("rank", "--demo", "--top", "100", "--format", "csv", "-q", "--engine", "spark")
    assert local.exit_code == 0, local.output
    assert ours.exit_code == 0, ours.output
    _same_ranking(_csv(ours.stdout), _csv(local.stdout))


def test_demo_audience_and_kind_equal_local_engine(spark):
    options = ["rank", "--demo", "--audience", "title~^(CTO|CIO|CISO)$", "--kind", "person",
               "--top", "20", "--format", "csv", "-q"]  # fmt: skip
    local, ours = _run(*options), _run(*options, "--engine", "spark")
    assert ours.exit_code == 0, ours.output
    _same_ranking(_csv(ours.stdout), _csv(local.stdout))


def test_writes_part_files_at_a_uri_and_a_single_local_file(spark, tmp_path):
    uri = f"file://{tmp_path}/ranking.parquet"
    result = _run("rank", "--demo", "--top", "0", "--engine", "spark", "-o", uri)
    assert result.exit_code == 0, result.output
    folder = tmp_path / "ranking.parquet"
    assert (folder / "_SUCCESS").is_file()
    written = pl.read_parquet(folder / "*.parquet").sort("rank")
    local_file = tmp_path / "local.csv"
    result = _run("rank", "--demo", "--top", "0", "--engine", "spark", "-o", str(local_file))
    assert result.exit_code == 0, result.output
    single = pl.read_csv(local_file, schema_overrides={"id": pl.String})
    assert written.height == single.height == 3_000
    assert written["id"].to_list() == single["id"].to_list()
    again = _run("rank", "--demo", "--engine", "spark", "-o", uri)
    assert again.exit_code == 1
    assert again.output.strip().endswith(
        "already exists; remove it or choose another output location"
    )


def test_communities_table(spark, tmp_path):
    out = tmp_path / "niches.csv"
    result = _run("communities", "--demo", "--engine", "spark", "--leaders", "2", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "communities of 3,000 accounts, modularity 0." in result.output
    table = pl.read_csv(out, schema_overrides={"id": pl.String})
    assert table.columns == ["id", "handle", "name", "title", "community", "community_size",
                             "community_rank", "is_leader", "pagerank"]  # fmt: skip
    assert table.height == 3_000
    for _, group in table.group_by("community"):
        size = group.height
        assert group["community_size"].unique().to_list() == [size]
        assert sorted(group["community_rank"].to_list()) == list(range(1, size + 1))
        ranked = group.sort("community_rank")
        assert (ranked["pagerank"].diff().drop_nulls() <= 0).all()
        assert ranked["is_leader"].to_list() == [rank <= 2 for rank in ranked["community_rank"]]
    sizes = table.group_by("community").agg(pl.len()).sort("community")["len"].to_list()
    assert sizes == sorted(sizes, reverse=True)


def test_bad_input_is_one_line_and_writes_nothing(spark, tmp_path):
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\na,b\nc,\n")
    out = tmp_path / "out.csv"
    result = _run("rank", "--follows", str(follows), "--engine", "spark", "-o", str(out))
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        f"Error: {follows}, row 3, column 'followed': empty account id"
    )
    assert not out.exists()
    missing = _run("rank", "--follows", str(tmp_path / "nope.csv"), "--engine", "spark")
    assert missing.exit_code == 1
    assert missing.output.strip().splitlines()[-1] == (
        f"Error: {tmp_path / 'nope.csv'}: file or folder not found"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rank", "--demo", "--spark-master", "local[1]"], "--spark-master needs --engine spark"),
        (["rank", "--demo", "--engine", "spark", "--spark-master", "local", "--spark-remote",
          "sc://x"], "give --spark-master or --spark-remote, not both"),
        (["communities", "--demo", "--engine", "spark", "--method", "leiden"],
         "--engine spark finds communities by label_propagation only"),
        (["communities", "--demo", "--engine", "spark", "--stability", "3"],
         "--stability is not available with --engine spark"),
        (["rank", "--demo", "--engine", "spark", "--spark-conf", "novalue"],
         "bad --spark-conf 'novalue': expected KEY=VALUE"),
    ],
)  # fmt: skip
def test_bad_engine_options_are_usage_errors(args, message):
    result = _run(*args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == f"Error: {message}"


def test_without_pyspark_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.delitem(sys.modules, "graphkit.engines.spark", raising=False)
    result = _run("rank", "--demo", "--engine", "spark")
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: --engine spark needs pyspark: pip install 'graphkit[spark]'"
    )


def test_runs_over_spark_connect(spark):
    port = spark.conf.get("spark.connect.grpc.binding.port")
    remote_url = f"sc://127.0.0.1:{port}"
    command = [sys.executable, "-m", "graphkit.cli.main", "rank", "--demo", "--top", "50",
               "--format", "csv", "-q", "--engine", "spark",
               "--spark-remote", remote_url]  # fmt: skip
    remote = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert remote.returncode == 0, remote.stderr[-2000:]
    local = _run("rank", "--demo", "--top", "50", "--format", "csv", "-q")
    _same_ranking(_csv(remote.stdout), _csv(local.stdout))


def test_a_jvm_failure_is_reported_by_its_java_exception():
    from graphkit.cli.spark import spark_failures

    class Py4JJavaError(Exception):
        pass

    Py4JJavaError.__module__ = "py4j.protocol"
    trace = (
        "An error occurred while calling o21428.localCheckpoint.\n"
        ": org.apache.spark.SparkException: Job aborted due to stage failure: lost task\n"
        "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages\n"
    )
    with pytest.raises(GraphkitError) as caught, spark_failures():
        raise Py4JJavaError(trace)
    assert str(caught.value) == (
        "Spark failed: org.apache.spark.SparkException: Job aborted due to stage failure: lost task"
    )
    with pytest.raises(GraphkitError, match=r"^Spark failed: Py4JJavaError$"), spark_failures():
        raise Py4JJavaError("")
