"""Text tables: the delimiter sniffed from several lines with quotes respected, and encodings."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.app import Sources, load
from graphkit.cli.main import cli
from graphkit.errors import InputError, UsageError
from graphkit.io import ACCOUNTS, FOLLOWS, load_dataset, read_table
from graphkit.io.sniff import (
    TextFormat,
    delimiter_option,
    encoding_option,
    reading_as,
    sniff_delimiter,
)

BAD = Path(__file__).parents[1] / "data" / "bad"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # A quoted comma in a semicolon file's header (the first line alone says comma).
        (['"name, full";id;followers', '"Doe, J";1;2', "x;2;3"], ";"),
        (['id,"a;b"', "1,2", "3,4"], ","),
        (["id\tname, with comma\tx", "1\ta, b\t2"], "\t"),
        (["id|name", "1|a,b", "2|c;d"], "|"),
        (["a b", "c d"], " "),
        (["a b weight", "c d 2"], " "),
        (["# a comment, with a comma", "follower;followed", "a;b"], ";"),
        # The most later lines agreeing wins over a first line that a candidate splits more.
        (["a,b;c;d", "1,2", "3,4", "5,6"], ","),
        (["follower,followed"], ","),
        (["single"], " "),
        ([], ","),
    ],
)
def test_sniffed_delimiter(lines: list[str], expected: str) -> None:
    assert sniff_delimiter(lines, complete=True) == expected


def test_a_last_line_cut_short_is_left_out() -> None:
    lines = ["a;b;c", "1;2;3", "4;5,6,7,8,9"]  # the last line ends mid-field
    assert sniff_delimiter(lines, complete=False) == ";"


_FIELD = st.text(alphabet=st.sampled_from(list('ab ,;|"\t1é')), max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    n_columns=st.integers(2, 5),
    rows=st.lists(st.lists(_FIELD, min_size=5, max_size=5), min_size=1, max_size=8),
)
def test_written_delimiter_is_found_or_an_equally_consistent_one(
    delimiter: str, n_columns: int, rows: list[list[str]]
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    header = [f"c{index}" for index in range(n_columns)]
    writer.writerow(header)
    for row in rows:
        writer.writerow(row[:n_columns])
    lines = buffer.getvalue().split("\n")[:-1]
    if any("\n" in field or "\r" in field for row in rows for field in row):
        return
    sniffed = sniff_delimiter(lines, complete=True)
    # The header (plain names) splits only on the written delimiter; every row agrees with it.
    assert sniffed == delimiter, lines


def test_quoted_comma_header_in_a_semicolon_file_reads(tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text('id;"name, full";title\nu1;"Doe, Jane";CTO\nu2;Roe;"VP; Sales"\n')
    table = read_table(path, ACCOUNTS)
    assert table.column("id").to_pylist() == ["u1", "u2"]
    assert table.column("name, full").to_pylist() == ["Doe, Jane", "Roe"]
    assert table.column("title").to_pylist() == ["CTO", "VP; Sales"]


def _cp1252(tmp_path: Path, name: str = "follows.csv") -> Path:
    path = tmp_path / name
    path.write_bytes("follower,followed\nJosé,Renée\nRenée,Zoë\n€uro,José\n".encode("cp1252"))
    return path


def test_cp1252_is_refused_without_and_read_with_encoding(tmp_path: Path) -> None:
    path = _cp1252(tmp_path)
    with pytest.raises(InputError, match="invalid UTF-8"):
        read_table(path, FOLLOWS)
    with reading_as(TextFormat(encoding="cp1252")):
        table = read_table(path, FOLLOWS)
    assert table.column("follower").to_pylist() == ["José", "Renée", "€uro"]
    assert table.column("followed").to_pylist() == ["Renée", "Zoë", "José"]


@pytest.mark.parametrize("stream", [False, True])
def test_encoded_gzip_and_streamed_files_read_alike(tmp_path: Path, stream: bool) -> None:
    rows = [f"accountté{index},other{index % 7}" for index in range(5000)]
    text = "follower;followed\n" + "\n".join(row.replace(",", ";") for row in rows) + "\n"
    plain = tmp_path / "follows.csv"
    plain.write_bytes(text.encode("utf-16"))
    packed = tmp_path / "packed.csv.gz"
    packed.write_bytes(gzip.compress(text.encode("cp1252")))
    reference = tmp_path / "reference.csv"
    reference.write_text(text, encoding="utf-8")

    def follows(path: Path) -> pa.Table:
        return pa.concat_tables(load_dataset(follows=path, stream=stream).pieces("follows"))

    expected = follows(reference)
    assert expected.num_rows == 5000
    assert follows(plain).equals(expected)  # UTF-16, recognised by its byte-order mark
    with reading_as(TextFormat(encoding="cp1252")):
        assert follows(packed).equals(expected)


def test_byte_order_marks(tmp_path: Path) -> None:
    text = "follower,followed\nä,b\n"
    for encoding in ("utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"):
        path = tmp_path / f"{encoding}.csv"
        data = text.encode(encoding)
        if encoding in ("utf-16-le", "utf-16-be"):
            data = ("\ufeff" + text).encode(encoding)  # the BOM written by hand
        path.write_bytes(data)
        assert read_table(path, FOLLOWS).column("follower").to_pylist() == ["ä"], encoding
    stored = read_table(BAD / "utf16.csv", FOLLOWS)
    assert stored.num_rows > 0


def test_undecodable_bytes_name_the_encoding_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "follows.csv"
    path.write_bytes(b"follower,followed\na,b\n\x81,c\n")
    with reading_as(TextFormat(encoding="cp1252")), pytest.raises(InputError) as error:
        read_table(path, FOLLOWS)
    assert str(error.value) == (
        f"{path}: not cp1252 text: b'\\x81' at byte 22 (character maps to <undefined>); "
        "give the file's encoding with --encoding"
    )


def test_a_chosen_delimiter_is_named_in_field_count_errors(tmp_path: Path) -> None:
    path = tmp_path / "follows.csv"
    path.write_text('follower;followed;"note, x"\na;b;1\n')
    with reading_as(TextFormat(delimiter=",")), pytest.raises(InputError) as error:
        read_table(path, FOLLOWS)
    assert str(error.value).endswith(
        "row 2: expected 2 fields, found 1 (read as ','-separated UTF-8)"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [(",", ","), (";", ";"), ("|", "|"), ("tab", "\t"), ("TAB", "\t"), ("\\t", "\t"),
     ("\t", "\t"), ("space", " ")],
)  # fmt: skip
def test_delimiter_option(value: str, expected: str) -> None:
    assert delimiter_option(value) == expected


@pytest.mark.parametrize("value", ["", "x", ",,", "comma", "::"])
def test_bad_delimiter_option(value: str) -> None:
    with pytest.raises(ValueError, match="is not one of"):
        delimiter_option(value)


def test_encoding_option() -> None:
    assert encoding_option("CP1252") == "cp1252"
    assert encoding_option("latin-1") == "iso8859-1"
    for bad in ("nope", "rot13", "base64"):
        with pytest.raises(ValueError, match="encoding"):
            encoding_option(bad)


def test_sources_check_delimiter_and_encoding(tmp_path: Path) -> None:
    path = _cp1252(tmp_path)
    with pytest.raises(UsageError, match="unknown encoding"):
        load(Sources(follows=path, encoding="klingon"))
    with pytest.raises(UsageError, match="is not one of"):
        load(Sources(follows=path, delimiter="x"))
    loaded = load(Sources(follows=path, encoding="cp1252", delimiter=","))
    assert loaded.graph.n_nodes == 4


def test_cli_options(tmp_path: Path) -> None:
    path = _cp1252(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["rank", "--follows", str(path), "--encoding", "cp1252", "-q"])
    assert result.exit_code == 0, result.output
    assert "Renée" in result.stdout
    assert "€uro" in result.stdout
    result = runner.invoke(cli, ["rank", "--follows", str(path), "--delimiter", "x"])
    assert result.exit_code == 2
    assert "Invalid value for '--delimiter': 'x' is not one of , ; | tab space" in result.stderr


@pytest.mark.parametrize(
    "text",
    [
        "google-oauth2|101 google-oauth2|202\ngoogle-oauth2|202 google-oauth2|303\n",
        "auth0|101,auth0|202\nauth0|202,auth0|303\n",
    ],
)
def test_headerless_ids_holding_a_pipe_split_as_before(tmp_path: Path, text: str) -> None:
    # The pipe splits more fields ('google-oauth2', '101 google-oauth2', '202': a weight):
    # a header-less edge list is split by its first line as before the sniffing.
    path = tmp_path / "edges.txt"
    path.write_text(text)
    table = read_table(path, FOLLOWS)
    assert table.column_names == ["follower", "followed"]
    assert table.column("follower").to_pylist()[0].endswith("|101")
    pipes = tmp_path / "pipes.txt"
    pipes.write_text("a|b\nb|c\n")  # no other delimiter: the pipe
    assert read_table(pipes, FOLLOWS).column("followed").to_pylist() == ["b", "c"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_codec_refusing_the_whole_file_is_an_input_error(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "follows.csv"
    path.write_text("follower,followed\na,b\n")
    with reading_as(TextFormat(encoding=encoding)), pytest.raises(InputError) as error:
        read_table(path, FOLLOWS)
    assert "at byte 0" in str(error.value)
    assert str(error.value).endswith("give the file's encoding with --encoding")


def test_codecs_that_rewrite_text_are_refused() -> None:
    for name in ("unicode_escape", "raw_unicode_escape", "punycode", "idna", "undefined"):
        with pytest.raises(ValueError, match="is not a text encoding"):
            encoding_option(name)


def test_undecodable_offset_counts_bytes_held_over_a_chunk() -> None:
    from graphkit.io.sniff import UndecodableText, Utf8Reader

    chunk = 1 << 20
    data = b"a" * (chunk - 1) + b"\xe2\x82" + b"abc"  # cut between two reads
    with pytest.raises(UndecodableText, match=f"at byte {chunk - 1:,} "):
        Utf8Reader(io.BytesIO(data), "utf-8").read()


def test_a_chosen_delimiter_is_named_when_no_header_is_found(tmp_path: Path) -> None:
    path = tmp_path / "follows.csv"
    path.write_text("follower;followed\na;b\n")
    with reading_as(TextFormat(delimiter="\t")), pytest.raises(InputError) as error:
        read_table(path, FOLLOWS)
    assert str(error.value).endswith("(read as tab-separated UTF-8)")


def test_sources_with_wrong_types_are_usage_errors(tmp_path: Path) -> None:
    path = _cp1252(tmp_path)
    for wrong in ({"delimiter": 5}, {"encoding": 5}, {"encoding": b"cp1252"}):
        with pytest.raises(UsageError):
            load(Sources(follows=path, **wrong))  # type: ignore[arg-type]
