"""``graphkit rank`` on bad input: one ``Error: ...`` line, exit 1, no traceback, no output file.

The inputs live in ``tests/data/bad/`` as regression cases; files whose exact bytes matter (BOM,
CRLF, invalid UTF-8, gzip) are stored byte for byte.
"""

from __future__ import annotations

import csv
import ctypes
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import polars as pl
import pytest
from _pytest.mark import ParameterSet
from click.testing import CliRunner, Result

import graphkit.io.readers as readers
from graphkit.cli.main import cli
from tests.conftest import PLATFORM_EXPORTS, zip_folder

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


def export(name: str) -> str:
    """The path of a broken platform export in ``tests/data/bad/exports/``."""
    return str(BAD / "exports" / name)


def bad(case_id: str, options: list[str], where: str, message: str) -> ParameterSet:
    """A corpus case: the options of ``graphkit rank`` and the one error line they must give."""
    return pytest.param(options, f"Error: {where}: {message}", id=case_id)


NO_HEADER = (
    "no header row found; a follows file needs a header naming follower, followed (or a "
    "header-less edge list: 'a b', 'a b weight' or 'a b timestamp type')"
)
YEARS = "(graphkit reads the years 0001 to 9999)"
FLOAT_IDS = (
    "account ids must be text or integers, found floating-point numbers (write the ids as text)"
)

