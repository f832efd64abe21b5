"""``graphkit explain`` and ``paths`` (cli/explain.py) end to end on the demo dataset."""

from __future__ import annotations

import io

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.analysis.explain import CONTRIBUTOR_COLUMNS, PATH_COLUMNS
from graphkit.cli.main import cli


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _csv(text: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(text), schema_overrides={"id": pl.String})


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


@pytest.mark.parametrize("name", ["explain", "paths"])
def test_help_has_an_example(name):
    result = _run(name, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert f"graphkit {name} --demo" in result.output


def test_review_one_account_paying_attention_reads_in_the_singular(tmp_path):
    # Was "1 accounts pay attention to it".
    follows = tmp_path / "f.csv"
    follows.write_text("follower,followed\na,b\n", encoding="utf-8")
    result = _run("explain", str(follows), "b")
    assert result.exit_code == 0, result.output
    assert ": 1 account pays attention to it;" in " ".join(result.stderr.split())
    assert _csv(result.stdout)["id"].to_list() == ["a"]
