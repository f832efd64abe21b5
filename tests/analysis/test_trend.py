"""Rankings over time: window planning, what each window holds, and the fast path (sorted
slices, warm starts) against ranking each window from scratch with graphkit.rank."""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphkit.analysis.trend import TREND_COLUMNS, Window, plan_windows, rank_windows, timed_tables
from graphkit.app import Settings, Sources, rank
from graphkit.app.history import trend, trend_run
from graphkit.errors import InputError, ParameterError, UsageError
from graphkit.graph import Weighting
from graphkit.io import Dataset
from graphkit.io.schema import TIMESTAMP_TYPE
from graphkit.progress import Progress
from tests.strategies import EPOCH, GeneratedData, generated_data, timestamps

DAY = timedelta(days=1)
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_windows_start_at_the_first_time_and_stop_at_the_first_that_reaches_the_last():
    windows = plan_windows(T0, T0 + 10 * DAY, window=4 * DAY, step=3 * DAY)
    assert [(w.start, w.end) for w in windows] == [
        (T0 + k * 3 * DAY, T0 + k * 3 * DAY + 4 * DAY) for k in range(3)
    ] + [(T0 + 9 * DAY, T0 + 13 * DAY)]
    assert windows[-1].end > T0 + 10 * DAY  # the latest time is inside the last window
    assert windows[-2].end <= T0 + 10 * DAY


def test_windows_align_to_midnight_for_whole_days_and_to_the_first_time_otherwise():
    first = T0 + timedelta(hours=9, minutes=30)
    assert plan_windows(first, first + DAY, window=DAY, step=DAY)[0].start == T0
    hourly = plan_windows(first, first + DAY, window=DAY, step=timedelta(hours=12))
    assert hourly[0].start == first


def test_an_end_clips_the_last_window_and_a_start_moves_the_first():
    windows = plan_windows(
        T0, T0 + 100 * DAY, window=7 * DAY, step=7 * DAY, start=T0 + DAY, end=T0 + 20 * DAY
    )
    assert windows[0].start == T0 + DAY
    assert windows[-1].end == T0 + 20 * DAY
    assert all(w.end <= T0 + 20 * DAY for w in windows)
    assert len(windows) == 3


def test_an_end_without_a_start_aligns_the_last_window_on_it():
    first = T0 + timedelta(hours=7)
    windows = plan_windows(first, T0 + 100 * DAY, window=30 * DAY, step=20 * DAY, end=T0 + 95 * DAY)
    assert windows[-1] == Window(T0 + 65 * DAY, T0 + 95 * DAY)
    assert windows[0].start <= first < windows[0].end
    assert windows[1].start > first
    assert all(b.start - a.start == 20 * DAY for a, b in itertools.pairwise(windows))


def test_windows_that_cannot_start_or_are_too_many_are_refused():
    with pytest.raises(ParameterError, match="not before they end"):
        plan_windows(T0, T0 + DAY, window=DAY, step=DAY, start=T0 + 5 * DAY)
    with pytest.raises(ParameterError, match="more than 10,000"):
        plan_windows(T0, T0 + 1000 * DAY, window=DAY, step=timedelta(minutes=1))


def _interactions(rows: list[tuple[str, str, datetime | None]]) -> pa.Table:
    return pa.table(
        {
            "source": pa.array([r[0] for r in rows], pa.string()),
            "target": pa.array([r[1] for r in rows], pa.string()),
            "type": pa.array(["repost"] * len(rows), pa.string()),
            "timestamp": pa.array([r[2] for r in rows], TIMESTAMP_TYPE),
        }
    )


def test_a_window_holds_its_interactions_and_the_follows_started_before_its_end():
    follows = pa.table(
        {
            "follower": ["a", "b", "c"],
            "followed": ["x", "y", "z"],
            "since": pa.array([T0 + 5 * DAY, None, T0 + 15 * DAY], TIMESTAMP_TYPE),
        }
    )
    interactions = _interactions(
        [("p", "q", T0), ("p", "r", T0 + 10 * DAY - timedelta(microseconds=1)),
         ("p", "s", T0 + 10 * DAY), ("p", "t", None)]
    )  # fmt: skip
    tables = timed_tables(Dataset(follows=follows, interactions=interactions))
    assert (tables.untimed_follows, tables.untimed_interactions) == (1, 1)
    first, second = Window(T0, T0 + 10 * DAY), Window(T0 + 10 * DAY, T0 + 20 * DAY)
    held_follows, held_interactions = tables.window(first)
    assert held_follows is not None
    assert held_interactions is not None
    assert sorted(held_follows["follower"].to_pylist()) == ["a", "b"]
    assert held_interactions["target"].to_pylist() == ["q", "r"]
    held_follows, held_interactions = tables.window(second)
    assert held_follows is not None
    assert held_interactions is not None
    assert sorted(held_follows["follower"].to_pylist()) == ["a", "b", "c"]  # cumulative
    assert held_interactions["target"].to_pylist() == ["s"]


