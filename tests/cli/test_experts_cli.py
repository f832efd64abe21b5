"""``graphkit experts`` end to end on the demo dataset."""

from __future__ import annotations

import io

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.analysis.experts import EXPERT_COLUMNS
from graphkit.cli.main import cli


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _csv(text: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(text), schema_overrides={"id": pl.String})


def test_experts_demo_default_audience():
    result = _run("experts", "--demo", "--org", "b001", "--top", "3", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == list(EXPERT_COLUMNS)
    assert table.height == 3
    assert "u2044" in table["id"].head(2).to_list()
    assert "Audience: 236 accounts (title~" in result.stderr  # CEO CTO CIO CISO CFO CMO


@pytest.mark.slow
def test_experts_topic_and_audience():
    result = _run(
        "experts", "--demo", "--org", "b001", "--audience", "title~CTO|CIO|CISO",
        "--topic", "security", "--sort-by", "audience_followers", "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table["id"][0] == "u2044"
    assert (table["topics_matched"] == "security").all()


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["experts", "--demo"], 2, "Error: Missing option '--org'."),
        (["experts", "--demo", "--org", "b001", "--audience", "title~Astronaut"],
         1, "Error: audience 'title~Astronaut' selects no account in the graph"),
    ],
)  # fmt: skip
def test_errors(args, exit_code, message):
    result = _run(*args, "-q")
    assert result.exit_code == exit_code
    assert result.stderr.strip().splitlines()[-1] == message


@pytest.mark.parametrize("name", ["experts"])
def test_help_has_an_example(name):
    result = _run(name, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"graphkit {name} --demo" in result.output
