"""What changed between two rankings: against a plain-Python reference, intervals, reading
every output format, and the one-line errors."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphkit.analysis.compare import COMPARE_COLUMNS, compare_rankings
from graphkit.app.history import compare, read_ranking
from graphkit.errors import InputError
from graphkit.io import write_frame
from tests.strategies import ACCOUNT_IDS


def _ranking(ids: list[str], scores: list[float] | None = None) -> pl.DataFrame:
    columns: dict[str, object] = {"id": ids, "rank": list(range(1, len(ids) + 1))}
    if scores is not None:
        columns["score"] = scores
    return pl.DataFrame(columns, schema_overrides={"id": pl.String, "rank": pl.Int64})


def _reference(before: pl.DataFrame, after: pl.DataFrame) -> dict[str, tuple]:
    """Row by row: each id's ranks, rank change and status."""
    ranks_before = dict(zip(before["id"], before["rank"], strict=True))
    ranks_after = dict(zip(after["id"], after["rank"], strict=True))
    rows = {}
    for account in ranks_before.keys() | ranks_after.keys():
        old, new = ranks_before.get(account), ranks_after.get(account)
        if old is None:
            status, change = "entered", None
        elif new is None:
            status, change = "exited", None
        else:
            change = old - new
            status = "same" if change == 0 else "moved"
        rows[account] = (old, new, change, status)
    return rows


@settings(max_examples=80, deadline=None)
@given(
    before=st.lists(st.sampled_from(ACCOUNT_IDS), unique=True, max_size=10),
    after=st.lists(st.sampled_from(ACCOUNT_IDS), unique=True, max_size=10),
)
def test_compare_matches_the_reference_and_sorts_by_the_size_of_the_change(before, after):
    first, second = _ranking(before), _ranking(after)
    table = compare_rankings(first, second)
    assert table.columns == [c for c in COMPARE_COLUMNS if c not in ("handle", "name")]
    expected = _reference(first, second)
    got = {
        row["id"]: (row["rank_before"], row["rank_after"], row["rank_change"], row["status"])
        for row in table.iter_rows(named=True)
    }
    assert got == expected
    assert table["significant"].null_count() == table.height  # no intervals
    keys = [
        (-abs(change) if change is not None else 1, account)
        for account, change in zip(table["id"], table["rank_change"], strict=True)
    ]
    assert keys == sorted(keys)


def test_scores_names_and_significance_from_intervals():
    before = pl.DataFrame(
        {
            "id": ["a", "b", "c", "gone"],
            "rank": [1, 2, 3, 4],
            "name": ["Ann", "Bo", None, "Gus"],
            "score": [100.0, 90.0, 80.0, 10.0],
            "rank_low": [1, 1, 3, 4],
            "rank_high": [1, 3, 3, 4],
        }
    )
    after = pl.DataFrame(
        {
            "id": ["c", "b", "a", "new"],
            "rank": [1, 2, 3, 4],
            "name": ["Cy", "Bo", "Ann", "Nia"],
            "score": [100.0, 95.0, 50.0, 5.0],
            "rank_low": [1, 2, 2, 4],
            "rank_high": [2, 3, 3, 4],
        }
    )
    table = compare_rankings(before, after)
    rows = {row["id"]: row for row in table.iter_rows(named=True)}
    assert rows["c"]["rank_change"] == 2
    assert rows["c"]["significant"] is True
    assert rows["a"]["rank_change"] == -2
    assert rows["a"]["significant"] is True
    assert rows["b"]["status"] == "same"
    assert rows["b"]["significant"] is False
    assert rows["b"]["score_change"] == pytest.approx(5.0)
    assert rows["c"]["name"] == "Cy"
    assert rows["gone"]["name"] == "Gus"
    assert rows["new"]["status"] == "entered"
    assert rows["new"]["significant"] is None
    assert rows["gone"]["status"] == "exited"
    assert rows["gone"]["score_after"] is None
    assert table["id"].to_list() == ["a", "c", "b", "gone", "new"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".json", ".ndjson"])