def test_interactions_without_any_timestamp_are_an_error_naming_the_file(tmp_path):
    path = tmp_path / "interactions.csv"
    path.write_text("source,target,type\na,b,repost\n")
    with pytest.raises(InputError, match=r"interactions.csv, column 'timestamp': no interaction"):
        trend(interactions=path)
    follows = tmp_path / "follows.csv"
    follows.write_text("follower,followed\na,b\n")
    with pytest.raises(InputError, match="nothing has a time"):
        trend(follows=follows)


def test_as_of_is_refused_and_an_empty_window_has_no_rows():
    interactions = _interactions([("a", "b", T0), ("b", "c", T0 + 10 * DAY)])
    weighting = Weighting(as_of=T0)
    with pytest.raises(UsageError, match="from each window's end"):
        trend(interactions=interactions, settings=Settings(weighting=weighting))
    result = trend_run(interactions=interactions, window="2d", step="2d")
    assert result.empty_windows == 4
    assert result.table["window_start"].unique().sort().to_list() == [T0, T0 + 10 * DAY]
    assert result.table.columns == list(TREND_COLUMNS)


def test_an_audience_absent_from_a_window_leaves_that_window_out():
    interactions = _interactions([("a", "b", T0), ("x", "b", T0 + 3 * DAY), ("x", "c", T0)])
    result = trend_run(interactions=interactions, window="2d", step="2d", audience="id=x")
    assert result.audience_missing == 0  # "x" is in both windows (an account of the first)
    only_later = trend_run(
        interactions=interactions.slice(0, 2), window="2d", step="2d", audience="id=x"
    )
    assert only_later.audience_missing == 1
    assert only_later.table["window_start"].unique().to_list() == [T0 + 2 * DAY]
    assert sorted(only_later.table["id"]) == ["b", "x"]


def _with_since(data: GeneratedData, since: list[datetime | None]) -> GeneratedData:
    if data.follows is None:
        return data
    column = pa.array(since[: data.follows.num_rows], TIMESTAMP_TYPE)
    return dataclasses.replace(data, follows=data.follows.append_column("since", column))


def _window_reference(
    data: GeneratedData, window: Window, weighting: Weighting
) -> pl.DataFrame | None:
    """Rank one window from scratch: the tables filtered row by row, then graphkit.rank."""
    start, end = window.start, window.end
    follows = [
        row for row in data.rows("follows") if row.get("since") is None or row["since"] < end
    ]
    interactions = [
        row
        for row in data.rows("interactions")
        if row.get("timestamp") is not None and start <= row["timestamp"] < end
    ]
    if not follows and not interactions:
        return None
    assert data.follows is not None or data.interactions is not None
    chosen = weighting
    if interactions:
        chosen = dataclasses.replace(weighting, as_of=end)
    else:
        chosen = dataclasses.replace(weighting, half_life=None, as_of=None)
    return rank(
        Sources(
            follows=pa.Table.from_pylist(follows, data.follows.schema) if follows else None,
            interactions=(
                pa.Table.from_pylist(interactions, data.interactions.schema)
                if interactions
                else None
            ),
            accounts=data.accounts,
            identities=data.identities,
            undirected=data.undirected and bool(follows),  # --undirected needs follows
        ),
        settings=Settings(weighting=chosen, memory_check=False),
    )


