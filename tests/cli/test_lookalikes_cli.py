"""``graphkit lookalikes`` (cli/lookalikes.py) end to end."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from graphkit.analysis.lookalikes import ESTIMATE_COLUMNS, LOOKALIKE_COLUMNS
from graphkit.cli.main import cli


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _csv(text: str) -> pl.DataFrame:
    return pl.read_csv(io.StringIO(text), schema_overrides={"id": pl.String})


def _flat(text: str) -> str:
    return " ".join(text.split())  # rich wraps long lines


def test_demo_exact() -> None:
    result = _run("lookalikes", "--demo", "b001", "--top", "5")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == list(LOOKALIKE_COLUMNS)
    assert table["rank"].to_list() == [1, 2, 3, 4, 5]
    assert "b001" not in table["id"].to_list()
    assert table["similarity"].to_list() == sorted(table["similarity"].to_list(), reverse=True)
    assert (table["shared_followers"] <= table["followers"]).all()
    assert "Seed audience: 253 accounts; method: exact" in _flat(result.stderr)


def test_demo_minhash_states_its_error() -> None:
    args = ("lookalikes", "--demo", "u0664", "u0903", "--method", "minhash", "--hashes", "64")
    result = _run(*args, "--top", "10")
    assert result.exit_code == 0, result.output
    table = _csv(result.stdout)
    assert table.columns == [*LOOKALIKE_COLUMNS, *ESTIMATE_COLUMNS]
    assert not {"u0664", "u0903"} & set(table["id"].to_list())
    assert (table["similarity_error"] > 0).all()
    assert "method: minhash (k = 64 hashes, standard error sqrt(J(1-J)/64)" in _flat(result.stderr)
    assert _run(*args, "--top", "10").stdout == result.stdout


def test_dataset_folder_and_follows_file(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    follows = "follower,followed\na,x\nb,x\nc,x\na,y\nb,y\nd,y\nc,z\n"
    (folder / "follows.csv").write_text(follows, encoding="utf-8")
    expected = [("y", 0.5, 2), ("z", 1 / 3, 1)]
    for args in ([str(folder), "x"], ["--follows", str(folder / "follows.csv"), "x"]):
        result = _run("lookalikes", *args, "-q", "--format", "csv")
        assert result.exit_code == 0, result.output
        table = _csv(result.stdout)
        assert table.select("id", "similarity", "shared_followers").rows() == expected


@pytest.mark.parametrize("suffix", ["parquet", "json", "ndjson"])
def test_output_formats(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"lookalikes.{suffix}"
    result = _run("lookalikes", "--demo", "b001", "--top", "3", "-q", "-o", str(target))
    assert result.exit_code == 0, result.output
    if suffix == "parquet":
        ids = pl.read_parquet(target)["id"].to_list()
    elif suffix == "json":
        ids = [row["id"] for row in json.loads(target.read_text(encoding="utf-8"))]
    else:
        lines = target.read_text(encoding="utf-8").splitlines()
        ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == 3


def test_seeds_without_followers_give_a_header_and_a_note(tmp_path: Path) -> None:
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\nlonely,x\n", encoding="utf-8")
    result = _run("lookalikes", "--follows", str(follows), "lonely", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ",".join(LOOKALIKE_COLUMNS)
    assert "No lookalikes: the seed accounts have no followers" in _flat(result.stderr)


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["--demo"], 2, "Error: Missing argument 'ID [ID...]'."),
        (["--demo", "b001", "nobody"], 1, "Error: account 'nobody' is not in the graph"),
        (["--demo", "b001", "--method", "lsh"], 2,
         "Error: Invalid value for '--method': 'lsh' is not one of 'auto', 'exact', 'minhash'."),
        (["--demo", "b001", "--top", "-1"], 2,
         "Error: Invalid value for '--top': -1 is not in the range x>=0."),
        (["--demo", "b001", "--min-shared", "0"], 2,
         "Error: Invalid value for '--min-shared': 0 is not in the range x>=1."),
        (["--demo", "b001", "--hashes", "0"], 2,
         "Error: Invalid value for '--hashes': 0 is not in the range 1<=x<=4096."),
    ],
)  # fmt: skip
def test_errors(args: list[str], exit_code: int, message: str) -> None:
    result = _run("lookalikes", *args, "-q")
    assert result.exit_code == exit_code
    assert result.stderr.strip().splitlines()[-1] == message


def test_error_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    result = _run("lookalikes", "--demo", "nobody", "-q", "-o", str(target))
    assert result.exit_code == 1
    assert not target.exists()


def test_help_has_an_example() -> None:
    result = _run("lookalikes", "--help")
    assert result.exit_code == 0
    assert "graphkit lookalikes --demo b001" in result.output


def _follows(tmp_path: Path) -> Path:
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\na,x\nb,x\nc,x2\na,y\nb,y\nd,y\nc,z\n", "utf-8")
    return follows


@pytest.mark.parametrize("seed", ["x/", "./x", ""])
def test_first_seed_is_taken_as_typed(tmp_path: Path, seed: str) -> None:
    # The first argument is parsed as INPUT, a path: "x/" and "./x" must not become "x".
    result = _run("lookalikes", "--follows", str(_follows(tmp_path)), seed, "-q")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == f"Error: account {seed!r} is not in the graph"
    assert result.stdout == ""


def test_handle_merged_accounts_and_huge_top(tmp_path: Path) -> None:
    follows = str(_follows(tmp_path))
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("id,handle\nx,@xh\ny,why\n", encoding="utf-8")
    identities = tmp_path / "identities.csv"
    identities.write_text("account,person\nx,px\nx2,px\n", encoding="utf-8")
    result = _run("lookalikes", "--follows", follows, "--accounts", str(accounts), "@XH", "-q")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: account '@XH' is not in the graph; it is the handle of account 'x' (seeds are "
        "account ids)"
    )
    # x and x2 are one person, px: followed by a, b and c.
    for seeds in (["x"], ["x2", "px"]):
        result = _run(
            "lookalikes", "--follows", follows, "--identities", str(identities), *seeds,
            "--top", str(10**30), "-q", "--format", "csv",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        rows = _csv(result.stdout).select("id", "similarity", "shared_followers").rows()
        assert rows == [("y", 0.5, 2), ("z", 1 / 3, 1)]


def test_empty_results_say_why(tmp_path: Path) -> None:
    follows = str(_follows(tmp_path))
    result = _run("lookalikes", "--follows", follows, "x", "y", "z", "a", "b", "c", "d", "x2")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ",".join(LOOKALIKE_COLUMNS)
    assert (
        "No lookalikes: no account besides the seeds shares 1 or more follower with the seed "
        "audience" in _flat(result.stderr)
    )
    # A real circle (followed back, followed by each other) and three fakes that follow x alone:
    # the audit finds the fakes, and the discount leaves x with no audience.
    rows = ["follower,followed", "f0,x", "f1,x", "f2,x", "r0,y", "r1,y"]
    for i in range(20):
        rows += [f"r{i},r{(i + 1) % 20}", f"r{(i + 1) % 20},r{i}", f"r{i},r{(i + 7) % 20}"]
    farmed = tmp_path / "farmed.csv"
    farmed.write_text("\n".join(rows) + "\n", "utf-8")
    result = _run("lookalikes", "--follows", str(farmed), "x", "--discount-suspicious")
    assert result.exit_code == 0, result.output
    assert "(--discount-suspicious left out the followers an audit finds suspicious)" in _flat(
        result.stderr
    )


@pytest.mark.parametrize("method", ["exact", "minhash"])
def test_same_bytes_on_one_and_two_threads(method: str) -> None:
    args = ("lookalikes", "--demo", "b001", "u0664", "--method", method, "--top", "0", "-q")
    outputs = {_run(*args, "--threads", threads).stdout for threads in ("1", "2", "0")}
    assert len(outputs) == 1
    assert len(outputs.pop().splitlines()) > 1000


def test_review_one_seed_follower_reads_in_the_singular(tmp_path: Path) -> None:
    # Was "Seed audience: 1 accounts".
    follows = tmp_path / "f.csv"
    follows.write_text("follower,followed\ny,s\ny,t\nz,t\n", encoding="utf-8")
    result = _run("lookalikes", str(follows), "s")
    assert result.exit_code == 0, result.output
    assert "Seed audience: 1 account; method: exact" in _flat(result.stderr)
    assert _csv(result.stdout)["id"].to_list() == ["t"]
