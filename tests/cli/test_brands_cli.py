"""``graphkit brands``, ``experts``, ``explain`` and ``paths`` end to end on the demo dataset."""

from __future__ import annotations

import io

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.analysis.brands import BRAND_COLUMNS, PEOPLE_COLUMNS, ROSTER_COLUMNS
from graphkit.analysis.experts import EXPERT_COLUMNS
from graphkit.analysis.explain import CONTRIBUTOR_COLUMNS, PATH_COLUMNS
from graphkit.cli.brands import brands
from graphkit.cli.experts import experts
from graphkit.cli.explain import explain_command, paths
from graphkit.cli.main import cli

# Registered here until graphkit.cli.main registers them.
for command in (brands, experts, explain_command, paths):
    if command.name not in cli.commands:
        cli.add_command(command)


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _csv(text: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(text), schema_overrides={"id": pl.String})


def test_brands_demo(tmp_path):
    out = tmp_path / "brands.parquet"
    result = _run("brands", "--demo", "-q", "-o", str(out))
    assert result.exit_code == 0, result.output
    table = pl.read_parquet(out)
    assert table.columns == list(BRAND_COLUMNS)
    assert table.height == 12
    northwind = table.filter(pl.col("organization") == "b001").row(0, named=True)
    assert (northwind["corporate_reach"], northwind["personal_reach"]) == (217, 1472)
    # Timestamps come from the interactions file, read again after the graph is built.
    assert northwind["people_first_share"] == pytest.approx(0.5)


def test_brands_people_of_one_org_as_csv():
    result = _run("brands", "--demo", "--org", "b001", "--people", "-q")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == list(PEOPLE_COLUMNS)
    assert table.height == 40
    assert table.row(0, named=True)["handle"] == "maya_builds"
    assert table["departure_impact_pagerank"].null_count() == 40 - 10  # the first 10 only
    everyone = _csv(
        _run("brands", "--demo", "--org", "b001", "--people", "--departure-top", "0", "-q").stdout
    )
    assert everyone["departure_impact_pagerank"].null_count() == 0


def test_brands_roster_of_two_orgs():
    result = _run("brands", "--demo", "--org", "b002", "--org", "b001", "--roster", "3", "-q")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == list(ROSTER_COLUMNS)
    assert table["organization"].to_list() == ["b001"] * 3 + ["b002"] * 3
    assert table["step"].to_list() == [1, 2, 3] * 2
    assert table["id"][0] == "u0313"


def test_brands_people_without_departure_pagerank():
    result = _run("brands", "--demo", "--org", "b002", "--people", "--no-departure-pagerank", "-q")
    assert result.exit_code == 0, result.output
    assert _csv(result.stdout)["departure_impact_pagerank"].null_count() == 36


def test_experts_demo_default_audience():
    result = _run("experts", "--demo", "--org", "b001", "--top", "3", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == list(EXPERT_COLUMNS)
    assert table.height == 3
    assert "u2044" in table["id"].head(2).to_list()
    assert "Audience: 236 accounts (title~" in result.stderr  # CEO CTO CIO CISO CFO CMO


def test_experts_topic_and_audience():
    result = _run(
        "experts", "--demo", "--org", "b001", "--audience", "title~CTO|CIO|CISO",
        "--topic", "security", "--sort-by", "audience_followers", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table["id"][0] == "u2044"
    assert (table["topics_matched"] == "security").all()


def test_explain_demo():
    result = _run("explain", "--demo", "u2044", "--audience", "title~CTO|CIO|CISO", "--top", "3")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == list(CONTRIBUTOR_COLUMNS)
    assert table["rank"].to_list() == [1, 2, 3]
    summary = " ".join(result.stderr.split())  # rich wraps long lines
    assert summary.startswith("u2044 ranks #")
    assert "is passed on directly by the audience" in summary


def test_paths_demo():
    result = _run("paths", "--demo", "--from", "u0855", "--to", "b001", "-k", "3", "-q")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == list(PATH_COLUMNS)
    assert table["path"].to_list()[:2] == ["u0855 > b001", "u0855 > u2044 > b001"]


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["brands", "--demo", "--org", "nope"],
         1, "Error: unknown organization 'nope': no brand account has that id and no account "
            "names it as its organization"),
        (["brands", "--demo", "--people", "--roster", "2"],
         2, "Error: give --people or --roster, not both"),
        (["brands", "--demo", "--no-departure-pagerank"],
         2, "Error: --no-departure-pagerank goes with --people"),
        (["experts", "--demo"], 2, "Error: Missing option '--org'."),
        (["experts", "--demo", "--org", "b001", "--audience", "title~Astronaut"],
         1, "Error: audience 'title~Astronaut' selects no account in the graph"),
        (["explain", "--demo"], 2, "Error: Missing argument 'ID'."),
        (["explain", "--demo", "nobody"], 1, "Error: account 'nobody' is not in the graph"),
        (["paths", "--demo", "--from", "b001", "--to", "b001"],
         1, "Error: source and target are the same account"),
    ],
)  # fmt: skip
def test_errors(args, exit_code, message):
    result = _run(*args, "-q")
    assert result.exit_code == exit_code
    assert result.stderr.strip().splitlines()[-1] == message


@pytest.mark.parametrize("name", ["brands", "experts", "explain", "paths"])
def test_help_has_an_example(name):
    result = _run(name, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"graphkit {name} --demo" in result.output