# The bad-input corpus: every case is a file (or folder) in tests/data/bad/ and the exact
# error line `graphkit rank` must print for it. Cases that need large or special files
# (a 10 MB line, a symlink loop, an unreadable file) are made at test time: GENERATED below.
# fmt: off
CORPUS = [
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

    # --- delimited text: structure
    bad("short-row", ["--follows", data("short_row.csv")],
        f"{data('short_row.csv')}, row 3", "expected 2 fields, found 1"),
    bad("duplicated-column", ["--follows", data("duplicated_column.csv")],
        f"{data('duplicated_column.csv')}, row 1, column 'follower'", "duplicated column name"),
    bad("two-columns-one-meaning", ["--follows", data("alias_collision.csv")],
        f"{data('alias_collision.csv')}, row 1, column 'follower'",
        "columns 'src' and 'follower' both mean 'follower'"),
    bad("header-only-follows", ["--follows", data("header_only_follows.csv")],
        data("header_only_follows.csv"), "no follow or interaction records: nothing to rank"),
    bad("crlf-ragged-row", ["--follows", data("crlf_ragged_row.csv")],
        f"{data('crlf_ragged_row.csv')}, row 3", "expected 2 fields, found 3"),
    bad("cr-only-line-ends-ragged-row", ["--follows", data("cr_only_ragged_row.csv")],
        f"{data('cr_only_ragged_row.csv')}, row 4", "expected 2 fields, found 1"),
    bad("unclosed-quote", ["--follows", data("unclosed_quote.csv")],
        f"{data('unclosed_quote.csv')}, row 3",
        "a double quote opened in this row is not closed: the quoted value runs on to row 4"),
    bad("stray-quotes-join-lines", ["--follows", data("stray_quotes_join_lines.csv")],
        f"{data('stray_quotes_join_lines.csv')}, row 3",
        "a double quote opened in this row is not closed: the quoted value runs on to row 4"),
    bad("id-with-line-break", ["--follows", data("id_with_line_break.csv")],
        f"{data('id_with_line_break.csv')}, row 3, column 'follower'",
        "account id with a line break: 'b\\nc' (a double quote left open joins the lines that "
        "follow into one value)"),
    bad("edge-list-one-field", ["--follows", data("one_field.txt")],
        f"{data('one_field.txt')}, row 1", NO_HEADER),
    bad("edge-list-five-fields", ["--follows", data("five_fields.txt")],
        f"{data('five_fields.txt')}, row 1", NO_HEADER),
    bad("edge-list-ragged", ["--follows", data("ragged_edge_list.txt")],
        f"{data('ragged_edge_list.txt')}, row 2", "expected 2 fields, found 3"),
    bad("edge-list-bad-weight", ["--follows", data("edge_list_bad_weight.txt")],
        f"{data('edge_list_bad_weight.txt')}, row 2, column 'weight'", "not a number: 'x'"),
    bad("tsv-ragged-row", ["--follows", data("ragged_row.tsv")],
        f"{data('ragged_row.tsv')}, row 3", "expected 2 fields, found 1"),
    bad("semicolon-ragged-row", ["--follows", data("semicolon_ragged_row.csv")],
        f"{data('semicolon_ragged_row.csv')}, row 3", "expected 2 fields, found 3"),
    # --- delimited text: encodings and bytes
    bad("nul-byte", ["--follows", data("nul_byte.csv")],
        f"{data('nul_byte.csv')}, row 3", "NUL byte: not a text table"),
    # (utf16.csv, with its byte-order mark, is read: tests/io/test_sniff.py)
    bad("utf16-without-bom", ["--follows", data("utf16_no_bom.csv")],
        data("utf16_no_bom.csv"),
        "UTF-16 text; re-save the file as UTF-8 or give --encoding utf-16-le (or utf-16-be)"),
    bad("invalid-utf8-header", ["--follows", data("invalid_utf8_header.csv")],
        f"{data('invalid_utf8_header.csv')}, row 1",
        "invalid UTF-8 text; re-save the file as UTF-8"),
    bad("mixed-encodings", ["--follows", data("valid_follows.csv"),
                            "--accounts", data("mixed_encodings.csv")],
        f"{data('mixed_encodings.csv')}, row 4", "invalid UTF-8 text; re-save the file as UTF-8"),
    bad("not-gzip", ["--follows", data("not_gzip.csv.gz")],
        data("not_gzip.csv.gz"), "not a gzip file, though its name ends in .gz"),
    bad("empty-gzip", ["--follows", data("empty.csv.gz")],
        data("empty.csv.gz"), "file is empty (no header and no rows)"),
    # --- values
    bad("nan-weight", ["--interactions", data("nan_weight.csv")],
        f"{data('nan_weight.csv')}, row 3, column 'weight'",
        "weight must be a finite number >= 0 (found nan)"),
    bad("infinite-weight", ["--interactions", data("infinite_weight.csv")],
        f"{data('infinite_weight.csv')}, row 3, column 'weight'",
        "weight must be a finite number >= 0 (found inf)"),
    bad("timestamp-year-99999", ["--interactions", data("timestamp_year_99999.csv")],
        f"{data('timestamp_year_99999.csv')}, row 3, column 'timestamp'",
        f"timestamp out of range: '99999-01-01T00:00:00Z' {YEARS}"),
    bad("timestamp-unix-too-large", ["--interactions", data("timestamp_unix_too_large.csv")],
        f"{data('timestamp_unix_too_large.csv')}, row 3, column 'timestamp'",
        f"timestamp out of range: '1e300' {YEARS}"),
    bad("timestamp-year-0", ["--interactions", data("timestamp_year_0.csv")],
        f"{data('timestamp_year_0.csv')}, row 3, column 'timestamp'",
        f"timestamp out of range: '0000-12-31T00:00:00Z' {YEARS}"),
    bad("empty-type", ["--interactions", data("empty_type.csv")],
        f"{data('empty_type.csv')}, row 3, column 'type'",
        "unknown interaction type ''; expected one of repost, quote, reply, comment, mention, "
        "like (add types with --weights TYPE=W)"),
    bad("followers-count-beyond-int64", ["--follows", data("valid_follows.csv"),
                                         "--accounts", data("followers_count_too_large.csv")],
        f"{data('followers_count_too_large.csv')}, row 3, column 'followers_count'",
        "whole number out of range (at most 2**63 - 1): '99999999999999999999999'"),
    bad("followers-count-fraction", ["--follows", data("valid_follows.csv"),
                                     "--accounts", data("followers_count_fraction.csv")],
        f"{data('followers_count_fraction.csv')}, row 3, column 'followers_count'",
        "not a whole number: '1.5'"),
    bad("unknown-kind", ["--follows", data("valid_follows.csv"),
                         "--accounts", data("unknown_kind.csv")],
        f"{data('unknown_kind.csv')}, row 3, column 'kind'",
        "kind must be one of person, brand or empty (found 'robot')"),
    bad("accounts-without-id", ["--follows", data("valid_follows.csv"),
                                "--accounts", data("accounts_without_id.csv")],
        f"{data('accounts_without_id.csv')}, row 1",
        "missing required column 'id' in the accounts table (found: handle, name)"),
    bad("identities-without-person", ["--follows", data("valid_follows.csv"),
                                      "--identities", data("identities_without_person.csv")],
        f"{data('identities_without_person.csv')}, row 1",
        "missing required column 'person' in the identities table (found: account)"),
    bad("invalid-toml-config",
        ["--follows", data("valid_follows.csv"), "--config", data("bad.toml")],
        data("bad.toml"), "invalid TOML (Invalid value (at end of document))"),
    # --- Parquet
    bad("truncated-parquet", ["--follows", data("truncated.parquet")],
        data("truncated.parquet"), "not a Parquet file, or a truncated one (no Parquet footer)"),
    bad("text-named-parquet", ["--follows", data("not_parquet.parquet")],
        data("not_parquet.parquet"), "not a Parquet file, or a truncated one (no Parquet footer)"),
    bad("parquet-missing-column", ["--follows", data("missing_column.parquet")],
        data("missing_column.parquet"),
        "missing required column 'followed' in the follows table (found: follower, friend)"),
    bad("parquet-float-ids", ["--follows", data("float_ids.parquet")],
        f"{data('float_ids.parquet')}, column 'follower'", FLOAT_IDS),
    bad("parquet-null-id", ["--follows", data("null_id.parquet")],
        f"{data('null_id.parquet')}, row 2, column 'follower'", "empty account id"),
    bad("parquet-nan-weight", ["--interactions", data("nan_weight.parquet")],
        f"{data('nan_weight.parquet')}, row 2, column 'weight'",
        "weight must be a finite number >= 0 (found nan)"),
    bad("parquet-struct-id", ["--follows", data("struct_id.parquet")],
        f"{data('struct_id.parquet')}, column 'follower'",
        "expected text, found struct<id: int64>"),
    bad("parquet-timestamp-out-of-range",
        ["--interactions", data("timestamp_out_of_range.parquet")],
        f"{data('timestamp_out_of_range.parquet')}, row 2, column 'timestamp'",
        f"timestamp out of range: 4611686018427387904 ms since 1970 {YEARS}"),
    bad("parquet-invalid-utf8", ["--follows", data("invalid_utf8.parquet")],
        f"{data('invalid_utf8.parquet')}, row 2, column 'follower'", "invalid UTF-8 text"),
    bad("parquet-without-rows", ["--follows", data("no_rows.parquet")],
        data("no_rows.parquet"), "no follow or interaction records: nothing to rank"),
    # --- NDJSON
    bad("ndjson-invalid-json", ["--follows", data("bad_json.ndjson")],
        f"{data('bad_json.ndjson')}, row 2",
        "invalid JSON (Expecting property name enclosed in double quotes)"),
    bad("ndjson-array", ["--follows", data("array.ndjson")],
        f"{data('array.ndjson')}, row 1", "expected one JSON object per line (NDJSON)"),
    bad("ndjson-empty", ["--follows", data("empty.ndjson")],
        data("empty.ndjson"), "file is empty (no records)"),
    bad("ndjson-missing-column", ["--follows", data("missing_column.ndjson")],
        data("missing_column.ndjson"),
        "missing required column 'followed' in the follows table (found: follower)"),
    bad("ndjson-mixed-types", ["--follows", data("mixed_types.ndjson")],
        f"{data('mixed_types.ndjson')}, row 2, column 'follower'",
        "text here but a number on row 1: write every value of a column the same way (ids as "
        "JSON strings)"),
    bad("json-document-not-a-table", ["--follows", data("activity_streams.json")],
        data("activity_streams.json"),
        "missing required column 'follower' in the follows table (found: @context, type, "
        "orderedItems)"),
    bad("ndjson-nested-id", ["--follows", data("nested_id.ndjson")],
        f"{data('nested_id.ndjson')}, column 'follower'",
        "expected text, found struct<id: int64>"),
    bad("ndjson-truncated-gzip", ["--follows", data("truncated.ndjson.gz")],
        data("truncated.ndjson.gz"), "truncated or corrupt gzip file (after row 17)"),
    bad("ndjson-nan-weight", ["--interactions", data("nan_weight.ndjson")],
        f"{data('nan_weight.ndjson')}, row 2, column 'weight'",
        "weight must be a finite number >= 0 (found nan)"),
    bad("ndjson-negative-weight", ["--interactions", data("negative_weight.ndjson")],
        f"{data('negative_weight.ndjson')}, row 1, column 'weight'",
        "weight must be a finite number >= 0 (found -1.0)"),
    bad("ndjson-integer-id-beyond-64-bits", ["--follows", data("integer_beyond_64_bits.ndjson")],
        f"{data('integer_beyond_64_bits.ndjson')}, column 'follower'", FLOAT_IDS),
    bad("ndjson-invalid-utf8", ["--follows", data("invalid_utf8.ndjson")],
        f"{data('invalid_utf8.ndjson')}, row 2", "invalid UTF-8 text; re-save the file as UTF-8"),
    # --- paths and folders
    bad("folder-given-as-file", ["--follows", data("no_tables")],
        data("no_tables"), "is a directory, expected a file"),
    bad("two-files-for-one-table", [data("two_follows_tables")],
        data("two_follows_tables"),
        "two files for the follows table: follows.csv and follows.ndjson"),
    # --- platform exports
    bad("x-without-account-js", ["--export", "x:" + export("x_without_account")],
        export("x_without_account"),
        "no data/account.js: cannot tell whose archive this is (is the archive complete?)"),
    bad("x-without-assignment", ["--export", "x:" + export("x_without_assignment")],
        export("x_without_assignment/data/follower.js"),
        "does not start with 'window.YTD.follower.part0 = ': not a data file of an X archive"),
    bad("x-truncated-json", ["--export", "x:" + export("x_truncated_json")],
        f"{export('x_truncated_json/data/follower.js')}, row 5",
        "invalid JSON (Unterminated string starting at)"),
    bad("x-item-without-account-id", ["--export", "x:" + export("x_item_without_account_id")],
        export("x_item_without_account_id/data/follower.js"), "item 2 has no follower.accountId"),
    bad("x-bad-created-at", ["--export", "x:" + export("x_bad_created_at")],
        export("x_bad_created_at/data/tweets.js"),
        "item 1 has an unparsable created_at 'yesterday at noon' (expected e.g. "
        "'Wed Oct 10 20:19:24 +0000 2018')"),
    bad("x-invalid-utf8", ["--export", "x:" + export("x_invalid_utf8")],
        f"{export('x_invalid_utf8/data/follower.js')}, row 4", "not UTF-8 text"),
    bad("x-object-not-array", ["--export", "x:" + export("x_object_not_array")],
        export("x_object_not_array/data/following.js"),
        "expected a JSON array after the window.YTD assignment"),
    bad("x-archive-given-as-linkedin", ["--export", "linkedin:" + export("x_bad_created_at")],
        export("x_bad_created_at"), "this is an X archive, not a LinkedIn export; import it as x"),
    bad("linkedin-without-profile", ["--export", "linkedin:" + export("linkedin_without_profile")],
        export("linkedin_without_profile"),
        "no Profile.csv beside Connections.csv: the export does not say whose connections these "
        "are; name their owner with --owner NAME_OR_URL (their name as their profile shows it, "
        "or their profile URL), or import the whole LinkedIn export (zip or folder)"),
    bad("linkedin-bad-url", ["--export", "linkedin:" + export("linkedin_bad_url")],
        f"{export('linkedin_bad_url/Connections.csv')}, row 6, column 'URL'",
        "not a LinkedIn profile URL: 'https://example.com/zoe'"),
    bad("linkedin-bad-date", ["--export", "linkedin:" + export("linkedin_bad_date")],
        f"{export('linkedin_bad_date/Connections.csv')}, row 5, column 'Connected On'",
        "unparsable date 'the day we met' (expected e.g. '15 Mar 2024')"),
    bad("linkedin-ragged-row", ["--export", "linkedin:" + export("linkedin_ragged_row")],
        f"{export('linkedin_ragged_row/Connections.csv')}, row 6",
        "8 cells where the header has 7"),
    bad("linkedin-truncated", ["--export", "linkedin:" + export("linkedin_truncated")],
        f"{export('linkedin_truncated/Connections.csv')}, row 5",
        "truncated or malformed CSV (unexpected end of data)"),
    bad("mastodon-actor-without-id",
        ["--export", "mastodon:" + export("mastodon_actor_without_id")],
        export("mastodon_actor_without_id/actor.json"),
        "no actor id and preferredUsername: cannot tell whose export this is"),
    bad("mastodon-outbox-not-a-collection",
        ["--export", "mastodon:" + export("mastodon_outbox_not_a_collection")],
        export("mastodon_outbox_not_a_collection/outbox.json"),
        "not an ActivityStreams collection: no orderedItems list"),
    bad("mastodon-bad-published", ["--export", "mastodon:" + export("mastodon_bad_published")],
        export("mastodon_bad_published/outbox.json"),
        "item 1 has an unparsable published time 'last tuesday'"),
    bad("mastodon-bad-address", ["--export", "mastodon:" + export("mastodon_bad_address")],
        f"{export('mastodon_bad_address/following_accounts.csv')}, row 3, column 'Account address'",
        "not an account address (name@server): 'not an address'"),
    bad("mastodon-truncated-likes", ["--export", "mastodon:" + export("mastodon_truncated_likes")],
        f"{export('mastodon_truncated_likes/likes.json')}, row 1",
        "invalid JSON (Unterminated string starting at)"),
    bad("json-that-is-not-an-export", ["--export", export("not_an_export.json")],
        export("not_an_export.json"),
        "not a platform export (expected an X archive, a LinkedIn export, a Mastodon export)"),
]
# fmt: on


