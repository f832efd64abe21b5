"""``graphkit audience``: its first argument is the data when it names a file or folder, else
a selector kept as typed (as ``audit`` and ``lookalikes`` keep their first id)."""

from __future__ import annotations

import io
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner, Result

from graphkit.cli.main import cli


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _dataset(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "follows.csv").write_text(
        "follower,followed\na,x\nb,x\nc,y\nd,y\na,y\nzoë_old,x\n", encoding="utf-8"
    )
    (folder / "accounts.csv").write_text(
        "id,title\na,CTO\nb,CTO\nc,Dev\nd,Dev\nzoë,CTO\n", encoding="utf-8"
    )
    (folder / "identities.csv").write_text("account,person\nzoë_old,zoë\n", encoding="utf-8")
    return folder


def _rows(result: Result) -> list[tuple[str, int]]:
    assert result.exit_code == 0, result.output
    table = pl.read_csv(io.StringIO(result.stdout), schema_overrides={"id": pl.String})
    return table.select("id", "audience_followers").rows()


@pytest.mark.parametrize("selector", ["id=a/", "title~CTO/.", "title~CTO//"])
def test_the_first_selector_is_taken_as_typed(tmp_path: Path, selector: str) -> None:
    # Read as a path, "id=a/" became "id=a", "title~CTO/." and "title~CTO//" "title~CTO".
    folder = _dataset(tmp_path)
    follows, accounts = str(folder / "follows.csv"), str(folder / "accounts.csv")
    result = _run("audience", "--follows", follows, "--accounts", accounts, selector, "-q")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: audience {selector!r} selects no account in the graph"
    )


def test_an_empty_first_selector_is_not_the_current_folder(tmp_path: Path) -> None:
    follows = str(_dataset(tmp_path) / "follows.csv")
    result = _run("audience", "--follows", follows, "", "-q")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: bad audience '': expected a file of ids, FIELD=VALUE or FIELD~REGEX"
    )


def test_a_folder_or_file_given_first_is_the_data(tmp_path: Path) -> None:
    folder = _dataset(tmp_path)
    expected = [("x", 3), ("y", 1)]  # a, b and zoë (merged from zoë_old) follow x
    assert _rows(_run("audience", str(folder), "title~CTO", "--min-support", "1", "-q")) == (
        expected
    )
    assert _rows(_run("audience", f"{folder}/", "title~CTO", "--min-support", "1", "-q")) == (
        expected
    )
    # With the tables named by options, a file of ids given first is a selector.
    ids = tmp_path / "buyers.txt"
    ids.write_text("a\nzoë_old\n", encoding="utf-8")
    result = _run(
        "audience", "--follows", str(folder / "follows.csv"),
        "--identities", str(folder / "identities.csv"), str(ids), "--min-support", "1", "-q",
    )  # fmt: skip
    assert _rows(result) == [("x", 2), ("y", 1)]  # the alias zoë_old is zoë


def test_a_selector_given_first_without_data_is_a_usage_error() -> None:
    result = _run("audience", "title~CTO", "-q")
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "Error: 'title~CTO' is a selector, not a file or folder: give the data first (a "
        "dataset folder or file, --demo, --follows or --interactions)"
    )
