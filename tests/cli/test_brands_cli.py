"""``graphkit brands`` end to end on the demo dataset."""

from __future__ import annotations

import io

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.analysis.brands import BRAND_COLUMNS, PEOPLE_COLUMNS, ROSTER_COLUMNS
from graphkit.cli.main import cli


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


@pytest.mark.slow
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
    ],
)  # fmt: skip
def test_errors(args, exit_code, message):
    result = _run(*args, "-q")
    assert result.exit_code == exit_code
    assert result.stderr.strip().splitlines()[-1] == message


@pytest.mark.parametrize("name", ["brands"])
def test_help_has_an_example(name):
    result = _run(name, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"graphkit {name} --demo" in result.output