SHAPES: Counter[str] = Counter()


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=generated_data(),
    since=st.lists(timestamps, min_size=20, max_size=20),
    window_days=st.sampled_from([1, 30, 90, 400]),
    step_days=st.sampled_from([45, 200]),
)
def test_trend_equals_ranking_each_window_from_scratch(data, since, window_days, step_days):
    data = _with_since(data, since)
    weighting = dataclasses.replace(data.weighting, as_of=None)
    dataset = data.dataset()
    try:
        tables = timed_tables(dataset)
    except InputError:
        SHAPES["untimed"] += 1
        return
    first, last = tables.span()
    windows = plan_windows(first, last, window=window_days * DAY, step=step_days * DAY)
    result = rank_windows(
        tables, windows, accounts=data.accounts, identities=data.identities,
        weighting=weighting, undirected=data.undirected,
    )  # fmt: skip
    cold = rank_windows(
        tables, windows, accounts=data.accounts, identities=data.identities,
        weighting=weighting, undirected=data.undirected, warm_start=False,
    )  # fmt: skip
    ranked = 0
    for window in windows:
        got = result.table.filter(pl.col("window_start") == window.start)
        cold_got = cold.table.filter(pl.col("window_start") == window.start)
        expected = _window_reference(data, window, weighting)
        if expected is None:
            assert got.height == 0
            continue
        ranked += 1
        assert got["id"].sort().to_list() == expected["id"].sort().to_list()
        assert (got["window_end"] == window.end).all()
        by_id = dict(zip(expected["id"], expected["pagerank"], strict=True))
        assert np.allclose(
            got["pagerank"].to_numpy(), [by_id[i] for i in got["id"]], rtol=0, atol=1e-9
        )
        # Each rank holds an account with the reference's PageRank at that rank: the same
        # account, unless two are tied to within the tolerance (warm and cold starts break
        # exact ties in the last bits).
        reference_at_rank = expected.sort("rank")["pagerank"].to_numpy()
        assert np.allclose(got.sort("rank")["pagerank"].to_numpy(), reference_at_rank, atol=1e-9)
        assert got["rank"].to_list() == list(range(1, got.height + 1))
        assert (got["pagerank"].diff().drop_nulls() <= 0).all()
        same = got.join(expected.select("id", "rank"), on="id", suffix="_reference")
        moved = same.filter(pl.col("rank") != pl.col("rank_reference"))
        for row in moved.iter_rows(named=True):
            assert abs(row["pagerank"] - by_id[row["id"]]) < 1e-9
            tied = expected.filter((pl.col("pagerank") - row["pagerank"]).abs() < 1e-9)
            assert row["rank"] in tied["rank"].to_list()
        assert np.allclose(
            cold_got.sort("id")["pagerank"].to_numpy(), got.sort("id")["pagerank"].to_numpy(),
            atol=1e-9, rtol=0,
        )  # fmt: skip
    SHAPES["windows>1" if ranked > 1 else "one window"] += 1
    if data.interactions is not None and "timestamp" in data.interactions.column_names:
        SHAPES["timed interactions"] += 1


def test_half_life_counts_ages_from_each_window_end():
    interactions = _interactions(
        [("a", "b", T0), ("a", "d", T0 + 9 * DAY), ("a", "b", T0 + 12 * DAY)]
    )
    weighting = Weighting(half_life=DAY)
    table = trend(
        interactions=interactions, window="10d", step="10d",
        settings=Settings(weighting=weighting),
    )  # fmt: skip
    first = table.filter(pl.col("window_start") == T0)
    # a's repost of b is 9 days older than its repost of d at the end of the first window.
    assert first["id"][0] == "d"
    scratch = rank(
        interactions=interactions.slice(0, 2),
        settings=Settings(weighting=dataclasses.replace(weighting, as_of=T0 + 10 * DAY)),
    )
    assert dict(zip(first["id"], first["pagerank"], strict=True)) == pytest.approx(
        dict(zip(scratch["id"], scratch["pagerank"], strict=True)), abs=1e-12
    )


@pytest.mark.slow
def test_the_demo_spans_months():
    result = trend_run(Sources(demo=True), window="90d", step="90d", top=5)
    assert len(result.windows) >= 4
    assert result.table.height == 5 * len(result.windows)
    assert result.iterations[0] > 0
    assert result.windows[0].start == datetime(2025, 11, 1, tzinfo=UTC)
    assert result.windows[0].start > EPOCH


