"""``graphkit audience`` end to end on the demo dataset."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from graphkit.analysis.affinity import AFFINITY_COLUMNS, SEGMENT_COLUMNS
from graphkit.cli.main import cli

BUYERS = "title~CTO|CIO|CISO"


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _csv(text: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(text), schema_overrides={"id": pl.String})


def test_affinities_on_the_demo() -> None:
    result = _run("audience", "--demo", BUYERS, "--top", "10", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == list(AFFINITY_COLUMNS)
    assert table.height == 10
    assert table["rank"].to_list() == list(range(1, 11))
    assert table["lift_low"].is_sorted(descending=True)
    assert (table["audience_followers"] >= 3).all()
    assert (table["lift"] >= table["lift_low"]).all()
    assert "Audience: 132 accounts (title~CTO|CIO|CISO)" in result.stderr


def test_selectors_add_up_and_min_support() -> None:
    one = _csv(_run("audience", "--demo", "title~CTO", "--top", "0", "-q").stdout)
    both = _run("audience", "--demo", "title~CTO", "title~CISO", "--top", "0",
                "--min-support", "10", "-q")  # fmt: skip
    assert both.exit_code == 0, both.output
    table = _csv(both.stdout)
    assert (table["audience_followers"] >= 10).all()
    assert table.height < one.height


def test_segments_and_members(tmp_path: Path) -> None:
    members = tmp_path / "members.csv"
    output = tmp_path / "segments.json"
    result = _run("audience", "--demo", BUYERS, "--segments", "--segments-by", "followings",
                  "--members", str(members), "-o", str(output), "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    segments = pl.DataFrame(json.loads(output.read_text()))
    assert segments.columns == list(SEGMENT_COLUMNS)
    assigned = pl.read_csv(members, schema_overrides={"id": pl.String})
    assert assigned.columns == ["id", "segment"]
    assert assigned.height == 132 == segments["size"].sum()
    again = _run("audience", "--demo", BUYERS, "--segments", "--segments-by", "followings",
                 "-q", "--format", "csv")  # fmt: skip
    assert _csv(again.stdout)["size"].to_list() == segments["size"].to_list()
    third = _run("audience", "--demo", BUYERS, "--segments", "--segments-by", "followings",
                 "-q", "--format", "csv")  # fmt: skip
    assert again.stdout == third.stdout  # deterministic


@pytest.mark.parametrize("suffix", ["parquet", "ndjson", "csv"])
def test_output_formats(tmp_path: Path, suffix: str) -> None:
    output = tmp_path / f"affinities.{suffix}"
    result = _run("audience", "--demo", BUYERS, "--top", "5", "-o", str(output), "-q")
    assert result.exit_code == 0, result.output
    reader = {"parquet": pl.read_parquet, "ndjson": pl.read_ndjson, "csv": pl.read_csv}[suffix]
    table = reader(output)
    assert table.columns == list(AFFINITY_COLUMNS)
    assert table.height == 5


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["audience", "--demo"], 2, "Error: Missing argument 'SELECTOR...'."),
        (["audience", "--demo", "nonsense"], 1,
         "Error: bad audience 'nonsense': expected a file of ids, FIELD=VALUE or FIELD~REGEX"),
        (["audience", "--demo", "id=nobody"], 1,
         "Error: audience 'id=nobody' selects no account in the graph"),
        (["audience", "--demo", "shoe_size=9"], 1, None),
        (["audience", "--demo", "id~."], 1,
         "Error: every account that pays attention to others is in the audience: there is no "
         "base rate to compare it with; choose a smaller audience"),
        (["audience", "--demo", BUYERS, "--min-support", "0"], 2, None),
        (["audience", "--demo", BUYERS, "--level", "0.4"], 2,
         "Error: Invalid value for '--level': 0.4 is not in the range 0.5<=x<1."),
        (["audience", "--demo", BUYERS, "--members", "m.csv"], 2,
         "Error: --members goes with --segments"),
        (["audience", "--demo", BUYERS, "--segments-by", "vibes"], 2, None),
        (["audience", "--demo", BUYERS, "--segments", "--min-support", "5"], 2,
         "Error: --min-support and --level go with the affinities, not --segments"),
        (["audience", "--demo", BUYERS, "--segments", "--members", "-"], 2,
         "Error: --members -: name a .csv, .parquet, .json or .ndjson file"),
        (["audience", "--demo", BUYERS, "--seed", "3"], 2,
         "Error: --segments-by and --seed go with --segments"),
    ],
)  # fmt: skip
def test_errors(args: list[str], exit_code: int, message: str | None) -> None:
    result = _run(*args, "-q")
    assert result.exit_code == exit_code, result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: ")
    if message is not None:
        assert last == message
    assert result.stdout == ""


def test_help_has_an_example() -> None:
    result = _run("audience", "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "graphkit audience --demo" in result.output


@pytest.mark.parametrize("extra", [[], ["--segments", "--segments-by", "followings"]])
def test_same_output_on_one_and_two_threads(extra: list[str]) -> None:
    args = ["audience", "--demo", BUYERS, *extra, "-q", "--format", "csv"]
    one = _run(*args, "--threads", "1")
    two = _run(*args, "--threads", "2")
    assert one.exit_code == two.exit_code == 0, one.output + two.output
    assert len(one.stdout) > 200
    assert one.stdout == two.stdout


@pytest.mark.parametrize("extra", [[], ["--segments"]])
def test_top_beyond_any_size(extra: list[str]) -> None:
    result = _run("audience", "--demo", BUYERS, *extra, "--top", str(10**20), "-q",
                  "--format", "csv")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert _csv(result.stdout).height > 5


@pytest.mark.parametrize(
    ("output", "message"),
    [
        (["-o", "segments.txt"], "cannot tell the output format from the suffix '.txt'"),
        (["-o", "segments.csv", "--format", "table"], "--format table prints to the terminal"),
        (["--format", "parquet"], "parquet output needs a file"),
    ],
)
def test_members_not_written_when_the_output_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run("audience", "--demo", BUYERS, "--segments", "--members", "members.csv",
                  *output, "-q")  # fmt: skip
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_members_folder_checked_before_the_work(tmp_path: Path) -> None:
    members = tmp_path / "missing" / "members.csv"
    result = _run("audience", "--demo", BUYERS, "--segments", "--members", str(members))
    assert result.exit_code == 1, result.output
    assert result.stderr.strip().splitlines() == [
        f"Error: {members.parent}: output folder does not exist"
    ]  # no progress: nothing was loaded


def test_members_and_output_one_file_by_another_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "link.csv").symlink_to(tmp_path / "members.csv")
    for output in [str(tmp_path / "members.csv"), "link.csv", "./members.csv"]:
        result = _run("audience", "--demo", BUYERS, "--segments", "--members", "members.csv",
                      "-o", output, "-q")  # fmt: skip
        assert result.exit_code == 2, result.output
        assert result.stderr.strip().splitlines()[-1] == (
            "Error: --members and -o name the same file"
        )
        assert not (tmp_path / "members.csv").exists()


def test_says_why_nothing_is_listed(tmp_path: Path) -> None:
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\na,x\nb,x\nc,y\n")
    idle = _run("audience", str(follows), "id=x", "--format", "csv")
    assert idle.exit_code == 0, idle.output
    assert _csv(idle.stdout).is_empty()
    assert "Audience: 1 account (id=x), 0 of them following or engaging" in idle.stderr
    assert "No account to list: no active member of the audience" in idle.stderr
    rare = _run("audience", str(follows), "id=a", "--format", "csv")
    assert "No account to list: none has 3 or more audience members" in rare.stderr


def test_output_table_holds_the_segments_not_the_members(tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    database = tmp_path / "graph.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute(
            "CREATE TABLE follows AS SELECT * FROM (VALUES ('a', 'b'), ('b', 'a'), ('c', 'x')) "
            "AS t(follower, followed)"
        )
    members = tmp_path / "members.csv"
    result = _run("audience", "--database", str(database), "id=a,b,c", "--segments",
                  "--members", str(members), "--output-table", "segments", "-q")  # fmt: skip
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(database)) as connection:
        columns = [row[0] for row in connection.execute("DESCRIBE segments").fetchall()]
    assert columns == list(SEGMENT_COLUMNS)
    assert _csv(members.read_text()).columns == ["id", "segment"]
