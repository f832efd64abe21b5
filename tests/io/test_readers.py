"""Readers: formats, header-less edge lists, aliases, types, and where errors point."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
import pytest

from graphkit.errors import InputError, SchemaError
from graphkit.io import ACCOUNTS, FOLLOWS, INTERACTIONS, load_dataset, read_table
from graphkit.io.schema import TIMESTAMP_TYPE


def _write(path, text):
    path.write_bytes(text.encode("utf-8"))
    return path


def test_csv_with_aliases_and_integer_ids(tmp_path):
    path = _write(tmp_path / "f.csv", "src,dst\n1,2\n007,3\n")
    table = read_table(path, FOLLOWS)
    assert table.column_names == ["follower", "followed"]
    assert table.schema.field("follower").type == pa.string()
    assert table.column("follower").to_pylist() == ["1", "007"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 13\n12 14\n", [("12", "13", None), ("12", "14", None)]),
        ("# comment\n# more\n12\t13\t2.5\n", [("12", "13", 2.5)]),
        ("12,13,1\n", [("12", "13", 1.0)]),
        ("0 4 0.5 \n0 12 0.25 \n", [("0", "4", 0.5), ("0", "12", 0.25)]),
    ],
    ids=["space", "tab-comments-weight", "comma-weight", "trailing-space"],
)
def test_headerless_edge_lists(tmp_path, text, expected):
    table = read_table(_write(tmp_path / "edges.txt", text), FOLLOWS)
    weights = table.column("weight").to_pylist() if "weight" in table.column_names else None
    rows = list(
        zip(
            table.column("follower").to_pylist(),
            table.column("followed").to_pylist(),
            weights or [None] * table.num_rows,
            strict=True,
        )
    )
    assert rows == expected


def test_headerless_interactions_take_the_given_type(tmp_path):
    path = _write(tmp_path / "rt.edgelist", "1 2 3\n2 3 1\n")
    table = read_table(path, INTERACTIONS, interaction_type="retweet")
    assert table.column("type").to_pylist() == ["repost", "repost"]
    assert table.column("weight").to_pylist() == [3.0, 1.0]


def test_headerless_activity_format(tmp_path):
    path = _write(tmp_path / "activity.txt", "1 2 1341100972 RT\n1 3 1341100972 MT\n")
    table = read_table(path, INTERACTIONS)
    assert table.column("type").to_pylist() == ["repost", "mention"]
    assert table.column("timestamp")[0].as_py() == datetime(2012, 7, 1, 0, 2, 52, tzinfo=UTC)


def test_headerless_interactions_without_type_is_an_error(tmp_path):
    path = _write(tmp_path / "i.txt", "1 2\n")
    with pytest.raises(SchemaError, match=r"missing required column 'type'.*--interaction-type"):
        read_table(path, INTERACTIONS)


@pytest.mark.parametrize(
    "value",
    [
        "2025-03-04T10:00:00Z",
        "2025-03-04T12:00:00+02:00",
        "2025-03-04 10:00:00",
        "2025-03-04T10:00:00.000Z",
        "1741082400",
    ],
)
def test_timestamp_formats(tmp_path, value):
    path = _write(tmp_path / "i.csv", f"source,target,type,timestamp\na,b,like,{value}\n")
    table = read_table(path, INTERACTIONS)
    assert table.schema.field("timestamp").type == TIMESTAMP_TYPE
    assert table.column("timestamp")[0].as_py() == datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def test_accounts_types_topics_and_passthrough(tmp_path):
    path = _write(
        tmp_path / "accounts.csv",
        "id,handle,kind,topics,followers_count,crm_owner\n"
        "1,@a,Person,cloud; ai,1200,ann\n2,@b,brand,,,\n",
    )
    table = read_table(path, ACCOUNTS)
    assert table.column("kind").to_pylist() == ["person", "brand"]
    assert table.column("topics").to_pylist() == [["cloud", "ai"], []]
    assert table.column("followers_count").to_pylist() == [1200, None]
    assert table.column("crm_owner").to_pylist() == ["ann", None]


def test_empty_kind_cells_are_missing_not_invalid(tmp_path):
    # Regression: an empty kind cell was rejected as "found None".
    path = _write(tmp_path / "accounts.csv", "id,kind\na,person\nb,\nc, \n")
    table = read_table(path, ACCOUNTS)
    assert table.column("kind").to_pylist() == ["person", None, None]


@pytest.mark.parametrize("suffix", ["parquet", "ndjson", "csv.gz"])
def test_other_formats_read_the_same(tmp_path, suffix):
    frame = pl.DataFrame({"follower": [1, 2], "followed": [3, 1], "since": ["2025-01-01"] * 2})
    path = tmp_path / f"follows.{suffix}"
    if suffix == "parquet":
        frame.write_parquet(path)
    elif suffix == "ndjson":
        frame.write_ndjson(path)
    else:
        with gzip.open(path, "wb") as handle:
            handle.write(frame.write_csv().encode())
    table = read_table(path, FOLLOWS)
    assert table.column("follower").to_pylist() == ["1", "2"]
    assert table.column("followed").to_pylist() == ["3", "1"]
    assert table.column("since")[0].as_py() == datetime(2025, 1, 1, tzinfo=UTC)


def test_dataset_folder_and_explicit_files(tmp_path):
    _write(tmp_path / "follows.csv", "follower,followed\na,b\n")
    _write(tmp_path / "accounts.csv", "id,handle\na,@a\n")
    other = _write(tmp_path / "other.csv", "follower,followed\nc,d\n")
    dataset = load_dataset(tmp_path, follows=other)
    assert dataset.follows.column("follower").to_pylist() == ["c"]
    assert dataset.accounts.num_rows == 1
    assert dataset.sources["follows"] == other


def test_two_files_for_one_table(tmp_path):
    _write(tmp_path / "follows.csv", "follower,followed\na,b\n")
    _write(tmp_path / "follows.parquet", "")
    with pytest.raises(InputError, match="two files for the follows table"):
        load_dataset(tmp_path)


@pytest.mark.parametrize(
    ("text", "row", "column", "message"),
    [
        ("follower,followed\na,b\n,c\n", 3, "follower", "empty account id"),
        ("follower,followed,weight\na,b,x1\n", 2, "weight", "not a number: 'x1'"),
        ("follower,followed,weight\na,b,-1\n", 2, "weight", "weight must be a finite number"),
        ("follower,followed\na,b\nc,d,e\n", 3, None, "expected 2 fields, found 3"),
    ],
)
def test_errors_name_row_and_column(tmp_path, text, row, column, message):
    path = _write(tmp_path / "follows.csv", text)
    with pytest.raises(InputError, match=message) as caught:
        read_table(path, FOLLOWS)
    assert caught.value.row == row
    assert caught.value.column == column
    assert caught.value.path == str(path)


def test_error_rows_count_comment_lines(tmp_path):
    path = _write(tmp_path / "edges.txt", "# header comment\n1 2\n3 \n")
    with pytest.raises(InputError) as caught:
        read_table(path, FOLLOWS)
    assert caught.value.row == 3


def test_duplicated_column_meaning(tmp_path):
    path = _write(tmp_path / "follows.csv", "src,follower,followed\na,b,c\n")
    with pytest.raises(SchemaError, match="columns 'src' and 'follower' both mean 'follower'"):
        read_table(path, FOLLOWS)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (b"null", "row 1: expected one JSON object per line (NDJSON)"),
        (b"\xef\xbb\xbf  null{\xff", "row 1: invalid UTF-8 text"),
        (
            b'{"follower": "a", "followed": "b"}\n\n   null\n{"follower": "b", "followed": "c"}\n',
            "row 3: expected one JSON object per line (NDJSON)",
        ),
    ],
)
def test_ndjson_null_line_is_an_input_error(tmp_path, text, error):
    # pyarrow's JSON reader crashes the process on a line that starts with `null` (a fuzzed
    # input, `null{` and a byte of invalid UTF-8, found it), so such files never reach it.
    for name, data in (("follows.ndjson", text), ("follows.ndjson.gz", gzip.compress(text))):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(InputError) as caught:
            read_table(path, FOLLOWS)
        assert error in str(caught.value)


def test_ndjson_blank_lines_spaces_and_byte_order_mark_are_read(tmp_path):
    path = tmp_path / "follows.ndjson"
    path.write_bytes(
        b'\xef\xbb\xbf{"follower": "a", "followed": "b"}\r\n\r\n  \n'
        b'\t {"follower": "b", "followed": "c"}'
    )
    table = read_table(path, FOLLOWS)
    assert table.column("follower").to_pylist() == ["a", "b"]


@pytest.mark.parametrize("blank", ["\x1c", "\x1f ", "\u2028", "\u00a0", "\u3000"])
def test_id_of_unicode_whitespace_only_is_empty(tmp_path, blank):
    path = tmp_path / "follows.csv"
    path.write_text(f"follower,followed\na,b\n{blank},c\n", encoding="utf-8")
    with pytest.raises(InputError, match="row 3, column 'follower': empty account id"):
        read_table(path, FOLLOWS)


def test_ndjson_behind_a_utf16_byte_order_mark_is_an_input_error(tmp_path):
    # Found by the archive fuzzer: UTF-8 lines after a UTF-16 mark, an odd number of bytes.
    path = tmp_path / "follows.ndjson"
    lines = b'{"follower":"a","followed":"b","weight":1}\n{"follower":"b","followed":"c"}\n'
    path.write_bytes(b"\xfe\xff" + lines)
    with pytest.raises(InputError, match="NDJSON is read as UTF-8"):
        read_table(path, FOLLOWS)
