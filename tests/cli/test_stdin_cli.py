"""``-`` reads a table from standard input: CSV, NDJSON, Parquet, gzip, for any one table
option or INPUT; bad rows are named as rows of ``<stdin>``."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from graphkit.cli.main import cli
from graphkit.errors import UsageError
from graphkit.io.remote import Staging
from tests.conftest import PLATFORM_EXPORTS, zip_folder

FOLLOWS = pl.DataFrame(
    {"follower": ["a", "b", "c", "d", "a"], "followed": ["b", "c", "a", "a", "c"]}
)
INTERACTIONS = pl.DataFrame(
    {"source": ["a", "b", "c"], "target": ["b", "a", "a"], "type": ["repost", "reply", "like"]}
)


def run(args: list[str], stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, args, input=stdin, prog_name="graphkit", catch_exceptions=False)


def parquet_bytes(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("stdin", "args", "table"),
    [
        (FOLLOWS.write_csv().encode(), ["--follows", "-"], "follows"),
        (FOLLOWS.write_csv().encode(), ["--follows", "/dev/stdin"], "follows"),
        (FOLLOWS.write_csv(separator="\t").encode(), ["-"], "follows"),
        (gzip.compress(FOLLOWS.write_csv().encode()), ["-"], "follows"),
        (FOLLOWS.write_ndjson().encode(), ["--follows", "-"], "follows"),
        (parquet_bytes(FOLLOWS), ["-"], "follows"),
        (INTERACTIONS.write_csv().encode(), ["-"], "interactions"),
        (
            gzip.compress(INTERACTIONS.write_ndjson().encode()),
            ["--interactions", "-"],
            "interactions",
        ),
    ],
    ids=[
        "csv",
        "dev-stdin",
        "tsv-input",
        "gzip",
        "ndjson",
        "parquet",
        "interactions",
        "ndjson-gzip",
    ],
)
def test_stdin_reads_as_the_file_would(
    stdin: bytes, args: list[str], table: str, tmp_path: Path
) -> None:
    file = tmp_path / f"{table}.csv"
    (FOLLOWS if table == "follows" else INTERACTIONS).write_csv(file)
    from_file = run(
        ["rank", *(str(file) if arg in ("-", "/dev/stdin") else arg for arg in args), "-q"]
    )
    result = run(["rank", *args, "--format", "csv", "-q"], stdin)
    assert result.exit_code == 0, result.output
    assert result.output == from_file.output
    interactions = pl.read_csv(io.StringIO(result.output))["interactions_received"].sum()
    assert interactions == (INTERACTIONS.height if table == "interactions" else 0)


def test_stdin_with_other_tables_from_files(tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("id,name\na,Ann\n", encoding="utf-8")
    result = run(
        ["rank", "--follows", "-", "--accounts", str(accounts), "--format", "csv", "-q"],
        FOLLOWS.write_csv().encode(),
    )
    assert result.exit_code == 0, result.output
    assert (
        pl.read_csv(io.StringIO(result.output)).filter(pl.col("id") == "a")["name"].item() == "Ann"
    )


def test_bad_rows_name_stdin() -> None:
    result = run(["rank", "--follows", "-"], b"follower,followed\na,b\nb,\n")
    assert result.exit_code == 1
    assert result.output == "Error: <stdin>, row 3, column 'followed': empty account id\n"
    result = run(["rank", "-"], b"")
    assert result.exit_code == 1
    assert result.output.startswith("Error: <stdin>: ")
    assert "graphkit-staged" not in result.output


def test_only_one_table_reads_stdin() -> None:
    result = run(["rank", "-", "--accounts", "-"], FOLLOWS.write_csv().encode())
    assert result.exit_code == 2
    assert "only one table can be read from standard input (-), not INPUT and --accounts" in (
        result.output
    )


def test_a_terminal_is_no_table(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(Terminal()))
    with Staging() as staging, pytest.raises(UsageError, match="which is a terminal: pipe"):
        staging.stdin("follows")
    monkeypatch.setattr(sys, "stdin", None)  # graphkit rank - <&-
    with Staging() as staging, pytest.raises(UsageError, match="which is closed: pipe"):
        staging.stdin("follows")


@pytest.mark.slow
def test_piped_into_the_command(tmp_path: Path) -> None:
    """A real pipe into a real process (not seekable, unlike a file)."""
    result = subprocess.run(
        [sys.executable, "-m", "graphkit.cli.entry", "rank", "--follows", "-", "-q"],
        input=FOLLOWS.write_csv().encode(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    ranked = pl.read_csv(io.BytesIO(result.stdout))
    assert ranked.height == 4
    assert ranked["pagerank"].sum() == pytest.approx(1.0)


def test_a_platform_export_piped_in(tmp_path: Path) -> None:
    archive = zip_folder(PLATFORM_EXPORTS / "northwind_x", tmp_path / "x.zip")
    from_file = run(["rank", str(archive), "-q", "--top", "5"])
    piped = run(["rank", "-", "-q", "--top", "5"], archive.read_bytes())
    assert piped.exit_code == 0, piped.output
    assert piped.output == from_file.output
    assert "northwindcloud" in piped.output


@pytest.mark.slow
def test_pipes_the_shell_opens_are_read_once(tmp_path: Path) -> None:
    """``--follows <(zcat follows.csv.gz) --accounts <(...)``: /dev/fd/N pipes, several."""
    script = (
        f"{Path(sys.executable).parent / 'graphkit'} rank -q "
        "--follows <(printf 'follower,followed\\na,b\\nb,a\\nc,a\\n') "
        "--accounts <(printf 'id,name\\na,Ann\\n')"
    )
    result = subprocess.run(["bash", "-c", script], capture_output=True, check=False, timeout=120)
    assert result.returncode == 0, result.stderr.decode()
    ranked = pl.read_csv(io.BytesIO(result.stdout))
    assert ranked.filter(pl.col("id") == "a")["name"].item() == "Ann"
    assert ranked.height == 3
