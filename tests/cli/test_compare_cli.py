"""``graphkit compare`` end to end: two rankings in different formats, filters, refusals."""

from __future__ import annotations

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.cli.main import cli


def _run(*args: str):
    return CliRunner().invoke(cli, [str(arg) for arg in args])


@pytest.fixture
def rankings(tmp_path):
    before = tmp_path / "before.csv"
    after = tmp_path / "after.json"
    pl.DataFrame(
        {"id": ["a", "b", "c", "d"], "rank": [1, 2, 3, 4], "name": ["Ann", "Bo", "Cy", "Di"],
         "score": [100.0, 80.0, 60.0, 40.0]}
    ).write_csv(before)  # fmt: skip
    pl.DataFrame(
        {"id": ["c", "a", "b", "e"], "rank": [1, 2, 3, 4], "name": ["Cy", "Ann", "Bo", "Ed"],
         "score": [100.0, 90.0, 70.0, 10.0]}
    ).write_json(after)  # fmt: skip
    return before, after


def test_compare_writes_every_change_largest_first(rankings, tmp_path):
    before, after = rankings
    out = tmp_path / "changes.csv"
    result = _run("compare", before, after, "-o", out)
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out)
    assert table.columns == [
        "id", "name", "rank_before", "rank_after", "rank_change", "score_before",
        "score_after", "score_change", "status", "significant",
    ]  # fmt: skip
    assert table["id"].to_list() == ["c", "a", "b", "d", "e"]
    assert table["rank_change"].to_list() == [2, -1, -1, None, None]
    assert table["status"].to_list() == ["moved", "moved", "moved", "exited", "entered"]
    assert table["score_change"].to_list() == [40.0, -10.0, -10.0, None, None]


def test_filters_and_the_terminal_table(rankings):
    before, after = rankings
    result = _run("compare", before, after, "--status", "entered", "--status", "exited",
                  "--format", "table")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "5 changes among 5 accounts" in result.stdout
    lines = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert [line[0] for line in lines if line[-1] in ("exited", "entered")] == ["d", "e"]
    result = _run("compare", before, after, "--top", "1", "--format", "ndjson")
    assert result.exit_code == 0
    assert pl.read_ndjson(result.stdout.encode())["id"].to_list() == ["c"]
    result = _run("compare", before, after, "--significant", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == []  # no intervals: nothing is significant
    assert "no account has rank intervals in both rankings" in result.stderr


def test_refusals_are_one_line(rankings, tmp_path):
    before, after = rankings
    result = _run("compare", before, after, "-o", before)
    assert result.exit_code == 1
    assert (
        result.stderr
        == f"Error: {before}: is also an input of this command; write the output elsewhere\n"
    )
    broken = tmp_path / "broken.csv"
    broken.write_text("id,rank\na,1\na,2\n")
    result = _run("compare", broken, after)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {broken}, row 3, column 'id': id 'a' appears again (first in row 2)\n"
    )
    result = _run("compare", before)
    assert result.exit_code == 2
    assert "Missing argument 'AFTER'" in result.stderr


def test_help_has_examples():
    result = _run("compare", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output


def test_ids_with_escape_sequences_survive_a_pipe(tmp_path):
    ranking = tmp_path / "ranking.csv"
    ranking.write_text("id,rank\n\x1b[31mred,1\nb,2\n")
    result = _run("compare", ranking, ranking, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert pl.read_csv(result.stdout.encode())["id"].to_list() == ["\x1b[31mred", "b"]


def test_leading_zeros_and_guarded_cells_round_trip(tmp_path):
    ranking = tmp_path / "ranking.csv"  # as graphkit writes it: formula-like cells guarded
    ranking.write_text("id,rank,handle\n007,1,007\n'=cmd|x,2,'@h\n7,3,08\n")
    out = tmp_path / "out.csv"
    result = _run("compare", ranking, ranking, "-o", out)
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.csv"
    assert _run("compare", ranking, ranking, "-o", again).exit_code == 0
    assert out.read_bytes() == again.read_bytes()  # the same output, byte for byte
    table = pl.read_csv(out, schema_overrides={"id": pl.String, "handle": pl.String})
    assert table["id"].to_list() == ["007", "7", "'=cmd|x"]  # guarded once, not twice
    assert table["handle"].to_list() == ["007", "08", "'@h"]