def test_every_output_format_reads_back(tmp_path, suffix):
    before = _ranking(["01", "b", "中文"], [100.0, 50.0, 0.0])
    after = _ranking(["b", "01"], [100.0, 40.0])
    write_frame(before, tmp_path / f"before{suffix}")
    write_frame(after, tmp_path / f"after{suffix}")
    table = compare(tmp_path / f"before{suffix}", tmp_path / f"after{suffix}")
    assert table.filter(pl.col("id") == "01")["rank_change"].to_list() == [-1]  # id "01" kept
    assert table.filter(pl.col("id") == "中文")["status"].to_list() == ["exited"]
    assert read_ranking(tmp_path / f"before{suffix}")["id"].to_list() == ["01", "b", "中文"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,score\na,1\n", "before.csv, column 'rank': no 'rank' column"),
        ("rank,score\n1,1\n", "before.csv, column 'id': no 'id' column"),
        ("id,rank\na,1\nb,2\na,3\n", "before.csv, row 4, column 'id': id 'a' appears again"),
        ("id,rank\na,1\n,2\n", "before.csv, row 3, column 'id': empty id"),
        ("id,rank\na,1\nb,x\n", "before.csv, row 3, column 'rank': rank 'x' is not a whole"),
        ("id,rank\na,1\nb,2.5\n", "before.csv, row 3, column 'rank': rank '2.5' is not a whole"),
        ("id,rank\na,1e20\n", "before.csv, row 2, column 'rank': rank '1e+20' is not a whole"),
        ("id,rank,score\na,1,lots\n", "before.csv, row 2, column 'score': 'lots' is not a"),
        ("id,rank,score\na,1,nan\n", "before.csv, row 2, column 'score': 'nan' is not a"),
        ("", "before.csv: cannot read it as csv"),
    ],
)
def test_bad_rankings_are_one_line_errors_naming_file_row_and_column(tmp_path, text, message):
    path = tmp_path / "before.csv"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        read_ranking(path)
    assert str(error.value).startswith(str(tmp_path / message))
    assert "\n" not in str(error.value)


def test_unknown_suffix_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        read_ranking(tmp_path / "none.csv")
    (tmp_path / "ranking.txt").write_text("id,rank\na,1\n")
    with pytest.raises(InputError, match="cannot tell the format from the suffix"):
        read_ranking(tmp_path / "ranking.txt")


def test_csv_handles_and_names_keep_their_leading_zeros(tmp_path):
    path = tmp_path / "ranking.csv"
    path.write_text("id,handle,name,rank\n007,007,0012,1\n7,08,13,2\n")
    table = compare(path, path)
    assert table.select("id", "handle", "name").rows() == [
        ("007", "007", "0012"),
        ("7", "08", "13"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"id": {"x": 1}, "rank": 1}]', r"column 'id': holds lists or records"),
        ('[{"id": "a", "rank": [1]}]', r"column 'rank': holds lists or records"),
        ('[{"id": "a", "rank": 1, "handle": {"x": 1}}]', r"column 'handle': holds lists"),
        ('[{"id": "a", "rank": true}]', r"column 'rank': holds true/false"),
        ('[{"id": "a", "rank": 1, "score": false}]', r"column 'score': holds true/false"),
        (
            '[{"id": "a", "rank": 1, "rank_low": 3, "rank_high": 1}]',
            r"row 1, column 'rank_low': rank_low 3 is above rank_high 1",
        ),
    ],
)
def test_values_that_are_not_single_numbers_or_text_are_refused(tmp_path, text, message):
    path = tmp_path / "ranking.json"
    path.write_text(text)
    with pytest.raises(InputError, match=message):
        read_ranking(path)


def test_a_score_change_too_large_for_a_number_is_an_input_error():
    before = _ranking(["a"], [1e308])
    after = _ranking(["a"], [-1e308])
    with pytest.raises(InputError, match="the score change of 'a' is too large"):
        compare(before, after)


def test_ids_that_are_not_text_and_ranks_that_are_times_are_refused():
    binary = pl.DataFrame({"id": [b"a", b"\xff\xfe"], "rank": [1, 2]})
    with pytest.raises(InputError, match=r"column 'id': holds Binary values that are not text"):
        read_ranking(binary)
    assert read_ranking(binary.head(1))["id"].to_list() == ["a"]  # UTF-8 bytes are text
    times = pl.DataFrame({"id": ["a"], "rank": [1]}).with_columns(
        pl.col("rank").cast(pl.Datetime("ns"))
    )
    with pytest.raises(InputError, match=r"column 'rank': holds Datetime"):
        read_ranking(times)


def test_a_csv_header_naming_a_column_twice_is_refused(tmp_path):
    path = tmp_path / "ranking.csv"
    path.write_text("id,id,rank\na,b,1\n")
    with pytest.raises(InputError, match=r"column 'id': the header names this column twice"):
        read_ranking(path)
