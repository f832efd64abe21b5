"""The public Python API: the same answers and the same errors as the command line."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from click.testing import CliRunner

import graphkit
from graphkit.cli.main import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args), prog_name="graphkit", catch_exceptions=False)


@pytest.fixture
def follows_file(tmp_path: Path) -> Path:
    path = tmp_path / "follows.csv"
    path.write_text("follower,followed\na,b\na,b\nb,c\nc,a\nd,a\n", encoding="utf-8")
    return path


def test_rank_of_a_file_equals_the_command(tmp_path, follows_file):
    out = tmp_path / "out.csv"
    result = run("rank", "--follows", str(follows_file), "--top", "0", "-o", str(out))
    assert result.exit_code == 0, result.output
    from_cli = pl.read_csv(out, schema_overrides={"id": pl.String})
    from_api = graphkit.rank(follows=str(follows_file))
    assert from_api["id"].to_list() == from_cli["id"].to_list()
    assert from_api["pagerank"].to_list() == pytest.approx(from_cli["pagerank"].to_list())
    assert from_api["score"].to_list() == from_cli["score"].to_list()


@pytest.mark.shared_data
def test_rank_of_ego_twitter_equals_the_command(shared_data, tmp_path):
    follows = shared_data / "ego-twitter" / "twitter_combined.txt"
    out = tmp_path / "out.csv"
    result = run("rank", "--follows", str(follows), "-o", str(out))
    assert result.exit_code == 0, result.output
    from_cli = pl.read_csv(out, schema_overrides={"id": pl.String})
    from_api = graphkit.rank(follows=str(follows), top=100)
    assert from_api["id"].to_list() == from_cli["id"].to_list()
    assert from_api["pagerank"].to_list() == pytest.approx(from_cli["pagerank"].to_list())


@pytest.mark.parametrize(
    "make",
    [
        lambda columns: pl.DataFrame(columns),
        lambda columns: pa.table(columns),
        pytest.param(lambda columns: pytest.importorskip("pandas").DataFrame(columns), id="pandas"),
    ],
)
def test_tables_in_memory_rank_like_files(follows_file, make):
    frame = pl.read_csv(follows_file)
    table = make({name: frame[name].to_list() for name in frame.columns})
    from_memory = graphkit.rank(follows=table)
    from_file = graphkit.rank(follows=follows_file)
    assert from_memory.equals(from_file)


def test_wrong_columns_in_memory_give_the_file_message(tmp_path):
    bad = tmp_path / "edges.csv"
    bad.write_text("follower,b\nx,y\n", encoding="utf-8")
    result = run("rank", "--follows", str(bad))
    assert result.exit_code == 1
    cli_line = result.stderr.strip().splitlines()[-1]
    with pytest.raises(graphkit.InputError) as raised:
        graphkit.rank(follows=pl.DataFrame({"follower": ["x"], "b": ["y"]}))
    assert cli_line.endswith(raised.value.reason)
    assert str(raised.value) == (
        "the follows table: missing required column 'followed' in the follows table "
        "(found: follower, b)"
    )


def test_bad_value_in_memory_names_the_row_and_column():
    with pytest.raises(graphkit.InputError, match=r"row 2, column 'followed': empty account id"):
        graphkit.rank(follows=pl.DataFrame({"follower": ["a", "b"], "followed": ["b", " "]}))


def test_a_string_audience_and_a_list_agree(follows_file):
    one = graphkit.rank(follows=follows_file, audience="id=d")
    listed = graphkit.rank(follows=follows_file, audience=["id=d"])
    assert one.equals(listed)
    assert one["id"][0] == "a"  # d follows a


def test_loaded_data_is_analysed_many_ways(follows_file):
    loaded = graphkit.open_data(follows=follows_file)
    assert graphkit.rank(loaded).height == 4
    assert graphkit.paths(loaded, source="d", target="c")["path"][0] == "d > a > b > c"
    explanation = graphkit.explain(loaded, account="b")
    assert explanation.contributors["id"].to_list() == ["a"]


def test_settings_travel_in_one_object(follows_file):
    settings = graphkit.Settings(damping=0.5)
    plain = graphkit.rank(follows=follows_file)
    damped = graphkit.rank(follows=follows_file, settings=settings)
    assert plain["pagerank"].to_list() != pytest.approx(damped["pagerank"].to_list())
    with pytest.raises(graphkit.ParameterError, match="tolerance must be a positive finite"):
        graphkit.Settings(tolerance=float("inf"))


def test_demo_through_sources():
    table = graphkit.rank(graphkit.Sources(demo=True), top=5)
    assert table.height == 5
    assert table["rank"].to_list() == [1, 2, 3, 4, 5]


def test_to_igraph_keeps_ids_and_account_attributes():
    accounts = pa.table({"id": ["a", "b"], "name": ["Ann", "Bob"]})
    follows = pa.table({"follower": ["a", "c"], "followed": ["b", "b"]})
    graph = graphkit.open_data(follows=follows, accounts=accounts).graph
    view = graph.to_igraph()
    assert sorted(view.vs["name"]) == ["a", "b", "c"]
    bob = view.vs.find(name="b")
    assert bob["label"] == "Bob"
    assert bob["followers"] == 2
    assert view.vs.find(name="c")["label"] is None
    assert view.es[view.get_eid("a", "b")]["weight"] == 1.0


def test_to_networkx_matches_the_graph():
    accounts = pa.table({"id": ["a", "b"], "title": ["CTO", None]})
    follows = pa.table({"follower": ["a", "a", "c"], "followed": ["b", "b", "a"]})
    graph = graphkit.open_data(follows=follows, accounts=accounts).graph
    view = graph.to_networkx()
    assert sorted(view.edges(data="weight")) == [("a", "b", 2.0), ("c", "a", 1.0)]
    assert view.nodes["a"]["title"] == "CTO"
    scores = nx.pagerank(view, weight="weight", tol=1e-14)
    ours = graphkit.pagerank(graph)
    ids = graph.ids.to_pylist()
    assert np.allclose([scores[name] for name in ids], ours, atol=1e-9)


def test_declared_follower_counts_pass_through():
    accounts = pl.DataFrame({"id": ["a", "b"], "followers_count": [12, 3400]})
    follows = pl.DataFrame({"follower": ["a", "c"], "followed": ["b", "b"]})
    table = graphkit.rank(follows=follows, accounts=accounts)
    assert dict(table.select("id", "followers_count").iter_rows()) == {
        "b": 3400,
        "a": 12,
        "c": None,
    }


def test_report_never_writes_over_its_input(follows_file):
    before = follows_file.read_bytes()
    with pytest.raises(graphkit.InputError, match="is also an input"):
        graphkit.report(follows=follows_file, output=follows_file)
    assert follows_file.read_bytes() == before


def test_nanosecond_timestamps_truncate_to_microseconds():
    stamps = pa.array([1_714_557_600_123_456_789, 1_714_557_700_000_000_001], pa.timestamp("ns"))
    interactions = pa.table(
        {"source": ["a", "b"], "target": ["b", "a"], "type": ["like", "reply"], "timestamp": stamps}
    )
    table = graphkit.rank(interactions=interactions, settings=graphkit.Settings(
        weighting=graphkit.app.make_weighting(half_life="1d")))  # fmt: skip
    assert table["pagerank"].sum() == pytest.approx(1.0)


def test_strings_where_lists_are_taken_and_loaded_data_takes_no_tables(follows_file):
    demo = graphkit.open_data(graphkit.Sources(demo=True))
    assert graphkit.brands(demo, orgs="b001")["organization"].to_list() == ["b001"]
    with pytest.raises(graphkit.UsageError, match="loaded data or tables"):
        graphkit.rank(demo, follows=follows_file)
    with pytest.raises(graphkit.UsageError, match="tuple of export specs"):
        graphkit.rank(graphkit.Sources(exports="x:archive.zip"))  # type: ignore[arg-type]