def test_confidence_adds_each_window_intervals_around_its_ranking():
    interactions = _interactions(
        [(source, target, T0 + day * DAY)
         for day in range(6)
         for source, target in (("a", "b"), ("c", "b"), ("b", "d"), ("d", "a"), ("e", "a"))]
    )  # fmt: skip
    plain = trend(interactions=interactions, window="3d", step="3d")
    table = trend(interactions=interactions, window="3d", step="3d", confidence=30, seed=1)
    assert table.columns == [*plain.columns, "rank_low", "rank_high", "score_low",
                             "score_high", "pagerank_low", "pagerank_high"]  # fmt: skip
    assert table.select(plain.columns).equals(plain)
    assert (table["rank_low"] <= table["rank"]).all()
    assert (table["rank"] <= table["rank_high"]).all()
    assert (table["pagerank_low"] <= table["pagerank_high"]).all()
    again = trend(interactions=interactions, window="3d", step="3d", confidence=30, seed=1)
    assert again.equals(table)  # seeded


def test_windows_near_the_year_9999_stop_there_instead_of_overflowing():
    last = datetime(9999, 12, 31, 23, 30, tzinfo=UTC)
    hourly = plan_windows(last, last, window=timedelta(hours=1), step=timedelta(hours=1))
    assert hourly == [Window(last, datetime.max.replace(tzinfo=UTC))]
    sparse = plan_windows(T0, last, window=30 * DAY, step=3650 * DAY)  # no start past 9999
    assert sparse[-1].start <= last
    assert last - sparse[-1].start < 3650 * DAY
    with pytest.raises(ParameterError, match="past the years 0001 to 9999"):
        plan_windows(T0, datetime.max.replace(tzinfo=UTC), window=DAY, step=DAY)
    early = datetime(1, 1, 1, 12, tzinfo=UTC)
    with pytest.raises(ParameterError, match="past the years 0001 to 9999"):
        plan_windows(early, T0, window=DAY, step=3650 * DAY, end=T0)


def test_no_window_starts_after_the_data_when_the_step_is_longer_than_the_window():
    windows = plan_windows(T0, T0 + 23 * DAY, window=DAY, step=10 * DAY)
    assert [w.start for w in windows] == [T0, T0 + 10 * DAY, T0 + 20 * DAY]


def test_what_falls_in_no_window_is_counted_and_a_trend_of_no_data_is_refused():
    follows = pa.table(
        {"follower": ["a", "b"], "followed": ["x", "y"],
         "since": pa.array([T0, T0 + 40 * DAY], TIMESTAMP_TYPE)}
    )  # fmt: skip
    interactions = _interactions(
        [("p", "q", T0), ("p", "r", T0 + 5 * DAY), ("p", "s", T0 + 11 * DAY)]
    )
    tables = timed_tables(Dataset(follows=follows, interactions=interactions))
    windows = [Window(T0, T0 + DAY), Window(T0 + 10 * DAY, T0 + 12 * DAY)]
    assert tables.outside(windows) == (1, 1)  # the record of day 5; the follow of day 40
    lines: list[str] = []
    progress = Progress(quiet=True)
    progress.note = lines.append  # type: ignore[method-assign]
    trend_run(follows=follows, interactions=interactions, window="1d", step="10d",
              progress=progress)  # fmt: skip
    assert "Left out 2 interactions outside every window" in "\n".join(lines)
    assert "Left out 1 follows that start after the last window ends" in "\n".join(lines)
    with pytest.raises(ParameterError, match="no window holds any follow or interaction"):
        trend(interactions=interactions, window="1d", step="1d", start=T0 + 20 * DAY,
              end=T0 + 30 * DAY)  # fmt: skip


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"top": 2.5}, "top must be a whole number"),
        ({"top": True}, "top must be a whole number"),
        ({"audience": 5}, "audience: expected text selectors"),
        ({"audience": ["id=a", 5]}, r"audience: expected text selectors .*got 5 \(int\)"),
    ],
)
def test_wrong_types_in_the_python_api_are_refused(options, message):
    interactions = _interactions([("a", "b", T0)])
    with pytest.raises(ParameterError, match=message):
        trend(interactions=interactions, window="1d", step="1d", **options)


def test_a_bad_record_of_a_table_in_memory_is_named_by_its_row_there():
    interactions = pl.DataFrame(
        {"source": ["a", "b", "c"], "target": ["b", "c", "a"], "type": ["repost", "reply", "like"],
         "timestamp": [T0 + 4 * DAY, T0 + DAY, T0 + 2 * DAY], "weight": [1.0, 1e308, 1.0]}
    )  # fmt: skip
    weighting = Weighting(type_weights={"repost": 1.0, "reply": 10.0, "like": 1.0})
    with pytest.raises(InputError, match=r"^the interactions table, row 2, column 'weight'"):
        trend(interactions=interactions, settings=Settings(weighting=weighting))