@pytest.mark.parametrize(("options", "expected_line"), CORPUS)
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


# --- cases made at test time: too large to store, or not storable in git -------------------

TEN_MB = 10 << 20
LOOP = "symbolic link loop (too many levels of symbolic links)"


def _symlink_loop(tmp: Path) -> tuple[list[str], str]:
    loop = tmp / "follows.csv"
    loop.symlink_to(loop)
    return ["--follows", str(loop)], f"{loop}: {LOOP}"


def _symlink_loop_folder(tmp: Path) -> tuple[list[str], str]:
    loop = tmp / "dataset"
    loop.symlink_to(loop)
    return [str(loop)], f"{loop}: {LOOP}"


def _broken_symlink(tmp: Path) -> tuple[list[str], str]:
    link = tmp / "follows.csv"
    link.symlink_to(tmp / "gone.csv")
    return ["--follows", str(link)], (
        f"{link}: broken symbolic link (it points to {tmp / 'gone.csv'}, which does not exist)"
    )


def _ten_mb_value(tmp: Path) -> tuple[list[str], str]:
    path = tmp / "interactions.csv"
    path.write_text("source,target,type,weight\na,b,like,1\nb,c,like," + "9x" * (TEN_MB // 2))
    shown = "'" + "9x" * 30 + f"...' ({TEN_MB:,} characters)"
    return ["--interactions", str(path)], f"{path}, row 3, column 'weight': not a number: {shown}"


def _ten_mb_line_without_delimiters(tmp: Path) -> tuple[list[str], str]:
    path = tmp / "follows.csv"
    path.write_bytes(b"follower,followed\na,b\n" + b"z" * TEN_MB + b"\nb,a\n")
    return ["--follows", str(path)], f"{path}, row 3: expected 2 fields, found 1"


def _ten_mb_line_of_fields(tmp: Path) -> tuple[list[str], str]:
    path = tmp / "follows.csv"
    path.write_bytes(b"follower,followed\na,b\n" + b"z," * (TEN_MB // 2) + b"\nb,a\n")
    return ["--follows", str(path)], f"{path}, row 3: expected 2 fields, found {TEN_MB // 2 + 1}"


def _nul_past_the_sniffed_head(tmp: Path) -> tuple[list[str], str]:
    path = tmp / "follows.csv"
    rows = [f"u{i},u{i + 1}" for i in range(20_000)]  # about 230 KB: past the 64 KiB head
    rows[15_000] = "u1,\x00u2"
    path.write_text("follower,followed\n" + "\n".join(rows) + "\n")
    return ["--follows", str(path)], (
        f"{path}, row 15002, column 'followed': account id with a NUL byte: '\\x00u2'"
    )


def _invalid_utf8_past_the_sniffed_head(tmp: Path) -> tuple[list[str], str]:
    path = tmp / "follows.csv"
    rows = [f"u{i},u{i + 1}".encode() for i in range(20_000)]
    rows[18_000] = b"u1,caf\xe9"
    path.write_bytes(b"follower,followed\n" + b"\n".join(rows) + b"\n")
    return ["--follows", str(path)], (
        f"{path}, row 18002: invalid UTF-8 text; re-save the file as UTF-8"
    )


def _truncated_zip_export(tmp: Path) -> tuple[list[str], str]:
    archive = zip_folder(PLATFORM_EXPORTS / "maya_x", tmp / "maya.zip")
    archive.write_bytes(archive.read_bytes()[:-100])
    return ["--export", f"x:{archive}"], (
        f"{archive}: not a readable zip archive, truncated or corrupt (File is not a zip file)"
    )


def _empty_zip_export(tmp: Path) -> tuple[list[str], str]:
    (tmp / "nothing").mkdir()
    archive = zip_folder(tmp / "nothing", tmp / "empty.zip")
    return ["--export", str(archive)], f"{archive}: empty archive: it holds no files"


def _truncated_tar_export(tmp: Path) -> tuple[list[str], str]:
    archive = tmp / "hana.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(PLATFORM_EXPORTS / "hana_mastodon", arcname=".")
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    return ["--export", f"mastodon:{archive}"], (
        f"{archive}: not a readable tar archive, truncated or corrupt (Compressed file ended "
        "before the end-of-stream marker was reached)"
    )


def _symlink_loop_in_export(tmp: Path) -> tuple[list[str], str]:
    folder = tmp / "maya"
    shutil.copytree(PLATFORM_EXPORTS / "maya_x", folder)
    (folder / "data" / "loop.js").symlink_to(folder / "data" / "loop.js")
    (folder / "data" / "follower.js").write_text("window.YTD.follower.part0 = [")
    return ["--export", f"x:{folder}"], (
        f"{folder}/data/follower.js, row 1: truncated JSON: the file ends too early"
    )


GENERATED = {
    "symlink-loop": _symlink_loop,
    "symlink-loop-as-dataset-folder": _symlink_loop_folder,
    "broken-symlink": _broken_symlink,
    "10mb-value-is-quoted-short": _ten_mb_value,
    "10mb-line-without-delimiters": _ten_mb_line_without_delimiters,
    "10mb-line-of-fields": _ten_mb_line_of_fields,
    "nul-byte-past-the-sniffed-head": _nul_past_the_sniffed_head,
    "invalid-utf8-past-the-sniffed-head": _invalid_utf8_past_the_sniffed_head,
    "truncated-zip-export": _truncated_zip_export,
    "empty-zip-export": _empty_zip_export,
    "truncated-tar-export": _truncated_tar_export,
    "symlink-loop-inside-an-export": _symlink_loop_in_export,
}


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_generated_bad_input_is_one_error_line(case: str, tmp_path: Path, out_dir: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    options, expected = GENERATED[case](inputs)
    result = run(["rank", *options, "-o", str(out_dir / "out.csv")])
    assert_failed_cleanly(result, f"Error: {expected}", out_dir)


def test_row_longer_than_a_csv_block(tmp_path: Path, out_dir: Path, monkeypatch) -> None:
    """A row may straddle two parse blocks, not three: with 1 MiB blocks (64 MiB in use), a
    3 MiB row is refused by name."""
    monkeypatch.setattr(readers, "_CSV_BLOCK_SIZE", 1 << 20)
    path = tmp_path / "follows.csv"
    path.write_bytes(b"follower,followed\na,b\n" + b"y" * (3 << 20) + b",b\nb,a\n")
    result = run(["rank", "--follows", str(path), "-o", str(out_dir / "out.csv")])
    assert_failed_cleanly(
        result,
        f"Error: {path}, row 3: row longer than 1 MiB, the most one row may hold",
        out_dir,
    )


def test_ndjson_line_longer_than_a_json_block(tmp_path: Path, out_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(readers, "_BLOCK_SIZE", 1 << 20)  # 16 MiB in use
    path = tmp_path / "follows.ndjson"
    path.write_text('{"follower":"a","followed":"b"}\n{"follower":"' + "y" * (3 << 20) + '"}\n')
    result = run(["rank", "--follows", str(path), "-o", str(out_dir / "out.csv")])
    assert_failed_cleanly(
        result,
        f"Error: {path}, row 2: line longer than 1 MiB ({(3 << 20) + 15:,} bytes), the most one "
        "NDJSON record may hold",
        out_dir,
    )


# --- hostile but valid: these must work, exactly -------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected_ids"),
    [
        pytest.param(["--follows", data("huge_integer_ids.csv")],
                     ["1", "123456789012345678901234567890", "2"], id="huge-integer-ids"),
        pytest.param(["--follows", data("unsigned_64_bit_ids.parquet")],
                     ["18446744073709551615", "7"], id="unsigned-64-bit-ids"),
        pytest.param(["--follows", data("ids_with_commas_and_quotes.csv")],
                     ['a,b', 'c "the" d', "e"], id="ids-with-commas-and-quotes"),
    ],
)  # fmt: skip
def test_hostile_but_valid_ids_come_out_exactly(
    options: list[str], expected_ids: list[str], out_dir: Path
) -> None:
    output = out_dir / "out.csv"
    result = run(["rank", *options, "--top", "0", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert sorted(row["id"] for row in read_output(output)) == sorted(expected_ids)


def test_a_10mb_id_is_read_and_written_whole(tmp_path: Path, out_dir: Path) -> None:
    long_id = "L" * TEN_MB
    path = tmp_path / "follows.csv"
    path.write_text(f"follower,followed\n{long_id},b\nb,a\n")
    output = out_dir / "out.csv"
    result = run(["rank", "--follows", str(path), "-o", str(output)])
    assert result.exit_code == 0, result.output
    ids = pl.read_csv(output, infer_schema=False)["id"].to_list()
    assert sorted(ids, key=len) == ["a", "b", long_id]


# --- unreadable files: tests run as root in CI ---------------------------------------------


def _drop_file_permission_bypass() -> None:
    """In the child, before exec: drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the
    bounding set, so that even root is refused a file of mode 000."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _can_drop_permission_bypass() -> bool:
    probe = subprocess.run(["true"], preexec_fn=_drop_file_permission_bypass, check=False)
    return probe.returncode == 0


def _run_unprivileged(args: list[str]) -> tuple[int, str]:
    """Run graphkit where file permissions apply: in-process for an ordinary user; as root, in a
    child process without the capabilities that let root read any file."""
    if os.geteuid() != 0:
        result = run(args)
        return result.exit_code, result.stderr
    process = subprocess.run(
        [sys.executable, "-m", "graphkit.cli.main", *args], cwd=BAD.parents[2], capture_output=True,
        text=True, preexec_fn=_drop_file_permission_bypass, check=False,
    )  # fmt: skip
    return process.returncode, process.stderr


def _unreadable_file(tmp: Path) -> tuple[list[str], str]:
    path = tmp / "follows.csv"
    path.write_text("follower,followed\na,b\n")
    path.chmod(0)
    return ["--follows", str(path)], f"{path}: permission denied"


def _unreadable_folder(tmp: Path) -> tuple[list[str], str]:
    folder = tmp / "dataset"
    folder.mkdir()
    (folder / "follows.csv").write_text("follower,followed\na,b\n")
    folder.chmod(0)
    return [str(folder)], f"{folder}: cannot read folder (Permission denied)"


def _unreadable_table_in_folder(tmp: Path) -> tuple[list[str], str]:
    folder = tmp / "dataset"
    folder.mkdir()
    (folder / "follows.csv").write_text("follower,followed\na,b\n")
    (folder / "accounts.csv").write_text("id\na\n")
    (folder / "accounts.csv").chmod(0)
    return [str(folder)], f"{folder / 'accounts.csv'}: permission denied"


def _unreadable_export_file(tmp: Path) -> tuple[list[str], str]:
    folder = tmp / "maya"
    shutil.copytree(PLATFORM_EXPORTS / "maya_x", folder)
    (folder / "data" / "follower.js").chmod(0)
    return ["--export", f"x:{folder}"], (
        f"{folder}/data/follower.js: cannot read file (Permission denied)"
    )


def _unreadable_config(tmp: Path) -> tuple[list[str], str]:
    config = tmp / "weights.toml"
    config.write_text("[weights]\nlike = 0\n")
    config.chmod(0)
    return ["--follows", data("valid_follows.csv"), "--config", str(config)], (
        f"{config}: cannot read file (Permission denied)"
    )


UNREADABLE = {
    "unreadable-file": _unreadable_file,
    "unreadable-folder": _unreadable_folder,
    "unreadable-table-in-folder": _unreadable_table_in_folder,
    "unreadable-export-file": _unreadable_export_file,
    "unreadable-config": _unreadable_config,
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(UNREADABLE))
def test_unreadable_input_is_one_error_line(case: str, tmp_path: Path, out_dir: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    options, expected = UNREADABLE[case](inputs)
    args = ["rank", *options, "-o", str(out_dir / "out.csv")]
    try:
        if os.geteuid() == 0 and not _can_drop_permission_bypass():
            # Root that may not give up its capabilities reads any file: say so by asserting
            # it, rather than skipping.
            result = run(args)
            assert result.exit_code == 0, result.output
            return
        code, stderr = _run_unprivileged(args)
    finally:
        for path in inputs.rglob("*"):
            path.chmod(0o755)
        inputs.chmod(0o755)
    assert code == 1, stderr
    assert stderr.strip().splitlines()[-1] == f"Error: {expected}"
    assert "Traceback" not in stderr
    assert list(out_dir.iterdir()) == []


# --- the corpus itself ---------------------------------------------------------------------


def test_corpus_counts_and_every_stored_case_is_used() -> None:
    cases = len(CORPUS) + len(GENERATED) + 2 + len(UNREADABLE)  # +2: rows over a block
    assert cases >= 50
    # The README's "Guarantees and limits" gives these counts: update it with them.
    assert len(CORPUS) == 93
    assert len(GENERATED) + 2 + len(UNREADABLE) == 19
    used = " ".join(" ".join(case.values[0]) for case in CORPUS) + " " + " ".join(
        data(name) for name in ("valid_follows.csv", "valid_follows.csv.gz", "unicode_accounts.csv",
                                "bom_crlf_follows.csv", "bom_crlf_edges.txt",
                                "huge_integer_ids.csv", "unsigned_64_bit_ids.parquet",
                                "ids_with_commas_and_quotes.csv", "utf16.csv")
    )  # fmt: skip
    stored = {path for path in BAD.iterdir() if not path.name.startswith(".")}
    stored |= set((BAD / "exports").iterdir())
    stored.discard(BAD / "exports")
    unused = sorted(str(path.relative_to(BAD)) for path in stored if str(path) not in used)
    assert unused == []
