"""Splitting CSV output at row and byte limits, checked by reading the parts back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.errors import ParameterError
from graphkit.export import write_csv_parts
from graphkit.export.split import row_ends

cell = st.text(alphabet=st.sampled_from(list('ab,"\r\n é李🚀')), max_size=8)


@given(st.lists(st.tuples(cell, cell), min_size=1, max_size=30))
def test_row_ends_agree_with_the_csv_module(rows: list[tuple[str, str]]) -> None:
    frame = pl.DataFrame(rows, schema=["a", "b"], orient="row")
    body = frame.write_csv(include_header=False, line_terminator="\r\n").encode()
    ends = row_ends(body)
    assert len(ends) == frame.height
    start = 0
    for end, expected in zip(ends, rows, strict=True):
        record = body[start:end].decode()
        (parsed,) = list(csv.reader(io.StringIO(record, newline="")))
        assert tuple(parsed) == expected
        start = end
    assert start == len(body)


def _commit(parts, folder: Path) -> list[Path]:
    paths = []
    for number, part in enumerate(parts, 1):
        paths.append(part.pending.commit(folder / f"part-{number}.csv"))
    return paths


@settings(deadline=None, max_examples=30)
@given(
    rows=st.lists(st.tuples(cell, st.integers(-5, 5)), max_size=60),
    max_rows=st.integers(1, 25),
    max_bytes=st.integers(60, 400),
)
def test_parts_respect_the_limits_and_hold_every_row_once(
    tmp_path_factory: pytest.TempPathFactory,
    rows: list[tuple[str, int]],
    max_rows: int,
    max_bytes: int,
) -> None:
    folder = tmp_path_factory.mktemp("parts")
    frame = pl.DataFrame(rows, schema={"text": pl.String, "n": pl.Int64}, orient="row")
    parts = write_csv_parts(frame, folder, "out.csv", max_rows=max_rows, max_bytes=max_bytes)
    paths = _commit(parts, folder)
    read_back: list[tuple[str, int]] = []
    for part, path in zip(parts, paths, strict=True):
        data = path.read_bytes()
        assert len(data) == part.size <= max_bytes
        with path.open(encoding="utf-8", newline="") as handle:
            records = list(csv.reader(handle))
        assert records[0] == ["text", "n"]
        assert len(records) - 1 == part.rows <= max_rows
        read_back += [(text, int(n)) for text, n in records[1:]]
        assert data.endswith(b"\r\n")
    # nulls become empty fields, which the csv module reads as ""
    assert read_back == [("" if text is None else text, n) for text, n in rows]
    # a part is only started when the previous one could not take the next row
    header = len(b"text,n\r\n")
    for part, path in zip(parts, paths[1:], strict=False):
        first_row = int(row_ends(path.read_bytes()[header:])[0])
        assert part.rows == max_rows or part.size + first_row > max_bytes


def test_parts_split_exactly_at_the_row_limit(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": [f"u{i}" for i in range(2_500)]})
    parts = write_csv_parts(frame, tmp_path, "x", max_rows=1_000, max_bytes=10**9)
    assert [part.rows for part in parts] == [1_000, 1_000, 500]
    paths = _commit(parts, tmp_path)
    combined = pl.concat([pl.read_csv(path) for path in paths])
    assert combined["id"].to_list() == frame["id"].to_list()


def test_parts_split_at_the_byte_limit(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": [f"{i:04d}" for i in range(100)]})  # 6 bytes a row
    header = len(b"id\r\n")
    parts = write_csv_parts(frame, tmp_path, "x", max_rows=10**6, max_bytes=header + 6 * 30)
    assert [part.rows for part in parts] == [30, 30, 30, 10]
    assert [part.size for part in parts] == [184, 184, 184, 64]


def test_a_record_over_the_limit_is_refused_and_nothing_written(tmp_path: Path) -> None:
    frame = pl.DataFrame({"text": ["short", "x" * 500]})
    with pytest.raises(ParameterError, match=r"row 2 takes 502 bytes, more than the 400"):
        write_csv_parts(frame, tmp_path, "x", max_rows=10, max_bytes=10**6, max_record_bytes=400)
    assert list(tmp_path.iterdir()) == []


def test_an_empty_table_gives_a_header_only_file(tmp_path: Path) -> None:
    parts = write_csv_parts(pl.DataFrame({"a": []}, schema={"a": pl.String}), tmp_path, "x",
                            max_rows=5, max_bytes=100)  # fmt: skip
    (path,) = _commit(parts, tmp_path)
    assert path.read_bytes() == b"a\r\n"
