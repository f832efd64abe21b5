"""``graphkit rank`` on bad input: one ``Error: ...`` line, exit 1, no traceback, no output file.

The inputs live in ``tests/data/bad/`` as regression cases; files whose exact bytes matter (BOM,
CRLF, invalid UTF-8, gzip) are stored byte for byte.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"


def data(name: str) -> str:
    """The path of a regression input, as the tests pass it on the command line."""
    return str(BAD / name)


def run(args: list[str]) -> Result:
    # catch_exceptions=False: an unhandled exception fails the test with its traceback instead
    # of passing as an exit code of 1.
    return CliRunner().invoke(cli, args, prog_name="graphkit", catch_exceptions=False)


def assert_failed_cleanly(result: Result, expected_line: str, out_dir: Path) -> None:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.strip().splitlines()[-1] == expected_line
    assert "Traceback" not in result.output
    assert list(out_dir.iterdir()) == [], "no output file and no temporary file may be left"


def read_output(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.mark.parametrize(
    ("options", "expected_line"),
    [
        pytest.param(
            ["--follows", data("missing_column.csv")],
            f"Error: {data('missing_column.csv')}, row 1: missing required column 'followed' "
            "in the follows table (found: follower, friend)",
            id="missing-required-column",
        ),
        pytest.param(
            ["--follows", data("empty.csv")],
            f"Error: {data('empty.csv')}: file is empty (no header and no rows)",
            id="empty-file",
        ),
        pytest.param(
            ["--follows", data("ragged_row.csv")],
            f"Error: {data('ragged_row.csv')}, row 3: expected 2 fields, found 3",
            id="ragged-row-too-many-fields",
        ),
        pytest.param(
            ["--interactions", data("bad_timestamp.csv")],
            f"Error: {data('bad_timestamp.csv')}, row 3, column 'timestamp': unparsable timestamp "
            "'yesterday'; use ISO 8601 (2025-03-04T10:00:00Z) or Unix seconds",
            id="bad-timestamp",
        ),
        pytest.param(
            ["--interactions", data("unknown_type.csv")],
            f"Error: {data('unknown_type.csv')}, row 3, column 'type': unknown interaction type "
            "'poke'; expected one of repost, quote, reply, comment, mention, like "
            "(add types with --weights TYPE=W)",
            id="unknown-interaction-type",
        ),
        pytest.param(
            ["--interactions", data("non_numeric_weight.csv")],
            f"Error: {data('non_numeric_weight.csv')}, row 3, column 'weight': "
            "not a number: 'heavy'",
            id="non-numeric-weight",
        ),
        pytest.param(
            ["--interactions", data("negative_weight.csv")],
            f"Error: {data('negative_weight.csv')}, row 3, column 'weight': "
            "weight must be a finite number >= 0 (found -2.0)",
            id="negative-weight",
        ),
        pytest.param(
            ["--follows", data("truncated.csv.gz")],
            f"Error: {data('truncated.csv.gz')}: truncated or corrupt gzip file",
            id="truncated-gzip",
        ),
        pytest.param(
            # Decompresses to more than the 64 KiB the reader sniffs, so the cut is only met by
            # the table parser; row 26384 is the last complete line before the cut.
            ["--follows", data("truncated_large.csv.gz")],
            f"Error: {data('truncated_large.csv.gz')}: truncated or corrupt gzip file "
            "(after row 26384)",
            id="truncated-gzip-past-sniffed-head",
        ),
        pytest.param(
            ["--follows", data("empty_followed.csv")],
            f"Error: {data('empty_followed.csv')}, row 3, column 'followed': empty account id",
            id="empty-id",
        ),
        pytest.param(
            ["--interactions", data("blank_source.csv")],
            f"Error: {data('blank_source.csv')}, row 3, column 'source': empty account id",
            id="blank-id",
        ),
        pytest.param(
            [data("no_tables")],
            f"Error: {data('no_tables')}: no tables found: expected accounts.*, follows.*, "
            "interactions.* or identities.* (.csv, .csv.gz, .parquet, .ndjson)",
            id="folder-without-tables",
        ),
        pytest.param(
            ["--follows", data("valid_follows.csv"), "--accounts", data("duplicate_ids.csv")],
            f"Error: {data('duplicate_ids.csv')}, row 4, column 'id': duplicate account id 'a'",
            id="duplicate-account-ids",
        ),
        pytest.param(
            ["--follows", data("invalid_utf8.csv")],
            f"Error: {data('invalid_utf8.csv')}, row 3: invalid UTF-8 text; "
            "re-save the file as UTF-8",
            id="invalid-utf8",
        ),
        pytest.param(
            ["--follows", data("valid_follows.csv"), "--accounts", data("latin1_accounts.csv")],
            f"Error: {data('latin1_accounts.csv')}, row 2: invalid UTF-8 text; "
            "re-save the file as UTF-8",
            id="latin1-accounts",
        ),
        pytest.param(
            ["--interactions", data("header_only_interactions.csv")],
            f"Error: {data('header_only_interactions.csv')}: no follow or interaction records: "
            "nothing to rank",
            id="header-only-interactions",
        ),
        pytest.param(
            ["--follows", data("comment_inside_csv.csv")],
            f"Error: {data('comment_inside_csv.csv')}, row 3: expected 2 fields, found 1",
            id="comment-line-inside-csv",
        ),
    ],
)
def test_bad_input_is_one_error_line(options: list[str], expected_line: str, out_dir: Path) -> None:
    result = run(["rank", *options, "-o", str(out_dir / "out.csv")])
    assert_failed_cleanly(result, expected_line, out_dir)


@pytest.mark.parametrize(
    ("weights", "problem"),
    [
        pytest.param("like", "bad weight 'like'", id="without-value"),
        pytest.param("like=1;repost=2", "bad weight 'like=1;repost=2'", id="wrong-separator"),
        pytest.param("like=-1", "bad weight 'like=-1'", id="negative"),
    ],
)
def test_bad_weights_are_usage_errors(weights: str, problem: str, out_dir: Path) -> None:
    result = run(
        ["rank", "--follows", data("valid_follows.csv"), "--weights", weights,
         "-o", str(out_dir / "out.csv")]
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: Invalid value for '--weights': {problem}: expected TYPE=NUMBER with a "
        "number >= 0, e.g. repost=3"
    )
    assert list(out_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("option", "expected_message"),
    [
        pytest.param("--follows", "file not found", id="follows-option"),
        pytest.param("--interactions", "file not found", id="interactions-option"),
        pytest.param(None, "file or folder not found", id="input-argument"),
    ],
)
def test_missing_file(
    option: str | None, expected_message: str, tmp_path: Path, out_dir: Path
) -> None:
    missing = tmp_path / "missing.csv"
    options = [str(missing)] if option is None else [option, str(missing)]
    result = run(["rank", *options, "-o", str(out_dir / "out.csv")])
    assert_failed_cleanly(result, f"Error: {missing}: {expected_message}", out_dir)


def test_missing_accounts_file(tmp_path: Path, out_dir: Path) -> None:
    missing = tmp_path / "accounts.csv"
    options = ["--follows", data("valid_follows.csv"), "--accounts", str(missing)]
    result = run(["rank", *options, "-o", str(out_dir / "out.csv")])
    assert_failed_cleanly(result, f"Error: {missing}: file not found", out_dir)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(["--follows", data("bom_crlf_follows.csv")], id="bom-crlf-csv"),
        pytest.param(["--follows", data("bom_crlf_edges.txt")], id="bom-crlf-edge-list"),
        pytest.param(["--follows", data("valid_follows.csv.gz")], id="gzip-csv"),
        pytest.param([data("bom_crlf_edges.txt")], id="bom-crlf-edge-list-as-input"),
    ],
)
def test_well_formed_variants_succeed(options: list[str], out_dir: Path) -> None:
    output = out_dir / "out.csv"
    result = run(["rank", *options, "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert list(out_dir.iterdir()) == [output]
    rows = read_output(output)
    assert sorted(row["id"] for row in rows) == ["a", "b", "c"]
    assert [row["rank"] for row in rows] == ["1", "2", "3"]


def test_unicode_handles_come_out_intact(out_dir: Path) -> None:
    output = out_dir / "out.csv"
    options = ["--follows", data("valid_follows.csv"), "--accounts", data("unicode_accounts.csv")]
    result = run(["rank", *options, "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert list(out_dir.iterdir()) == [output]
    by_id = {row["id"]: (row["handle"], row["name"]) for row in read_output(output)}
    assert by_id == {
        "a": ("café_müller", "Zoë 李雷 🚀"),
        "b": ("привет", "علي"),
        "c": ("plain", "Plain"),
    }


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--help"], id="graphkit"),
        pytest.param(["-h"], id="graphkit-short"),
        pytest.param(["rank", "--help"], id="rank"),
    ],
)
def test_help_has_examples(args: list[str]) -> None:
    result = run(args)
    assert result.exit_code == 0, result.output
    assert "Example" in result.stdout


def test_regression_inputs_are_small() -> None:
    sizes = {path.name: path.stat().st_size for path in BAD.rglob("*") if path.is_file()}
    assert sizes
    assert {name: size for name, size in sizes.items() if size >= 2048} == {}
